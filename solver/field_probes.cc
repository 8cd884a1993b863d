#include <solver/field_probes.h>
#include <solver/input_error.h>

#include <deal.II/base/bounding_box.h>
#include <deal.II/base/geometry_info.h>
#include <deal.II/base/mpi.h>

#include <cmath>
#include <sstream>

namespace mvb
{
  template <int dim>
  FieldProbes<dim>::FieldProbes(const DoFHandler<dim>         &dof_handler,
                                const Mapping<dim>            &mapping,
                                const std::vector<Point<dim>> &points,
                                const std::string             &parameter)
      : probe_points(points)
      , mpi_communicator(dof_handler.get_communicator())
  {
    const unsigned int rank =
      Utilities::MPI::this_mpi_process(mpi_communicator);
    const unsigned int n_ranks =
      Utilities::MPI::n_mpi_processes(mpi_communicator);
    // A point on a face between two ranks' cells is found by both: the
    // lowest rank keeps it, so that every point is evaluated once.
    std::vector<unsigned int> owner(points.size(), n_ranks);
    std::vector<LocalProbe>   found;
    // Only this rank's own cells: the mapping knows nothing of the
    // others. A curved cell may bulge out of its vertices' box, hence the
    // margin.
    for (const auto &cell : dof_handler.active_cell_iterators())
      if (cell->is_locally_owned())
        {
          BoundingBox<dim> box = cell->bounding_box();
          box.extend(0.25 * cell->diameter());
          for (unsigned int i = 0; i < points.size(); ++i)
            if (owner[i] == n_ranks && box.point_inside(points[i]))
              try
                {
                  const Point<dim> reference =
                    mapping.transform_real_to_unit_cell(cell, points[i]);
                  if (GeometryInfo<dim>::is_inside_unit_cell(reference, 1e-10))
                    {
                      owner[i] = rank;
                      found.push_back({i, cell, reference});
                    }
                }
              catch (const typename Mapping<dim>::ExcTransformationFailed &)
                {
                }
        }
    Utilities::MPI::min(owner, mpi_communicator, owner);
    for (const auto &p : found)
      if (owner[p.index] == rank)
        local.push_back(p);
    for (unsigned int i = 0; i < points.size(); ++i)
      if (owner[i] == n_ranks)
        throw InputError(parameter,
                         to_text(points[i]),
                         "no cell of the mesh holds this probe point",
                         "move it into the cytoplasm");
  }

  template <int dim>
  std::vector<double>
  FieldProbes<dim>::values(const PETScWrappers::MPI::Vector &field) const
  {
    std::vector<double> result(probe_points.size(), 0.);
    for (const auto &p : local)
      {
        const auto    &fe = p.cell->get_fe();
        Vector<double> u(fe.n_dofs_per_cell());
        p.cell->get_dof_values(field, u);
        double value = 0;
        for (unsigned int j = 0; j < fe.n_dofs_per_cell(); ++j)
          value += u[j] * fe.shape_value(j, p.reference);
        result[p.index] = value;
      }
    // Exactly one rank contributes to each entry: the sum is exact.
    Utilities::MPI::sum(result, mpi_communicator, result);
    return result;
  }

  template <int dim>
  std::vector<Point<dim>>
  default_probe_points(const mesh::CellGeometry<dim> &geometry)
  {
    const Point<dim>        mtoc = geometry.mtoc();
    std::vector<Point<dim>> points;
    if (geometry.in_cytoplasm(mtoc))
      points.push_back(mtoc);
    for (unsigned int d = 0; d < dim; ++d)
      for (const double sign : {1., -1.})
        {
          Tensor<1, dim> e;
          e[d] = sign;
          // March out of the cytoplasm, then bisect for its edge.
          const double step   = 0.05; // um
          double       inside = 0, outside = step;
          while (outside < 1e4 && geometry.in_cytoplasm(mtoc + outside * e))
            {
              inside = outside;
              outside += step;
            }
          if (outside >= 1e4)
            continue;
          for (unsigned int k = 0; k < 40; ++k)
            {
              const double middle = 0.5 * (inside + outside);
              (geometry.in_cytoplasm(mtoc + middle * e) ? inside : outside) =
                middle;
            }
          for (const double fraction : {0.25, 0.5, 0.8})
            {
              const Point<dim> x = mtoc + fraction * inside * e;
              if (inside > 0 && geometry.in_cytoplasm(x))
                points.push_back(x);
            }
        }
    return points;
  }

  template <int dim>
  std::vector<Point<dim>>
  parse_probe_points(const std::string             &text,
                     const mesh::CellGeometry<dim> &geometry,
                     const std::string             &parameter)
  {
    if (Utilities::trim(text).empty())
      return default_probe_points(geometry);
    std::vector<Point<dim>> points;
    for (const std::string &item : Utilities::split_string_list(text, ';'))
      {
        std::vector<double> x;
        try
          {
            x = Utilities::string_to_double(
              Utilities::split_string_list(item, ','));
          }
        catch (...)
          {
            throw InputError(parameter,
                             text,
                             "'" + item + "' is not a list of numbers",
                             "write points as x,y" +
                               std::string(dim == 3 ? ",z" : "") +
                               " separated by ';'");
          }
        if (x.size() != dim)
          throw InputError(
            parameter,
            text,
            "the point '" + item + "' has " + std::to_string(x.size()) +
              " coordinates, the cell is " + std::to_string(dim) + "D",
            "give " + std::to_string(dim) + " coordinates per point");
        Point<dim> p;
        for (unsigned int d = 0; d < dim; ++d)
          p[d] = x[d];
        if (!geometry.in_cytoplasm(p))
          throw InputError(parameter,
                           text,
                           "the point (" + item + ") is not in the cytoplasm",
                           "move it between the nuclear envelope and the "
                           "plasma membrane");
        points.push_back(p);
      }
    return points;
  }

  template class FieldProbes<2>;
  template class FieldProbes<3>;
  template std::vector<Point<2>>
  default_probe_points(const mesh::CellGeometry<2> &);
  template std::vector<Point<3>>
  default_probe_points(const mesh::CellGeometry<3> &);
  template std::vector<Point<2>>
  parse_probe_points(const std::string &,
                     const mesh::CellGeometry<2> &,
                     const std::string &);
  template std::vector<Point<3>>
  parse_probe_points(const std::string &,
                     const mesh::CellGeometry<3> &,
                     const std::string &);
} // namespace mvb
