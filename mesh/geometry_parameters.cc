#include <mesh/geometry_parameters.h>
#include <solver/input_error.h>

#include <deal.II/base/utilities.h>

#include <cmath>
#include <filesystem>
#include <sstream>

namespace mvb::mesh
{
  using dealii::ParameterHandler;
  using dealii::Patterns::Anything;
  using dealii::Patterns::Bool;
  using dealii::Patterns::Double;
  using dealii::Patterns::FileName;
  using dealii::Patterns::Integer;
  using dealii::Patterns::List;
  using dealii::Patterns::Selection;

  namespace
  {
    const std::string section = "Geometry";

    // Throws unless @p values has one entry per space dimension.
    void
    check_components(const std::vector<double> &values,
                     const std::string         &path,
                     const std::string         &text,
                     const unsigned int         dimension,
                     const std::string         &alternative)
    {
      if (values.size() != dimension)
        throw InputError(path,
                         text,
                         "has " + std::to_string(values.size()) +
                           " components but the run is " +
                           std::to_string(dimension) + "D",
                         "give " + alternative + "exactly " +
                           std::to_string(dimension) +
                           " comma-separated values");
    }

    // A list entry with exactly `dimension` entries.
    std::vector<double>
    get_vector(ParameterHandler  &prm,
               const std::string &path,
               const std::string &entry,
               const unsigned int dimension)
    {
      const std::string         text   = prm.get(entry);
      const std::vector<double> values = dealii::Utilities::string_to_double(
        dealii::Utilities::split_string_list(text, ','));
      check_components(values, path + "/" + entry, text, dimension, "");
      return values;
    }

    std::vector<double>
    parse_optional_vector(ParameterHandler  &prm,
                          const std::string &path,
                          const std::string &entry,
                          const unsigned int dimension,
                          bool              &given)
    {
      const std::string text = dealii::Utilities::trim(prm.get(entry));
      given                  = (text != "auto");
      if (!given)
        return {};
      std::vector<double> values;
      try
        {
          values = dealii::Utilities::string_to_double(
            dealii::Utilities::split_string_list(text, ','));
        }
      catch (...)
        {
          throw InputError(path + "/" + entry,
                           text,
                           "is neither 'auto' nor a list of numbers",
                           "write 'auto' or " + std::to_string(dimension) +
                             " comma-separated numbers");
        }
      check_components(values,
                       path + "/" + entry,
                       text,
                       dimension,
                       "'auto' or ");
      return values;
    }

    std::vector<double>
    normalised(const std::vector<double> &v, const std::string &path)
    {
      double norm = 0;
      for (const double x : v)
        norm += x * x;
      norm = std::sqrt(norm);
      if (!(norm > 1e-12))
        throw InputError(path,
                         to_text(v),
                         "is the zero vector, which has no direction",
                         "give a non-zero direction vector");
      std::vector<double> u(v);
      for (double &x : u)
        x /= norm;
      return u;
    }

    const std::string point_pattern_doc =
      " Give as many comma-separated values as the run has dimensions.";
  } // namespace

