/* test_ctl_log — entrustctl log (the daemon's log lines filtered by
 * envelope id, agreement, party, level and time; lines not in the log's
 * format skipped) and trace (an agreement's audit trail from a real store,
 * then the log lines of the envelopes named in it), text and JSON, with
 * the refusals: usage (2), unreadable log (3), no trail (1). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "ctl_log.h"
#include "log.h"
#include "testctl.h"

#define A1	"20260000000001"
#define A2	"20260000000002"
#define E1	"E20261203010000000001"
#define E2	"E20261203020000000002"
#define E3	"E20261203030000000003"

static const char log_text[] =
    "2026-12-03T01:00:00.000Z info " E1 ": from=1101230001 type=EntrustRequest status=accepted agreement=" A1 "\n"
    "2026-12-03T02:00:00.000Z warn " E2 ": from=4101W68006 type=EntrustConfirm status=partial\n"
    "2026-12-03T03:00:00.000Z error " E3 ": from=1101230002 reason=SIG_INVALID\n"
    "2026-12-03T04:00:00.000Z debug entrustd: rescan files=0\n"
    "not a log line: it is skipped\n"
    "\n"
    "2026-12-03T05:00:00.000Z info " E2 ": ack=ACK_BRK-CONF-0001.p7m";	/* no final newline */

static void audit(struct store *s, const char *number, uint64_t seq, const char *line)
{
	unsigned char key[32];
	size_t n = strlen(number);

	memcpy(key, number, n);
	store_be64(key + n, seq);
	assert_int_equal(store_put(s, NULL, SDB_AUDIT, key, n + 8, line, strlen(line)), 0);
}

static int setup(void **state)
{
	struct tc *t = calloc(1, sizeof(*t));
	struct store *s;

	tc_init(t, "ctllog");
	assert_int_equal(tu_writes(t->c.conf.log_file, log_text), 0);
	s = tc_store(t);
	tc_letter(s, "2600000001", "1101230001", "4101W68006", LS_CONFIRMED, 0);
	tc_agreement(s, A1, "2600000001", "1101230001", "4101W68006", ST_CONFIRMED, 1796266800, 0);
	tc_agreement(s, A2, "2600000001", "1101230001", "4101W68006", ST_INITIATED, 0, 0);
	audit(s, A1, 1, "time=1796259600 by=1101230001 msg=ERP-REQ-0001 envelope=" E1 " status=new->0 letter=2600000001");
	audit(s, A1, 2, "time=1796263200 by=4101W68006 msg=BRK-CONF-0001 envelope=" E2 " status=0->1");
	audit(s, A1, 3, "garbage");		/* not an event: skipped */
	*state = t;
	return 0;
}

/* The hours (01…05) of the lines printed, "01 02 …". */
static void hours_of(const char *out, char *got, size_t n)
{
	const char *line;
	size_t k = 0;

	got[0] = '\0';
	for (line = out; (line = strstr(line, "2026-12-03T")) != NULL; line += 11)
		if (k + 4 < n)
			k += (size_t)snprintf(got + k, n - k, "%s%.2s", k ? " " : "", line + 11);
}

