/* check_config.c: scenario files and -s overrides in, resolved
 * configurations out (the loader on tests/data/good and tests/data/bad). */
#include "allysim/config.h"
#include "allysim/config_study.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"

#define GOOD ASIM_TEST_DATA "/good/"

static char *write_cfg(const asim_params *p);
static void assert_same_text(const char *got, const char *want);
#define BAD ASIM_TEST_DATA "/bad/"

static void load_ok(asim_params *p, const char *file, const char *const *ov, size_t n)
{
    asim_error err = {0};
    asim_status st = asim_config_load(p, file, ov, n, &err);
    ck_assert_msg(st == ASIM_OK, "%s: %s", file ? file : "(defaults)", err.msg);
}

/* The file fails with ASIM_ECONFIG and a message that starts
 * "FILE:LINE: PATH" and contains REASON. */
static void expect_bad(const char *name, int line, const char *path, const char *reason)
{
    char file[1024], head[1200];
    snprintf(file, sizeof file, "%s%s", BAD, name);
    asim_params p;
    asim_error err = {0};
    asim_status st = asim_config_load(&p, file, NULL, 0, &err);
    asim_params_free(&p);
    ck_assert_msg(st == ASIM_ECONFIG, "%s: status %d (%s)", name, st, err.msg);
    snprintf(head, sizeof head, "%s:%d: %s", file, line, path);
    ck_assert_msg(strncmp(err.msg, head, strlen(head)) == 0, "%s: message \"%s\" does not start \"%s\"",
                  name, err.msg, head);
    ck_assert_msg(strstr(err.msg, reason) != NULL, "%s: message \"%s\" lacks \"%s\"", name, err.msg,
                  reason);
    ck_assert_msg(strchr(err.msg, '\n') == NULL, "%s: message has more than one line", name);
}

START_TEST(bad_unknown_setting)
{
    expect_bad("unknown_setting.cfg", 3, "quasi.coop_gian", "did you mean quasi.coop_gain?");
}
END_TEST

START_TEST(bad_out_of_range)
{
    expect_bad("out_of_range.cfg", 4, "fears.rate", "must be in (0, 1]");
}
END_TEST

START_TEST(bad_string_for_number)
{
    expect_bad("string_for_number.cfg", 3, "quasi.coop_gain", "must be a number");
}
END_TEST

START_TEST(bad_list_for_scalar)
{
    expect_bad("list_for_scalar.cfg", 3, "quasi.coop_gain", "not a list");
}
END_TEST

START_TEST(bad_bool_for_number)
{
    expect_bad("bool_for_number.cfg", 3, "cyber.anonymity", "must be a number");
}
END_TEST

START_TEST(bad_rule_name)
{
    expect_bad("bad_rule.cfg", 3, "model.rule", "cha | threat | history");
}
END_TEST

START_TEST(bad_unsorted_keyframes)
{
    expect_bad("unsorted_keyframes.cfg", 4, "patron.commitment.KOR", "sorted by year");
}
END_TEST

START_TEST(bad_keyframe_shape)
{
    expect_bad("keyframe_shape.cfg", 3, "patron.firmness", "keyframe 2 must be (year, value)");
}
END_TEST

START_TEST(bad_undeclared_agent)
{
    expect_bad("undeclared_agent.cfg", 5, "patron.commitment.TWN", "undeclared ally");
}
END_TEST

START_TEST(bad_pair_undeclared_ally)
{
    expect_bad("pair_undeclared.cfg", 4, "pairs.JPN_TWN.relation0", "undeclared");
}
END_TEST

START_TEST(bad_syntax)
{
    expect_bad("syntax_error.cfg", 3, "", "syntax error");
}
END_TEST

START_TEST(bad_unknown_section)
{
    expect_bad("unknown_section.cfg", 5, "modle", "unknown section");
}
END_TEST

START_TEST(bad_threat_sum)
{
    /* a check across settings still names the line of the setting it blames */
    expect_bad("threat_sum.cfg", 6, "adversaries.PRK.threat.JPN", "must be <= 1");
}
END_TEST

START_TEST(bad_event_member)
{
    expect_bad("event_member.cfg", 3, "region.events", "event 2: colour");
}
END_TEST

START_TEST(bad_event_no_size)
{
    expect_bad("event_no_size.cfg", 3, "region.events", "needs a year and a size");
}
END_TEST

START_TEST(bad_event_negative_size)
{
    expect_bad("event_negative_size.cfg", 3, "region.events", "size must be >= 0");
}
END_TEST

START_TEST(bad_long_label)
{
    expect_bad("long_label.cfg", 3, "region.events", "longer than 127");
}
END_TEST

START_TEST(bad_one_ally)
{
    expect_bad("one_ally.cfg", 2, "allies", "at least two allies");
}
END_TEST

START_TEST(bad_lowercase_id)
{
    expect_bad("lowercase_id.cfg", 4, "allies", "\"kor\" must be upper-case");
}
END_TEST

START_TEST(bad_self_include)
{
    /* libconfig names an included file as the @include line wrote it */
    asim_params p;
    asim_error err = {0};
    asim_status st = asim_config_load(&p, BAD "self_include.cfg", NULL, 0, &err);
    asim_params_free(&p);
    ck_assert_int_eq(st, ASIM_ECONFIG);
    ck_assert_msg(strstr(err.msg, "self_include.cfg:2: ") != NULL, "%s", err.msg);
    ck_assert_msg(strstr(err.msg, "include") != NULL, "%s", err.msg);
}
END_TEST

