# Cross build for linux-aarch64 (Raspberry Pi 4/5, Jetson, Graviton) from an x86-64 Debian 12 host with
# Debian's cross compiler (apt-get install g++-aarch64-linux-gnu). GCC 12 and glibc 2.36, as on the
# Raspberry Pi OS of the same release, so the glibc floor is the x86-64 build's.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH) # JNI headers come from the host JDK
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