static void test_log_filters(void **state)
{
	static const struct {
		const char	*label;
		const char	*argv[10];
		const char	*want;
	} rows[] = {
		{"every line in the format", {NULL}, "01 02 03 04 05"},
		{"envelope id: all its lines", {"--id", E2}, "02 05"},
		{"an id is matched whole", {"--id", "E2026120302"}, ""},
		{"party", {"--party", "4101W68006"}, "02"},
		{"level warn and above", {"--level", "warn"}, "02 03"},
		{"level error", {"--level", "error"}, "03"},
		{"level debug: all", {"--level", "debug"}, "01 02 03 04 05"},
		{"since, inclusive", {"--since", "2026-12-03T02:00"}, "02 03 04 05"},
		{"since with seconds and Z", {"--since", "2026-12-03T03:00:01Z"}, "04 05"},
		{"since a day", {"--since", "2026-12-04"}, ""},
		{"agreement: its text and its envelopes' lines", {"--agreement", A1}, "01 02 05"},
		{"agreement without trail: text only", {"--agreement", A2}, ""},
		{"filters combine", {"--id", E2, "--level", "warn"}, "02"},
	};
	struct tc *t = *state;
	char got[64];
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (tc_run(t, ctl_log, rows[i].argv) != CTL_OK)
			fail_msg("%s: %s", rows[i].label, t->err.data);
		hours_of(tc_out(t), got, sizeof(got));
		if (strcmp(got, rows[i].want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", rows[i].label, got, rows[i].want);
	}
}

static void test_log_lines_text_and_json(void **state)
{
	struct tc *t = *state;

	assert_int_equal(tc_run(t, ctl_log, TC_ARGV("--id", E3)), CTL_OK);
	assert_string_equal(tc_out(t), "2026-12-03T03:00:00.000Z error " E3 ": from=1101230002 reason=SIG_INVALID\n");
	assert_int_equal(tc_run(t, ctl_log, TC_ARGV("--id", E2, "--json")), CTL_OK);
	assert_string_equal(tc_out(t), "[{\"time\":\"2026-12-03T02:00:00.000Z\",\"level\":\"warn\",\"id\":\"" E2 "\","
	    "\"text\":\"from=4101W68006 type=EntrustConfirm status=partial\"},"
	    "{\"time\":\"2026-12-03T05:00:00.000Z\",\"level\":\"info\",\"id\":\"" E2 "\","
	    "\"text\":\"ack=ACK_BRK-CONF-0001.p7m\"}]\n");
	assert_int_equal(tc_run(t, ctl_log, TC_ARGV("--id", "E0", "--json")), CTL_OK);
	assert_string_equal(tc_out(t), "[]\n");
}

/* A relative --since counts back from now (lines written by log.c itself). */
static void test_log_since_relative(void **state)
{
	struct tc *t = *state;
	char got[64];

	assert_int_equal(tu_writes(t->c.conf.log_file, log_text), 0);
	assert_int_equal(tu_sh("echo >>'%s'", t->c.conf.log_file), 0);	/* end the last line */
	assert_int_equal(log_open(t->c.conf.log_file, 0), 0);
	log_info("E20990101000000000099", "fresh=1");
	log_close();
	assert_int_equal(tc_run(t, ctl_log, TC_ARGV("--since", "2h")), CTL_OK);
	hours_of(tc_out(t), got, sizeof(got));
	assert_string_equal(got, "");		/* the 2026-12-03 lines are older than 2 hours */
	assert_non_null(strstr(tc_out(t), " info E20990101000000000099: fresh=1\n"));
	assert_int_equal(tc_count(tc_out(t), "\n"), 1);
}

static void test_log_refusals(void **state)
{
	static const struct {
		const char	*label;
		const char	*argv[4];
		int		 want;
		const char	*err;
	} rows[] = {
		{"level unknown", {"--level", "fatal"}, CTL_USAGE, "--level: debug, info, warn or error"},
		{"since unreadable", {"--since", "yesterday"}, CTL_USAGE, "--since:"},
		{"since: unit unknown", {"--since", "5y"}, CTL_USAGE, "--since:"},
		{"since: trailing text", {"--since", "2026-12-03T10:00x"}, CTL_USAGE, "--since:"},
		{"log unreadable", {"--level", "info"}, CTL_STORE, "cannot read the log 无法读取日志"},
	};
	struct tc *t = *state;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (rows[i].want == CTL_STORE)
			unlink(t->c.conf.log_file);
		if (tc_run(t, ctl_log, rows[i].argv) != rows[i].want)
			fail_msg("%s: want exit %d", rows[i].label, rows[i].want);
		if (strstr(t->err.data, rows[i].err) == NULL)
			fail_msg("%s: stderr \"%s\" lacks \"%s\"", rows[i].label, t->err.data, rows[i].err);
		if (rows[i].want == CTL_USAGE)
			assert_string_equal(tc_out(t), "");
	}
}

/* Fail unless the parts appear in s in this order (NULL-terminated). */
static void in_order(const char *label, const char *s, const char *const *parts)
{
	const char *p = s;

	for (; *parts; parts++)
		if ((p = strstr(p, *parts)) == NULL)
			fail_msg("%s: \"%s\" missing or out of order in:\n%s", label, *parts, s);
		else
			p += strlen(*parts);
}

/* The trail in store order, each event's time, sender, message, envelope and
 * change on its line, then the log lines of its envelopes (and of the number). */
static void test_trace_text(void **state)
{
	static const char *const events[] = {
		"trace 追踪 " A1 " — now 当前 1 委托确认已发往海关 confirmed, sent to customs\n",
		"  2026-12-03T01:00:00Z ", " by 发送方 1101230001 ", " msg 报文 ERP-REQ-0001 ", " envelope 信封 " E1 " ",
		" status=new->0 letter=2600000001\n",
		"  2026-12-03T02:00:00Z ", " by 发送方 4101W68006 ", " msg 报文 BRK-CONF-0001 ", " envelope 信封 " E2 " ",
		" status=0->1\n", "log 日志 (", NULL,
	};
	struct tc *t = *state;
	const char *log;

	assert_int_equal(tc_run(t, ctl_trace, TC_ARGV(A1)), CTL_OK);
	in_order("trail", tc_out(t), events);
	assert_int_equal(tc_count(tc_out(t), "  2026-12-03T0"), 2);	/* the garbage event is skipped */
	assert_non_null(log = strstr(tc_out(t), "log 日志 ("));
	assert_non_null(log = strchr(log, '\n'));
	assert_string_equal(log + 1,
	    "2026-12-03T01:00:00.000Z info " E1 ": from=1101230001 type=EntrustRequest status=accepted agreement=" A1 "\n"
	    "2026-12-03T02:00:00.000Z warn " E2 ": from=4101W68006 type=EntrustConfirm status=partial\n"
	    "2026-12-03T05:00:00.000Z info " E2 ": ack=ACK_BRK-CONF-0001.p7m\n");
}

