/* config_scan.c: the pre-scan of libconfig pitfalls. Reads the text of a
 * scenario file, of what it @includes, or of an override's value, before
 * libconfig parses it, and refuses what libconfig would misread; also
 * finds the setting at a line for libconfig's bare syntax errors. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config_impl.h"

/* libconfig 1.5 reads a decimal integer through atoi, or with the L suffix
 * through atoll, and a hex one through strtoul: 3000000000 silently becomes
 * -1294967296, 99999999999999999999L becomes 2^63-1 and 0x100000000 becomes
 * 0. It also follows @include to whatever the path names (a device, a pipe)
 * and reports a byte-order mark as a bare syntax error. The pre-scan reads
 * the text of a scenario, and of the files it includes, before libconfig parses
 * it, and refuses such literals and includes with the file, line and
 * setting. It does not judge the syntax: that is libconfig's job. */

#define SCAN_INCLUDE_DEPTH 10 /* libconfig's own limit */
#define SCAN_NEST 32          /* group nesting tracked for setting paths */
#define SCAN_NAME 64
#define SCAN_TOKEN 96         /* literal text kept for messages */

typedef struct {
    FILE *f;
    const char *file;    /* as named in messages */
    const char *incdir;  /* @include is relative to this directory */
    const char *override; /* the -s assignment being read, or NULL for a file */
    unsigned line;
    int depth;           /* of @include */
    char group[SCAN_NEST][SCAN_NAME]; /* names of the enclosing groups */
    size_t nest;
    char name[SCAN_NAME];  /* the setting being read */
    char ident[SCAN_NAME]; /* the last name seen (a setting once '=' or ':' follows) */
    unsigned nul_line;     /* line of the first NUL byte, or 0 */
    unsigned want_line;    /* when non-zero: note the setting being read at the end of this line */
    char found[SCAN_NEST * 8]; /* ... here */
    int found_set;
    config_include *inc;   /* the @include directives found (a file's scan) */
    size_t n_inc, cap_inc;
} scan_state;

static void scan_path(const scan_state *s, char *buf, size_t n);

/* Copy s into buf with control characters escaped (\n, \x01, ...), so that
 * a message stays on one line whatever a file or an argument holds. */
void asim_config_printable(const char *s, char *buf, size_t n)
{
    size_t used = 0;
    for (; *s && used + 5 < n; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != 0x7f)
            buf[used++] = (char)c;
        else
            used += (size_t)snprintf(buf + used, n - used, c == '\n' ? "\\n" : c == '\r' ? "\\r"
                                                           : c == '\t' ? "\\t" : "\\x%02x", c);
    }
    if (*s && used + 4 <= n) /* cut short */
        memcpy(buf + used, "...", 4), used += 3;
    buf[used < n ? used : n - 1] = '\0';
}

/* Rewrite err's message so that it is a single line. */
void asim_config_one_line(asim_error *err)
{
    if (!err || !strpbrk(err->msg, "\n\r\t\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10"
                                    "\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f"))
        return;
    char copy[ASIM_ERROR_MAX];
    memcpy(copy, err->msg, sizeof copy);
    asim_config_printable(copy, err->msg, sizeof err->msg);
}

static int scan_getc(scan_state *s)
{
    int c = getc(s->f);
    if ((c == '\n' || c == EOF) && s->want_line == s->line && !s->found_set) {
        scan_path(s, s->found, sizeof s->found);
        s->found_set = 1;
    }
    if (c == '\n')
        s->line++;
    else if (c == '\0' && !s->nul_line)
        s->nul_line = s->line;
    return c;
}

/* The dotted path of the setting being read, for messages. */
static void scan_path(const scan_state *s, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i <= s->nest && i < SCAN_NEST; i++) {
        const char *part = i < s->nest ? s->group[i] : s->name;
        if (!*part || used >= n)
            continue;
        int w = snprintf(buf + used, n - used, "%s%s", used ? "." : "", part);
        used += w > 0 ? (size_t)w : 0;
    }
}

