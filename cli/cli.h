/* cli.h: private to the allysim program (cli/), one client of the library.
 * What the command line asked for (cli), the table of commands
 * (commands.c) and the table of options (options.c), in the manner of
 * Lua's luaL_Reg: parsing, the check that an option belongs to its command
 * and every usage text (help.c) walk these two tables. A new command is one
 * row of cli_commands plus its handler; a new option is one row of
 * cli_options (plus a setter when it takes a value). Only the program
 * prints and exits: exit codes 0 ok, 1 run-time failure, 2 usage or
 * configuration error, 130/143 interrupted. */
#ifndef ALLYSIM_CLI_H
#define ALLYSIM_CLI_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include "allysim/outdir.h"
#include "allysim/params.h"
#include "allysim/status.h"

#define CLI_MAX_OVERRIDES 512 /* -s settings, and merge's DIRs */
#define CLI_DEFAULT_MAX_OUTPUT 10e9        /* bytes a run or sweep may write: 10 GB */
#define CLI_DEFAULT_MAX_OUTPUT_TEXT "10G"  /* the same, as --max-output takes it */

/* What the command line asked for; each field is set by one option. */
typedef struct cli {
    const char *command;                     /* the command's name */
    const char *config;                      /* CONFIG, or NULL: built-in baseline */
    const char *topic;                       /* help COMMAND */
    const char *overrides[CLI_MAX_OVERRIDES]; /* -s PATH=VALUE, --seed, --deterministic */
    size_t n_overrides;
    char seed_override[64];                  /* "model.seed=N" from --seed */
    const char *dir;                         /* -o */
    unsigned long long replicates;           /* -r (default 1) */
    int replicates_given;                    /* -r was given */
    long every;                              /* --every: every K-th step */
    int timeseries;                          /* run: write timeseries.csv (--no-timeseries: 0) */
    int json;                                /* check --json */
    int explain;                             /* check --explain: where each value came from */
    int strict;                              /* --strict: warnings are errors */
    int threads;                             /* -j, 0: all cores */
    size_t shard, shards;                    /* --shard K/N, 0/0: the whole sweep */
    int resume, series, sweep_timeseries, quiet;
    int overwrite;                           /* --overwrite: replace allysim's files in DIR */
    const char *progress;                    /* --progress: auto (NULL), always or never */
    double max_output;                       /* bytes a run or sweep may write (--max-output) */
    int force;                               /* write whatever the size (--force) */
    const char *rules;                       /* test, calibrate: --rules */
    const char *observations, *holdout;      /* calibrate */
    const char *ishigami;                    /* sensitivity --ishigami N */
    double alpha;                            /* test --alpha, 0: the section's */
    double smallest_effect;                  /* test --smallest-effect, when given */
    int smallest_effect_given;
    const char *format;                      /* params --format: text, csv or json */
    const char *dirs[CLI_MAX_OVERRIDES];     /* merge DIR... */
    size_t n_dirs;
    int help;                                /* --help: print the command's help */
    int unpaired;                            /* compare --unpaired */
    const char *baseline;                    /* compare --baseline NAME */
} cli;

/* What a command takes besides its options. */
typedef enum {
    CLI_ARGS_NONE,    /* nothing */
    CLI_ARGS_CONFIG,  /* at most one CONFIG */
    CLI_ARGS_DIRS,    /* any number of directories (merge) */
    CLI_ARGS_COMMAND  /* at most one COMMAND (help) */
} cli_args;

/* One command: `allysim NAME ...`. */
typedef struct cli_command {
    const char *name;
    int (*run)(const cli *c, int argc, char **argv); /* returns the exit code */
    cli_args args;
    const char *synopsis; /* what follows the name, options aside: "[CONFIG]" */
    const char *summary;  /* one line, for the command list and its help */
} cli_command;

/* One option. The same option may have several rows (a help text per
 * group of commands); the first row whose commands list the command wins. */
typedef struct cli_option {
    const char *name;     /* long name, without "--" */
    char short_name;      /* e.g. 'o' for -o; 0: none */
    const char *arg;      /* name of its value in the help ("DIR"); NULL: a flag */
    const char *commands; /* the commands that take it, space separated */
    /* Store the value; arg is NULL when the value is missing. `spelled` is
     * the option as written ("-r" or "--replicates"), for messages.
     * Returns 0, or an exit code after printing the error. NULL: a flag
     * that sets the int at `flag` to 1. */
    int (*set)(cli *c, const char *spelled, const char *arg);
    size_t flag;          /* offsetof(cli, field) of a flag without setter */
    const char *help;
} cli_option;

