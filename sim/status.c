/* status.c: messages of the result codes, and the error record helpers. */
#include "allysim/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *asim_status_message(asim_status s)
{
    switch (s) {
#define ASIM_STATUS_MSG(name, msg, code) \
    case name: return msg;
        ASIM_STATUS_LIST(ASIM_STATUS_MSG)
#undef ASIM_STATUS_MSG
    }
    return "unknown status";
}

int asim_status_exit_code(asim_status s)
{
    switch (s) {
#define ASIM_STATUS_CODE(name, msg, code) \
    case name: return code;
        ASIM_STATUS_LIST(ASIM_STATUS_CODE)
#undef ASIM_STATUS_CODE
    }
    return 1;
}

asim_status asim_error_set(asim_error *err, asim_status s, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->status = s;
    }
    return s;
}

/* Append s to dst (capacity cap, holding *used bytes), truncating. */
static void append(char *dst, size_t cap, size_t *used, const char *s)
{
    size_t n = strlen(s);
    if (*used + n >= cap)
        n = cap - 1 - *used;
    memcpy(dst + *used, s, n);
    *used += n;
    dst[*used] = '\0';
}

void asim_error_prefix(asim_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    char head[ASIM_ERROR_MAX], old[ASIM_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    memcpy(old, err->msg, sizeof old);
    size_t used = 0;
    append(err->msg, sizeof err->msg, &used, head);
    append(err->msg, sizeof err->msg, &used, ": ");
    append(err->msg, sizeof err->msg, &used, old);
}
