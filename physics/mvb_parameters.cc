#include <physics/mvb_parameters.h>
#include <solver/input_error.h>

#include <array>
#include <limits>
#include <string>
#include <vector>

namespace mvb::physics
{
  using dealii::Patterns::Bool;
  using dealii::Patterns::Double;
  using dealii::Patterns::Integer;

  namespace
  {
    // One real-valued entry: where it lives, its range, its meaning and
    // unit, and the member it sets. Declaration and parsing read the same
    // table, so the two cannot drift apart.
    struct RealEntry
    {
      const char *subsection;
      const char *name;
      double      default_value;
      double      minimum;
      double      maximum;
      const char *documentation;
      double MvbParameters::*member;
    };

    struct FactorEntry
    {
      const char *name;
      const char *documentation;
      double PerturbationFactors::*member;
    };

    constexpr double huge = 1e6;

    // The subsections of "MVB" that hold real-valued entries.
    constexpr std::array<const char *, 7> subsections = {{"Motion",
                                                          "Birth",
                                                          "Transitions",
                                                          "Maturation",
                                                          "Fusion",
                                                          "Degradation",
                                                          "Field stand-ins"}};

    const std::vector<RealEntry> &
    real_entries()
    {
      using P                                     = MvbParameters;
      static const std::vector<RealEntry> entries = {
        {"Motion",
         "Diffusion coefficient",
         0.05,
         0,
         100,
         "D_mvb of a free MVB (Brownian, reflected at the plasma membrane "
         "and nuclear envelope). Calibrated (model.md's textbook value is "
         "0.01): at 0.01 an MVB that undocks stays in the thin cortex of "
         "the spread cell's rim until it docks again, so release is limited "
         "by arrival, not by fusion, and Ca2+ cannot raise it; see "
         "scenarios/baseline-3d.md. Unit: um^2/s.",
         &P::diffusion_coefficient},
        {"Motion",
         "Kinesin speed",
         0.8,
         0,
         100,
         "v_kin towards the microtubule plus end (textbook). Unit: um/s.",
         &P::kinesin_speed},
        {"Motion",
         "Dynein speed",
         1.0,
         0,
         100,
         "v_dyn towards the microtubule minus end (textbook). Unit: um/s.",
         &P::dynein_speed},
        {"Motion",
         "Myosin speed",
         0.2,
         0,
         100,
         "v_myo along an actin filament towards its barbed end (textbook). "
         "Unit: um/s.",
         &P::myosin_speed},
        {"Motion",
         "Docking distance",
         0.2,
         0.001,
         10,
         "d_dock: an MVB docks only this close to the plasma membrane; also "
         "the depth of the TIRF-like 'near membrane' count. Unit: um.",
         &P::docking_distance},
        {"Motion",
         "Membrane clearance",
         0.05,
         0.001,
         1,
         "Closest approach of an MVB's centre to the plasma membrane and "
         "nuclear envelope (free MVBs are reflected there). Must exceed how "
         "far the curved mesh strays from its flat facets; the run checks. "
         "Unit: um.",
         &P::membrane_clearance},

        {"Birth",
         "Birth rate",
         0.1,
         0,
         huge,
         "k_birth, T1: new MVBs per second in the whole cell (000 [111]). "
         "Unit: 1/s.",
         &P::birth_rate},
        {"Birth",
         "Perinuclear band width",
         2,
         0.01,
         1000,
         "New MVBs appear within this distance of the nuclear envelope. "
         "Unit: um.",
         &P::birth_band_width},
        {"Birth",
         "Initial limiting-membrane cholesterol",
         0.2,
         0,
         1,
         "chi_LM of a new MVB. Unit: none (fraction 0-1).",
         &P::initial_cholesterol},
        {"Birth",
         "Initial Rab7 activity",
         0.2,
         0,
         1,
         "r of a new MVB. Unit: none (fraction 0-1).",
         &P::initial_rab7},

        {"Transitions",
         "Microtubule binding rate",
         1,
         0,
         huge,
         "k_on^MT, T2: binding of a free MVB within the capture radius of a "
         "microtubule (003 [80-83]). Unit: 1/s.",
         &P::microtubule_binding_rate},
        {"Transitions",
         "Dynein weight",
         2,
         0,
         huge,
         "w_dyn in the dynein share p_dyn = w_dyn r/(w_dyn r + w_kin "
         "g_Rab27b) on binding (Rab7-RILP recruits dynein, 001 [105-107]). "
         "Calibrated: 2 makes Rab7-rich (older) MVBs mostly bind dynein "
         "(p_dyn = 0.55 at r = 0.6) and new ones (r = 0.2) mostly kinesin. "
         "Unit: none.",
         &P::dynein_weight},
        {"Transitions",
         "Kinesin weight",
         1,
         0,
         huge,
         "w_kin in the dynein share on binding. Unit: none.",
         &P::kinesin_weight},
        {"Transitions",
         "Switching rate to dynein",
         0.1,
         0,
         huge,
         "k_switch, T3: kinesin -> dynein (tug of war as a velocity jump, "
         "001 [102,103]). Unit: 1/s.",
         &P::switching_to_dynein},
        {"Transitions",
         "Switching rate to kinesin",
         0.1,
         0,
         huge,
         "k_switch, T3: dynein -> kinesin; unequal rates bias the walk. "
         "Unit: 1/s.",
         &P::switching_to_kinesin},
        {"Transitions",
         "Microtubule unbinding rate",
         0.1,
         0,
         huge,
         "k_off^MT, T4: kinesin or dynein -> free. Unit: 1/s.",
         &P::microtubule_unbinding_rate},
        {"Transitions",
         "Actin binding rate",
         1,
         0,
         huge,
         "k_on^act, T5: a free MVB in the cortex binds an actin filament "
         "within the capture radius, times g_cortactin (000 [79]). Unit: "
         "1/s.",
         &P::actin_binding_rate},
        {"Transitions",
         "Actin unbinding rate",
         0.05,
         0,
         huge,
         "myosin -> free (not in model.md's table: without it an MVB on a "
         "filament far from the membrane could never leave). Unit: 1/s.",
         &P::actin_unbinding_rate},
        {"Transitions",
         "Docking rate",
         0.1,
         0,
         huge,
         "k_dock, T6: myosin or free MVB within the docking distance -> "
         "docked, times g_Rab27a g_cortactin (000 [83], 001 [108]). "
         "Calibrated with the undocking rate: MVBs spend about half their "
         "time at the membrane docked. Unit: 1/s.",
         &P::docking_rate},
        {"Transitions",
         "Undocking rate",
         0.1,
         0,
         huge,
         "k_undock, T7: docked -> free. Calibrated: an MVB docks about 10 s "
         "at a time, so that most docked MVBs leave again without fusing "
         "and a Ca2+ rise of the fusion rate shows in the release. Unit: "
         "1/s.",
         &P::undocking_rate},

        {"Maturation",
         "ESCRT ILV rate",
         2,
         0,
         huge,
         "k_ESCRT: ESCRT-dependent ILV formation at saturating cargo, "
         "times g_ESCRT (000 [31-38]). Calibrated with the ceramide rate: an "
         "MVB forms most of its N_max ILVs in its first minute, before it "
         "can reach the membrane, so that faster fusion does not release "
         "smaller MVBs. Unit: ILVs/s.",
         &P::escrt_rate},
        {"Maturation",
         "Cargo half-saturation",
         0.1,
         1e-9,
         huge,
         "K_u of the ESCRT route's cargo dependence u/(K_u + u). Unit: uM.",
         &P::cargo_half_saturation},
        {"Maturation",
         "Ceramide ILV rate",
         0.4,
         0,
         huge,
         "k_cer: ceramide (nSMase2)-dependent ILV formation, times "
         "g_nSMase2 (000 [47-49]). Unit: ILVs/s.",
         &P::ceramide_rate},
        {"Maturation",
         "Maximal ILV count",
         100,
         1,
         1e9,
         "N_max: ILV formation slows as (1 - N/N_max). Unit: ILVs.",
         &P::max_ilv},
        {"Maturation",
         "Cargo per ILV",
         0.001,
         0,
         huge,
         "Cargo an ILV takes from the cytosol at saturating cargo (times "
         "u/(K_u + u)). Unit: uM um^3.",
         &P::cargo_per_ilv},
        {"Maturation",
         "ILV cholesterol enrichment",
         2,
         1,
         1000,
         "epsilon >= 1: ILV membrane takes cholesterol from the limiting "
         "membrane at epsilon times its fraction (001 [107]). Unit: none.",
         &P::ilv_enrichment},
        {"Maturation",
         "Cholesterol uptake rate",
         0.01,
         0,
         huge,
         "k_chol in dchi_LM/dt = k_chol h/h_ref (1 - chi_LM). Unit: 1/s.",
         &P::cholesterol_uptake_rate},
        {"Maturation",
         "Cholesterol reference",
         1,
         1e-9,
         huge,
         "h_ref of the cholesterol uptake. Unit: uM.",
         &P::cholesterol_reference},
        {"Maturation",
         "Membrane cholesterol capacity",
         10,
         0,
         huge,
         "Amount of field cholesterol that fills an MVB's limiting membrane "
         "(chi_LM = 1): uptake takes it from the cholesterol field, "
         "degradation returns the MVB's cholesterol to it. Unit: uM um^3 "
         "(uM um^2 in 2D).",
         &P::cholesterol_capacity},
        {"Maturation",
         "Rab7 activation rate",
         0.01,
         0,
         huge,
         "k_7on in dr/dt = k_7on (1 + alpha chi_LM) g_GEF (1 - r) - k_7off "
         "g_GAP r (003 [84-86]). Unit: 1/s.",
         &P::rab7_activation_rate},
        {"Maturation",
         "Rab7 cholesterol gain",
         2,
         0,
         huge,
         "alpha: limiting-membrane cholesterol raises Rab7 recruitment "
         "(001 [105-107]). Unit: none.",
         &P::rab7_cholesterol_gain},
        {"Maturation",
         "Rab7 inactivation rate",
         0.02,
         0,
         huge,
         "k_7off of Rab7 (GAP activity). Unit: 1/s.",
         &P::rab7_inactivation_rate},

        {"Fusion",
         "Basal fusion rate",
         0.0015,
         0,
         huge,
         "k_f0, T8: docked -> fused at resting Ca2+ and full fusion "
         "competence, times g_SNARE (000 [94-97]). Calibrated: a docked MVB "
         "fuses in about 1 of 70 dockings at rest (k_f0/(k_f0 + "
         "k_undock)), giving a secreted share of about 6 % and room for the "
         "3-10-fold Ca2+ rise of release (scenarios/baseline-3d.md). Unit: "
         "1/s.",
         &P::basal_fusion_rate},
        {"Fusion",
         "Calcium sensitivity",
         0.1,
         0,
         1,
         "a_Ca in S(c) = (1 - a_Ca) + a_Ca H(c)/H(c_rest), times g_syt7 "
         "(synaptotagmin-7, 000 [34,102-104]); S(c_rest) = 1. Unit: none.",
         &P::calcium_sensitivity},
        {"Fusion",
         "Calcium Hill exponent",
         2,
         0.1,
         10,
         "n of H(c) = c^n/(K_Ca^n + c^n). Unit: none.",
         &P::calcium_hill_exponent},
        {"Fusion",
         "Calcium half-activation",
         1,
         1e-9,
         huge,
         "K_Ca of H(c). Unit: uM.",
         &P::calcium_half_activation},
        {"Fusion",
         "Cholesterol half-competence",
         0.3,
         1e-9,
         1,
         "chi* of Phi(chi_ILV) = chi^m/(chi*^m + chi^m): cholesterol-rich "
         "MVBs fuse (000 [17]). Unit: none.",
         &P::fusion_cholesterol_half},
        {"Fusion",
         "Cholesterol Hill exponent",
         4,
         0.1,
         20,
         "m of Phi. Unit: none.",
         &P::fusion_cholesterol_hill},

        {"Degradation",
         "Lysosome rate",
         0.02,
         0,
         huge,
         "k_lys, T9: fusion with lysosomes in the perinuclear zone, times "
         "r (1 + g_ISG) g_V-ATPase (000 [77,105]). Unit: 1/s.",
         &P::lysosome_rate},
        {"Degradation",
         "Lysosome zone width",
         2,
         0,
         1000,
         "Degradation happens within this distance of the nuclear envelope. "
         "Unit: um.",
         &P::lysosome_zone_width},
        {"Degradation",
         "Autophagy rate",
         0.001,
         0,
         huge,
         "k_auto: autophagic degradation in the same zone, times "
         "g_autophagy (000 [112-116]). Unit: 1/s.",
         &P::autophagy_rate},

        {"Field stand-ins",
         "Calcium",
         0.1,
         0,
         huge,
         "Ca2+ seen by every MVB when Species/Calcium is switched off. "
         "Unit: uM.",
         &P::stand_in_calcium},
        {"Field stand-ins",
         "Cholesterol",
         1,
         0,
         huge,
         "Cholesterol seen by every MVB when Species/Cholesterol is "
         "switched off (the MVBs then exchange nothing with it). Unit: uM.",
         &P::stand_in_cholesterol},
        {"Field stand-ins",
         "Cargo",
         0.1,
         0,
         huge,
         "Cargo seen by every MVB when Species/Cargo is switched off (the "
         "MVBs then exchange nothing with it). Unit: uM.",
         &P::stand_in_cargo},
      };
      return entries;
    }

