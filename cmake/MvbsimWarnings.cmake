# Warnings for mvbsim's own targets (deal.II adds its own flags through
# deal_ii_setup_target).
function(mvbsim_enable_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow=local
    -Wnon-virtual-dtor -Woverloaded-virtual)
endfunction()