/* "file:line", or "-s path=value" for an override. */
static void scan_loc(const scan_state *s, unsigned line, char *buf, size_t n)
{
    char shown[512];
    asim_config_printable(s->override ? s->override : s->file, shown, sizeof shown);
    if (s->override)
        snprintf(buf, n, "-s %s", shown);
    else
        snprintf(buf, n, "%s:%u", shown, line);
}

static asim_status scan_error(const scan_state *s, asim_error *err, const char *token, const char *why)
{
    char path[SCAN_NEST * 8], loc[600];
    scan_path(s, path, sizeof path);
    scan_loc(s, s->line, loc, sizeof loc);
    if (s->override)
        return asim_error_set(err, ASIM_ECONFIG, "%s: %.*s: %s", loc, SCAN_TOKEN, token, why);
    return asim_error_set(err, ASIM_ECONFIG, "%s: %s%s%.*s: %s", loc, path, *path ? " = " : "",
                          SCAN_TOKEN, token, why);
}

/* Is the literal `t` (a number as libconfig would read it) within what
 * libconfig stores exactly? Floats always are (1e999 is infinite and
 * refused later as such). */
static const char *literal_problem(const char *t, int overlong)
{
    const char *q = t + (*t == '+' || *t == '-');
    size_t len = strlen(q);
    int wide = len > 1 && (q[len - 1] == 'L' || q[len - 1] == 'l');
    if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) {
        const char *h = q + 2;
        while (*h == '0')
            h++;
        size_t digits = 0;
        while (isxdigit((unsigned char)h[digits]))
            digits++;
        if (wide && (digits > 16 || overlong))
            return "hex number out of range: at most 16 hex digits (0xFFFFFFFFFFFFFFFFL)";
        if (!wide && (digits > 8 || overlong || (digits == 8 && strchr("89abcdefABCDEF", h[0]))))
            return "hex number out of range: a hex number without L is at most 0x7FFFFFFF "
                   "(write it with an L suffix, e.g. 0x100000000L)";
        return NULL;
    }
    for (const char *c = q; *c && !(wide && (*c == 'L' || *c == 'l')); c++)
        if (!isdigit((unsigned char)*c))
            return NULL; /* a real number (or not a number: libconfig says so) */
    if (!*q || !isdigit((unsigned char)*q))
        return NULL;
    errno = 0;
    long long v = strtoll(t, NULL, 10);
    if (overlong || errno == ERANGE)
        return "whole number out of range: beyond 64 bits (write a real number such as 1e20)";
    if (!wide && (v < INT32_MIN || v > INT32_MAX))
        return "whole number out of range: without an L suffix a whole number is 32-bit "
               "(-2147483648..2147483647); write it with L (e.g. 3000000000L) or as a real (3e9)";
    return NULL;
}

static asim_status scan_stream(scan_state *s, asim_error *err);

/* The dotted path of the groups around the reader, "" at the top level. */
static void scan_groups(const scan_state *s, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < s->nest && i < SCAN_NEST && used < n; i++) {
        int w = snprintf(buf + used, n - used, "%s%s", used ? "." : "", s->group[i]);
        used += w > 0 ? (size_t)w : 0;
    }
}

/* Note the directive read from byte `at` to here; 0 or -1 (no memory). */
static int scan_note_include(scan_state *s, const char *name, const char *path, unsigned line, long at)
{
    if (s->n_inc == s->cap_inc) {
        size_t cap = s->cap_inc ? 2 * s->cap_inc : 4;
        config_include *more = realloc(s->inc, cap * sizeof *more);
        if (!more)
            return -1;
        s->inc = more;
        s->cap_inc = cap;
    }
    config_include *i = &s->inc[s->n_inc++];
    snprintf(i->name, sizeof i->name, "%s", name);
    snprintf(i->path, sizeof i->path, "%s", path);
    i->line = line;
    i->start = at;
    i->end = ftell(s->f);
    scan_groups(s, i->group, sizeof i->group);
    return 0;
}

