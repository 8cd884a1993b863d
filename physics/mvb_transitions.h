#pragma once

#include <physics/mvb_kinetics.h>

#include <array>
#include <iterator>

namespace mvb::physics
{
  /**
   * The MVB mode graph of physics/MODEL.md section 4: which transition
   * applies in which mode, where, at which rate, and what it does. The
   * stepper (solver/mvb_stepper.cc) reads this table and keeps only the
   * motion and the exact timing of events: a new transition is a row
   * here and its rate in MvbKinetics.
   */

  /** Where an MVB must be for a transition to be possible. */
  enum class Requirement
  {
    anywhere,
    microtubule_in_reach, // a microtubule within the capture radius
    actin_in_cortex,      // in the cortex, an actin filament in reach
    near_membrane         // within the docking distance of the PM
  };

  /** What a transition does. */
  enum class Effect
  {
    bind_microtubule, // to dynein with p_dyn(r), else kinesin
    bind_actin,       // to myosin on the filament in reach
    to_mode,          // to `target`, leaving any track
    switch_motor,     // kinesin <-> dynein on the same track
    become_amphisome, // the amphisome flag; the mode stays
    fuse,             // terminal: exosomes released
    degrade           // terminal: lysosomal or amphisomal degradation
  };

  /** A set of modes. */
  constexpr unsigned int
  modes(std::initializer_list<MvbMode> list)
  {
    unsigned int mask = 0;
    for (const MvbMode m : list)
      mask |= 1u << static_cast<unsigned int>(m);
    return mask;
  }

  constexpr bool
  contains(const unsigned int mask, const MvbMode mode)
  {
    return (mask >> static_cast<unsigned int>(mode)) & 1u;
  }

  using RateFunction = double (MvbKinetics::*)(const MvbState &,
                                               const Surroundings &) const;

  struct TransitionInfo
  {
    const char  *name;
    unsigned int from; // modes(...)
    Requirement  needs;
    RateFunction rate;
    Effect       effect;
    MvbMode      target = MvbMode::free; // for Effect::to_mode
    // The rate reads L(x), so the stepper must know it.
    bool uses_lysosome_density = false;
  };

  // The modes in which an MVB is not docked (T9, T10).
  inline constexpr unsigned int undocked_modes =
    modes({MvbMode::free, MvbMode::kinesin, MvbMode::dynein, MvbMode::myosin});

  inline constexpr TransitionInfo transition_table[] = {
    {"T2 microtubule binding",
     modes({MvbMode::free}),
     Requirement::microtubule_in_reach,
     &MvbKinetics::microtubule_binding_rate,
     Effect::bind_microtubule},
    {"T5 actin binding",
     modes({MvbMode::free}),
     Requirement::actin_in_cortex,
     &MvbKinetics::actin_binding_rate,
     Effect::bind_actin},
    {"T6 docking",
     modes({MvbMode::free, MvbMode::myosin}),
     Requirement::near_membrane,
     &MvbKinetics::docking_rate,
     Effect::to_mode,
     MvbMode::docked},
    {"T3 motor switching",
     modes({MvbMode::kinesin, MvbMode::dynein}),
     Requirement::anywhere,
     &MvbKinetics::switching_rate,
     Effect::switch_motor},
    {"T4 microtubule unbinding",
     modes({MvbMode::kinesin, MvbMode::dynein}),
     Requirement::anywhere,
     &MvbKinetics::microtubule_unbinding_rate,
     Effect::to_mode,
     MvbMode::free},
    {"actin unbinding",
     modes({MvbMode::myosin}),
     Requirement::anywhere,
     &MvbKinetics::actin_unbinding_rate,
     Effect::to_mode,
     MvbMode::free},
    {"T7 undocking",
     modes({MvbMode::docked}),
     Requirement::anywhere,
     &MvbKinetics::undocking_rate,
     Effect::to_mode,
     MvbMode::free},
    {"T8 fusion",
     modes({MvbMode::docked}),
     Requirement::anywhere,
     &MvbKinetics::fusion_rate,
     Effect::fuse},
    {"T9 lysosomal degradation",
     undocked_modes,
     Requirement::anywhere,
     &MvbKinetics::lysosomal_degradation_rate,
     Effect::degrade,
     MvbMode::free,
     true},
    {"T9 amphisomal degradation",
     undocked_modes,
     Requirement::anywhere,
     &MvbKinetics::amphisomal_degradation_rate,
     Effect::degrade,
     MvbMode::free,
     true},
    {"T10 amphisome formation",
     undocked_modes,
     Requirement::anywhere,
     &MvbKinetics::amphisome_formation_rate,
     Effect::become_amphisome}};

  inline constexpr unsigned int n_transitions = std::size(transition_table);
} // namespace mvb::physics