START_TEST(decimal_seed_above_2_63)
{
    asim_params p;
    asim_error err = {0};
    asim_status st = asim_config_load(&p, BAD "seed_decimal_2_64.cfg", NULL, 0, &err);
    uint64_t seed = p.model.seed;
    asim_params_free(&p);
    if (st == ASIM_OK)
        ck_assert_msg(seed == UINT64_MAX, "seed read as %llu", (unsigned long long)seed);
    else
        ck_assert_msg(strstr(err.msg, "seed_decimal_2_64.cfg:4: model.seed") != NULL, "%s", err.msg);
}
END_TEST

START_TEST(bad_missing_file)
{
    asim_params p;
    asim_error err = {0};
    asim_status st = asim_config_load(&p, BAD "does_not_exist.cfg", NULL, 0, &err);
    asim_params_free(&p);
    ck_assert_int_eq(st, ASIM_ECONFIG);
    ck_assert_msg(strncmp(err.msg, BAD "does_not_exist.cfg: ", strlen(BAD) + 20) == 0, "%s", err.msg);
    ck_assert_msg(strstr(err.msg, "cannot read") != NULL, "%s", err.msg);
}
END_TEST

START_TEST(good_three_allies)
{
    asim_params p;
    load_ok(&p, GOOD "three_allies.cfg", NULL, 0);
    ck_assert_str_eq(p.model.name, "three_allies");
    ck_assert_uint_eq(p.n_allies, 3);
    ck_assert_uint_eq(p.n_adversaries, 1);
    ck_assert_uint_eq(p.n_pairs, 3);
    ck_assert_str_eq(p.allies[2].id, "AUS");
    ck_assert_str_eq(p.adversaries[0].id, "CHN");
    ck_assert(!p.model.stochastic);
    ck_assert_int_eq(p.model.steps, 120);
    /* pairs in declaration order: JPN_KOR, JPN_AUS, KOR_AUS */
    ck_assert_uint_eq(p.pairs[1].a, 0);
    ck_assert_uint_eq(p.pairs[1].b, 2);
    ck_assert_uint_eq(p.pairs[2].a, 1);
    ck_assert_uint_eq(p.pairs[2].b, 2);
    ck_assert_double_eq(p.pairs[2].history_floor, -0.2); /* set as AUS_KOR */
    ck_assert_double_eq(p.pairs[1].grievance[0], 0.1);   /* JPN toward AUS */
    ck_assert_double_eq(p.pairs[1].grievance[1], 0.4);   /* AUS toward JPN */
    ck_assert_double_eq(p.pairs[1].relation0, 0.3);
    ck_assert_double_eq(p.pairs[0].grievance[0], 0.3);   /* spec defaults for JPN_KOR */
    ck_assert_double_eq(p.pairs[0].grievance[1], 1.0);
    ck_assert_double_eq(p.pairs[2].grievance[0], 0.0);
    ck_assert_double_eq(p.allies[0].self_reliance, 0.35);
    ck_assert_double_eq(p.allies[1].self_reliance, 0.2);
    ck_assert_double_eq(p.allies[0].burden0, 0.4);
    ck_assert_double_eq(p.allies[2].burden0, 0.6);
    ck_assert_double_eq(p.allies[2].history_burden, 0.25);
    ck_assert_double_eq(asim_schedule_at(&p.allies[2].commitment, 1990), 0.5);
    ck_assert_double_eq(p.adversaries[0].threat[2], 0.3);
    ck_assert_double_eq(p.adversaries[0].outcry_reaction, 0.3);
    ck_assert_double_eq(p.adversaries[0].provocation_rate, 0.1);
    asim_params_free(&p);
}
END_TEST

START_TEST(good_schedules)
{
    asim_params p;
    load_ok(&p, GOOD "schedules.cfg", NULL, 0);
    const asim_schedule *kor = &p.allies[1].commitment;
    ck_assert_uint_eq(kor->n, 4);
    ck_assert_double_eq(asim_schedule_at(kor, 1970.4), 0.8);
    ck_assert_double_eq(asim_schedule_at(kor, 1970.5), 0.5);
    ck_assert_double_eq_tol(asim_schedule_at(kor, 1975.25), 0.7, 1e-15);
    ck_assert_double_eq(asim_schedule_at(kor, 1990), 0.9);
    ck_assert_double_eq(asim_schedule_at(&p.allies[0].commitment, 1970.5), 0.8);
    ck_assert_double_eq_tol(asim_schedule_at(&p.patron.firmness, 1970), 0.6, 1e-15);
    ck_assert_double_eq(asim_schedule_at(&p.patron.brokerage, 1982.99), 0.0);
    ck_assert_double_eq(asim_schedule_at(&p.patron.brokerage, 1984), 0.6);
    ck_assert_double_eq(asim_schedule_at(&p.patron.brokerage, 1985), 0.0);
    ck_assert_double_eq_tol(asim_schedule_at(&p.allies[0].cyber_share, 2005), 0.25, 1e-15);
    ck_assert_double_eq(asim_schedule_at(&p.allies[1].cyber_capability, 1900), 0.7);
    ck_assert_double_eq_tol(asim_schedule_at(&p.adversaries[0].assertiveness, 1982.5), 0.6, 1e-15);
    ck_assert_double_eq(asim_schedule_at(&p.adversaries[1].assertiveness, 1982.5), 0.6);
    asim_params_free(&p);
}
END_TEST

