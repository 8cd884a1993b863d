#pragma once

#include <solver/field_solver.h>
#include <solver/mvb_population.h>

#include <array>
#include <memory>
#include <vector>

namespace mvb
{
  /**
   * The two-way coupling of the finite element fields and the MVBs
   * (model.md sections 3 and 4).
   *
   * Fields -> MVBs: Ca2+, cholesterol and cargo are evaluated at each MVB
   * with FEPointEvaluation, from the cell and reference position the
   * particle handler keeps (no search: step-68's pattern). MVBs -> fields:
   * what an MVB put in or took out enters the coming field step as the
   * point load q phi_j(x) at the position it was sampled at (step-19's
   * pattern), so the field changes by exactly the amount the MVBs
   * exchanged. A species that is switched off is replaced by its stand-in
   * value (MVB/Field stand-ins) and exchanges nothing.
   */
  template <int dim>
  class FiniteElementFields : public FieldCoupling<dim>
  {
  public:
    FiniteElementFields(FieldSolver<dim>           &fields,
                        const physics::LocalFields &stand_ins);
    ~FiniteElementFields();

    void
    sample(const Particles::ParticleHandler<dim> &particles,
           std::vector<physics::LocalFields>     &values) override;

    void
    deposit(const Particles::ParticleHandler<dim>     &particles,
            const std::vector<physics::FieldExchange> &amounts) override;

    /** The species index of calcium, cholesterol, cargo; -1 if off. */
    const std::array<int, 3> &
    species_indices() const
    {
      return index;
    }

  private:
    struct CellRun;

    /**
     * Calls @p f(cell run) for each run of consecutive particles in the
     * same cell: the handler keeps the particles of a cell together.
     */
    template <typename F>
    void
    for_each_cell_run(const Particles::ParticleHandler<dim> &particles, F f);

    FieldSolver<dim>          &fields;
    const physics::LocalFields stand_ins;
    std::array<int, 3>         index; // calcium, cholesterol, cargo

    // Reused: no allocation per step.
    std::unique_ptr<CellRun> run;
  };
} // namespace mvb
