/* outdir.h: an output directory held by one command.
 *
 * A command that writes results opens its directory with asim_outdir_open:
 * the directory is created if needed and locked for the whole command (one
 * writer, fileio.h), and it must hold no earlier results, so that the files
 * of two commands are never mixed (docs/reliability.md):
 * - an empty (or new) directory is taken as it is;
 * - with ASIM_OUTDIR_RESUME the directory's files are kept (the sweep checks
 *   its own state before it trusts them);
 * - with ASIM_OUTDIR_OVERWRITE every file an allysim command writes there
 *   (the table in outdir.c) is removed first, and nothing else;
 * - otherwise a directory with files in it is refused (ASIM_EUSAGE) with a
 *   message naming it and the way out. */
#ifndef ALLYSIM_OUTDIR_H
#define ALLYSIM_OUTDIR_H

#include <stddef.h>

#include "allysim/fileio.h"
#include "allysim/status.h"

enum {
    ASIM_OUTDIR_RESUME = 1,    /* keep the files: an interrupted job goes on */
    ASIM_OUTDIR_OVERWRITE = 2, /* remove allysim's files first */
};

typedef struct asim_outdir {
    char path[4096];      /* the directory as given */
    asim_dir_lock lock;   /* held from open to close */
    int created;          /* the directory did not exist before */
} asim_outdir;

/* Create (if needed), lock and check dir as described above. On failure
 * nothing is held. */
asim_status asim_outdir_open(asim_outdir *od, const char *dir, unsigned flags, asim_error *err);
/* Release the lock (a closed or never opened outdir is fine). A directory
 * that open created and that holds nothing but the lock (a command that
 * failed before writing) is removed again. */
void asim_outdir_close(asim_outdir *od);

/* The table of result files: how many, and the k-th name or pattern
 * ("prefix*suffix", e.g. "fitted-*.cfg"). */
size_t asim_outdir_result_count(void);
const char *asim_outdir_result_pattern(size_t k);

/* Nonzero when name is a file some allysim command writes (a result, its
 * temporary file, or a sweep's state). */
int asim_outdir_is_result(const char *name);

#endif
