/* merge.c: the merge of sweep shards (see merge.h): each shard's meta.json
 * read and checked against the others, then every CSV file copied shard by
 * shard, row by row, each row checked for its number of fields and its
 * design point, then meta.json and config.cfg. */
#include "allysim/merge.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allysim/csvread.h"
#include "allysim/fileio.h"
#include "allysim/output.h"
#include "allysim/strbuf.h"
#include "sweep_impl.h"

/* The largest meta.json and config.cfg read (bytes). */
#define META_MAX_BYTES ((size_t)1 << 20)
#define CONFIG_MAX_BYTES ((size_t)64 << 20)

/* What a shard's meta.json says about it. */
typedef struct {
    const char *dir;
    char hash[40], status[32];
    size_t shard, shards, first, end, points, replicates;
    uint64_t runs_done, runs_failed;
    int files[N_FILES];
} shard_info;

/* The text after "key": in a JSON document of ours, or NULL. */
static const char *json_value(const char *doc, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *q = strstr(doc, pat);
    return q ? q + strlen(pat) : NULL;
}

/* Text from an input file made safe for a one-line message. */
static const char *printable(char *s)
{
    for (char *q = s; *q; q++)
        if ((unsigned char)*q < 0x20 || (unsigned char)*q > 0x7e)
            *q = '?';
    return s;
}

/* The whole regular file at path, NUL-terminated (the caller frees it),
 * or NULL with err set (ASIM_EUSAGE) when it cannot be read, is not a
 * regular file or holds more than limit bytes. */
static char *slurp(const char *path, size_t limit, asim_error *err)
{
    char *text;
    size_t len;
    asim_status st = asim_io_read_input(path, limit, &text, &len, err);
    if (st != ASIM_OK && st != ASIM_ENOMEM && err)
        err->status = ASIM_EUSAGE;
    if (st == ASIM_OK && memchr(text, '\0', len)) {
        free(text);
        asim_error_set(err, ASIM_EUSAGE, "%s: not a text file", path);
        return NULL;
    }
    return st == ASIM_OK ? text : NULL;
}

/* Nonzero when a JSON document of ours ends as it should (its last "}"). */
static int json_complete(const char *doc)
{
    size_t n = strlen(doc);
    while (n > 0 && (doc[n - 1] == '\n' || doc[n - 1] == ' '))
        n--;
    return n > 0 && doc[n - 1] == '}';
}

/* Fill si from si->dir/meta.json; a shard that is not complete is an
 * error. */
static asim_status read_shard(shard_info *si, asim_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/meta.json", si->dir);
    char *doc = slurp(path, META_MAX_BYTES, err);
    if (!doc)
        return ASIM_EUSAGE;
    const char *h = json_value(doc, "sweep_hash"), *st = json_value(doc, "status");
    const char *sh = json_value(doc, "shard"), *pr = json_value(doc, "points_range");
    const char *d = json_value(doc, "design"), *fl = json_value(doc, "files");
    const char *rd = json_value(doc, "runs_done"), *rf = json_value(doc, "runs_failed");
    int ok = h && st && sh && pr && d && fl && rd && rf &&
             sscanf(h, "\"%39[^\"]\"", si->hash) == 1 && sscanf(st, "\"%31[^\"]\"", si->status) == 1 &&
             sscanf(sh, "[%zu, %zu]", &si->shard, &si->shards) == 2 &&
             sscanf(pr, "[%zu, %zu]", &si->first, &si->end) == 2 &&
             sscanf(json_value(d, "points") ? json_value(d, "points") : "", "%zu", &si->points) == 1 &&
             sscanf(json_value(d, "replicates") ? json_value(d, "replicates") : "", "%zu", &si->replicates) == 1 &&
             sscanf(rd, "%" SCNu64, &si->runs_done) == 1 && sscanf(rf, "%" SCNu64, &si->runs_failed) == 1;
    for (int f = 0; ok && f < N_FILES; f++) {
        char quoted[64];
        snprintf(quoted, sizeof quoted, "\"%s\"", file_names[f]);
        const char *end = strchr(fl, ']');
        const char *at = strstr(fl, quoted);
        si->files[f] = at && end && at < end;
    }
    ok = ok && json_complete(doc);
    free(doc);
    if (!ok || si->replicates == 0 || si->shards == 0 || si->first > si->end || si->end > si->points)
        return asim_error_set(err, ASIM_EUSAGE, "%s: not the meta.json of an allysim sweep", path);
    if (!si->files[F_RUNS] || !si->files[F_POINTS] || !si->files[F_FAIL])
        return asim_error_set(err, ASIM_EUSAGE, "%s: lists no %s", path,
                              !si->files[F_RUNS] ? "runs.csv" : !si->files[F_POINTS] ? "points.csv" : "failures.csv");
    printable(si->hash);
    printable(si->status);
    if (strcmp(si->status, "complete") != 0)
        return asim_error_set(err, ASIM_EUSAGE, "%s: shard %zu/%zu is %s, not complete (finish it with --resume)",
                              path, si->shard, si->shards, si->status);
    return ASIM_OK;
}

