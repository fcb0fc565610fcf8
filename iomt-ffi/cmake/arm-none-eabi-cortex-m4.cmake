# Toolchain file: Cortex-M4F (hard-float ABI) with arm-none-eabi-gcc, for the Rust target
# thumbv7em-none-eabihf. Use: cmake -DCMAKE_TOOLCHAIN_FILE=<repo>/iomt-ffi/cmake/arm-none-eabi-cortex-m4.cmake
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR cortex-m4)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
# No OS to link a test program against while CMake probes the compiler.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_C_FLAGS_INIT "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
# The Rust target iomt-ffi/CMakeLists.txt builds the library for.
set(IOMT_RUST_TARGET "thumbv7em-none-eabihf" CACHE STRING "Rust target triple of libiomt_ffi.a")
