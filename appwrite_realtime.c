/* appwrite_realtime.c - the implementation of appwrite_realtime.h as a source file of its own.
 *
 * In your build: add this file to your sources instead of defining APPWRITE_REALTIME_IMPLEMENTATION
 * in one of yours (define AWR_POSIX, AWR_WIN32 or AWR_BEARSSL on its command line for the adapters).
 *
 * As the compiled library (make lib, CMake -DAPPWRITE_REALTIME_LIBRARY=ON, meson -Dlibrary=true):
 * built with AWR_LIBRARY, which adds the platform's socket adapter (Winsock on Windows, else POSIX),
 * so programs and other languages (FFI) that link it get the whole client and a poll loop. Programs
 * that include the header for it define the same adapter macro (the pkg-config file and the CMake
 * targets do). */
#ifdef AWR_LIBRARY
#  if defined(_WIN32)
#    ifndef AWR_WIN32
#      define AWR_WIN32
#    endif
#  elif !defined(AWR_POSIX)
#    define AWR_POSIX
#  endif
#endif
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
