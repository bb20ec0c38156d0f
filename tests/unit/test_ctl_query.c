/* test_ctl_query — entrustctl query brokers|status|recent|stats|account|
 * topups on a real store: what each finds (R6, R20–R24), the public part
 * of brokers only, rows in text and JSON, "(none 无)" for an empty answer,
 * and usage errors (2) for missing or malformed options. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "ctl_query.h"
#include "testctl.h"

#define ME	"1101230001"
#define ME2	"1101230002"
#define BR	"4101W68006"
#define BR2	"4101W68007"	/* registration expired (R5) */
#define BR3	"4701W68008"
#define L1	"2600000001"
#define L2	"2600000002"
#define L3	"2600000003"
#define L4	"2600000004"
#define T0	((int64_t)1796263200)	/* 2026-12-03T02:00:00Z */
#define A(n)	"202600000000" #n

static void value(struct store *s, const char *number, const char *v)
{
	struct agreement a;

	assert_int_equal(store_agreement_get(s, NULL, number, &a), 0);
	strcpy(a.total_value, v);
	assert_int_equal(store_agreement_put(s, NULL, &a), 0);
}

static void broker(struct store *s, const char *code, const char *name, const char *district, int64_t valid_until)
{
	struct registration r;

	memset(&r, 0, sizeof(r));
	strcpy(r.code, code);
	strcpy(r.name, name);
	strcpy(r.district, district);
	strcpy(r.address, "郑州市航空港区示例路1号");
	strcpy(r.public_phone, "0371-66668888");
	strcpy(r.manager_name, "李四");
	strcpy(r.manager_id, "410100198001010011");
	strcpy(r.declarants[0].name, "王五");
	strcpy(r.declarants[0].number, "4601000123");
	strcpy(r.declarants[0].phone, "13800000001");
	strcpy(r.declarants[1].name, "赵六");
	strcpy(r.declarants[1].number, "4601000456");
	strcpy(r.declarants[1].phone, "13800000002");
	r.ndeclarants = 2;
	r.valid_until = valid_until;
	assert_int_equal(store_registration_put(s, NULL, 'A', &r), 0);
}

static void topup(struct store *s, const char *code, int64_t at, uint64_t seq, const char *val)
{
	unsigned char key[26];

	memcpy(key, code, 10);
	store_be64(key + 10, (uint64_t)at);
	store_be64(key + 18, seq);
	assert_int_equal(store_put(s, NULL, SDB_TOPUPS, key, 26, val, strlen(val)), 0);
}

static int setup(void **state)
{
	struct tc *t = calloc(1, sizeof(*t));
	struct account acc = {10, 4, 3}, over = {1, 1, 1};
	struct store *s;

	tc_init(t, "ctlquery");
	s = tc_store(t);
	tc_letter(s, L1, ME, BR, LS_CONFIRMED, 0);
	tc_letter(s, L2, ME, BR2, LS_CONFIRMED, 0);
	tc_letter(s, L3, ME2, BR, LS_CONFIRMED, 0);
	tc_letter(s, L4, ME, BR3, LS_CONFIRMED, 0);
	/* ME with BR: signed in the order 1 < 2 < 4 < 5 < 6 < 8; 3 never signed; 7 rejected */
	tc_agreement(s, A(01), L1, ME, BR, ST_DECLARABLE, T0 - 900, 0);
	tc_agreement(s, A(02), L1, ME, BR, ST_USED, T0 - 800, T0 - 100);
	tc_agreement(s, A(03), L1, ME, BR, ST_INITIATED, 0, 0);
	tc_agreement(s, A(04), L1, ME, BR, ST_IN_USE, T0 - 700, 0);
	tc_agreement(s, A(05), L1, ME, BR, ST_CONFIRMED, T0 - 600, 0);
	tc_agreement(s, A(06), L1, ME, BR, ST_DECLARABLE, T0 - 500, 0);
	tc_agreement(s, A(07), L1, ME, BR, ST_REJECTED, T0 - 50, 0);
	tc_agreement(s, A(08), L1, ME, BR, ST_USED, T0 - 400, T0 - 86400 * 40);
	tc_agreement(s, A(09), L2, ME, BR2, ST_DECLARABLE, T0 - 10, 0);
	tc_agreement(s, A(10), L3, ME2, BR, ST_DECLARABLE, T0 - 5, 0);	/* not ME's */
	tc_agreement(s, A(11), L4, ME, BR3, ST_EXPIRED, T0 - 300, T0 - 100);	/* used_at kept, status 6 */
	value(s, A(04), "100.00");
	value(s, A(06), "100");
	broker(s, BR, "郑州示例报关有限公司", "4601", (int64_t)time(NULL) + 86400);
	broker(s, BR2, "过期报关有限公司", "4602", (int64_t)time(NULL) - 1);
	broker(s, BR3, "广州示例报关有限公司", "5101", (int64_t)time(NULL) + 86400);
	assert_int_equal(store_account_put(s, NULL, ME, &acc), 0);
	assert_int_equal(store_account_put(s, NULL, BR, &over), 0);
	topup(s, ME, T0 - 2000, 1, "10|INV-1|2026-12-01T07:30:00+08:00|MSG-1");
	topup(s, ME, T0 - 1000, 2, "5|INV-2||MSG-2");
	topup(s, BR, T0 - 1500, 3, "1|INV-3||MSG-3");
	*state = t;
	return 0;
}