static int by_first(const void *a, const void *b)
{
    const shard_info *x = a, *y = b;
    return (x->first > y->first) - (x->first < y->first);
}

/* Sort the shards by their first design point and check that they come
 * from one sweep and together cover its points once. */
static asim_status check_shards(shard_info *si, size_t n, asim_error *err)
{
    qsort(si, n, sizeof *si, by_first);
    size_t expect = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(si[i].hash, si[0].hash) != 0 || si[i].points != si[0].points ||
            si[i].replicates != si[0].replicates || si[i].shards != si[0].shards || memcmp(si[i].files, si[0].files, sizeof si[0].files))
            return asim_error_set(err, ASIM_EUSAGE,
                                  "%s and %s come from different configurations, designs or options (sweep_hash %s vs %s)",
                                  si[0].dir, si[i].dir, si[0].hash, si[i].hash);
        if (si[i].first > expect)
            return asim_error_set(err, ASIM_EUSAGE, "points %zu..%zu are missing from the shards given "
                                  "(the shard after them, %s, starts at point %zu)",
                                  expect, si[i].first - 1, si[i].dir, si[i].first);
        if (si[i].first < expect)
            return asim_error_set(err, ASIM_EUSAGE, "%s: points %zu..%zu are in more than one shard",
                                  si[i].dir, si[i].first, (si[i].end < expect ? si[i].end : expect) - 1);
        expect = si[i].end;
    }
    if (expect != si[0].points)
        return asim_error_set(err, ASIM_EUSAGE, "points %zu..%zu are missing from the shards given",
                              expect, si[0].points - 1);
    return ASIM_OK;
}

/* ---- the rows of a data file ------------------------------------------------------ */

/* What the rows of one file must continue with, over the shards in order. */
typedef struct {
    const shard_info *si; /* the shard being read */
    int f;                /* F_RUNS ... */
    long fields;          /* the header's */
    char *kind;           /* per column: 0 not seen yet, 'n' numbers, 't' text */
    asim_csvread_span *span; /* [fields + 1] */
    uint64_t rows;        /* data rows of this shard's file */
    int have;             /* a row of this file seen (in any shard) */
    uint64_t run;         /* last row's run (runs, failures, timeseries) */
    size_t point;         /* last row's design point */
    uint64_t step, rep;   /* last row's step (series, timeseries) and replicate */
    uint64_t top_rep;     /* timeseries: highest replicate of the point so far */
    uint64_t chunk;       /* timeseries: first replicate of the chunk being read */
    uint64_t chunk_top;   /* timeseries: its last replicate, once its first step is read
                           * (UINT64_MAX before) */
    uint64_t gap;         /* steps between rows (--every), 0 until seen */
} row_check;

