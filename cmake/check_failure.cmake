# Runs COMMAND in a fresh WORK_DIR whose output folder must not appear, and
# checks a non-zero exit with stderr matching EXPECT. Used by
# mvbsim_add_failure_test().
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
execute_process(COMMAND ${COMMAND}
  WORKING_DIRECTORY ${WORK_DIR}
  RESULT_VARIABLE result
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err)
message("exit code: ${result}\nstdout:\n${out}\nstderr:\n${err}")
if(result EQUAL 0)
  message(FATAL_ERROR "mvbsim succeeded on a bad input")
endif()
if(NOT err MATCHES "${EXPECT}")
  message(FATAL_ERROR "stderr does not match the expected message: ${EXPECT}")
endif()
string(REGEX MATCHALL "mvbsim: [a-z ]*error:" lines "${err}")
list(LENGTH lines n_errors)
if(NOT n_errors EQUAL 1)
  message(FATAL_ERROR "expected exactly one error line, got ${n_errors}")
endif()
if(EXISTS ${WORK_DIR}/mvbsim-output)
  message(FATAL_ERROR "a failed run left an output directory behind")
endif()
