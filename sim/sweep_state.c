/* sweep_state.c: writing and reading .sweep-state, the record of how far
 * an unfinished sweep got (sweep_state.h, docs/reliability.md). A resume
 * trusts nothing in it that it has not checked. */
#include "sweep_state.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "allysim/fileio.h"
#include "allysim/strbuf.h"

#define STATE_MAX_BYTES 65536
#define STATE_MAGIC "allysim-sweep-state 2"

/* The state's text without the checksum line. */
static void state_text(const asim_sweep_state *st, asim_strbuf *b)
{
    asim_strbuf_printf(b, "%s\nconfig_hash %s\nshard %zu %zu\npoints %zu\nnext %zu\n"
                          "runs_done %" PRIu64 "\nruns_failed %" PRIu64 "\n",
                       STATE_MAGIC, st->hash, st->shard, st->shards, st->points, st->next,
                       st->runs_done, st->runs_failed);
    for (size_t k = 0; k < st->n_files; k++)
        asim_strbuf_printf(b, "file %s %lld %016" PRIx64 "\n", st->file[k].name, st->file[k].length,
                           st->file[k].tail);
}

asim_status asim_sweep_state_write(const char *dir, const asim_sweep_state *st, asim_error *err)
{
    asim_strbuf b;
    asim_strbuf_init(&b);
    state_text(st, &b);
    uint64_t sum = asim_io_hash_more(ASIM_IO_HASH_INIT, asim_strbuf_str(&b), b.len);
    asim_strbuf_printf(&b, "checksum %016" PRIx64 "\n", sum);
    asim_status s = asim_strbuf_status(&b) == ASIM_OK
                        ? asim_io_write_atomic(dir, ASIM_STATE_NAME, b.s, b.len, err)
                        : asim_error_set(err, ASIM_ENOMEM, "out of memory");
    asim_strbuf_free(&b);
    return s;
}

