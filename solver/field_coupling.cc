#include <solver/field_coupling.h>

#include <deal.II/base/array_view.h>
#include <deal.II/matrix_free/evaluation_flags.h>
#include <deal.II/matrix_free/fe_point_evaluation.h>

namespace mvb
{
  namespace
  {
    constexpr std::array<const char *, 3> coupled_species = {
      {"calcium", "cholesterol", "cargo"}};
  } // namespace

  template <int dim>
  struct FiniteElementFields<dim>::CellRun
  {
    CellRun(const Mapping<dim> &mapping, const FiniteElement<dim> &fe)
        : evaluator(mapping, fe, update_values)
        , dofs(fe.n_dofs_per_cell())
        , cell_values(fe.n_dofs_per_cell())
        , cell_amounts(fe.n_dofs_per_cell())
    {
    }

    FEPointEvaluation<1, dim>            evaluator;
    std::vector<Point<dim>>              unit_points;
    std::vector<types::global_dof_index> dofs;
    std::vector<double>                  cell_values;
    Vector<double>                       cell_amounts;
    unsigned int                         first = 0; // handler index
  };

  template <int dim>
  FiniteElementFields<dim>::FiniteElementFields(
    FieldSolver<dim>           &fields,
    const physics::LocalFields &stand_ins)
      : fields(fields)
      , stand_ins(stand_ins)
      , run(std::make_unique<CellRun>(fields.mapping(),
                                      fields.dof_handler().get_fe()))
  {
    index.fill(-1);
    for (unsigned int k = 0; k < fields.n_species(); ++k)
      for (unsigned int c = 0; c < coupled_species.size(); ++c)
        if (fields.model(k).name == coupled_species[c])
          index[c] = k;
  }

  template <int dim>
  FiniteElementFields<dim>::~FiniteElementFields() = default;

  template <int dim>
  template <typename F>
  void
  FiniteElementFields<dim>::for_each_cell_run(
    const Particles::ParticleHandler<dim> &particles,
    F                                      f)
  {
    const DoFHandler<dim> &dof_handler = fields.dof_handler();
    unsigned int           i           = 0;
    for (auto particle = particles.begin(); particle != particles.end();)
      {
        const auto cell = particle->get_surrounding_cell();
        run->first      = i;
        run->unit_points.clear();
        for (; particle != particles.end() &&
               particle->get_surrounding_cell() == cell;
             ++particle, ++i)
          run->unit_points.push_back(particle->get_reference_location());
        const typename DoFHandler<dim>::active_cell_iterator dof_cell(
          &dof_handler.get_triangulation(),
          cell->level(),
          cell->index(),
          &dof_handler);
        dof_cell->get_dof_indices(run->dofs);
        run->evaluator.reinit(cell, make_array_view(run->unit_points));
        f(*run);
      }
  }

  template <int dim>
  void
  FiniteElementFields<dim>::sample(
    const Particles::ParticleHandler<dim> &particles,
    std::vector<physics::LocalFields>     &values)
  {
    values.assign(particles.n_locally_owned_particles(), stand_ins);
    for_each_cell_run(particles, [&](CellRun &r) {
      for (unsigned int c = 0; c < index.size(); ++c)
        if (index[c] >= 0)
          {
            const auto &u = fields.solution(index[c]);
            for (unsigned int j = 0; j < r.dofs.size(); ++j)
              r.cell_values[j] = u(r.dofs[j]);
            r.evaluator.evaluate(make_array_view(r.cell_values),
                                 EvaluationFlags::values);
            for (unsigned int q = 0; q < r.unit_points.size(); ++q)
              {
                physics::LocalFields &v = values[r.first + q];
                (c == 0   ? v.calcium
                 : c == 1 ? v.cholesterol
                          : v.cargo)    = r.evaluator.get_value(q);
              }
          }
    });
  }

  template <int dim>
  void
  FiniteElementFields<dim>::deposit(
    const Particles::ParticleHandler<dim>     &particles,
    const std::vector<physics::FieldExchange> &amounts)
  {
    AssertDimension(amounts.size(), particles.n_locally_owned_particles());
    for_each_cell_run(particles, [&](CellRun &r) {
      // Calcium is not exchanged: cholesterol (1) and cargo (2).
      for (unsigned int c = 1; c < index.size(); ++c)
        if (index[c] >= 0)
          {
            bool any = false;
            for (unsigned int q = 0; q < r.unit_points.size(); ++q)
              {
                const physics::FieldExchange &e = amounts[r.first + q];
                const double amount = (c == 1 ? e.cholesterol : e.cargo);
                any |= (amount != 0);
                r.evaluator.submit_value(amount, q);
              }
            if (!any)
              continue;
            r.evaluator.integrate(make_array_view(r.cell_values),
                                  EvaluationFlags::values);
            for (unsigned int j = 0; j < r.dofs.size(); ++j)
              r.cell_amounts[j] = r.cell_values[j];
            fields.add_point_amounts(index[c], r.dofs, r.cell_amounts);
          }
    });
  }

  template class FiniteElementFields<2>;
  template class FiniteElementFields<3>;
} // namespace mvb
