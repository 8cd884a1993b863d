# Runs COMMAND (mvbsim with SCENARIO) into WORK_DIR/out, then checks with
# ParaView's pvpython under a virtual X server (check_paraview.py) that the
# run's solution.xdmf holds N_TIMES time steps with FIELDS and the MVBs, and
# renders WORK_DIR/render.png. Fails, rather than passing, when PVPYTHON or
# XVFB_RUN was not found at configure time.
if(NOT PVPYTHON)
  message(FATAL_ERROR
    "pvpython not found: install paraview (cmake/install-dependencies.sh does)")
endif()
if(NOT XVFB_RUN)
  message(FATAL_ERROR "xvfb-run not found: install xvfb and xauth "
    "(cmake/install-dependencies.sh does)")
endif()

file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
execute_process(COMMAND ${COMMAND} --output out ${SCENARIO}
  WORKING_DIRECTORY ${WORK_DIR}
  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "the run failed (exit code ${result}):\n${out}\n${err}")
endif()

# -noreset: an X server resets when its last client disconnects, and pvpython
# opens and closes several connections; one that comes during the reset fails
# ("bad X server connection") now and then.
execute_process(
  COMMAND ${XVFB_RUN} -a -s "-screen 0 1280x1024x24 -noreset"
    ${PVPYTHON} ${CMAKE_CURRENT_LIST_DIR}/check_paraview.py out
    --times ${N_TIMES} --fields ${FIELDS} --png ${WORK_DIR}/render.png
  WORKING_DIRECTORY ${WORK_DIR}
  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT result EQUAL 0)
  message(FATAL_ERROR "ParaView does not read the run as it should "
    "(exit code ${result})")
endif()
