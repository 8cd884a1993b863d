#include <mesh/facet_geometry.h>
#include <mesh/facet_tree.h>

#include <algorithm>
#include <numeric>

namespace mvb::mesh
{
  namespace
  {
    constexpr unsigned int leaf_size = 4;

    // The closest point of a segment or a triangle to x.
    template <int dim>
    Point<dim>
    closest_on_simplex(const std::array<Point<dim>, 2> &s, const Point<dim> &x)
    {
      return closest_on_segment(s[0], s[1], x);
    }

    inline Point<3>
    closest_on_simplex(const std::array<Point<3>, 3> &t, const Point<3> &x)
    {
      return closest_on_facet(t, x);
    }
    // Depth of a median-split tree of 2^40 facets: far beyond any mesh.
    constexpr unsigned int max_depth = 64;
  } // namespace

  template <int dim, int n_vertices, bool oriented>
  SimplexTree<dim, n_vertices, oriented>::SimplexTree(
    const std::vector<Simplex> &input)
      : simplices(input)
      , index(input.size())
  {
    static_assert(n_vertices == 2 || (n_vertices == 3 && dim == 3),
                  "segments, or triangles in 3D");
    static_assert(!oriented || n_vertices == dim,
                  "only the facets of a surface have a normal");
    std::iota(index.begin(), index.end(), 0U);
    if (simplices.empty())
      return;
    std::vector<Point<dim>> centres(simplices.size());
    for (unsigned int i = 0; i < simplices.size(); ++i)
      for (const auto &v : simplices[i])
        centres[i] += v / double(n_vertices);
    nodes.reserve(2 * simplices.size() / leaf_size + 2);
    build(0, simplices.size(), centres);
    for (unsigned int i = 0; i < simplices.size(); ++i)
      simplices[i] = input[index[i]];
    if constexpr (oriented)
      {
        normals.resize(simplices.size());
        for (unsigned int i = 0; i < simplices.size(); ++i)
          {
            const Simplex &f = simplices[i];
            Tensor<1, dim> n;
            if constexpr (dim == 2)
              n = Tensor<1, 2>({f[0][1] - f[1][1], f[1][0] - f[0][0]});
            else
              n = cross_product_3d(f[1] - f[0], f[2] - f[0]);
            const double length = n.norm();
            normals[i]          = length > 0 ? n / length : n;
          }
      }
  }

  template <int dim, int n_vertices, bool oriented>
  unsigned int
  SimplexTree<dim, n_vertices, oriented>::build(
    const unsigned int       begin,
    const unsigned int       end,
    std::vector<Point<dim>> &centres)
  {
    const unsigned int id = nodes.size();
    nodes.emplace_back();
    Node node;
    node.lower.fill(std::numeric_limits<double>::infinity());
    node.upper.fill(-std::numeric_limits<double>::infinity());
    Point<dim> low = centres[index[begin]], high = low;
    for (unsigned int k = begin; k < end; ++k)
      {
        for (const auto &v : simplices[index[k]])
          for (unsigned int d = 0; d < dim; ++d)
            {
              node.lower[d] = std::min(node.lower[d], v[d]);
              node.upper[d] = std::max(node.upper[d], v[d]);
            }
        for (unsigned int d = 0; d < dim; ++d)
          {
            low[d]  = std::min(low[d], centres[index[k]][d]);
            high[d] = std::max(high[d], centres[index[k]][d]);
          }
      }
    if (end - begin <= leaf_size)
      {
        node.first = begin;
        node.count = end - begin;
        nodes[id]  = node;
        return id;
      }
    // Split at the median of the centres along their longest extent.
    unsigned int axis = 0;
    for (unsigned int d = 1; d < dim; ++d)
      if (high[d] - low[d] > high[axis] - low[axis])
        axis = d;
    const unsigned int middle = begin + (end - begin) / 2;
    std::nth_element(index.begin() + begin,
                     index.begin() + middle,
                     index.begin() + end,
                     [&](const unsigned int a, const unsigned int b) {
                       return centres[a][axis] < centres[b][axis] ||
                              (centres[a][axis] == centres[b][axis] && a < b);
                     });
    build(begin, middle, centres); // the first child, at id + 1
    node.first = build(middle, end, centres);
    node.count = 0;
    nodes[id]  = node;
    return id;
  }

  template <int dim, int n_vertices, bool oriented>
  typename SimplexTree<dim, n_vertices, oriented>::Nearest
  SimplexTree<dim, n_vertices, oriented>::nearest(const Point<dim> &x,
                                                  const double      bound) const
  {
    Nearest      best;
    double       best_d2     = bound * bound;
    unsigned int best_index  = std::numeric_limits<unsigned int>::max();
    double       best_facing = 0;
    if (nodes.empty())
      return best;
    // Nodes to visit with their box distance, the nearest on top (plain
    // arrays: nothing to initialise).
    unsigned int stack_node[max_depth];
    double       stack_distance[max_depth];
    unsigned int top      = 0;
    stack_node[top]       = 0;
    stack_distance[top++] = box_distance_squared(nodes[0], x);
    while (top > 0)
      {
        --top;
        const unsigned int i = stack_node[top];
        if (stack_distance[top] > best_d2)
          continue;
        const Node &node = nodes[i];
        if (node.count > 0)
          {
            for (unsigned int k = node.first; k < node.first + node.count; ++k)
              {
                const Point<dim> p  = closest_on_simplex(simplices[k], x);
                const double     d2 = p.distance_square(x);
                if (d2 > best_d2)
                  continue;
                // Equal distances (see the class documentation).
                const double facing =
                  oriented ? std::abs((x - p) * normals[k]) : 0.;
                if (d2 < best_d2 || facing > best_facing ||
                    (facing == best_facing && index[k] < best_index))
                  {
                    best_d2     = d2;
                    best_index  = index[k];
                    best_facing = facing;
                    best.point  = p;
                  }
              }
            continue;
          }
        const unsigned int first = i + 1, second = node.first;
        const double       d_first  = box_distance_squared(nodes[first], x);
        const double       d_second = box_distance_squared(nodes[second], x);
        const bool         first_nearer = d_first <= d_second;
        stack_node[top]                 = first_nearer ? second : first;
        stack_distance[top++]           = first_nearer ? d_second : d_first;
        stack_node[top]                 = first_nearer ? first : second;
        stack_distance[top++]           = first_nearer ? d_first : d_second;
      }
    if (best_index != std::numeric_limits<unsigned int>::max())
      {
        best.index    = best_index;
        best.distance = std::sqrt(best_d2);
      }
    return best;
  }

  template class SimplexTree<2, 2, true>;
  template class SimplexTree<3, 3, true>;
  template class SimplexTree<2, 2, false>;
  template class SimplexTree<3, 2, false>;
} // namespace mvb::mesh
