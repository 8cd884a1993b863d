# Test helpers. Every test gets the label `quick` (run by CI and the README's
# test command) or `long`.
find_package(Catch2 2.13 REQUIRED)

# Open MPI refuses to run as root and to start more ranks than cores unless
# told; both are harmless otherwise.
set(MVBSIM_MPIEXEC_PREFLAGS "--allow-run-as-root;--oversubscribe"
  CACHE STRING "Flags put after 'mpirun -np N' in tests")
# The MPI launcher deal.II was configured with.
set(MVBSIM_MPIEXEC "${DEAL_II_MPIEXEC}" CACHE FILEPATH "MPI launcher for tests")
if(NOT MVBSIM_MPIEXEC)
  find_program(MVBSIM_MPIEXEC NAMES mpiexec mpirun REQUIRED)
endif()

# The Python that test scripts run with: it must have h5py and numpy (Debian's
# python3-h5py). A python3 first on the PATH (a virtual environment) may lack
# them, so each candidate is tried.
if(NOT MVBSIM_PYTHON)
  find_package(Python3 COMPONENTS Interpreter)
  foreach(candidate ${Python3_EXECUTABLE} /usr/bin/python3)
    execute_process(COMMAND ${candidate} -c "import h5py, numpy"
      RESULT_VARIABLE result OUTPUT_QUIET ERROR_QUIET)
    if(result EQUAL 0)
      set(MVBSIM_PYTHON ${candidate} CACHE FILEPATH
        "Python 3 with h5py and numpy, for tests")
      break()
    endif()
  endforeach()
  if(NOT MVBSIM_PYTHON)
    message(FATAL_ERROR "no python3 with h5py and numpy: install python3-h5py "
      "(cmake/install-dependencies.sh does)")
  endif()
endif()

# The command prefix that runs N ranks.
function(mvbsim_mpi_prefix ranks out)
  set(${out} ${MVBSIM_MPIEXEC} -np ${ranks} ${MVBSIM_MPIEXEC_PREFLAGS}
    PARENT_SCOPE)
endfunction()

# mvbsim_add_unit_tests(NAME name SOURCES a.cc ... RANKS 1 2 LABELS quick)
# One Catch2 executable, run once per rank count as test <name>.np<N>.
function(mvbsim_add_unit_tests)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;RANKS;LABELS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} mvb_core Catch2::Catch2)
  target_compile_definitions(${ARG_NAME} PRIVATE
    MVBSIM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  deal_ii_setup_target(${ARG_NAME})
  mvbsim_enable_warnings(${ARG_NAME})
  foreach(ranks ${ARG_RANKS})
    mvbsim_mpi_prefix(${ranks} prefix)
    add_test(NAME ${ARG_NAME}.np${ranks}
      COMMAND ${prefix} $<TARGET_FILE:${ARG_NAME}>)
    set_tests_properties(${ARG_NAME}.np${ranks} PROPERTIES
      LABELS "${ARG_LABELS}" PROCESSORS ${ranks} TIMEOUT 600)
  endforeach()
endfunction()

# mvbsim_add_failure_test(NAME name INPUT file.prm EXPECT regex
#                         [ARGS extra options] [RANKS n])
# Runs mvbsim on a bad input and passes if it exits non-zero, prints a line
# matching EXPECT on stderr, and leaves no output directory behind.
function(mvbsim_add_failure_test)
  cmake_parse_arguments(ARG "" "NAME;INPUT;EXPECT;RANKS" "ARGS" ${ARGN})
  if(NOT ARG_RANKS)
    set(ARG_RANKS 1)
  endif()
  mvbsim_mpi_prefix(${ARG_RANKS} prefix)
  set(work ${CMAKE_CURRENT_BINARY_DIR}/${ARG_NAME})
  add_test(NAME failure.${ARG_NAME}
    COMMAND ${CMAKE_COMMAND}
      "-DCOMMAND=${prefix};$<TARGET_FILE:mvbsim>;${ARG_ARGS};${ARG_INPUT}"
      "-DEXPECT=${ARG_EXPECT}"
      "-DWORK_DIR=${work}"
      -P ${PROJECT_SOURCE_DIR}/cmake/check_failure.cmake)
  set_tests_properties(failure.${ARG_NAME} PROPERTIES
    LABELS "quick;failure" PROCESSORS ${ARG_RANKS} TIMEOUT 120)
endfunction()
