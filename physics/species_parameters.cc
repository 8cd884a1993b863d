#include <mesh/boundary_ids.h>
#include <physics/coupled_species.h>
#include <physics/expression.h>
#include <physics/species_parameters.h>
#include <solver/input_error.h>

#include <cmath>

namespace mvb::physics
{
  using Patterns::Anything;
  using Patterns::Bool;
  using Patterns::Double;

  namespace
  {
    void
    require_positive(const double value, const std::string &path)
    {
      if (!(value > 0))
        throw InputError(path,
                         to_text(value),
                         "must be positive",
                         "give a value > 0");
    }

    // Every species reports what crossed each part of the cell boundary,
    // so that statistics.csv has the same columns for every cell.
    template <int dim>
    std::vector<BoundaryExchange<dim>>
    closed_boundaries()
    {
      std::vector<BoundaryExchange<dim>> b(3);
      b[0].boundary = mesh::boundary_id::plasma_membrane;
      b[0].name     = "plasma_membrane";
      b[1].boundary = mesh::boundary_id::synapse;
      b[1].name     = "contact_patch";
      b[2].boundary = mesh::boundary_id::nuclear_envelope;
      b[2].name     = "nuclear_envelope";
      return b;
    }

    const std::string calcium_path     = "Species/Calcium";
    const std::string cholesterol_path = "Species/Cholesterol";
    const std::string cargo_path       = "Species/Cargo";
    const std::string label_path       = "Species/Label";
  } // namespace

  double
  CalciumParameters::leak_rate() const
  {
    return pump_rate(resting_concentration);
  }

  double
  CalciumParameters::pump_rate(const double c) const
  {
    // Extended to c < 0 as an odd function: it stays monotone, so an
    // undershoot of the discrete solution below zero is pulled back instead
    // of being pumped further down (the even c^2 would do that).
    const double c2 = c * c;
    return pump_maximal_rate * c * std::abs(c) /
           (pump_half_saturation * pump_half_saturation + c2);
  }

  double
  CalciumParameters::pump_slope_at_rest() const
  {
    const double c  = resting_concentration,
                 k2 = std::pow(pump_half_saturation, 2);
    return 2 * pump_maximal_rate * c * k2 / std::pow(k2 + c * c, 2);
  }

  double
  CalciumParameters::resting_membrane_estimate() const
  {
    const double k = pump_slope_at_rest();
    return k > 0 && diffusion_coefficient > 0
             ? resting_concentration +
                 basal_influx / std::sqrt(diffusion_coefficient * k)
             : resting_concentration;
  }