/* "@include" has been read from byte `at`: check the file it names and
 * note the directive (the loader reads and scans that file itself). */
static asim_status scan_include(scan_state *s, long at, asim_error *err)
{
    int c;
    while ((c = scan_getc(s)) == ' ' || c == '\t')
        ;
    if (c != '"')
        return ASIM_OK; /* libconfig reports the syntax error */
    char name[1024];
    size_t n = 0;
    unsigned line = s->line;
    while ((c = scan_getc(s)) != EOF && c != '"' && c != '\0')
        if (n + 1 < sizeof name)
            name[n++] = (char)c;
    name[n] = '\0';
    if (c != '"') { /* libconfig would go on to include its directory */
        char loc[600];
        scan_loc(s, line, loc, sizeof loc);
        return asim_error_set(err, ASIM_ECONFIG, "%s: @include needs a file name in double quotes", loc);
    }
    if (n + 1 >= sizeof name || s->override || s->want_line)
        return ASIM_OK; /* an override, or only looking for a setting */
    char path[4200];
    if (name[0] == '/') /* an absolute path stays as it is */
        snprintf(path, sizeof path, "%s", name);
    else
        snprintf(path, sizeof path, "%s/%s", s->incdir, name);
    struct stat sb;
    int e = stat(path, &sb) != 0 ? errno : !S_ISREG(sb.st_mode) ? -1 : 0;
    if (e) {
        char shown[512], loc[600];
        asim_config_printable(name, shown, sizeof shown);
        scan_loc(s, line, loc, sizeof loc);
        return asim_error_set(err, ASIM_ECONFIG, "%s: @include \"%s\": %s", loc, shown,
                              e < 0 ? "not a regular file" : strerror(e));
    }
    if (scan_note_include(s, name, path, line, at) != 0)
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    return ASIM_OK;
}

static asim_status scan_stream(scan_state *s, asim_error *err)
{
    int c = scan_getc(s);
    if (s->depth == 0 && c == 0xEF) {
        int c2 = scan_getc(s), c3 = scan_getc(s);
        if (c2 == 0xBB && c3 == 0xBF) {
            char file[512];
            asim_config_printable(s->file, file, sizeof file);
            return asim_error_set(err, ASIM_ECONFIG,
                                  "%s:1: the file starts with a UTF-8 byte-order mark; save it without one",
                                  file);
        }
    }
    for (; c != EOF; c = scan_getc(s)) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            continue; /* a name followed by '=' or ':' stays a name across blanks */
        int last_was_name = 0;
        if (c == '/') {
            int d = getc(s->f);
            if (d == '*') { /* block comment */
                int prev = 0;
                while ((c = scan_getc(s)) != EOF && !(prev == '*' && c == '/'))
                    prev = c;
            } else if (d == '/') {
                c = '#';
            } else if (d != EOF) {
                ungetc(d, s->f);
            }
        }
        if (c == '#') {
            while ((c = scan_getc(s)) != EOF && c != '\n')
                ;
        } else if (c == '"') {
            while ((c = scan_getc(s)) != EOF && c != '"')
                if (c == '\\' && scan_getc(s) == EOF)
                    break;
        } else if (c == '@') {
            long at = ftell(s->f) - 1;
            char word[16];
            size_t n = 0;
            while ((c = getc(s->f)) != EOF && isalpha(c) && n + 1 < sizeof word)
                word[n++] = (char)c;
            word[n] = '\0';
            if (c != EOF)
                ungetc(c, s->f);
            if (strcmp(word, "include") == 0) {
                asim_status st = scan_include(s, at, err);
                if (st != ASIM_OK)
                    return st;
            }
        } else if (isalpha(c) || c == '*') {
            size_t n = 0;
            s->ident[n++] = (char)c;
            while ((c = getc(s->f)) != EOF && (isalnum(c) || c == '-' || c == '_' || c == '*'))
                if (n + 1 < SCAN_NAME)
                    s->ident[n++] = (char)c;
            s->ident[n] = '\0';
            if (c != EOF)
                ungetc(c, s->f);
            last_was_name = 1;
        } else if (c == '=' || c == ':') {
            memcpy(s->name, s->ident, SCAN_NAME);
        } else if (c == '{') {
            if (s->nest < SCAN_NEST)
                memcpy(s->group[s->nest], s->name, SCAN_NAME);
            s->nest++;
            s->name[0] = '\0';
        } else if (c == '}') {
            if (s->nest > 0)
                s->nest--;
            s->name[0] = '\0';
            if (s->nest < SCAN_NEST)
                memcpy(s->name, s->group[s->nest], SCAN_NAME);
        } else if (isdigit(c) || c == '+' || c == '-' || c == '.') {
            char tok[SCAN_TOKEN + 1];
            size_t n = 0;
            int overlong = 0, prev = 0;
            for (;;) {
                if (n < SCAN_TOKEN)
                    tok[n++] = (char)c;
                else
                    overlong = 1;
                prev = c;
                c = getc(s->f);
                int hex = n > 1 && (tok[1] == 'x' || tok[1] == 'X');
                if (c == EOF || !(isalnum(c) || c == '.' ||
                                  ((c == '+' || c == '-') && (prev == 'e' || prev == 'E') && !hex)))
                    break;
            }
            tok[n] = '\0';
            if (c != EOF)
                ungetc(c, s->f);
            const char *why = literal_problem(tok, overlong);
            if (why)
                return scan_error(s, err, tok, why);
        }
        if (!last_was_name)
            s->ident[0] = '\0';
        if (s->nul_line) {
            char loc[600];
            scan_loc(s, s->nul_line, loc, sizeof loc);
            return asim_error_set(err, ASIM_ECONFIG, "%s: a NUL byte: a scenario file is text, not binary data",
                                  loc);
        }
        if (c == EOF || s->found_set)
            break;
    }
    return ASIM_OK;
}

