/* status.h: result codes and the error record every fallible call fills.
 * Library code never prints or exits; it returns a status and leaves a
 * one-line message in an asim_error for main.c to print. */
#ifndef ALLYSIM_STATUS_H
#define ALLYSIM_STATUS_H

#include <stddef.h>

/* One list gives every status its name, message and exit code. */
#define ASIM_STATUS_LIST(X)                                   \
    X(ASIM_OK, "ok", 0)                                       \
    X(ASIM_ECONFIG, "configuration error", 2)                 \
    X(ASIM_EUSAGE, "usage error", 2)                          \
    X(ASIM_ENOMEM, "out of memory", 1)                        \
    X(ASIM_EIO, "input/output error", 1)                      \
    X(ASIM_ENUMERIC, "non-finite value in a run", 1)          \
    X(ASIM_EINTR, "interrupted", 130)                         \
    X(ASIM_EINTERNAL, "internal error", 1)

typedef enum {
#define ASIM_STATUS_ENUM(name, msg, code) name,
    ASIM_STATUS_LIST(ASIM_STATUS_ENUM)
#undef ASIM_STATUS_ENUM
} asim_status;

#define ASIM_ERROR_MAX 1024

/* The message is complete and printable as it stands (it already names the
 * file, line and setting when there is one). */
typedef struct asim_error {
    asim_status status;
    char msg[ASIM_ERROR_MAX];
} asim_error;

const char *asim_status_message(asim_status s);
int asim_status_exit_code(asim_status s);

/* Record status s and a printf-style message in *err (err may be NULL);
 * returns s so that callers can write `return asim_error_set(...)`. */
asim_status asim_error_set(asim_error *err, asim_status s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Put "prefix: " in front of the message already in *err. */
void asim_error_prefix(asim_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
