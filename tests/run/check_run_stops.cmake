# Runs COMMAND, which must stop with a non-zero exit and a stderr line
# matching EXPECT, and leave FILES behind in WORK_DIR.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
execute_process(COMMAND ${COMMAND}
  WORKING_DIRECTORY ${WORK_DIR}
  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("exit code: ${result}\nstdout:\n${out}\nstderr:\n${err}")
if(result EQUAL 0)
  message(FATAL_ERROR "the run did not stop")
endif()
if(NOT err MATCHES "${EXPECT}")
  message(FATAL_ERROR "stderr does not match: ${EXPECT}")
endif()
foreach(file ${FILES})
  if(NOT EXISTS ${WORK_DIR}/${file})
    message(FATAL_ERROR "${file} is missing after the run stopped")
  endif()
endforeach()