START_TEST(good_events)
{
    asim_params p;
    load_ok(&p, GOOD "events.cfg", NULL, 0);
    ck_assert_uint_eq(p.region.n_events, 3);
    ck_assert_double_eq(p.region.events[0].year, 1973.6);
    ck_assert_double_eq(p.region.events[0].size, 0.5);
    ck_assert_str_eq(p.region.events[0].label, "Kim Dae-jung abducted in Tokyo");
    ck_assert_str_eq(p.region.events[1].label, "Say \"sorry\" \\ later");
    ck_assert_double_eq(p.region.events[2].year, 2100.0);
    asim_params_free(&p);
}
END_TEST

START_TEST(good_include)
{
    asim_params p;
    load_ok(&p, GOOD "include.cfg", NULL, 0);
    ck_assert_int_eq(p.model.steps, 240);
    ck_assert_int_eq(p.model.rule, ASIM_RULE_THREAT);
    ck_assert_double_eq(p.quasi.coop_bias, 0.5);
    ck_assert_str_eq(p.model.name, "include");
    asim_params_free(&p);
}
END_TEST

START_TEST(good_int_for_float)
{
    asim_params p;
    load_ok(&p, GOOD "int_for_float.cfg", NULL, 0);
    ck_assert_double_eq(p.quasi.coop_gain, 4.0);
    ck_assert_double_eq(p.quasi.unreciprocated, -1.0);
    ck_assert_double_eq(p.model.burn_in, 0.0);
    ck_assert_double_eq(p.model.start_year, 1950.0);
    ck_assert(p.model.seed == UINT64_MAX); /* written in hex */
    asim_params_free(&p);
}
END_TEST

START_TEST(good_float_for_int)
{
    asim_params p;
    load_ok(&p, GOOD "float_for_int.cfg", NULL, 0);
    ck_assert_int_eq(p.model.steps, 120);
    ck_assert_int_eq(p.model.steps_per_year, 4);
    asim_params_free(&p);
}
END_TEST

START_TEST(good_empty_sections)
{
    asim_params p, q;
    load_ok(&p, GOOD "empty_sections.cfg", NULL, 0);
    ck_assert_int_eq(asim_params_init(&q), ASIM_OK);
    strcpy(q.model.name, "empty_sections");
    char *a = write_cfg(&p), *b = write_cfg(&q);
    assert_same_text(a, b);
    free(a);
    free(b);
    asim_params_free(&p);
    asim_params_free(&q);
}
END_TEST

START_TEST(good_other_command_sections_skipped)
{
    asim_params p;
    load_ok(&p, GOOD "with_sweep.cfg", NULL, 0);
    ck_assert_double_eq(p.quasi.coop_gain, 6.0);
    asim_params_free(&p);
}
END_TEST

/* ---- overrides ----------------------------------------------------------- */

static void override_ok(asim_params *p, const char *a)
{
    asim_error err = {0};
    ck_assert_msg(asim_config_override(p, a, &err) == ASIM_OK, "-s %s: %s", a, err.msg);
}

/* The override fails with a message that starts "-s " and *p keeps its
 * values (checked by the caller). */
static void override_bad(asim_params *p, const char *a, asim_status want)
{
    asim_error err = {0};
    asim_status st = asim_config_override(p, a, &err);
    ck_assert_msg(st == want, "-s %s: status %d, want %d (%s)", a, st, want, err.msg);
    char head[256];
    snprintf(head, sizeof head, "-s %s", a);
    ck_assert_msg(strncmp(err.msg, head, strlen(head)) == 0, "-s %s: message \"%s\"", a, err.msg);
}

START_TEST(override_values)
{
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    override_ok(&p, "quasi.coop_gain=4");
    ck_assert_double_eq(p.quasi.coop_gain, 4.0);
    override_ok(&p, "quasi.coop_bias = -0.25");
    ck_assert_double_eq(p.quasi.coop_bias, -0.25);
    override_ok(&p, "model.rule=threat");
    ck_assert_int_eq(p.model.rule, ASIM_RULE_THREAT);
    override_ok(&p, "model.rule=\"history\"");
    ck_assert_int_eq(p.model.rule, ASIM_RULE_HISTORY);
    override_ok(&p, "model.rule=cha");
    ck_assert_int_eq(p.model.rule, ASIM_RULE_CHA);
    override_ok(&p, "model.rule=threat");
    override_ok(&p, "model.rule=\"cha\"");
    ck_assert_int_eq(p.model.rule, ASIM_RULE_CHA);
    override_ok(&p, "model.stochastic=false");
    ck_assert(!p.model.stochastic);
    override_ok(&p, "model.stochastic=true");
    ck_assert(p.model.stochastic);
    override_ok(&p, "model.name=sweep_1");
    ck_assert_str_eq(p.model.name, "sweep_1");
    override_ok(&p, "patron.commitment.KOR=((1965, 0.8), (1970, 0.5))");
    ck_assert_uint_eq(p.allies[1].commitment.n, 2);
    ck_assert_double_eq_tol(asim_schedule_at(&p.allies[1].commitment, 1967.5), 0.65, 1e-15);
    override_ok(&p, "patron.firmness=0.25");
    ck_assert_uint_eq(p.patron.firmness.n, 1);
    ck_assert_double_eq(asim_schedule_at(&p.patron.firmness, 2000), 0.25);
    override_ok(&p, "model.seed=18446744073709551615");
    ck_assert(p.model.seed == UINT64_MAX);
    override_ok(&p, "model.seed=010"); /* decimal, as in a file and for --seed */
    ck_assert(p.model.seed == 10);
    override_ok(&p, "model.steps=12");
    ck_assert_int_eq(p.model.steps, 12);
    override_ok(&p, "pairs.KOR_JPN.history_floor=-0.125");
    ck_assert_double_eq(p.pairs[0].history_floor, -0.125);
    override_ok(&p, "region.events=({ year = 1970.0; size = 0.2; label = \"x\"; })");
    ck_assert_uint_eq(p.region.n_events, 1);
    ck_assert_double_eq(p.region.events[0].size, 0.2);
    asim_params_free(&p);
}
END_TEST

