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
    enum class Transition
    {
      bind_microtubule, // T2
      bind_actin,       // T5
      dock,             // T6
      degrade,          // T9
      switch_motor,     // T3
      unbind,           // T4 (and myosin -> free)
      undock,           // T7
      fuse              // T8
    };

    struct Candidate
    {
      Transition transition;
      double     rate;
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
                                kinetics.parameters().lysosome_zone_width,
                                margin}) +
                      search_slack)
  {
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
  typename MvbStepper<dim>::Place
  MvbStepper<dim>::place(const Point<dim>       &x,
                         const MvbMode           mode,
                         MembraneDistances<dim> &membranes) const
  {
    const auto  &p      = kinetics.parameters();
    const double cortex = geometry.parameters().cortex_thickness;
    // The predicates the mode's rates ask (MvbStepper::advance()).
    const bool asks_cortex =
      mode == MvbMode::free && kinetics.actin_binding_rate() > 0;
    const bool asks_docking =
      (mode == MvbMode::free || mode == MvbMode::myosin) &&
      kinetics.docking_rate() > 0;
    const bool asks_zone = kinetics.may_degrade();

    const double moved = x.distance(membranes.anchor);
    int          zone =
      asks_zone ? at_most(membranes.height, moved, p.lysosome_zone_width) : 0;
    int in_cortex = asks_cortex ? at_most(membranes.depth, moved, cortex) : 0;
    int near_membrane =
      asks_docking ? at_most(membranes.depth, moved, p.docking_distance) : 0;
    if (zone < 0 || in_cortex < 0 || near_membrane < 0)
      {
        measure(x, membranes);
        zone          = asks_zone && membranes.height <= p.lysosome_zone_width;
        in_cortex     = asks_cortex && membranes.depth <= cortex;
        near_membrane = asks_docking && membranes.depth <= p.docking_distance;
      }
    return {zone == 1, in_cortex == 1, near_membrane == 1};
  }

  template <int dim>
  double
  MvbStepper<dim>::speed(const physics::MvbState &state) const
  {
    const auto &p = kinetics.parameters();
    switch (state.mode)
      {
        case MvbMode::kinesin:
          return p.kinesin_speed;
        case MvbMode::dynein:
          return p.dynein_speed;
        case MvbMode::myosin:
          return p.myosin_speed;
        default:
          return 0;
      }
  }

  template <int dim>
  bool
  MvbStepper<dim>::diffuse(Point<dim>             &x,
                           const double            duration,
                           RandomStream           &random,
                           MembraneDistances<dim> &membranes) const
  {
    const double sigma =
      std::sqrt(2 * kinetics.parameters().diffusion_coefficient * duration);
    Tensor<1, dim> step;
    for (unsigned int d = 0; d < dim; ++d)
      step[d] = sigma * random.normal();
    Point<dim> y = x + step;
    // Far enough from both membranes by the bounds: no search needed.
    if (std::min(membranes.depth, membranes.height) -
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
        if (depth < margin)
          {
            // Mirror at the surface parallel to the membrane, margin in.
            y -= 2 * (margin - depth) * normal;
            touched  = true;
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
        const Place              here = place(x, s.mode, membranes);
        std::array<Candidate, 6> candidates;
        unsigned int             n_candidates = 0;
        const auto               add          = [&](Transition t, double rate) {
          if (rate > 0)
            candidates[n_candidates++] = {t, rate};
        };
        double    time_to_end = infinity;
        const Hit no_hit{0, 0, infinity};
        Hit       microtubule_hit = no_hit, actin_hit = no_hit;
        // Binding to the nearest track of a type within the capture radius.
        const auto offer_track = [&](const mesh::TrackType type,
                                     const Transition      t,
                                     const double          rate,
                                     Hit                  &hit) {
          ++counts.track_queries;
          if (const auto near = tracks.nearest_track(x, capture_radius, type))
            {
              hit = *near;
              add(t, rate);
            }
        };

        switch (s.mode)
          {
            case MvbMode::free:
              if (kinetics.microtubule_binding_rate() > 0)
                offer_track(mesh::TrackType::microtubule,
                            Transition::bind_microtubule,
                            kinetics.microtubule_binding_rate(),
                            microtubule_hit);
              if (here.in_cortex)
                offer_track(mesh::TrackType::actin,
                            Transition::bind_actin,
                            kinetics.actin_binding_rate(),
                            actin_hit);
              if (here.near_membrane)
                add(Transition::dock, kinetics.docking_rate());
              break;
            case MvbMode::kinesin:
            case MvbMode::dynein:
              add(Transition::switch_motor, kinetics.switching_rate(s.mode));
              add(Transition::unbind, kinetics.microtubule_unbinding_rate());
              break;
            case MvbMode::myosin:
              add(Transition::unbind, kinetics.actin_unbinding_rate());
              if (here.near_membrane)
                add(Transition::dock, kinetics.docking_rate());
              break;
            case MvbMode::docked:
              add(Transition::undock, kinetics.undocking_rate());
              add(Transition::fuse, kinetics.fusion_rate(s, fields));
              break;
          }
        if (here.in_zone)
          add(Transition::degrade, kinetics.degradation_rate(s));

        const double v = speed(s);
        if (v > 0)
          {
            const double length = tracks.track(s.track).length();
            if (s.mode == MvbMode::dynein)
              time_to_end = s.arc > 0 ? s.arc / v : infinity; // stalls
            else if (s.arc < length)
              time_to_end = (length - s.arc) / v;
            else
              time_to_end = s.mode == MvbMode::kinesin ? 0 : infinity;
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
              outcome.touched_plasma_membrane |=
                diffuse(x, duration, motion, membranes);
          }
        else if (v > 0 && duration > 0)
          {
            const double length = tracks.track(s.track).length();
            const double sign   = (s.mode == MvbMode::dynein) ? -1 : 1;
            s.arc               = (duration == time_to_end)
                                    ? (sign > 0 ? length : 0.)
                                    : std::clamp(s.arc + sign * v * duration, 0., length);
            x                   = tracks.position(s.track, s.arc);
          }
        remaining = (duration == remaining) ? 0. : remaining - duration;

        if (duration == time_to_end)
          {
            ++outcome.n_events;
            // Kinesin at a plus end: hand-off to cortical actin nearby,
            // else release (T4, model.md Fig. 4 of 001). Dynein and myosin
            // stall at their ends until another transition.
            if (s.mode == MvbMode::kinesin)
              {
                ++counts.track_queries;
                if (const auto hit =
                      tracks.nearest_track(x,
                                           capture_radius,
                                           mesh::TrackType::actin))
                  {
                    s.mode  = MvbMode::myosin;
                    s.track = int(hit->track);
                    s.arc   = hit->arc;
                    x       = tracks.position(hit->track, hit->arc);
                  }
                else
                  {
                    s.mode  = MvbMode::free;
                    s.track = -1;
                    s.arc   = 0;
                  }
              }
            continue;
          }
        if (duration < waiting)
          break; // the step is over

        // Which transition fired.
        ++outcome.n_events;
        double     pick   = events.uniform() * total_rate;
        Transition chosen = candidates[n_candidates - 1].transition;
        for (unsigned int i = 0; i < n_candidates; ++i)
          {
            if (pick < candidates[i].rate)
              {
                chosen = candidates[i].transition;
                break;
              }
            pick -= candidates[i].rate;
          }
        const double now = dt - remaining;
        switch (chosen)
          {
            case Transition::bind_microtubule:
              s.mode  = choice.uniform() < kinetics.dynein_share(s.rab7)
                          ? MvbMode::dynein
                          : MvbMode::kinesin;
              s.track = int(microtubule_hit.track);
              s.arc   = microtubule_hit.arc;
              x       = tracks.position(microtubule_hit.track, s.arc);
              break;
            case Transition::bind_actin:
              s.mode  = MvbMode::myosin;
              s.track = int(actin_hit.track);
              s.arc   = actin_hit.arc;
              x       = tracks.position(actin_hit.track, s.arc);
              break;
            case Transition::dock:
              s.mode  = MvbMode::docked;
              s.track = -1;
              s.arc   = 0;
              break;
            case Transition::switch_motor:
              s.mode =
                s.mode == MvbMode::kinesin ? MvbMode::dynein : MvbMode::kinesin;
              break;
            case Transition::unbind:
            case Transition::undock:
              s.mode  = MvbMode::free;
              s.track = -1;
              s.arc   = 0;
              break;
            case Transition::fuse:
              outcome.fate       = MvbFate::fused;
              outcome.event_time = now;
              return outcome;
            case Transition::degrade:
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
