/* config_layers.c: layered scenario files. A scenario may @include other
 * files (a base scenario, fitted values) and then change any of their
 * settings. libconfig would read the included text in place and refuse a
 * setting given twice, so the loader handles @include itself: each file is
 * read on its own (with a size limit; a FIFO, a directory or a device is
 * refused at once), pre-scanned (config_scan.c, which finds its @include
 * directives), and parsed by libconfig with those directives blanked out.
 * The files are then merged into one tree in order: what a file includes
 * first (in the order of its @include lines), then its own settings. A
 * later value replaces an earlier one: groups setting by setting, anything
 * else (numbers, strings, keyframe and event lists) whole. Every setting of
 * the merged tree carries, as a libconfig hook, the file and line it came
 * from, so that messages and `check --explain` cite them. An include is
 * relative to the directory of the file that includes it, or absolute. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "allysim/fileio.h"

#include "config_impl.h"

#define SCENARIO_LIMIT (16u * 1000u * 1000u) /* bytes of one scenario file: 16 MB */
#define INCLUDE_DEPTH 10                      /* nested @include, as libconfig allowed */
#define MAX_FILES 256                         /* files of one layered scenario */

/* The hook of a setting of the merged tree: where it came from. */
typedef struct {
    unsigned line;
    char file[]; /* as named in messages */
} config_source;

/* What the merge of one scenario keeps across its files. */
typedef struct {
    asim_config_report *r; /* warnings, or NULL */
    struct {
        dev_t dev;
        ino_t ino;
    } seen[MAX_FILES]; /* the files read so far */
    size_t n_seen;
} layer_ctx;

void asim_config_source(const config_setting_t *s, const char **file, unsigned *line)
{
    const config_source *src = config_setting_get_hook(s);
    *file = src ? src->file : config_setting_source_file(s);
    *line = src ? src->line : config_setting_source_line(s);
}

/* ---- reading one file ----------------------------------------------------------- */

/* The text of path (at most SCENARIO_LIMIT bytes) into *text (caller frees). */
static asim_status read_text(const char *path, char **text, size_t *len, asim_error *err)
{
    char shown[1024];
    asim_config_printable(path, shown, sizeof shown);
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return asim_error_set(err, ASIM_ECONFIG, "%s: cannot read: %s", shown, strerror(EISDIR));
    asim_error io = {0};
    asim_status st = asim_io_read_input(path, SCENARIO_LIMIT, text, len, &io);
    if (st == ASIM_OK)
        return ASIM_OK;
    /* "cannot read PATH: why" or "PATH: larger than ...": name the file as the loader does */
    char head[1100];
    snprintf(head, sizeof head, "cannot read %s: ", path);
    size_t hl = strlen(head), pl = strlen(path);
    if (strncmp(io.msg, head, hl) == 0)
        return asim_error_set(err, st == ASIM_ENOMEM ? st : ASIM_ECONFIG, "%s: cannot read: %s", shown,
                              io.msg + hl);
    if (strncmp(io.msg, path, pl) == 0 && strncmp(io.msg + pl, ": ", 2) == 0)
        return asim_error_set(err, st == ASIM_ENOMEM ? st : ASIM_ECONFIG, "%s: %s", shown, io.msg + pl + 2);
    return asim_error_set(err, st, "%s", io.msg);
}

/* The directory @include is relative to: "." for a bare file name. */
static void include_dir(const char *file, char *dir, size_t n)
{
    snprintf(dir, n, "%s", file);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, n, ".");
    if (slash == dir)
        snprintf(dir, n, "/."); /* a file in / */
}

/* A bare word where a value belongs on line `line` of text ("rule =
 * cha;"), into word; 0 when there is none. */
static int bare_word(const char *text, int line, char *word, size_t n)
{
    for (int l = 1; l < line && text; l++)
        if ((text = strchr(text, '\n')) != NULL)
            text++;
    if (!text || line < 1)
        return 0;
    const char *end = strchr(text, '\n'), *q = strpbrk(text, "=:");
    if (!end)
        end = text + strlen(text);
    if (!q || q > end || memchr(text, '"', (size_t)(q - text)))
        return 0;
    for (q++; q < end && strchr(" \t([,", *q); q++)
        ;
    size_t len = 0;
    while (q + len < end && (isalnum((unsigned char)q[len]) || q[len] == '_' || q[len] == '-'))
        len++;
    snprintf(word, n, "%.*s", (int)len, q);
    const char *after = q + len;
    while (after < end && (*after == ' ' || *after == '\t'))
        after++;
    /* a group's name ("a: b: {"), true/false, and nan or inf (numbers libconfig lacks) are not strings */
    if (len == 0 || !isalpha((unsigned char)q[0]) || (after < end && strchr(":={", *after)) ||
        strcasecmp(word, "true") == 0 || strcasecmp(word, "false") == 0 || strcasecmp(word, "nan") == 0 ||
        strcasecmp(word, "inf") == 0 || strcasecmp(word, "infinity") == 0)
        return 0;
    return 1;
}

