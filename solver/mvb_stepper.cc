#include <solver/mvb_stepper.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>

namespace mvb
{
  using physics::MvbFate;
  using physics::MvbMode;

  namespace
  {
    using physics::Effect;
    using physics::Requirement;
    using physics::transition_table;

    struct Candidate
    {
      unsigned int transition; // in physics::transition_table
      double       rate;
    };

    constexpr double infinity = std::numeric_limits<double>::infinity();

    // More events than this in one step means dt is far too long for the
    // rates: the rest of the step is spent without further transitions.
    constexpr unsigned int max_events_per_step = 64;

    // Round-off of the facet searches (um): a bound decides a comparison
    // only by more than this.
    constexpr double round_off = 1e-12;

    // How far beyond the largest distance a rate asks about the membranes
    // are searched (um). Only the work depends on it: more means rarer but
    // dearer searches for MVBs far from a membrane.
    constexpr double search_slack = 1;

    // Whether a distance that is @p value at the anchor, and @p moved away
    // from it now, is at most @p threshold: 1 surely, 0 surely not, -1
    // the bound cannot tell (always for an unknown, NaN, value).
    int
    at_most(const double value, const double moved, const double threshold)
    {
      if (value + moved + round_off <= threshold)
        return 1;
      if (value - moved - round_off > threshold)
        return 0;
      return -1;
    }
  } // namespace

  template <int dim>
  MvbStepper<dim>::MvbStepper(const physics::MvbKinetics    &kinetics,
                              const mesh::CellGeometry<dim> &geometry,
                              const mesh::TrackNetwork<dim> &tracks,
                              const double                   capture_radius,
                              const std::uint64_t            seed)
      : kinetics(kinetics)
      , geometry(geometry)
      , tracks(tracks)
      , capture_radius(capture_radius)
      , seed(seed)
      , margin(kinetics.parameters().membrane_clearance)
      , search_radius(std::max({geometry.parameters().cortex_thickness,
                                kinetics.parameters().docking_distance,
                                margin}) +
                      search_slack)
  {
    // Rates at their largest: full Rab7, lysosomes everywhere, as an MVB
    // and as an amphisome.
    physics::Surroundings most;
    most.fields.values.fill(1e3); // uM: saturating, and finite
    for (unsigned int t = 0; t < physics::n_transitions; ++t)
      {
        possible[t] = false;
        for (const bool amphisome : {false, true})
          for (unsigned int m = 0; m < physics::n_mvb_modes; ++m)
            {
              physics::MvbState s;
              s.mode      = static_cast<MvbMode>(m);
              s.rab7      = 1;
              s.chi_ilv   = 1;
              s.amphisome = amphisome;
              if (physics::contains(transition_table[t].from, s.mode))
                possible[t] = possible[t] ||
                              (kinetics.*transition_table[t].rate)(s, most) > 0;
            }
      }
  }

  template <int dim>
  double
  MvbStepper<dim>::distance_to(const mesh::BoundarySurface<dim> &surface,
                               const Point<dim>                 &x,
                               const double                      known,
                               const double                      moved,
                               const double                      from_cytoplasm,
                               Tensor<1, dim> *outward_normal) const
  {
    using NearestPoint = typename mesh::BoundarySurface<dim>::NearestPoint;
    std::optional<NearestPoint> nearest;
    if (std::abs(known) < search_radius) // exact, so it bounds the search
      nearest = surface.nearest(x, std::abs(known) + moved);
    else
      nearest = surface.nearest_within(x, search_radius);
    if (!nearest)
      {
        if (from_cytoplasm < search_radius)
          return search_radius;
        nearest = surface.nearest(x);
      }
    if (outward_normal != nullptr)
      *outward_normal = nearest->outward_normal;
    return nearest->signed_distance(x);
  }

  template <int dim>
  void
  MvbStepper<dim>::measure(const Point<dim>       &x,
                           MembraneDistances<dim> &membranes) const
  {
    ++counts.membrane_searches;
    const double moved = x.distance(membranes.anchor);
    membranes.anchor   = x;
    membranes.depth =
      distance_to(geometry.plasma_membrane(), x, membranes.depth, moved, 0);
    membranes.height =
      distance_to(geometry.nuclear_envelope(), x, membranes.height, moved, 0);
  }