extern const cli_command cli_commands[];
extern const size_t cli_command_count;
extern const cli_option cli_options[];
extern const size_t cli_option_count;

/* Before a command that cannot stop cleanly at a signal (merge,
 * calibrate): the temporary files it may leave in dir, removed at a signal
 * (main.c); patterns with '*' are expanded over the rule names. */
void cli_cleanup_at_signal(const char *dir, const char *const *rules, size_t n_rules);
/* Set by the signal handler (main.c): the signal that asked to stop. */
extern volatile sig_atomic_t cli_stop_signal;
/* Set while a run or sweep can stop cleanly at a signal. */
extern volatile sig_atomic_t cli_graceful;

/* options.c */
/* Fill c from argv[first..] for command cmd; returns 0 or an exit code
 * (2) after printing the error. Stops at --help (c->help set). */
int cli_parse(cli *c, const cli_command *cmd, int argc, char **argv, int first);
/* Whether the space-separated list names the command. */
int cli_list_has(const char *list, const char *command);
/* Whole number in [lo, hi] into *out; 0, or -1 after printing
 * "allysim: OPT S: must be a whole number from LO to HI". */
int cli_parse_count(const char *opt, const char *s, unsigned long long lo, unsigned long long hi,
                    unsigned long long *out);

/* help.c */
/* The command list (`allysim --help`). */
void cli_help_commands(FILE *f);
/* A command's usage, summary and options (`allysim COMMAND --help`). */
void cli_help_command(FILE *f, const cli_command *cmd);
/* The command named name, or NULL. */
const cli_command *cli_command_find(const char *name);
/* The error for an unknown command, with a did-you-mean when one is
 * close; returns 2. */
int cli_unknown_command(const char *name);
/* The index of the candidate closest to word (edit distance at most 2
 * and less than half its length), or -1. */
long cli_closest(const char *word, const char *const *candidates, size_t n);
/* Print "allysim: <message> (allysim --help lists the commands and
 * options)" on stderr; returns 2. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "allysim: <err->msg>"; returns the status's exit code. */
int cli_fail(const asim_error *err);

/* commands.c: the command handlers that studies.c and listing.c do not hold */
int cli_cmd_run(const cli *c, int argc, char **argv);
int cli_cmd_check(const cli *c, int argc, char **argv);
int cli_cmd_merge(const cli *c, int argc, char **argv);
int cli_cmd_help(const cli *c, int argc, char **argv);
int cli_cmd_version(const cli *c, int argc, char **argv);
/* compare.c */
int cli_cmd_compare(const cli *c, int argc, char **argv);
/* Load CONFIG (or the baseline) with the overrides into *p; 0 or -1.
 * Warnings are printed here (errors under --strict); when there are
 * several errors, all but the last are printed here and the last is left
 * in err, for the caller to print like any other. */
int cli_load(const cli *c, asim_params *p, asim_error *err);
/* Refuse up front (exit code 2) when `bytes` is over --max-output, unless
 * --force; `what` says where the size comes from, `fewer` how to write
 * less. Returns 0 to go on. */
int cli_size_guard(const cli *c, double bytes, const char *what, const char *fewer);
/* Take the output directory for the whole command (docs/reliability.md):
 * create it, lock it, and refuse earlier results unless --resume or
 * --overwrite. Only the writing MPI rank touches it; all ranks agree on the
 * outcome. Returns 0, or an exit code after printing the error. */
int cli_take_dir(const cli *c, const char *dir, asim_outdir *od);
/* Columns of timeseries.csv and of a run's summary metrics. */
double cli_timeseries_columns(const asim_params *p);
double cli_summary_columns(const asim_params *p);
#define CLI_BYTES_PER_NUMBER 20.0 /* a %.17g number and its comma, roughly */

/* studies.c: the commands that run a design */
int cli_cmd_sweep(const cli *c, int argc, char **argv);
int cli_cmd_test(const cli *c, int argc, char **argv);
int cli_cmd_sensitivity(const cli *c, int argc, char **argv);
int cli_cmd_calibrate(const cli *c, int argc, char **argv);

/* listing.c */
int cli_cmd_params(const cli *c, int argc, char **argv);
int cli_cmd_vars(const cli *c, int argc, char **argv);

#endif
