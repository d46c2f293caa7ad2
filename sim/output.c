/* output.c: CSV writers with temporary-file-then-rename semantics (on the
 * durable I/O layer of fileio.c), the per-step rows (their columns from the
 * table of output variables, allysim/vars.def), and small helpers for
 * metadata files. */
#include "allysim/output.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "allysim/fileio.h"
#include "allysim/fmt.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

asim_status asim_output_mkdir(const char *dir, asim_error *err) { return asim_io_mkdirs(dir, err); }

/* Open dir/name.tmp: freshly (a stale regular file removed first; a link or
 * another kind of file there is an error, never followed), or for appending
 * when resuming. */
static asim_status open_mode(asim_csv *w, const char *dir, const char *name, int append,
                             asim_error *err)
{
    memset(w, 0, sizeof *w);
    w->fd = -1;
    if (snprintf(w->path, sizeof w->path, "%s/%s", dir, name) >= (int)sizeof w->path)
        return asim_error_set(err, ASIM_EUSAGE, "%s/%s: path too long", dir, name);
    snprintf(w->tmp, sizeof w->tmp, "%s.tmp", w->path);
    w->buf = malloc(ASIM_CSV_BUF);
    if (!w->buf)
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    asim_status st = append ? asim_io_open_append(w->tmp, &w->fd, err) : asim_io_remove_stale(w->tmp, err);
    if (st == ASIM_OK && !append)
        st = asim_io_create(w->tmp, w->path, &w->fd, err);
    if (st == ASIM_OK && append) {
        off_t end = lseek(w->fd, 0, SEEK_END);
        w->written = end < 0 ? 0 : (long long)end;
    }
    if (st != ASIM_OK) {
        free(w->buf);
        w->buf = NULL;
    }
    return st;
}

asim_status asim_csv_open(asim_csv *w, const char *dir, const char *name, asim_error *err)
{
    return open_mode(w, dir, name, 0, err);
}

asim_status asim_csv_reopen(asim_csv *w, const char *dir, const char *name, asim_error *err)
{
    return open_mode(w, dir, name, 1, err);
}

void asim_csv_open_mem(asim_csv *w, asim_strbuf *mem)
{
    memset(w, 0, sizeof *w);
    w->fd = -1;
    w->mem = mem;
}

int asim_csv_is_open(const asim_csv *w) { return w->fd >= 0; }

/* Write n bytes to the file, remembering the first failure. */
static void out(asim_csv *w, const char *s, size_t n)
{
    if (w->failed)
        return;
    int e = asim_io_write(w->fd, s, n);
    if (e)
        w->failed = e;
    else
        w->written += (long long)n;
}

static void drain(asim_csv *w)
{
    if (w->mem)
        return;
    if (w->used)
        out(w, w->buf, w->used);
    w->used = 0;
}

static void put(asim_csv *w, const char *s, size_t n)
{
    if (w->mem) {
        asim_strbuf_append(w->mem, s, n);
        if (w->mem->failed && !w->failed)
            w->failed = ENOMEM;
        return;
    }
    if (w->used + n > ASIM_CSV_BUF)
        drain(w);
    if (n > ASIM_CSV_BUF) {
        out(w, s, n);
        return;
    }
    memcpy(w->buf + w->used, s, n);
    w->used += n;
}

static void sep(asim_csv *w)
{
    if (w->fields++)
        put(w, ",", 1);
}

void asim_csv_str(asim_csv *w, const char *s)
{
    sep(w);
    if (!strpbrk(s, ",\"\r\n")) {
        put(w, s, strlen(s));
        return;
    }
    put(w, "\"", 1);
    for (const char *q = s; *q; q++)
        put(w, *q == '"' ? "\"\"" : q, *q == '"' ? 2 : 1);
    put(w, "\"", 1);
}

void asim_csv_num(asim_csv *w, double v)
{
    sep(w);
    if (isnan(v))
        return;
    char tmp[ASIM_FMT_G17_MAX];
    put(w, tmp, asim_fmt_g17(v, tmp)); /* the bytes of "%.17g", faster */
}

void asim_csv_int(asim_csv *w, long long v)
{
    sep(w);
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%lld", v);
    put(w, tmp, (size_t)n);
}

void asim_csv_uint(asim_csv *w, uint64_t v)
{
    sep(w);
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%" PRIu64, v);
    put(w, tmp, (size_t)n);
}

void asim_csv_raw(asim_csv *w, const char *text, size_t len)
{
    put(w, text, len);
}

