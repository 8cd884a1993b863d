#pragma once

#include <mesh/facet_tree.h>

#include <deal.II/base/bounding_box.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/point.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mvb::mesh
{
  using namespace dealii;

  template <int dim>
  class CellGeometry;

  enum class TrackType : unsigned int
  {
    microtubule = 0,
    actin       = 1
  };

  /** "microtubule" or "actin". */
  std::string
  track_type_name(TrackType type);

  /**
   * One cytoskeletal filament as a polyline. Vertex 0 is the minus end of a
   * microtubule (at the MTOC) or the pointed end of an actin filament; the
   * last vertex is the plus end (in the cortex) or the barbed end (towards
   * the plasma membrane). Arc length runs from 0 at the first vertex.
   */
  template <int dim>
  struct Track
  {
    unsigned int            id   = 0;
    TrackType               type = TrackType::microtubule;
    std::vector<Point<dim>> vertices;
    std::vector<double>     arc; // arc length at each vertex

    double
    length() const
    {
      return arc.back();
    }
  };

  /**
   * Subsection "MVB/Tracks": how the network is made.
   */
  struct TrackParameters
  {
    static void
    declare_parameters(ParameterHandler &prm);

    /** Reads the subsection; file paths relative to @p input_directory. */
    void
    parse_parameters(ParameterHandler  &prm,
                     const std::string &input_directory,
                     unsigned int       dimension);

    bool        from_file = false;
    std::string file; // absolute path

    unsigned int n_microtubules = 300;
    // Half-angle of the cone of initial directions around the focus.
    double angular_spread = 180; // degrees
    enum class Focus
    {
      none,
      contact_patch,
      direction
    } focus = Focus::none;
    std::vector<double> focus_direction;
    double              microtubule_segment = 0.5;  // um
    double              persistence_length  = 20;   // um
    double              actin_density       = 0.5;  // 1/um^2 (1/um in 2D)
    double              actin_length        = 1;    // um
    double              capture_radius      = 0.25; // um
  };

  /**
   * The cytoskeleton: microtubules and cortical actin, replicated on every
   * rank (it is small next to the mesh). A bounding-volume hierarchy of the
   * segments of each type (SegmentTree) answers "the nearest track within
   * rho of x" from a few boxes near x, not from all tracks, however many
   * microtubules meet at the MTOC.
   */
  template <int dim>
  class TrackNetwork
  {
  public:
    struct Hit
    {
      unsigned int track;
      double       arc;      // arc position of the closest point
      double       distance; // from the query point
    };

    /** Adds a track (at least two distinct vertices); returns its id. */
    unsigned int
    add(TrackType type, const std::vector<Point<dim>> &vertices);

    /** Builds the search trees. Call after the last add(). */
    void
    build_index();

    unsigned int
    n_tracks() const
    {
      return tracks.size();
    }

    unsigned int
    n_tracks(TrackType type) const;

    const Track<dim> &
    track(const unsigned int i) const
    {
      return tracks[i];
    }

    /** Point at arc position @p s (clamped to the track). */
    Point<dim>
    position(unsigned int track, double s) const;

    /** Unit tangent at @p s, towards the plus (barbed) end. */
    Tensor<1, dim>
    tangent(unsigned int track, double s) const;

    /** Closest point of the track to @p x. */
    Hit
    closest(unsigned int track, const Point<dim> &x) const;

    /**
     * The track of @p type closest to @p x, if it is within @p radius
     * (distance at most radius); among tracks at the same distance the one
     * with the lowest id, and on it the lowest segment.
     */
    std::optional<Hit>
    nearest_track(const Point<dim> &x, double radius, TrackType type) const;

    /**
     * Every track of @p type with a point within @p radius of @p x, closest
     * point included, into @p hits (cleared first), ordered by track id, by
     * scanning every track: the reference for tests.
     */
    void
    tracks_near_by_scan(const Point<dim> &x,
                        double            radius,
                        TrackType         type,
                        std::vector<Hit> &hits) const;

    /** Total length of the tracks of @p type (um). */
    double
    total_length(TrackType type) const;

    /**
     * Text format, one track per line: its type, then the coordinates of
     * its vertices, minus (pointed) end first:
     *   microtubule x0 y0 z0 x1 y1 z1 ...
     * Lines starting with '#' are comments.
     */
    void
    write_text(const std::string &file) const;

    /** Reads write_text()'s format; throws InputError naming file and line. */
    static TrackNetwork<dim>
    read_text(const std::string &file, const std::string &parameter_path);

  private:
    struct Segment
    {
      unsigned int track;
      unsigned int index; // vertices index, index + 1
    };

    std::vector<Track<dim>> tracks;

    // Per track type: the segments in the order of their tracks, and their
    // tree (whose indices are into that list).
    std::array<std::vector<Segment>, 2> segments;
    std::array<SegmentTree<dim>, 2>     trees;
  };

  /**
   * Grows the network in @p geometry from @p seed (physics/MODEL.md section 4):
   * microtubules from the MTOC, each a worm-like chain of persistence
   * length L_p that bends around the nucleus and ends in the middle of the
   * cortex; actin filaments in the cortex layer, barbed end towards the
   * plasma membrane, placed uniformly over the membrane. Every vertex keeps
   * at least @p clearance from both membranes (the MVBs' closest approach,
   * so that an MVB on a track is where a free one may be). Throws
   * InputError if tracks cannot be placed.
   */
  template <int dim>
  TrackNetwork<dim>
  generate_track_network(const TrackParameters   &parameters,
                         const CellGeometry<dim> &geometry,
                         std::uint64_t            seed,
                         double                   clearance);

  /**
   * Throws InputError (naming the parameter that gave the tracks, and its
   * value) unless every track keeps
   * @p clearance from both membranes: points every 0.05 um along each
   * segment are checked.
   */
  template <int dim>
  void
  check_tracks_inside(const TrackNetwork<dim> &network,
                      const CellGeometry<dim> &geometry,
                      double                   clearance,
                      const std::string       &parameter_path,
                      const std::string       &parameter_value);
} // namespace mvb::mesh
