/* outdir.c: output directories held by one command: created, locked, and
 * checked to hold no earlier results (outdir.h, docs/reliability.md). */
#include "allysim/outdir.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Every file an allysim command writes into its output directory: a name,
 * or a pattern "prefix*suffix". Adding an output file is one row here. */
static const char *const result_files[] = {
    "config.cfg", "meta.json",                                   /* every command */
    "timeseries.csv", "summary.csv",                             /* run */
    "runs.csv", "points.csv", "series.csv", "failures.csv",      /* sweep, merge */
    ".sweep-state",                                              /* sweep, while unfinished */
    "coefficients.csv", "verdicts.csv", "regimes.csv",           /* test */
    "sensitivity.csv",                                           /* sensitivity */
    "parameters.csv", "observations.csv", "comparison.csv",      /* calibrate */
    "calibrated-*.cfg", "fitted-*.cfg",
    "diff_summary.csv", "diff_series.csv",                       /* compare */
};

size_t asim_outdir_result_count(void) { return sizeof result_files / sizeof *result_files; }

const char *asim_outdir_result_pattern(size_t k) { return result_files[k]; }

/* Does name match the pattern (a name, or "prefix*suffix")? */
static int matches(const char *pattern, const char *name)
{
    const char *star = strchr(pattern, '*');
    if (!star)
        return strcmp(pattern, name) == 0;
    size_t pre = (size_t)(star - pattern), suf = strlen(star + 1), n = strlen(name);
    return n >= pre + suf && strncmp(name, pattern, pre) == 0 &&
           strcmp(name + n - suf, star + 1) == 0;
}

int asim_outdir_is_result(const char *name)
{
    char base[256];
    size_t n = strlen(name);
    if (n > 4 && n < sizeof base && strcmp(name + n - 4, ".tmp") == 0) {
        memcpy(base, name, n - 4); /* a result's temporary file */
        base[n - 4] = '\0';
        name = base;
    }
    for (size_t k = 0; k < sizeof result_files / sizeof *result_files; k++)
        if (matches(result_files[k], name))
            return 1;
    return 0;
}

/* What is in dir besides the lock: *n_results of allysim's files, *n_other
 * of anything else, *state set when an interrupted sweep is there; with
 * remove, allysim's files are removed instead of counted. */
static asim_status survey(const char *dir, int remove, size_t *n_results, size_t *n_other,
                          int *state, char *first, size_t first_n, asim_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return asim_error_set(err, ASIM_EIO, "cannot read directory %s: %s", dir, strerror(errno));
    *n_results = *n_other = 0;
    *state = 0;
    asim_status st = ASIM_OK;
    struct dirent *e;
    while (st == ASIM_OK && (e = readdir(d)) != NULL) {
        const char *name = e->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strcmp(name, ASIM_LOCK_NAME) == 0)
            continue;
        int ours = asim_outdir_is_result(name);
        if (ours && remove) {
            char path[4400];
            snprintf(path, sizeof path, "%s/%s", dir, name);
            int rc = asim_io_unlink(path);
            if (rc && rc != EISDIR && rc != EPERM)
                st = asim_error_set(err, ASIM_EIO, "cannot remove %s: %s", path, strerror(rc));
            continue;
        }
        if (ours && !*n_results)
            snprintf(first, first_n, "%s", name);
        *state |= strcmp(name, ".sweep-state") == 0;
        *(ours ? n_results : n_other) += 1;
    }
    closedir(d);
    return st;
}

/* Refuse a directory that holds anything but the lock. */
static asim_status refuse_used(const char *dir, size_t n_results, size_t n_other, int state,
                               const char *first, asim_error *err)
{
    if (state)
        return asim_error_set(err, ASIM_EUSAGE,
                              "%s holds an interrupted sweep: add --resume to finish it, --overwrite "
                              "to start again, or choose another -o directory",
                              dir);
    if (n_results)
        return asim_error_set(err, ASIM_EUSAGE,
                              "%s already holds results (%s%s): add --overwrite to replace them, or "
                              "choose another -o directory",
                              dir, first, n_results > 1 ? ", ..." : "");
    (void)n_other;
    return asim_error_set(err, ASIM_EUSAGE,
                          "%s is not empty and holds no allysim results: choose another -o directory",
                          dir);
}

asim_status asim_outdir_open(asim_outdir *od, const char *dir, unsigned flags, asim_error *err)
{
    od->lock.fd = -1;
    if (snprintf(od->path, sizeof od->path, "%s", dir) >= (int)sizeof od->path)
        return asim_error_set(err, ASIM_EUSAGE, "output directory name too long");
    struct stat before;
    od->created = lstat(dir, &before) != 0;
    asim_status st = asim_io_mkdirs(dir, err);
    if (st == ASIM_OK)
        st = asim_io_lock_dir(dir, &od->lock, err);
    if (st != ASIM_OK || (flags & ASIM_OUTDIR_RESUME))
        return st;
    size_t n_results, n_other;
    int state;
    char first[256] = "";
    st = survey(dir, (flags & ASIM_OUTDIR_OVERWRITE) != 0, &n_results, &n_other, &state, first,
                sizeof first, err);
    if (st == ASIM_OK && !(flags & ASIM_OUTDIR_OVERWRITE) && (n_results || n_other))
        st = refuse_used(dir, n_results, n_other, state, first, err);
    if (st == ASIM_OK && (flags & ASIM_OUTDIR_OVERWRITE))
        st = asim_io_sync_dir(dir) ? asim_error_set(err, ASIM_EIO, "cannot sync %s", dir) : ASIM_OK;
    if (st != ASIM_OK)
        asim_io_unlock_dir(&od->lock);
    return st;
}

void asim_outdir_close(asim_outdir *od)
{
    size_t n_results = 1, n_other = 1;
    int state;
    char first[8];
    if (od->lock.fd >= 0 && od->created &&
        survey(od->path, 0, &n_results, &n_other, &state, first, sizeof first, NULL) == ASIM_OK &&
        n_results + n_other == 0) {
        char lock[4200];
        snprintf(lock, sizeof lock, "%s/%s", od->path, ASIM_LOCK_NAME);
        unlink(lock); /* while still held: nobody else took it in between */
        rmdir(od->path);
    }
    asim_io_unlock_dir(&od->lock);
}