START_TEST(override_bad_values)
{
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    override_bad(&p, "model.steps=abc", ASIM_ECONFIG);
    override_bad(&p, "model.steps=1.5", ASIM_ECONFIG);
    override_bad(&p, "model.steps=0", ASIM_ECONFIG);
    ck_assert_int_eq(p.model.steps, 600);
    override_bad(&p, "x.y=1", ASIM_ECONFIG);
    override_bad(&p, "noequals", ASIM_EUSAGE);
    override_bad(&p, "=1", ASIM_EUSAGE);
    override_bad(&p, "model.seed=-1", ASIM_ECONFIG);
    override_bad(&p, "model.stochastic=maybe", ASIM_ECONFIG);
    override_bad(&p, "patron.commitment.KOR=((1970, 0.5), (1965, 0.8))", ASIM_ECONFIG);
    ck_assert(p.model.seed == 1);
    ck_assert(p.model.stochastic);
    ck_assert_uint_eq(p.allies[1].commitment.n, 1);
    asim_params_free(&p);
}
END_TEST

START_TEST(override_injection_rejected)
{
    /* the value is parsed as one libconfig value, never as more settings */
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    override_bad(&p, "model.rule=cha; b = 2", ASIM_ECONFIG);
    override_bad(&p, "model.rule=\"threat\"; b = 2", ASIM_ECONFIG);
    override_bad(&p, "quasi.coop_gain=1; quasi: { coop_bias = 3; }", ASIM_ECONFIG);
    override_bad(&p, "quasi.coop_gain=1; b = 2", ASIM_ECONFIG);
    ck_assert_int_eq(p.model.rule, ASIM_RULE_CHA);
    ck_assert_double_eq(p.quasi.coop_gain, 8.0);
    ck_assert_double_eq(p.quasi.coop_bias, 0.0);
    asim_params_free(&p);
}
END_TEST

START_TEST(override_blamed_by_validation)
{
    const char *ov[] = {"adversaries.PRK.threat.JPN=0.9"};
    asim_params p;
    asim_error err = {0};
    ck_assert_int_eq(asim_config_load(&p, NULL, ov, 1, &err), ASIM_ECONFIG);
    asim_params_free(&p);
    ck_assert_msg(strncmp(err.msg, "-s adversaries.PRK.threat.JPN=0.9: ", 35) == 0, "%s", err.msg);
}
END_TEST

START_TEST(overrides_after_file)
{
    const char *ov[] = {"model.steps=36", "quasi.coop_bias=0.75"};
    asim_params p;
    load_ok(&p, GOOD "include.cfg", ov, 2);
    ck_assert_int_eq(p.model.steps, 36);
    ck_assert_double_eq(p.quasi.coop_bias, 0.75);
    ck_assert_int_eq(p.model.rule, ASIM_RULE_THREAT);
    asim_params_free(&p);
}
END_TEST

/* ---- writing back ---------------------------------------------------------- */

static char *write_cfg(const asim_params *p)
{
    asim_strbuf b;
    asim_strbuf_init(&b);
    asim_config_write(p, &b);
    ck_assert_int_eq(asim_strbuf_status(&b), ASIM_OK);
    return b.s;
}

static char *write_json(const asim_params *p)
{
    asim_strbuf b;
    asim_strbuf_init(&b);
    asim_config_write_json(p, &b);
    ck_assert_int_eq(asim_strbuf_status(&b), ASIM_OK);
    return b.s;
}

/* Equal texts; on a difference, report the first differing line only
 * (Check cannot carry a whole configuration in a message). */
static void assert_same_text(const char *got, const char *want)
{
    size_t i = 0, line = 1, start = 0;
    while (got[i] && got[i] == want[i]) {
        if (got[i] == '\n') {
            line++;
            start = i + 1;
        }
        i++;
    }
    if (got[i] == want[i])
        return;
    int ng = (int)strcspn(got + start, "\n"), nw = (int)strcspn(want + start, "\n");
    ck_abort_msg("texts differ at line %zu: got \"%.*s\", want \"%.*s\"", line, ng < 200 ? ng : 200,
                 got + start, nw < 200 ? nw : 200, want + start);
}