  template <int dim>
  MvbStepper<dim>::Place::Place(const MvbStepper       &stepper,
                                const Point<dim>       &x,
                                MembraneDistances<dim> &membranes)
      : stepper(stepper)
      , x(x)
      , membranes(membranes)
  {
  }

  template <int dim>
  bool
  MvbStepper<dim>::Place::depth_at_most(const double threshold)
  {
    const double moved = x.distance(membranes.anchor);
    const int    known = at_most(membranes.depth, moved, threshold);
    if (known >= 0)
      return known == 1;
    stepper.measure(x, membranes);
    return membranes.depth <= threshold;
  }

  template <int dim>
  bool
  MvbStepper<dim>::Place::in_cortex()
  {
    return depth_at_most(stepper.geometry.parameters().cortex_thickness);
  }

  template <int dim>
  bool
  MvbStepper<dim>::Place::near_membrane()
  {
    return depth_at_most(stepper.kinetics.parameters().docking_distance);
  }

  template <int dim>
  double
  MvbStepper<dim>::Place::lysosome_density_bound() const
  {
    // The height is a lower bound (or NaN, unknown: no bound, L <= 1).
    const double moved = x.distance(membranes.anchor);
    const double height =
      std::isnan(membranes.height)
        ? 0.
        : std::max(0., membranes.height - moved - round_off);
    return stepper.kinetics.lysosome_density(
      std::min(height, x.distance(stepper.geometry.mtoc())));
  }

  template <int dim>
  double
  MvbStepper<dim>::lysosome_density(const Point<dim> &x) const
  {
    return kinetics.lysosome_density(
      std::min(geometry.distance_to_nuclear_envelope(x),
               x.distance(geometry.mtoc())));
  }

  template <int dim>
  double
  MvbStepper<dim>::speed(const physics::MvbState &state) const
  {
    const auto speed = physics::info(state.mode).speed;
    return speed != nullptr ? kinetics.parameters().*speed : 0.;
  }

  template <int dim>
  bool
  MvbStepper<dim>::diffuse(Point<dim>             &x,
                           const double            duration,
                           RandomStream           &random,
                           MembraneDistances<dim> &membranes,
                           const double            closest_approach) const
  {
    const double sigma =
      std::sqrt(2 * kinetics.parameters().diffusion_coefficient * duration);
    Tensor<1, dim> step;
    for (unsigned int d = 0; d < dim; ++d)
      step[d] = sigma * random.normal();
    Point<dim> y = x + step;
    // The plasma membrane's side is held off by closest_approach: the
    // depth is shifted by the excess over the clearance (0 without the
    // barrier, which leaves the test bit for bit as it was).
    const double excess = closest_approach - margin;
    // Far enough from both membranes by the bounds: no search needed.
    if (std::min(membranes.depth - excess, membranes.height) -
          y.distance(membranes.anchor) - round_off >=
        margin)
      {
        x = y;
        return false;
      }

    ++counts.membrane_searches;
    // The anchor's values bound the distances at y for the first try.
    double       pm_known = membranes.depth, ne_known = membranes.height;
    double       moved   = y.distance(membranes.anchor);
    bool         touched = false;
    const double unknown = std::numeric_limits<double>::quiet_NaN();
    for (unsigned int attempt = 0; attempt < 4; ++attempt)
      {
        Tensor<1, dim> normal;
        const double   depth = distance_to(geometry.plasma_membrane(),
                                         y,
                                         pm_known,
                                         moved,
                                         y.distance(x),
                                         &normal);
        if (depth < closest_approach)
          {
            // Mirror at the surface parallel to the membrane, margin (or
            // the cortex barrier) in.
            y -= 2 * (closest_approach - depth) * normal;
            touched  = touched || excess == 0;
            pm_known = ne_known = unknown;
            continue;
          }
        const double height = distance_to(geometry.nuclear_envelope(),
                                          y,
                                          ne_known,
                                          moved,
                                          y.distance(x),
                                          &normal);
        if (height < margin)
          {
            y -= 2 * (margin - height) * normal;
            pm_known = ne_known = unknown;
            continue;
          }
        x                = y;
        membranes.anchor = y;
        membranes.depth  = depth;
        membranes.height = height;
        return touched;
      }
    // A corner that several reflections do not resolve: stay put.
    return touched;
  }

