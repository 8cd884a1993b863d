# Runs the scenario SCENARIO at 1 and at 2 ranks and compares the two
# statistics.csv with compare_statistics.py (relative tolerance REL) and,
# with MVBS=ON, the MVB trajectories and fusions with compare_mvbs.py.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
foreach(ranks 1 2)
  execute_process(
    COMMAND ${MPIEXEC} -np ${ranks} ${PREFLAGS} ${COMMAND}
      --output np${ranks} ${SCENARIO}
    WORKING_DIRECTORY ${WORK_DIR}
    RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "the run at ${ranks} ranks failed:\n${out}\n${err}")
  endif()
endforeach()
execute_process(
  COMMAND ${PYTHON} ${CMAKE_CURRENT_LIST_DIR}/compare_statistics.py
    np1/statistics.csv np2/statistics.csv --rel ${REL} --ignore cg_iterations
  WORKING_DIRECTORY ${WORK_DIR}
  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT result EQUAL 0)
  message(FATAL_ERROR "1 and 2 ranks differ")
endif()
if(MVBS)
  execute_process(
    COMMAND ${PYTHON} ${CMAKE_CURRENT_LIST_DIR}/compare_mvbs.py np1 np2
    WORKING_DIRECTORY ${WORK_DIR}
    RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message("${out}${err}")
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "the MVBs of 1 and 2 ranks differ")
  endif()
endif()
