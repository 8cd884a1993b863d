#include <physics/mvb_kinetics.h>

#include <algorithm>
#include <cmath>

namespace mvb::physics
{
  namespace
  {
    // x^n / (K^n + x^n), zero for x <= 0.
    double
    hill(const double x, const double half, const double n)
    {
      const double xn = std::pow(std::max(x, 0.), n);
      return xn / (std::pow(half, n) + xn);
    }

    constexpr unsigned int escrt    = 0;
    constexpr unsigned int ceramide = 1;
  } // namespace

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
  MvbKinetics::microtubule_binding_rate(const MvbState &,
                                        const Surroundings &) const
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
  MvbKinetics::switching_rate(const MvbState &s, const Surroundings &) const
  {
    const double p = dynein_share(s.rab7);
    return prm.switching_rate * (s.mode == MvbMode::kinesin ? p : 1 - p);
  }

  double
  MvbKinetics::microtubule_unbinding_rate(const MvbState &,
                                          const Surroundings &) const
  {
    return prm.microtubule_unbinding_rate;
  }

  double
  MvbKinetics::actin_binding_rate(const MvbState &, const Surroundings &) const
  {
    return prm.actin_binding_rate * prm.perturbations.cortactin;
  }

  double
  MvbKinetics::actin_unbinding_rate(const MvbState &,
                                    const Surroundings &) const
  {
    return prm.actin_unbinding_rate;
  }

  double
  MvbKinetics::docking_rate(const MvbState &, const Surroundings &) const
  {
    return prm.docking_rate * prm.perturbations.rab27a *
           prm.perturbations.cortactin;
  }

  double
  MvbKinetics::undocking_rate(const MvbState &, const Surroundings &) const
  {
    return prm.undocking_rate;
  }

  double
  MvbKinetics::calcium_factor(const double calcium) const
  {
    const double a = prm.calcium_sensitivity * prm.perturbations.syt7;
    const double n = prm.calcium_hill_exponent;
    const double k = prm.calcium_half_activation;
    return (1 - a) +
           a * hill(calcium, k, n) / hill(prm.calcium_reference, k, n);
  }

  double
  MvbKinetics::fusion_competence(const double chi_ilv) const
  {
    return hill(chi_ilv,
                prm.fusion_cholesterol_half,
                prm.fusion_cholesterol_hill);
  }

  double
  MvbKinetics::fusion_rate(const MvbState &s, const Surroundings &here) const
  {
    return prm.basal_fusion_rate * prm.perturbations.snare *
           calcium_factor(here.fields[CoupledSpecies::calcium]) *
           fusion_competence(s.chi_ilv) *
           (s.amphisome ? prm.amphisome_fusion_factor : 1.);
  }

  double
  MvbKinetics::lysosome_density(const double distance) const
  {
    const double floor = prm.lysosome_floor;
    return floor + (1 - floor) *
                     std::exp(-std::max(distance, 0.) / prm.lysosome_length);
  }

  double
  MvbKinetics::lysosomal_degradation_rate(const MvbState     &s,
                                          const Surroundings &here) const
  {
    const auto &g = prm.perturbations;
    return s.amphisome ? 0.
                       : prm.lysosome_rate * here.lysosome_density * s.rab7 *
                           g.isg * g.vatpase;
  }

  double
  MvbKinetics::amphisomal_degradation_rate(const MvbState     &s,
                                           const Surroundings &here) const
  {
    return s.amphisome ? prm.amphisome_degradation_rate *
                           here.lysosome_density * prm.perturbations.vatpase
                       : 0.;
  }

  double
  MvbKinetics::amphisome_formation_rate(const MvbState &s,
                                        const Surroundings &) const
  {
    return s.amphisome ? 0. : prm.autophagy_rate * prm.perturbations.autophagy;
  }

  double
  MvbKinetics::cholesterol_content(const MvbState &s) const
  {
    return prm.cholesterol_capacity *
           (s.chi_lm + s.chi_ilv * s.ilv_count() / prm.max_ilv);
  }

  SpeciesValues
  MvbKinetics::held(const MvbState &s) const
  {
    SpeciesValues h;
    h[CoupledSpecies::cholesterol] = cholesterol_content(s);
    h[CoupledSpecies::cargo]       = s.cargo;
    h[CoupledSpecies::label]       = s.label;
    return h;
  }

