/* main.c: the allysim program, one client of the library (include/,
 * sim/). Finds the command in the table (commands.c), parses its options
 * (options.c) and calls its handler, which prints results and errors and
 * returns the exit code: 0 ok, 1 run-time failure, 2 usage or
 * configuration error, 130/143 interrupted. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#ifdef ASIM_MPI
#include <mpi.h>
#endif

#include "cli.h"

volatile sig_atomic_t cli_stop_signal = 0;
volatile sig_atomic_t cli_graceful = 0;

/* A run or sweep stops cleanly at the signal; otherwise the signal has its
 * default effect. */
static void on_signal(int sig)
{
    if (!cli_graceful) {
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