long long asim_csv_offset(const asim_csv *w)
{
    if (w->mem)
        return (long long)w->mem->len;
    return w->written + (long long)w->used;
}

void asim_csv_end_row(asim_csv *w)
{
    put(w, "\n", 1);
    w->fields = 0;
}

asim_status asim_csv_flush(asim_csv *w, asim_error *err)
{
    drain(w);
    if (w->failed)
        return asim_error_set(err, ASIM_EIO, "cannot write %s: %s", w->path, strerror(w->failed));
    return ASIM_OK;
}

asim_status asim_csv_sync(asim_csv *w, asim_error *err)
{
    asim_status st = asim_csv_flush(w, err);
    int e = st == ASIM_OK ? asim_io_sync(w->fd) : 0;
    if (e) {
        w->failed = e;
        st = asim_error_set(err, ASIM_EIO, "cannot write %s: %s", w->path, strerror(e));
    }
    return st;
}

asim_status asim_csv_close(asim_csv *w, asim_error *err)
{
    asim_status st = asim_csv_commit(w, err);
    if (st != ASIM_OK)
        unlink(w->tmp);
    return st;
}

asim_status asim_csv_commit(asim_csv *w, asim_error *err)
{
    asim_status st = asim_csv_sync(w, err);
    int e = asim_io_close(w->fd);
    w->fd = -1;
    free(w->buf);
    w->buf = NULL;
    if (st == ASIM_OK && !e)
        e = asim_io_rename(w->tmp, w->path);
    if (st == ASIM_OK && e)
        st = asim_error_set(err, ASIM_EIO, "cannot write %s: %s", w->path, strerror(e));
    return st;
}

void asim_csv_abandon(asim_csv *w, int remove_tmp)
{
    if (w->fd >= 0)
        asim_io_close(w->fd); /* pending rows are dropped: they were never committed */
    w->fd = -1;
    free(w->buf);
    w->buf = NULL;
    if (remove_tmp && w->tmp[0])
        unlink(w->tmp);
}

/* ---- per-step rows ------------------------------------------------------ */

/* The columns are run, replicate, then the TS rows of vars.def in table
 * order, each for every agent of its kind (docs/model.md section 4.11). */

void asim_output_timeseries_header(asim_csv *w, const asim_params *p)
{
    char name[ASIM_PATH_MAX + 32];
    asim_csv_str(w, "run");
    asim_csv_str(w, "replicate");
    for (size_t k = 0; k < ASIM_VAR_COUNT; k++) {
        const asim_var_def *d = &asim_var_table[k];
        if (!(d->files & ASIM_FILE_TS))
            continue;
        for (size_t a = 0; a < asim_vars_agents(p, d->kind); a++) {
            asim_vars_column(p, d->kind, d->name, a, name, sizeof name);
            asim_csv_str(w, name);
        }
    }
    asim_csv_end_row(w);
}

void asim_output_timeseries_row(asim_csv *w, const asim_view *v, size_t lane, uint64_t run,
                                uint64_t replicate)
{
    size_t W = v->width;
    asim_csv_uint(w, run);
    asim_csv_uint(w, replicate);
    for (size_t k = 0; k < ASIM_VAR_COUNT; k++) {
        const asim_var_def *d = &asim_var_table[k];
        if (!(d->files & ASIM_FILE_TS))
            continue;
        size_t n = asim_view_agents(v, d->kind);
        switch (d->store) {
        case ASIM_STORE_STEP:
            asim_csv_int(w, v->step);
            break;
        case ASIM_STORE_EXO:
            for (size_t a = 0; a < n; a++)
                asim_csv_num(w, v->value[k][a]);
            break;
        case ASIM_STORE_LANE:
            for (size_t a = 0; a < n; a++)
                asim_csv_num(w, v->value[k][a * W + lane]);
            break;
        case ASIM_STORE_REGIME:
            for (size_t a = 0; a < n; a++)
                asim_csv_str(w, asim_regime_name((asim_regime)v->regime[k][a * W + lane]));
            break;
        default:
            break;
        }
    }
    asim_csv_end_row(w);
}

/* series.csv: the point, then the SERIES rows of vars.def in table
 * order, for every agent (docs/model.md section 4.11). */

