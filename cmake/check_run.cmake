# Runs COMMAND in WORK_DIR and checks a zero exit code, that the files in
# FILES (relative to WORK_DIR) exist, that stdout matches EXPECT, and, with
# EMPTY, that nothing was written into WORK_DIR.
# Used by the run tests in tests/run.
if(NOT KEEP)
  file(REMOVE_RECURSE ${WORK_DIR})
endif()
file(MAKE_DIRECTORY ${WORK_DIR})
execute_process(COMMAND ${COMMAND}
  WORKING_DIRECTORY ${WORK_DIR}
  RESULT_VARIABLE result
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err)
message("exit code: ${result}\nstdout:\n${out}\nstderr:\n${err}")
if(NOT result EQUAL 0)
  message(FATAL_ERROR "mvbsim failed")
endif()
if(EXPECT AND NOT out MATCHES "${EXPECT}")
  message(FATAL_ERROR "stdout does not match: ${EXPECT}")
endif()
foreach(file ${FILES})
  if(NOT EXISTS ${WORK_DIR}/${file})
    message(FATAL_ERROR "missing output file: ${file}")
  endif()
endforeach()
if(EMPTY)
  file(GLOB_RECURSE written LIST_DIRECTORIES true ${WORK_DIR}/*)
  if(written)
    message(FATAL_ERROR "the run wrote files: ${written}")
  endif()
endif()