    const std::vector<FactorEntry> &
    factor_entries()
    {
      using F                                       = PerturbationFactors;
      static const std::vector<FactorEntry> entries = {
        {"Rab27a", "g_27a: scales docking (000 [83]).", &F::rab27a},
        {"Rab27b", "g_27b: scales the kinesin share on binding.", &F::rab27b},
        {"Cortactin",
         "g_cortactin: scales actin binding and docking (000 [79]).",
         &F::cortactin},
        {"SNARE",
         "g_SNARE: scales fusion (VAMP7, YKT6, 000 [94-97]).",
         &F::snare},
        {"Synaptotagmin-7",
         "g_syt7: scales the Ca2+ sensitivity a_Ca (000 [34]).",
         &F::syt7},
        {"ESCRT",
         "g_ESCRT: scales ESCRT-dependent ILV formation (Hrs, "
         "000 [31-34]).",
         &F::escrt},
        {"nSMase2",
         "g_nSMase2: scales ceramide-dependent ILV formation (000 [47-49]).",
         &F::nsmase2},
        {"ISGylation",
         "g_ISG: lysosome rate times (1 + g_ISG) (000 [77]).",
         &F::isg},
        {"Rab7 GAP",
         "g_GAP: scales Rab7 inactivation (003 [84]).",
         &F::rab7_gap},
        {"Rab7 GEF",
         "g_GEF: scales Rab7 activation (003 [85,86]).",
         &F::rab7_gef},
        {"V-ATPase",
         "g_VATPase: scales lysosomal degradation (000 [105]).",
         &F::vatpase},
        {"Autophagy",
         "g_autophagy: scales autophagic degradation (000 [113]).",
         &F::autophagy},
        {"Microtubules",
         "g_MT: scales the number of generated microtubules, "
         "MVB/Tracks/Number of microtubules, rounded to a whole number "
         "(0: depolymerised by nocodazole, 000 [34,49,78]).",
         &F::microtubules},
      };
      return entries;
    }
  } // namespace

