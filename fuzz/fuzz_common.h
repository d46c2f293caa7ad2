/* fuzz_common.h: helpers shared by the libFuzzer harnesses and by the plain
 * replay driver of the regression corpus (tests/check_fuzz_corpus.c):
 * a private temporary directory, whole-file writes, and the oracle on
 * error records (a failure is a usage or configuration error whose message
 * is one printable line). */
#ifndef ASIM_FUZZ_COMMON_H
#define ASIM_FUZZ_COMMON_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allysim/config.h"
#include "allysim/status.h"

/* Remove path and, when it is a directory, everything in it. */
static inline void fuzz_remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        for (struct dirent *e; (e = readdir(d));) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char sub[4400];
            if (snprintf(sub, sizeof sub, "%s/%s", path, e->d_name) < (int)sizeof sub)
                fuzz_remove_tree(sub);
        }
        closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static char fuzz_dir[4096];
static void fuzz_cleanup(void) { fuzz_remove_tree(fuzz_dir); }

/* A fresh directory under $TMPDIR (or /tmp), for the whole process; it is
 * removed at exit. */
static inline void fuzz_tmpdir(char *dir, size_t n)
{
    const char *base = getenv("TMPDIR");
    snprintf(fuzz_dir, sizeof fuzz_dir, "%s/asim_fuzz.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(fuzz_dir)) {
        perror("mkdtemp");
        abort();
    }
    snprintf(dir, n, "%s", fuzz_dir);
    atexit(fuzz_cleanup);
}

/* Write exactly n bytes of data to path (replacing it). */
static inline void fuzz_write(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f) != 0) {
        perror(path);
        abort();
    }
}

/* A failed call must leave a usage or configuration error whose message is
 * a single non-empty line of printable text (with `lines` 0, any text). */
static inline void fuzz_check_error_text(asim_status st, const asim_error *err, const char *what,
                                         int lines)
{
    if (st == ASIM_OK)
        return;
    if (st != ASIM_ECONFIG && st != ASIM_EUSAGE) {
        fprintf(stderr, "%s: status %d (%s): %s\n", what, (int)st, asim_status_message(st), err->msg);
        abort();
    }
    if (!err->msg[0]) {
        fprintf(stderr, "%s: empty error message\n", what);
        abort();
    }
    for (const unsigned char *q = (const unsigned char *)err->msg; lines && *q; q++)
        if (*q < 0x20 || *q == 0x7f) {
            fprintf(stderr, "%s: control character 0x%02x in the message: %s\n", what, *q, err->msg);
            abort();
        }
}

static inline void fuzz_check_error(asim_status st, const asim_error *err, const char *what)
{
    fuzz_check_error_text(st, err, what, 1);
}

/* The resolved configuration of p, written to path, must load again to the
 * same text (the round trip of config.cfg). */
static inline void fuzz_round_trip(const asim_params *p, const char *path)
{
    asim_strbuf a, b;
    asim_strbuf_init(&a);
    asim_strbuf_init(&b);
    asim_config_write(p, &a);
    fuzz_write(path, a.s, a.len);
    asim_params q;
    asim_error err = {0};
    if (asim_config_load(&q, path, NULL, 0, &err) != ASIM_OK) {
        fprintf(stderr, "resolved configuration does not load: %s\n%s", err.msg, a.s);
        abort();
    }
    asim_config_write(&q, &b);
    if (a.len != b.len || memcmp(a.s, b.s, a.len) != 0) {
        fprintf(stderr, "resolved configuration changes on reload:\n%s\n----\n%s", a.s, b.s);
        abort();
    }
    asim_params_free(&q);
    asim_strbuf_free(&a);
    asim_strbuf_free(&b);
}

#endif
