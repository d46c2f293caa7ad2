/* fuzz_state.c: libFuzzer harness for a sweep's state file (.sweep-state,
 * sim/sweep_state.h), which --resume reads from a directory anyone could
 * have edited. Each input is parsed twice: as it is (the checksum line must
 * guard it), and with a correct checksum line appended, so that the fuzzer
 * reaches the parsing of every line. A state that parses must write back
 * (asim_sweep_state_write) and read again (asim_sweep_state_read) to the
 * same record; a refusal must be one printable line. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allysim/fileio.h"
#include "fuzz_common.h"
#include "sweep_state.h"

static char dir[4096];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_tmpdir(dir, sizeof dir);
    return 0;
}

/* Two records are the same state (fields compared one by one: padding
 * bytes and the unused tails of names do not count). */
static int same_state(const asim_sweep_state *a, const asim_sweep_state *b)
{
    if (strcmp(a->hash, b->hash) || a->shard != b->shard || a->shards != b->shards ||
        a->points != b->points || a->next != b->next || a->runs_done != b->runs_done ||
        a->runs_failed != b->runs_failed || a->n_files != b->n_files)
        return 0;
    for (size_t k = 0; k < a->n_files; k++)
        if (strcmp(a->file[k].name, b->file[k].name) || a->file[k].length != b->file[k].length ||
            a->file[k].tail != b->file[k].tail)
            return 0;
    return 1;
}

/* The parsed state, written and read back, must be the same. */
static void round_trip(const asim_sweep_state *st)
{
    asim_sweep_state again;
    asim_error err = {0};
    int found = 0;
    if (asim_sweep_state_write(dir, st, &err) != ASIM_OK ||
        asim_sweep_state_read(dir, &again, &found, &err) != ASIM_OK || !found) {
        fprintf(stderr, "a parsed state does not write and read back: %s\n", err.msg);
        abort();
    }
    if (!same_state(st, &again)) {
        fprintf(stderr, "a parsed state changes when written and read back\n");
        abort();
    }
}

static void parse_one(const char *text, size_t len)
{
    asim_sweep_state st;
    asim_error err = {0};
    asim_status s = asim_sweep_state_parse(text, len, "fuzz/.sweep-state", &st, &err);
    fuzz_check_error(s, &err, "asim_sweep_state_parse");
    if (s != ASIM_OK)
        return;
    if (st.n_files > ASIM_STATE_MAX_FILES || !memchr(st.hash, '\0', sizeof st.hash)) {
        fprintf(stderr, "a parsed state is out of its bounds\n");
        abort();
    }
    round_trip(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parse_one((const char *)data, size);
    /* the same text with its checksum line: the lines themselves are tested */
    char *text = malloc(size + 32);
    if (!text)
        return 0;
    memcpy(text, data, size);
    uint64_t sum = asim_io_hash_more(ASIM_IO_HASH_INIT, text, size);
    int n = snprintf(text + size, 32, "checksum %016" PRIx64 "\n", sum);
    parse_one(text, size + (size_t)n);
    free(text);
    return 0;
}