  void
  GeometryParameters::declare_parameters(ParameterHandler &prm)
  {
    prm.enter_subsection(section);
    {
      prm.declare_entry("Dimension",
                        "3",
                        Integer(2, 3),
                        "Space dimension of the cell: 2 (a flat section) or "
                        "3. Unit: none.");
      prm.declare_entry(
        "Shape",
        "spread cell",
        Selection("spread cell|round cell|gmsh"),
        "Cell geometry. 'spread cell': ellipse (2D) or flattened ellipsoid "
        "(3D) with an off-centre nucleus (subsection 'Spread cell'); 'round "
        "cell': annulus or spherical shell (subsection 'Round cell'); "
        "'gmsh': a mesh file (subsection 'Gmsh'). Unit: none.");
      prm.declare_entry("Global refinements",
                        "2",
                        Integer(0, 8),
                        "Number of times every cell of the coarse mesh is "
                        "split in 2^dim children. Unit: none.");
      prm.declare_entry(
        "Mapping degree",
        "2",
        Integer(1, 4),
        "Polynomial degree of the geometry mapping; 2 or more lets cells "
        "follow the curved membrane and nuclear envelope. Unit: none.");
      prm.declare_entry("Cortex thickness",
                        "0.5",
                        Double(0.01, 10),
                        "Thickness delta_cortex of the cortical actin layer "
                        "under the plasma membrane. Unit: um.");

      prm.enter_subsection("Spread cell");
      {
        prm.declare_entry("Cell semi-axes",
                          "15, 10, 4",
                          List(Double(0.1, 1000), 2, 3, ","),
                          "Semi-axes (x, y[, z]) of the cell body, centred at "
                          "the origin. Unit: um." +
                            point_pattern_doc);
        prm.declare_entry("Nucleus semi-axes",
                          "5, 4, 2.5",
                          List(Double(0.1, 1000), 2, 3, ","),
                          "Semi-axes (x, y[, z]) of the nucleus. Unit: um." +
                            point_pattern_doc);
        prm.declare_entry("Nucleus centre",
                          "-4, 0, 0",
                          List(Double(-1000, 1000), 2, 3, ","),
                          "Centre of the nucleus; off-centre along the long "
                          "axis in a spread cell. Unit: um." +
                            point_pattern_doc);
      }
      prm.leave_subsection();

      prm.enter_subsection("Round cell");
      {
        prm.declare_entry("Cell radius",
                          "10",
                          Double(0.1, 1000),
                          "Radius of the cell. Unit: um.");
        prm.declare_entry("Nucleus radius",
                          "4",
                          Double(0.1, 1000),
                          "Radius of the (concentric) nucleus. Unit: um.");
      }
      prm.leave_subsection();

      prm.enter_subsection("Gmsh");
      {
        prm.declare_entry(
          "Mesh file",
          "",
          FileName(FileName::input),
          "Gmsh .msh file (format 2.2 or 4.1, ASCII; quadrilaterals in 2D, "
          "hexahedra in 3D; lengths in um) with physical groups named "
          "'plasma_membrane', 'nuclear_envelope', 'cytoplasm' and optionally "
          "'synapse'. A relative path is read from the folder of the scenario "
          "file. Unit: none.");
      }
      prm.leave_subsection();

      prm.enter_subsection("Contact patch");
      {
        prm.declare_entry("Enable",
                          "false",
                          Bool(),
                          "Mark a patch of the plasma membrane of a built-in "
                          "shape as contact patch (boundary 'synapse': an "
                          "immunological synapse or an apical domain). Gmsh "
                          "meshes mark it with the group 'synapse' instead. "
                          "Unit: none.");
        prm.declare_entry("Direction",
                          "1, 0, 0",
                          List(Double(), 2, 3, ","),
                          "Direction from the cell centre to the centre of "
                          "the patch. Unit: none (normalised)." +
                            point_pattern_doc);
        prm.declare_entry("Radius",
                          "3",
                          Double(0.01, 1000),
                          "Membrane faces whose centre is within this "
                          "distance of the patch centre belong to the patch. "
                          "Unit: um.");
      }
      prm.leave_subsection();

      prm.enter_subsection("MTOC");
      {
        prm.declare_entry(
          "Position",
          "auto",
          Anything(),
          "Position of the microtubule-organising centre: 'auto' (next to "
          "the nucleus, see 'Direction' and 'Distance from nuclear "
          "envelope') or a point 'x, y[, z]' inside the cytoplasm. Unit: um.");
        prm.declare_entry(
          "Direction",
          "auto",
          Anything(),
          "Side of the nucleus the MTOC faces: 'auto' (along the longest "
          "axis of the cell, towards its larger part) or a vector "
          "'x, y[, z]'. Unit: none (normalised).");
        prm.declare_entry("Distance from nuclear envelope",
                          "1",
                          Double(0, 100),
                          "Distance of the MTOC outside the nuclear envelope "
                          "along 'Direction'. Unit: um.");
      }
      prm.leave_subsection();
    }
    prm.leave_subsection();
  }

