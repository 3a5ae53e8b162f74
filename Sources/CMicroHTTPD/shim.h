#ifndef CMICROHTTPD_SHIM_H
#define CMICROHTTPD_SHIM_H
// Debian's libmicrohttpd-dev. MHD_start_daemon is variadic and cannot be
// called from Swift: cmhd_start_daemon passes a fixed option list instead.
#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <microhttpd.h>

#endif
