#pragma once

#include <deal.II/base/mpi.h>
#include <deal.II/base/point.h>

#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace mvb
{
  /**
   * A problem with what the user gave mvbsim: a parameter, an input file, a
   * mesh, a command-line option. The message is one line that names the
   * parameter (by its full path), the bad value, what is wrong and the fix.
   * The entry point prints it and exits non-zero before any output is written.
   */
  class InputError : public std::runtime_error
  {
  public:
    explicit InputError(const std::string &message)
        : std::runtime_error(message)
    {
    }

    /**
     * "Path/To/Entry = value: problem; fix".
     */
    InputError(const std::string &parameter_path,
               const std::string &value,
               const std::string &problem,
               const std::string &fix)
        : std::runtime_error(parameter_path + " = " + value + ": " + problem +
                             "; " + fix)
    {
    }
  };

  /**
   * @p text on one line: runs of white space (newlines included) become one
   * space. deal.II's messages span lines; mvbsim's errors do not.
   */
  inline std::string
  one_line(const std::string &text)
  {
    std::istringstream in(text);
    std::string        word, out;
    while (in >> word)
      out += (out.empty() ? "" : " ") + word;
    return out;
  }

  /** A number as a user would write it in a message: 8, 0.25, 1e-06. */
  inline std::string
  to_text(const double value)
  {
    std::ostringstream out;
    out << value;
    return out.str();
  }

  /** "1, 2, 3" */
  inline std::string
  to_text(const std::vector<double> &values)
  {
    std::string out;
    for (const double v : values)
      out += (out.empty() ? "" : ", ") + to_text(v);
    return out;
  }

  template <int dim>
  std::string
  to_text(const dealii::Point<dim> &p)
  {
    std::vector<double> values(dim);
    for (unsigned int d = 0; d < dim; ++d)
      values[d] = p[d];
    return to_text(values);
  }

  /**
   * Runs @p work on every rank (on rank 0 only if @p root_only) and turns an
   * exception on any rank into an exception on every rank, with the message
   * of the lowest failing rank. Rank-local work (file I/O) that fails on one
   * rank would otherwise leave the others waiting in the next collective
   * call. @p work must not itself call collectives.
   */
  template <typename Work>
  void
  run_collectively(const MPI_Comm communicator,
                   const bool     root_only,
                   const Work    &work)
  {
    std::string error;
    bool        input_error = false;
    if (!root_only ||
        dealii::Utilities::MPI::this_mpi_process(communicator) == 0)
      try
        {
          work();
        }
      catch (const InputError &e)
        {
          error       = e.what();
          input_error = true;
        }
      catch (const std::exception &e)
        {
          error = e.what();
        }
    for (const auto &[message, is_input_error] :
         dealii::Utilities::MPI::all_gather(communicator,
                                            std::make_pair(error, input_error)))
      if (!message.empty())
        {
          if (is_input_error)
            throw InputError(message);
          throw std::runtime_error(message);
        }
  }
} // namespace mvb

namespace mvb
{
  /**
   * A run that cannot go on: a linear solver that does not converge, a
   * field that is no longer finite. The message names the step, the time and
   * the species. What was written up to then stays valid.
   */
  class SimulationError : public std::runtime_error
  {
  public:
    explicit SimulationError(const std::string &message)
        : std::runtime_error(message)
    {
    }
  };
} // namespace mvb