/* Field k as an unsigned decimal (digits only, below 2^53). */
static int uint_field(const char *line, const row_check *c, long k, uint64_t *v)
{
    const char *q = line + c->span[k].at;
    size_t n = c->span[k].len;
    if (n == 0 || n > 16)
        return -1;
    *v = 0;
    for (size_t i = 0; i < n; i++) {
        if (q[i] < '0' || q[i] > '9')
            return -1;
        *v = *v * 10 + (uint64_t)(q[i] - '0');
    }
    return *v < ((uint64_t)1 << 53) ? 0 : -1;
}

/* Every field is empty, text in a column of text, or a finite number in a
 * column of numbers (a column's kind is set by its first non-empty value).
 * Returns the bad column, or -1. */
static long bad_value(const char *line, row_check *c, int *nonfinite)
{
    char buf[64];
    for (long k = 0; k < c->fields; k++) {
        const char *q = line + c->span[k].at;
        size_t n = c->span[k].len;
        if (n == 0)
            continue;
        double v = 0;
        int num = 0;
        if (n < sizeof buf && q[0] != '"') {
            memcpy(buf, q, n);
            buf[n] = '\0';
            char *end;
            v = strtod(buf, &end);
            num = end != buf && *end == '\0';
        }
        *nonfinite = num && !isfinite(v);
        char kind = num ? 'n' : 't';
        if (*nonfinite || (c->kind[k] && c->kind[k] != kind))
            return k;
        c->kind[k] = kind;
    }
    return -1;
}

/* runs.csv: run, point, replicate; every run of the shard once, in order. */
static const char *check_run_row(const char *line, row_check *c, char *why, size_t n)
{
    uint64_t run, point, rep, R = c->si->replicates;
    uint64_t want = (uint64_t)c->si->first * R + c->rows;
    if (uint_field(line, c, 0, &run) || uint_field(line, c, 1, &point) || uint_field(line, c, 2, &rep))
        return "run, point and replicate must be whole numbers";
    if (run != want)
        snprintf(why, n, "run %" PRIu64 " where run %" PRIu64 " comes next (each run of points %zu..%zu "
                         "once, in order)", run, want, c->si->first, c->si->end - 1);
    else if (point != run / R || rep != run % R)
        snprintf(why, n, "run %" PRIu64 " is numbered point %" PRIu64 ", replicate %" PRIu64
                         " (run = point * %" PRIu64 " + replicate)", run, point, rep, R);
    else
        return NULL;
    return why;
}

/* points.csv: every point of the shard once, in order. */
static const char *check_point_row(const char *line, row_check *c, char *why, size_t n)
{
    uint64_t point, want = c->si->first + c->rows;
    if (uint_field(line, c, 0, &point))
        return "point must be a whole number";
    if (point == want)
        return NULL;
    snprintf(why, n, "point %" PRIu64 " where point %" PRIu64 " comes next (each point once, in order)",
             point, want);
    return why;
}

/* A failures.csv row of a point's statistic (no run: run, replicate and
 * seed empty), after the runs of its point. */
static const char *check_point_failure_row(const char *line, row_check *c, char *why, size_t n)
{
    uint64_t point, R = c->si->replicates;
    if (uint_field(line, c, 1, &point))
        return "point must be a whole number";
    if (point < c->si->first || point >= c->si->end)
        snprintf(why, n, "point %" PRIu64 " is not in this shard's points %zu..%zu", point, c->si->first,
                 c->si->end - 1);
    else if (c->rows > 0 && point * R < c->run / R * R)
        snprintf(why, n, "point %" PRIu64 " after run %" PRIu64 " (rows in point order)", point, c->run);
    else
        return c->run = point * R + R - 1, NULL; /* later rows belong to later points */
    return why;
}

/* failures.csv: failed runs of the shard's points, each once, in order;
 * a point's statistics that could not be computed follow its runs. */