static void test_trace_json(void **state)
{
	static const char *const parts[] = {
		"{\"agreement\":\"" A1 "\",\"status\":1,\"events\":[{\"seq\":1,", "\"time\":\"2026-12-03T01:00:00Z\"",
		"\"by\":\"1101230001\"", "\"msg\":\"ERP-REQ-0001\"", "\"envelope\":\"" E1 "\"",
		"\"change\":\"status=new->0 letter=2600000001\"}", "{\"seq\":2,", "\"envelope\":\"" E2 "\"",
		"\"change\":\"status=0->1\"}]", ",\"log\":[{\"time\":\"2026-12-03T01:00:00.000Z\"", "]}\n", NULL,
	};
	struct tc *t = *state;

	assert_int_equal(tc_run(t, ctl_trace, TC_ARGV(A1, "--json")), CTL_OK);
	in_order("JSON", tc_out(t), parts);
	assert_int_equal(tc_count(tc_out(t), "\"seq\":"), 2);
	assert_int_equal(tc_count(tc_out(t), "\"level\":"), 3);
	assert_true(t->c.out.len > 3);
	assert_string_equal(t->c.out.data + t->c.out.len - 3, "]}\n");
}

static void test_trace_edges(void **state)
{
	struct tc *t = *state;

	/* known agreement, no trail: the header alone */
	assert_int_equal(tc_run(t, ctl_trace, TC_ARGV(A2)), CTL_OK);
	assert_string_equal(tc_out(t), "trace 追踪 " A2 " — now 当前 0 委托发起待确认 initiated, awaiting confirmation\n");
	/* a prefix of a number is not that agreement */
	assert_int_equal(tc_run(t, ctl_trace, TC_ARGV("2026000000000")), CTL_NOTFOUND);
	assert_string_equal(tc_out(t), "");
	assert_non_null(strstr(t->err.data, "2026000000000: no trail 无此协议记录"));
	assert_int_equal(tc_run(t, ctl_trace, TC_ARGV("20269999999999", "--json")), CTL_NOTFOUND);
	assert_string_equal(tc_out(t), "");
	/* a trail whose record is gone (status -1 in JSON) */
	audit(tc_store(t), "20260000000077", 9, "time=1796263200 by=ENTRUSTHUB msg=- envelope=E9 status=1->6");
	assert_int_equal(tc_run(t, ctl_trace, TC_ARGV("20260000000077", "--json")), CTL_OK);
	assert_non_null(strstr(tc_out(t), "\"status\":-1,\"events\":[{\"seq\":9,"));
	/* the log unreadable: said, not fatal */
	unlink(t->c.conf.log_file);
	assert_int_equal(tc_run(t, ctl_trace, TC_ARGV(A1)), CTL_OK);
	assert_non_null(strstr(tc_out(t), "  (log not readable 日志无法读取)\n"));
}

/* A record holds one message's lines for the agreement (lifecycle_audit):
 * each line is an event of its own, in order, under the record's seq; a
 * line that is no event is skipped. */
static void test_trace_record_of_several_lines(void **state)
{
	static const char *const events[] = {
		"status=4->2\n", "customs=declaration-returned return_info=单证不齐\n",
		"notice=customs-update to=1101230001 file=NTC_000000000012.p7m\n", NULL,
	};
	struct tc *t = *state;

	audit(tc_store(t), "20260000000078", 12, "time=1796263200 by=0100HG0001 msg=R-1 envelope=" E2 " status=4->2\n"
	    "time=1796263200 by=0100HG0001 msg=R-1 envelope=" E2 " customs=declaration-returned return_info=单证不齐\n"
	    "not an event\n"
	    "time=1796263200 by=0100HG0001 msg=R-1 envelope=" E2 " notice=customs-update to=1101230001 "
	    "file=NTC_000000000012.p7m");
	assert_int_equal(tc_run(t, ctl_trace, TC_ARGV("20260000000078")), CTL_OK);
	in_order("lines", tc_out(t), events);
	assert_int_equal(tc_count(tc_out(t), "  2026-12-03T02:00:00Z "), 3);
	assert_non_null(strstr(tc_out(t), "海关回执 customs"));
	assert_int_equal(tc_run(t, ctl_trace, TC_ARGV("20260000000078", "--json")), CTL_OK);
	assert_int_equal(tc_count(tc_out(t), "{\"seq\":12,"), 3);
	assert_non_null(strstr(tc_out(t), "\"kind\":\"notice\""));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, tc_teardown)
	const struct CMUnitTest tests[] = {
		T(test_log_filters),
		T(test_log_lines_text_and_json),
		T(test_log_since_relative),
		T(test_log_refusals),
		T(test_trace_text),
		T(test_trace_json),
		T(test_trace_edges),
		T(test_trace_record_of_several_lines),
	};

	return cmocka_run_group_tests_name("ctl_log", tests, NULL, NULL);
}
