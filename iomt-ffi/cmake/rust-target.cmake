# The Rust target triple for a CMake/Zephyr configuration, and the cargo features of the C
# library. Shared by iomt-ffi/CMakeLists.txt and zephyr/CMakeLists.txt (one mapping);
# `cargo xtask cmake` checks that every triple here is one CI builds (xtask EMBEDDED_TARGETS).

# iomt_rust_target_for_zephyr(<out-var>): the triple for the Zephyr board's CPU and float ABI
# (empty if the CPU has no supported Rust target).
function(iomt_rust_target_for_zephyr out)
  set(triple "")
  if(CONFIG_CPU_CORTEX_M0 OR CONFIG_CPU_CORTEX_M0PLUS OR CONFIG_CPU_CORTEX_M1)
    set(triple "thumbv6m-none-eabi")
  elseif(CONFIG_CPU_CORTEX_M4 OR CONFIG_CPU_CORTEX_M7)
    if(CONFIG_FP_HARDABI)
      set(triple "thumbv7em-none-eabihf")
    else()
      set(triple "thumbv7em-none-eabi")
    endif()
  elseif(CONFIG_CPU_CORTEX_M33)
    if(CONFIG_FP_HARDABI)
      set(triple "thumbv8m.main-none-eabihf")
    else()
      set(triple "thumbv8m.main-none-eabi")
    endif()
  elseif(CONFIG_RISCV AND CONFIG_RISCV_ISA_RV32I AND CONFIG_RISCV_ISA_EXT_M AND CONFIG_RISCV_ISA_EXT_C)
    set(triple "riscv32imc-unknown-none-elf")
  endif()
  set(${out} "${triple}" PARENT_SCOPE)
endfunction()

# iomt_default_features(<out-var> <rust-target>): the cargo features of the C library when
# IOMT_CARGO_FEATURES is not set: the host build keeps `std` (a panic boundary around
# every entry point); an embedded build is no_std with the library's panic handler.
function(iomt_default_features out rust_target)
  if(rust_target STREQUAL "")
    set(${out} "std,panic-handler,signature-methods" PARENT_SCOPE)
  else()
    set(${out} "panic-handler,signature-methods" PARENT_SCOPE)
  endif()
endfunction()

# iomt_kconfig_feature(<kconfig-symbol> <cargo-feature>): appends the feature to
# IOMT_CARGO_FEATURES (comma-separated, in the caller's scope) when the symbol is set.
macro(iomt_kconfig_feature symbol feature)
  if(${symbol})
    string(APPEND IOMT_CARGO_FEATURES ",${feature}")
  endif()
endmacro()
