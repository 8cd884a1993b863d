#pragma once

#include <deal.II/base/function.h>
#include <deal.II/base/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace mvb::physics
{
  using namespace dealii;

  /**
   * Exchange of one species across one boundary part, as the weak form sees
   * it: the inward normal flux is
   *   -D grad(u).n = -inward_flux(x,t) + transfer_coefficient (u - exterior),
   * i.e. a prescribed inward flux plus a Robin exchange with an exterior
   * reservoir. Units: flux uM um/s, transfer coefficient um/s.
   */
  template <int dim>
  struct BoundaryExchange
  {
    types::boundary_id boundary = 0;

    /** Column name of the amount that crossed this boundary. */
    std::string name;

    /** Inward flux; null for none. Its time is set before each use. */
    std::shared_ptr<Function<dim>> inward_flux;

    /** True if inward_flux depends on t only (no quadrature needed). */
    bool flux_uniform_in_space = true;

    double transfer_coefficient = 0;
    double exterior_value       = 0;
  };

  /**
   * A saturable sink s(u) (the Ca2+ pump). Only its value and an upper
   * bound of its slope s'(u) on u >= 0 are needed: the time stepper treats
   * it linearly implicitly with that bound as a constant stabilisation (see
   * solver/field_solver.cc).
   */
  struct SaturableSink
  {
    std::function<double(double)> rate;
    double                        max_slope = 0;
  };

  /**
   * One reaction-diffusion species, written as
   *   du/dt = D lap(u) - decay_rate u + constant_source - sink(u)
   *           + volume_source(x,t)
   * in the cytoplasm, with BoundaryExchange terms on boundary parts. The
   * description is pure mathematics: the solver never needs to know which
   * molecule it is.
   */
  template <int dim>
  struct SpeciesModel
  {
    /** Field name in the output ("calcium"). */
    std::string name;

    /** Physical unit of the field, for messages and docs. */
    std::string unit = "uM";

    double diffusion_coefficient = 0;
    double decay_rate            = 0;
    double constant_source       = 0;

    /** Optional nonlinear sink (rate null: none). */
    SaturableSink sink;

    /** Optional volume source, for manufactured solutions (null: none). */
    std::shared_ptr<Function<dim>> volume_source;

    std::vector<BoundaryExchange<dim>> boundaries;

    /** Initial value u(x, t0). */
    std::shared_ptr<Function<dim>> initial_value;

    /**
     * The input entry of the initial value. If set, the field is a
     * concentration, and an initial value below zero at a node of the mesh
     * is an input error that names it.
     */
    std::string initial_value_entry;

    /** Column name of the net amount made by the volume terms. */
    std::string reaction_name = "reactions";

    /**
     * Which of the MVBs' coupled species this field is
     * (physics::CoupledSpecies as a number), or -1 for a field the MVBs
     * do not see (a manufactured solution). Only the coupling reads it.
     */
    int coupled_species = -1;

    bool
    has_volume_quadrature_terms() const
    {
      return sink.rate || volume_source;
    }
  };
} // namespace mvb::physics