static const char *check_failure_row(const char *line, row_check *c, char *why, size_t n)
{
    uint64_t run, point, rep, R = c->si->replicates;
    if (c->span[0].len == 0 && c->span[2].len == 0 && c->span[3].len == 0)
        return check_point_failure_row(line, c, why, n);
    if (uint_field(line, c, 0, &run) || uint_field(line, c, 1, &point) || uint_field(line, c, 2, &rep))
        return "run, point and replicate must be whole numbers";
    if (point != run / R || rep != run % R)
        snprintf(why, n, "run %" PRIu64 " is numbered point %" PRIu64 ", replicate %" PRIu64
                         " (run = point * %" PRIu64 " + replicate)", run, point, rep, R);
    else if (point < c->si->first || point >= c->si->end)
        snprintf(why, n, "run %" PRIu64 " is not in this shard's points %zu..%zu", run, c->si->first,
                 c->si->end - 1);
    else if (c->rows > 0 && run <= c->run)
        snprintf(why, n, "run %" PRIu64 " after run %" PRIu64 " (each failed run once, in order)", run,
                 c->run);
    else
        return c->run = run, NULL;
    return why;
}

/* The design point of a series or timeseries row must lie in the shard and
 * not go back; a new point starts afresh. Returns 1 for a new point. */
static int next_point(row_check *c, uint64_t point, char *why, size_t n, const char **err)
{
    *err = NULL;
    if (point < c->si->first || point >= c->si->end)
        snprintf(why, n, "point %" PRIu64 " is not in this shard's points %zu..%zu", point, c->si->first,
                 c->si->end - 1), *err = why;
    else if (c->rows > 0 && point < c->point)
        snprintf(why, n, "point %" PRIu64 " after point %zu (points in order)", point, c->point), *err = why;
    int fresh = c->rows == 0 || point != c->point;
    c->point = (size_t)point;
    return fresh;
}

/* Nonzero when step may follow last: the rows are --every steps apart
 * (learnt from the first pair of rows). */
static int next_step(row_check *c, uint64_t last, uint64_t step)
{
    if (step <= last)
        return 0;
    if (!c->gap)
        c->gap = step - last;
    return step - last == c->gap;
}

/* series.csv: point, step; within a point the steps rise from 0. */
static const char *check_series_row(const char *line, row_check *c, char *why, size_t n)
{
    uint64_t point, step;
    const char *e;
    if (uint_field(line, c, 0, &point) || uint_field(line, c, 1, &step))
        return "point and step must be whole numbers";
    uint64_t last = c->step;
    int fresh = next_point(c, point, why, n, &e);
    if (e)
        return e;
    if (fresh ? step != 0 : !next_step(c, last, step)) {
        snprintf(why, n, "step %" PRIu64 " of point %" PRIu64 " %s", step, point,
                 fresh ? "first (a point's rows start at step 0)" : "does not follow the step before it");
        return why;
    }
    c->step = step;
    return NULL;
}

/* timeseries.csv: run, replicate, step; within a point, chunks of
 * replicates, each step by step, the replicates of a step in order. */
