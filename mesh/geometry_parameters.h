#pragma once

#include <deal.II/base/parameter_handler.h>

#include <string>
#include <vector>

namespace mvb::mesh
{
  enum class CellShape
  {
    spread_cell,
    round_cell,
    gmsh
  };

  /**
   * Everything in the "Geometry" subsection. Not templated on the dimension:
   * the dimension is itself a parameter. Vectors have exactly `dimension`
   * entries once parse() has returned.
   */
  struct GeometryParameters
  {
    static void
    declare_parameters(dealii::ParameterHandler &prm);

    /**
     * Reads the subsection and cross-checks it. Relative mesh paths are
     * resolved against @p input_directory (the folder of the scenario file).
     * Throws mvb::InputError naming the parameter.
     */
    void
    parse_parameters(dealii::ParameterHandler &prm,
                     const std::string        &input_directory);

    unsigned int dimension          = 3;
    CellShape    shape              = CellShape::spread_cell;
    unsigned int global_refinements = 2;
    unsigned int mapping_degree     = 2;
    double       cortex_thickness   = 0.5; // µm

    // Spread cell (ellipse / flattened ellipsoid with off-centre nucleus) and
    // round cell (annulus / spherical shell) both become these three.
    std::vector<double> cell_semi_axes;    // µm
    std::vector<double> nucleus_semi_axes; // µm
    std::vector<double> nucleus_centre;    // µm, cell centre at the origin

    std::string mesh_file; // absolute path, gmsh only

    bool                contact_patch = false;
    std::vector<double> contact_patch_direction;
    double              contact_patch_radius = 3.0; // µm

    bool                mtoc_position_given = false;
    std::vector<double> mtoc_position; // µm, if given
    bool                mtoc_direction_given = false;
    std::vector<double> mtoc_direction;      // unit vector, if given
    double              mtoc_distance = 1.0; // µm outside the NE
  };
} // namespace mvb::mesh
