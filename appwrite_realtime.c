/* appwrite_realtime.c - the implementation of appwrite_realtime.h as a source file of its own.
 *
 * In your build: add this file to your sources instead of defining APPWRITE_REALTIME_IMPLEMENTATION
 * in one of yours (define AWR_TCP or AWR_BEARSSL on its command line for the adapters; AWR_TCP links -pthread on
 * POSIX systems, ws2_32 and bcrypt on Windows).
 *
 * As the compiled library (make lib, CMake -DAPPWRITE_REALTIME_LIBRARY=ON, meson -Dlibrary=true):
 * built with AWR_LIBRARY, which adds the TCP adapter (Winsock on Windows, else POSIX sockets), so
 * programs and other languages (FFI) that link it get the whole client and a poll loop. Programs
 * that include the header for it define AWR_TCP too (the pkg-config file and the CMake targets do). */
#if defined(AWR_LIBRARY) && !defined(AWR_TCP)
#  define AWR_TCP
#endif
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