static const char *check_ts_row(const char *line, row_check *c, char *why, size_t n)
{
    uint64_t run, rep, step, R = c->si->replicates;
    const char *e;
    if (uint_field(line, c, 0, &run) || uint_field(line, c, 1, &rep) || uint_field(line, c, 2, &step))
        return "run, replicate and step must be whole numbers";
    if (rep != run % R) {
        snprintf(why, n, "run %" PRIu64 " is numbered replicate %" PRIu64 " (run = point * %" PRIu64
                         " + replicate)", run, rep, R);
        return why;
    }
    uint64_t last_step = c->step, last_rep = c->rep;
    size_t last_point = c->point;
    int fresh = next_point(c, run / R, why, n, &e);
    if (e)
        return e;
    if (fresh && c->rows > 0 && (last_rep != R - 1 || c->top_rep != R - 1)) {
        snprintf(why, n, "point %" PRIu64 " starts before point %zu has every replicate at its last step",
                 run / R, last_point);
        return why;
    }
    /* a step of a chunk is complete before the next step or chunk starts */
    int done = !fresh && last_rep == c->top_rep &&
               (c->chunk_top == UINT64_MAX || last_rep == c->chunk_top);
    int new_chunk = done && step == 0 && last_step != 0 && rep == c->top_rep + 1;
    int ok = fresh ? step == 0 && rep == 0
                   : (step == last_step && rep == last_rep + 1 && rep <= c->chunk_top) || new_chunk ||
                         (done && step > last_step && rep == c->chunk && next_step(c, last_step, step));
    if (!ok) {
        snprintf(why, n, "run %" PRIu64 ", step %" PRIu64 " is out of order, missing a row before it, "
                         "or there twice", run, step);
        return why;
    }
    if (fresh || new_chunk)
        c->chunk = rep, c->chunk_top = UINT64_MAX;
    else if (step > last_step && c->chunk_top == UINT64_MAX)
        c->chunk_top = last_rep; /* the chunk's first step is complete */
    c->top_rep = fresh || rep > c->top_rep ? rep : c->top_rep;
    c->step = step, c->rep = rep, c->run = run;
    return NULL;
}

typedef const char *(*row_checker)(const char *line, row_check *c, char *why, size_t n);
static const row_checker checkers[N_FILES] = {check_run_row, check_point_row, check_series_row,
                                              check_ts_row, check_failure_row};
/* The key columns each file's rows start with. */
static const long key_fields[N_FILES] = {3, 1, 2, 3, 3};

/* Check one data row (len bytes, its line break cut off); NULL when it is
 * good, else the reason (in why or static). */
static const char *check_row(char *line, size_t len, row_check *c, char *why, size_t n)
{
    long fields = asim_csvread_fields(line, len, c->span, c->fields + 1);
    if (fields < 0)
        return "a quote is left open";
    if (fields != c->fields) {
        snprintf(why, n, "expected %ld fields, found %ld", c->fields, fields);
        return why;
    }
    int nonfinite = 0;
    long k = bad_value(line, c, &nonfinite);
    if (k >= 0) {
        snprintf(why, n, "field %ld is %s", k + 1,
                 nonfinite ? "not a finite number" : c->kind[k] == 'n' ? "not a number" : "a number in a column of text");
        return why;
    }
    return checkers[c->f](line, c, why, n);
}

/* The header of one shard's file: the same in every shard; the first one
 * sets the number of fields. */
static asim_status check_header(const char *line, size_t len, row_check *c, char **header,
                                const char *path, asim_error *err)
{
    if (!*header) {
        if (!(*header = strdup(line)))
            return asim_error_set(err, ASIM_ENOMEM, "out of memory");
        long fields = asim_csvread_fields(line, len, NULL, 0);
        if (fields < key_fields[c->f] || fields > ASIM_CSVREAD_MAX_FIELDS)
            return asim_error_set(err, ASIM_EUSAGE, "%s:1: not the header of an allysim %s", path,
                                  file_names[c->f]);
        c->fields = fields;
        c->kind = calloc((size_t)fields, 1);
        c->span = malloc(((size_t)fields + 1) * sizeof *c->span);
        if (!c->kind || !c->span)
            return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    } else if (strcmp(*header, line) != 0) {
        return asim_error_set(err, ASIM_EUSAGE, "%s:1: header differs from the other shards'", path);
    }
    return ASIM_OK;
}