/* The agreement numbers' last two digits at the start of each line: "01 02 …". */
static void numbers_of(const char *out, char *got, size_t n)
{
	const char *line;
	size_t k = 0;

	got[0] = '\0';
	for (line = out; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : line + strlen(line))
		if (strncmp(line, "2026", 4) == 0 && k + 4 < n)
			k += (size_t)snprintf(got + k, n - k, "%s%.2s", k ? " " : "", line + 12);
}

/* R21: the filters combined with AND; without --party across all enterprises. */
static void test_R21_status_query_combined_filters(void **state)
{
	static const struct {
		const char	*label;
		const char	*argv[10];
		const char	*want;
	} rows[] = {
		{"operator's view: everything", {NULL}, "01 02 03 04 05 06 07 08 09 10 11"},
		{"one enterprise, both its roles", {"--party", BR}, "01 02 03 04 05 06 07 08 10"},
		{"counterparty AND status", {"--party", ME, "--counterparty", BR, "--status", "2"}, "01 06"},
		{"status 2 everywhere", {"--status", "2"}, "01 06 09 10"},
		{"letter", {"--party", ME, "--letter", L2}, "09"},
		{"bill of lading", {"--party", ME, "--bill", "BL0005"}, "05"},
		{"value compared as a number", {"--party", ME, "--value", "100.0"}, "04 06"},
		{"agreement AND status: none", {"--party", ME, "--agreement", A(02), "--status", "2"}, ""},
		{"agreement of another enterprise: none", {"--party", ME, "--agreement", A(10)}, ""},
		{"operator: counterparty on either side", {"--counterparty", ME2}, "10"},
	};
	struct tc *t = *state;
	char got[128];
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (tc_run(t, ctl_query_status, rows[i].argv) != CTL_OK)
			fail_msg("%s: %s", rows[i].label, t->err.data);
		numbers_of(tc_out(t), got, sizeof(got));
		if (strcmp(got, rows[i].want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"\n%s", rows[i].label, got, rows[i].want, tc_out(t));
		if (rows[i].want[0] == '\0')
			assert_string_equal(tc_out(t), "(none 无)\n");
	}
}

static void test_R21_status_rows_text_and_json(void **state)
{
	static const char *const text[] = {
		"+20260000000001  2  委托协议可报关  委托书 2600000001  1101230001 → 4101W68006  笔记本电脑  120000.00 USD"
		"  B/L BL0001  signed 签 2026-12-03T01:45:00Z\n", NULL,
	};
	static const char *const json[] = {
		"+[{\"number\":\"20260000000003\",\"letter\":\"2600000001\",\"status\":0,\"status_name\":\"委托发起待确认\","
		"\"consignor\":\"1101230001\",\"broker\":\"4101W68006\",\"initiator\":\"1101230001\",\"payer\":\"broker\","
		"\"goods_name\":\"笔记本电脑\",\"hs_code\":\"8471300000\",\"total_value\":\"120000.00\",\"currency\":\"USD\","
		"\"quantity\":\"300\",\"unit\":\"001\",\"direction\":\"I\",\"date\":\"2026-12-20\","
		"\"bill_of_lading\":\"BL0003\",\"trade_mode\":\"0110\",\"origin\":\"502\",\"signed_at\":\"\"}]\n", NULL,
	};
	struct tc *t = *state;

	assert_int_equal(tc_run(t, ctl_query_status, TC_ARGV("--agreement", A(01))), CTL_OK);
	tc_expect("text row", tc_out(t), text);
	assert_int_equal(tc_run(t, ctl_query_status, TC_ARGV("--agreement", A(03), "--json")), CTL_OK);
	tc_expect("JSON row", tc_out(t), json);
	assert_int_equal(tc_run(t, ctl_query_status, TC_ARGV("--agreement", A(99), "--json")), CTL_OK);
	assert_string_equal(tc_out(t), "[]\n");
}

