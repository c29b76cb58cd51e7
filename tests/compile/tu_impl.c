/* Two-translation-unit link test, part 1: the one file that holds the implementation. */
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
