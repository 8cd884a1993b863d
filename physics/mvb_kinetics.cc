#include <physics/mvb_kinetics.h>

#include <algorithm>
#include <cmath>

namespace mvb::physics
{
  const char *
  mode_name(const MvbMode mode)
  {
    switch (mode)
      {
        case MvbMode::free:
          return "free";
        case MvbMode::kinesin:
          return "kinesin";
        case MvbMode::dynein:
          return "dynein";
        case MvbMode::myosin:
          return "myosin";
        case MvbMode::docked:
          return "docked";
      }
    return "unknown";
  }

  void
  write_state_values(const MvbState &s, double *values)
  {
    values[0] = static_cast<unsigned int>(s.mode);
    values[1] = s.track;
    values[2] = s.arc;
    values[3] = s.ilv_count;
    values[4] = s.cargo;
    values[5] = s.chi_lm;
    values[6] = s.chi_ilv;
    values[7] = s.rab7;
    values[8] = s.age;
  }

  MvbState
  read_state_values(const double *values)
  {
    MvbState s;
    s.mode      = static_cast<MvbMode>(static_cast<unsigned int>(values[0]));
    s.track     = static_cast<int>(values[1]);
    s.arc       = values[2];
    s.ilv_count = values[3];
    s.cargo     = values[4];
    s.chi_lm    = values[5];
    s.chi_ilv   = values[6];
    s.rab7      = values[7];
    s.age       = values[8];
    return s;
  }

  MvbKinetics::MvbKinetics(const MvbParameters &parameters)
      : prm(parameters)
  {
  }

  double
  MvbKinetics::birth_rate() const
  {
    return prm.birth_rate;
  }

  double
  MvbKinetics::microtubule_binding_rate() const
  {
    return prm.microtubule_binding_rate;
  }

  double
  MvbKinetics::dynein_share(const double rab7) const
  {
    const double dynein  = prm.dynein_weight * rab7;
    const double kinesin = prm.kinesin_weight * prm.perturbations.rab27b;
    return dynein + kinesin > 0 ? dynein / (dynein + kinesin) : 0.5;
  }

  double
  MvbKinetics::switching_rate(const MvbMode mode) const
  {
    return mode == MvbMode::kinesin ? prm.switching_to_dynein
                                    : prm.switching_to_kinesin;
  }

  double
  MvbKinetics::microtubule_unbinding_rate() const
  {
    return prm.microtubule_unbinding_rate;
  }

  double
  MvbKinetics::actin_binding_rate() const
  {
    return prm.actin_binding_rate * prm.perturbations.cortactin;
  }

  double
  MvbKinetics::actin_unbinding_rate() const
  {
    return prm.actin_unbinding_rate;
  }

  double
  MvbKinetics::docking_rate() const
  {
    return prm.docking_rate * prm.perturbations.rab27a *
           prm.perturbations.cortactin;
  }

  double
  MvbKinetics::undocking_rate() const
  {
    return prm.undocking_rate;
  }

  namespace
  {
    // x^n / (K^n + x^n), zero for x <= 0.
    double
    hill(const double x, const double half, const double n)
    {
      const double xn = std::pow(std::max(x, 0.), n);
      return xn / (std::pow(half, n) + xn);
    }
  } // namespace

  double
  MvbKinetics::calcium_factor(const double calcium) const
  {
    const double a = prm.calcium_sensitivity * prm.perturbations.syt7;
    return (1 - a) + a *
                       hill(calcium,
                            prm.calcium_half_activation,
                            prm.calcium_hill_exponent) /
                       hill(prm.resting_calcium,
                            prm.calcium_half_activation,
                            prm.calcium_hill_exponent);
  }

  double
  MvbKinetics::fusion_competence(const double chi_ilv) const
  {
    return hill(chi_ilv,
                prm.fusion_cholesterol_half,
                prm.fusion_cholesterol_hill);
  }

  double
  MvbKinetics::fusion_rate(const MvbState    &state,
                           const LocalFields &fields) const
  {
    return prm.basal_fusion_rate * prm.perturbations.snare *
           calcium_factor(fields.calcium) * fusion_competence(state.chi_ilv);
  }

