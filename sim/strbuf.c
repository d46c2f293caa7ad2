/* strbuf.c: growable strings. */
#include "allysim/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void asim_strbuf_init(asim_strbuf *b) { memset(b, 0, sizeof *b); }

void asim_strbuf_free(asim_strbuf *b)
{
    free(b->s);
    asim_strbuf_init(b);
}

static int reserve(asim_strbuf *b, size_t extra)
{
    if (b->failed)
        return -1;
    if (b->len + extra + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
        b->failed = 1;
        return -1;
    }
    b->s = s;
    b->cap = cap;
    return 0;
}

void asim_strbuf_printf(asim_strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || reserve(b, (size_t)n) != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void asim_strbuf_append(asim_strbuf *b, const char *s, size_t n)
{
    if (reserve(b, n) != 0)
        return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void asim_strbuf_puts(asim_strbuf *b, const char *s) { asim_strbuf_append(b, s, strlen(s)); }

void asim_strbuf_real(asim_strbuf *b, double v)
{
    char tmp[40];
    /* the shortest form that reads back exactly: 0.8, not 0.80000000000000004 */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    /* libconfig reads "1" as an integer; keep reals recognisable */
    if (!strpbrk(tmp, ".eEn"))
        strcat(tmp, ".0");
    asim_strbuf_puts(b, tmp);
}

const char *asim_strbuf_str(const asim_strbuf *b) { return b->s ? b->s : ""; }

asim_status asim_strbuf_status(const asim_strbuf *b) { return b->failed ? ASIM_ENOMEM : ASIM_OK; }

/* The length of the valid UTF-8 sequence at s (1-4), or 0 when the bytes
 * there are not one (a stray continuation byte, an overlong or truncated
 * sequence, a surrogate, or beyond U+10FFFF). */
static int utf8_length(const unsigned char *s)
{
    int n = s[0] < 0x80 ? 1 : s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
            : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
    for (int i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((n == 3 && s[0] == 0xE0 && s[1] < 0xA0) || (n == 3 && s[0] == 0xED && s[1] >= 0xA0) ||
        (n == 4 && s[0] == 0xF0 && s[1] < 0x90) || (n == 4 && s[0] == 0xF4 && s[1] >= 0x90))
        return 0;
    return n;
}

void asim_strbuf_quoted(asim_strbuf *b, int json, const char *s)
{
    asim_strbuf_puts(b, "\"");
    while (*s) {
        unsigned char c = (unsigned char)*s;
        int n = json ? utf8_length((const unsigned char *)s) : 1;
        if (c == '"' || c == '\\')
            asim_strbuf_printf(b, "\\%c", c);
        else if (c < 0x20)
            asim_strbuf_printf(b, json ? "\\u%04x" : "\\x%02x", c);
        else if (n == 0) /* JSON must be UTF-8: a stray byte becomes its code point */
            asim_strbuf_printf(b, "\\u%04x", c);
        else
            asim_strbuf_append(b, s, (size_t)n);
        s += n ? n : 1;
    }
    asim_strbuf_puts(b, "\"");
}

size_t asim_str_distance(const char *a, size_t la, const char *b)
{
    size_t lb = strlen(b), row[ASIM_STR_DISTANCE_MAX + 1];
    if (lb > ASIM_STR_DISTANCE_MAX || la > ASIM_STR_DISTANCE_MAX)
        return (size_t)-1;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}
