/* output.h: CSV files and run metadata.
 * Every file is written to "<name>.tmp" in its directory and renamed to its
 * name when complete, so a reader never sees a half-written file under the
 * final name. Numbers are printed with %.17g (they read back exactly); an
 * undefined value is an empty field. Write errors are reported as
 * "cannot write DIR/FILE: <reason>". Reading CSV back is csvread.h's job. */
#ifndef ALLYSIM_OUTPUT_H
#define ALLYSIM_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "allysim/model.h"
#include "allysim/params.h"
#include "allysim/status.h"
#include "allysim/strbuf.h"
#include "allysim/summary.h"

#define ASIM_CSV_BUF (1 << 16)

typedef struct asim_csv {
    int fd;          /* the .tmp file, -1 when closed or in memory */
    long long written; /* bytes in the file (after drains) */
    char path[4096]; /* final name */
    char tmp[4200];  /* name while being written */
    char *buf;       /* pending bytes */
    size_t used;
    int fields;      /* fields in the current row */
    int failed;      /* errno of the first failure, or 0 */
    asim_strbuf *mem; /* in-memory target instead of a file (see asim_csv_open_mem) */
} asim_csv;

/* Create dir (and its parents) if needed. */
asim_status asim_output_mkdir(const char *dir, asim_error *err);

/* Open dir/name for writing (as dir/name.tmp, created exclusively; a
 * stale regular .tmp is removed first, a link there is an error). */
asim_status asim_csv_open(asim_csv *w, const char *dir, const char *name, asim_error *err);
/* Open for appending to an existing dir/name.tmp (resuming). */
asim_status asim_csv_reopen(asim_csv *w, const char *dir, const char *name, asim_error *err);
/* Rows into memory (appended to *mem), e.g. to be written later in order. */
void asim_csv_open_mem(asim_csv *w, asim_strbuf *mem);
/* Append bytes that already form complete rows. */
void asim_csv_raw(asim_csv *w, const char *text, size_t len);
/* Bytes written so far, pending ones included (for resume offsets). */
long long asim_csv_offset(const asim_csv *w);
void asim_csv_str(asim_csv *w, const char *s);  /* quoted per RFC 4180 when needed */
void asim_csv_num(asim_csv *w, double v);       /* NAN: empty field */
void asim_csv_int(asim_csv *w, long long v);
void asim_csv_uint(asim_csv *w, uint64_t v);
void asim_csv_end_row(asim_csv *w);
/* Push complete rows to the operating system. */
asim_status asim_csv_flush(asim_csv *w, asim_error *err);
/* Flush and sync to the disk (before a state that points at the bytes). */
asim_status asim_csv_sync(asim_csv *w, asim_error *err);
/* Nonzero while a file is open (not in memory, not closed). */
int asim_csv_is_open(const asim_csv *w);
/* Flush, sync, close and rename to the final name (directory synced). */
asim_status asim_csv_close(asim_csv *w, asim_error *err);
/* The same, but a failure leaves the .tmp file (a sweep resumes from it). */
asim_status asim_csv_commit(asim_csv *w, asim_error *err);
/* Close without writing pending rows, and leave the .tmp file (for
 * resuming) or remove it. */
void asim_csv_abandon(asim_csv *w, int remove_tmp);

/* timeseries.csv (docs/model.md section 4.11): header and one row. */
void asim_output_timeseries_header(asim_csv *w, const asim_params *p);
void asim_output_timeseries_row(asim_csv *w, const asim_view *v, size_t lane, uint64_t run,
                                uint64_t replicate);

/* A sweep's series.csv: the header, and the row of one point's step from
 * the first `lanes` replicates of v (scratch: lanes doubles). A statistic
 * that is not finite is left empty; the row returns how many, and *bad
 * names the first one's variable column. */
void asim_output_series_header(asim_csv *w, const asim_params *p);
int asim_output_series_row(asim_csv *w, const asim_params *p, size_t point, const asim_view *v,
                           size_t lanes, double *scratch, char *bad, size_t bad_n);

/* Write text to dir/name atomically (fileio.h asim_io_write_atomic). */
asim_status asim_output_write_file(const char *dir, const char *name, const char *text, size_t len,
                                   asim_error *err);

/* 64-bit FNV-1a hash, for the resolved configuration in meta.json. */
uint64_t asim_output_hash(const char *text, size_t len);

/* Version and build provenance. */
const char *asim_version(void);
const char *asim_git_commit(void);

/* What meta.json records about a run or sweep. */
typedef struct asim_meta {
    int argc;
    char *const *argv;       /* the command line */
    const char *config_file; /* NULL: built-in defaults */
    const char *config_text; /* the resolved configuration (config.cfg) */
    uint64_t base_seed;
    const char *status;      /* "complete", "interrupted", "failed" */
    uint64_t runs_total, runs_done, runs_failed;
    const char *extra_json;  /* more members ("\"k\": v, ..."), or NULL */
    const char *const *files; /* the result files written, for "files" (none: no member) */
    size_t n_files;
} asim_meta;

/* Write dir/meta.json (atomically: written last, it vouches for the files
 * it lists under "files"; docs/reliability.md). */
asim_status asim_output_meta(const char *dir, const asim_meta *m, asim_error *err);

/* Add names to the "files" list of dir/meta.json (a command that writes
 * more files after its sweep: test, sensitivity), replacing it atomically. */
asim_status asim_output_meta_add_files(const char *dir, const char *const *names, size_t n,
                                       asim_error *err);

#endif
