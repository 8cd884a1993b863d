#include <postprocess/output_parameters.h>

namespace mvb::postprocess
{
  void
  OutputParameters::declare_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Output");
    {
      prm.declare_entry(
        "Directory",
        "mvbsim-output",
        dealii::Patterns::DirectoryName(),
        "Folder the run writes into, relative to the working directory. It "
        "is created if missing; a folder that holds an earlier run is only "
        "replaced with --overwrite. The command-line option --output takes "
        "precedence. Unit: none.");
      prm.declare_entry("Write mesh",
                        "true",
                        dealii::Patterns::Bool(),
                        "Write the mesh with its boundary ids, MPI "
                        "partition, distance to the plasma membrane and the "
                        "MTOC for ParaView (folder 'mesh'). Unit: none.");
    }
    prm.leave_subsection();
  }

  void
  OutputParameters::parse_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Output");
    directory  = prm.get("Directory");
    write_mesh = prm.get_bool("Write mesh");
    prm.leave_subsection();
  }
} // namespace mvb::postprocess
