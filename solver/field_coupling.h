#pragma once

#include <mesh/cell_locator.h>
#include <mesh/tensor_product_lagrange.h>
#include <solver/field_solver.h>
#include <solver/mvb_population.h>

#include <array>
#include <vector>

namespace mvb
{
  /**
   * The two-way coupling of the finite element fields and the MVBs
   * (physics/MODEL.md sections 3 and 4).
   *
   * Fields -> MVBs: every coupled species (physics::coupled_species_table)
   * is evaluated at each MVB
   * from its site, the cell and reference point the population keeps
   * current (no search: step-68's pattern), with the FE_Q basis evaluated
   * at that point. A cell's nodal values are read once per field step, the
   * first time an MVB in it asks. MVBs -> fields: what an MVB put in or
   * took out enters the coming field step as the point load q phi_j(x) at
   * the site it was sampled at (step-19's pattern), so the field changes
   * by exactly the amount the MVBs exchanged; the loads of a field step are
   * summed per cell and handed to the field solver once, in finish(). A
   * species that is switched off is replaced by its stand-in value
   * (MVB/Field stand-ins) and exchanges nothing.
   */
  template <int dim>
  class FiniteElementFields : public FieldCoupling<dim>
  {
  public:
    /** @p cells: the population's locator, whose cell numbers sites use. */
    FiniteElementFields(FieldSolver<dim>             &fields,
                        const mesh::CellLocator<dim> &cells,
                        const physics::LocalFields   &stand_ins);

    bool
    uses_sites() const override;

    void
    sample(const std::vector<MvbSite<dim>>   &sites,
           std::vector<physics::LocalFields> &values) override;

    void
    deposit(const std::vector<MvbSite<dim>>           &sites,
            const std::vector<physics::FieldExchange> &amounts) override;

    void
    finish() override;

    void
    values_at(const std::vector<Point<dim>>     &points,
              std::vector<physics::LocalFields> &values) override;

    /** The field of each coupled species (physics::CoupledSpecies), -1 if
     * it is off. */
    const std::array<int, physics::n_coupled_species> &
    species_indices() const
    {
      return index;
    }

  private:
    /** What the coupling keeps of one local cell, once an MVB was in it. */
    struct CellData
    {
      std::vector<types::global_dof_index> dofs; // the element's order
      // Nodal values of each coupled species that is on (lexicographic),
      // read at field step `step`.
      std::array<std::vector<double>, physics::n_coupled_species> values;
      unsigned int step = numbers::invalid_unsigned_int;
      // Loads of each exchanged species (lexicographic) since finish().
      std::array<std::vector<double>, physics::n_coupled_species> loads;
      bool loaded = false;
    };

    /** The cell's data, its nodal values current. */
    CellData &
    cell_data(unsigned int cell);

    /** The fields that are on at a point of a cell whose basis functions
     * there are @p phi (the other entries of @p values stay). */
    void
    interpolate(const CellData       &d,
                const double         *phi,
                physics::LocalFields &values) const;

    FieldSolver<dim>             &fields;
    const mesh::CellLocator<dim> &cells;
    const physics::LocalFields    stand_ins;
    // The field of each coupled species, -1 if off.
    std::array<int, physics::n_coupled_species> index;

    mesh::TensorProductLagrange<dim> shape;
    std::vector<unsigned int>        lexicographic_to_hierarchic;
    std::vector<CellData>            data; // by local cell, filled lazily
    std::vector<unsigned int>        loaded_cells;

    // The basis functions at every site of the last sample(), site by
    // site: deposit() loads at those sites. Reused: no allocation per step.
    std::vector<double>                  sampled_phi;
    std::vector<types::global_dof_index> hierarchic_dofs;
    Vector<double>                       cell_amounts;
  };
} // namespace mvb
