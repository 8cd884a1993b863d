#pragma once

#include <physics/enum_table.h>
#include <physics/mvb_parameters.h>

#include <array>
#include <iterator>

namespace mvb::physics
{
  /** Modes of a living MVB (physics/MODEL.md section 4), as in mode_table. */
  enum class MvbMode : unsigned int
  {
    free,
    kinesin,
    dynein,
    myosin,
    docked
  };

  /** The kind of track a bound mode moves on. */
  enum class TrackKind
  {
    none,
    microtubule,
    actin
  };

  /**
   * One mode: its name in output and statistics columns, the track it
   * moves on, the direction (+1: towards the plus or barbed end, where a
   * run ends by an event; -1: towards the minus end, where it stalls) and
   * the motor speed (null: the mode does not move along a track).
   */
  struct ModeInfo
  {
    MvbMode     mode;
    const char *name;
    TrackKind   track;
    int         direction;
    double MvbParameters::*speed;
  };

  inline constexpr std::array<ModeInfo, 5> mode_table = {
    {{MvbMode::free, "free", TrackKind::none, 0, nullptr},
     {MvbMode::kinesin,
      "kinesin",
      TrackKind::microtubule,
      +1,
      &MvbParameters::kinesin_speed},
     {MvbMode::dynein,
      "dynein",
      TrackKind::microtubule,
      -1,
      &MvbParameters::dynein_speed},
     {MvbMode::myosin,
      "myosin",
      TrackKind::actin,
      +1,
      &MvbParameters::myosin_speed},
     {MvbMode::docked, "docked", TrackKind::none, 0, nullptr}}};

  inline constexpr unsigned int n_mvb_modes = mode_table.size();

  static_assert(in_enum_order(mode_table, &ModeInfo::mode),
                "mode_table must list the modes in enum order");

  constexpr const ModeInfo &
  info(const MvbMode mode)
  {
    return mode_table[static_cast<unsigned int>(mode)];
  }

  /** "free", "kinesin", "dynein", "myosin", "docked". */
  inline const char *
  mode_name(const MvbMode mode)
  {
    return info(mode).name;
  }

  /** How an MVB leaves the cell. */
  enum class MvbFate
  {
    alive,
    fused,   // T8: exosomes released at the plasma membrane
    degraded // T9: lysosomal (or, for an amphisome, amphisomal) degradation
  };

  /**
   * The state of one MVB besides its position (physics/MODEL.md section
   * 4). `track` and `arc` mean something only in the bound modes.
   */
  struct MvbState
  {
    MvbMode mode         = MvbMode::free;
    int     track        = -1;
    double  arc          = 0;     // um from the track's minus (pointed) end
    double  ilv_escrt    = 0;     // N_E, ILVs made by the ESCRT route
    double  ilv_ceramide = 0;     // N_C, ILVs made by the ceramide route
    double  cargo        = 0;     // q, uM um^3
    double  label        = 0;     // q_l, uM um^3
    double  chi_lm       = 0;     // limiting-membrane cholesterol, 0-1
    double  chi_ilv      = 0;     // ILV cholesterol, 0-1
    double  rab7         = 0;     // r, 0-1
    double  age          = 0;     // s
    bool    amphisome    = false; // captured by an autophagosome (T10)
    // Its last microtubule run ended at a plus end, in the cortex, and it
    // has not bound a microtubule since: it reached the cortex on kinesin.
    bool microtubule_delivery = false;
    // Born, but has not yet taken its cholesterol from the field.
    bool newborn = false;

    double
    ilv_count() const
    {
      return ilv_escrt + ilv_ceramide;
    }
  };

  /**
   * One state variable: its name in the MVB tables (HDF5 datasets, XDMF
   * attributes, regression snapshots), its unit, and how it is read and
   * written as a number for messages between ranks and checkpoints.
   */
  struct StateVariable
  {
    const char *name;
    const char *unit;
    double (*get)(const MvbState &);
    void (*set)(MvbState &, double);
  };

  namespace internal
  {
    template <typename T, T MvbState::*member>
    double
    get(const MvbState &s)
    {
      return static_cast<double>(s.*member);
    }

    template <typename T, T MvbState::*member>
    void
    set(MvbState &s, const double v)
    {
      s.*member = static_cast<T>(v);
    }

    inline double
    get_mode(const MvbState &s)
    {
      return static_cast<unsigned int>(s.mode);
    }

    inline void
    set_mode(MvbState &s, const double v)
    {
      s.mode = static_cast<MvbMode>(static_cast<unsigned int>(v));
    }
  } // namespace internal

  /** The row of a member of MvbState of type @p T. */
  template <typename T, T MvbState::*member>
  constexpr StateVariable
  variable(const char *name, const char *unit)
  {
    return {name, unit, &internal::get<T, member>, &internal::set<T, member>};
  }

  /**
   * Every member of MvbState, in the order of its output datasets and of
   * its checkpoint and message layout. A new state variable is a member
   * and a row here.
   */
  inline constexpr StateVariable mvb_state_variables[] = {
    {"mode",
     "0 free, 1 kinesin, 2 dynein, 3 myosin, 4 docked",
     &internal::get_mode,
     &internal::set_mode},
    variable<int, &MvbState::track>("track", "track index, -1 if unbound"),
    variable<double, &MvbState::arc>("arc", "um from the minus end"),
    variable<double, &MvbState::ilv_escrt>("ilv_escrt", "ILVs"),
    variable<double, &MvbState::ilv_ceramide>("ilv_ceramide", "ILVs"),
    variable<double, &MvbState::cargo>("cargo", "uM um^dim"),
    variable<double, &MvbState::label>("label", "uM um^dim"),
    variable<double, &MvbState::chi_lm>("chi_lm", "fraction 0-1"),
    variable<double, &MvbState::chi_ilv>("chi_ilv", "fraction 0-1"),
    variable<double, &MvbState::rab7>("rab7", "fraction 0-1"),
    variable<double, &MvbState::age>("age", "s"),
    variable<bool, &MvbState::amphisome>("amphisome", "0/1"),
    variable<bool, &MvbState::microtubule_delivery>("microtubule_delivery",
                                                    "0/1"),
    variable<bool, &MvbState::newborn>("newborn", "0/1")};

  inline constexpr unsigned int n_mvb_state_values =
    std::size(mvb_state_variables);

  /** The state as plain numbers, in the order of mvb_state_variables. */
  inline void
  write_state_values(const MvbState &state, double *values)
  {
    for (const auto &v : mvb_state_variables)
      *values++ = v.get(state);
  }

  inline MvbState
  read_state_values(const double *values)
  {
    MvbState state;
    for (const auto &v : mvb_state_variables)
      v.set(state, *values++);
    return state;
  }
} // namespace mvb::physics
