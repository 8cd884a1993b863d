# One regression run: SCENARIO with REFERENCE/settings.prm appended runs in
# WORK_DIR with COMMAND. MODE=check compares its snapshot.h5 with
# REFERENCE/snapshot.h5 (tolerances from REFERENCE/tolerances.txt);
# MODE=update replaces the reference, but only after a complete run.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
file(WRITE ${WORK_DIR}/run.prm
  "include ${SCENARIO}\n# Regression settings\ninclude ${REFERENCE}/settings.prm\n")
execute_process(COMMAND ${COMMAND} --output out run.prm
  WORKING_DIRECTORY ${WORK_DIR}
  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
file(WRITE ${WORK_DIR}/run.log "${out}${err}")
if(NOT result EQUAL 0 OR NOT out MATCHES "Run complete"
    OR NOT EXISTS ${WORK_DIR}/out/snapshot.h5)
  if(MODE STREQUAL "update")
    message(FATAL_ERROR "the run failed (exit ${result}), so the reference "
      "${REFERENCE}/snapshot.h5 is left as it is:\n${err}")
  endif()
  message(FATAL_ERROR "the run failed (exit ${result}):\n${out}\n${err}")
endif()

if(MODE STREQUAL "update")
  file(SIZE ${WORK_DIR}/out/snapshot.h5 size)
  if(size GREATER 1048576)
    message(FATAL_ERROR "the snapshot has ${size} bytes, over the 1 MB a "
      "reference may have: shorten the run in ${REFERENCE}/settings.prm")
  endif()
  file(COPY_FILE ${WORK_DIR}/out/snapshot.h5 ${REFERENCE}/snapshot.h5)
  message("Updated ${REFERENCE}/snapshot.h5 (${size} bytes). Review the "
    "change (mvbsim-compare against the old one) before committing it.")
  return()
endif()

execute_process(COMMAND ${COMPARE} out/snapshot.h5 ${REFERENCE}/snapshot.h5
  WORKING_DIRECTORY ${WORK_DIR}
  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT result EQUAL 0)
  message(FATAL_ERROR "the snapshot differs from the reference (exit "
    "${result}); if the change is intended, regenerate the reference with "
    "'cmake --build <build> --target update-reference-<name>' and explain "
    "why in the commit")
endif()
