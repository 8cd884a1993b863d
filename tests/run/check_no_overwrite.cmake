# A second run into the same folder must be refused and leave the first run's
# files untouched; with --overwrite it must succeed.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
set(run ${COMMAND} --output out)
execute_process(COMMAND ${run} WORKING_DIRECTORY ${WORK_DIR}
  RESULT_VARIABLE first OUTPUT_QUIET)
if(NOT first EQUAL 0)
  message(FATAL_ERROR "the first run failed")
endif()
file(SHA256 ${WORK_DIR}/out/log.txt log_before)
file(SHA256 ${WORK_DIR}/out/mesh/cells_0.0.vtu mesh_before)

execute_process(COMMAND ${run} WORKING_DIRECTORY ${WORK_DIR}
  RESULT_VARIABLE second OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("second run: exit ${second}\n${err}")
if(second EQUAL 0)
  message(FATAL_ERROR "a second run into the same folder was not refused")
endif()
if(NOT err MATCHES "--output = out: holds an earlier run")
  message(FATAL_ERROR "the refusal does not say why")
endif()
file(SHA256 ${WORK_DIR}/out/log.txt log_after)
file(SHA256 ${WORK_DIR}/out/mesh/cells_0.0.vtu mesh_after)
if(NOT log_before STREQUAL log_after OR NOT mesh_before STREQUAL mesh_after)
  message(FATAL_ERROR "the refused run changed the earlier run's files")
endif()

# --overwrite replaces the run's own files and nothing else.
file(WRITE ${WORK_DIR}/out/my-notes.txt "keep me")
execute_process(COMMAND ${run} --overwrite WORKING_DIRECTORY ${WORK_DIR}
  RESULT_VARIABLE third OUTPUT_QUIET)
if(NOT third EQUAL 0)
  message(FATAL_ERROR "--overwrite failed")
endif()
file(SHA256 ${WORK_DIR}/out/log.txt log_replaced)
if(log_replaced STREQUAL log_before)
  message(FATAL_ERROR "--overwrite did not replace the earlier run's log")
endif()
if(NOT EXISTS ${WORK_DIR}/out/my-notes.txt)
  message(FATAL_ERROR "--overwrite removed a file that was not the run's")
endif()

# A folder with someone else's files is never written into.
file(WRITE ${WORK_DIR}/theirs/notes.txt "precious")
execute_process(COMMAND ${COMMAND} --output theirs --overwrite
  WORKING_DIRECTORY ${WORK_DIR} RESULT_VARIABLE fourth ERROR_VARIABLE err)
if(fourth EQUAL 0 OR NOT err MATCHES "holds no mvbsim run")
  message(FATAL_ERROR "mvbsim wrote into a folder that is not its own")
endif()
file(READ ${WORK_DIR}/theirs/notes.txt notes)
if(NOT notes STREQUAL "precious")
  message(FATAL_ERROR "a user's file was changed")
endif()