  void
  SpeciesParameters::declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Species");
    prm.enter_subsection("Calcium");
    {
      prm.declare_entry("Enable",
                        "true",
                        Bool(),
                        "Solve for free cytosolic Ca2+ c(x,t). Unit: none.");
      prm.declare_entry("Diffusion coefficient",
                        "20",
                        Double(0, 1e6),
                        "D_c, effective (buffered) diffusion coefficient of "
                        "cytosolic Ca2+ (textbook value). Unit: um^2/s.");
      prm.declare_entry("Resting concentration",
                        "0.1",
                        Double(0, 1e6),
                        "c_rest, the steady cytosolic Ca2+ without stimulus. "
                        "A leak L_c = V_p c_rest^2/(K_p^2 + c_rest^2) balances "
                        "the pump there. Unit: uM.");
      prm.declare_entry("Pump maximal rate",
                        "2",
                        Double(0, 1e6),
                        "V_p, maximal rate of the PMCA/SERCA pump term "
                        "V_p c^2/(K_p^2 + c^2). Unit: uM/s.");
      prm.declare_entry("Pump half-saturation",
                        "0.2",
                        Double(0, 1e6),
                        "K_p, the Ca2+ concentration at which the pump runs "
                        "at half its maximal rate (Hill coefficient 2). "
                        "Unit: uM.");
      prm.declare_entry("Plasma membrane influx",
                        "0",
                        Anything(),
                        "j_Ca(t), inward Ca2+ flux through the plasma "
                        "membrane (contact patch included), an expression "
                        "of the time t, e.g. '0.5*(t>=60)' for an "
                        "ionophore added at 60 s. Unit: uM um/s.");
      prm.declare_entry(
        "Basal plasma membrane influx",
        "1.5",
        Double(0, 1e6),
        "j_basal, a constant inward Ca2+ flux through the plasma membrane "
        "(store-operated entry and channel leak, 003 [96,97], 004 [33]): it "
        "keeps a resting sub-membrane microdomain, higher than the bulk "
        "over sqrt(D_c / pump slope at c_rest), where docked MVBs sit. The "
        "leak L_c keeps the bulk far from the membrane at c_rest; the run "
        "prints the linearised estimate of the membrane value. Unit: "
        "uM um/s.");
      prm.declare_entry("Initial concentration",
                        "c_rest",
                        Anything(),
                        "c(x, t0), an expression of x, y (and z in 3D); the "
                        "constant c_rest is the resting concentration. "
                        "Unit: uM.");
    }
    prm.leave_subsection();
    prm.enter_subsection("Cholesterol");
    {
      prm.declare_entry("Enable",
                        "true",
                        Bool(),
                        "Solve for the transferable cholesterol pool h(x,t). "
                        "Unit: none.");
      prm.declare_entry("Diffusion coefficient",
                        "1",
                        Double(0, 1e6),
                        "D_h, diffusion coefficient of the transferable "
                        "sterol pool (textbook value). Unit: um^2/s.");
      prm.declare_entry("Plasma membrane concentration",
                        "1",
                        Double(0, 1e6),
                        "h_PM, the pool the cytoplasm exchanges with at the "
                        "plasma membrane. Cholesterol loading (MbCD-"
                        "cholesterol) raises it, depletion (MbCD, statins) "
                        "lowers it. Unit: uM.");
      prm.declare_entry("Plasma membrane exchange rate",
                        "0.1",
                        Double(0, 1e6),
                        "k_PM in the Robin exchange -D_h grad(h).n = "
                        "k_PM (h - h_PM) on the plasma membrane (contact "
                        "patch included); a transfer velocity. Unit: um/s.");
      prm.declare_entry("ER synthesis flux",
                        "0.01",
                        Anything(),
                        "j_syn(t), inward flux of newly made cholesterol "
                        "from the ER across the nuclear envelope, an "
                        "expression of the time t. Unit: uM um/s.");
      prm.declare_entry("Initial concentration",
                        "h_PM",
                        Anything(),
                        "h(x, t0), an expression of x, y (and z in 3D); the "
                        "constant h_PM is the plasma membrane concentration. "
                        "Unit: uM.");
    }
    prm.leave_subsection();
    prm.enter_subsection("Cargo");
    {
      prm.declare_entry("Enable",
                        "true",
                        Bool(),
                        "Solve for endocytosed, ILV-sortable cargo u(x,t). "
                        "Unit: none.");
      prm.declare_entry("Diffusion coefficient",
                        "0.5",
                        Double(0, 1e6),
                        "D_u, effective diffusion coefficient of cargo in "
                        "early endosomes (textbook value). Unit: um^2/s.");
      prm.declare_entry("Recycling rate",
                        "0.005",
                        Double(0, 1e6),
                        "k_rec, first-order return of cargo to the plasma "
                        "membrane (recycling endosomes). Unit: 1/s.");
      prm.declare_entry("Endocytic flux",
                        "0.005",
                        Anything(),
                        "j_endo(t), inward flux of cargo by endocytosis "
                        "across the plasma membrane (contact patch "
                        "included), an expression of the time t; a pulse-"
                        "chase is e.g. '0.05*(t<300)'. Unit: uM um/s.");
      prm.declare_entry("Initial concentration",
                        "0",
                        Anything(),
                        "u(x, t0), an expression of x, y (and z in 3D). "
                        "Unit: uM.");
    }
    prm.leave_subsection();
    prm.enter_subsection("Label");
    {
      prm.declare_entry("Enable",
                        "false",
                        Bool(),
                        "Solve for labelled cargo l(x,t), a pulse-chase "
                        "tracer with the cargo's coefficients. Unit: none.");
      prm.declare_entry("Pulse",
                        "(t >= 0) * (t < 600)",
                        Anything(),
                        "p(t) in [0, 1], an expression of the time t: the "
                        "labelled share of the endocytic cargo flux, so the "
                        "label's influx is j_endo(t) p(t). Unit: none.");
      prm.declare_entry("Initial concentration",
                        "0",
                        Anything(),
                        "l(x, t0), an expression of x, y (and z in 3D). "
                        "Unit: uM.");
    }
    prm.leave_subsection();
    prm.leave_subsection();

