#include <physics/expression.h>
#include <solver/input_error.h>

#include <deal.II/base/function_parser.h>

#include <cctype>
#include <cmath>
#include <vector>

namespace mvb::physics
{
  namespace
  {
    // muparser knows no constants by default; these make expressions such
    // as "0.5*(1+sin(2*pi*t/60))" work.
    std::map<std::string, double>
    with_standard_constants(std::map<std::string, double> constants)
    {
      constants.emplace("pi", M_PI);
      return constants;
    }

    // Whether @p expression is a list: muparser reads "1,2,3" as three
    // results and deal.II keeps the first, silently. A comma is only part
    // of one expression between the parentheses of a function call, as in
    // min(a, b).
    bool
    is_list(const std::string &expression)
    {
      std::vector<bool> in_call; // for every open parenthesis
      for (std::size_t i = 0; i < expression.size(); ++i)
        {
          const char c = expression[i];
          if (c == '(')
            {
              std::size_t j = i;
              while (j > 0 && std::isspace(
                                static_cast<unsigned char>(expression[j - 1])))
                --j;
              in_call.push_back(
                j > 0 &&
                (std::isalnum(static_cast<unsigned char>(expression[j - 1])) ||
                 expression[j - 1] == '_'));
            }
          else if (c == ')' && !in_call.empty())
            in_call.pop_back();
          else if (c == ',' && (in_call.empty() || !in_call.back()))
            return true;
        }
      return false;
    }

    // Parses and evaluates once at @p check_point, so that a bad expression
    // fails while the input is checked, not in the middle of a run.
    template <int dim>
    std::shared_ptr<FunctionParser<dim>>
    parse(const std::string                   &variables,
          const std::string                   &expression,
          const std::string                   &path,
          const std::map<std::string, double> &constants,
          const Point<dim>                    &check_point,
          const std::string                   &where,
          const std::string                   &what,
          const bool                           non_negative)
    {
      if (is_list(expression))
        throw InputError(path,
                         expression,
                         "is a list where one expression is expected",
                         "write " + what +
                           " without top-level commas (commas separate "
                           "only the arguments of functions such as min; "
                           "decimals take a point: 0.5)");
      auto   function = std::make_shared<FunctionParser<dim>>(1);
      double value    = 0;
      try
        {
          function->initialize(variables,
                               expression,
                               with_standard_constants(constants));
          value = function->value(check_point);
        }
      catch (const ExceptionBase &e)
        {
          std::ostringstream info;
          e.print_info(info);
          std::string names;
          for (const auto &c : constants)
            names += ", " + c.first;
          throw InputError(path,
                           expression,
                           "is not a valid expression (" +
                             one_line(info.str()) + ")",
                           "write " + what + " using the variables " +
                             variables + names +
                             ", pi and muparser functions such as exp, "
                             "sin, min, max and if-then-else (a ? b : c)");
        }
      if (!std::isfinite(value))
        throw InputError(path,
                         expression,
                         "is not finite (value " + to_text(value) + " " +
                           where + ")",
                         "give an expression that is finite everywhere in "
                         "the run");
      if (std::abs(value) > largest_value)
        throw InputError(path,
                         expression,
                         "is out of range (value " + to_text(value) + " " +
                           where + ")",
                         "give values of magnitude at most " +
                           to_text(largest_value) + " (units: um, s, uM)");
      if (non_negative && value < 0)
        throw InputError(path,
                         expression,
                         "is negative (value " + to_text(value) + " " + where +
                           ")",
                         "give an expression that is >= 0");
      return function;
    }

    // A FunctionParser<1> of t seen as a Function<dim> of (x, t).
    template <int dim>
    class TimeOnlyFunction : public Function<dim>
    {
    public:
      explicit TimeOnlyFunction(std::shared_ptr<FunctionParser<1>> f)
          : f(std::move(f))
      {
      }

      double
      value(const Point<dim> &, const unsigned int = 0) const override
      {
        return f->value(Point<1>(this->get_time()));
      }

    private:
      std::shared_ptr<FunctionParser<1>> f;
    };
  } // namespace

  template <int dim>
  std::shared_ptr<Function<dim>>
  time_expression(const std::string                   &expression,
                  const std::string                   &path,
                  const std::map<std::string, double> &constants,
                  const double                         check_time,
                  const bool                           non_negative)
  {
    // The time is the parser's only variable, not its "time": then the
    // FunctionParser<1> is evaluated at the point (t).
    auto parser = parse<1>("t",
                           expression,
                           path,
                           constants,
                           Point<1>(check_time),
                           "at t = " + to_text(check_time),
                           "an expression of the time t",
                           non_negative);
    return std::make_shared<TimeOnlyFunction<dim>>(parser);
  }

  template <int dim>
  std::shared_ptr<Function<dim>>
  space_expression(const std::string                   &expression,
                   const std::string                   &path,
                   const std::map<std::string, double> &constants)
  {
    // Not checked for sign here: the origin may lie in the nucleus, outside
    // the cell; the field solver checks a concentration at every node.
    return parse<dim>(dim == 2 ? "x,y" : "x,y,z",
                      expression,
                      path,
                      constants,
                      Point<dim>(),
                      "at the origin",
                      "an expression of the position",
                      false);
  }

  template std::shared_ptr<Function<2>>
  time_expression<2>(const std::string &,
                     const std::string &,
                     const std::map<std::string, double> &,
                     double,
                     bool);
  template std::shared_ptr<Function<3>>
  time_expression<3>(const std::string &,
                     const std::string &,
                     const std::map<std::string, double> &,
                     double,
                     bool);
  template std::shared_ptr<Function<2>>
  space_expression<2>(const std::string &,
                      const std::string &,
                      const std::map<std::string, double> &);
  template std::shared_ptr<Function<3>>
  space_expression<3>(const std::string &,
                      const std::string &,
                      const std::map<std::string, double> &);
} // namespace mvb::physics
