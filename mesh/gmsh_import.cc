#include <mesh/boundary_ids.h>
#include <mesh/gmsh_import.h>
#include <solver/input_error.h>

#include <deal.II/base/exceptions.h>
#include <deal.II/grid/grid_in.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace mvb::mesh
{
  namespace
  {
    const std::string parameter = "Geometry/Gmsh/Mesh file";

    struct PhysicalGroup
    {
      int         dimension;
      std::string name;
    };

    // The $PhysicalNames section: (dimension, tag) -> name. Gmsh numbers
    // physical groups per dimension, so a tag alone is ambiguous.
    std::map<std::pair<int, int>, PhysicalGroup>
    read_physical_names(std::istream &in, const std::string &file_name)
    {
      std::map<std::pair<int, int>, PhysicalGroup> groups;
      std::string                                  line;
      while (std::getline(in, line))
        if (line.rfind("$PhysicalNames", 0) == 0)
          {
            unsigned int n = 0;
            if (!(in >> n))
              throw InputError(parameter,
                               file_name,
                               "the $PhysicalNames section is malformed",
                               "regenerate the mesh with Gmsh");
            for (unsigned int i = 0; i < n; ++i)
              {
                int dimension = -1, tag = -1;
                in >> dimension >> tag;
                std::getline(in, line);
                const auto first = line.find('"');
                const auto last  = line.rfind('"');
                if (!in || first == std::string::npos || last <= first)
                  throw InputError(parameter,
                                   file_name,
                                   "the $PhysicalNames section is malformed",
                                   "regenerate the mesh with Gmsh");
                groups[{dimension, tag}] = {dimension,
                                            line.substr(first + 1,
                                                        last - first - 1)};
              }
            return groups;
          }
      throw InputError(parameter,
                       file_name,
                       "the mesh has no named physical groups",
                       "name the groups plasma_membrane, nuclear_envelope, "
                       "cytoplasm (and optionally synapse) in the .geo file");
    }

  } // namespace

  template <int dim>
  void
  read_gmsh_cell(const std::string          &file_name,
                 dealii::Triangulation<dim> &triangulation,
                 const MPI_Comm              communicator)
  {
    std::string text;
    run_collectively(communicator, true, [&]() {
      std::ifstream file(file_name);
      if (!file)
        throw InputError(parameter,
                         file_name,
                         "the file does not exist or cannot be read",
                         "check the path (relative paths start at the folder "
                         "of the scenario file)");
      std::ostringstream content;
      content << file.rdbuf();
      text = content.str();
    });
    text = dealii::Utilities::MPI::broadcast(communicator, text, 0);
    std::istringstream in(text);

    const auto groups = read_physical_names(in, file_name);

    // Which physical tag means what.
    std::map<int, dealii::types::boundary_id> boundary_of_tag;
    std::set<int>                             cytoplasm_tags;
    for (const auto &[key, group] : groups)
      {
        const int tag = key.second;
        if (group.dimension == dim && group.name == "cytoplasm")
          cytoplasm_tags.insert(tag);
        else if (group.dimension == dim - 1 && group.name == "plasma_membrane")
          boundary_of_tag[tag] = boundary_id::plasma_membrane;
        else if (group.dimension == dim - 1 && group.name == "nuclear_envelope")
          boundary_of_tag[tag] = boundary_id::nuclear_envelope;
        else if (group.dimension == dim - 1 && group.name == "synapse")
          boundary_of_tag[tag] = boundary_id::synapse;
        else
          throw InputError(parameter,
                           file_name,
                           "unknown physical group '" + group.name +
                             "' of dimension " +
                             std::to_string(group.dimension) + " in a " +
                             std::to_string(dim) + "D run",
                           "mvbsim knows the boundary groups plasma_membrane, "
                           "nuclear_envelope, synapse (dimension " +
                             std::to_string(dim - 1) +
                             ") and the volume group cytoplasm (dimension " +
                             std::to_string(dim) + "); rename or remove it");
      }
    for (const auto &[name, id] :
         {std::pair<std::string, dealii::types::boundary_id>{
            "plasma_membrane",
            boundary_id::plasma_membrane},
          {"nuclear_envelope", boundary_id::nuclear_envelope}})
      {
        bool found = false;
        for (const auto &entry : boundary_of_tag)
          found = found || (entry.second == id);
        if (!found)
          throw InputError(parameter,
                           file_name,
                           "the mesh has no physical group '" + name +
                             "' of dimension " + std::to_string(dim - 1),
                           "add it to the .geo file and regenerate the mesh");
      }
    if (cytoplasm_tags.empty())
      throw InputError(parameter,
                       file_name,
                       "the mesh has no physical group 'cytoplasm' of "
                       "dimension " +
                         std::to_string(dim),
                       "add it to the .geo file and regenerate the mesh");

    in.clear();
    in.seekg(0);
    dealii::GridIn<dim> grid_in;
    grid_in.attach_triangulation(triangulation);
    try
      {
        grid_in.read_msh(in);
      }
    catch (const dealii::ExceptionBase &e)
      {
        std::ostringstream info;
        e.print_info(info);
        throw InputError(parameter,
                         file_name,
                         "cannot read the mesh: " + one_line(info.str()),
                         "check that it is an ASCII Gmsh file (format 2.2 "
                         "or 4.1) of a " +
                           std::to_string(dim) + "D mesh");
      }

    if (!triangulation.all_reference_cells_are_hyper_cube())
      throw InputError(parameter,
                       file_name,
                       "the mesh has triangles or tetrahedra, but the "
                       "distributed mesh needs quadrilaterals (2D) or "
                       "hexahedra (3D)",
                       "recombine the mesh in Gmsh (Mesh.RecombineAll = 1, "
                       "or Mesh.SubdivisionAlgorithm = 2 in 3D)");

    for (const auto &cell : triangulation.active_cell_iterators())
      {
        if (cytoplasm_tags.count(cell->material_id()) == 0)
          throw InputError(parameter,
                           file_name,
                           "a cell near (" + to_text(cell->center()) +
                             ") is not in the physical group 'cytoplasm'",
                           "put every volume of the mesh in that group");
        cell->set_material_id(0);
        for (const auto &face : cell->face_iterators())
          if (face->at_boundary())
            {
              const auto it = boundary_of_tag.find(face->boundary_id());
              if (it == boundary_of_tag.end())
                throw InputError(
                  parameter,
                  file_name,
                  "a boundary face near (" + to_text(face->center()) +
                    ") is in no named boundary group",
                  "put every boundary curve/surface in plasma_membrane, "
                  "nuclear_envelope or synapse");
              face->set_boundary_id(it->second);
            }
      }
  }

  template void
  read_gmsh_cell<2>(const std::string &, dealii::Triangulation<2> &, MPI_Comm);
  template void
  read_gmsh_cell<3>(const std::string &, dealii::Triangulation<3> &, MPI_Comm);
} // namespace mvb::mesh