void asim_output_series_header(asim_csv *w, const asim_params *p)
{
    static const char *const qstats[] = {"mean", "sd", "p05", "p50", "p95"};
    char col[ASIM_PATH_MAX + 32], name[ASIM_PATH_MAX + 48];
    asim_csv_str(w, "point");
    for (size_t k = 0; k < ASIM_VAR_COUNT; k++) {
        const asim_var_def *d = &asim_var_table[k];
        if (!(d->files & ASIM_FILE_SERIES))
            continue;
        for (size_t a = 0; a < asim_vars_agents(p, d->kind); a++) {
            asim_vars_column(p, d->kind, d->name, a, col, sizeof col);
            if (d->store == ASIM_STORE_LANE)
                for (int j = 0; j < 5; j++) {
                    snprintf(name, sizeof name, "%s_%s", col, qstats[j]);
                    asim_csv_str(w, name);
                }
            else if (d->store == ASIM_STORE_REGIME)
                for (int r = 0; r < ASIM_REGIME_COUNT; r++) {
                    snprintf(name, sizeof name, "share_%s", asim_regime_name((asim_regime)r));
                    asim_vars_column(p, d->kind, name, a, col, sizeof col);
                    asim_csv_str(w, col);
                }
            else
                asim_csv_str(w, col);
        }
    }
    asim_csv_end_row(w);
}

/* The standard deviation of sorted x[0 .. n), scaled by a power of two
 * (exactly) when the plain computation overflows on huge finite values. */
static double sd_scaled(double *x, size_t n)
{
    double sd = gsl_stats_sd(x, 1, n);
    double big = fmax(fabs(x[0]), fabs(x[n - 1]));
    if (isfinite(sd) || !isfinite(big))
        return sd;
    int e = ilogb(big) + 1;
    for (size_t i = 0; i < n; i++)
        x[i] = ldexp(x[i], -e);
    sd = ldexp(gsl_stats_sd(x, 1, n), e);
    for (size_t i = 0; i < n; i++)
        x[i] = ldexp(x[i], e);
    return sd;
}

/* Mean, sd, p05, p50, p95 of x[0 .. lanes) (sorted in scratch); a value
 * that is not finite all the same is left empty and counted. */
static int quantile_fields(asim_csv *w, const double *x, size_t lanes, double *scratch)
{
    memcpy(scratch, x, lanes * sizeof *scratch);
    gsl_sort(scratch, 1, lanes);
    double v[5] = {gsl_stats_mean(scratch, 1, lanes), NAN,
                   gsl_stats_quantile_from_sorted_data(scratch, 1, lanes, 0.05),
                   gsl_stats_quantile_from_sorted_data(scratch, 1, lanes, 0.50),
                   gsl_stats_quantile_from_sorted_data(scratch, 1, lanes, 0.95)};
    if (lanes >= 2)
        v[1] = sd_scaled(scratch, lanes);
    int bad = 0;
    for (int j = 0; j < 5; j++) {
        if (!isfinite(v[j]) && (j != 1 || lanes >= 2)) {
            bad++;
            v[j] = NAN;
        }
        asim_csv_num(w, v[j]);
    }
    return bad;
}

/* Share of lanes in each regime. */
static void share_fields(asim_csv *w, const unsigned char *regime, size_t lanes)
{
    for (int r = 0; r < ASIM_REGIME_COUNT; r++) {
        size_t in = 0;
        for (size_t i = 0; i < lanes; i++)
            in += regime[i] == r;
        asim_csv_num(w, (double)in / (double)lanes);
    }
}

int asim_output_series_row(asim_csv *w, const asim_params *p, size_t point, const asim_view *v,
                           size_t lanes, double *scratch, char *bad, size_t bad_n)
{
    int n_bad = 0;
    asim_csv_uint(w, point);
    for (size_t k = 0; k < ASIM_VAR_COUNT; k++) {
        const asim_var_def *d = &asim_var_table[k];
        if (!(d->files & ASIM_FILE_SERIES))
            continue;
        for (size_t a = 0; a < asim_view_agents(v, d->kind); a++) {
            if (d->store == ASIM_STORE_STEP)
                asim_csv_int(w, v->step);
            else if (d->store == ASIM_STORE_EXO)
                asim_csv_num(w, *v->value[k]);
            else if (d->store == ASIM_STORE_LANE &&
                     quantile_fields(w, v->value[k] + a * v->width, lanes, scratch) && !n_bad++)
                asim_vars_column(p, d->kind, d->name, a, bad, bad_n);
            else if (d->store == ASIM_STORE_REGIME)
                share_fields(w, v->regime[k] + a * v->width, lanes);
        }
    }
    asim_csv_end_row(w);
    return n_bad;
}

/* ---- whole files and metadata --------------------------------------------- */

