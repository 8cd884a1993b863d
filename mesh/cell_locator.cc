#include <mesh/cell_locator.h>
#include <mesh/facet_geometry.h>

#include <deal.II/base/quadrature_lib.h>
#include <deal.II/fe/fe_q.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace mvb::mesh
{
  namespace
  {
    // Markers in the neighbour table.
    constexpr unsigned int not_local = numbers::invalid_unsigned_int;
    constexpr unsigned int boundary  = numbers::invalid_unsigned_int - 1;

    // Newton stops when the residual is below this fraction of the cell's
    // size, or when an update is below update_tolerance (reference units):
    // with quadratic convergence the point it gives is then within about
    // update_tolerance^2 = 1e-12 of the answer, and one evaluation is saved.
    constexpr double       residual_tolerance    = 1e-12;
    constexpr double       update_tolerance      = 1e-6;
    constexpr unsigned int max_newton_iterations = 12;

    // A point cells away from where it was is not followed: it is found.
    constexpr unsigned int max_walk = 8;

    template <int dim>
    Point<dim>
    centre()
    {
      Point<dim> p;
      for (unsigned int d = 0; d < dim; ++d)
        p[d] = 0.5;
      return p;
    }

    // Lexicographic index of the lattice point with coordinates @p i.
    template <int dim>
    unsigned int
    lattice_index(const std::array<unsigned int, dim> &i, const unsigned n)
    {
      unsigned int k = 0;
      for (unsigned int d = dim; d-- > 0;)
        k = k * n + i[d];
      return k;
    }

    /**
     * Calls f(facet, curved midpoints, flat midpoints) for each flat facet
     * of face (@p direction, @p side) of a cell: the face's lattice of
     * support points in segments (2D) or triangles (3D, two per lattice
     * square, as the membrane surfaces split them).
     */
    template <int dim, typename F>
    void
    for_each_face_facet(const unsigned int direction,
                        const unsigned int side,
                        const unsigned int n,
                        F                  f)
    {
      std::array<unsigned int, dim> i{};
      i[direction] = side * (n - 1);
      if constexpr (dim == 2)
        {
          const unsigned int e = 1 - direction;
          for (unsigned int a = 0; a + 1 < n; ++a)
            {
              i[e]              = a;
              const unsigned k0 = lattice_index<dim>(i, n);
              i[e]              = a + 1;
              const unsigned k1 = lattice_index<dim>(i, n);
              f(std::array<unsigned int, 2>{{k0, k1}});
            }
        }
      else
        {
          const unsigned int e1 = (direction + 1) % 3, e2 = (direction + 2) % 3;
          for (unsigned int b = 0; b + 1 < n; ++b)
            for (unsigned int a = 0; a + 1 < n; ++a)
              {
                const auto at = [&](const unsigned da, const unsigned db) {
                  i[e1] = a + da;
                  i[e2] = b + db;
                  return lattice_index<dim>(i, n);
                };
                const unsigned k00 = at(0, 0), k10 = at(1, 0), k01 = at(0, 1),
                               k11 = at(1, 1);
                f(std::array<unsigned int, 3>{{k00, k10, k11}});
                f(std::array<unsigned int, 3>{{k00, k11, k01}});
              }
        }
    }
  } // namespace

  template <int dim>
  CellLocator<dim>::CellLocator(
    const parallel::distributed::Triangulation<dim> &triangulation,
    const Mapping<dim>                              &mapping,
    const unsigned int                               mapping_degree)
  {
    // MappingQ's support points are the Gauss-Lobatto points.
    const QGaussLobatto<1> gauss_lobatto(mapping_degree + 1);
    std::vector<double>    nodes;
    for (const auto &p : gauss_lobatto.get_points())
      nodes.push_back(p[0]);
    shape     = TensorProductLagrange<dim>(nodes);
    n_support = shape.n_functions();
    std::vector<Point<dim>> lattice(n_support);
    for (unsigned int k = 0; k < n_support; ++k)
      lattice[k] = shape.node(k);
    fe        = std::make_unique<FE_Q<dim>>(1);
    fe_values = std::make_unique<FEValues<dim>>(mapping,
                                                *fe,
                                                Quadrature<dim>(lattice),
                                                update_quadrature_points);

    for (const auto &cell : triangulation.active_cell_iterators())
      if (cell->is_locally_owned())
        cells.push_back(cell);
    n_owned = cells.size();
    for (const auto &cell : triangulation.active_cell_iterators())
      if (cell->is_ghost())
        cells.push_back(cell);
    table_index.assign(triangulation.n_active_cells(), not_local);
    for (unsigned int c = 0; c < cells.size(); ++c)
      table_index[cells[c]->active_cell_index()] = c;
    slot.assign(cells.size(), invalid);

    constexpr unsigned int n_faces = 2 * dim;
    neighbours.assign(cells.size() * n_faces, not_local);
    std::set<unsigned int>                             ranks;
    std::vector<std::pair<unsigned int, unsigned int>> at_vertex;
    size.resize(cells.size());
    boxes.resize(cells.size());
    for (unsigned int c = 0; c < cells.size(); ++c)
      {
        const auto &cell = cells[c];
        if (c >= n_owned)
          ranks.insert(cell->subdomain_id());
        for (unsigned int f = 0; f < n_faces; ++f)
          {
            if (cell->at_boundary(f))
              {
                neighbours[c * n_faces + f] = boundary;
                continue;
              }
            // 2:1 balanced: a refined neighbour's children are active.
            const auto neighbour = cell->neighbor(f)->has_children()
                                     ? cell->neighbor_child_on_subface(f, 0)
                                     : cell->neighbor(f);
            if (!neighbour->is_artificial())
              neighbours[c * n_faces + f] =
                table_index[neighbour->active_cell_index()];
          }
        for (const unsigned int v : cell->vertex_indices())
          at_vertex.emplace_back(cell->vertex_index(v), c);
        // Curved faces bulge out of the vertices' box by their sagitta: a
        // quarter of the size holds it on any mesh a run accepts.
        boxes[c] = cell->bounding_box();
        size[c]  = boxes[c].get_boundary_points().first.distance(
          boxes[c].get_boundary_points().second);
        boxes[c].extend(0.25 * size[c]);
      }
    neighbours_by_rank.assign(ranks.begin(), ranks.end());

    std::sort(at_vertex.begin(), at_vertex.end());
    vertex_start.assign(triangulation.n_vertices() + 1, 0);
    for (const auto &[v, c] : at_vertex)
      ++vertex_start[v + 1];
    for (unsigned int v = 0; v < triangulation.n_vertices(); ++v)
      vertex_start[v + 1] += vertex_start[v];
    for (const auto &[v, c] : at_vertex)
      vertex_cells.push_back(c);

    for (unsigned int c = 0; c < n_owned; ++c)
      owned_by_id[cells[c]->id().template to_binary<dim>()] = c;

    // The faces towards other ranks' cells.
    std::vector<typename FacetTree<dim>::Simplex> facets;
    for (unsigned int c = 0; c < n_owned; ++c)
      for (unsigned int f = 0; f < n_faces; ++f)
        {
          const unsigned int next = neighbours[c * n_faces + f];
          if (next == boundary || (next != not_local && is_owned(next)))
            continue;
          const Point<dim> *X = support_points(c);
          for_each_face_facet<dim>(f / 2,
                                   f % 2,
                                   shape.n_nodes_1d(),
                                   [&](const auto &facet) {
                                     typename FacetTree<dim>::Simplex corners;
                                     for (unsigned int v = 0; v < dim; ++v)
                                       corners[v] = X[facet[v]];
                                     facets.push_back(corners);
                                   });
          interface_deviation = std::max(interface_deviation, deviation(c, f));
        }
    interface = FacetTree<dim>(facets);

    build_owned_grid();
  }

  template <int dim>
  void
  CellLocator<dim>::prepare(const unsigned int c) const
  {
    fe_values->reinit(cells[c]);
    slot[c] = support.size() / n_support;
    support.insert(support.end(),
                   fe_values->get_quadrature_points().begin(),
                   fe_values->get_quadrature_points().end());
    Centre         centre_map;
    Tensor<2, dim> J;
    shape.map_and_jacobian(support.data() + std::size_t(slot[c]) * n_support,
                           centre<dim>(),
                           centre_map.x,
                           J);
    centre_map.inverse_jacobian = invert(J);
    centres.push_back(centre_map);
  }

  template <int dim>
  Point<dim>
  CellLocator<dim>::first_guess(const unsigned int c, const Point<dim> &x) const
  {
    if (slot[c] == invalid)
      prepare(c);
    const Centre &m = centres[slot[c]];
    return centre<dim>() + m.inverse_jacobian * (x - m.x);
  }

  template <int dim>
  double
  CellLocator<dim>::deviation(const unsigned int c, const unsigned int f) const
  {
    // The distance to the facets of the face's points at the facets' edge
    // midpoints and centres, and a lattice in between, through the
    // curved face.
    const Point<dim>  *X     = support_points(c);
    const unsigned int n     = shape.n_nodes_1d();
    double             worst = 0;
    for_each_face_facet<dim>(f / 2, f % 2, n, [&](const auto &facet) {
      std::array<Point<dim>, dim> corners;
      for (unsigned int v = 0; v < dim; ++v)
        corners[v] = X[facet[v]];
      constexpr unsigned int m = 4;
      for (unsigned int a = 0; a <= m; ++a)
        for (unsigned int b = 0; b <= (dim == 3 ? m - a : 0); ++b)
          {
            Point<dim> reference = shape.node(facet[0]);
            reference +=
              (double(a) / m) * (shape.node(facet[1]) - shape.node(facet[0]));
            if constexpr (dim == 3)
              reference +=
                (double(b) / m) * (shape.node(facet[2]) - shape.node(facet[0]));
            const Point<dim> curved = shape.value(X, reference);
            worst =
              std::max(worst,
                       curved.distance(closest_on_facet(corners, curved)));
          }
    });
    return worst;
  }

  template <int dim>
  bool
  CellLocator<dim>::contains(const unsigned int c,
                             const Point<dim>  &x,
                             Point<dim>        &reference) const
  {
    if (!boxes[c].point_inside(x))
      return false;
    Point<dim> guess = first_guess(c, x);
    if (to_reference(c, x, guess) && inside(guess))
      {
        reference = guess;
        return true;
      }
    return false;
  }

  template <int dim>
  bool
  CellLocator<dim>::search_vertex_patch(const unsigned int c,
                                        const Point<dim>  &x,
                                        unsigned int      &found,
                                        Point<dim>        &reference) const
  {
    for (const unsigned int v : cells[c]->vertex_indices())
      {
        const unsigned int vertex = cells[c]->vertex_index(v);
        for (unsigned int k = vertex_start[vertex];
             k < vertex_start[vertex + 1];
             ++k)
          if (vertex_cells[k] != c && contains(vertex_cells[k], x, reference))
            {
              found = vertex_cells[k];
              return true;
            }
      }
    return false;
  }

  template <int dim>
  void
  CellLocator<dim>::build_owned_grid()
  {
    bin_start.clear();
    bin_cells.clear();
    if (n_owned == 0)
      return;
    grid_box = boxes[0];
    for (unsigned int c = 1; c < n_owned; ++c)
      grid_box.merge_with(boxes[c]);
    double volume = 1;
    for (unsigned int d = 0; d < dim; ++d)
      volume *= grid_box.side_length(d);
    // About one cell per bin.
    bin_size          = std::pow(volume / n_owned, 1. / dim);
    std::size_t total = 1;
    for (unsigned int d = 0; d < dim; ++d)
      {
        n_bins[d] =
          std::max(1U, unsigned(std::ceil(grid_box.side_length(d) / bin_size)));
        total *= n_bins[d];
      }
    const auto bin_of = [&](const Point<dim> &x, const unsigned int d) {
      return unsigned(std::clamp<long>(
        long(std::floor((x[d] - grid_box.get_boundary_points().first[d]) /
                        bin_size)),
        0,
        long(n_bins[d]) - 1));
    };
    std::vector<std::vector<unsigned int>> per_bin(total);
    for (unsigned int c = 0; c < n_owned; ++c)
      {
        std::array<unsigned int, dim> lo, hi;
        for (unsigned int d = 0; d < dim; ++d)
          {
            lo[d] = bin_of(boxes[c].get_boundary_points().first, d);
            hi[d] = bin_of(boxes[c].get_boundary_points().second, d);
          }
        std::array<unsigned int, dim> i = lo;
        while (true)
          {
            std::size_t b = 0;
            for (unsigned int d = dim; d-- > 0;)
              b = b * n_bins[d] + i[d];
            per_bin[b].push_back(c);
            unsigned int d = 0;
            for (; d < dim; ++d)
              if (i[d] < hi[d])
                {
                  ++i[d];
                  break;
                }
              else
                i[d] = lo[d];
            if (d == dim)
              break;
          }
      }
    bin_start.assign(1, 0);
    for (const auto &list : per_bin)
      {
        bin_cells.insert(bin_cells.end(), list.begin(), list.end());
        bin_start.push_back(bin_cells.size());
      }
  }

  template <int dim>
  unsigned int
  CellLocator<dim>::owned_index(const CellId::binary_type &id) const
  {
    const auto it = owned_by_id.find(id);
    return it == owned_by_id.end() ? invalid : it->second;
  }

  template <int dim>
  Point<dim>
  CellLocator<dim>::to_real(const unsigned int c,
                            const Point<dim>  &reference) const
  {
    return shape.value(support_points(c), reference);
  }

  template <int dim>
  bool
  CellLocator<dim>::to_reference(const unsigned int c,
                                 const Point<dim>  &x,
                                 Point<dim>        &reference,
                                 const bool         give_up_outside) const
  {
    const Point<dim> *X         = support_points(c);
    const double      tolerance = residual_tolerance * size[c];
    for (unsigned int it = 0; it < max_newton_iterations; ++it)
      {
        Point<dim>     F;
        Tensor<2, dim> J;
        shape.map_and_jacobian(X, reference, F, J);
        const Tensor<1, dim> r = x - F;
        if (r.norm_square() <= tolerance * tolerance)
          return true;
        const double det = determinant(J);
        if (!(std::abs(det) > 1e-300))
          return false;
        const Tensor<1, dim> update = invert(J) * r;
        reference += update;
        double largest = 0, outside = 0;
        bool   far = false;
        for (unsigned int d = 0; d < dim; ++d)
          {
            largest = std::max(largest, std::abs(update[d]));
            outside = std::max({outside, -reference[d], reference[d] - 1});
            far |= !(std::abs(reference[d] - 0.5) < 2.5);
          }
        if (far || (give_up_outside && outside > 4 * largest + 1e-6))
          return false; // outside: the iterate gives the direction
        if (largest < update_tolerance)
          return true;
      }
    return false;
  }

  template <int dim>
  bool
  CellLocator<dim>::inside(const Point<dim> &reference, const double tolerance)
  {
    for (unsigned int d = 0; d < dim; ++d)
      if (!(reference[d] >= -tolerance && reference[d] <= 1 + tolerance))
        return false;
    return true;
  }

  template <int dim>
  typename CellLocator<dim>::Location
  CellLocator<dim>::follow(const Point<dim> &x,
                           unsigned int     &c,
                           Point<dim>       &reference) const
  {
    unsigned int current = c;
    Point<dim>   guess   = reference;
    for (unsigned int walk = 0; walk < max_walk; ++walk)
      {
        const bool converged = to_reference(current, x, guess, true);
        if (converged && inside(guess))
          {
            c         = current;
            reference = guess;
            return is_owned(current) ? Location::owned : Location::ghost;
          }
        // Across the face the point is farthest beyond.
        unsigned int face      = invalid;
        double       violation = 0;
        for (unsigned int d = 0; d < dim; ++d)
          for (unsigned int side = 0; side < 2; ++side)
            {
              const double       v = side == 0 ? -guess[d] : guess[d] - 1;
              const unsigned int f = 2 * d + side;
              if (v > violation &&
                  neighbours[current * 2 * dim + f] != boundary)
                {
                  violation = v;
                  face      = f;
                }
            }
        const unsigned int next =
          face == invalid ? not_local : neighbours[current * 2 * dim + face];
        if (next == not_local)
          break;
        current = next;
        guess   = first_guess(current, x);
      }
    // The walk lost its way (a distorted cell, a point beyond an edge):
    // the cells around the vertices of the cell it started from.
    unsigned int found;
    if (search_vertex_patch(c, x, found, guess))
      {
        c         = found;
        reference = guess;
        return is_owned(found) ? Location::owned : Location::ghost;
      }
    return Location::elsewhere;
  }

  template <int dim>
  bool
  CellLocator<dim>::find_owned(const Point<dim> &x,
                               unsigned int     &c,
                               Point<dim>       &reference) const
  {
    if (bin_start.empty())
      return false;
    std::size_t b = 0;
    for (unsigned int d = dim; d-- > 0;)
      {
        const double offset =
          (x[d] - grid_box.get_boundary_points().first[d]) / bin_size;
        if (!(offset >= 0 && offset < n_bins[d] + 1e-12))
          return false;
        b = b * n_bins[d] + std::min(unsigned(offset), n_bins[d] - 1);
      }
    for (unsigned int k = bin_start[b]; k < bin_start[b + 1]; ++k)
      if (contains(bin_cells[k], x, reference))
        {
          c = bin_cells[k];
          return true;
        }
    return false;
  }

  template <int dim>
  double
  CellLocator<dim>::distance_to_other_ranks(const Point<dim> &x,
                                            const double      cap) const
  {
    if (interface.empty())
      return std::numeric_limits<double>::infinity();
    // The curved faces lie within interface_deviation of their facets;
    // twice that leaves room for the round-off of the mapping's inverse.
    const double margin  = 2 * interface_deviation;
    const auto   nearest = interface.nearest(x, cap + margin);
    return std::max(0., std::min(nearest.distance, cap + margin) - margin);
  }

  template class CellLocator<2>;
  template class CellLocator<3>;
} // namespace mvb::mesh
