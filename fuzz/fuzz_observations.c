/* fuzz_observations.c: libFuzzer harness for the coded history that
 * `allysim calibrate --observations FILE` reads. The input is written to a
 * file and read with asim_observations_read; a refusal must be one
 * printable line, and what is read must hold what the reader promises
 * (finite periods with start < end, weights in (0, 1], scores in [-1, 1],
 * a pair name). The observations are then checked against the built-in
 * scenario (asim_observations_check), whose refusals obey the same rule. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allysim/calibrate.h"
#include "allysim/config.h"
#include "fuzz_common.h"

static char dir[4096], path[4200];
static asim_params scenario;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/observations.csv", dir);
    asim_error err = {0};
    if (asim_config_load(&scenario, NULL, NULL, 0, &err) != ASIM_OK) {
        fprintf(stderr, "the built-in scenario does not load: %s\n", err.msg);
        abort();
    }
    return 0;
}

/* What asim_observations_read promises about each observation it returns. */
static int well_formed(const asim_observation *o)
{
    int scored = o->outcome == ASIM_OBS_SCORE;
    return isfinite(o->start) && isfinite(o->end) && o->start < o->end && o->weight > 0 &&
           o->weight <= 1 && o->pair[0] && memchr(o->pair, '\0', sizeof o->pair) &&
           (!scored || (o->score >= -1 && o->score <= 1)) && (scored || isnan(o->score)) &&
           o->line >= 2;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_write(path, data, size);
    asim_observations obs;
    asim_error err = {0};
    asim_status st = asim_observations_read(path, &obs, &err);
    fuzz_check_error(st, &err, "asim_observations_read");
    if (st != ASIM_OK)
        return 0;
    if (obs.n == 0) {
        fprintf(stderr, "asim_observations_read: success with no observations\n");
        abort();
    }
    for (size_t i = 0; i < obs.n; i++)
        if (!well_formed(&obs.o[i])) {
            fprintf(stderr, "observation %zu (line %d) breaks the reader's promise\n", i, obs.o[i].line);
            abort();
        }
    st = asim_observations_check(&obs, &scenario, &err);
    fuzz_check_error(st, &err, "asim_observations_check");
    asim_observations_free(&obs);
    return 0;
}
