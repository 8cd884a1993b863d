#include <solver/field_coupling.h>

#include <deal.II/fe/fe_tools.h>

namespace mvb
{
  template <int dim>
  FiniteElementFields<dim>::FiniteElementFields(
    FieldSolver<dim>             &fields,
    const mesh::CellLocator<dim> &cells,
    const physics::LocalFields   &stand_ins)
      : fields(fields)
      , cells(cells)
      , stand_ins(stand_ins)
      , data(cells.n_cells())
  {
    index.fill(-1);
    for (unsigned int k = 0; k < fields.n_species(); ++k)
      if (const int c = fields.model(k).coupled_species; c >= 0)
        index[c] = k;

    // FE_Q's basis is the tensor product of the Lagrange polynomials
    // through its support points along one edge.
    const auto &fe = fields.dof_handler().get_fe();
    lexicographic_to_hierarchic =
      FETools::lexicographic_to_hierarchic_numbering<dim>(fe.degree);
    std::vector<double> nodes;
    for (unsigned int i = 0; i <= fe.degree; ++i)
      nodes.push_back(
        fe.get_unit_support_points()[lexicographic_to_hierarchic[i]][0]);
    shape = mesh::TensorProductLagrange<dim>(nodes);
    hierarchic_dofs.resize(fe.n_dofs_per_cell());
    cell_amounts.reinit(fe.n_dofs_per_cell());
  }

  template <int dim>
  bool
  FiniteElementFields<dim>::uses_sites() const
  {
    for (const int k : index)
      if (k >= 0)
        return true;
    return false;
  }

  template <int dim>
  typename FiniteElementFields<dim>::CellData &
  FiniteElementFields<dim>::cell_data(const unsigned int cell)
  {
    CellData &d = data[cell];
    if (d.dofs.empty())
      {
        const typename DoFHandler<dim>::active_cell_iterator dof_cell(
          &fields.dof_handler().get_triangulation(),
          cells.cell(cell)->level(),
          cells.cell(cell)->index(),
          &fields.dof_handler());
        dof_cell->get_dof_indices(hierarchic_dofs);
        d.dofs = hierarchic_dofs;
        for (unsigned int c = 0; c < index.size(); ++c)
          if (index[c] >= 0)
            {
              d.values[c].resize(d.dofs.size());
              if (physics::coupled_species_table[c].exchanged())
                d.loads[c].assign(d.dofs.size(), 0.);
            }
      }
    if (d.step != fields.step_number())
      {
        for (unsigned int c = 0; c < index.size(); ++c)
          if (index[c] >= 0)
            {
              const auto &u = fields.solution(index[c]);
              for (unsigned int i = 0; i < d.dofs.size(); ++i)
                d.values[c][i] = u(d.dofs[lexicographic_to_hierarchic[i]]);
            }
        d.step = fields.step_number();
      }
    return d;
  }

  template <int dim>
  void
  FiniteElementFields<dim>::interpolate(const CellData       &d,
                                        const double         *phi,
                                        physics::LocalFields &values) const
  {
    for (unsigned int c = 0; c < index.size(); ++c)
      if (index[c] >= 0)
        {
          double value = 0;
          for (unsigned int j = 0; j < shape.n_functions(); ++j)
            value += phi[j] * d.values[c][j];
          values[c] = value;
        }
  }

  template <int dim>
  void
  FiniteElementFields<dim>::sample(const std::vector<MvbSite<dim>>   &sites,
                                   std::vector<physics::LocalFields> &values)
  {
    values.assign(sites.size(), stand_ins);
    if (!uses_sites())
      return;
    // Kept for deposit(), which loads at the same sites.
    const unsigned int n = shape.n_functions();
    sampled_phi.resize(sites.size() * n);
    for (std::size_t i = 0; i < sites.size(); ++i)
      {
        const CellData &d   = cell_data(sites[i].cell);
        double         *phi = sampled_phi.data() + i * n;
        shape.values(sites[i].reference, phi);
        interpolate(d, phi, values[i]);
      }
  }

  template <int dim>
  void
  FiniteElementFields<dim>::deposit(
    const std::vector<MvbSite<dim>>           &sites,
    const std::vector<physics::FieldExchange> &amounts)
  {
    AssertDimension(amounts.size(), sites.size());
    const unsigned int n = shape.n_functions();
    AssertThrow(!uses_sites() || sampled_phi.size() == sites.size() * n,
                ExcMessage("deposit() needs the sites of the last sample()"));
    for (std::size_t i = 0; i < sites.size(); ++i)
      {
        bool any = false;
        for (unsigned int c = 0; c < index.size(); ++c)
          any = any || (index[c] >= 0 && amounts[i][c] != 0);
        if (!any)
          continue;
        // The basis values sample() found at this site.
        const double *phi = sampled_phi.data() + i * n;
        CellData     &d   = cell_data(sites[i].cell);
        for (unsigned int c = 0; c < index.size(); ++c)
          if (index[c] >= 0 && amounts[i][c] != 0)
            {
              AssertThrow(physics::coupled_species_table[c].exchanged(),
                          ExcMessage("an MVB exchanged a species that is "
                                     "only read"));
              for (unsigned int j = 0; j < n; ++j)
                d.loads[c][j] += amounts[i][c] * phi[j];
            }
        if (!d.loaded)
          {
            d.loaded = true;
            loaded_cells.push_back(sites[i].cell);
          }
      }
  }

  template <int dim>
  void
  FiniteElementFields<dim>::finish()
  {
    // In the order the cells were first loaded: the same on every run.
    for (const unsigned int cell : loaded_cells)
      {
        CellData &d = data[cell];
        for (unsigned int c = 0; c < index.size(); ++c)
          if (!d.loads[c].empty())
            {
              for (unsigned int j = 0; j < d.dofs.size(); ++j)
                cell_amounts[lexicographic_to_hierarchic[j]] = d.loads[c][j];
              fields.add_point_amounts(index[c], d.dofs, cell_amounts);
              std::fill(d.loads[c].begin(), d.loads[c].end(), 0.);
            }
        d.loaded = false;
      }
    loaded_cells.clear();
  }

  template <int dim>
  void
  FiniteElementFields<dim>::values_at(const std::vector<Point<dim>>     &points,
                                      std::vector<physics::LocalFields> &values)
  {
    // Each rank evaluates the points in its cells; a point on a face
    // between ranks is found by both, so values and finds are summed and
    // divided.
    const unsigned int  width = physics::n_coupled_species + 1;
    std::vector<double> local(points.size() * width, 0.);
    std::vector<double> phi(shape.n_functions());
    for (std::size_t i = 0; i < points.size(); ++i)
      {
        unsigned int cell;
        Point<dim>   reference;
        if (!cells.find_owned(points[i], cell, reference))
          continue;
        shape.values(reference, phi.data());
        physics::LocalFields here;
        interpolate(cell_data(cell), phi.data(), here);
        for (unsigned int c = 0; c < index.size(); ++c)
          local[i * width + c] = here[c];
        local[i * width + physics::n_coupled_species] = 1;
      }
    Utilities::MPI::sum(local, fields.dof_handler().get_communicator(), local);
    values.assign(points.size(), stand_ins);
    for (std::size_t i = 0; i < points.size(); ++i)
      if (const double found = local[i * width + physics::n_coupled_species];
          found > 0)
        for (unsigned int c = 0; c < index.size(); ++c)
          if (index[c] >= 0)
            values[i][c] = local[i * width + c] / found;
  }

  template class FiniteElementFields<2>;
  template class FiniteElementFields<3>;
} // namespace mvb
