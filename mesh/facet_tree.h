#pragma once

#include <deal.II/base/point.h>
#include <deal.II/base/tensor.h>

#include <algorithm>
#include <array>
#include <limits>
#include <vector>

namespace mvb::mesh
{
  using namespace dealii;

  /**
   * A bounding-volume hierarchy over straight simplices (segments, or
   * triangles in 3D) for exact nearest-point queries: a depth-first branch
   * and bound that visits the nearer child first and skips every box
   * farther than the best simplex so far. A query near the simplices tests
   * a few dozen boxes and a handful of simplices; one far away no more,
   * since the first leaf it reaches already bounds the distance well.
   *
   * Among simplices at exactly the same distance (a point nearest to a
   * vertex they share) the lowest index wins; for the facets of an
   * oriented surface (@p oriented) the one whose plane faces the point
   * most squarely wins first, the largest |(x - p) . n| for its unit normal
   * n: on a surface that bends both ways at the vertex, only such a
   * facet's normal tells on which side the point is. The answer never
   * depends on the tree's shape.
   */
  template <int dim, int n_vertices, bool oriented>
  class SimplexTree
  {
  public:
    using Simplex = std::array<Point<dim>, n_vertices>;

    struct Nearest
    {
      unsigned int index    = std::numeric_limits<unsigned int>::max();
      double       distance = std::numeric_limits<double>::infinity();
      Point<dim>   point;
    };

    SimplexTree() = default;

    explicit SimplexTree(const std::vector<Simplex> &simplices);

    bool
    empty() const
    {
      return simplices.empty();
    }

    /**
     * The simplex closest to @p x; if none is within @p bound, the
     * result's index is invalid and its distance infinite (a query that
     * needs only "anything within bound?" stops early).
     */
    Nearest
    nearest(const Point<dim> &x,
            double bound = std::numeric_limits<double>::infinity()) const;

  private:
    struct Node
    {
      std::array<double, dim> lower, upper;
      // A leaf holds simplices first .. first + count - 1 (in tree order);
      // an inner node has its first child next to it and its second at
      // `first`.
      unsigned int first = 0;
      unsigned int count = 0;
    };

    unsigned int
    build(unsigned int             begin,
          unsigned int             end,
          std::vector<Point<dim>> &centres);

    double
    box_distance_squared(const Node &node, const Point<dim> &x) const
    {
      double d2 = 0;
      for (unsigned int d = 0; d < dim; ++d)
        {
          const double gap =
            std::max(std::max(node.lower[d] - x[d], x[d] - node.upper[d]), 0.);
          d2 += gap * gap;
        }
      return d2;
    }

    std::vector<Simplex>        simplices; // in tree order
    std::vector<Tensor<1, dim>> normals;   // unit normals, if oriented
    std::vector<unsigned int>   index;     // original index of each
    std::vector<Node>           nodes;
  };

  /** The facets of a surface: segments in 2D, triangles in 3D. */
  template <int dim>
  using FacetTree = SimplexTree<dim, dim, true>;

  /** Segments (of polylines) in 2D or 3D. */
  template <int dim>
  using SegmentTree = SimplexTree<dim, 2, false>;
} // namespace mvb::mesh
