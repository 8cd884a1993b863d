#pragma once

#include <mesh/facet_tree.h>
#include <mesh/tensor_product_lagrange.h>

#include <deal.II/base/bounding_box.h>
#include <deal.II/base/point.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/fe/mapping.h>
#include <deal.II/grid/cell_id.h>

#include <array>
#include <map>
#include <memory>
#include <vector>

namespace mvb::mesh
{
  using namespace dealii;

  /**
   * Follows points through the locally owned and ghost cells of a
   * distributed mesh, for particles that move a little at a time.
   *
   * Each local cell keeps the support points of its degree-p mapping
   * (lexicographic, read through the mapping the first time a point is
   * looked for in the cell: cells without particles cost a few bytes), so
   * that going from
   * real to reference coordinates is a Newton iteration on a tensor-product
   * polynomial started from the particle's last reference point: no
   * FEValues, no search, no allocation. A point that has left its cell is
   * followed across faces to the neighbour it went into, or found among
   * the cells around its cell's vertices; only a point that leaves those
   * needs a search (find_owned(), a bin grid over the owned cells).
   * distance_to_boundary() bounds how far a point can move before it may leave
   * its cell, so that most steps of a particle need no cell test at all.
   *
   * Cells are numbered 0 .. n_cells() - 1: the locally owned ones first (in
   * the triangulation's order), then the ghosts.
   */
  template <int dim>
  class CellLocator
  {
  public:
    using cell_iterator = typename Triangulation<dim>::active_cell_iterator;

    static constexpr unsigned int invalid = numbers::invalid_unsigned_int;

    /** Where follow() found a point. */
    enum class Location
    {
      owned,    // in a locally owned cell
      ghost,    // in a ghost cell (owner() says whose)
      elsewhere // in no local or ghost cell: search or send elsewhere
    };

    /**
     * @p mapping must be a degree @p mapping_degree MappingQ (or
     * MappingQCache) of @p triangulation: its support points are read here
     * and the locator evaluates the same polynomial.
     */
    CellLocator(const parallel::distributed::Triangulation<dim> &triangulation,
                const Mapping<dim>                              &mapping,
                unsigned int mapping_degree);

    unsigned int
    n_cells() const
    {
      return cells.size();
    }

    unsigned int
    n_owned_cells() const
    {
      return n_owned;
    }

    bool
    is_owned(const unsigned int c) const
    {
      return c < n_owned;
    }

    /** The MPI rank that owns local cell @p c. */
    types::subdomain_id
    owner(const unsigned int c) const
    {
      return cells[c]->subdomain_id();
    }

    const cell_iterator &
    cell(const unsigned int c) const
    {
      return cells[c];
    }

    /** The local number of an owned or ghost cell; invalid otherwise. */
    unsigned int
    index(const cell_iterator &cell) const
    {
      return table_index[cell->active_cell_index()];
    }

    /** The local number of the owned cell with @p id; invalid if this rank
     * does not own it. */
    unsigned int
    owned_index(const CellId::binary_type &id) const;

    /** The ranks that own ghost cells: the only ones a step can reach. */
    const std::vector<unsigned int> &
    neighbour_ranks() const
    {
      return neighbours_by_rank;
    }

    Point<dim>
    to_real(unsigned int c, const Point<dim> &reference) const;

    /**
     * Newton's method for the reference point of @p x in cell @p c, from
     * @p reference as the first guess. True if it converged (to 1e-12 of
     * the cell's size); @p reference is then the answer, else the last
     * iterate (still a direction towards @p x). With @p give_up_outside,
     * it stops as soon as the iterate is farther outside the unit cell
     * than Newton's updates could still move it (a walk needs the
     * direction, not the digits).
     */
    bool
    to_reference(unsigned int      c,
                 const Point<dim> &x,
                 Point<dim>       &reference,
                 bool              give_up_outside = false) const;

    /**
     * A first guess of the reference point of @p x in cell @p c: one
     * Newton step from the centre, with the map and Jacobian there kept
     * from the cell's first use.
     */
    Point<dim>
    first_guess(unsigned int c, const Point<dim> &x) const;

    /** Inside the unit cell, up to @p tolerance. */
    static bool
    inside(const Point<dim> &reference, double tolerance = 1e-10);

