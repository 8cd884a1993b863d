#include <solver/field_coupling.h>

#include <deal.II/fe/fe_tools.h>

namespace mvb
{
  namespace
  {
    constexpr std::array<const char *, 3> coupled_species = {
      {"calcium", "cholesterol", "cargo"}};
  } // namespace

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
      for (unsigned int c = 0; c < coupled_species.size(); ++c)
        if (fields.model(k).name == coupled_species[c])
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
        for (auto &v : d.values)
          v.resize(d.dofs.size());
        for (auto &l : d.loads)
          l.assign(d.dofs.size(), 0.);
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
        for (unsigned int c = 0; c < index.size(); ++c)
          if (index[c] >= 0)
            {
              double value = 0;
              for (unsigned int j = 0; j < n; ++j)
                value += phi[j] * d.values[c][j];
              (c == 0   ? values[i].calcium
               : c == 1 ? values[i].cholesterol
                        : values[i].cargo) = value;
            }
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
        // Calcium is not exchanged: cholesterol (load 0) and cargo (1).
        const std::array<double, 2> amount = {
          {index[1] >= 0 ? amounts[i].cholesterol : 0.,
           index[2] >= 0 ? amounts[i].cargo : 0.}};
        if (amount[0] == 0 && amount[1] == 0)
          continue;
        // The basis values sample() found at this site.
        const double *phi = sampled_phi.data() + i * n;
        CellData     &d   = cell_data(sites[i].cell);
        for (unsigned int l = 0; l < 2; ++l)
          if (amount[l] != 0)
            for (unsigned int j = 0; j < n; ++j)
              d.loads[l][j] += amount[l] * phi[j];
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
        for (unsigned int l = 0; l < 2; ++l)
          if (index[l + 1] >= 0)
            {
              for (unsigned int j = 0; j < d.dofs.size(); ++j)
                cell_amounts[lexicographic_to_hierarchic[j]] = d.loads[l][j];
              fields.add_point_amounts(index[l + 1], d.dofs, cell_amounts);
              std::fill(d.loads[l].begin(), d.loads[l].end(), 0.);
            }
        d.loaded = false;
      }
    loaded_cells.clear();
  }

  template class FiniteElementFields<2>;
  template class FiniteElementFields<3>;
} // namespace mvb