  void
  GeometryParameters::parse_parameters(ParameterHandler  &prm,
                                       const std::string &input_directory)
  {
    prm.enter_subsection(section);
    dimension                    = prm.get_integer("Dimension");
    global_refinements           = prm.get_integer("Global refinements");
    mapping_degree               = prm.get_integer("Mapping degree");
    cortex_thickness             = prm.get_double("Cortex thickness");
    const std::string shape_name = prm.get("Shape");
    shape = (shape_name == "spread cell"  ? CellShape::spread_cell
             : shape_name == "round cell" ? CellShape::round_cell
                                          : CellShape::gmsh);

    const unsigned int d = dimension;
    if (shape == CellShape::spread_cell)
      {
        const std::string path = section + "/Spread cell";
        prm.enter_subsection("Spread cell");
        cell_semi_axes    = get_vector(prm, path, "Cell semi-axes", d);
        nucleus_semi_axes = get_vector(prm, path, "Nucleus semi-axes", d);
        nucleus_centre    = get_vector(prm, path, "Nucleus centre", d);
        prm.leave_subsection();

        // The nucleus must sit inside the cell with cytoplasm all round it:
        // sample its surface and measure how far towards the membrane it
        // reaches in the cell's own ellipsoidal coordinate (1 = membrane).
        double             reach = 0;
        const unsigned int n     = 64;
        for (unsigned int i = 0; i < n; ++i)
          for (unsigned int j = 0; j <= (d == 3 ? n / 2 : 0); ++j)
            {
              const double phi   = 2 * M_PI * i / n;
              const double theta = (d == 3 ? M_PI * j / (n / 2) : M_PI / 2);
              const double direction[3] = {std::cos(phi) * std::sin(theta),
                                           std::sin(phi) * std::sin(theta),
                                           std::cos(theta)};
              double       r2           = 0;
              for (unsigned int k = 0; k < d; ++k)
                {
                  const double x =
                    nucleus_centre[k] + nucleus_semi_axes[k] * direction[k];
                  r2 += (x / cell_semi_axes[k]) * (x / cell_semi_axes[k]);
                }
              reach = std::max(reach, std::sqrt(r2));
            }
        if (reach > 0.95)
          throw InputError(
            path + "/Nucleus semi-axes",
            to_text(nucleus_semi_axes),
            "with 'Nucleus centre' = " + to_text(nucleus_centre) +
              " the nucleus reaches " +
              std::to_string(static_cast<int>(std::round(reach * 100))) +
              "% of the way to the plasma membrane (at most 95% is allowed)",
            "make the nucleus smaller or move it towards the cell centre");
      }
    else if (shape == CellShape::round_cell)
      {
        const std::string path = section + "/Round cell";
        prm.enter_subsection("Round cell");
        const double cell_radius    = prm.get_double("Cell radius");
        const double nucleus_radius = prm.get_double("Nucleus radius");
        prm.leave_subsection();
        if (nucleus_radius >= 0.95 * cell_radius)
          throw InputError(path + "/Nucleus radius",
                           to_text(nucleus_radius),
                           "is not smaller than 95% of 'Cell radius' = " +
                             to_text(cell_radius),
                           "make the nucleus smaller than the cell");
        cell_semi_axes.assign(d, cell_radius);
        nucleus_semi_axes.assign(d, nucleus_radius);
        nucleus_centre.assign(d, 0.0);
      }
    else
      {
        const std::string path = section + "/Gmsh/Mesh file";
        prm.enter_subsection("Gmsh");
        const std::string file = dealii::Utilities::trim(prm.get("Mesh file"));
        prm.leave_subsection();
        if (file.empty())
          throw InputError(path,
                           "''",
                           "is empty but 'Geometry/Shape' is 'gmsh'",
                           "name a .msh file");
        std::filesystem::path mesh_path(file);
        if (mesh_path.is_relative() && !input_directory.empty())
          mesh_path = std::filesystem::path(input_directory) / mesh_path;
        mesh_file = mesh_path.lexically_normal().string();
      }

    {
      const std::string path = section + "/Contact patch";
      prm.enter_subsection("Contact patch");
      contact_patch = prm.get_bool("Enable");
      if (contact_patch && shape == CellShape::gmsh)
        throw InputError(path + "/Enable",
                         "true",
                         "a contact patch cannot be added to a Gmsh mesh",
                         "mark it in the mesh with the physical group "
                         "'synapse' and set Enable = false");
      // The direction is only read when it is used, so 2D scenarios need
      // not restate the 3D default.
      if (contact_patch)
        contact_patch_direction =
          normalised(get_vector(prm, path, "Direction", d),
                     path + "/Direction");
      contact_patch_radius = prm.get_double("Radius");
      prm.leave_subsection();
    }

    {
      const std::string path = section + "/MTOC";
      prm.enter_subsection("MTOC");
      mtoc_position =
        parse_optional_vector(prm, path, "Position", d, mtoc_position_given);
      mtoc_direction =
        parse_optional_vector(prm, path, "Direction", d, mtoc_direction_given);
      if (mtoc_direction_given)
        mtoc_direction = normalised(mtoc_direction, path + "/Direction");
      mtoc_distance = prm.get_double("Distance from nuclear envelope");
      prm.leave_subsection();
    }
    prm.leave_subsection();
  }
} // namespace mvb::mesh