/* The counts of one shard's file against its meta.json and range. */
static asim_status check_counts(const row_check *c, const char *path, asim_error *err)
{
    const shard_info *si = c->si;
    uint64_t runs = (uint64_t)(si->end - si->first) * si->replicates;
    if (c->f == F_RUNS && (c->rows != runs || c->rows != si->runs_done))
        return asim_error_set(err, ASIM_EUSAGE,
                              "%s: %" PRIu64 " runs, but points %zu..%zu have %" PRIu64
                              " and meta.json counts %" PRIu64 " done",
                              path, c->rows, si->first, si->end - 1, runs, si->runs_done);
    if (c->f == F_POINTS && c->rows != si->end - si->first)
        return asim_error_set(err, ASIM_EUSAGE, "%s: %" PRIu64 " points, but the shard has points %zu..%zu",
                              path, c->rows, si->first, si->end - 1);
    if (c->f == F_TS && c->rows > 0 && (c->rep != si->replicates - 1 || c->top_rep != si->replicates - 1))
        return asim_error_set(err, ASIM_EUSAGE, "%s: point %zu ends before every replicate reached its last step",
                              path, c->point);
    if (c->f == F_FAIL && c->rows != si->runs_failed)
        return asim_error_set(err, ASIM_EUSAGE, "%s: %" PRIu64 " failed runs, but meta.json counts %" PRIu64,
                              path, c->rows, si->runs_failed);
    return ASIM_OK;
}

/* Lines longer than this are damage, not rows. */
#define LINE_MAX_BYTES ((size_t)64 << 20)

/* Check every row of one shard's file, and when w is not NULL append
 * them to it. */
static asim_status scan_rows(const shard_info *si, row_check *c, asim_csv *w, char **header,
                             asim_error *err)
{
    char path[4200], why[256];
    snprintf(path, sizeof path, "%s/%s", si->dir, file_names[c->f]);
    FILE *in;
    asim_status st = asim_io_open_input(path, &in, err);
    if (st != ASIM_OK)
        return st == ASIM_ENOMEM ? st : (err ? (err->status = ASIM_EUSAGE) : ASIM_EUSAGE);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    c->si = si;
    c->rows = 0;
    int first = !*header; /* the first shard's header is the merged file's */
    while (st == ASIM_OK && (len = getline(&line, &cap, in)) >= 0) {
        lineno++;
        const char *bad = NULL;
        if (len == 0 || line[len - 1] != '\n')
            bad = "incomplete last line";
        else if (memchr(line, '\0', (size_t)len) || (size_t)len > LINE_MAX_BYTES)
            bad = "not a line of text";
        if (bad) {
            st = asim_error_set(err, ASIM_EUSAGE, "%s:%ld: %s", path, lineno, bad);
            break;
        }
        line[len - 1] = '\0';
        if (lineno == 1)
            st = check_header(line, (size_t)len - 1, c, header, path, err);
        else if ((bad = check_row(line, (size_t)len - 1, c, why, sizeof why)) != NULL)
            st = asim_error_set(err, ASIM_EUSAGE, "%s:%ld: %s", path, lineno, bad);
        else
            c->rows++, c->have = 1;
        line[len - 1] = '\n';
        if (st == ASIM_OK && w && (lineno > 1 || first))
            asim_csv_raw(w, line, (size_t)len);
    }
    if (st == ASIM_OK && ferror(in))
        st = asim_error_set(err, ASIM_EUSAGE, "cannot read %s: %s", path, strerror(errno));
    if (st == ASIM_OK && lineno == 0)
        st = asim_error_set(err, ASIM_EUSAGE, "%s: empty file", path);
    if (st == ASIM_OK)
        st = check_counts(c, path, err);
    free(line);
    fclose(in);
    return st;
}

/* Check file f of every shard in order, and when out is not NULL write
 * the whole sweep's file there. */
