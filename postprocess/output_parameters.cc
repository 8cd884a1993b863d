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
      prm.declare_entry("Output interval",
                        "30",
                        dealii::Patterns::Double(0),
                        "Simulated time between two outputs: a row of "
                        "statistics.csv and, if Write fields is on, one time "
                        "of the ParaView series solution.xdmf. It must be a "
                        "whole number of time steps. Unit: s.");
      prm.declare_entry("Write fields",
                        "true",
                        dealii::Patterns::Bool(),
                        "Write the fields at every output time (HDF5 files "
                        "in 'fields', listed in solution.xdmf). "
                        "Unit: none.");
      prm.declare_entry("Write MVBs",
                        "true",
                        dealii::Patterns::Bool(),
                        "Write every MVB (position and state, sorted by id) "
                        "at every output time (HDF5 files in 'mvbs', in "
                        "solution.xdmf beside the fields), and the track "
                        "network once (tracks.h5, tracks.xdmf, tracks.txt). "
                        "Fusions (fusions.h5) and statistics.csv are always "
                        "written. Unit: none.");
      prm.declare_entry(
        "Probe points",
        "",
        dealii::Patterns::Anything(),
        "Points at which snapshot.h5 records every field at every output "
        "time, for comparing runs (x,y or x,y,z, separated by ';'; each in "
        "the cytoplasm). Empty: the MTOC and the points 1/4, 1/2 and 4/5 of "
        "the way from it to the edge of the cytoplasm along each coordinate "
        "direction. Unit: um.");
      prm.declare_entry("Progress interval",
                        "5",
                        dealii::Patterns::Double(0),
                        "Wall-clock time between two progress lines "
                        "(simulated time, percent done, steps per second, "
                        "time left). Unit: s.");
    }
    prm.leave_subsection();
  }

  void
  OutputParameters::parse_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Output");
    directory         = prm.get("Directory");
    write_mesh        = prm.get_bool("Write mesh");
    output_interval   = prm.get_double("Output interval");
    write_fields      = prm.get_bool("Write fields");
    write_mvbs        = prm.get_bool("Write MVBs");
    progress_interval = prm.get_double("Progress interval");
    probe_points      = prm.get("Probe points");
    prm.leave_subsection();
  }
} // namespace mvb::postprocess