/* The setting being read at the end of line `line` of `file` (for a syntax
 * error that libconfig reports with the line alone), or "". */
void asim_config_setting_at_line(const char *file, unsigned line, char *buf, size_t n)
{
    scan_state s;
    memset(&s, 0, sizeof s);
    buf[0] = '\0';
    s.f = fopen(file, "r");
    if (!s.f)
        return;
    s.file = file;
    s.incdir = ".";
    s.depth = SCAN_INCLUDE_DEPTH; /* the line is in this file: do not follow @include */
    s.line = 1;
    s.want_line = line;
    asim_error ignored;
    scan_stream(&s, &ignored);
    fclose(s.f);
    free(s.inc);
    if (s.found_set)
        snprintf(buf, n, "%s", s.found);
}

/* The same checks on the value of an override "path=value". */
asim_status asim_config_scan_value(const char *value, const char *assignment, asim_error *err)
{
    scan_state s;
    memset(&s, 0, sizeof s);
    s.f = fmemopen((void *)value, strlen(value), "r");
    if (!s.f)
        return ASIM_OK; /* an empty value: libconfig says what is wrong */
    s.file = "-s";
    s.override = assignment;
    s.incdir = ".";
    s.line = 1;
    asim_status st = scan_stream(&s, err);
    fclose(s.f);
    return st;
}

/* Check the text of one scenario file for what libconfig would misread
 * and note its @include directives (*inc, *n_inc: free *inc in any case). */
asim_status asim_config_scan_text(const char *text, size_t len, const char *file, const char *incdir,
                                  int depth, config_include **inc, size_t *n_inc, asim_error *err)
{
    scan_state s;
    memset(&s, 0, sizeof s);
    *inc = NULL;
    *n_inc = 0;
    if (len == 0)
        return ASIM_OK; /* fmemopen refuses an empty buffer */
    s.f = fmemopen((void *)text, len, "r");
    if (!s.f)
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    s.file = file;
    s.incdir = incdir;
    s.depth = depth;
    s.line = 1;
    asim_status st = scan_stream(&s, err);
    fclose(s.f);
    *inc = s.inc;
    *n_inc = s.n_inc;
    return st;
}
