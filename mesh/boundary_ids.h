#pragma once

#include <deal.II/base/types.h>

namespace mvb::mesh
{
  /**
   * Boundary ids of the cytoplasm mesh. Gmsh meshes name them by physical
   * group (the names below); built-in shapes set them directly. The contact
   * patch is part of the plasma membrane: physics that acts on the membrane
   * acts on the patch too (see on_plasma_membrane()).
   */
  namespace boundary_id
  {
    constexpr dealii::types::boundary_id plasma_membrane  = 1;
    constexpr dealii::types::boundary_id nuclear_envelope = 2;
    constexpr dealii::types::boundary_id synapse          = 3;
  } // namespace boundary_id

  inline bool
  on_plasma_membrane(const dealii::types::boundary_id id)
  {
    return id == boundary_id::plasma_membrane || id == boundary_id::synapse;
  }
} // namespace mvb::mesh
