#ifndef CHIREDIS_SHIM_H
#define CHIREDIS_SHIM_H
// Debian's libhiredis-dev (0.14). Only the argv entry points are used from
// Swift: the variadic redisCommand cannot be called from Swift.
#include <hiredis/hiredis.h>
#endif