/* R22: the five most recently signed in 1, 2, 4, 5 with the counterparty, newest first. */
static void test_R22_recent_five_order(void **state)
{
	struct tc *t = *state;
	char got[64];

	assert_int_equal(tc_run(t, ctl_query_recent, TC_ARGV("--party", ME, "--counterparty", BR)), CTL_OK);
	numbers_of(tc_out(t), got, sizeof(got));
	assert_string_equal(got, "08 06 05 04 02");	/* not 03 (0), 07 (3), 01 (sixth), 09 (BR2) */
	assert_int_equal(tc_run(t, ctl_query_recent, TC_ARGV("--party", BR, "--counterparty", ME, "--json")), CTL_OK);
	assert_int_equal(tc_count(tc_out(t), "\"number\":"), 5);
	assert_true(strstr(tc_out(t), A(08)) < strstr(tc_out(t), A(02)));
	assert_int_equal(tc_run(t, ctl_query_recent, TC_ARGV("--party", ME, "--counterparty", ME2)), CTL_OK);
	assert_string_equal(tc_out(t), "(none 无)\n");
}

/* R23: only agreements in 5, used between the China days From and To, both inclusive. */
static void test_R23_statistics_only_status_5(void **state)
{
	static const struct {
		const char	*label, *from, *to;
		int64_t		 want;
	} rows[] = {
		{"the day of 02 (12-03 China)", "2026-12-03", "2026-12-03", 1},	/* 11 is used_at too, but in 6 */
		{"a day earlier only", "2026-12-02", "2026-12-02", 0},
		{"40 days back to today", "2026-10-24", "2026-12-03", 2},
		{"one day too late for 08", "2026-10-25", "2026-12-03", 1},
	};
	struct tc *t = *state;
	char want[256];
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(tc_run(t, ctl_query_stats, TC_ARGV("--party", ME, "--from", rows[i].from, "--to",
		    rows[i].to)), CTL_OK);
		snprintf(want, sizeof(want), "%s %s..%s: %lld agreement(s) used by customs 海关已用协议份数\n", ME,
		    rows[i].from, rows[i].to, (long long)rows[i].want);
		if (strcmp(tc_out(t), want) != 0)
			fail_msg("%s: got %s", rows[i].label, tc_out(t));
	}
	assert_int_equal(tc_run(t, ctl_query_stats, TC_ARGV("--party", BR, "--from", "2026-10-24", "--to", "2026-12-03",
	    "--json")), CTL_OK);
	assert_string_equal(tc_out(t), "{\"party\":\"4101W68006\",\"from\":\"2026-10-24\",\"to\":\"2026-12-03\",\"count\":2}\n");
}

/* R23: days are China days: 16:00Z ends one and starts the next. */
static void test_R23_statistics_china_day_edges(void **state)
{
	static const struct {
		int64_t		 used_at;
		int		 counted;
	} rows[] = {
		{1796227200 - 1, 0},	/* 2026-12-02T15:59:59Z = 12-02 23:59:59 China */
		{1796227200, 1},	/* 2026-12-02T16:00:00Z = 12-03 00:00 China */
		{1796313600 - 1, 1},	/* 12-03 23:59:59 China */
		{1796313600, 0},	/* 12-04 00:00 China */
	};
	struct tc *t = *state;
	char want[128];
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		tc_agreement(tc_store(t), "20260000000099", L4, ME2, BR3, ST_USED, T0, rows[i].used_at);
		assert_int_equal(tc_run(t, ctl_query_stats, TC_ARGV("--party", BR3, "--from", "2026-12-03", "--to",
		    "2026-12-03", "--json")), CTL_OK);
		snprintf(want, sizeof(want), "\"count\":%d}", rows[i].counted);
		if (strstr(tc_out(t), want) == NULL)
			fail_msg("used_at %lld: %s", (long long)rows[i].used_at, tc_out(t));
	}
}

