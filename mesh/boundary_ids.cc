#include <mesh/boundary_ids.h>

namespace mvb::mesh
{
  std::string
  boundary_name(const dealii::types::boundary_id id)
  {
    switch (id)
    {
      case boundary_id::plasma_membrane:
        return "plasma_membrane";
      case boundary_id::nuclear_envelope:
        return "nuclear_envelope";
      case boundary_id::synapse:
        return "synapse";
      default:
        return "unknown(" + std::to_string(id) + ")";
    }
  }

} // namespace mvb::mesh