/* Parse an unsigned decimal that fills the whole word, at most max. */
static int whole_u64(const char *w, uint64_t max, uint64_t *v)
{
    if (*w < '0' || *w > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long x = strtoull(w, &end, 10);
    if (errno || *end || x > max)
        return -1;
    *v = x;
    return 0;
}

static int whole_hex(const char *w, uint64_t *v)
{
    if (strlen(w) != 16 || strspn(w, "0123456789abcdef") != 16)
        return -1;
    *v = strtoull(w, NULL, 16);
    return 0;
}

/* The words of one line (at most 4), split at single spaces. */
static int split_words(char *line, char **word)
{
    int n = 0;
    for (char *tok = strtok(line, " "); tok; tok = strtok(NULL, " "))
        if (n < 5)
            word[n++] = tok;
        else
            return -1;
    return n;
}

/* One "key values..." line into st; a bit in *seen per key (each once). */
static int parse_line(char *line, asim_sweep_state *st, unsigned *seen)
{
    char *w[5];
    int n = split_words(line, w);
    uint64_t a, b;
    const uint64_t big = (uint64_t)1 << 53;
    unsigned bit;
    if (n == 2 && strcmp(w[0], "config_hash") == 0 && strlen(w[1]) < sizeof st->hash) {
        snprintf(st->hash, sizeof st->hash, "%s", w[1]);
        bit = 1;
    } else if (n == 3 && strcmp(w[0], "shard") == 0 && !whole_u64(w[1], big, &a) &&
               !whole_u64(w[2], big, &b)) {
        st->shard = (size_t)a, st->shards = (size_t)b, bit = 2;
    } else if (n == 2 && strcmp(w[0], "points") == 0 && !whole_u64(w[1], big, &a)) {
        st->points = (size_t)a, bit = 4;
    } else if (n == 2 && strcmp(w[0], "next") == 0 && !whole_u64(w[1], big, &a)) {
        st->next = (size_t)a, bit = 8;
    } else if (n == 2 && strcmp(w[0], "runs_done") == 0 && !whole_u64(w[1], UINT64_MAX, &a)) {
        st->runs_done = a, bit = 16;
    } else if (n == 2 && strcmp(w[0], "runs_failed") == 0 && !whole_u64(w[1], UINT64_MAX, &a)) {
        st->runs_failed = a, bit = 32;
    } else if (n == 4 && strcmp(w[0], "file") == 0 && st->n_files < ASIM_STATE_MAX_FILES &&
               strlen(w[1]) < sizeof st->file[0].name && !whole_u64(w[2], big, &a) &&
               !whole_hex(w[3], &b)) {
        asim_state_file *f = &st->file[st->n_files++];
        snprintf(f->name, sizeof f->name, "%s", w[1]);
        f->length = (long long)a;
        f->tail = b;
        return asim_sweep_state_file(st, w[1]) == f ? 0 : -1; /* each file once */
    } else {
        return -1;
    }
    if (*seen & bit)
        return -1;
    *seen |= bit;
    return 0;
}

asim_status asim_sweep_state_parse(const char *text, size_t len, const char *path,
                                   asim_sweep_state *st, asim_error *err)
{
    memset(st, 0, sizeof *st);
    const char *sum_at = len >= 26 ? text + len - 26 : NULL; /* "checksum " + 16 + "\n" */
    uint64_t want;
    char hex[17] = {0};
    if (!sum_at || memchr(text, '\0', len) || strncmp(sum_at, "checksum ", 9) != 0 ||
        (sum_at > text && sum_at[-1] != '\n') || text[len - 1] != '\n' ||
        (memcpy(hex, sum_at + 9, 16), whole_hex(hex, &want)) ||
        asim_io_hash_more(ASIM_IO_HASH_INIT, text, (size_t)(sum_at - text)) != want)
        return asim_error_set(err, ASIM_EUSAGE,
                              "%s: damaged sweep state (its checksum does not match); start the sweep "
                              "again with --overwrite",
                              path);
    char *copy = malloc((size_t)(sum_at - text) + 1);
    if (!copy)
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    memcpy(copy, text, (size_t)(sum_at - text));
    copy[sum_at - text] = '\0';
    unsigned seen = 0;
    int lineno = 1, bad = 0;
    char *save = NULL, *line = strtok_r(copy, "\n", &save);
    if (!line || strcmp(line, STATE_MAGIC) != 0)
        bad = 1;
    while (!bad && (line = strtok_r(NULL, "\n", &save)) != NULL) {
        lineno++;
        bad = parse_line(line, st, &seen) != 0;
    }
    free(copy);
    if (bad || seen != 63)
        return asim_error_set(err, ASIM_EUSAGE, "%s:%d: unreadable sweep state", path,
                              bad ? lineno : lineno + 1);
    return ASIM_OK;
}

asim_status asim_sweep_state_read(const char *dir, asim_sweep_state *st, int *found,
                                  asim_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, ASIM_STATE_NAME);
    struct stat sb;
    *found = lstat(path, &sb) == 0;
    if (!*found)
        return ASIM_OK;
    char *text;
    size_t len;
    asim_status s = asim_io_read_input(path, STATE_MAX_BYTES, &text, &len, err);
    if (s != ASIM_OK)
        return s;
    s = asim_sweep_state_parse(text, len, path, st, err);
    free(text);
    return s;
}

const asim_state_file *asim_sweep_state_file(const asim_sweep_state *st, const char *name)
{
    for (size_t k = 0; k < st->n_files; k++)
        if (strcmp(st->file[k].name, name) == 0)
            return &st->file[k];
    return NULL;
}

asim_status asim_sweep_state_check(int fd, const asim_state_file *rec, const char *shown,
                                   asim_error *err)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0)
        return asim_error_set(err, ASIM_EIO, "cannot resume %s: %s", shown, strerror(errno));
    if ((long long)sb.st_size < rec->length)
        return asim_error_set(err, ASIM_EUSAGE,
                              "cannot resume: %s has %lld bytes, fewer than the %lld the sweep state "
                              "records; the directory was damaged: start again with --overwrite",
                              shown, (long long)sb.st_size, rec->length);
    uint64_t h;
    int e = asim_io_tail_hash(fd, (off_t)rec->length, ASIM_STATE_TAIL, &h);
    if (e)
        return asim_error_set(err, ASIM_EIO, "cannot resume %s: %s", shown, strerror(e));
    if (h != rec->tail)
        return asim_error_set(err, ASIM_EUSAGE,
                              "cannot resume: %s differs from what the sweep state records (at byte "
                              "%lld); the directory was damaged: start again with --overwrite",
                              shown, rec->length);
    return ASIM_OK;
}
