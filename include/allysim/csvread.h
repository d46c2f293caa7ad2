/* csvread.h: reading CSV back, the one place the library does it: the
 * merge of sweep shards (merge.h), observations of coded history
 * (calibrate.h), and the runs.csv and points.csv that the studies read
 * (hypothesis.h, sensitivity.h). Fields are split per RFC 4180: a comma
 * inside double quotes does not end a field, and "" inside quotes is one
 * quote. Writing CSV is output.h's job. */
#ifndef ALLYSIM_CSVREAD_H
#define ALLYSIM_CSVREAD_H

#include <stddef.h>

#include "allysim/status.h"

/* Where a field lies in its line: text[at .. at + len), quotes kept. */
typedef struct asim_csvread_span {
    size_t at, len;
} asim_csvread_span;

/* Find the fields of text[0 .. len) (one line without its line break)
 * without changing it; span[] gets the first max of them. Returns the
 * number of fields (all of them, also beyond max), or -1 when a quote is
 * left open. */
long asim_csvread_fields(const char *text, size_t len, asim_csvread_span *span, long max);

/* Split one line (it ends at NUL, CR or LF) in place into at most max
 * fields, quotes removed; field[k] points into line. Returns the number of
 * fields, or -1 when a quote is left open, -2 when there are more than
 * max. */
long asim_csvread_split(char *line, char **field, long max);

/* A numeric CSV file read back (runs.csv, points.csv): the header's names
 * and the values; empty and non-numeric fields are NAN. */
typedef struct asim_table {
    size_t rows, cols;
    char **names; /* [cols] */
    double *v;    /* [row * cols + col] */
} asim_table;

/* Fields a line of a table may have. */
#define ASIM_CSVREAD_MAX_FIELDS 100000

/* Read path into t (the caller frees it with asim_csvread_free). A line
 * with more than ASIM_CSVREAD_MAX_FIELDS fields, an open quote, or a row
 * with a number of fields other than the header's is an error naming the
 * file and line. */
asim_status asim_csvread_table(const char *path, asim_table *t, asim_error *err);
/* Column index of name, or -1. */
int asim_csvread_col(const asim_table *t, const char *name);
void asim_csvread_free(asim_table *t);

#endif