  FieldExchange
  MvbKinetics::field_exchange(const MaturationExchange &maturation,
                              const MvbState           &state,
                              const MvbFate             fate) const
  {
    FieldExchange       e;
    const SpeciesValues content = held(state);
    for (const auto &species : coupled_species_table)
      {
        const auto s = species.species;
        e[s]         = -maturation.taken[s];
        if (fate == MvbFate::degraded &&
            species.at_degradation == AtDegradation::returned)
          e[s] += content[s];
      }
    return e;
  }

  MvbState
  MvbKinetics::newborn() const
  {
    MvbState s;
    s.rab7    = prm.initial_rab7;
    s.newborn = true;
    return s;
  }

  void
  MvbKinetics::take_birth_cholesterol(MvbState           &s,
                                      const LocalFields  &fields,
                                      MaturationExchange &exchange) const
  {
    const double h = std::max(fields[CoupledSpecies::cholesterol], 0.);
    s.chi_lm =
      std::min(1., prm.initial_cholesterol * h / prm.cholesterol_reference);
    exchange.taken[CoupledSpecies::cholesterol] +=
      prm.cholesterol_capacity * s.chi_lm;
    s.newborn = false;
  }

  std::array<double, 2>
  MvbKinetics::ilv_drives(const LocalFields &fields) const
  {
    const auto  &g = prm.perturbations;
    const double u = std::max(fields[CoupledSpecies::cargo], 0.);
    return {{prm.escrt_rate * g.escrt * u / (prm.cargo_half_saturation + u),
             prm.ceramide_rate * g.nsmase2}};
  }

  void
  MvbKinetics::mature(MvbState           &s,
                      const LocalFields  &fields,
                      const double        dt,
                      MaturationExchange &exchange) const
  {
    const auto &g = prm.perturbations;
    if (s.newborn)
      take_birth_cholesterol(s, fields, exchange);

    // ILVs: dN/dt = (a_E + a_C)(1 - N/N_max) with N = N_E + N_C, exact;
    // the routes share the new ILVs as a_E : a_C, constant over the step.
    const auto   drive = ilv_drives(fields);
    const double a     = drive[escrt] + drive[ceramide];
    const double n_max = prm.max_ilv;
    const double n_old = s.ilv_count();
    if (a > 0 && n_old < n_max)
      {
        const double n_new =
          n_max - (n_max - n_old) * std::exp(-a * dt / n_max);
        const double dn   = std::max(0., n_new - n_old);
        const double dn_e = dn * drive[escrt] / a;
        const double dn_c = dn - dn_e;

        // Cargo goes into the new ILVs of both routes; the label by its
        // share of the local cargo.
        const double u          = std::max(fields[CoupledSpecies::cargo], 0.);
        const double saturation = u / (prm.cargo_half_saturation + u);
        const double dq         = prm.cargo_per_ilv * saturation * dn;
        const double share =
          u > 0 ? std::clamp(fields[CoupledSpecies::label] / u, 0., 1.) : 0.;
        s.cargo += dq;
        s.label += dq * share;
        exchange.taken[CoupledSpecies::cargo] += dq;
        exchange.taken[CoupledSpecies::label] += dq * share;

        // ILV membrane comes from the limiting membrane: the N_max ILVs
        // together have its area, and a route's ILVs take its cholesterol
        // enriched by epsilon_route, at most a pure-cholesterol membrane:
        // dchi_LM = -sum_route min(eps_route chi_LM, 1) dN_route / N_max,
        // each route's part an exponential in its new area (the cap read
        // at the start of the step).
        double moved = 0;
        for (const auto &[enrichment, dn_route] :
             {std::pair{prm.escrt_enrichment, dn_e},
              std::pair{prm.ceramide_enrichment, dn_c}})
          moved +=
            std::min(s.chi_lm * (1 - std::exp(-enrichment * dn_route / n_max)),
                     dn_route / n_max);
        moved     = std::min(moved, s.chi_lm);
        s.chi_ilv = (s.chi_ilv * n_old + moved * n_max) / (n_old + dn);
        s.chi_lm -= moved;
        s.ilv_escrt += dn_e;
        s.ilv_ceramide += dn_c;
      }

    // Uptake from the cytosol: dchi_LM/dt = k h/h_ref (1 - chi_LM), exact.
    const double k_up = prm.cholesterol_uptake_rate *
                        std::max(fields[CoupledSpecies::cholesterol], 0.) /
                        prm.cholesterol_reference;
    const double chi_before = s.chi_lm;
    s.chi_lm                = 1 - (1 - s.chi_lm) * std::exp(-k_up * dt);
    exchange.taken[CoupledSpecies::cholesterol] +=
      prm.cholesterol_capacity * (s.chi_lm - chi_before);

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
