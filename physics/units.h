#pragma once

/**
 * mvbsim's units: length um, time s, concentration uM, amount uM*um^3.
 * Every parameter states its unit in its documentation string; these are the
 * only conversion factors the code may use.
 */
namespace mvb::physics::units
{
  /** Molecules in 1 uM * 1 um^3 = 1e-6 mol/L * 1e-15 L * N_A. */
  constexpr double molecules_per_micromolar_cubic_micrometre = 602.214076;
} // namespace mvb::physics::units
