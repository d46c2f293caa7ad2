/* fmt.h: numbers as text, fast, for the CSV writers.
 * The CSV format is specified as printf's "%.17g" (17 significant
 * digits: every double reads back exactly); asim_fmt_g17 writes the same
 * bytes several times faster than snprintf. */
#ifndef ALLYSIM_FMT_H
#define ALLYSIM_FMT_H

#include <stddef.h>

/* Bytes asim_fmt_g17 may write, the terminating NUL included. */
#define ASIM_FMT_G17_MAX 32

/* Write v into buf exactly as snprintf(buf, n, "%.17g", v) does (in the C
 * locale and the default rounding mode), NUL-terminated; return the
 * length. buf holds at least ASIM_FMT_G17_MAX bytes. */
size_t asim_fmt_g17(double v, char *buf);

#endif
