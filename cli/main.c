/* main.c: the allysim program, one client of the library (include/,
 * sim/). Finds the command in the table (commands.c), parses its options
 * (options.c) and calls its handler, which prints results and errors and
 * returns the exit code: 0 ok, 1 run-time failure, 2 usage or
 * configuration error, 130/143 interrupted. */
#include <signal.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#ifdef ASIM_MPI
#include <mpi.h>
#endif

#include "cli.h"

volatile sig_atomic_t cli_stop_signal = 0;
volatile sig_atomic_t cli_graceful = 0;

/* The temporary files a command that cannot stop cleanly (merge,
 * calibrate) may have open: removed at a signal, before it takes effect. */
#define CLI_CLEANUP_MAX 64
static char cleanup_paths[CLI_CLEANUP_MAX][4352];
static volatile sig_atomic_t n_cleanup = 0;

void cli_cleanup_at_signal(const char *dir, const char *const *rules, size_t n_rules)
{
    size_t n = 0;
    for (size_t k = 0; k < asim_outdir_result_count(); k++) {
        const char *pattern = asim_outdir_result_pattern(k), *star = strchr(pattern, '*');
        for (size_t r = 0; r < (star ? n_rules : 1) && n < CLI_CLEANUP_MAX; r++, n++)
            if (star)
                snprintf(cleanup_paths[n], sizeof cleanup_paths[n], "%s/%.*s%s%s.tmp", dir,
                         (int)(star - pattern), pattern, rules[r], star + 1);
            else
                snprintf(cleanup_paths[n], sizeof cleanup_paths[n], "%s/%s.tmp", dir, pattern);
    }
    n_cleanup = (sig_atomic_t)n;
}

/* A run or sweep stops cleanly at the signal; otherwise the temporary files
 * are removed (unlink and write are async-signal-safe) and the signal has
 * its default effect. */
static void on_signal(int sig)
{
    if (!cli_graceful) {
        static const char msg[] = "\nallysim: interrupted; no result was written\n";
        for (sig_atomic_t k = 0; k < n_cleanup; k++)
            unlink(cleanup_paths[k]);
        if (n_cleanup && write(2, msg, sizeof msg - 1) < 0)
            n_cleanup = 0;
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    cli_stop_signal = sig;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static int dispatch(int argc, char **argv)
{
    gsl_set_error_handler_off(); /* return codes are checked; GSL must not abort */
    /* first thing: a background job starts with SIGINT ignored, and a signal
     * that comes before the handler would otherwise be lost */
    install_signals();
    if (argc < 2) {
        cli_help_commands(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        name = "help";
    else if (strcmp(name, "--version") == 0)
        name = "version";
    const cli_command *cmd = cli_command_find(name);
    if (!cmd)
        return cli_unknown_command(name);
    cli c = {.command = cmd->name, .replicates = 1, .every = 1, .timeseries = 1,
             .max_output = CLI_DEFAULT_MAX_OUTPUT};
    int rc = cli_parse(&c, cmd, argc, argv, 2);
    if (rc != 0)
        return rc;
    if (c.help) {
        cli_help_command(stdout, cmd);
        return 0;
    }
    return cmd->run(&c, argc, argv);
}

int main(int argc, char **argv)
{
#ifdef ASIM_MPI
    MPI_Init(&argc, &argv);
#endif
    int rc = dispatch(argc, argv);
#ifdef ASIM_MPI
    MPI_Finalize();
#endif
    return rc;
}