    prm.enter_subsection("Perturbations");
    {
      prm.declare_entry(
        "Calcium ionophore influx",
        "0",
        Double(0, 1e6),
        "j_ionophore: an ionophore (ionomycin, A23187; 000 [102,103], "
        "004 [237]) added at 'Calcium ionophore start', as a step of inward "
        "Ca2+ flux through the plasma membrane on top of "
        "Species/Calcium/Plasma membrane influx. 0: no ionophore. Unit: "
        "uM um/s.");
      prm.declare_entry("Calcium ionophore start",
                        "0",
                        Double(-1e9, 1e9),
                        "Time at which the ionophore is added. Unit: s.");
      prm.declare_entry(
        "Plasma membrane cholesterol",
        "1",
        Double(0, 1e6),
        "g_chol: multiplies the plasma membrane cholesterol "
        "Species/Cholesterol/Plasma membrane concentration h_PM (in the "
        "exchange and in the initial value): > 1 loading (MbCD-cholesterol), "
        "< 1 depletion (MbCD, statins); 000 [17,100,101]. Unit: none.");
    }
    prm.leave_subsection();
  }

  std::vector<double>
  SpeciesParameters::jump_times() const
  {
    if (calcium.enabled && calcium.ionophore_influx != 0)
      return {calcium.ionophore_start};
    return {};
  }

  void
  SpeciesParameters::parse_parameters(ParameterHandler  &prm,
                                      const unsigned int dimension,
                                      const double       start_time)
  {
    prm.enter_subsection("Species");
    prm.enter_subsection("Calcium");
    {
      calcium.enabled                = prm.get_bool("Enable");
      calcium.diffusion_coefficient  = prm.get_double("Diffusion coefficient");
      calcium.resting_concentration  = prm.get_double("Resting concentration");
      calcium.pump_maximal_rate      = prm.get_double("Pump maximal rate");
      calcium.pump_half_saturation   = prm.get_double("Pump half-saturation");
      calcium.plasma_membrane_influx = prm.get("Plasma membrane influx");
      calcium.basal_influx = prm.get_double("Basal plasma membrane influx");
      calcium.initial_concentration = prm.get("Initial concentration");
      if (calcium.enabled)
        require_positive(calcium.pump_half_saturation,
                         calcium_path + "/Pump half-saturation");
    }
    prm.leave_subsection();
    prm.enter_subsection("Cholesterol");
    {
      auto &h                 = cholesterol;
      h.enabled               = prm.get_bool("Enable");
      h.diffusion_coefficient = prm.get_double("Diffusion coefficient");
      h.plasma_membrane_concentration =
        prm.get_double("Plasma membrane concentration");
      h.plasma_membrane_exchange_rate =
        prm.get_double("Plasma membrane exchange rate");
      h.synthesis_flux        = prm.get("ER synthesis flux");
      h.initial_concentration = prm.get("Initial concentration");
    }
    prm.leave_subsection();
    prm.enter_subsection("Cargo");
    {
      cargo.enabled               = prm.get_bool("Enable");
      cargo.diffusion_coefficient = prm.get_double("Diffusion coefficient");
      cargo.recycling_rate        = prm.get_double("Recycling rate");
      cargo.endocytic_flux        = prm.get("Endocytic flux");
      cargo.initial_concentration = prm.get("Initial concentration");
    }
    prm.leave_subsection();
    prm.enter_subsection("Label");
    {
      label.enabled               = prm.get_bool("Enable");
      label.pulse                 = prm.get("Pulse");
      label.initial_concentration = prm.get("Initial concentration");
    }
    prm.leave_subsection();
    prm.leave_subsection();

    prm.enter_subsection("Perturbations");
    calcium.ionophore_influx   = prm.get_double("Calcium ionophore influx");
    calcium.ionophore_start    = prm.get_double("Calcium ionophore start");
    cholesterol.loading_factor = prm.get_double("Plasma membrane cholesterol");
    prm.leave_subsection();

    // Build the models once now: every expression is checked while the
    // input is, before anything is written.
    if (dimension == 2)
      create_models<2>(start_time);
    else
      create_models<3>(start_time);
  }

  template <int dim>
  std::vector<SpeciesModel<dim>>
  SpeciesParameters::create_models(const double start_time) const
  {
    std::vector<SpeciesModel<dim>> models;

    if (calcium.enabled)
      {
        const CalciumParameters p = calcium;
        SpeciesModel<dim>       m;
        m.name                  = "calcium";
        m.coupled_species       = static_cast<int>(CoupledSpecies::calcium);
        m.diffusion_coefficient = p.diffusion_coefficient;
        m.constant_source       = p.leak_rate();
        m.sink.rate             = [p](const double c) {
          return p.pump_rate(c);
        };
        // max over c of d/dc V c^2/(K^2 + c^2), reached at c = K/sqrt(3).
        m.sink.max_slope = 3. * std::sqrt(3.) / 8. * p.pump_maximal_rate /
                           p.pump_half_saturation;
        m.reaction_name = "pump_and_leak";
        m.boundaries    = closed_boundaries<dim>();
        // The user's expression is checked on its own, so that a message
        // about it shows what was written.
        auto influx =
          time_expression<dim>(p.plasma_membrane_influx,
                               calcium_path + "/Plasma membrane influx",
                               {},
                               start_time);
        if (p.ionophore_influx != 0 || p.basal_influx != 0)
          influx = time_expression<dim>(
            "(" + p.plasma_membrane_influx +
              ") + j_basal + j_ionophore * (t >= t_ionophore)",
            calcium_path + "/Plasma membrane influx",
            {{"j_basal", p.basal_influx},
             {"j_ionophore", p.ionophore_influx},
             {"t_ionophore", p.ionophore_start}},
            start_time);
        m.boundaries[0].inward_flux = influx;
        m.boundaries[1].inward_flux = influx;
        m.initial_value =
          space_expression<dim>(p.initial_concentration,
                                calcium_path + "/Initial concentration",
                                {{"c_rest", p.resting_concentration}});
        m.initial_value_entry = calcium_path + "/Initial concentration";
        models.push_back(std::move(m));
      }

    if (cholesterol.enabled)
      {
        const CholesterolParameters &p = cholesterol;
        const double h_pm = p.loading_factor * p.plasma_membrane_concentration;
        SpeciesModel<dim> m;
        m.name                  = "cholesterol";
        m.coupled_species       = static_cast<int>(CoupledSpecies::cholesterol);
        m.diffusion_coefficient = p.diffusion_coefficient;
        m.boundaries            = closed_boundaries<dim>();
        for (unsigned int b = 0; b < 2; ++b)
          {
            m.boundaries[b].transfer_coefficient =
              p.plasma_membrane_exchange_rate;
            m.boundaries[b].exterior_value = h_pm;
          }
        m.boundaries[2].inward_flux =
          time_expression<dim>(p.synthesis_flux,
                               cholesterol_path + "/ER synthesis flux",
                               {},
                               start_time,
                               true);
        m.initial_value =
          space_expression<dim>(p.initial_concentration,
                                cholesterol_path + "/Initial concentration",
                                {{"h_PM", h_pm}});
        m.initial_value_entry = cholesterol_path + "/Initial concentration";
        models.push_back(std::move(m));
      }

    // Cargo and label share the equation; the label's influx is the
    // cargo's times the pulse.
    const auto add_cargo_like = [&](const std::string   &name,
                                    const CoupledSpecies species,
                                    const std::string   &flux_path,
                                    const std::string   &flux,
                                    const std::string   &initial_path,
                                    const std::string   &initial) {
      const CargoParameters &p = cargo;
      SpeciesModel<dim>      m;
      m.name                  = name;
      m.coupled_species       = static_cast<int>(species);
      m.diffusion_coefficient = p.diffusion_coefficient;
      m.decay_rate            = p.recycling_rate;
      m.reaction_name         = "recycling";
      m.boundaries            = closed_boundaries<dim>();
      const auto influx =
        time_expression<dim>(flux, flux_path, {}, start_time, true);
      m.boundaries[0].inward_flux = influx;
      m.boundaries[1].inward_flux = influx;
      m.initial_value       = space_expression<dim>(initial, initial_path, {});
      m.initial_value_entry = initial_path;
      models.push_back(std::move(m));
    };
    if (cargo.enabled)
      add_cargo_like("cargo",
                     CoupledSpecies::cargo,
                     cargo_path + "/Endocytic flux",
                     cargo.endocytic_flux,
                     cargo_path + "/Initial concentration",
                     cargo.initial_concentration);
    if (label.enabled && !cargo.enabled)
      throw InputError(label_path + "/Enable",
                       "true",
                       "needs the cargo it labels (Species/Cargo/Enable is "
                       "false)",
                       "enable Species/Cargo or disable the label");
    if (label.enabled)
      {
        // Checked on its own first, so that a message shows what was
        // written.
        time_expression<dim>(label.pulse,
                             label_path + "/Pulse",
                             {},
                             start_time,
                             true);
        add_cargo_like("label",
                       CoupledSpecies::label,
                       label_path + "/Pulse",
                       "(" + cargo.endocytic_flux + ") * (" + label.pulse + ")",
                       label_path + "/Initial concentration",
                       label.initial_concentration);
      }
    return models;
  }

  template std::vector<SpeciesModel<2>>
  SpeciesParameters::create_models<2>(double) const;
  template std::vector<SpeciesModel<3>>
  SpeciesParameters::create_models<3>(double) const;
} // namespace mvb::physics