/* R24 (R18): the account as stored, available never below 0. */
static void test_R24_account(void **state)
{
	struct tc *t = *state;

	assert_int_equal(tc_run(t, ctl_query_account, TC_ARGV("--party", ME)), CTL_OK);
	assert_string_equal(tc_out(t),
	    "企业 party               1101230001\n"
	    "已购份数 purchased       10\n"
	    "已用份数 used            4\n"
	    "正使用份数 in use        3\n"
	    "可用份数 available       3\n");
	assert_int_equal(tc_run(t, ctl_query_account, TC_ARGV("--party", BR, "--json")), CTL_OK);
	assert_string_equal(tc_out(t), "{\"party\":\"4101W68006\",\"purchased\":1,\"used\":1,\"in_use\":1,\"available\":0}\n");
	assert_int_equal(tc_run(t, ctl_query_account, TC_ARGV("--party", ME2, "--json")), CTL_OK);
	assert_string_equal(tc_out(t), "{\"party\":\"1101230002\",\"purchased\":0,\"used\":0,\"in_use\":0,\"available\":0}\n");
}

/* R20: the enterprise's own top-up records, oldest first. */
static void test_R20_topups(void **state)
{
	struct tc *t = *state;

	assert_int_equal(tc_run(t, ctl_query_topups, TC_ARGV("--party", ME)), CTL_OK);
	assert_string_equal(tc_out(t), "2026-12-03T01:26:40Z  10 units 份  ref 凭证 INV-1\n"
	    "2026-12-03T01:43:20Z  5 units 份  ref 凭证 INV-2\n");
	assert_int_equal(tc_run(t, ctl_query_topups, TC_ARGV("--party", BR, "--json")), CTL_OK);
	assert_string_equal(tc_out(t), "[{\"units\":1,\"reference\":\"INV-3\",\"recorded_at\":\"2026-12-03T01:35:00Z\"}]\n");
	assert_int_equal(tc_run(t, ctl_query_topups, TC_ARGV("--party", ME2)), CTL_OK);
	assert_string_equal(tc_out(t), "(none 无)\n");
}

/* R6 (R5): approved, unexpired brokers, and only their public part. */
static void test_R6_broker_search_hides_identity_number(void **state)
{
	static const struct {
		const char	*label;
		const char	*argv[8];
		const char	*want;		/* codes found, in order */
	} rows[] = {
		{"all: not the expired one", {NULL}, BR " " BR3},
		{"district prefix", {"--district", "46"}, BR},
		{"district prefix, the expired one's", {"--district", "4602"}, ""},
		{"name fragment", {"--name", "广州"}, BR3},
		{"code", {"--code", BR3}, BR3},
		{"code of the expired one", {"--code", BR2}, ""},
		{"name AND district", {"--name", "广州", "--district", "46"}, ""},
	};
	static const char *const hidden[] = {"-410100198001010011", "-13800000001", "-13800000002", "-李四", NULL};
	struct tc *t = *state;
	char got[64];
	const char *line;
	size_t i, k;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(tc_run(t, ctl_query_brokers, rows[i].argv), CTL_OK);
		tc_expect(rows[i].label, tc_out(t), hidden);
		for (k = 0, got[0] = '\0', line = tc_out(t); line && *line; line = strchr(line, '\n') + 1)
			if (line[0] != ' ' && line[0] != '(')
				k += (size_t)snprintf(got + k, sizeof(got) - k, "%s%.10s", k ? " " : "", line);
		if (strcmp(got, rows[i].want) != 0)
			fail_msg("%s: got \"%s\"\n%s", rows[i].label, got, tc_out(t));
	}
	assert_int_equal(tc_run(t, ctl_query_brokers, TC_ARGV("--code", BR)), CTL_OK);
	assert_non_null(strstr(tc_out(t), "4101W68006  郑州示例报关有限公司  关区 district 4601  郑州市航空港区示例路1号  "
	    "0371-66668888  valid until 有效期至 "));
	assert_non_null(strstr(tc_out(t), "\n    报关员 declarant 王五 4601000123\n    报关员 declarant 赵六 4601000456\n"));
	assert_int_equal(tc_run(t, ctl_query_brokers, TC_ARGV("--code", BR, "--json")), CTL_OK);
	tc_expect("JSON", tc_out(t), hidden);
	assert_non_null(strstr(tc_out(t), "\"declarants\":[{\"name\":\"王五\",\"number\":\"4601000123\"},"
	    "{\"name\":\"赵六\",\"number\":\"4601000456\"}]}]\n"));
	assert_int_equal(tc_count(tc_out(t), "phone"), 1);	/* public_phone only */
}