/* libconfig's syntax error in `text` of `file`, with the setting at that line. */
static asim_status syntax_error(const config_t *cfg, const char *file, const char *text, asim_error *err)
{
    char efs[1024], why[256], setting[CONFIG_SCAN_PATH], word[64], hint[200] = "";
    asim_config_printable(file, efs, sizeof efs);
    asim_config_printable(config_error_text(cfg) ? config_error_text(cfg) : "unreadable", why, sizeof why);
    int line = config_error_line(cfg);
    asim_config_setting_at_line(file, line > 0 ? (unsigned)line : 0, setting, sizeof setting);
    if (bare_word(text, line, word, sizeof word))
        snprintf(hint, sizeof hint, ": %s is a bare word; strings are quoted (\"%s\")", word, word);
    return asim_error_set(err, ASIM_ECONFIG, "%s:%d: %s%s%s%s%s", efs, line, why, *setting ? " (in " : "",
                          setting, *setting ? ")" : "", hint);
}

/* Read, pre-scan and parse one file into *cfg (initialised here; destroy
 * it in any case), its @include directives into *inc (free it in any case). */
static asim_status parse_one(config_t *cfg, const char *file, int depth, config_include **inc,
                             size_t *n_inc, asim_error *err)
{
    config_init(cfg);
    *inc = NULL;
    *n_inc = 0;
    char *text;
    size_t len;
    asim_status st = read_text(file, &text, &len, err);
    if (st != ASIM_OK)
        return st;
    char dir[4096];
    include_dir(file, dir, sizeof dir);
    st = asim_config_scan_text(text, len, file, dir, depth, inc, n_inc, err);
    for (size_t i = 0; st == ASIM_OK && i < *n_inc; i++) /* libconfig must not see them */
        for (long b = (*inc)[i].start; b < (*inc)[i].end && b < (long)len; b++)
            if (text[b] != '\n')
                text[b] = ' ';
    if (st == ASIM_OK && config_read_string(cfg, text) != CONFIG_TRUE)
        st = syntax_error(cfg, file, text, err);
    free(text);
    return st;
}

/* ---- merging ----------------------------------------------------------------------- */

static asim_status mark(config_setting_t *s, const char *file, unsigned line)
{
    size_t n = strlen(file) + 1;
    config_source *src = malloc(sizeof *src + n);
    if (!src)
        return ASIM_ENOMEM;
    src->line = line;
    memcpy(src->file, file, n);
    config_setting_set_hook(s, src);
    return ASIM_OK;
}

/* Append a copy of src (and what it holds) to parent; it came from `file`. */
static asim_status copy_setting(config_setting_t *parent, const config_setting_t *src, const char *file)
{
    int type = config_setting_type(src);
    config_setting_t *c = config_setting_add(parent, config_setting_name(src), type);
    if (!c || mark(c, file, config_setting_source_line(src)) != ASIM_OK)
        return ASIM_ENOMEM;
    config_setting_set_format(c, (short)config_setting_get_format(src));
    switch (type) {
    case CONFIG_TYPE_INT: config_setting_set_int(c, config_setting_get_int(src)); break;
    case CONFIG_TYPE_INT64: config_setting_set_int64(c, config_setting_get_int64(src)); break;
    case CONFIG_TYPE_FLOAT: config_setting_set_float(c, config_setting_get_float(src)); break;
    case CONFIG_TYPE_BOOL: config_setting_set_bool(c, config_setting_get_bool(src)); break;
    case CONFIG_TYPE_STRING:
        if (config_setting_set_string(c, config_setting_get_string(src)) != CONFIG_TRUE)
            return ASIM_ENOMEM;
        break;
    default:
        for (int i = 0; i < config_setting_length(src); i++)
            if (copy_setting(c, config_setting_get_elem(src, (unsigned)i), file) != ASIM_OK)
                return ASIM_ENOMEM;
    }
    return ASIM_OK;
}

/* Merge the members of group src into group dst: a group into a group
 * setting by setting, anything else replacing what dst has. */
