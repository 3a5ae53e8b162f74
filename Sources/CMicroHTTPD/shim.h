#ifndef CMICROHTTPD_SHIM_H
#define CMICROHTTPD_SHIM_H
// Debian's libmicrohttpd-dev. MHD_start_daemon and MHD_get_daemon_info are
// variadic and cannot be called from Swift: the wrappers below pass a fixed
// argument list instead.
#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <microhttpd.h>

/// The URI log callback: its result becomes the request's `*con_cls`.
typedef void *(*cmhd_uri_log_callback)(void *context, const char *uri, struct MHD_Connection *connection);

/// Starts a daemon bound to `address` with an internal thread pool.
///
/// `context` is handed to every callback. A `thread_pool_size` below 2 runs
/// one internal polling thread instead of a pool (MHD rejects a pool of 1).
static inline struct MHD_Daemon *cmhd_start_daemon(
    unsigned int flags,
    const struct sockaddr *address,
    unsigned int thread_pool_size,
    unsigned int connection_timeout_seconds,
    size_t connection_memory_limit,
    MHD_AccessHandlerCallback handler,
    MHD_RequestCompletedCallback completed,
    cmhd_uri_log_callback uri_log,
    void *context)
{
    if (thread_pool_size < 2) {
        return MHD_start_daemon(flags, 0, NULL, NULL, handler, context,
                                MHD_OPTION_SOCK_ADDR, address,
                                MHD_OPTION_CONNECTION_TIMEOUT, connection_timeout_seconds,
                                MHD_OPTION_CONNECTION_MEMORY_LIMIT, connection_memory_limit,
                                MHD_OPTION_NOTIFY_COMPLETED, completed, context,
                                MHD_OPTION_URI_LOG_CALLBACK, uri_log, context,
                                MHD_OPTION_END);
    }
    return MHD_start_daemon(flags, 0, NULL, NULL, handler, context,
                            MHD_OPTION_SOCK_ADDR, address,
                            MHD_OPTION_THREAD_POOL_SIZE, thread_pool_size,
                            MHD_OPTION_CONNECTION_TIMEOUT, connection_timeout_seconds,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, connection_memory_limit,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, context,
                            MHD_OPTION_URI_LOG_CALLBACK, uri_log, context,
                            MHD_OPTION_END);
}

/// The port the daemon is bound to (the real one when it was asked for port 0), or 0 if unknown.
static inline uint16_t cmhd_bind_port(struct MHD_Daemon *daemon)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

/// The listening socket, for `getsockname` when the bind port is not reported.
static inline int cmhd_listen_fd(struct MHD_Daemon *daemon)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_LISTEN_FD);
    return info == NULL ? -1 : info->listen_fd;
}

#endif
