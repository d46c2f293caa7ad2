/* sweep_state.h: the state file of an unfinished sweep (.sweep-state), its
 * durable writing and its checked reading (docs/reliability.md, "sweep").
 * Private to the sweep; the fuzzers read it too. */
#ifndef ALLYSIM_SWEEP_STATE_H
#define ALLYSIM_SWEEP_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "allysim/status.h"

#define ASIM_STATE_NAME ".sweep-state"
#define ASIM_STATE_MAX_FILES 8
#define ASIM_STATE_TAIL 4096 /* bytes hashed at the end of every data file */

/* One data file as far as the last complete block. */
typedef struct {
    char name[32];    /* e.g. "runs.csv" (written as name.tmp until the end) */
    long long length; /* bytes */
    uint64_t tail;    /* FNV-1a of the last ASIM_STATE_TAIL bytes before length */
} asim_state_file;

typedef struct {
    char hash[40];            /* the sweep's identity (configuration, design, options) */
    size_t shard, shards;     /* K/N */
    size_t points;            /* design points of the whole design */
    size_t next;              /* the next point to run */
    uint64_t runs_done, runs_failed;
    size_t n_files;
    asim_state_file file[ASIM_STATE_MAX_FILES];
} asim_sweep_state;

/* Write st as dir/.sweep-state atomically (temporary file, sync, rename,
 * directory sync). The data files it describes must be synced before. */
asim_status asim_sweep_state_write(const char *dir, const asim_sweep_state *st, asim_error *err);

/* Parse a state file's text (path names it in messages): every line known,
 * every number in range, each key once, and the checksum line last and
 * matching. */
asim_status asim_sweep_state_parse(const char *text, size_t len, const char *path,
                                   asim_sweep_state *st, asim_error *err);

/* Read dir/.sweep-state; *found is 0 (and ASIM_OK) when there is none. */
asim_status asim_sweep_state_read(const char *dir, asim_sweep_state *st, int *found,
                                  asim_error *err);

/* The record of file `name`, or NULL. */
const asim_state_file *asim_sweep_state_file(const asim_sweep_state *st, const char *name);

/* Check an open data file against its record: at least rec->length bytes
 * and the same tail hash there. `shown` names it in messages. */
asim_status asim_sweep_state_check(int fd, const asim_state_file *rec, const char *shown,
                                   asim_error *err);

#endif
