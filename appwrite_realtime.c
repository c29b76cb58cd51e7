#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