  void
  MvbParameters::declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("MVB");
    {
      prm.declare_entry("Enable",
                        "true",
                        Bool(),
                        "Simulate MVBs (false: fields only). Unit: none.");
      prm.declare_entry("Random seed",
                        "1",
                        Integer(0),
                        "Global seed: every random number (track network, "
                        "births, motion, transitions) is a function of it, "
                        "the MVB id, the step and the purpose, so a run is "
                        "reproduced exactly on any number of MPI ranks. "
                        "Replicates differ in this seed. Unit: none.");
      prm.declare_entry("Steps per field step",
                        "5",
                        Integer(1, 10000),
                        "MVB time steps per field time step: MVBs step with "
                        "Time stepping/Time step divided by this. Unit: "
                        "none.");
      prm.declare_entry("Initial number",
                        "20",
                        Integer(0, 10000000),
                        "MVBs present at the start time, placed like new "
                        "ones (perinuclear band). Unit: none.");
      for (const char *subsection : subsections)
        {
          prm.enter_subsection(subsection);
          for (const auto &e : real_entries())
            if (std::string(e.subsection) == subsection)
              prm.declare_entry(e.name,
                                to_text(e.default_value),
                                Double(e.minimum, e.maximum),
                                e.documentation);
          prm.leave_subsection();
        }
    }
    prm.leave_subsection();

