/* merge.c: the merge of sweep shards (see merge.h): each shard's meta.json
 * read and checked against the others, then every CSV file copied shard by
 * shard, row by row, each row checked for its number of fields and its
 * design point, then meta.json and config.cfg. */
#include "allysim/merge.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allysim/csvread.h"
#include "allysim/output.h"
#include "allysim/strbuf.h"
#include "sweep_impl.h"

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

/* The whole file at path, NUL-terminated (the caller frees it), or NULL
 * with err set when it cannot be read or holds more than limit bytes. */
static char *slurp(const char *path, size_t limit, asim_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        asim_error_set(err, ASIM_EUSAGE, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(limit + 1);
    size_t n = buf ? fread(buf, 1, limit, f) : 0;
    int over = buf && n == limit && fgetc(f) != EOF;
    fclose(f);
    if (!buf || over) {
        free(buf);
        asim_error_set(err, ASIM_EUSAGE, "%s: %s", path, buf ? "too large" : "out of memory");
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* Fill si from si->dir/meta.json; a shard that is not complete is an
 * error. */
static asim_status read_shard(shard_info *si, asim_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/meta.json", si->dir);
    char *doc = slurp(path, 1 << 20, err);
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
    free(doc);
    if (!ok || si->replicates == 0 || si->shards == 0 || si->first > si->end || si->end > si->points)
        return asim_error_set(err, ASIM_EUSAGE, "%s: not the meta.json of an allysim sweep", path);
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
            si[i].replicates != si[0].replicates || memcmp(si[i].files, si[0].files, sizeof si[0].files))
            return asim_error_set(err, ASIM_EUSAGE,
                                  "%s and %s come from different configurations, designs or options (sweep_hash %s vs %s)",
                                  si[0].dir, si[i].dir, si[0].hash, si[i].hash);
        if (si[i].first != expect)
            return asim_error_set(err, ASIM_EUSAGE, "%s: points %zu..%zu %s",
                                  si[i].dir, expect, si[i].first,
                                  si[i].first > expect ? "are missing from the shards given"
                                                       : "are in more than one shard");
        expect = si[i].end;
    }
    if (expect != si[0].points)
        return asim_error_set(err, ASIM_EUSAGE, "points %zu..%zu are missing from the shards given",
                              expect, si[0].points);
    return ASIM_OK;
}

/* Field k of a line (quotes kept, cut to cap - 1 bytes) into dst, or ""
 * when the line has no field k or leaves a quote open. */
static void field_text(char *dst, size_t cap, const char *line, const asim_csvread_span *span,
                       long fields, long k)
{
    if (k < fields)
        snprintf(dst, cap, "%.*s", (int)span[k].len, line + span[k].at);
    else
        dst[0] = '\0';
}

/* The design point a data row belongs to, from its first columns. */
static int row_point(int file, const char *c1, const char *c2, size_t replicates, size_t *point)
{
    char *end;
    const char *src = file == F_RUNS || file == F_FAIL ? c2 : c1;
    unsigned long long v = strtoull(src, &end, 10);
    if (end == src || *end)
        return -1;
    *point = file == F_TS ? (size_t)(v / replicates) : (size_t)v;
    return 0;
}

/* Append the rows of one shard's file, checking each. */
static asim_status copy_rows(const shard_info *si, int f, asim_csv *w, char **header, size_t *last,
                             asim_error *err)
{
    char path[4200], c1[64], c2[64];
    snprintf(path, sizeof path, "%s/%s", si->dir, file_names[f]);
    FILE *in = fopen(path, "r");
    if (!in)
        return asim_error_set(err, ASIM_EUSAGE, "cannot read %s: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0, want = 0;
    asim_status st = ASIM_OK;
    while (st == ASIM_OK && (len = getline(&line, &cap, in)) >= 0) {
        lineno++;
        if (len == 0 || line[len - 1] != '\n') {
            st = asim_error_set(err, ASIM_EUSAGE, "%s:%ld: incomplete last line", path, lineno);
            break;
        }
        asim_csvread_span span[2];
        long fields = asim_csvread_fields(line, (size_t)len - 1, span, 2);
        field_text(c1, sizeof c1, line, span, fields, 0);
        field_text(c2, sizeof c2, line, span, fields, 1);
        size_t point;
        if (lineno == 1) {
            if (!*header && !(*header = strdup(line)))
                st = asim_error_set(err, ASIM_ENOMEM, "out of memory");
            else if (strcmp(*header, line) != 0)
                st = asim_error_set(err, ASIM_EUSAGE, "%s:1: header differs from the other shards'", path);
            else if (!w->fields && w->used == 0 && asim_csv_offset(w) == 0)
                asim_csv_raw(w, line, (size_t)len);
            want = fields;
        } else if (fields != want) {
            st = asim_error_set(err, ASIM_EUSAGE, "%s:%ld: expected %ld fields, found %ld", path, lineno,
                                want, fields);
        } else if (row_point(f, c1, c2, si->replicates, &point) != 0 || point < si->first ||
                   point >= si->end || point < *last) {
            st = asim_error_set(err, ASIM_EUSAGE, "%s:%ld: row of design point %s is out of place",
                                path, lineno, printable(f == F_RUNS || f == F_FAIL ? c2 : c1));
        } else {
            *last = point;
            asim_csv_raw(w, line, (size_t)len);
        }
    }
    if (st == ASIM_OK && lineno == 0)
        st = asim_error_set(err, ASIM_EUSAGE, "%s: empty file", path);
    free(line);
    fclose(in);
    return st;
}

/* Write file f of the whole sweep into out from every shard's, in order. */
static asim_status merge_file(shard_info *si, size_t n, int f, const char *out, asim_error *err)
{
    asim_csv w;
    asim_status st = asim_csv_open(&w, out, file_names[f], err);
    char *header = NULL;
    size_t last = 0;
    for (size_t i = 0; st == ASIM_OK && i < n; i++)
        st = copy_rows(&si[i], f, &w, &header, &last, err);
    free(header);
    if (st == ASIM_OK)
        return asim_csv_close(&w, err);
    asim_csv_abandon(&w, 1);
    return st;
}

/* Write out/meta.json, the first shard's with the whole sweep's counts;
 * *config gets the first shard's config.cfg (the caller frees it). */
static asim_status merge_meta(shard_info *si, size_t n, const char *out, char **config,
                              asim_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/meta.json", si[0].dir);
    char *doc = slurp(path, 1 << 20, err);
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
    snprintf(path, sizeof path, "%s/config.cfg", si[0].dir);
    if (st == ASIM_OK && !(*config = slurp(path, 64 << 20, err)))
        st = ASIM_EUSAGE;
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
    if (st == ASIM_OK)
        st = asim_output_mkdir(out, err);
    for (int f = 0; st == ASIM_OK && f < N_FILES; f++)
        if (si[0].files[f])
            st = merge_file(si, n, f, out, err);
    char *config = NULL;
    if (st == ASIM_OK)
        st = merge_meta(si, n, out, &config, err);
    if (st == ASIM_OK)
        st = asim_output_write_file(out, "config.cfg", config, strlen(config), err);
    free(config);
    free(si);
    return st;
}
