/* merge.h: putting the shards of a sweep back together (`allysim merge`).
 * A sweep run with --shard K/N writes the rows of its share of the design
 * points to its own directory (sweep.h); the merge checks that the shards
 * belong together and writes the files of the whole sweep: the same CSV
 * bytes as one unsharded sweep, config.cfg, and the first shard's meta.json
 * with the whole sweep's counts. */
#ifndef ALLYSIM_MERGE_H
#define ALLYSIM_MERGE_H

#include <stddef.h>

#include "allysim/status.h"

/* Merge the n shard directories dirs (in any order) into out. Checks that
 * they are complete, come from the same resolved configuration, design and
 * options, that together they cover every design point once, and that
 * every CSV row is well formed and in its place; the first failure is an
 * ASIM_EUSAGE error naming the file (and line). */
asim_status asim_merge_shards(const char *const *dirs, size_t n, const char *out, asim_error *err);

#endif
