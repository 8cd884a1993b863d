# Validates each shipped scenario kind at 1 and 2 ranks and compares the
# geometry summaries line by line (all but the line naming the rank count).
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
get_filename_component(source ${CMAKE_CURRENT_LIST_DIR}/../.. ABSOLUTE)
foreach(scenario spread-cell-3d round-cell-3d irregular-cell-2d)
  set(summaries)
  foreach(ranks 1 2)
    execute_process(
      COMMAND ${MPIEXEC} -np ${ranks} ${PREFLAGS} ${COMMAND}
        ${source}/scenarios/${scenario}.prm
      WORKING_DIRECTORY ${WORK_DIR}
      RESULT_VARIABLE result OUTPUT_VARIABLE out)
    if(NOT result EQUAL 0)
      message(FATAL_ERROR "${scenario} failed at ${ranks} ranks")
    endif()
    list(APPEND summaries "${out}")
  endforeach()
  list(GET summaries 0 one)
  list(GET summaries 1 two)
  message("${scenario}, 1 rank:\n${one}")
  if(NOT one STREQUAL two)
    message(FATAL_ERROR "${scenario}: 1 and 2 ranks differ:\n${two}")
  endif()
endforeach()
