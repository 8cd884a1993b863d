#include <mesh/cell_geometry.h>
#include <mesh/facet_geometry.h>
#include <mesh/track_network.h>
#include <solver/input_error.h>
#include <solver/random_stream.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <limits>
#include <sstream>

namespace mvb::mesh
{
  using dealii::Patterns::Anything;
  using dealii::Patterns::Double;
  using dealii::Patterns::FileName;
  using dealii::Patterns::Integer;
  using dealii::Patterns::Selection;

  std::string
  track_type_name(const TrackType type)
  {
    return type == TrackType::microtubule ? "microtubule" : "actin";
  }

  void
  TrackParameters::declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection("MVB");
    prm.enter_subsection("Tracks");
    {
      prm.declare_entry("Source",
                        "generate",
                        Selection("generate|file"),
                        "'generate': grow the network from the run's random "
                        "seed (MVB/Random seed) with the entries below; "
                        "'file': read it from 'Track file'. Unit: none.");
      prm.declare_entry(
        "Track file",
        "",
        FileName(FileName::input),
        "Tracks to read when Source = file: one track per line, its type "
        "('microtubule' or 'actin') then the coordinates of its vertices, "
        "minus (pointed) end first; '#' starts a comment. Every run writes "
        "its network in this format to tracks.txt. A relative path is read "
        "from the folder of the scenario file. Unit: um.");
      prm.declare_entry("Number of microtubules",
                        "398",
                        Integer(0, 100000),
                        "Microtubules N_MT grown from the MTOC to the cortex "
                        "(0: no microtubules, as under nocodazole); textbook "
                        "range 100-1000 in 3D (physics/MODEL.md section 4). "
                        "Unit: none.");
      prm.declare_entry("Angular spread",
                        "180",
                        Double(0, 180),
                        "Half-angle of the cone of initial microtubule "
                        "directions around the focus; 180 spreads them over "
                        "all directions. Unit: degrees.");
      prm.declare_entry(
        "Focus",
        "none",
        Anything(),
        "Axis of the cone of microtubule directions: 'none' (all directions "
        "equally), 'contact patch' (from the MTOC to the centre of the "
        "contact patch: a polarised array), or a direction vector with one "
        "component per dimension. Unit: none.");
      prm.declare_entry("Microtubule segment length",
                        "0.5",
                        Double(0.01, 10),
                        "Length of the straight pieces a microtubule is "
                        "made of. Unit: um.");
      prm.declare_entry("Persistence length",
                        "20",
                        Double(0.1, 1e6),
                        "Bending stiffness of a microtubule as a worm-like "
                        "chain: the length over which its direction "
                        "decorrelates (textbook). Unit: um.");
      prm.declare_entry("Actin filament density",
                        "0.5",
                        Double(0, 1000),
                        "Cortical actin filaments per area of plasma "
                        "membrane (per length in 2D) (textbook). Unit: "
                        "1/um^2 (1/um in 2D).");
      prm.declare_entry("Actin filament length",
                        "1",
                        Double(0.01, 100),
                        "Length of a cortical actin filament (textbook). "
                        "Unit: um.");
      prm.declare_entry("Capture radius",
                        "0.25",
                        Double(0.001, 10),
                        "rho_cap: an MVB binds a track only within this "
                        "distance of its centre: the MVB's radius plus the "
                        "motor's reach, 0.2-0.3 um (textbook, "
                        "physics/MODEL.md section 4). Unit: um.");
    }
    prm.leave_subsection();
    prm.leave_subsection();
  }

  void
  TrackParameters::parse_parameters(ParameterHandler  &prm,
                                    const std::string &input_directory,
                                    const unsigned int dimension)
  {
    const std::string path = "MVB/Tracks/";
    prm.enter_subsection("MVB");
    prm.enter_subsection("Tracks");
    from_file = prm.get("Source") == "file";
    file      = prm.get("Track file");
    if (from_file)
      {
        if (file.empty())
          throw InputError(path + "Track file",
                           "",
                           "is empty but Source = file",
                           "name a track file or set Source = generate");
        std::filesystem::path p(file);
        if (p.is_relative())
          p = std::filesystem::path(input_directory) / p;
        // Absolute: the run record (and a restart) must find it from anywhere.
        file = std::filesystem::absolute(p).lexically_normal().string();
      }
    n_microtubules      = prm.get_integer("Number of microtubules");
    angular_spread      = prm.get_double("Angular spread");
    microtubule_segment = prm.get_double("Microtubule segment length");
    persistence_length  = prm.get_double("Persistence length");
    actin_density       = prm.get_double("Actin filament density");
    actin_length        = prm.get_double("Actin filament length");
    capture_radius      = prm.get_double("Capture radius");

    const std::string focus_text = Utilities::trim(prm.get("Focus"));
    if (focus_text == "none")
      focus = Focus::none;
    else if (focus_text == "contact patch")
      focus = Focus::contact_patch;
    else
      {
        focus = Focus::direction;
        try
          {
            focus_direction = Utilities::string_to_double(
              Utilities::split_string_list(focus_text, ','));
          }
        catch (...)
          {
            throw InputError(path + "Focus",
                             focus_text,
                             "is not 'none', 'contact patch' or a vector",
                             "write one of those, e.g. '1, 0, 0'");
          }
        double norm = 0;
        for (const double v : focus_direction)
          norm += v * v;
        if (focus_direction.size() != dimension || !(norm > 1e-24))
          throw InputError(path + "Focus",
                           focus_text,
                           "is not a non-zero vector with " +
                             std::to_string(dimension) + " components",
                           "give a direction with one component per "
                           "dimension");
        for (double &v : focus_direction)
          v /= std::sqrt(norm);
      }
    prm.leave_subsection();
    prm.leave_subsection();
  }

  // ---------------------------------------------------------------------
  // The network and its index

  template <int dim>
  unsigned int
  TrackNetwork<dim>::add(const TrackType                type,
                         const std::vector<Point<dim>> &vertices)
  {
    Track<dim> t;
    t.id   = tracks.size();
    t.type = type;
    t.arc.push_back(0);
    t.vertices.push_back(vertices.at(0));
    for (unsigned int i = 1; i < vertices.size(); ++i)
      {
        const double l = vertices[i].distance(t.vertices.back());
        if (l > 1e-12)
          {
            t.vertices.push_back(vertices[i]);
            t.arc.push_back(t.arc.back() + l);
          }
      }
    AssertThrow(t.vertices.size() >= 2,
                ExcMessage("a track needs two distinct vertices"));
    tracks.push_back(std::move(t));
    return tracks.back().id;
  }

  template <int dim>
  unsigned int
  TrackNetwork<dim>::n_tracks(const TrackType type) const
  {
    return std::count_if(tracks.begin(), tracks.end(), [&](const auto &t) {
      return t.type == type;
    });
  }

  template <int dim>
  double
  TrackNetwork<dim>::total_length(const TrackType type) const
  {
    double sum = 0;
    for (const auto &t : tracks)
      if (t.type == type)
        sum += t.length();
    return sum;
  }

  namespace
  {
    // Index of the segment of @p arc that holds arc position s.
    inline unsigned int
    segment_at(const std::vector<double> &arc, const double s)
    {
      const auto it = std::upper_bound(arc.begin(), arc.end(), s);
      const long i  = long(it - arc.begin()) - 1;
      return std::clamp<long>(i, 0, long(arc.size()) - 2);
    }
  } // namespace

  template <int dim>
  Point<dim>
  TrackNetwork<dim>::position(const unsigned int track, const double s) const
  {
    const Track<dim> &t  = tracks[track];
    const double      sc = std::clamp(s, 0., t.length());
    const unsigned    i  = segment_at(t.arc, sc);
    const double      l  = t.arc[i + 1] - t.arc[i];
    const double      w  = std::clamp((sc - t.arc[i]) / l, 0., 1.);
    return t.vertices[i] + w * (t.vertices[i + 1] - t.vertices[i]);
  }

  template <int dim>
  Tensor<1, dim>
  TrackNetwork<dim>::tangent(const unsigned int track, const double s) const
  {
    const Track<dim> &t = tracks[track];
    const unsigned    i = segment_at(t.arc, std::clamp(s, 0., t.length()));
    const auto        d = t.vertices[i + 1] - t.vertices[i];
    return d / d.norm();
  }

  template <int dim>
  typename TrackNetwork<dim>::Hit
  TrackNetwork<dim>::closest(const unsigned int track,
                             const Point<dim>  &x) const
  {
    const Track<dim> &t = tracks[track];
    Hit               best{track, 0, std::numeric_limits<double>::infinity()};
    for (unsigned int i = 0; i + 1 < t.vertices.size(); ++i)
      {
        const double w = closest_fraction(t.vertices[i], t.vertices[i + 1], x);
        const double d =
          x.distance(t.vertices[i] + w * (t.vertices[i + 1] - t.vertices[i]));
        if (d < best.distance)
          best = {track, t.arc[i] + w * (t.arc[i + 1] - t.arc[i]), d};
      }
    return best;
  }

  template <int dim>
  void
  TrackNetwork<dim>::build_index()
  {
    for (unsigned int type = 0; type < 2; ++type)
      {
        segments[type].clear();
        std::vector<typename SegmentTree<dim>::Simplex> pieces;
        for (const auto &t : tracks)
          if (static_cast<unsigned int>(t.type) == type)
            for (unsigned int i = 0; i + 1 < t.vertices.size(); ++i)
              {
                segments[type].push_back({t.id, i});
                pieces.push_back({{t.vertices[i], t.vertices[i + 1]}});
              }
        trees[type] = SegmentTree<dim>(pieces);
      }
  }

  template <int dim>
  std::optional<typename TrackNetwork<dim>::Hit>
  TrackNetwork<dim>::nearest_track(const Point<dim> &x,
                                   const double      radius,
                                   const TrackType   type) const
  {
    const unsigned int k       = static_cast<unsigned int>(type);
    const auto         nearest = trees[k].nearest(x, radius);
    if (nearest.index >= segments[k].size())
      return std::nullopt;
    const Segment    &seg = segments[k][nearest.index];
    const Track<dim> &t   = tracks[seg.track];
    const double      w =
      closest_fraction(t.vertices[seg.index], t.vertices[seg.index + 1], x);
    return Hit{seg.track,
               t.arc[seg.index] + w * (t.arc[seg.index + 1] - t.arc[seg.index]),
               nearest.distance};
  }

  template <int dim>
  void
  TrackNetwork<dim>::tracks_near_by_scan(const Point<dim> &x,
                                         const double      radius,
                                         const TrackType   type,
                                         std::vector<Hit> &hits) const
  {
    hits.clear();
    for (const auto &t : tracks)
      if (t.type == type)
        {
          const Hit h = closest(t.id, x);
          if (h.distance <= radius)
            hits.push_back(h);
        }
  }

  template <int dim>
  void
  TrackNetwork<dim>::write_text(const std::string &file) const
  {
    std::ostringstream out;
    out << "# mvbsim track network, " << dim
        << "D: type, then vertex coordinates (um) from the minus/pointed end\n";
    out << std::setprecision(std::numeric_limits<double>::max_digits10);
    for (const auto &t : tracks)
      {
        out << track_type_name(t.type);
        for (const auto &v : t.vertices)
          for (unsigned int d = 0; d < dim; ++d)
            out << ' ' << v[d];
        out << '\n';
      }
    std::ofstream f(file);
    f << out.str();
    AssertThrow(f, ExcMessage("cannot write " + file));
  }

  template <int dim>
  TrackNetwork<dim>
  TrackNetwork<dim>::read_text(const std::string &file,
                               const std::string &parameter_path)
  {
    std::ifstream in(file);
    if (!in)
      throw InputError(parameter_path,
                       file,
                       "cannot be opened",
                       "check the path (relative paths start at the "
                       "scenario file's folder)");
    TrackNetwork<dim> network;
    std::string       line;
    unsigned int      line_number = 0;
    const auto        fail        = [&](const std::string &problem) -> void {
      throw InputError(parameter_path,
                       file,
                       "line " + std::to_string(line_number) + " " + problem,
                       "write one track per line: 'microtubule' or 'actin' "
                                     "followed by " +
                         std::to_string(dim) +
                         " coordinates per vertex, at least two vertices");
    };
    while (std::getline(in, line))
      {
        ++line_number;
        const std::string trimmed = Utilities::trim(line);
        if (trimmed.empty() || trimmed[0] == '#')
          continue;
        std::istringstream words(trimmed);
        std::string        type_name;
        words >> type_name;
        TrackType type;
        if (type_name == "microtubule")
          type = TrackType::microtubule;
        else if (type_name == "actin")
          type = TrackType::actin;
        else
          fail("has the unknown track type '" + type_name + "'");
        std::vector<double> values;
        std::string         word;
        while (words >> word)
          {
            std::size_t used = 0;
            double      v    = 0;
            try
              {
                v = std::stod(word, &used);
              }
            catch (...)
              {
                used = 0;
              }
            if (used != word.size() || !std::isfinite(v))
              fail("has '" + word + "', which is not a number");
            values.push_back(v);
          }
        if (values.size() % dim != 0 || values.size() < 2 * dim)
          fail("has " + std::to_string(values.size()) + " coordinates");
        std::vector<Point<dim>> vertices(values.size() / dim);
        for (unsigned int i = 0; i < vertices.size(); ++i)
          for (unsigned int d = 0; d < dim; ++d)
            vertices[i][d] = values[i * dim + d];
        bool distinct = false;
        for (unsigned int i = 1; i < vertices.size(); ++i)
          distinct |= vertices[i].distance(vertices[0]) > 1e-12;
        if (!distinct)
          fail("has all its vertices at one point");
        network.add(type, vertices);
      }
    return network;
  }

  // ---------------------------------------------------------------------
  // Generation

  namespace
  {
    template <int dim>
    Tensor<1, dim>
    random_unit_vector(RandomStream &random)
    {
      Tensor<1, dim> v;
      do
        {
          for (unsigned int d = 0; d < dim; ++d)
            v[d] = random.normal();
        }
      while (v.norm() < 1e-6);
      return v / v.norm();
    }

    // Uniform over the cone of half-angle alpha around the unit vector axis
    // (uniform in solid angle in 3D, in angle in 2D).
    template <int dim>
    Tensor<1, dim>
    direction_in_cone(const Tensor<1, dim> &axis,
                      const double          alpha,
                      RandomStream         &random)
    {
      if constexpr (dim == 2)
        {
          const double phi =
            std::atan2(axis[1], axis[0]) + alpha * (2 * random.uniform() - 1);
          return Tensor<1, 2>({std::cos(phi), std::sin(phi)});
        }
      else
        {
          const double cos_theta = 1 - random.uniform() * (1 - std::cos(alpha));
          const double sin_theta =
            std::sqrt(std::max(0., 1 - cos_theta * cos_theta));
          const double phi = 2 * M_PI * random.uniform();
          // An orthonormal frame around the axis.
          Tensor<1, 3> helper;
          helper[std::abs(axis[0]) < 0.9 ? 0 : 1] = 1;
          Tensor<1, 3> e1 = cross_product_3d(axis, helper);
          e1 /= e1.norm();
          const Tensor<1, 3> e2 = cross_product_3d(axis, e1);
          return cos_theta * axis +
                 sin_theta * (std::cos(phi) * e1 + std::sin(phi) * e2);
        }
    }

  } // namespace

  template <int dim>
  TrackNetwork<dim>
  generate_track_network(const TrackParameters   &prm,
                         const CellGeometry<dim> &geometry,
                         const std::uint64_t      seed,
                         const double             track_clearance)
  {
    TrackNetwork<dim> network;
    const Point<dim> &mtoc   = geometry.mtoc();
    const double      cortex = geometry.parameters().cortex_thickness;
    // Plus ends mid-cortex, but never closer to the membrane than allowed.
    const double end_depth = std::max(0.5 * cortex, track_clearance + 1e-3);
    const double ds        = prm.microtubule_segment;

    Tensor<1, dim> axis;
    double         alpha = prm.angular_spread * M_PI / 180;
    switch (prm.focus)
      {
        case TrackParameters::Focus::none:
          axis[0] = 1;
          alpha   = M_PI;
          break;
        case TrackParameters::Focus::direction:
          for (unsigned int d = 0; d < dim; ++d)
            axis[d] = prm.focus_direction[d];
          break;
        case TrackParameters::Focus::contact_patch:
          if (geometry.contact_patch() == nullptr)
            throw InputError("MVB/Tracks/Focus",
                             "contact patch",
                             "the cell has no contact patch",
                             "enable Geometry/Contact patch (or use a mesh "
                             "with a 'synapse' group), or set Focus = none");
          axis = geometry.contact_patch()->centroid() - mtoc;
          if (axis.norm() < 1e-9)
            axis[0] = 1;
          axis /= axis.norm();
          break;
      }

    const BoundingBox<dim> cell_box = geometry.plasma_membrane().bounding_box();
    const double diameter = cell_box.get_boundary_points().first.distance(
      cell_box.get_boundary_points().second);
    const unsigned int max_segments = unsigned(4 * diameter / ds) + 10;

    // A step from x along d: the plus end if it reaches the cortex, else the
    // next vertex if it stays clear of the nucleus.
    for (unsigned int m = 0; m < prm.n_microtubules; ++m)
      {
        bool grown = false;
        for (unsigned int attempt = 0; attempt < 50 && !grown; ++attempt)
          {
            RandomStream            random(seed,
                                m,
                                attempt,
                                RandomPurpose::microtubule_shape);
            Tensor<1, dim>          d = direction_in_cone(axis, alpha, random);
            std::vector<Point<dim>> vertices{mtoc};
            Point<dim>              x = mtoc;
            for (unsigned int k = 0; k < max_segments; ++k)
              {
                // Bending of a worm-like chain: angle variance ds/L_p per
                // step and bending plane.
                Tensor<1, dim> kick = random_unit_vector<dim>(random);
                kick -= (kick * d) * d;
                d += std::sqrt(ds / prm.persistence_length) * random.normal() *
                     kick;
                d /= d.norm();

                Point<dim> y = x + ds * d;
                // Slide around the nucleus: drop the part of the direction
                // that points into it.
                for (unsigned int tries = 0;
                     tries < 8 && geometry.clearance_from_nuclear_envelope(y) <
                                    track_clearance + 0.1 * ds;
                     ++tries)
                  {
                    const auto ne = geometry.nuclear_envelope().nearest(y);
                    const Tensor<1, dim> n = ne.outward_normal; // into nucleus
                    d -= std::max(0., d * n) * n;
                    d -= 0.2 * n;
                    d /= d.norm();
                    y = x + ds * d;
                  }
                if (geometry.clearance_from_nuclear_envelope(y) <
                    track_clearance)
                  break; // stuck against the nucleus: try again
                const double depth = geometry.depth_below_plasma_membrane(y);
                if (depth <= end_depth)
                  {
                    // Bisect for the point of the step at depth end_depth.
                    double lo = 0, hi = 1;
                    for (unsigned int i = 0; i < 40; ++i)
                      {
                        const double mid = 0.5 * (lo + hi);
                        if (geometry.depth_below_plasma_membrane(
                              x + mid * ds * d) > end_depth)
                          lo = mid;
                        else
                          hi = mid;
                      }
                    vertices.push_back(x + lo * ds * d);
                    grown = true;
                    break;
                  }
                vertices.push_back(y);
                x = y;
              }
            if (grown)
              network.add(TrackType::microtubule, vertices);
          }
        if (!grown)
          throw InputError("MVB/Tracks/Number of microtubules",
                           std::to_string(prm.n_microtubules),
                           "microtubule " + std::to_string(m) +
                             " could not be grown from the MTOC to the "
                             "cortex in 50 attempts",
                           "move the MTOC away from the nucleus, narrow "
                           "MVB/Tracks/Angular spread or raise the "
                           "persistence length");
      }

    // Actin: uniform over the membrane, by measure.
    const double       total = geometry.plasma_membrane().measure();
    const unsigned int n_actin =
      static_cast<unsigned int>(std::llround(prm.actin_density * total));
    const double L = prm.actin_length;
    for (unsigned int a = 0; a < n_actin; ++a)
      {
        bool placed = false;
        for (unsigned int attempt = 0; attempt < 100 && !placed; ++attempt)
          {
            RandomStream     random(seed,
                                a,
                                attempt,
                                RandomPurpose::actin_placement);
            const double     u_facet = random.uniform(), u = random.uniform();
            const Point<dim> p =
              geometry.plasma_membrane().sample(u_facet, u, random.uniform());
            const Tensor<1, dim> n =
              geometry.plasma_membrane().nearest(p).outward_normal;
            // Barbed end just under the membrane; the filament leans into
            // the cortex so that its pointed end stays in it.
            const double depth_b =
              track_clearance +
              random.uniform() * std::max(0., 0.5 * cortex - track_clearance);
            const Point<dim> barbed = p - depth_b * n;
            Tensor<1, dim>   t      = random_unit_vector<dim>(random);
            t -= (t * n) * n;
            if (t.norm() < 1e-6)
              continue;
            t /= t.norm();
            const double cos_max = std::clamp((cortex - depth_b) / L, 0., 1.);
            const double c       = random.uniform() * cos_max;
            const Tensor<1, dim> dir     = c * n + std::sqrt(1 - c * c) * t;
            const Point<dim>     pointed = barbed - L * dir;
            if (geometry.in_cytoplasm(barbed, track_clearance) &&
                geometry.in_cytoplasm(pointed, track_clearance) &&
                geometry.depth_below_plasma_membrane(pointed) <=
                  cortex + 1e-9 &&
                geometry.in_cytoplasm(barbed + 0.5 * (pointed - barbed),
                                      track_clearance))
              {
                network.add(TrackType::actin, {pointed, barbed});
                placed = true;
              }
          }
        if (!placed)
          throw InputError("MVB/Tracks/Actin filament length",
                           to_text(L),
                           "actin filament " + std::to_string(a) +
                             " does not fit in the cortex",
                           "use shorter filaments or a thicker cortex "
                           "(Geometry/Cortex thickness)");
      }
    network.build_index();
    return network;
  }

  template <int dim>
  void
  check_tracks_inside(const TrackNetwork<dim> &network,
                      const CellGeometry<dim> &geometry,
                      const double             clearance,
                      const std::string       &parameter_path,
                      const std::string       &parameter_value)
  {
    for (unsigned int i = 0; i < network.n_tracks(); ++i)
      {
        const Track<dim> &t = network.track(i);
        const unsigned    n = unsigned(std::ceil(t.length() / 0.05)) + 1;
        for (unsigned int k = 0; k <= n; ++k)
          {
            const Point<dim> x = network.position(i, t.length() * k / n);
            if (!geometry.in_cytoplasm(x, clearance))
              throw InputError(parameter_path,
                               parameter_value,
                               track_type_name(t.type) + " track " +
                                 std::to_string(i) + " comes closer than " +
                                 to_text(clearance) +
                                 " um (MVB/Motion/Membrane clearance) to a "
                                 "membrane, or leaves the cytoplasm, at (" +
                                 to_text(x) + ")",
                               "keep every track inside the cell, out of "
                               "the nucleus and clear of both membranes");
          }
      }
  }

  template class TrackNetwork<2>;
  template class TrackNetwork<3>;
  template TrackNetwork<2>
  generate_track_network(const TrackParameters &,
                         const CellGeometry<2> &,
                         std::uint64_t,
                         double);
  template TrackNetwork<3>
  generate_track_network(const TrackParameters &,
                         const CellGeometry<3> &,
                         std::uint64_t,
                         double);
  template void
  check_tracks_inside(const TrackNetwork<2> &,
                      const CellGeometry<2> &,
                      double,
                      const std::string &,
                      const std::string &);
  template void
  check_tracks_inside(const TrackNetwork<3> &,
                      const CellGeometry<3> &,
                      double,
                      const std::string &,
                      const std::string &);
} // namespace mvb::mesh
