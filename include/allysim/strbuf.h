/* strbuf.h: a growable string for building text (resolved configs, CSV
 * headers, JSON) without fixed-size buffers. */
#ifndef ALLYSIM_STRBUF_H
#define ALLYSIM_STRBUF_H

#include <stddef.h>

#include "allysim/status.h"

typedef struct asim_strbuf {
    char *s;    /* NUL-terminated once anything is appended */
    size_t len; /* bytes used, without the NUL */
    size_t cap;
    int failed; /* an allocation failed: the text is incomplete */
} asim_strbuf;

void asim_strbuf_init(asim_strbuf *b);
void asim_strbuf_free(asim_strbuf *b);
/* Append formatted text; on allocation failure sets b->failed. */
void asim_strbuf_printf(asim_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void asim_strbuf_puts(asim_strbuf *b, const char *s);
void asim_strbuf_append(asim_strbuf *b, const char *s, size_t n);
/* Append a double so that it reads back to the same value (%.17g, with a
 * ".0" when it would otherwise read back as an integer). */
void asim_strbuf_real(asim_strbuf *b, double v);
/* Append s in double quotes with escapes: JSON's (json != 0; bytes that
 * are not valid UTF-8 become \u00XX, so the document stays UTF-8) or
 * libconfig's. */
void asim_strbuf_quoted(asim_strbuf *b, int json, const char *s);
/* Levenshtein distance between a[0..la) and the string b, for "did you
 * mean" suggestions; (size_t)-1 when either is longer than
 * ASIM_STR_DISTANCE_MAX characters. */
#define ASIM_STR_DISTANCE_MAX 512
size_t asim_str_distance(const char *a, size_t la, const char *b);
/* The text, or "" when empty. */
const char *asim_strbuf_str(const asim_strbuf *b);
/* ASIM_ENOMEM when an append failed, else ASIM_OK. */
asim_status asim_strbuf_status(const asim_strbuf *b);

#endif
