/* fuzz_override.c: libFuzzer harness for `-s PATH=VALUE` overrides. The
 * input holds up to 8 assignments, one a line; they are applied in order
 * over the built-in baseline exactly as the command line applies them
 * (asim_config_load with no file), and each is also applied alone with
 * asim_config_override. A configuration that loads must write a resolved
 * config.cfg that loads again to the same text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allysim/config.h"
#include "fuzz_common.h"

#define MAX_ASSIGN 8

static char dir[4096], again[4200];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_tmpdir(dir, sizeof dir);
    snprintf(again, sizeof again, "%s/resolved.cfg", dir);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a command-line argument cannot hold a NUL: the first one ends the input */
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    const char *assign[MAX_ASSIGN];
    size_t n = 0;
    for (char *q = text; n < MAX_ASSIGN;) {
        assign[n++] = q;
        char *nl = strchr(q, '\n');
        if (!nl)
            break;
        *nl = '\0';
        q = nl + 1;
    }
    asim_params p;
    asim_error err = {0};
    asim_status st = asim_config_load(&p, NULL, assign, n, &err);
    fuzz_check_error(st, &err, "asim_config_load");
    if (st == ASIM_OK)
        fuzz_round_trip(&p, again);
    asim_params_free(&p);
    for (size_t i = 0; i < n; i++) {
        if (asim_params_init(&p) != ASIM_OK)
            abort();
        st = asim_config_override(&p, assign[i], &err);
        fuzz_check_error(st, &err, "asim_config_override");
        asim_params_free(&p);
    }
    free(text);
    return 0;
}