  double
  MvbKinetics::degradation_rate(const MvbState &state) const
  {
    const auto &g = prm.perturbations;
    return prm.lysosome_rate * state.rab7 * (1 + g.isg) * g.vatpase +
           prm.autophagy_rate * g.autophagy;
  }

  bool
  MvbKinetics::may_degrade() const
  {
    MvbState active;
    active.rab7 = 1; // the rate grows with Rab7 activity, which is <= 1
    return degradation_rate(active) > 0;
  }

  double
  MvbKinetics::cholesterol_content(const MvbState &s) const
  {
    return prm.cholesterol_capacity *
           (s.chi_lm + s.chi_ilv * s.ilv_count / prm.max_ilv);
  }

  FieldExchange
  MvbKinetics::field_exchange(const MaturationExchange &maturation,
                              const MvbState           &state,
                              const MvbFate             fate) const
  {
    FieldExchange e;
    e.cargo = -maturation.cargo_taken;
    e.cholesterol =
      -prm.cholesterol_capacity * maturation.cholesterol_uptake +
      (fate == MvbFate::degraded ? cholesterol_content(state) : 0.);
    return e;
  }

  MvbState
  MvbKinetics::newborn() const
  {
    MvbState s;
    s.chi_lm = prm.initial_cholesterol;
    s.rab7   = prm.initial_rab7;
    return s;
  }

  void
  MvbKinetics::mature(MvbState           &s,
                      const LocalFields  &fields,
                      const double        dt,
                      MaturationExchange &exchange) const
  {
    const auto &g = prm.perturbations;

    // ILVs: dN/dt = a (1 - N/N_max), exact.
    const double u_saturation =
      std::max(fields.cargo, 0.) /
      (prm.cargo_half_saturation + std::max(fields.cargo, 0.));
    const double a =
      prm.escrt_rate * g.escrt * u_saturation + prm.ceramide_rate * g.nsmase2;
    const double n_max = prm.max_ilv;
    const double n_new =
      n_max - (n_max - s.ilv_count) * std::exp(-a * dt / n_max);
    const double dn = std::max(0., n_new - s.ilv_count);

    // Cargo goes into the new ILVs.
    const double dq = prm.cargo_per_ilv * u_saturation * dn;
    s.cargo += dq;
    exchange.cargo_taken += dq;

    // ILV membrane comes from the limiting membrane: the N_max ILVs
    // together have its area, and take its cholesterol enriched by
    // epsilon (capped at a pure-cholesterol membrane). Integrated with the
    // new area, dchi_LM = -epsilon chi_LM dN/N_max, as an exponential.
    const double moved =
      std::min(s.chi_lm * (1 - std::exp(-prm.ilv_enrichment * dn / n_max)),
               dn / n_max);
    if (n_new > 0)
      s.chi_ilv = (s.chi_ilv * s.ilv_count + moved * n_max) / n_new;
    s.chi_lm -= moved;
    s.ilv_count = n_new;

    // Uptake from the cytosol: dchi_LM/dt = k h/h_ref (1 - chi_LM), exact.
    const double k_up = prm.cholesterol_uptake_rate *
                        std::max(fields.cholesterol, 0.) /
                        prm.cholesterol_reference;
    const double chi_before = s.chi_lm;
    s.chi_lm                = 1 - (1 - s.chi_lm) * std::exp(-k_up * dt);
    exchange.cholesterol_uptake += s.chi_lm - chi_before;

    // Rab7: dr/dt = on (1 - r) - off r, exact for the step.
    const double on = prm.rab7_activation_rate *
                      (1 + prm.rab7_cholesterol_gain * s.chi_lm) * g.rab7_gef;
    const double off = prm.rab7_inactivation_rate * g.rab7_gap;
    if (on + off > 0)
      {
        const double r_inf = on / (on + off);
        s.rab7 = r_inf + (s.rab7 - r_inf) * std::exp(-(on + off) * dt);
      }
    s.age += dt;
  }
} // namespace mvb::physics
