#pragma once

#include <mesh/cell_geometry.h>
#include <mesh/track_network.h>
#include <physics/mvb_kinetics.h>
#include <solver/random_stream.h>

#include <deal.II/base/point.h>

#include <physics/mvb_transitions.h>

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

namespace mvb
{
  using namespace dealii;

  /**
   * What an MVB knows of its distances to the membranes without a search:
   * the signed depth below the plasma membrane and the height above the
   * nuclear envelope (as CellGeometry measures them) at an anchor point.
   * Distances to a surface change no faster than the point moves, so at x
   * each lies within |x - anchor| of its anchor value: most steps of an
   * MVB decide "in the cortex?", "near enough to dock?", "how many
   * lysosomes at most?" and "can it touch a membrane?" from these bounds, and
   * search the membranes' facets only when the bounds cannot tell.
   *
   * A value below the stepper's search radius is exact; one at or above it
   * is a lower bound only (the search looked no further: nothing of that
   * membrane is closer), which is all a far MVB needs.
   */
  template <int dim>
  struct MembraneDistances
  {
    Point<dim> anchor;
    // NaN: unknown (a newborn MVB), so that every bound is undecided.
    double depth  = std::numeric_limits<double>::quiet_NaN();
    double height = std::numeric_limits<double>::quiet_NaN();
  };

  /**
   * Moves one MVB through one time step: Brownian motion with reflection
   * at the membranes, transport along its track at the motor's speed, and
   * the transitions T2-T10 of physics/MODEL.md section 4, as the mode
   * graph physics::transition_table lists them.
   *
   * Within a step the process is simulated event by event: with the rates
   * of the current mode and place (total K), the time to the next
   * transition is exponential with rate K (so the probability that one
   * happens within dt is 1 - exp(-K dt)), and reaching the end of a track
   * is an event at its exact time. A velocity jump is therefore exact for
   * any dt; only where a rate depends on position (near a track, in the
   * cortex) is the condition read at the start of each piece of motion.
   *
   * Every random number comes from RandomStream(seed, id, step, purpose):
   * the result depends on nothing but the MVB and the step. The membrane
   * searches that the MembraneDistances bounds save change nothing but the
   * time a step takes: a decision is made from the bounds only where they
   * give the same answer as the search.
   */
  template <int dim>
  class MvbStepper
  {
  public:
    MvbStepper(const physics::MvbKinetics    &kinetics,
               const mesh::CellGeometry<dim> &geometry,
               const mesh::TrackNetwork<dim> &tracks,
               double                         capture_radius,
               std::uint64_t                  seed);

    struct Outcome
    {
      physics::MvbFate fate = physics::MvbFate::alive;
      // Time into the step at which the MVB fused or was degraded (for an
      // amphisome, state.amphisome says which degradation).
      double event_time = 0;
      // A free MVB was reflected at the plasma membrane during the step.
      bool touched_plasma_membrane = false;
      // Transitions that fired, track ends included.
      unsigned int n_events = 0;
    };

    /**
     * Advances the MVB with @p id at @p x in @p state by @p dt (the step
     * number @p step keys its random numbers). @p membranes are the
     * MVB's distance bounds, which the stepper keeps up to date. The
     * internal state (ILVs, Rab7, ...) is not changed here: see
     * physics::MvbKinetics::mature().
     */
    Outcome
    advance(std::uint64_t               id,
            std::uint64_t               step,
            double                      dt,
            const physics::LocalFields &fields,
            Point<dim>                 &x,
            physics::MvbState          &state,
            MembraneDistances<dim>     &membranes) const;

    /**
     * Brownian displacement of a free MVB over @p duration, reflected at
     * the membranes (at the clearance distance), or at @p closest_approach
     * to the plasma membrane if that is larger (the cortex barrier).
     * Returns true if it was reflected at the plasma membrane itself.
     */
    bool
    diffuse(Point<dim>             &x,
            double                  duration,
            RandomStream           &random,
            MembraneDistances<dim> &membranes,
            double                  closest_approach) const;

    /** L(x) exactly: from the MTOC and the nuclear envelope's distances. */
    double
    lysosome_density(const Point<dim> &x) const;

    /** Work done so far, for benchmarks. */
    struct Statistics
    {
      unsigned long membrane_searches = 0; // of both membranes' facets
      unsigned long track_queries     = 0; // tracks near a point
    };

    const Statistics &
    statistics() const
    {
      return counts;
    }

  private:
    /**
     * Where an MVB is, as far as the requirements of its transitions care
     * (physics::Requirement): each predicate is decided when first asked,
     * from the distance bounds where they tell, else by one search of both
     * membranes, which moves the anchor to the MVB.
     */
    class Place
    {
    public:
      Place(const MvbStepper       &stepper,
            const Point<dim>       &x,
            MembraneDistances<dim> &membranes);

      bool
      in_cortex();

      bool
      near_membrane();

      /** An upper bound of L(x), from the distance bounds. */
      double
      lysosome_density_bound() const;

    private:
      // Whether the depth below the plasma membrane is at most @p threshold.
      bool
      depth_at_most(double threshold);

      const MvbStepper       &stepper;
      const Point<dim>       &x;
      MembraneDistances<dim> &membranes;
    };

    /** Both distances at @p x by searching the facets; anchors there. */
    void
    measure(const Point<dim> &x, MembraneDistances<dim> &membranes) const;

    /**
     * The signed distance of @p x from @p surface, positive on the
     * cytoplasm's side: exact below search_radius, else search_radius (a
     * lower bound). @p known is its value at a point @p moved away (NaN if
     * unknown); an exact one bounds the search. @p x is @p from_cytoplasm
     * away from a point in the cytoplasm (an MVB's position): if that is
     * less than search_radius and nothing of the surface is that close,
     * the segment between them does not cross it, so @p x is in the
     * cytoplasm too; otherwise the whole surface is searched. The outward
     * normal of the nearest facet, if one was found, into
     * @p outward_normal.
     */
    double
    distance_to(const mesh::BoundarySurface<dim> &surface,
                const Point<dim>                 &x,
                double                            known,
                double                            moved,
                double                            from_cytoplasm,
                Tensor<1, dim> *outward_normal = nullptr) const;

    // The motor's speed in the MVB's mode (0 if it is not bound).
    double
    speed(const physics::MvbState &state) const;

    // Whether a transition can ever happen with these parameters (its rate
    // at full Rab7 activity, in or out of an amphisome, and L = 1 > 0), by
    // transition: predicates only they need are not asked otherwise.
    std::array<bool, physics::n_transitions> possible;

    const physics::MvbKinetics    &kinetics;
    const mesh::CellGeometry<dim> &geometry;
    const mesh::TrackNetwork<dim> &tracks;
    const double                   capture_radius;
    const std::uint64_t            seed;
    const double                   margin; // membrane clearance
    // How far the membranes are searched: beyond every distance a rate
    // asks about, by room enough for an MVB to travel before it must look
    // again.
    const double search_radius;

    mutable Statistics counts;
  };
} // namespace mvb
