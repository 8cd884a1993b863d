#include <solver/discretisation_parameters.h>
#include <solver/input_error.h>

#include <deal.II/base/utilities.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace mvb
{
  unsigned int
  whole_number_of_steps(const double       interval,
                        const double       step,
                        const std::string &path,
                        const std::string &value,
                        const std::string &what)
  {
    const double ratio = interval / step;
    const double whole = std::round(ratio);
    if (std::abs(ratio - whole) > 1e-9 * std::max(1., ratio) || whole < 1)
      throw InputError(path,
                       value,
                       what + " is " + to_text(ratio) + " time steps of " +
                         to_text(step) + " s, not a whole number",
                       "make it a positive multiple of Time stepping/Time "
                       "step");
    if (whole > 1e9)
      throw InputError(path,
                       value,
                       what + " needs " + to_text(whole) + " time steps",
                       "use a larger Time stepping/Time step");
    return static_cast<unsigned int>(whole);
  }

  void
  TimeSteppingParameters::declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Time stepping");
    {
      prm.declare_entry("Start time",
                        "0",
                        Patterns::Double(),
                        "Simulated time at the start of the run. Unit: s.");
      prm.declare_entry("End time",
                        "600",
                        Patterns::Double(),
                        "Simulated time at the end of the run; End time - "
                        "Start time must be a whole number of time steps. "
                        "Unit: s.");
      prm.declare_entry("Time step",
                        "0.5",
                        Patterns::Double(0),
                        "Time step of the reaction-diffusion fields. The "
                        "schemes are stable for any step (the Ca2+ pump is "
                        "treated linearly implicitly); accuracy sets the "
                        "limit. Unit: s.");
      prm.declare_entry("Scheme",
                        "BDF2",
                        Patterns::Selection("BDF1|BDF2"),
                        "Implicit time scheme: BDF1 (backward Euler, first "
                        "order) or BDF2 (second order, started with one "
                        "BDF1 step). Unit: none.");
      prm.declare_entry(
        "Step control",
        "Automatic",
        Patterns::Selection("Fixed|Adaptive|Automatic"),
        "Fixed: every field step is Time step. Adaptive: variable-step BDF2 "
        "chooses each step from the local error estimate of the last one "
        "(Error tolerance), between Minimum and Maximum time step, in powers "
        "of two of Time step, landing on every output time; the MVBs take as "
        "many sub-steps as their length needs (MVB/Steps per field step per "
        "Time step). Needs BDF2. Automatic: Adaptive from " +
          std::to_string(automatic_adaptive_min_dofs) +
          " DoFs per species on (a refined mesh, where the fields are most "
          "of the cost), Fixed below and with BDF1. Unit: none.");
      prm.declare_entry("Minimum time step",
                        "0",
                        Patterns::Double(0),
                        "Adaptive steps: the smallest step, Time step / 2^k; "
                        "0 means Time step / 16. Unit: s.");
      prm.declare_entry("Maximum time step",
                        "0",
                        Patterns::Double(0),
                        "Adaptive steps: the largest step, Time step * 2^k; "
                        "0 means Time step * 16. Unit: s.");
      prm.declare_entry("Event times",
                        "",
                        Patterns::Anything(),
                        "Adaptive steps: times at which a forcing jumps (an "
                        "ionophore added, a label pulse switched), as a "
                        "comma-separated list. A step evaluates its fluxes at "
                        "its end, so a jump acts from the step that ends at "
                        "it; steps land one Minimum time step before each "
                        "and then on it, so that the jump acts that early "
                        "only. The ionophore's start is one without being "
                        "listed. Whole numbers of Minimum time step after "
                        "Start time; times outside the run are ignored. "
                        "Unit: s.");
      prm.declare_entry("Error tolerance",
                        "1e-4",
                        Patterns::Double(1e-12, 1),
                        "Adaptive steps: the local error of a step that the "
                        "controller aims at, relative to the field's nodal "
                        "2-norm, the largest over the species. Unit: none.");
    }
    prm.leave_subsection();
  }

  void
  TimeSteppingParameters::parse_parameters(ParameterHandler &prm)
  {
    const std::string path = "Time stepping/";
    prm.enter_subsection("Time stepping");
    start_time = prm.get_double("Start time");
    end_time   = prm.get_double("End time");
    time_step  = prm.get_double("Time step");
    scheme = prm.get("Scheme") == "BDF1" ? TimeScheme::bdf1 : TimeScheme::bdf2;
    const std::string end_text = prm.get("End time");
    const std::string control  = prm.get("Step control");
    automatic            = control == "Automatic" && scheme == TimeScheme::bdf2;
    adaptive             = control == "Adaptive" || automatic;
    const double minimum = prm.get_double("Minimum time step");
    const double maximum = prm.get_double("Maximum time step");
    error_tolerance      = prm.get_double("Error tolerance");
    const std::string events = prm.get("Event times");
    prm.leave_subsection();

    if (!(time_step > 0))
      throw InputError(path + "Time step",
                       to_text(time_step),
                       "must be positive",
                       "give a time step > 0");
    if (!(end_time > start_time))
      throw InputError(path + "End time",
                       end_text,
                       "is not after " + path +
                         "Start time = " + to_text(start_time),
                       "give an End time > Start time");
    n_steps = whole_number_of_steps(end_time - start_time,
                                    time_step,
                                    path + "End time",
                                    end_text,
                                    "End time - Start time");

    // Checked also for fixed steps, so that an entry is never silently
    // wrong.
    std::vector<double> event_times;
    for (const std::string &item : Utilities::split_string_list(events, ','))
      {
        double t = 0;
        try
          {
            t = Utilities::string_to_double(item);
          }
        catch (...)
          {
            t = std::numeric_limits<double>::quiet_NaN();
          }
        if (!std::isfinite(t))
          throw InputError(path + "Event times",
                           events,
                           "'" + item + "' is not a finite number",
                           "give times in s separated by commas");
        event_times.push_back(t);
      }
    const unsigned int finer =
      power_of_two_ratio(time_step,
                         minimum > 0 ? minimum : time_step / 16,
                         path + "Minimum time step",
                         to_text(minimum),
                         "Time step / Minimum time step");
    const unsigned int coarser =
      power_of_two_ratio(maximum > 0 ? maximum : time_step * 16,
                         time_step,
                         path + "Maximum time step",
                         to_text(maximum),
                         "Maximum time step / Time step");
    units_per_step = max_units = 1;
    if (!adaptive)
      return;
    if (scheme != TimeScheme::bdf2)
      throw InputError(path + "Step control",
                       "Adaptive",
                       "needs the error estimate of BDF2",
                       "set Time stepping/Scheme = BDF2");
    units_per_step = finer;
    max_units      = finer * coarser;

    event_units.clear();
    for (const double t : event_times)
      if (t > start_time && t < end_time)
        event_units.push_back(whole_number_of_steps(t - start_time,
                                                    unit(),
                                                    path + "Event times",
                                                    events,
                                                    "the event at " +
                                                      to_text(t) +
                                                      " s - Start time"));
    std::sort(event_units.begin(), event_units.end());
  }

  void
  TimeSteppingParameters::choose_step_control(
    const std::uint64_t dofs_per_species)
  {
    if (!automatic)
      return;
    automatic = false;
    if (dofs_per_species >= automatic_adaptive_min_dofs)
      return;
    adaptive       = false;
    units_per_step = max_units = 1;
    event_units.clear();
  }

  void
  TimeSteppingParameters::add_jumps(const std::vector<double> &times)
  {
    for (const double t : times)
      if (adaptive && t > start_time && t < end_time)
        {
          const auto units =
            static_cast<std::uint64_t>(std::llround((t - start_time) / unit()));
          if (units > 0 && !std::binary_search(event_units.begin(),
                                               event_units.end(),
                                               units))
            event_units.insert(std::upper_bound(event_units.begin(),
                                                event_units.end(),
                                                units),
                               units);
        }
  }

  unsigned int
  power_of_two_ratio(const double       larger,
                     const double       smaller,
                     const std::string &path,
                     const std::string &value,
                     const std::string &what)
  {
    const double ratio = larger / smaller;
    for (unsigned int k = 0; k <= 20; ++k)
      if (std::abs(ratio - double(1u << k)) <= 1e-9 * ratio)
        return 1u << k;
    throw InputError(path,
                     value,
                     what + " is " + to_text(ratio) +
                       ", not a power of two up to 2^20",
                     "give Time step / 2^k (minimum) or Time step * 2^k "
                     "(maximum)");
  }

  void
  FieldDiscretisationParameters::declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Fields");
    {
      prm.declare_entry("Finite element degree",
                        "1",
                        Patterns::Integer(1, 4),
                        "Polynomial degree p of the FE_Q(p) elements of every "
                        "species. Unit: none.");
      std::string names;
      for (const auto &[kind, name] : field_preconditioners)
        names += (names.empty() ? "" : "|") + std::string(name);
      prm.declare_entry("Preconditioner",
                        name(FieldPreconditioner::automatic),
                        Patterns::Selection(names),
                        "Multigrid preconditioner of the CG solves of every "
                        "species: GMG (geometric multigrid on the levels of "
                        "a uniformly refined mesh; as many iterations at "
                        "every refinement), GAMG (PETSc's smoothed "
                        "aggregation; cheapest on small meshes), BoomerAMG "
                        "(hypre's classical AMG; fewer, dearer iterations "
                        "than GAMG), or Automatic: GMG from " +
                          std::to_string(automatic_gmg_min_dofs) +
                          " DoFs per field on a mesh refined at least twice "
                          "uniformly, else GAMG. All solve the same "
                          "equations to the same tolerance; PETSC_OPTIONS "
                          "tunes them. Unit: none.");
      prm.declare_entry("Linear solver tolerance",
                        "1e-10",
                        Patterns::Double(1e-15, 1e-2),
                        "CG (with algebraic multigrid) stops when the "
                        "residual is below this fraction of the right-hand "
                        "side. Conservation holds to this tolerance. "
                        "Unit: none.");
      prm.declare_entry("Maximum linear iterations",
                        "1000",
                        Patterns::Integer(1),
                        "CG iterations after which a solve counts as failed "
                        "and the run stops with an error. Unit: none.");
    }
    prm.leave_subsection();
  }

  void
  FieldDiscretisationParameters::parse_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("Fields");
    fe_degree                = prm.get_integer("Finite element degree");
    tolerance                = prm.get_double("Linear solver tolerance");
    max_iterations           = prm.get_integer("Maximum linear iterations");
    const std::string chosen = prm.get("Preconditioner");
    for (const auto &[kind, name] : field_preconditioners)
      if (chosen == name)
        preconditioner = kind;
    prm.leave_subsection();
  }
} // namespace mvb