    prm.enter_subsection("Perturbations");
    for (const auto &e : factor_entries())
      prm.declare_entry(e.name,
                        "1",
                        Double(0, 1000),
                        std::string(e.documentation) +
                          " 1: unperturbed, 0: knock-out, 0.2: knock-down, "
                          "2: over-expression. Unit: none.");
    prm.leave_subsection();
  }

  void
  MvbParameters::parse_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("MVB");
    enabled              = prm.get_bool("Enable");
    seed                 = std::stoull(prm.get("Random seed"));
    steps_per_field_step = prm.get_integer("Steps per field step");
    initial_number       = prm.get_integer("Initial number");
    for (const char *subsection : subsections)
      {
        prm.enter_subsection(subsection);
        for (const auto &e : real_entries())
          if (std::string(e.subsection) == subsection)
            this->*(e.member) = prm.get_double(e.name);
        prm.leave_subsection();
      }
    prm.leave_subsection();

    prm.enter_subsection("Perturbations");
    for (const auto &e : factor_entries())
      perturbations.*(e.member) = prm.get_double(e.name);
    prm.leave_subsection();

    if (calcium_sensitivity * perturbations.syt7 > 1)
      throw InputError("Perturbations/Synaptotagmin-7",
                       to_text(perturbations.syt7),
                       "makes g_syt7 a_Ca = " +
                         to_text(calcium_sensitivity * perturbations.syt7) +
                         " > 1, so the fusion rate would be negative at low "
                         "Ca2+",
                       "keep g_syt7 * MVB/Fusion/Calcium sensitivity <= 1");
  }
} // namespace mvb::physics