asim_status asim_output_write_file(const char *dir, const char *name, const char *text, size_t len,
                                   asim_error *err)
{
    return asim_io_write_atomic(dir, name, text, len, err);
}

uint64_t asim_output_hash(const char *text, size_t len)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)text[i];
        h *= 1099511628211ull;
    }
    return h;
}

#ifndef ASIM_VERSION_STRING
#define ASIM_VERSION_STRING "0.0.0"
#endif
#include "asim_git.h"

const char *asim_version(void) { return ASIM_VERSION_STRING; }
const char *asim_git_commit(void) { return ASIM_GIT_COMMIT; }

#include <time.h>

asim_status asim_output_meta(const char *dir, const asim_meta *m, asim_error *err)
{
    asim_strbuf b;
    asim_strbuf_init(&b);
    char date[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    asim_strbuf_puts(&b, "{\n  \"allysim_version\": ");
    asim_strbuf_quoted(&b, 1, asim_version());
    asim_strbuf_puts(&b, ",\n  \"git_commit\": ");
    asim_strbuf_quoted(&b, 1, asim_git_commit());
    asim_strbuf_puts(&b, ",\n  \"command_line\": [");
    for (int i = 0; i < m->argc; i++) {
        asim_strbuf_puts(&b, i ? ", " : "");
        asim_strbuf_quoted(&b, 1, m->argv[i]);
    }
    asim_strbuf_puts(&b, "],\n  \"config_file\": ");
    if (m->config_file)
        asim_strbuf_quoted(&b, 1, m->config_file);
    else
        asim_strbuf_puts(&b, "null");
    const char *text = m->config_text ? m->config_text : "";
    asim_strbuf_printf(&b, ",\n  \"config_hash\": \"fnv1a64:%016" PRIx64 "\"",
                       asim_output_hash(text, strlen(text)));
    asim_strbuf_printf(&b, ",\n  \"base_seed\": %" PRIu64 ",\n  \"date\": \"%s\"", m->base_seed, date);
    asim_strbuf_puts(&b, ",\n  \"status\": ");
    asim_strbuf_quoted(&b, 1, m->status);
    asim_strbuf_printf(&b, ",\n  \"runs_total\": %" PRIu64 ",\n  \"runs_done\": %" PRIu64
                           ",\n  \"runs_failed\": %" PRIu64,
                       m->runs_total, m->runs_done, m->runs_failed);
    if (m->n_files) {
        asim_strbuf_puts(&b, ",\n  \"files\": [");
        for (size_t k = 0; k < m->n_files; k++) {
            asim_strbuf_puts(&b, k ? ", " : "");
            asim_strbuf_quoted(&b, 1, m->files[k]);
        }
        asim_strbuf_puts(&b, "]");
    }
    if (m->extra_json)
        asim_strbuf_printf(&b, ",\n  %s", m->extra_json);
    asim_strbuf_puts(&b, "\n}\n");
    asim_status st = asim_strbuf_status(&b) != ASIM_OK
                         ? asim_error_set(err, ASIM_ENOMEM, "out of memory")
                         : asim_output_write_file(dir, "meta.json", b.s, b.len, err);
    asim_strbuf_free(&b);
    return st;
}

asim_status asim_output_meta_add_files(const char *dir, const char *const *names, size_t n,
                                       asim_error *err)
{
    char path[4200], *text;
    size_t len;
    snprintf(path, sizeof path, "%s/meta.json", dir);
    asim_status st = asim_io_read_input(path, 1u << 24, &text, &len, err);
    if (st != ASIM_OK)
        return st;
    const char *at = strstr(text, "\n  \"files\": [");
    const char *end = at ? strchr(at, ']') : NULL;
    if (!end) {
        free(text);
        return asim_error_set(err, ASIM_EIO, "%s: no \"files\" list to add to", path);
    }
    asim_strbuf b;
    asim_strbuf_init(&b);
    asim_strbuf_append(&b, text, (size_t)(end - text));
    for (size_t k = 0; k < n; k++) {
        asim_strbuf_puts(&b, end[-1] == '[' && k == 0 ? "" : ", ");
        asim_strbuf_quoted(&b, 1, names[k]);
    }
    asim_strbuf_puts(&b, end);
    st = asim_strbuf_status(&b) != ASIM_OK ? asim_error_set(err, ASIM_ENOMEM, "out of memory")
                                           : asim_output_write_file(dir, "meta.json", b.s, b.len, err);
    asim_strbuf_free(&b);
    free(text);
    return st;
}