static void test_usage_errors(void **state)
{
	static const struct {
		const char	*label;
		tc_verb		 fn;
		const char	*argv[10];
		const char	*err;
	} rows[] = {
		{"status 12", ctl_query_status, {"--status", "12"}, "--status: 0..11"},
		{"status -1", ctl_query_status, {"--status", "-1"}, "--status: 0..11"},
		{"status not a number", ctl_query_status, {"--status", "2x"}, "--status: 0..11"},
		{"status empty", ctl_query_status, {"--status", ""}, "--status: 0..11"},
		{"status: party too short", ctl_query_status, {"--party", "110123"}, "--party CODE"},
		{"status: counterparty too long", ctl_query_status, {"--counterparty", "11012300011"}, "too long"},
		{"brokers: district too long", ctl_query_brokers, {"--district", "46010000"}, "too long"},
		{"recent without party", ctl_query_recent, {"--counterparty", BR}, "--party CODE"},
		{"recent without counterparty", ctl_query_recent, {"--party", ME}, "--counterparty CODE"},
		{"stats without dates", ctl_query_stats, {"--party", ME}, "--from and --to"},
		{"stats To before From", ctl_query_stats, {"--party", ME, "--from", "2026-12-03", "--to", "2026-12-02"},
		    "from ≤ to"},
		{"stats bad date", ctl_query_stats, {"--party", ME, "--from", "yesterday", "--to", "2026-12-02"},
		    "YYYY-MM-DD"},
		{"stats: no such day (it was read as March 2nd)", ctl_query_stats,
		    {"--party", ME, "--from", "2026-02-30", "--to", "2026-03-02"}, "YYYY-MM-DD"},
		{"status: value not an amount (it matched every 0)", ctl_query_status, {"--value", "abc"}, "--value"},
		{"stats without party", ctl_query_stats, {"--from", "2026-12-01", "--to", "2026-12-02"}, "--party CODE"},
		{"account without party", ctl_query_account, {NULL}, "--party CODE"},
		{"topups with a short party", ctl_query_topups, {"--party", "ME"}, "--party CODE"},
	};
	struct tc *t = *state;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (tc_run(t, rows[i].fn, rows[i].argv) != CTL_USAGE)
			fail_msg("%s: not a usage error", rows[i].label);
		assert_string_equal(tc_out(t), "");
		if (strstr(t->err.data, rows[i].err) == NULL)
			fail_msg("%s: stderr \"%s\" lacks \"%s\"", rows[i].label, t->err.data, rows[i].err);
	}
}

static void test_store_error(void **state)
{
	struct tc *t = *state;

	store_close(t->c.store);
	t->c.store = NULL;
	tu_writes(tu_path(t->p, "%s/not-a-dir", t->dir), "x");
	strcpy(t->c.conf.store_dir, t->p);
	assert_int_equal(tc_run(t, ctl_query_status, NULL), CTL_STORE);
	assert_int_equal(tc_run(t, ctl_query_account, TC_ARGV("--party", ME)), CTL_STORE);
	assert_int_equal(tc_run(t, ctl_query_brokers, NULL), CTL_STORE);
	assert_string_equal(tc_out(t), "");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, tc_teardown)
	const struct CMUnitTest tests[] = {
		T(test_R21_status_query_combined_filters),
		T(test_R21_status_rows_text_and_json),
		T(test_R22_recent_five_order),
		T(test_R23_statistics_only_status_5),
		T(test_R23_statistics_china_day_edges),
		T(test_R24_account),
		T(test_R20_topups),
		T(test_R6_broker_search_hides_identity_number),
		T(test_usage_errors),
		T(test_store_error),
	};

	return cmocka_run_group_tests_name("ctl_query", tests, NULL, NULL);
}
