# Runs SCENARIO with COMMAND into WORK_DIR/out, then checks the conservation
# balances of its statistics.csv with check_balances.py (ACTIVE: processes
# that must have moved something).
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
execute_process(COMMAND ${COMMAND} --output out ${SCENARIO}
  WORKING_DIRECTORY ${WORK_DIR}
  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "the run failed:\n${out}\n${err}")
endif()
set(active_args)
foreach(column ${ACTIVE})
  list(APPEND active_args --active ${column})
endforeach()
execute_process(
  COMMAND ${PYTHON} ${CMAKE_CURRENT_LIST_DIR}/check_balances.py
    out/statistics.csv --tol 1e-8 ${active_args}
  WORKING_DIRECTORY ${WORK_DIR}
  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT result EQUAL 0)
  message(FATAL_ERROR "a conservation balance does not close")
endif()
