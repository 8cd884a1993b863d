#include <solver/mvb_stepper.h>

#include <array>
#include <cmath>
#include <limits>

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
  {
    hits.reserve(64);
  }

  template <int dim>
  bool
  MvbStepper<dim>::in_lysosome_zone(const Point<dim> &x) const
  {
    return geometry.clearance_from_nuclear_envelope(x) <=
           kinetics.parameters().lysosome_zone_width;
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
  MvbStepper<dim>::diffuse(Point<dim>   &x,
                           const double  duration,
                           RandomStream &random,
                           double       &clearance) const
  {
    const double sigma =
      std::sqrt(2 * kinetics.parameters().diffusion_coefficient * duration);
    Tensor<1, dim> step;
    for (unsigned int d = 0; d < dim; ++d)
      step[d] = sigma * random.normal();
    const double length = step.norm();
    // Far from both membranes: no surface search needed.
    if (clearance - length >= margin)
      {
        x += step;
        clearance -= length;
        return false;
      }

    Point<dim> y       = x + step;
    bool       touched = false;
    for (unsigned int attempt = 0; attempt < 4; ++attempt)
      {
        const auto   pm = geometry.plasma_membrane().nearest(y);
        const double depth =
          (y - pm.point) * pm.outward_normal > 0 ? -pm.distance : pm.distance;
        if (depth < margin)
          {
            // Mirror at the surface parallel to the membrane, margin in.
            y -= 2 * (margin - depth) * pm.outward_normal;
            touched = true;
            continue;
          }
        const auto   ne = geometry.nuclear_envelope().nearest(y);
        const double height =
          (y - ne.point) * ne.outward_normal > 0 ? -ne.distance : ne.distance;
        if (height < margin)
          {
            y -= 2 * (margin - height) * ne.outward_normal;
            continue;
          }
        x         = y;
        clearance = std::min(depth, height);
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
                           double                     &clearance) const
  {
    using Hit      = typename mesh::TrackNetwork<dim>::Hit;
    const auto  &p = kinetics.parameters();
    RandomStream events(seed, id, step, RandomPurpose::events);
    RandomStream motion(seed, id, step, RandomPurpose::brownian);
    RandomStream choice(seed, id, step, RandomPurpose::track_choice);
    Outcome      outcome;

    // Distances to the membranes are looked up only where a rate depends
    // on them and the clearance bound cannot rule them out.
    const double near_threshold =
      std::max({p.lysosome_zone_width,
                geometry.parameters().cortex_thickness,
                p.docking_distance});
    double     depth = infinity, height = infinity;
    const auto locate = [&]() {
      if (clearance < near_threshold)
        {
          depth     = geometry.depth_below_plasma_membrane(x);
          height    = geometry.clearance_from_nuclear_envelope(x);
          clearance = std::min(depth, height);
        }
      else
        depth = height = infinity; // both beyond every threshold
    };
    const auto closest_hit = [](const std::vector<Hit> &list) {
      Hit best = list.front();
      for (const Hit &h : list)
        if (h.distance < best.distance)
          best = h;
      return best;
    };

    double remaining = dt;
    for (unsigned int n = 0; remaining > 0; ++n)
      {
        locate();
        const bool               in_zone = height <= p.lysosome_zone_width;
        std::array<Candidate, 6> candidates;
        unsigned int             n_candidates = 0;
        const auto               add          = [&](Transition t, double rate) {
          if (rate > 0)
            candidates[n_candidates++] = {t, rate};
        };
        double    time_to_end = infinity;
        const Hit no_hit{0, 0, infinity};
        Hit       microtubule_hit = no_hit, actin_hit = no_hit;

        switch (s.mode)
          {
            case MvbMode::free:
              if (kinetics.microtubule_binding_rate() > 0)
                {
                  tracks.tracks_near(x,
                                     capture_radius,
                                     mesh::TrackType::microtubule,
                                     hits);
                  if (!hits.empty())
                    {
                      microtubule_hit = closest_hit(hits);
                      add(Transition::bind_microtubule,
                          kinetics.microtubule_binding_rate());
                    }
                }
              if (kinetics.actin_binding_rate() > 0 &&
                  depth <= geometry.parameters().cortex_thickness)
                {
                  tracks.tracks_near(x,
                                     capture_radius,
                                     mesh::TrackType::actin,
                                     hits);
                  if (!hits.empty())
                    {
                      actin_hit = closest_hit(hits);
                      add(Transition::bind_actin,
                          kinetics.actin_binding_rate());
                    }
                }
              if (depth <= p.docking_distance)
                add(Transition::dock, kinetics.docking_rate());
              break;
            case MvbMode::kinesin:
            case MvbMode::dynein:
              add(Transition::switch_motor, kinetics.switching_rate(s.mode));
              add(Transition::unbind, kinetics.microtubule_unbinding_rate());
              break;
            case MvbMode::myosin:
              add(Transition::unbind, kinetics.actin_unbinding_rate());
              if (depth <= p.docking_distance)
                add(Transition::dock, kinetics.docking_rate());
              break;
            case MvbMode::docked:
              add(Transition::undock, kinetics.undocking_rate());
              add(Transition::fuse, kinetics.fusion_rate(s, fields));
              break;
          }
        if (in_zone)
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
                diffuse(x, duration, motion, clearance);
          }
        else if (v > 0 && duration > 0)
          {
            const double length = tracks.track(s.track).length();
            const double sign   = (s.mode == MvbMode::dynein) ? -1 : 1;
            s.arc               = (duration == time_to_end)
                                    ? (sign > 0 ? length : 0.)
                                    : std::clamp(s.arc + sign * v * duration, 0., length);
            x                   = tracks.position(s.track, s.arc);
            clearance -= v * duration;
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
                tracks.tracks_near(x,
                                   capture_radius,
                                   mesh::TrackType::actin,
                                   hits);
                if (!hits.empty())
                  {
                    const Hit h = closest_hit(hits);
                    s.mode      = MvbMode::myosin;
                    s.track     = int(h.track);
                    s.arc       = h.arc;
                    x           = tracks.position(h.track, h.arc);
                    clearance -= h.distance;
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
              clearance -= microtubule_hit.distance;
              break;
            case Transition::bind_actin:
              s.mode  = MvbMode::myosin;
              s.track = int(actin_hit.track);
              s.arc   = actin_hit.arc;
              x       = tracks.position(actin_hit.track, s.arc);
              clearance -= actin_hit.distance;
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
