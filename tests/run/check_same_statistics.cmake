# Runs the scenario SCENARIO at 1 and at 2 ranks and compares the two
# statistics.csv with compare_statistics.py (relative tolerance REL) and,
# with MVBS=ON, the MVB trajectories and fusions with compare_mvbs.py (with
# its options MVB_ARGS; IGNORE: more options of compare_statistics.py). With
# END_TIME, the scenario runs shortened: a copy with that End time. With
# RANKS, the second run has that many ranks instead of 2; with EXPECT, its
# output must match that regular expression. With VARIANT (a .prm file), the
# second run's scenario is the first's with VARIANT's text appended.
if(NOT DEFINED RANKS)
  set(RANKS 2)
endif()
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
if(DEFINED END_TIME)
  file(READ ${SCENARIO} text)
  string(REGEX REPLACE "set End time[ ]*=[ ]*[^\n#]*"
    "set End time = ${END_TIME}" shortened "${text}")
  if(shortened STREQUAL text)
    message(FATAL_ERROR "${SCENARIO} sets no End time to shorten")
  endif()
  get_filename_component(name ${SCENARIO} NAME)
  set(SCENARIO ${WORK_DIR}/short-${name})
  file(WRITE ${SCENARIO} "${shortened}")
endif()
set(scenario_1 ${SCENARIO})
set(scenario_${RANKS} ${SCENARIO})
if(DEFINED VARIANT)
  file(READ ${SCENARIO} text)
  file(READ ${VARIANT} variant)
  get_filename_component(name ${SCENARIO} NAME)
  set(scenario_${RANKS} ${WORK_DIR}/variant-${name})
  file(WRITE ${scenario_${RANKS}} "${text}\n${variant}")
endif()
foreach(ranks 1 ${RANKS})
  execute_process(
    COMMAND ${MPIEXEC} -np ${ranks} ${PREFLAGS} ${COMMAND}
      --output np${ranks} ${scenario_${ranks}}
    WORKING_DIRECTORY ${WORK_DIR}
    RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "the run at ${ranks} ranks failed:\n${out}\n${err}")
  endif()
endforeach()
if(DEFINED EXPECT)
  string(REGEX MATCH "${EXPECT}" found "${out}")
  if(NOT found)
    message(FATAL_ERROR "the run at ${RANKS} ranks does not say "
      "'${EXPECT}':\n${out}")
  endif()
  message("${found}")
endif()
execute_process(
  COMMAND ${PYTHON} ${CMAKE_CURRENT_LIST_DIR}/compare_statistics.py
    np1/statistics.csv np${RANKS}/statistics.csv --rel ${REL} --ignore cg_iterations
    ${IGNORE}
  WORKING_DIRECTORY ${WORK_DIR}
  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT result EQUAL 0)
  message(FATAL_ERROR "1 and ${RANKS} ranks differ")
endif()
if(MVBS)
  execute_process(
    COMMAND ${PYTHON} ${CMAKE_CURRENT_LIST_DIR}/compare_mvbs.py np1 np${RANKS}
      ${MVB_ARGS}
    WORKING_DIRECTORY ${WORK_DIR}
    RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message("${out}${err}")
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "the MVBs of 1 and ${RANKS} ranks differ")
  endif()
endif()
