# Runs SCENARIO into WORK_DIR/out, then checks that the recorded
# parameters.prm and parameters.json, read from inside the output folder,
# validate and describe the same cell.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
execute_process(COMMAND ${COMMAND} --output out ${SCENARIO}
  WORKING_DIRECTORY ${WORK_DIR} RESULT_VARIABLE result OUTPUT_VARIABLE first)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "the first run failed")
endif()
string(REGEX MATCH "cytoplasm [^\n]*" volume "${first}")
foreach(record parameters.prm parameters.json)
  execute_process(COMMAND ${COMMAND} --validate ${record}
    WORKING_DIRECTORY ${WORK_DIR}/out
    RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message("${record}: exit ${result}\n${out}${err}")
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${record} does not rerun the run")
  endif()
  string(REGEX MATCH "cytoplasm [^\n]*" rerun_volume "${out}")
  if(NOT rerun_volume STREQUAL volume)
    message(FATAL_ERROR "${record} gives another cell: '${rerun_volume}' "
      "instead of '${volume}'")
  endif()
endforeach()