/* Load file with overrides, write it, load what was written: the JSON and
 * the written text are the same both times. */
static void round_trip(const char *file, const char *const *ov, size_t n)
{
    asim_params p, q;
    load_ok(&p, file, ov, n);
    char *text = write_cfg(&p);
    const char *tmpdir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s/asim_config_XXXXXX", tmpdir);
    int fd = mkstemp(tmp);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    load_ok(&q, tmp, NULL, 0);
    unlink(tmp);
    char *j1 = write_json(&p), *j2 = write_json(&q), *text2 = write_cfg(&q);
    assert_same_text(j2, j1);
    assert_same_text(text2, text);
    free(j1);
    free(j2);
    free(text);
    free(text2);
    asim_params_free(&p);
    asim_params_free(&q);
}

START_TEST(round_trip_baseline)
{
    round_trip(ASIM_SOURCE_DIR "/configs/baseline.cfg", NULL, 0);
}
END_TEST

START_TEST(round_trip_rich)
{
    round_trip(GOOD "rich.cfg", NULL, 0);
}
END_TEST

START_TEST(round_trip_overrides)
{
    const char *ov[] = {"model.seed=12345", "quasi.coop_bias=0.1", "cyber.anonymity=0.3333333333333333"};
    round_trip(GOOD "three_allies.cfg", ov, 3);
}
END_TEST

START_TEST(round_trip_largest_seed)
{
    /* config.cfg must reproduce a run with any seed, also one above 2^63 */
    const char *ov[] = {"model.seed=18446744073709551615"};
    round_trip(NULL, ov, 1);
}
END_TEST

START_TEST(round_trip_seed_above_2_63)
{
    const char *ov[] = {"model.seed=9223372036854775808"};
    round_trip(NULL, ov, 1);
}
END_TEST

START_TEST(baseline_cfg_is_the_defaults)
{
    asim_params p, q;
    load_ok(&p, ASIM_SOURCE_DIR "/configs/baseline.cfg", NULL, 0);
    load_ok(&q, NULL, NULL, 0);
    char *a = write_cfg(&p), *b = write_cfg(&q);
    assert_same_text(a, b);
    free(a);
    free(b);
    asim_params_free(&p);
    asim_params_free(&q);
}
END_TEST

START_TEST(json_lists_agents_and_pairs)
{
    asim_params p;
    load_ok(&p, GOOD "three_allies.cfg", NULL, 0);
    char *j = write_json(&p);
    ck_assert_ptr_nonnull(strstr(j, "{\"allies\": [\"JPN\", \"KOR\", \"AUS\"], \"adversaries\": [\"CHN\"], "
                                    "\"pairs\": [[\"JPN\", \"KOR\"], [\"JPN\", \"AUS\"], [\"KOR\", \"AUS\"]]"));
    ck_assert_ptr_nonnull(strstr(j, "\"pairs.AUS_JPN.grievance\": 0.4"));
    ck_assert_ptr_nonnull(strstr(j, "\"model.stochastic\": false"));
    ck_assert_ptr_nonnull(strstr(j, "\"model.rule\": \"cha\""));
    free(j);
    asim_params_free(&p);
}
END_TEST

START_TEST(every_shipped_config_loads)
{
    DIR *d = opendir(ASIM_SOURCE_DIR "/configs");
    ck_assert_ptr_nonnull(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".cfg") != 0)
            continue;
        char file[1024];
        snprintf(file, sizeof file, "%s/configs/%s", ASIM_SOURCE_DIR, e->d_name);
        asim_params p;
        load_ok(&p, file, NULL, 0);
        asim_params_free(&p);
        n++;
    }
    closedir(d);
    ck_assert_int_ge(n, 4);
}
END_TEST

/* ---- layered scenarios, reports, warnings ------------------------------------------- */

#define LAYERED GOOD "layered/"

/* Load file with a report; the status. */
static asim_status load_report(asim_params *p, const char *file, const char *const *ov, size_t n,
                               asim_config_report *r, asim_error *err)
{
    asim_config_report_init(r);
    return asim_config_load_report(p, file, ov, n, r, err);
}

static const char *origin(const asim_config_report *r, const char *path)
{
    for (size_t i = 0; i < r->n_origins; i++)
        if (strcmp(r->origins[i].path, path) == 0)
            return r->origins[i].where;
    return "default";
}

START_TEST(layered_later_values_replace)
{
    asim_params p;
    load_ok(&p, LAYERED "layer.cfg", NULL, 0);
    ck_assert_double_eq(p.quasi.coop_gain, 3.0);  /* the layer */
    ck_assert_double_eq(p.quasi.coop_bias, 0.4);  /* middle.inc, over base.inc */
    ck_assert_int_eq(p.model.steps, 120);         /* base.inc, untouched */
    ck_assert_int_eq(p.model.rule, ASIM_RULE_CHA);
    ck_assert_uint_eq(p.allies[1].commitment.n, 1); /* a list is replaced whole */
    ck_assert_double_eq(p.allies[1].commitment.k[0].value, 0.5);
    asim_params_free(&p);
}
END_TEST

