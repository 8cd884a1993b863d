#pragma once

#include <physics/species_model.h>

#include <deal.II/base/parameter_handler.h>

#include <string>
#include <vector>

namespace mvb::physics
{
  /**
   * Free cytosolic Ca2+ (subsection "Species/Calcium"), physics/MODEL.md
   * section 3: dc/dt = D_c lap(c) - V_p c^2/(K_p^2 + c^2) + L_c, L_c = V_p
   * c_rest^2/(K_p^2 + c_rest^2) so that c = c_rest is steady; inward flux
   * j_Ca(t) on the plasma membrane, none on the nuclear envelope.
   */
  struct CalciumParameters
  {
    bool        enabled                = true;
    double      diffusion_coefficient  = 20;  // um^2/s
    double      resting_concentration  = 0.1; // uM
    double      pump_maximal_rate      = 2;   // uM/s
    double      pump_half_saturation   = 0.2; // uM
    std::string plasma_membrane_influx = "0"; // uM um/s, of t
    double      basal_influx           = 1.5; // uM um/s, j_basal
    // Perturbations/Calcium ionophore: a step of inward flux added to the
    // plasma membrane influx from the start time on.
    double      ionophore_influx      = 0; // uM um/s
    double      ionophore_start       = 0; // s
    std::string initial_concentration = "c_rest";

    /** Leak L_c that balances the pump at rest (uM/s). */
    double
    leak_rate() const;

    /** The pump V_p c^2/(K_p^2 + c^2) (uM/s), odd in c. */
    double
    pump_rate(double c) const;

    /** The pump's slope at c_rest (1/s): the linearised decay rate. */
    double
    pump_slope_at_rest() const;

    /**
     * The resting Ca2+ under a flat plasma membrane, from the linearised
     * problem D c'' = k (c - c_rest), -D c'(0) = j_basal, on a half line:
     * c_rest + j_basal / sqrt(D k), decaying over sqrt(D/k).
     */
    double
    resting_membrane_estimate() const;
  };

  /**
   * Transferable cholesterol (subsection "Species/Cholesterol"):
   *   dh/dt = D_h lap(h),
   * ER synthesis flux j_syn(t) into the cytoplasm on the nuclear envelope,
   * Robin exchange -D_h grad(h).n = k_PM (h - g_chol h_PM) on the plasma
   * membrane.
   */
  struct CholesterolParameters
  {
    bool   enabled                       = true;
    double diffusion_coefficient         = 1;   // um^2/s
    double plasma_membrane_concentration = 1;   // uM
    double plasma_membrane_exchange_rate = 0.1; // um/s
    // Perturbations/Plasma membrane cholesterol: g_chol multiplies h_PM
    // (loading > 1, depletion < 1).
    double      loading_factor        = 1;
    std::string synthesis_flux        = "0.01";
    std::string initial_concentration = "h_PM";
  };

  /**
   * Endocytosed, ILV-sortable cargo (subsection "Species/Cargo"):
   *   du/dt = D_u lap(u) - k_rec u,
   * inward endocytic flux j_endo(t) on the plasma membrane.
   */
  struct CargoParameters
  {
    bool        enabled               = true;
    double      diffusion_coefficient = 0.5;   // um^2/s
    double      recycling_rate        = 0.005; // 1/s
    std::string endocytic_flux        = "0.005";
    std::string initial_concentration = "0";
  };

  /**
   * Labelled cargo (subsection "Species/Label"), a pulse-chase tracer: the
   * cargo's equation and coefficients, with inward flux j_endo(t) p(t) on
   * the plasma membrane; MVBs load it in proportion to its share of the
   * local cargo.
   */
  struct LabelParameters
  {
    bool        enabled               = false;
    std::string pulse                 = "(t >= 0) * (t < 600)";
    std::string initial_concentration = "0";
  };

  /**
   * The fields of physics/MODEL.md section 3, subsection "Species".
   */
  struct SpeciesParameters
  {
    static void
    declare_parameters(ParameterHandler &prm);

    /**
     * Reads the subsection and checks every expression for the run's
     * @p dimension at @p start_time; throws mvb::InputError naming the entry.
     */
    void
    parse_parameters(ParameterHandler &prm,
                     unsigned int      dimension,
                     double            start_time);

    /** The enabled species as models for the solver, in a fixed order. */
    template <int dim>
    std::vector<SpeciesModel<dim>>
    create_models(double start_time) const;

    /**
     * Times (s) at which a forcing built into the model jumps: the Ca2+
     * ionophore's start, if there is one. Jumps in the expressions of t
     * are the user's to list (Time stepping/Event times).
     */
    std::vector<double>
    jump_times() const;

    CalciumParameters     calcium;
    CholesterolParameters cholesterol;
    CargoParameters       cargo;
    LabelParameters       label;
  };
} // namespace mvb::physics