  template <int dim>
  typename MvbStepper<dim>::Outcome
  MvbStepper<dim>::advance(const std::uint64_t         id,
                           const std::uint64_t         step,
                           const double                dt,
                           const physics::LocalFields &fields,
                           Point<dim>                 &x,
                           physics::MvbState          &s,
                           MembraneDistances<dim>     &membranes) const
  {
    using Hit      = typename mesh::TrackNetwork<dim>::Hit;
    const auto  &p = kinetics.parameters();
    RandomStream events(seed, id, step, RandomPurpose::events);
    RandomStream motion(seed, id, step, RandomPurpose::brownian);
    RandomStream choice(seed, id, step, RandomPurpose::track_choice);
    Outcome      outcome;

    double remaining = dt;
    for (unsigned int n = 0; remaining > 0; ++n)
      {
        const physics::ModeInfo &mode = physics::info(s.mode);
        Place                    here(*this, x, membranes);
        physics::Surroundings    around;
        around.fields = fields;
        // Rates that read L(x) are offered at an upper bound of it and
        // thinned when they fire (accepted with L(x)/bound): exact, and
        // L(x) needs a search only then.
        double lysosome_bound = -1;

        std::array<Candidate, physics::n_transitions> candidates;
        unsigned int                                  n_candidates = 0;
        double                                        time_to_end  = infinity;
        const Hit                                     no_hit{0, 0, infinity};
        Hit microtubule_hit = no_hit, actin_hit = no_hit;
        // The nearest track of a type within the capture radius.
        const auto in_reach = [&](const mesh::TrackType type, Hit &hit) {
          ++counts.track_queries;
          if (const auto near = tracks.nearest_track(x, capture_radius, type))
            {
              hit = *near;
              return true;
            }
          return false;
        };

        for (unsigned int t = 0; t < physics::n_transitions; ++t)
          {
            const physics::TransitionInfo &rule = transition_table[t];
            if (!possible[t] || !physics::contains(rule.from, s.mode))
              continue;
            if (rule.uses_lysosome_density && lysosome_bound < 0)
              around.lysosome_density = lysosome_bound =
                here.lysosome_density_bound();
            const double rate = (kinetics.*rule.rate)(s, around);
            if (!(rate > 0))
              continue;
            bool met = true;
            switch (rule.needs)
              {
                case Requirement::anywhere:
                  break;
                case Requirement::microtubule_in_reach:
                  met = in_reach(mesh::TrackType::microtubule, microtubule_hit);
                  break;
                case Requirement::actin_in_cortex:
                  met = here.in_cortex() &&
                        in_reach(mesh::TrackType::actin, actin_hit);
                  break;
                case Requirement::near_membrane:
                  met = here.near_membrane();
                  break;
              }
            if (met)
              candidates[n_candidates++] = {t, rate};
          }

        const double v = speed(s);
        if (v > 0)
          {
            const double length = tracks.track(s.track).length();
            if (mode.direction < 0)
              time_to_end = s.arc > 0 ? s.arc / v : infinity; // stalls
            else if (s.arc < length)
              time_to_end = (length - s.arc) / v;
            else // at a plus end a run ends; at a barbed end it stalls
              time_to_end =
                mode.track == physics::TrackKind::microtubule ? 0 : infinity;
          }

        double total_rate = 0;
        for (unsigned int i = 0; i < n_candidates; ++i)
          total_rate += candidates[i].rate;
        const double waiting  = (total_rate > 0 && n < max_events_per_step)
                                  ? events.exponential(total_rate)
                                  : infinity;
        const double duration = std::min({waiting, time_to_end, remaining});

        // Motion over the piece.
        if (s.mode == MvbMode::free)
          {
            if (duration > 0 && p.diffusion_coefficient > 0)
              {
                // Behind the cortex barrier, a free MVB stays out of the
                // cortex; inside it (let go there), it may move anywhere.
                const double closest_approach =
                  (p.cortex_barrier && !here.in_cortex())
                    ? geometry.parameters().cortex_thickness
                    : margin;
                outcome.touched_plasma_membrane |=
                  diffuse(x, duration, motion, membranes, closest_approach);
              }
          }
        else if (v > 0 && duration > 0)
          {
            const double length = tracks.track(s.track).length();
            s.arc =
              (duration == time_to_end)
                ? (mode.direction > 0 ? length : 0.)
                : std::clamp(s.arc + mode.direction * v * duration, 0., length);
            x = tracks.position(s.track, s.arc);
          }
        remaining = (duration == remaining) ? 0. : remaining - duration;

        if (duration == time_to_end)
          {
            ++outcome.n_events;
            // Dynein and myosin stall at their ends until another
            // transition. A microtubule run that reaches its plus end, in
            // the cortex, hands off to cortical actin nearby, else releases
            // the MVB (T4, 001 Fig. 4): either way it came to the cortex on
            // kinesin.
            if (mode.direction < 0 ||
                mode.track != physics::TrackKind::microtubule)
              continue;
            Hit hit                = no_hit;
            s.microtubule_delivery = true;
            if (in_reach(mesh::TrackType::actin, hit))
              {
                s.mode  = MvbMode::myosin;
                s.track = int(hit.track);
                s.arc   = hit.arc;
                x       = tracks.position(hit.track, hit.arc);
              }
            else
              {
                s.mode  = MvbMode::free;
                s.track = -1;
                s.arc   = 0;
              }
            continue;
          }
        if (duration < waiting)
          break; // the step is over

        // Which transition fired.
        ++outcome.n_events;
        double       pick   = events.uniform() * total_rate;
        unsigned int chosen = candidates[n_candidates - 1].transition;
        for (unsigned int i = 0; i < n_candidates; ++i)
          {
            if (pick < candidates[i].rate)
              {
                chosen = candidates[i].transition;
                break;
              }
            pick -= candidates[i].rate;
          }
        const physics::TransitionInfo &rule = transition_table[chosen];
        if (rule.uses_lysosome_density &&
            events.uniform() * lysosome_bound >= lysosome_density(x))
          continue; // thinned: the bound's excess, not an event
        const double now = dt - remaining;
        switch (rule.effect)
          {
            case Effect::bind_microtubule:
              s.mode  = choice.uniform() < kinetics.dynein_share(s.rab7)
                          ? MvbMode::dynein
                          : MvbMode::kinesin;
              s.track = int(microtubule_hit.track);
              s.arc   = microtubule_hit.arc;
              x       = tracks.position(microtubule_hit.track, s.arc);
              s.microtubule_delivery = false;
              break;
            case Effect::bind_actin:
              s.mode  = MvbMode::myosin;
              s.track = int(actin_hit.track);
              s.arc   = actin_hit.arc;
              x       = tracks.position(actin_hit.track, s.arc);
              break;
            case Effect::to_mode:
              s.mode  = rule.target;
              s.track = -1;
              s.arc   = 0;
              break;
            case Effect::switch_motor:
              s.mode =
                s.mode == MvbMode::kinesin ? MvbMode::dynein : MvbMode::kinesin;
              break;
            case Effect::become_amphisome:
              s.amphisome = true;
              break;
            case Effect::fuse:
              outcome.fate       = MvbFate::fused;
              outcome.event_time = now;
              return outcome;
            case Effect::degrade:
              outcome.fate       = MvbFate::degraded;
              outcome.event_time = now;
              return outcome;
          }
      }
    return outcome;
  }

  template class MvbStepper<2>;
  template class MvbStepper<3>;
} // namespace mvb