START_TEST(layered_origins_and_explain)
{
    asim_params p;
    asim_config_report r;
    asim_error err = {0};
    const char *ov[] = {"quasi.coop_bias=0.9"};
    ck_assert_int_eq(load_report(&p, LAYERED "layer.cfg", ov, 1, &r, &err), ASIM_OK);
    ck_assert_str_eq(origin(&r, "quasi.coop_gain"), LAYERED "layer.cfg:4");
    ck_assert_str_eq(origin(&r, "model.steps"), LAYERED "base/base.inc:3");
    ck_assert_str_eq(origin(&r, "quasi.coop_bias"), "-s quasi.coop_bias=0.9"); /* -s has the last word */
    ck_assert_double_eq(p.quasi.coop_bias, 0.9);
    ck_assert_str_eq(origin(&r, "quasi.coop_threshold"), "default");
    asim_strbuf b;
    asim_strbuf_init(&b);
    asim_config_explain(&p, &r, &b);
    ck_assert_ptr_nonnull(strstr(asim_strbuf_str(&b), "\nquasi.coop_gain = 3.0  # " LAYERED "layer.cfg:4\n"));
    ck_assert_ptr_nonnull(strstr(asim_strbuf_str(&b), "\nquasi.coop_threshold = 0.5  # default\n"));
    asim_strbuf_free(&b);
    asim_config_report_free(&r);
    asim_params_free(&p);
}
END_TEST

START_TEST(layered_include_inside_a_group)
{
    asim_params p;
    load_ok(&p, LAYERED "in_group.cfg", NULL, 0);
    ck_assert_double_eq(p.quasi.coop_gain, 5.0);
    ck_assert_double_eq(p.quasi.coop_bias, 0.7);
    asim_params_free(&p);
}
END_TEST

START_TEST(layered_duplicate_in_one_file_is_an_error)
{
    expect_bad("layer_duplicate.cfg", 6, "duplicate setting name", "(in quasi.coop_gain)");
}
END_TEST

START_TEST(layered_same_file_twice_warns)
{
    asim_params p;
    asim_config_report r;
    asim_error err = {0};
    ck_assert_int_eq(load_report(&p, LAYERED "twice.cfg", NULL, 0, &r, &err), ASIM_OK);
    ck_assert_uint_eq(r.n_warnings, 1);
    ck_assert_msg(strstr(r.warnings[0], "twice.cfg:3: @include \"base/base.inc\": that file is already part")
                  != NULL, "%s", r.warnings[0]);
    ck_assert_double_eq(p.quasi.coop_bias, 0.3); /* base.inc again, over middle.inc */
    asim_config_report_free(&r);
    asim_params_free(&p);
}
END_TEST