    /**
     * From cell @p c and reference point @p reference (a guess), the cell
     * that holds @p x and its reference point: walking across faces, else
     * among the cells that share a vertex with @p c. Location::elsewhere
     * (with @p c unchanged) if neither finds it.
     */
    Location
    follow(const Point<dim> &x, unsigned int &c, Point<dim> &reference) const;

    /** Searches the locally owned cells for @p x. */
    bool
    find_owned(const Point<dim> &x,
               unsigned int     &c,
               Point<dim>       &reference) const;

    /**
     * A lower bound of the distance from @p x (a point of an owned cell)
     * to the faces between this rank's cells and other ranks': a path
     * through the mesh that starts at @p x and stays closer to it than this
     * ends in a cell of this rank (an MVB that moves in small steps and
     * stays within that ball needs no relocation). Infinite on one rank;
     * at most @p cap otherwise (the search looks no further, which keeps
     * it cheap deep inside a rank's cells).
     */
    double
    distance_to_other_ranks(
      const Point<dim> &x,
      double            cap = std::numeric_limits<double>::infinity()) const;

  private:
    /** The support points of cell @p c, read on first use. */
    const Point<dim> *
    support_points(const unsigned int c) const
    {
      if (slot[c] == invalid)
        prepare(c);
      return support.data() + std::size_t(slot[c]) * n_support;
    }

    /** Reads the support points of cell @p c. */
    void
    prepare(unsigned int c) const;

    /** How far face @p f of cell @p c strays from its facets. */
    double
    deviation(unsigned int c, unsigned int f) const;

    /** Searches the cells that share a vertex with cell @p c. */
    bool
    search_vertex_patch(unsigned int      c,
                        const Point<dim> &x,
                        unsigned int     &found,
                        Point<dim>       &reference) const;

    /** Newton from the centre of @p c, if @p x is in its bounding box. */
    bool
    contains(unsigned int c, const Point<dim> &x, Point<dim> &reference) const;

    void
    build_owned_grid();

    TensorProductLagrange<dim> shape;
    unsigned int               n_support = 0; // per cell
    unsigned int               n_owned   = 0;
    std::vector<cell_iterator> cells;
    std::vector<unsigned int>  table_index; // by active_cell_index
    // Across face f of cell c: neighbours[c * 2 dim + f], a local number,
    // or one of the markers of cell_locator.cc.
    std::vector<unsigned int> neighbours;
    // The local cells at each vertex of the local cells: those of vertex v
    // are vertex_cells[vertex_start[v]] to vertex_cells[vertex_start[v+1]].
    std::vector<unsigned int> vertex_start;
    std::vector<unsigned int> vertex_cells;
    // Per cell: its size (diagonal of its vertices' bounding box) and a box
    // that holds the curved cell.
    std::vector<double>                         size;
    std::vector<BoundingBox<dim>>               boxes;
    std::vector<unsigned int>                   neighbours_by_rank;
    std::map<CellId::binary_type, unsigned int> owned_by_id;

    // The faces between owned cells and other ranks' cells, as facets, and
    // how far the curved faces stray from them.
    FacetTree<dim> interface;
    double         interface_deviation = 0;

    // Filled on first use of a cell (prepare()): its support points at
    // support[slot[c] * n_support], and the map and the inverse Jacobian
    // at its centre at centres[slot[c]].
    struct Centre
    {
      Point<dim>     x;
      Tensor<2, dim> inverse_jacobian;
    };
    std::unique_ptr<FiniteElement<dim>> fe;
    std::unique_ptr<FEValues<dim>>      fe_values;
    mutable std::vector<unsigned int>   slot;
    mutable std::vector<Point<dim>>     support;
    mutable std::vector<Centre>         centres;

    // Bins over the owned cells: the cells of bin b are
    // bin_cells[bin_start[b]] to bin_cells[bin_start[b + 1]].
    BoundingBox<dim>          grid_box;
    double                    bin_size = 1;
    std::array<unsigned, dim> n_bins{};
    std::vector<unsigned int> bin_start;
    std::vector<unsigned int> bin_cells;
  };
} // namespace mvb::mesh
