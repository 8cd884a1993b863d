# Writes solver/version.h into the build tree with the project version and the
# git revision of the source tree ("unknown" outside a git checkout).
find_package(Git QUIET)
set(MVBSIM_GIT_REVISION "unknown")
if(GIT_FOUND AND EXISTS ${CMAKE_SOURCE_DIR}/.git)
  execute_process(
    COMMAND ${GIT_EXECUTABLE} describe --always --dirty --abbrev=12
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
    OUTPUT_VARIABLE _revision
    OUTPUT_STRIP_TRAILING_WHITESPACE
    ERROR_QUIET
    RESULT_VARIABLE _result)
  if(_result EQUAL 0 AND _revision)
    set(MVBSIM_GIT_REVISION ${_revision})
  endif()
endif()

set(MVBSIM_GENERATED_INCLUDE_DIR ${CMAKE_BINARY_DIR}/generated)
configure_file(${CMAKE_SOURCE_DIR}/solver/version.h.in
  ${MVBSIM_GENERATED_INCLUDE_DIR}/mvbsim_version.h @ONLY)
