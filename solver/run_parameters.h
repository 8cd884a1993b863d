#pragma once

#include <mesh/geometry_parameters.h>
#include <mesh/track_network.h>
#include <physics/mvb_parameters.h>
#include <physics/species_parameters.h>
#include <postprocess/output_parameters.h>
#include <solver/checkpoint.h>
#include <solver/discretisation_parameters.h>
#include <solver/load_balancing.h>

#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>

#include <ostream>
#include <string>
#include <vector>

namespace mvb
{
  /**
   * A scenario file as the user gave it, read on rank 0 and broadcast.
   */
  struct ScenarioInput
  {
    std::string file;      // as given on the command line; empty: default
    std::string directory; // folder of the file, for relative paths
    std::string text;      // its content, `include` lines expanded
    bool        json = false;
    // For each line of `text`: where it was written ("line N", or
    // "file line N" in an included file), for messages.
    std::vector<std::string> line_origins;
  };

  /**
   * Reads @p file on rank 0 and sends it to every rank. An empty name is the
   * built-in default scenario (empty text). In a .prm file, a line
   * `include other.prm` is replaced by that file's content (a relative name
   * is read from the folder of the including file), so a scenario can be a
   * baseline plus its changes. Throws mvb::InputError on every rank if a
   * file is missing, unreadable, of an unknown kind, or includes itself.
   */
  ScenarioInput
  read_scenario_file(const std::string &file, MPI_Comm communicator);

  /**
   * Writes every declared entry as a valid .prm file: its documentation
   * (meaning and unit), the values it accepts, and its default.
   */
  void
  print_parameter_reference(const dealii::ParameterHandler &prm,
                            std::ostream                   &out);

  /**
   * Every parameter of a run, one member per concern, each declared and
   * parsed beside the code that uses it.
   */
  struct RunParameters
  {
    static void
    declare_parameters(dealii::ParameterHandler &prm);

    /**
     * Parses @p input into @p prm and reads every subsection. deal.II's
     * messages for syntax errors, unknown entries and values that do not
     * match their pattern are turned into one-line mvb::InputErrors.
     */
    void
    parse(dealii::ParameterHandler &prm, const ScenarioInput &input);

    mesh::GeometryParameters      geometry;
    TimeSteppingParameters        time;
    FieldDiscretisationParameters fields;
    physics::SpeciesParameters    species;
    postprocess::OutputParameters output;
    physics::MvbParameters        mvbs;
    mesh::TrackParameters         tracks;
    CheckpointParameters          checkpoints;
    LoadBalancingParameters       balancing;

    /** Time steps between two outputs. */
    unsigned int steps_per_output = 20;
  };
} // namespace mvb
