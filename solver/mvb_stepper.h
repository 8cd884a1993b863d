#pragma once

#include <mesh/cell_geometry.h>
#include <mesh/track_network.h>
#include <physics/mvb_kinetics.h>
#include <solver/random_stream.h>

#include <deal.II/base/point.h>

#include <cstdint>
#include <vector>

namespace mvb
{
  using namespace dealii;

  /**
   * Moves one MVB through one time step: Brownian motion with reflection
   * at the membranes, transport along its track at the motor's speed, and
   * the transitions T2-T9 of model.md section 4.
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
   * the result depends on nothing but the MVB and the step.
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
      // Time into the step at which the MVB fused or was degraded.
      double event_time = 0;
      // A free MVB was reflected at the plasma membrane during the step.
      bool touched_plasma_membrane = false;
      // Transitions that fired, track ends included.
      unsigned int n_events = 0;
    };

    /**
     * Advances the MVB with @p id at @p x in @p state by @p dt (the step
     * number @p step keys its random numbers). @p clearance is a lower
     * bound of its distance to the membranes that the stepper keeps up to
     * date (negative: unknown), so that most Brownian steps need no
     * surface search. The internal state (ILVs, Rab7, ...) is not changed
     * here: see physics::MvbKinetics::mature().
     */
    Outcome
    advance(std::uint64_t               id,
            std::uint64_t               step,
            double                      dt,
            const physics::LocalFields &fields,
            Point<dim>                 &x,
            physics::MvbState          &state,
            double                     &clearance) const;

    /**
     * Brownian displacement of a free MVB over @p duration, reflected at
     * the membranes (at the clearance distance). Returns true if it was
     * reflected at the plasma membrane.
     */
    bool
    diffuse(Point<dim>   &x,
            double        duration,
            RandomStream &random,
            double       &clearance) const;

    /** True if the MVB is in the perinuclear lysosome zone. */
    bool
    in_lysosome_zone(const Point<dim> &x) const;

  private:
    // The motor's speed in the MVB's mode (0 if it is not bound).
    double
    speed(const physics::MvbState &state) const;

    const physics::MvbKinetics    &kinetics;
    const mesh::CellGeometry<dim> &geometry;
    const mesh::TrackNetwork<dim> &tracks;
    const double                   capture_radius;
    const std::uint64_t            seed;
    const double                   margin; // membrane clearance

    // Scratch space for track queries (one stepper per thread).
    mutable std::vector<typename mesh::TrackNetwork<dim>::Hit> hits;
  };
} // namespace mvb
