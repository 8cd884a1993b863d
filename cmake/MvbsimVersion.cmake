# Writes mvbsim_version.h into the build tree with the project version and the
# git revision of the simulator's code ("unknown" outside a git checkout).
#
# The revision is that of `git describe --long` (its hash after "-g" once
# there are tags), with "-dirty" if the files the
# simulator is built from (MVBSIM_CODE_PATHS) have uncommitted changes; changes
# elsewhere (scripts, scenarios, tests, documents, physics/MODEL.md included)
# leave a build clean. The
# validation report reuses an ensemble's record only if the revision that made
# it has the checkout's code, so the header is rewritten at every build (a
# commit or an edit after configuring changes it) and only when it changes.
#
# postprocess/ensemble_record.py reads MVBSIM_CODE_PATHS from this file.
#
# Included from CMakeLists.txt: defines the target mvbsim_version that runs
# this file in script mode (cmake -P) at every build. In script mode: writes
# the header.
set(MVBSIM_CODE_PATHS CMakeLists.txt mesh physics solver "postprocess/*.cc"
  "postprocess/*.h" ":(exclude)*.md")

if(CMAKE_SCRIPT_MODE_FILE)
  set(MVBSIM_GIT_REVISION "unknown")
  find_package(Git QUIET)
  if(GIT_FOUND AND EXISTS ${SOURCE_DIR}/.git)
    execute_process(
      COMMAND ${GIT_EXECUTABLE} describe --always --long --abbrev=12
      WORKING_DIRECTORY ${SOURCE_DIR}
      OUTPUT_VARIABLE _revision
      OUTPUT_STRIP_TRAILING_WHITESPACE
      ERROR_QUIET
      RESULT_VARIABLE _result)
    execute_process(
      COMMAND ${GIT_EXECUTABLE} --no-optional-locks status --porcelain --
              ${MVBSIM_CODE_PATHS}
      WORKING_DIRECTORY ${SOURCE_DIR}
      OUTPUT_VARIABLE _changes
      OUTPUT_STRIP_TRAILING_WHITESPACE
      ERROR_QUIET)
    if(_result EQUAL 0 AND _revision)
      set(MVBSIM_GIT_REVISION ${_revision})
      if(_changes)
        string(APPEND MVBSIM_GIT_REVISION "-dirty")
      endif()
    endif()
  endif()
  configure_file(${SOURCE_DIR}/solver/version.h.in ${HEADER} @ONLY)
  return()
endif()

set(MVBSIM_GENERATED_INCLUDE_DIR ${CMAKE_BINARY_DIR}/generated)
set(_version_header ${MVBSIM_GENERATED_INCLUDE_DIR}/mvbsim_version.h)
find_package(Git QUIET)
set(_version_command ${CMAKE_COMMAND} -DSOURCE_DIR=${CMAKE_SOURCE_DIR}
  -DHEADER=${_version_header} -DPROJECT_VERSION=${PROJECT_VERSION}
  -DGIT_EXECUTABLE=${GIT_EXECUTABLE} -P ${CMAKE_CURRENT_LIST_FILE})
# At configure time too, so that the header exists for tools that read the
# compile commands before the first build.
execute_process(COMMAND ${_version_command} RESULT_VARIABLE _result)
if(NOT _result EQUAL 0)
  message(FATAL_ERROR "cmake/MvbsimVersion.cmake could not write "
    "${_version_header}")
endif()
add_custom_target(mvbsim_version ALL COMMAND ${_version_command}
  BYPRODUCTS ${_version_header}
  COMMENT "Reading the git revision of the simulator's code" VERBATIM)
# The library that includes the header is defined after this file is
# included.
cmake_language(DEFER CALL add_dependencies mvb_core mvbsim_version)
