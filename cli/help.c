/* help.c: every usage text of the program, generated from the command
 * table (commands.c) and the option table (options.c): the command list
 * of `allysim --help`, a command's help (`allysim COMMAND --help`), and the
 * one-line usage errors, with a did-you-mean for a misspelt command or
 * option. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "allysim/strbuf.h"

#include "cli.h"

#define LINE_WIDTH 80   /* columns of a help text */
#define MAX_LEFT 30     /* widest left column; a longer entry puts its text on the next line */
#define MAX_SUGGEST 2   /* largest edit distance of a did-you-mean */

/* Print text from column col, broken at spaces before LINE_WIDTH, the
 * following lines indented by indent; ends the line. */
static void wrap(FILE *f, const char *text, size_t col, size_t indent)
{
    const char *p = text;
    while (*p) {
        size_t avail = col + 20 < LINE_WIDTH ? LINE_WIDTH - col : 20, take = strlen(p);
        if (take > avail) {
            take = avail;
            while (take > 0 && p[take] != ' ')
                take--;
            if (take == 0)
                take = strcspn(p, " ");
        }
        fprintf(f, "%.*s\n", (int)take, p);
        p += take;
        p += strspn(p, " ");
        if (*p)
            fprintf(f, "%*s", (int)indent, "");
        col = indent;
    }
}

/* "  LEFT   text...", the text at column width + 2 (or on the next line
 * when LEFT is wider). */
static void entry(FILE *f, const char *left, size_t width, const char *text)
{
    int n = fprintf(f, "  %s", left);
    size_t col = n > 0 ? (size_t)n : 0;
    if (col > width + 1) {
        fputc('\n', f);
        col = 0;
    }
    fprintf(f, "%*s", (int)(width + 2 - col), "");
    wrap(f, text, width + 2, width + 2);
}

static void command_left(const cli_command *cmd, char *buf, size_t n)
{
    snprintf(buf, n, "%s%s%s", cmd->name, *cmd->synopsis ? " " : "", cmd->synopsis);
}

/* "-o, --output DIR" or "    --seed N" */
static void option_left(const cli_option *o, char *buf, size_t n)
{
    char s[8] = "    ";
    if (o->short_name)
        snprintf(s, sizeof s, "-%c, ", o->short_name);
    snprintf(buf, n, "%s--%s%s%s", s, o->name, o->arg ? " " : "", o->arg ? o->arg : "");
}

/* The width of the left column: the widest entry up to MAX_LEFT. */
static size_t fit(size_t width, const char *left)
{
    size_t len = strlen(left) + 2;
    return len <= MAX_LEFT && len > width ? len : width;
}

void cli_help_commands(FILE *f)
{
    char left[128];
    size_t width = 0;
    for (size_t k = 0; k < cli_command_count; k++) {
        command_left(&cli_commands[k], left, sizeof left);
        width = fit(width, left);
    }
    fputs("usage: allysim COMMAND [options]\n"
          "\n"
          "Agent-based model of alliance politics: a patron (USA), its allies (JPN, KOR)\n"
          "and adversaries (CHN, PRK); abandonment and entrapment fears; Cha's\n"
          "quasi-alliance rule and its rivals.\n"
          "\n"
          "commands:\n", f);
    for (size_t k = 0; k < cli_command_count; k++) {
        command_left(&cli_commands[k], left, sizeof left);
        entry(f, left, width, cli_commands[k].summary);
    }
    fputs("\n"
          "allysim COMMAND --help (or allysim help COMMAND) prints the command's options.\n"
          "allysim --version prints the version.\n"
          "\n"
          "Exit codes: 0 ok, 1 run-time failure, 2 usage or configuration error,\n"
          "130/143 interrupted.\n", f);
}

void cli_help_command(FILE *f, const cli_command *cmd)
{
    char left[128];
    size_t width = 0, n = 0;
    for (size_t r = 0; r < cli_option_count; r++)
        if (cli_list_has(cli_options[r].commands, cmd->name)) {
            option_left(&cli_options[r], left, sizeof left);
            width = fit(width, left);
            n += cli_options[r].commands != NULL; /* --help aside */
        }
    fprintf(f, "usage: allysim %s%s%s%s\n\n", cmd->name, *cmd->synopsis ? " " : "", cmd->synopsis,
            n ? " [options]" : "");
    wrap(f, cmd->summary, 0, 0);
    fputs("\noptions:\n", f);
    for (size_t r = 0; r < cli_option_count; r++)
        if (cli_list_has(cli_options[r].commands, cmd->name)) {
            option_left(&cli_options[r], left, sizeof left);
            entry(f, left, width, cli_options[r].help);
        }
}

const cli_command *cli_command_find(const char *name)
{
    for (size_t k = 0; k < cli_command_count; k++)
        if (strcmp(cli_commands[k].name, name) == 0)
            return &cli_commands[k];
    return NULL;
}


long cli_closest(const char *word, const char *const *candidates, size_t n)
{
    long best = -1;
    size_t best_d = MAX_SUGGEST + 1;
    for (size_t k = 0; k < n; k++) {
        size_t d = asim_str_distance(word, strlen(word), candidates[k]);
        if (d < best_d && 2 * d < strlen(word)) {
            best = (long)k;
            best_d = d;
        }
    }
    return best;
}

int cli_unknown_command(const char *name)
{
    const char *names[64];
    size_t n = 0;
    for (size_t k = 0; k < cli_command_count && n < 64; k++)
        names[n++] = cli_commands[k].name;
    long k = cli_closest(name, names, n);
    if (k >= 0)
        return cli_usage_error("unknown command %s; did you mean %s?", name, names[k]);
    return cli_usage_error("unknown command %s", name);
}

int cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "allysim: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (allysim --help lists the commands and options)\n");
    va_end(ap);
    return 2;
}

int cli_fail(const asim_error *err)
{
    fprintf(stderr, "allysim: %s\n", err->msg);
    return asim_status_exit_code(err->status);
}