static asim_status merge_file(shard_info *si, size_t n, int f, const char *out, asim_error *err)
{
    asim_csv w;
    asim_status st = out ? asim_csv_open(&w, out, file_names[f], err) : ASIM_OK;
    if (st != ASIM_OK)
        return st;
    char *header = NULL;
    row_check c = {.f = f};
    for (size_t i = 0; st == ASIM_OK && i < n; i++)
        st = scan_rows(&si[i], &c, out ? &w : NULL, &header, err);
    free(header);
    free(c.kind);
    free(c.span);
    if (!out)
        return st;
    if (st == ASIM_OK)
        return asim_csv_close(&w, err);
    asim_csv_abandon(&w, 1);
    return st;
}

/* Write out/meta.json, the first shard's with the whole sweep's counts. */
static asim_status merge_meta(shard_info *si, size_t n, const char *out, asim_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/meta.json", si[0].dir);
    char *doc = slurp(path, META_MAX_BYTES, err);
    if (!doc)
        return ASIM_EUSAGE;
    uint64_t done = 0, failed = 0;
    for (size_t i = 0; i < n; i++)
        done += si[i].runs_done, failed += si[i].runs_failed;
    asim_strbuf b;
    asim_strbuf_init(&b);
    /* the first shard's metadata, with the whole sweep's counts */
    const char *keep_end = strstr(doc, "\"runs_total\"");
    const char *design = strstr(doc, "\"design\"");
    asim_strbuf_append(&b, doc, keep_end ? (size_t)(keep_end - doc) : 0);
    asim_strbuf_printf(&b, "\"runs_total\": %zu,\n  \"runs_done\": %" PRIu64 ",\n  \"runs_failed\": %" PRIu64
                           ",\n  \"merged_from\": %zu,\n  ",
                       si[0].points * si[0].replicates, done, failed, n);
    const char *shard = design ? strstr(design, "\"shard\"") : NULL;
    if (design && shard)
        asim_strbuf_append(&b, design, (size_t)(shard - design));
    asim_strbuf_printf(&b, "\"shard\": [1, 1],\n  \"points_range\": [0, %zu],\n  \"points_done\": %zu,\n  ",
                       si[0].points, si[0].points);
    const char *files = strstr(doc, "\"files\"");
    asim_strbuf_puts(&b, files ? files : "\"files\": []\n}\n");
    free(doc);
    asim_status st = asim_strbuf_status(&b) == ASIM_OK
                         ? asim_output_write_file(out, "meta.json", b.s, b.len, err)
                         : asim_error_set(err, ASIM_ENOMEM, "out of memory");
    asim_strbuf_free(&b);
    return st;
}

asim_status asim_merge_shards(const char *const *dirs, size_t n, const char *out, asim_error *err)
{
    if (n == 0)
        return asim_error_set(err, ASIM_EUSAGE, "merge needs at least one shard directory");
    shard_info *si = calloc(n, sizeof *si);
    if (!si)
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    asim_status st = ASIM_OK;
    for (size_t i = 0; st == ASIM_OK && i < n; i++) {
        si[i].dir = dirs[i];
        st = read_shard(&si[i], err);
    }
    if (st == ASIM_OK)
        st = check_shards(si, n, err);
    /* every shard is checked completely before anything is written */
    for (int f = 0; st == ASIM_OK && f < N_FILES; f++)
        if (si[0].files[f])
            st = merge_file(si, n, f, NULL, err);
    char path[4200], *config = NULL;
    snprintf(path, sizeof path, "%s/config.cfg", si[0].dir);
    if (st == ASIM_OK && !(config = slurp(path, CONFIG_MAX_BYTES, err)))
        st = ASIM_EUSAGE;
    if (st == ASIM_OK)
        st = asim_output_mkdir(out, err);
    for (int f = 0; st == ASIM_OK && f < N_FILES; f++)
        if (si[0].files[f])
            st = merge_file(si, n, f, out, err);
    if (st == ASIM_OK)
        st = asim_output_write_file(out, "config.cfg", config, strlen(config), err);
    if (st == ASIM_OK) /* last: it says the directory is complete */
        st = merge_meta(si, n, out, err);
    free(config);
    free(si);
    return st;
}
