/* fuzz_merge.c: libFuzzer harness for `allysim merge` input. The input is
 * cut at lines "%%" into the files of up to two shard directories, in the
 * order of `files` below (shard 1, then shard 2); a part that is exactly
 * "!" leaves that file out. asim_merge_shards then merges the shards into
 * a fresh output directory. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "allysim/merge.h"
#include "fuzz_common.h"

static const char *const files[] = {"meta.json",   "config.cfg", "runs.csv",      "points.csv",
                                    "failures.csv", "series.csv", "timeseries.csv"};
#define N_NAMES (sizeof files / sizeof files[0])
#define SEP "\n%%\n"

static char dir[4096], shard[2][4200], out[4200];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_tmpdir(dir, sizeof dir);
    for (int s = 0; s < 2; s++) {
        snprintf(shard[s], sizeof shard[s], "%s/s%d", dir, s + 1);
        if (mkdir(shard[s], 0700) != 0)
            abort();
    }
    snprintf(out, sizeof out, "%s/out", dir);
    return 0;
}

static void clear(const char *d, int remove_dir)
{
    char path[4400];
    for (size_t f = 0; f < N_NAMES; f++) {
        snprintf(path, sizeof path, "%s/%s", d, files[f]);
        unlink(path);
        snprintf(path, sizeof path, "%s/%s.tmp", d, files[f]);
        unlink(path);
    }
    if (remove_dir)
        rmdir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    clear(shard[0], 0);
    clear(shard[1], 0);
    const char *q = (const char *)data, *end = q + size;
    size_t part = 0;
    while (part < 2 * N_NAMES) {
        const char *sep = NULL;
        for (const char *s = q; s + 4 <= end; s++)
            if (memcmp(s, SEP, 4) == 0) {
                sep = s;
                break;
            }
        const char *stop = sep ? sep + 1 : end; /* the part keeps its last newline */
        size_t len = (size_t)(stop - q);
        if (!(len == 1 && q[0] == '!') && !(len == 2 && q[0] == '!' && q[1] == '\n')) {
            char path[4400];
            snprintf(path, sizeof path, "%s/%s", shard[part / N_NAMES], files[part % N_NAMES]);
            fuzz_write(path, q, len);
        }
        part++;
        if (!sep)
            break;
        q = sep + 4;
    }
    const char *dirs[2] = {shard[0], shard[1]};
    asim_error err = {0};
    asim_status st = asim_merge_shards(dirs, part > N_NAMES ? 2 : 1, out, &err);
    fuzz_check_error(st, &err, "asim_merge_shards");
    clear(out, 1);
    return 0;
}
