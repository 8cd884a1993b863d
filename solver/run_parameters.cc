#include <solver/input_error.h>
#include <solver/run_parameters.h>

#include <deal.II/base/exceptions.h>
#include <deal.II/base/utilities.h>

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace mvb
{
  namespace
  {

    // The subsection path at a line of a .prm text, for messages that only
    // name the entry.
    std::string
    subsection_path_at_line(const std::string &text, const unsigned int line)
    {
      std::istringstream       in(text);
      std::vector<std::string> path;
      std::string              current;
      for (unsigned int n = 1; n < line && std::getline(in, current); ++n)
        {
          current = current.substr(0, current.find('#'));
          std::istringstream words(current);
          std::string        keyword;
          words >> keyword;
          if (keyword == "subsection")
            {
              std::string name;
              std::getline(words, name);
              path.push_back(dealii::Utilities::trim(name));
            }
          else if (keyword == "end" && !path.empty())
            path.pop_back();
        }
      std::string joined;
      for (const auto &p : path)
        joined += p + "/";
      return joined;
    }

    // Where a line of the expanded text was written.
    std::string
    line_origin(const ScenarioInput &input, const std::string &line)
    {
      const unsigned long n = std::stoul(line);
      if (n >= 1 && n <= input.line_origins.size())
        return input.line_origins[n - 1];
      return "line " + line;
    }

    std::string
    describe_parse_error(const std::string &message, const ScenarioInput &input)
    {
      // deal.II: "Line <7> of file <x.prm>: The entry value <abc> for the
      // entry named <Global refinements> does not match the given pattern
      // <[Integer range 0...8 (inclusive)]>."
      static const std::regex pattern_error(
        "Line <([0-9]+)> of file <[^>]*>: The entry value (?:(.*) )?for "
        "the entry named (.*) does not match the given pattern:? (.*)");
      std::smatch m;
      if (!input.json && std::regex_search(message, m, pattern_error))
        {
          const unsigned int line = std::stoul(m[1]);
          const std::string value = m[2].str().empty() ? "(empty)" : m[2].str();
          return subsection_path_at_line(input.text, line) + m[3].str() +
                 " = " + value + " (" + line_origin(input, m[1].str()) +
                 "): the value does not match the pattern " + m[4].str() +
                 "; see mvbsim --print-parameters for what it takes";
        }
      // "Line <3> of file <x.prm>: No entry with name <Colour> was declared
      // in the current subsection."
      static const std::regex unknown_entry(
        "Line <([0-9]+)> of file <[^>]*>: No entry with name <(.*)> was "
        "declared in the current subsection");
      if (!input.json && std::regex_search(message, m, unknown_entry))
        return subsection_path_at_line(input.text, std::stoul(m[1])) +
               m[2].str() + " (" + line_origin(input, m[1].str()) +
               "): there is no such parameter; see mvbsim "
               "--print-parameters for every parameter";
      return message;
    }
    // Comment lines of at most 78 characters.
    void
    print_wrapped(std::ostream      &out,
                  const std::string &indent,
                  const std::string &text)
    {
      std::istringstream words(text);
      std::string        word, line;
      while (words >> word)
        {
          if (!line.empty() &&
              indent.size() + 2 + line.size() + 1 + word.size() > 78)
            {
              out << indent << "# " << line << "\n";
              line.clear();
            }
          line += (line.empty() ? "" : " ") + word;
        }
      if (!line.empty())
        out << indent << "# " << line << "\n";
    }

    void
    print_subsection(const boost::property_tree::ptree &tree,
                     std::ostream                      &out,
                     const std::string                 &indent)
    {
      for (const auto &[name, child] : tree)
        if (child.get_child_optional("value"))
          {
            print_wrapped(out, indent, child.get<std::string>("documentation"));
            print_wrapped(out,
                          indent,
                          "Accepts: " +
                            child.get<std::string>("pattern_description"));
            out << indent << "set " << name << " = "
                << child.get<std::string>("default_value") << "\n\n";
          }
      for (const auto &[name, child] : tree)
        if (!child.get_child_optional("value"))
          {
            out << indent << "subsection " << name << "\n";
            print_subsection(child, out, indent + "  ");
            out << indent << "end\n\n";
          }
    }
    // Sets every entry of a JSON scenario (plain "name": "value" pairs or
    // the {"value": ...} objects of a run's parameters.json), naming the full
    // path of an entry that is not declared or whose value does not fit.
    void
    set_from_json(dealii::ParameterHandler          &prm,
                  const boost::property_tree::ptree &tree,
                  const std::string                 &path,
                  const std::string                 &file)
    {
      for (const auto &[name, child] : tree)
        {
          const std::string full = path + name;
          if (!child.empty() && !child.get_child_optional("value"))
            {
              prm.enter_subsection(name);
              set_from_json(prm, child, full + "/", file);
              prm.leave_subsection();
              continue;
            }
          const std::string value =
            child.empty() ? child.data() : child.get<std::string>("value");
          try
            {
              prm.set(name, value);
            }
          catch (const dealii::ParameterHandler::ExcEntryUndeclared &)
            {
              throw InputError(file + ": " + full +
                               ": there is no such parameter; see mvbsim "
                               "--print-parameters for every parameter");
            }
          catch (const dealii::ExceptionBase &e)
            {
              std::ostringstream info;
              e.print_info(info);
              throw InputError(file + ": " + full + " = " + value + ": " +
                               one_line(info.str()) +
                               "; see mvbsim --print-parameters for what it "
                               "takes");
            }
        }
    }
  } // namespace

  void
  print_parameter_reference(const dealii::ParameterHandler &prm,
                            std::ostream                   &out)
  {
    std::stringstream json;
    prm.print_parameters(json, dealii::ParameterHandler::JSON);
    boost::property_tree::ptree tree;
    boost::property_tree::read_json(json, tree);
    out << "# Every mvbsim parameter with its meaning, unit, accepted values\n"
        << "# and default. Units: length um, time s, concentration uM.\n\n";
    print_subsection(tree, out, "");
  }

  namespace
  {
    // Appends @p file's lines to @p input, each `include` line replaced by
    // the included file's lines. @p chain holds the files being expanded,
    // to refuse a file that includes itself. Returns an error or "".
    std::string
    expand_includes(const std::filesystem::path &file,
                    const std::string           &named_as,
                    std::vector<std::string>    &chain,
                    ScenarioInput               &input)
    {
      std::ifstream in(file);
      if (!in || std::filesystem::is_directory(file))
        return "'" + named_as + "' does not exist or cannot be read";
      const std::string canonical =
        std::filesystem::weakly_canonical(file).string();
      if (std::find(chain.begin(), chain.end(), canonical) != chain.end())
        return "'" + named_as + "' includes itself";
      chain.push_back(canonical);

      static const std::regex include_line("^\\s*include\\s+(\\S+)\\s*(#.*)?$");
      std::string             line;
      unsigned int            number = 0;
      while (std::getline(in, line))
        {
          ++number;
          // Lines of the scenario file itself keep deal.II's "line N".
          const std::string origin = (chain.size() == 1 ? "" : named_as + " ") +
                                     "line " + std::to_string(number);
          std::smatch m;
          if (std::regex_match(line, m, include_line))
            {
              std::filesystem::path included(m[1].str());
              if (included.is_relative())
                included = file.parent_path() / included;
              if (included.extension() != ".prm")
                return "'" + named_as + "' " + origin + ": include '" +
                       m[1].str() + "': only .prm files can be included";
              const std::string error =
                expand_includes(included, included.string(), chain, input);
              if (!error.empty())
                return "'" + named_as + "' " + origin + ": include " + error;
              continue;
            }
          input.text += line + "\n";
          input.line_origins.push_back(origin);
        }
      chain.pop_back();
      return "";
    }
  } // namespace

  ScenarioInput
  read_scenario_file(const std::string &file, const MPI_Comm communicator)
  {
    ScenarioInput input;
    input.file = file;
    if (file.empty())
      return input;

    const std::filesystem::path path(file);
    input.directory             = path.parent_path().string();
    const std::string extension = path.extension().string();
    input.json                  = (extension == ".json");

    std::string error;
    if (dealii::Utilities::MPI::this_mpi_process(communicator) == 0)
      {
        std::ifstream in(file);
        if (extension != ".prm" && extension != ".json")
          error = "scenario file '" + file +
                  "' has neither the extension .prm nor .json";
        else if (std::filesystem::is_directory(path))
          error = "scenario file '" + file + "' is a directory";
        else if (!in)
          error =
            "scenario file '" + file + "' does not exist or cannot be read";
        else if (input.json)
          {
            std::ostringstream content;
            content << in.rdbuf();
            input.text = content.str();
          }
        else
          {
            std::vector<std::string> chain;
            error = expand_includes(path, file, chain, input);
            if (!error.empty())
              error = "scenario file " + error;
          }
      }
    error = dealii::Utilities::MPI::broadcast(communicator, error, 0);
    if (!error.empty())
      throw InputError(error);
    input.text = dealii::Utilities::MPI::broadcast(communicator, input.text, 0);
    input.line_origins =
      dealii::Utilities::MPI::broadcast(communicator, input.line_origins, 0);
    return input;
  }

  void
  RunParameters::declare_parameters(dealii::ParameterHandler &prm)
  {
    mesh::GeometryParameters::declare_parameters(prm);
    TimeSteppingParameters::declare_parameters(prm);
    FieldDiscretisationParameters::declare_parameters(prm);
    physics::SpeciesParameters::declare_parameters(prm);
    postprocess::OutputParameters::declare_parameters(prm);
    physics::MvbParameters::declare_parameters(prm);
    mesh::TrackParameters::declare_parameters(prm);
    CheckpointParameters::declare_parameters(prm);
    LoadBalancingParameters::declare_parameters(prm);
  }

  void
  RunParameters::parse(dealii::ParameterHandler &prm,
                       const ScenarioInput      &input)
  {
    const std::string name = input.file.empty() ? "default" : input.file;
    try
      {
        std::istringstream in(input.text);
        if (input.json)
          {
            boost::property_tree::ptree tree;
            boost::property_tree::read_json(in, tree);
            set_from_json(prm, tree, "", name);
          }
        else if (!input.text.empty())
          prm.parse_input(in, name, "", false);
      }
    catch (const InputError &)
      {
        throw;
      }
    catch (const dealii::ExceptionBase &e)
      {
        std::ostringstream info;
        e.print_info(info);
        throw InputError(name + ": " +
                         describe_parse_error(one_line(info.str()), input));
      }
    catch (const std::exception &e)
      {
        throw InputError(name +
                         ": cannot parse the file: " + one_line(e.what()));
      }

    geometry.parse_parameters(prm, input.directory);
    time.parse_parameters(prm);
    fields.parse_parameters(prm);
    species.parse_parameters(prm, geometry.dimension, time.start_time);
    output.parse_parameters(prm);
    mvbs.parse_parameters(prm);
    tracks.parse_parameters(prm, input.directory, geometry.dimension);
    if (mvbs.perturbations.microtubules != 1)
      {
        if (tracks.from_file)
          throw InputError("Perturbations/Microtubules",
                           to_text(mvbs.perturbations.microtubules),
                           "scales generated microtubules, but "
                           "MVB/Tracks/Source = file",
                           "edit the track file instead, or generate the "
                           "tracks");
        tracks.n_microtubules = static_cast<unsigned int>(
          std::lround(mvbs.perturbations.microtubules * tracks.n_microtubules));
      }
    checkpoints.parse_parameters(prm);
    balancing.parse_parameters(prm);
    if (mvbs.docking_distance <= mvbs.membrane_clearance)
      throw InputError("MVB/Motion/Docking distance",
                       to_text(mvbs.docking_distance),
                       "is not larger than MVB/Motion/Membrane clearance (" +
                         to_text(mvbs.membrane_clearance) +
                         " um), so no MVB could ever dock",
                       "make the docking distance larger than the clearance");
    // Adaptive steps land on the model's own jumps as on listed events.
    time.add_jumps(species.jump_times());
    steps_per_output = whole_number_of_steps(output.output_interval,
                                             time.time_step,
                                             "Output/Output interval",
                                             to_text(output.output_interval),
                                             "the output interval");

    // The run record must rerun the run from wherever it lies: record the
    // mesh by its absolute path.
    if (geometry.shape == mesh::CellShape::gmsh)
      {
        prm.enter_subsection("Geometry");
        prm.enter_subsection("Gmsh");
        prm.set("Mesh file",
                std::filesystem::absolute(geometry.mesh_file).string());
        prm.leave_subsection();
        prm.leave_subsection();
      }
    if (tracks.from_file)
      {
        prm.enter_subsection("MVB");
        prm.enter_subsection("Tracks");
        prm.set("Track file", tracks.file);
        prm.leave_subsection();
        prm.leave_subsection();
      }
  }
} // namespace mvb
