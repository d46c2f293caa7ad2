/* fuzz_config.c: libFuzzer harness for the scenario loader. The input is a
 * whole scenario file: it is written to a private temporary directory and
 * loaded as `allysim run`, `sweep`, `test`, `sensitivity` and `calibrate`
 * would load it.
 * Checks beyond "no crash, no sanitizer report": a failure is a
 * configuration error with a one-line message, and a configuration that
 * loads writes a resolved config.cfg that loads again to the same text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allysim/config_study.h"
#include "fuzz_common.h"

static char dir[4096], file[4200], again[4200];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_tmpdir(dir, sizeof dir);
    snprintf(file, sizeof file, "%s/scenario.cfg", dir);
    snprintf(again, sizeof again, "%s/resolved.cfg", dir);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_write(file, data, size);
    asim_params p;
    asim_error err = {0};
    asim_status st = asim_config_load(&p, file, NULL, 0, &err);
    fuzz_check_error(st, &err, "asim_config_load");
    if (st == ASIM_OK) {
        fuzz_round_trip(&p, again);
        asim_design_spec spec;
        st = asim_config_load_sweep(file, &p, &spec, &err);
        fuzz_check_error(st, &err, "asim_config_load_sweep");
        asim_design_spec_free(&spec);
        asim_sensitivity_spec s;
        st = asim_config_load_sensitivity(file, &p, &s, &err);
        fuzz_check_error(st, &err, "asim_config_load_sensitivity");
        asim_sensitivity_spec_free(&s);
        asim_calibrate_spec cs;
        memset(&cs, 0, sizeof cs);
        st = asim_config_load_calibrate(file, &p, &cs, &err);
        fuzz_check_error(st, &err, "asim_config_load_calibrate");
        asim_calibrate_spec_free(&cs);
    }
    asim_params_free(&p);
    asim_test_spec t;
    st = asim_config_load_test(file, &t, &err);
    fuzz_check_error(st, &err, "asim_config_load_test");
    return 0;
}
