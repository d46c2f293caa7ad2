/* csvread.c: reading CSV back (see csvread.h): the fields of a line per
 * RFC 4180, found in place or split out, and numeric tables read whole. */
#include "allysim/csvread.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- fields of a line ------------------------------------------------------------- */

/* End of the field that starts at text[at]: the index of the comma that
 * closes it, or len; *open is set when a quote is still open at len. */
static size_t field_end(const char *text, size_t len, size_t at, int *open)
{
    int quoted = 0;
    for (; at < len; at++) {
        if (text[at] == '"')
            quoted = !quoted;
        else if (text[at] == ',' && !quoted)
            break;
    }
    *open = quoted;
    return at;
}

long asim_csvread_fields(const char *text, size_t len, asim_csvread_span *span, long max)
{
    size_t at = 0;
    for (long n = 0;; n++) {
        int open;
        size_t end = field_end(text, len, at, &open);
        if (n < max)
            span[n] = (asim_csvread_span){at, end - at};
        if (open)
            return -1;
        if (end == len)
            return n + 1;
        at = end + 1;
    }
}

/* Remove the quotes of the field s[0 .. len) in place ("" inside quotes is
 * one quote) and end it with a NUL, which takes at most s[len]. */
static char *unquote(char *s, size_t len)
{
    char *out = s;
    int quoted = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '"') {
            *out++ = s[i];
        } else if (quoted && i + 1 < len && s[i + 1] == '"') {
            *out++ = '"';
            i++;
        } else {
            quoted = !quoted;
        }
    }
    *out = '\0';
    return s;
}

long asim_csvread_split(char *line, char **field, long max)
{
    size_t len = strcspn(line, "\r\n");
    for (size_t n = 0, at = 0;; n++) {
        int open;
        size_t end = field_end(line, len, at, &open);
        if (n == (size_t)max)
            return -2;
        if (open)
            return -1;
        field[n] = unquote(line + at, end - at);
        if (end == len)
            return (long)n + 1;
        at = end + 1;
    }
}

/* ---- numeric tables ---------------------------------------------------------------- */

void asim_csvread_free(asim_table *t)
{
    for (size_t j = 0; t->names && j < t->cols; j++)
        free(t->names[j]);
    free(t->names);
    free(t->v);
    memset(t, 0, sizeof *t);
}

int asim_csvread_col(const asim_table *t, const char *name)
{
    for (size_t j = 0; j < t->cols; j++)
        if (strcmp(t->names[j], name) == 0)
            return (int)j;
    return -1;
}

static asim_status table_row(asim_table *t, char **field, size_t *cap, asim_error *err,
                             const char *path, long lineno)
{
    if (t->rows == *cap) {
        size_t nc = *cap ? 2 * *cap : 1024;
        double *v = realloc(t->v, nc * t->cols * sizeof *v);
        if (!v)
            return asim_error_set(err, ASIM_ENOMEM, "%s:%ld: out of memory", path, lineno);
        t->v = v;
        *cap = nc;
    }
    for (size_t j = 0; j < t->cols; j++) {
        char *end;
        double x = strtod(field[j], &end);
        t->v[t->rows * t->cols + j] = (end == field[j] || *end) ? NAN : x;
    }
    t->rows++;
    return ASIM_OK;
}

asim_status asim_csvread_table(const char *path, asim_table *t, asim_error *err)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "r");
    if (!f)
        return asim_error_set(err, ASIM_EIO, "cannot read %s: %s", path, strerror(errno));
    char **field = malloc(ASIM_CSVREAD_MAX_FIELDS * sizeof *field);
    char *line = NULL;
    size_t lcap = 0, cap = 0;
    long lineno = 0;
    asim_status st = field ? ASIM_OK : asim_error_set(err, ASIM_ENOMEM, "out of memory");
    while (st == ASIM_OK && getline(&line, &lcap, f) >= 0) {
        lineno++;
        long n = asim_csvread_split(line, field, ASIM_CSVREAD_MAX_FIELDS);
        if (n < 0)
            st = asim_error_set(err, ASIM_EIO, "%s:%ld: malformed CSV line", path, lineno);
        else if (lineno == 1) {
            t->cols = (size_t)n;
            t->names = calloc(t->cols, sizeof *t->names);
            for (size_t j = 0; t->names && j < t->cols; j++)
                t->names[j] = strdup(field[j]);
            if (!t->names)
                st = asim_error_set(err, ASIM_ENOMEM, "out of memory");
        } else if ((size_t)n != t->cols)
            st = asim_error_set(err, ASIM_EIO, "%s:%ld: expected %zu fields, found %ld", path, lineno,
                                t->cols, n);
        else
            st = table_row(t, field, &cap, err, path, lineno);
    }
    if (st == ASIM_OK && lineno == 0)
        st = asim_error_set(err, ASIM_EIO, "%s: empty file", path);
    free(line);
    free(field);
    fclose(f);
    if (st != ASIM_OK)
        asim_csvread_free(t);
    return st;
}