static asim_status merge_group(config_setting_t *dst, const config_setting_t *src, const char *file)
{
    for (int i = 0; i < config_setting_length(src); i++) {
        const config_setting_t *m = config_setting_get_elem(src, (unsigned)i);
        const char *name = config_setting_name(m);
        config_setting_t *old = config_setting_get_member(dst, name);
        asim_status st;
        if (old && config_setting_is_group(old) && config_setting_is_group(m)) {
            st = merge_group(old, m, file);
        } else {
            if (old)
                config_setting_remove(dst, name);
            st = copy_setting(dst, m, file);
        }
        if (st != ASIM_OK)
            return st;
    }
    return ASIM_OK;
}

/* The group at dotted path `at` below root, made as needed (an @include
 * inside a group merges into that group). */
static config_setting_t *group_at(config_setting_t *root, const char *at, const char *file, unsigned line)
{
    config_setting_t *g = root;
    while (g && *at) {
        char name[CONFIG_SCAN_PATH];
        size_t len = strcspn(at, ".");
        snprintf(name, sizeof name, "%.*s", (int)len, at);
        at += len + (at[len] == '.');
        config_setting_t *next = config_setting_get_member(g, name);
        if (next && !config_setting_is_group(next)) {
            config_setting_remove(g, name);
            next = NULL;
        }
        if (!next && (!(next = config_setting_add(g, name, CONFIG_TYPE_GROUP)) ||
                      mark(next, file, line) != ASIM_OK))
            return NULL;
        g = next;
    }
    return g;
}

/* ---- the layers -------------------------------------------------------------------- */

/* Remember that file has been read; a warning when it was already. */
static void note_file(layer_ctx *ctx, const char *file, const config_include *by, const char *by_file)
{
    struct stat sb;
    if (!ctx->r || stat(file, &sb) != 0)
        return;
    for (size_t i = 0; i < ctx->n_seen; i++)
        if (ctx->seen[i].dev == sb.st_dev && ctx->seen[i].ino == sb.st_ino && by) {
            char loc[1100], name[512];
            asim_config_printable(by_file, loc, sizeof loc);
            asim_config_printable(by->name, name, sizeof name);
            asim_config_report_add(&ctx->r->warnings, &ctx->r->n_warnings,
                                   "%s:%u: @include \"%s\": that file is already part of this scenario; "
                                   "its values are applied again here, replacing any change made since",
                                   loc, by->line, name);
            return;
        }
    if (ctx->n_seen < MAX_FILES) {
        ctx->seen[ctx->n_seen].dev = sb.st_dev;
        ctx->seen[ctx->n_seen++].ino = sb.st_ino;
    }
}

/* Merge `file` (included at depth `depth`, into the group at `at`) and
 * what it includes into dst. */
static asim_status merge_file(layer_ctx *ctx, config_t *dst, const char *file, int depth, const char *at,
                              asim_error *err)
{
    config_t own;
    config_include *inc;
    size_t n_inc;
    asim_status st = parse_one(&own, file, depth, &inc, &n_inc, err);
    for (size_t i = 0; st == ASIM_OK && i < n_inc; i++) {
        if (depth + 1 >= INCLUDE_DEPTH) {
            char name[1024];
            asim_config_printable(inc[i].name, name, sizeof name);
            st = asim_error_set(err, ASIM_ECONFIG, "%s:%u: include file nesting too deep", name, inc[i].line);
            break;
        }
        note_file(ctx, inc[i].path, &inc[i], file);
        char where[2 * CONFIG_SCAN_PATH];
        snprintf(where, sizeof where, "%s%s%s", at, *at && *inc[i].group ? "." : "", inc[i].group);
        st = merge_file(ctx, dst, inc[i].path, depth + 1, where, err);
    }
    if (st == ASIM_OK) {
        config_setting_t *g = group_at(config_root_setting(dst), at, file, 0);
        st = g ? merge_group(g, config_root_setting(&own), file) : ASIM_ENOMEM;
        if (st == ASIM_ENOMEM)
            asim_error_set(err, st, "out of memory");
    }
    free(inc);
    config_destroy(&own);
    return st;
}

asim_status asim_config_parse_layers(config_t *cfg, const char *file, asim_config_report *r,
                                     asim_error *err)
{
    config_init(cfg);
    config_set_destructor(cfg, free);
    layer_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    ctx->r = r;
    note_file(ctx, file, NULL, NULL);
    asim_status st = merge_file(ctx, cfg, file, 0, "", err);
    free(ctx);
    return st;
}