/* A temporary directory with a file of the given text; returns the file's path. */
static void temp_file(char *dir, size_t n, char *file, size_t fn, const char *name, const char *text)
{
    const char *tmpdir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    if (!*dir) {
        snprintf(dir, n, "%s/asim_layers_XXXXXX", tmpdir);
        ck_assert_ptr_nonnull(mkdtemp(dir));
    }
    snprintf(file, fn, "%s/%s", dir, name);
    FILE *f = fopen(file, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

START_TEST(absolute_include)
{
    char dir[1024] = "", file[1200], text[1400];
    const char *base = LAYERED "base/base.inc";
    ck_assert_msg(base[0] == '/', "ASIM_TEST_DATA is not absolute: %s", base);
    snprintf(text, sizeof text, "@include \"%s\"\nquasi: { coop_gain = 6.0; };\n", base);
    temp_file(dir, sizeof dir, file, sizeof file, "abs.cfg", text);
    asim_params p;
    load_ok(&p, file, NULL, 0);
    ck_assert_int_eq(p.model.steps, 120);
    ck_assert_double_eq(p.quasi.coop_gain, 6.0);
    asim_params_free(&p);
    unlink(file);
    rmdir(dir);
}
END_TEST

START_TEST(fifo_refused_at_once)
{
    char dir[1024] = "", file[1200], fifo[1200];
    temp_file(dir, sizeof dir, file, sizeof file, "inc.cfg", "@include \"pipe\"\n");
    snprintf(fifo, sizeof fifo, "%s/pipe", dir);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    asim_params p;
    asim_error err = {0};
    ck_assert_int_eq(asim_config_load(&p, fifo, NULL, 0, &err), ASIM_ECONFIG); /* would block if opened plainly */
    asim_params_free(&p);
    ck_assert_msg(strstr(err.msg, "pipe: cannot read: is a FIFO") != NULL, "%s", err.msg);
    ck_assert_int_eq(asim_config_load(&p, file, NULL, 0, &err), ASIM_ECONFIG);
    asim_params_free(&p);
    ck_assert_msg(strstr(err.msg, "inc.cfg:1: @include \"pipe\": not a regular file") != NULL, "%s", err.msg);
    ck_assert_int_eq(asim_config_load(&p, "/dev/zero", NULL, 0, &err), ASIM_ECONFIG);
    asim_params_free(&p);
    ck_assert_msg(strstr(err.msg, "/dev/zero: cannot read: is a device") != NULL, "%s", err.msg);
    unlink(fifo);
    unlink(file);
    rmdir(dir);
}
END_TEST

START_TEST(several_errors_in_line_order)
{
    asim_params p;
    asim_config_report r;
    asim_error err = {0};
    ck_assert_int_eq(load_report(&p, BAD "several_mistakes.cfg", NULL, 0, &r, &err), ASIM_ECONFIG);
    ck_assert_uint_eq(r.n_errors, 4);
    const int lines[] = {3, 4, 7, 11};
    for (size_t i = 0; i < 4; i++) {
        char head[1200];
        snprintf(head, sizeof head, BAD "several_mistakes.cfg:%d: ", lines[i]);
        ck_assert_msg(strncmp(r.errors[i], head, strlen(head)) == 0, "%s", r.errors[i]);
    }
    ck_assert_str_eq(err.msg, r.errors[0]);
    ck_assert_msg(strstr(r.errors[3], "undeclared ally TWN (declared allies: JPN, KOR)") != NULL, "%s",
                  r.errors[3]);
    asim_config_report_free(&r);
    asim_params_free(&p);
}
END_TEST

START_TEST(at_most_twenty_errors)
{
    char dir[1024] = "", file[1200], text[4096] = "quasi: {\n";
    for (int i = 0; i < 30; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "  nothing%d = 1.0;\n", i);
    strcat(text, "};\n");
    temp_file(dir, sizeof dir, file, sizeof file, "many.cfg", text);
    asim_params p;
    asim_config_report r;
    asim_error err = {0};
    ck_assert_int_eq(load_report(&p, file, NULL, 0, &r, &err), ASIM_ECONFIG);
    ck_assert_uint_eq(r.n_errors, ASIM_CONFIG_MAX_ERRORS);
    asim_config_report_free(&r);
    asim_params_free(&p);
    unlink(file);
    rmdir(dir);
}
END_TEST

START_TEST(bare_word_says_strings_are_quoted)
{
    expect_bad("bare_word.cfg", 3, "syntax error (in model.rule)", "strings are quoted (\"cha\")");
}
END_TEST

START_TEST(validation_blames_the_setting_given)
{
    asim_params p;
    asim_error err = {0};
    const char *threat[] = {"adversaries.CHN.threat.JPN=0.9"};
    ck_assert_int_eq(asim_config_load(&p, NULL, threat, 1, &err), ASIM_ECONFIG);
    asim_params_free(&p);
    ck_assert_msg(strncmp(err.msg, "-s adversaries.CHN.threat.JPN=0.9: threat weights on JPN", 56) == 0, "%s",
                  err.msg);
    const char *steps[] = {"model.steps=1"};
    ck_assert_int_eq(asim_config_load(&p, NULL, steps, 1, &err), ASIM_ECONFIG);
    asim_params_free(&p);
    ck_assert_msg(strstr(err.msg, "-s model.steps=1: 1 step leaves no step for the summary window after "
                                  "burn_in 0.2: give at least 2 steps") != NULL, "%s", err.msg);
    expect_bad("steps_one.cfg", 3, "model.steps", "give at least 2 steps");
    const char *burn[] = {"model.burn_in=0.99"};
    ck_assert_int_eq(asim_config_load(&p, BAD "steps_one.cfg", burn, 1, &err), ASIM_ECONFIG);
    asim_params_free(&p);
    ck_assert_msg(strncmp(err.msg, "-s model.burn_in=0.99: burn_in", 30) == 0, "%s", err.msg);
}
END_TEST

/* Loading file gives one warning containing `part`. */
static void expect_warning(const char *file, const char *part)
{
    asim_params p;
    asim_config_report r;
    asim_error err = {0};
    ck_assert_msg(load_report(&p, file, NULL, 0, &r, &err) == ASIM_OK, "%s", err.msg);
    asim_config_check_sections(file, &p, NULL, &r);
    ck_assert_msg(r.n_warnings == 1 && strstr(r.warnings[0], part), "%s: %zu warnings, first \"%s\"", file,
                  r.n_warnings, r.n_warnings ? r.warnings[0] : "");
    ck_assert_uint_eq(r.n_errors, 0);
    asim_config_report_free(&r);
    asim_params_free(&p);
}

START_TEST(warnings_for_silent_mistakes)
{
    expect_warning(GOOD "warn/keyframe_late.cfg",
                   "keyframe_late.cfg:7: patron.commitment.KOR: keyframe 3 (year 2072) is after the run's years");
    expect_warning(GOOD "warn/event_outside.cfg", "event 1 (\"too early\", year 1950) is outside the run's years");
    expect_warning(GOOD "warn/renamed_ally.cfg", "allies.ROK: no adversary threatens ROK");
    expect_warning(GOOD "warn/sweep_seed.cfg", "sweep_seed.cfg:4: sweep.seed: a grid design draws no random points");
}
END_TEST

START_TEST(no_warnings_for_the_shipped_scenarios)
{
    const char *names[] = {"baseline", "history_1965_1990", "history_1990_2023", "deterministic",
                           "history_1990_2023_fitted_cha"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char file[1024];
        snprintf(file, sizeof file, "%s/configs/%s.cfg", ASIM_SOURCE_DIR, names[i]);
        asim_params p;
        asim_config_report r;
        asim_error err = {0};
        ck_assert_msg(load_report(&p, file, NULL, 0, &r, &err) == ASIM_OK, "%s", err.msg);
        ck_assert_msg(r.n_warnings == 0, "%s: %s", file, r.warnings[0]);
        asim_config_report_free(&r);
        asim_params_free(&p);
    }
}
END_TEST

/* check on the study sections: the error of the command's own loader. */
static void expect_section_error(const char *name, const char *part)
{
    char file[1024];
    snprintf(file, sizeof file, "%s%s", BAD, name);
    asim_params p;
    asim_config_report r;
    asim_error err = {0};
    ck_assert_msg(load_report(&p, file, NULL, 0, &r, &err) == ASIM_OK, "%s", err.msg);
    ck_assert_int_eq(asim_config_check_sections(file, &p, NULL, &r), ASIM_ECONFIG);
    ck_assert_uint_eq(r.n_errors, 1);
    ck_assert_msg(strncmp(r.errors[0], file, strlen(file)) == 0 && strstr(r.errors[0], part), "%s", r.errors[0]);
    asim_config_report_free(&r);
    asim_params_free(&p);
}

START_TEST(check_reads_the_study_sections)
{
    expect_section_error("sweep_unknown_path.cfg", ":3: sweep.params[0]: quasi.coop_gian: unknown setting");
    expect_section_error("sweep_zero_replicates.cfg", ":3: sweep.replicates = 0: must be a whole number");
    expect_section_error("sweep_inverted_range.cfg", ":5: sweep.params[0]: range must be [lo, hi] with lo < hi");
    expect_section_error("test_bad_alpha.cfg", ":3: test.alpha = 1.5: must be in (0, 1)");
    expect_section_error("calibrate_no_params.cfg", ":2: calibrate.params: needs a list");
}
END_TEST

static Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = asim_tcase("bad_files");
    tcase_add_test(tc, bad_unknown_setting);
    tcase_add_test(tc, bad_out_of_range);
    tcase_add_test(tc, bad_string_for_number);
    tcase_add_test(tc, bad_list_for_scalar);
    tcase_add_test(tc, bad_bool_for_number);
    tcase_add_test(tc, bad_rule_name);
    tcase_add_test(tc, bad_unsorted_keyframes);
    tcase_add_test(tc, bad_keyframe_shape);
    tcase_add_test(tc, bad_undeclared_agent);
    tcase_add_test(tc, bad_pair_undeclared_ally);
    tcase_add_test(tc, bad_syntax);
    tcase_add_test(tc, bad_unknown_section);
    tcase_add_test(tc, bad_threat_sum);
    tcase_add_test(tc, bad_event_member);
    tcase_add_test(tc, bad_event_no_size);
    tcase_add_test(tc, bad_event_negative_size);
    tcase_add_test(tc, bad_long_label);
    tcase_add_test(tc, bad_one_ally);
    tcase_add_test(tc, bad_lowercase_id);
    tcase_add_test(tc, bad_self_include);
    tcase_add_test(tc, bad_missing_file);
    tcase_add_test(tc, decimal_seed_above_2_63);
    suite_add_tcase(s, tc);

    tc = asim_tcase("good_files");
    tcase_add_test(tc, good_three_allies);
    tcase_add_test(tc, good_schedules);
    tcase_add_test(tc, good_events);
    tcase_add_test(tc, good_include);
    tcase_add_test(tc, good_int_for_float);
    tcase_add_test(tc, good_float_for_int);
    tcase_add_test(tc, good_empty_sections);
    tcase_add_test(tc, good_other_command_sections_skipped);
    tcase_add_test(tc, every_shipped_config_loads);
    suite_add_tcase(s, tc);

    tc = asim_tcase("overrides");
    tcase_add_test(tc, override_values);
    tcase_add_test(tc, override_bad_values);
    tcase_add_test(tc, override_injection_rejected);
    tcase_add_test(tc, override_blamed_by_validation);
    tcase_add_test(tc, overrides_after_file);
    suite_add_tcase(s, tc);

    tc = asim_tcase("layers_and_reports");
    tcase_add_test(tc, layered_later_values_replace);
    tcase_add_test(tc, layered_origins_and_explain);
    tcase_add_test(tc, layered_include_inside_a_group);
    tcase_add_test(tc, layered_duplicate_in_one_file_is_an_error);
    tcase_add_test(tc, layered_same_file_twice_warns);
    tcase_add_test(tc, absolute_include);
    tcase_add_test(tc, fifo_refused_at_once);
    tcase_add_test(tc, several_errors_in_line_order);
    tcase_add_test(tc, at_most_twenty_errors);
    tcase_add_test(tc, bare_word_says_strings_are_quoted);
    tcase_add_test(tc, validation_blames_the_setting_given);
    tcase_add_test(tc, warnings_for_silent_mistakes);
    tcase_add_test(tc, no_warnings_for_the_shipped_scenarios);
    tcase_add_test(tc, check_reads_the_study_sections);
    suite_add_tcase(s, tc);

    tc = asim_tcase("write");
    tcase_add_test(tc, round_trip_baseline);
    tcase_add_test(tc, round_trip_rich);
    tcase_add_test(tc, round_trip_overrides);
    tcase_add_test(tc, round_trip_largest_seed);
    tcase_add_test(tc, round_trip_seed_above_2_63);
    tcase_add_test(tc, baseline_cfg_is_the_defaults);
    tcase_add_test(tc, json_lists_agents_and_pairs);
    suite_add_tcase(s, tc);
    return s;
}

ASIM_CHECK_MAIN(config_suite)
