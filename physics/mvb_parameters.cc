#include <physics/mvb_parameters.h>
#include <solver/input_error.h>

#include <array>
#include <cctype>
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

    // "Calcium", "Cholesterol", ...: a species' entry in "Field stand-ins".
    std::string
    species_entry_name(const CoupledSpeciesInfo &species)
    {
      std::string name = species.name;
      name[0]          = static_cast<char>(std::toupper(name[0]));
      return name;
    }

    // The subsections of "MVB" that hold real-valued entries.
    constexpr std::array<const char *, 6> subsections = {{"Motion",
                                                          "Birth",
                                                          "Transitions",
                                                          "Maturation",
                                                          "Fusion",
                                                          "Degradation"}};

    // Default stand-in values of the coupled species (uM), by
    // CoupledSpecies.
    constexpr std::array<double, n_coupled_species> default_stand_in = {
      {0.1, 1, 0.1, 0}};

    const std::vector<RealEntry> &
    real_entries()
    {
      using P                                     = MvbParameters;
      static const std::vector<RealEntry> entries = {
        {"Motion",
         "Diffusion coefficient",
         0.01,
         0,
         100,
         "D_mvb of a free MVB (Brownian, reflected at the plasma membrane and "
         "nuclear envelope). Organelles of 0.25-1 um barely diffuse in crowded "
         "cytoplasm: textbook range 0.001-0.01, so that MVBs reach the "
         "membrane on motors (physics/MODEL.md section 4). Unit: um^2/s.",
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
         "k_birth, T1: new MVBs per second in the whole cell (004; 000 [111]). "
         "Unit: 1/s.",
         &P::birth_rate},
        {"Birth",
         "Perinuclear band width",
         3,
         0.01,
         1000,
         "With Birth distribution = perinuclear, new MVBs appear within this "
         "distance of the nuclear envelope, never in the cortex (MVBs mature "
         "from endosomes while moving inward, 004). Unit: um.",
         &P::birth_band_width},
        {"Birth",
         "Initial limiting-membrane cholesterol",
         0.3,
         0,
         1,
         "chi_0: a new MVB's limiting membrane takes chi_LM = min(1, chi_0 "
         "h/h_ref) from the cholesterol field h at its position (h_ref: "
         "Maturation/Cholesterol reference). Unit: none (fraction 0-1).",
         &P::initial_cholesterol},
        {"Birth",
         "Initial Rab7 activity",
         0.3,
         0,
         1,
         "r of a new MVB (Rab5 -> Rab7 conversion has just begun). Unit: none "
         "(fraction 0-1).",
         &P::initial_rab7},
        {"Transitions",
         "Microtubule binding rate",
         0.98,
         0,
         huge,
         "k_on^MT, T2: binding of a free MVB within the capture radius of a "
         "microtubule (003 [80-83]). Unit: 1/s.",
         &P::microtubule_binding_rate},
        {"Transitions",
         "Dynein weight",
         4,
         0,
         huge,
         "w_dyn in the dynein share p_dyn(r) = w_dyn r/(w_dyn r + w_kin "
         "g_Rab27b), which chooses the motor on binding (T2) and biases every "
         "switch (T3): Rab7-RILP recruits dynein (001 [105-107]). Unit: none.",
         &P::dynein_weight},
        {"Transitions",
         "Kinesin weight",
         1,
         0,
         huge,
         "w_kin in the dynein share p_dyn(r). Unit: none.",
         &P::kinesin_weight},
        {"Transitions",
         "Switching rate",
         0.1,
         0,
         huge,
         "k_sw, T3: kinesin -> dynein at k_sw p_dyn(r) and dynein -> kinesin "
         "at k_sw (1 - p_dyn(r)), so that Rab7-low MVBs run out and Rab7-high "
         "MVBs come back (001 [102,103], 003 [82,83]). Unit: 1/s.",
         &P::switching_rate},
        {"Transitions",
         "Microtubule unbinding rate",
         0.1,
         0,
         huge,
         "k_off^MT, T4: kinesin or dynein -> free. Unit: 1/s.",
         &P::microtubule_unbinding_rate},
        {"Transitions",
         "Actin binding rate",
         0.5,
         0,
         huge,
         "k_on^act, T5: a free MVB in the cortex binds an actin filament "
         "within the capture radius, times g_cortactin (000 [79]). Unit: 1/s.",
         &P::actin_binding_rate},
        {"Transitions",
         "Actin unbinding rate",
         0.05,
         0,
         huge,
         "myosin -> free (without it an MVB on a filament far from the "
         "membrane could never leave). Unit: 1/s.",
         &P::actin_unbinding_rate},
        {"Transitions",
         "Docking rate",
         0.13,
         0,
         huge,
         "k_dock, T6: myosin or free MVB within the docking distance -> "
         "docked, times g_Rab27a g_cortactin (000 [83], 001 [108]). Unit: 1/s.",
         &P::docking_rate},
        {"Transitions",
         "Undocking rate",
         0.05,
         0,
         huge,
         "k_undock, T7: docked -> free; docked dwells of tens of seconds to "
         "minutes. Unit: 1/s.",
         &P::undocking_rate},
        {"Maturation",
         "ESCRT ILV rate",
         0.1,
         0,
         huge,
         "k_ESCRT in dN_E/dt = k_ESCRT g_ESCRT u/(K_u + u) (1 - N/N_max): "
         "ESCRT-dependent ILV formation (000 [31-38]). With the ceramide rate "
         "it sets the ILV time scale N_max/(k_ESCRT + k_cer), tens of minutes. "
         "Unit: ILVs/s.",
         &P::escrt_rate},
        {"Maturation",
         "Cargo half-saturation",
         0.1,
         1e-9,
         huge,
         "K_u of the ESCRT route's cargo dependence u/(K_u + u); also how much "
         "cargo an ILV takes. Unit: uM.",
         &P::cargo_half_saturation},
        {"Maturation",
         "Ceramide ILV rate",
         0.05,
         0,
         huge,
         "k_cer in dN_C/dt = k_cer g_nSMase2 (1 - N/N_max): ceramide "
         "(nSMase2)-dependent ILV formation (000 [47-49]). Unit: ILVs/s.",
         &P::ceramide_rate},
        {"Maturation",
         "Maximal ILV count",
         100,
         1,
         1e9,
         "N_max: ILV formation slows as (1 - N/N_max), N = N_E + N_C. Unit: "
         "ILVs.",
         &P::max_ilv},
        {"Maturation",
         "Cargo per ILV",
         0.001,
         0,
         huge,
         "Cargo (and label, by its share of the local cargo) an ILV of either "
         "route takes from the cytosol at saturating cargo, times u/(K_u + u). "
         "Unit: uM um^3.",
         &P::cargo_per_ilv},
        {"Maturation",
         "ESCRT ILV cholesterol enrichment",
         1.5,
         1,
         1000,
         "epsilon_E >= 1: an ESCRT ILV takes limiting-membrane cholesterol at "
         "epsilon_E times its fraction. Unit: none.",
         &P::escrt_enrichment},
        {"Maturation",
         "Ceramide ILV cholesterol enrichment",
         4,
         1,
         1000,
         "epsilon_C: ceramide/raft budding is cholesterol-rich (002 "
         "[12-14,31]), so the ceramide route raises chi_ILV (fusion "
         "competence) and lowers chi_LM (and with it Rab7). Unit: none.",
         &P::ceramide_enrichment},
        {"Maturation",
         "Cholesterol uptake rate",
         0.002,
         0,
         huge,
         "k_chol in dchi_LM/dt = k_chol h/h_ref (1 - chi_LM), a point sink on "
         "the cholesterol field (000 [17,100,101]). Unit: 1/s.",
         &P::cholesterol_uptake_rate},
        {"Maturation",
         "Cholesterol reference",
         1,
         1e-9,
         huge,
         "h_ref of the cholesterol uptake and of a newborn's cholesterol. "
         "Unit: uM.",
         &P::cholesterol_reference},
        {"Maturation",
         "Membrane cholesterol capacity",
         10,
         0,
         huge,
         "Amount of field cholesterol that fills an MVB's limiting membrane "
         "(chi_LM = 1): birth and uptake take it from the cholesterol field, "
         "degradation returns the MVB's cholesterol to it. Unit: uM um^3 (uM "
         "um^2 in 2D).",
         &P::cholesterol_capacity},
        {"Maturation",
         "Rab7 activation rate",
         0.001,
         0,
         huge,
         "k_7on in dr/dt = k_7on (1 + alpha chi_LM) g_GEF (1 - r) - k_7off "
         "g_GAP r (003 [84-86]); Rab5 -> Rab7 conversion takes tens of "
         "minutes. Unit: 1/s.",
         &P::rab7_activation_rate},
        {"Maturation",
         "Rab7 cholesterol gain",
         2,
         0,
         huge,
         "alpha: limiting-membrane cholesterol raises Rab7 recruitment (001 "
         "[105-107]). Unit: none.",
         &P::rab7_cholesterol_gain},
        {"Maturation",
         "Rab7 inactivation rate",
         0.0005,
         0,
         huge,
         "k_7off of Rab7 (GAP activity). Unit: 1/s.",
         &P::rab7_inactivation_rate},
        {"Fusion",
         "Basal fusion rate",
         9.4e-05,
         0,
         huge,
         "k_f0, T8: docked -> fused at c = c_ref and full fusion competence, "
         "times g_SNARE (000 [94-97]). Unit: 1/s.",
         &P::basal_fusion_rate},
        {"Fusion",
         "Calcium sensitivity",
         0.3,
         0,
         1,
         "a_Ca in S(c) = (1 - a) + a H(c)/H(c_ref), a = a_Ca g_syt7 "
         "(synaptotagmin-7, 000 [34,102-104]). Docked MVBs sit in the basal "
         "Ca2+ microdomain, so S > 1 at rest and g_syt7 acts on resting "
         "release. Unit: none.",
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
         0.87,
         1e-9,
         huge,
         "K_Ca of H(c). Unit: uM.",
         &P::calcium_half_activation},
        {"Fusion",
         "Calcium reference",
         0.1,
         1e-9,
         huge,
         "c_ref, where S(c_ref) = 1: a fixed reference, by default the bulk "
         "resting Ca2+ (Species/Calcium/Resting concentration). Unit: uM.",
         &P::calcium_reference},
        {"Fusion",
         "Cholesterol half-competence",
         0.3,
         1e-9,
         1,
         "chi* of Phi(chi_ILV) = chi^m/(chi*^m + chi^m): cholesterol-rich MVBs "
         "fuse (000 [17]). Unit: none.",
         &P::fusion_cholesterol_half},
        {"Fusion",
         "Cholesterol Hill exponent",
         4,
         0.1,
         20,
         "m of Phi. Unit: none.",
         &P::fusion_cholesterol_hill},
        {"Fusion",
         "Amphisome fusion factor",
         0,
         0,
         1000,
         "f_amph: an amphisome's fusion rate is the MVB's times f_amph (000 "
         "[120]); 0: amphisomes do not fuse with the plasma membrane, > 0 lets "
         "autophagy induction raise release (004 [204]). Unit: none.",
         &P::amphisome_fusion_factor},
        {"Degradation",
         "Lysosome rate",
         0.00054,
         0,
         huge,
         "k_lys, T9: an MVB (not docked, not an amphisome) fuses with "
         "lysosomes at k_lys L(x) r g_ISG g_V-ATPase (000 [77,105], 001 "
         "[94-101]). Unit: 1/s.",
         &P::lysosome_rate},
        {"Degradation",
         "Lysosome length",
         3,
         1e-3,
         1000,
         "l_lys: the lysosome density L(x) = L_min + (1 - L_min) exp(-d/l_lys) "
         "decays over this distance d from the MTOC and the nucleus (003 "
         "[82]). Unit: um.",
         &P::lysosome_length},
        {"Degradation",
         "Lysosome floor",
         0.05,
         1e-6,
         1,
         "L_min > 0 of L(x): lysosomes exist everywhere in the cell. Unit: "
         "none.",
         &P::lysosome_floor},
        {"Degradation",
         "Autophagy rate",
         0.0001,
         0,
         huge,
         "k_auto, T10: a cell-wide hazard of an MVB (not docked) being "
         "captured by an autophagosome into an amphisome, times g_autophagy "
         "(000 [112,113], 002 [51]). Unit: 1/s.",
         &P::autophagy_rate},
        {"Degradation",
         "Amphisome degradation rate",
         0.002,
         0,
         huge,
         "k_amph: an amphisome is degraded at k_amph L(x) g_V-ATPase (000 "
         "[112-116]). Unit: 1/s.",
         &P::amphisome_degradation_rate},
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
         "g_ISG: multiplies the lysosome rate k_lys (000 [77]).",
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
         "g_autophagy: scales the autophagy hazard k_auto, the rate at "
         "which MVBs become amphisomes (000 [113], 002 [51]).",
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
                        "100",
                        Integer(0, 10000000),
                        "MVBs present at the start time, placed and made "
                        "like newborn ones; about k_birth times the MVB "
                        "lifetime is the stationary number, so a warm-up "
                        "of a few lifetimes follows. Unit: none.");
      for (const char *subsection : subsections)
        {
          prm.enter_subsection(subsection);
          for (const auto &e : real_entries())
            if (std::string(e.subsection) == subsection)
              prm.declare_entry(e.name,
                                to_text(e.default_value),
                                Double(e.minimum, e.maximum),
                                e.documentation);
          if (std::string(subsection) == "Motion")
            prm.declare_entry(
              "Cortex barrier",
              "true",
              Bool(),
              "Free MVBs outside the cortex are reflected at its inner "
              "surface, as by the cortical actin "
              "meshwork, so that only a kinesin run (handed on to myosin at "
              "its plus end) brings an MVB into the cortex and to docking "
              "(000 [34,49,78,79], 001 [108]). MVBs inside the cortex "
              "(undocked, or let go by a motor) move freely and may leave "
              "it (physics/MODEL.md section 4.2; false: model version 2 "
              "as first specified). Unit: none.");
          if (std::string(subsection) == "Birth")
            prm.declare_entry(
              "Birth distribution",
              "perinuclear",
              dealii::Patterns::Selection("perinuclear|cargo"),
              "Where new MVBs appear, never in the cortex: 'perinuclear' "
              "within the perinuclear band width of the nuclear envelope; "
              "'cargo' anywhere in the cytoplasm with a density "
              "proportional to the cargo u(x) (endosomes form where cargo "
              "was taken up, 004). Unit: none.");
          prm.leave_subsection();
        }
      prm.enter_subsection("Field stand-ins");
      for (const auto &species : coupled_species_table)
        prm.declare_entry(
          species_entry_name(species),
          to_text(default_stand_in[static_cast<unsigned int>(species.species)]),
          Double(0, huge),
          std::string("The ") + species.name +
            " concentration every MVB sees when its field is switched off "
            "(the MVBs then exchange nothing with it). Unit: uM.");
      prm.leave_subsection();
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
        if (std::string(subsection) == "Motion")
          cortex_barrier = prm.get_bool("Cortex barrier");
        if (std::string(subsection) == "Birth")
          births_follow_cargo = prm.get("Birth distribution") == "cargo";
        prm.leave_subsection();
      }
    prm.enter_subsection("Field stand-ins");
    for (const auto &species : coupled_species_table)
      stand_in[static_cast<unsigned int>(species.species)] =
        prm.get_double(species_entry_name(species));
    prm.leave_subsection();
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
