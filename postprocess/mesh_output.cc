#include <mesh/boundary_ids.h>
#include <postprocess/mesh_output.h>
#include <postprocess/run_record.h>
#include <solver/input_error.h>

#include <deal.II/base/data_out_base.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/fe/fe_q.h>
#include <deal.II/lac/vector.h>
#include <deal.II/numerics/data_out.h>

#include <filesystem>
#include <sstream>

namespace mvb::postprocess
{
  using namespace dealii;

  namespace
  {
    // The boundary faces of the locally owned cells as patches of dimension
    // dim-1, each carrying its boundary id.
    template <int dim>
    class BoundaryFaceOutput : public DataOutInterface<dim - 1, dim>
    {
    public:
      explicit BoundaryFaceOutput(
        const parallel::distributed::Triangulation<dim> &triangulation)
      {
        for (const auto &cell : triangulation.active_cell_iterators())
          if (cell->is_locally_owned())
            for (const auto &face : cell->face_iterators())
              if (face->at_boundary())
                {
                  DataOutBase::Patch<dim - 1, dim> patch;
                  for (const unsigned int v : face->vertex_indices())
                    patch.vertices[v] = face->vertex(v);
                  patch.n_subdivisions = 1;
                  patch.patch_index    = patches.size();
                  patch.data.reinit(1, face->n_vertices());
                  for (unsigned int v = 0; v < face->n_vertices(); ++v)
                    patch.data(0, v) = face->boundary_id();
                  patches.push_back(patch);
                }
      }

    private:
      const std::vector<DataOutBase::Patch<dim - 1, dim>> &
      get_patches() const override
      {
        return patches;
      }

      std::vector<std::string>
      get_dataset_names() const override
      {
        return {"boundary_id"};
      }

      std::vector<DataOutBase::Patch<dim - 1, dim>> patches;
    };
  } // namespace

  template <int dim>
  std::vector<std::string>
  write_mesh(const parallel::distributed::Triangulation<dim> &triangulation,
             const mesh::CellGeometry<dim>                   &geometry,
             const Mapping<dim>                              &mapping,
             const std::string                               &directory,
             const std::function<double(const Point<dim> &)> &lysosome_density)
  {
    namespace fs              = std::filesystem;
    const MPI_Comm    comm    = triangulation.get_communicator();
    const std::string final   = (fs::path(directory) / "mesh").string();
    const std::string staging = final + ".tmp";
    run_collectively(comm, true, [&]() {
      fs::remove_all(staging);
      fs::create_directories(staging);
    });

    Vector<float> rank(triangulation.n_active_cells());
    Vector<float> material(triangulation.n_active_cells());
    Vector<float> distance(triangulation.n_active_cells());
    Vector<float> cortex(triangulation.n_active_cells());
    Vector<float> lysosomes(triangulation.n_active_cells());
    Point<dim>    unit_centre;
    for (unsigned int d = 0; d < dim; ++d)
      unit_centre[d] = 0.5;
    for (const auto &cell : triangulation.active_cell_iterators())
      if (cell->is_locally_owned())
        {
          const unsigned int i = cell->active_cell_index();
          const Point<dim>   x =
            mapping.transform_unit_to_real_cell(cell, unit_centre);
          rank[i]     = triangulation.locally_owned_subdomain();
          material[i] = cell->material_id();
          // One membrane query per cell: in_cortex() would ask again.
          const double to_membrane = geometry.distance_to_plasma_membrane(x);
          distance[i]              = to_membrane;
          cortex[i] =
            to_membrane <= geometry.parameters().cortex_thickness ? 1 : 0;
          if (lysosome_density)
            lysosomes[i] = lysosome_density(x);
        }

    DataOut<dim> data_out;
    data_out.attach_triangulation(triangulation);
    data_out.add_data_vector(rank, "mpi_rank");
    data_out.add_data_vector(material, "material_id");
    data_out.add_data_vector(distance, "distance_to_membrane");
    data_out.add_data_vector(cortex, "in_cortex");
    if (lysosome_density)
      data_out.add_data_vector(lysosomes, "lysosome_density");
    // Curved cells: subdivide each cell so ParaView shows the true shape.
    data_out.build_patches(mapping,
                           geometry.parameters().mapping_degree,
                           DataOut<dim>::curved_inner_cells);
    BoundaryFaceOutput<dim> faces(triangulation);
    // zlib's fastest level: its best one (deal.II's default) made writing
    // the level-5 mesh several times slower for files only 4 % smaller.
    DataOutBase::VtkFlags flags;
    flags.compression_level = DataOutBase::VtkFlags::best_speed;
    data_out.set_flags(flags);
    faces.set_flags(flags);

    // Each rank writes its own piece; a rank that fails (full disk) must not
    // leave the others waiting.
    std::string cells, boundaries;
    run_collectively(comm, false, [&]() {
      cells =
        data_out.write_vtu_with_pvtu_record(staging + "/", "cells", 0, comm);
      boundaries =
        faces.write_vtu_with_pvtu_record(staging + "/", "boundaries", 0, comm);
    });

    run_collectively(comm, true, [&]() {
      const Point<dim>  &p = geometry.mtoc();
      std::ostringstream vtk;
      vtk << "# vtk DataFile Version 3.0\nMTOC\nASCII\nDATASET POLYDATA\n"
          << "POINTS 1 double\n"
          << p[0] << ' ' << p[1] << ' ' << (dim == 3 ? p[dim - 1] : 0.)
          << "\nVERTICES 1 2\n1 0\n";
      write_file_atomically(staging + "/mtoc.vtk", vtk.str());
      fs::remove_all(final);
      fs::rename(staging, final);
    });
    return {"mesh/" + cells, "mesh/" + boundaries, "mesh/mtoc.vtk"};
  }

  template std::vector<std::string>
  write_mesh(const parallel::distributed::Triangulation<2> &,
             const mesh::CellGeometry<2> &,
             const Mapping<2> &,
             const std::string &,
             const std::function<double(const Point<2> &)> &);
  template std::vector<std::string>
  write_mesh(const parallel::distributed::Triangulation<3> &,
             const mesh::CellGeometry<3> &,
             const Mapping<3> &,
             const std::string &,
             const std::function<double(const Point<3> &)> &);
} // namespace mvb::postprocess
