# Runs each scenario of SCENARIOS with COMMAND into WORK_DIR/run0, run1, ...,
# then runs the check SCRIPT (with PYTHON) on those folders.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
set(index 0)
set(folders)
foreach(scenario ${SCENARIOS})
  execute_process(COMMAND ${COMMAND} --output run${index} ${scenario}
    WORKING_DIRECTORY ${WORK_DIR}
    RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "the run of ${scenario} failed:\n${out}\n${err}")
  endif()
  list(APPEND folders run${index})
  math(EXPR index "${index} + 1")
endforeach()
execute_process(COMMAND ${PYTHON} ${SCRIPT} ${folders}
  WORKING_DIRECTORY ${WORK_DIR}
  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT result EQUAL 0)
  message(FATAL_ERROR "the check ${SCRIPT} failed")
endif()
