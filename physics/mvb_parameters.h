#pragma once

#include <deal.II/base/parameter_handler.h>

#include <physics/coupled_species.h>

#include <array>
#include <cstdint>

namespace mvb::physics
{
  using dealii::ParameterHandler;

  /**
   * Perturbation factors g_* of physics/MODEL.md section 5 (subsection
   * "Perturbations"): 1 is the unperturbed cell, 0 a knock-out, 0.2 a
   * knock-down, 2 an over-expression.
   */
  struct PerturbationFactors
  {
    double rab27a       = 1; // docking
    double rab27b       = 1; // kinesin share on binding
    double cortactin    = 1; // actin binding and docking
    double snare        = 1; // fusion
    double syt7         = 1; // Ca2+ sensitivity of fusion
    double escrt        = 1; // ESCRT-dependent ILV formation
    double nsmase2      = 1; // ceramide-dependent ILV formation
    double isg          = 1; // ISGylation: lysosomal degradation, k_lys x
    double rab7_gap     = 1; // Rab7 inactivation
    double rab7_gef     = 1; // Rab7 activation
    double vatpase      = 1; // lysosomal degradation
    double autophagy    = 1; // autophagy: amphisome formation
    double microtubules = 1; // number of microtubules (0: nocodazole)
  };

  /**
   * Every rate and constant of the MVB model (physics/MODEL.md section 4), in
   * the subsections "MVB", "MVB/Motion", "MVB/Birth", "MVB/Transitions",
   * "MVB/Maturation", "MVB/Fusion", "MVB/Degradation", "MVB/Field
   * stand-ins" and "Perturbations". Units: um, s, uM; amounts uM um^3.
   */
  struct MvbParameters
  {
    static void
    declare_parameters(ParameterHandler &prm);

    /** Reads and cross-checks; throws mvb::InputError naming the entry. */
    void
    parse_parameters(ParameterHandler &prm);

    bool          enabled              = true;
    std::uint64_t seed                 = 1;
    unsigned int  steps_per_field_step = 5;
    unsigned int  initial_number       = 100;

    // Motion
    double diffusion_coefficient = 0.005; // um^2/s
    double kinesin_speed         = 0.8;   // um/s
    double dynein_speed          = 1.0;   // um/s
    double myosin_speed          = 0.2;   // um/s
    double docking_distance      = 0.2;   // um
    double membrane_clearance    = 0.05;  // um, centre to membrane
    // Free MVBs outside the cortex cannot enter it (model proposal, MODEL.md
    // section 9.1): only motors bring MVBs through the cortical actin.
    bool cortex_barrier = false;

    // Birth
    double birth_rate          = 0.1;   // 1/s per cell
    double birth_band_width    = 3;     // um from the nuclear envelope
    bool   births_follow_cargo = false; // density ~ u(x) instead of the band
    double initial_cholesterol = 0.3;   // chi_0: chi_LM = chi_0 h/h_ref
    double initial_rab7        = 0.3;   // r at birth

    // Transitions
    double microtubule_binding_rate   = 0.5;  // 1/s
    double dynein_weight              = 3;    // w_dyn
    double kinesin_weight             = 1;    // w_kin
    double switching_rate             = 0.1;  // 1/s, k_sw
    double microtubule_unbinding_rate = 0.1;  // 1/s
    double actin_binding_rate         = 0.5;  // 1/s
    double actin_unbinding_rate       = 0.05; // 1/s
    double docking_rate               = 0.1;  // 1/s
    double undocking_rate             = 0.05; // 1/s

    // Maturation
    double escrt_rate              = 0.1;    // ILVs/s
    double cargo_half_saturation   = 0.1;    // uM
    double ceramide_rate           = 0.05;   // ILVs/s
    double max_ilv                 = 100;    // N_max
    double cargo_per_ilv           = 0.001;  // uM um^3 per ILV at saturation
    double escrt_enrichment        = 1.5;    // epsilon_E
    double ceramide_enrichment     = 4;      // epsilon_C
    double cholesterol_uptake_rate = 0.002;  // 1/s
    double cholesterol_reference   = 1;      // uM
    double cholesterol_capacity    = 10;     // uM um^3 at chi_LM = 1
    double rab7_activation_rate    = 0.001;  // 1/s
    double rab7_cholesterol_gain   = 2;      // alpha
    double rab7_inactivation_rate  = 0.0005; // 1/s

    // Fusion
    double basal_fusion_rate       = 0.0002; // 1/s
    double calcium_sensitivity     = 0.3;    // a_Ca
    double calcium_hill_exponent   = 2;      // n
    double calcium_half_activation = 1;      // uM
    double calcium_reference       = 0.1;    // uM, c_ref
    double fusion_cholesterol_half = 0.3;    // chi*
    double fusion_cholesterol_hill = 4;      // m
    double amphisome_fusion_factor = 0;      // f_amph

    // Degradation
    double lysosome_rate              = 0.0015; // 1/s
    double lysosome_length            = 3;      // um, l_lys
    double lysosome_floor             = 0.05;   // L_min
    double autophagy_rate             = 0.0001; // 1/s
    double amphisome_degradation_rate = 0.002;  // 1/s

    // Field values MVBs see for a species that is switched off (uM), by
    // physics::CoupledSpecies.
    std::array<double, n_coupled_species> stand_in = {{0.1, 1, 0.1, 0}};

    PerturbationFactors perturbations;
  };
} // namespace mvb::physics
