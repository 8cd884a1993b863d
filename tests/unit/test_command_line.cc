#include <solver/command_line.h>
#include <solver/input_error.h>

#include <catch2/catch.hpp>

using mvb::parse_command_line;

TEST_CASE("command line: options and the scenario file", "[command line]")
{
  const auto o = parse_command_line(
    {"--validate", "--output", "out", "--overwrite", "cell.prm"});
  CHECK(o.validate);
  CHECK(o.overwrite);
  CHECK_FALSE(o.help);
  CHECK(o.output_directory == "out");
  CHECK(o.input_file == "cell.prm");

  CHECK(parse_command_line({"--output=x"}).output_directory == "x");
  CHECK(parse_command_line({}).input_file.empty());
  CHECK(parse_command_line({"-h"}).help);
}

TEST_CASE("command line: mistakes are named", "[command line]")
{
  CHECK_THROWS_WITH(parse_command_line({"--frobnicate"}),
                    Catch::Contains("unknown option '--frobnicate'"));
  CHECK_THROWS_WITH(parse_command_line({"--output"}),
                    Catch::Contains("--output needs a directory"));
  CHECK_THROWS_WITH(parse_command_line({"a.prm", "b.prm"}),
                    Catch::Contains("more than one scenario file"));
}
