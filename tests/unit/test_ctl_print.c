/* test_ctl_print — entrustctl print (R17) and report (R23) through the
 * shipped stylesheets: only a status-2 agreement is printed, with its
 * letter, the parties' names from the registry and the codes' names (R12);
 * -o writes the page, --json summarises it; report counts customs-used
 * agreements only, per counterparty and per China month, every month of
 * the range present; and the refusals (not found 1, usage 2, store 3). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "ctl_print.h"
#include "testctl.h"

#define ME	"1101230001"
#define ME2	"1101230002"
#define BR	"4101W68006"
#define L1	"2600000001"
#define L2	"2600000002"
#define T0	((int64_t)1796263200)	/* 2026-12-03T02:00:00Z */
#define DEC1	((int64_t)1796140800)	/* 2026-12-01T16:00:00Z = 12-02 00:00 China */

static const char registry_text[] =
    ME " consignor aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 北京示例贸易有限公司\n"
    ME2 " consignor bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb 北京第二贸易有限公司\n"
    BR " broker cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc 郑州示例报关有限公司\n";

static int setup(void **state)
{
	struct tc *t = calloc(1, sizeof(*t));
	struct store *s;
	int st;
	char n[16];

	unsetenv("ENTRUST_XSLT");
	tc_init(t, "ctlprint");
	tu_writes(t->c.conf.registry, registry_text);
	s = tc_store(t);
	tc_letter(s, L1, ME, BR, LS_CONFIRMED, 0);
	tc_letter(s, L2, ME2, BR, LS_CONFIRMED, 0);
	for (st = 0; st < ST_COUNT; st++) {	/* 202600000000SS in status SS */
		snprintf(n, sizeof(n), "2026000000%04d", st);
		tc_agreement(s, n, L1, ME, BR, st, st ? T0 : 0, st == ST_USED ? T0 : 0);
	}
	/* used by customs besides ...0005 (12-03): two more for ME, one for ME2 */
	tc_agreement(s, "20260000000101", L1, ME, BR, ST_USED, T0, DEC1 - 86400 - 1);	/* 11-30 23:59:59 China */
	tc_agreement(s, "20260000000102", L1, ME, BR, ST_USED, T0, DEC1);		/* 12-02 00:00 China */
	tc_agreement(s, "20260000000201", L2, ME2, BR, ST_USED, T0, T0);
	*state = t;
	return 0;
}

/* R17: only status 2 (委托协议可报关) prints; every other status is refused, said in both languages. */
static void test_R17_print_only_status_2(void **state)
{
	static const char *const page[] = {
		"+委托报关协议", "+代理报关委托书", "+20260000000002", "+2600000001", "+BL0002",
		"+北京示例贸易有限公司", "+郑州示例报关有限公司",	/* names the letter lacks, from the registry */
		"+一般贸易",		/* trade mode 0110 named from conf/codes (R12) */
		"+笔记本电脑", "+size: A4", NULL,
	};
	struct tc *t = *state;
	char n[16], want[64];
	int st;

	for (st = 0; st < ST_COUNT; st++) {
		snprintf(n, sizeof(n), "2026000000%04d", st);
		if (st == ST_DECLARABLE) {
			assert_int_equal(tc_run(t, ctl_print, TC_ARGV(n)), CTL_OK);
			tc_expect("status 2", tc_out(t), page);
			assert_string_equal(t->err.data, "");
			continue;
		}
		if (tc_run(t, ctl_print, TC_ARGV(n)) != CTL_NOTFOUND)
			fail_msg("status %d printed", st);
		assert_string_equal(tc_out(t), "");
		snprintf(want, sizeof(want), "is in status %d (", st);
		assert_non_null(strstr(t->err.data, want));
		assert_non_null(strstr(t->err.data, "(R17) 只有状态为“可报关”的委托协议可以打印"));
	}
}

static void test_print_to_file_and_json(void **state)
{
	struct tc *t = *state;
	struct buf page;
	char file[PATH_MAX], want[2 * PATH_MAX];

	buf_init(&page);
	tu_path(file, "%s/agreement.html", t->dir);
	assert_int_equal(tc_run(t, ctl_print, TC_ARGV("20260000000002", "-o", file)), CTL_OK);
	assert_int_equal(tu_read(file, &page), 0);
	assert_non_null(strstr(page.data, "委托报关协议"));
	snprintf(want, sizeof(want), "agreement written 已生成: %s (%zu bytes)\n", file, page.len);
	assert_string_equal(tc_out(t), want);
	/* JSON, no file: the page inside, escaped */
	assert_int_equal(tc_run(t, ctl_print, TC_ARGV("20260000000002", "--json")), CTL_OK);
	snprintf(want, sizeof(want), "{\"page\":\"agreement\",\"file\":\"\",\"bytes\":%zu,\"html\":\"", page.len);
	assert_memory_equal(tc_out(t), want, strlen(want));
	assert_int_equal(tc_count(tc_out(t), "\n"), 1);		/* one line: the page's newlines escaped */
	/* JSON with a file: no page inside */
	assert_int_equal(tc_run(t, ctl_print, TC_ARGV("20260000000002", "-o", file, "--json")), CTL_OK);
	snprintf(want, sizeof(want), "{\"page\":\"agreement\",\"file\":\"%s\",\"bytes\":%zu}\n", file, page.len);
	assert_string_equal(tc_out(t), want);
	buf_free(&page);
}

static void test_print_refusals(void **state)
{
	static const struct {
		const char	*label;
		const char	*argv[6];
		int		 want;
		const char	*err;
	} rows[] = {
		{"unknown agreement", {"20269999999999"}, CTL_NOTFOUND, "agreement 20269999999999 not found 未找到"},
		{"its letter missing", {"20260000000301"}, CTL_NOTFOUND, "letter 2699999999 of agreement 20260000000301"},
		{"stylesheet folder missing", {"20260000000002", "--xslt", "/nonexistent"}, CTL_STORE, "/nonexistent/print.xsl"},
		{"output folder missing", {"20260000000002", "-o", "/nonexistent/a.html"}, CTL_STORE,
		    "/nonexistent/a.html: cannot write 无法写入"},
	};
	struct tc *t = *state;
	size_t i;

	tc_agreement(tc_store(t), "20260000000301", "2699999999", ME, BR, ST_DECLARABLE, T0, 0);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (tc_run(t, ctl_print, rows[i].argv) != rows[i].want)
			fail_msg("%s: exit code, want %d (%s)", rows[i].label, rows[i].want, t->err.data);
		assert_string_equal(tc_out(t), "");
		if (strstr(t->err.data, rows[i].err) == NULL)
			fail_msg("%s: stderr \"%s\" lacks \"%s\"", rows[i].label, t->err.data, rows[i].err);
	}
}

/* Without the code tables the page still prints, with a warning. */
static void test_print_without_codes_warns(void **state)
{
	struct tc *t = *state;

	strcpy(t->c.conf.codes_dir, "/nonexistent");
	assert_int_equal(tc_run(t, ctl_print, TC_ARGV("20260000000002")), CTL_OK);
	assert_non_null(strstr(tc_out(t), "0110"));
	assert_null(strstr(tc_out(t), "一般贸易"));
	assert_non_null(strstr(t->err.data, "warning"));
}

/* R23: the report counts agreements in 5 only, per counterparty and China month. */
static void test_R23_report_counts_customs_used_only(void **state)
{
	static const struct {
		const char	*label;
		const char	*argv[10];
		const char	*want[10];
	} rows[] = {
		{"ME, November to December", {"--from", "2026-11-01", "--to", "2026-12-31", "--party", ME},
		    {"+id=\"total\">3<", "+<td>4101W68006 郑州示例报关有限公司</td>\n<td class=\"n\">3</td>",
		    "+<td>2026-11</td>\n<td class=\"n\">1</td>", "+<td>2026-12</td>\n<td class=\"n\">2</td>",
		    "+id=\"party\">1101230001<", "-北京第二贸易有限公司"}},
		{"ME, December only: the 11-30 one is out", {"--from", "2026-12-01", "--to", "2026-12-31", "--party", ME},
		    {"+id=\"total\">2<", "-<td>2026-11</td>"}},
		{"ME, to 12-01 inclusive", {"--from", "2026-11-01", "--to", "2026-12-01", "--party", ME},
		    {"+id=\"total\">1<", "+<td>2026-12</td>\n<td class=\"n\">0</td>"}},
		{"everyone: pairs by name", {"--from", "2026-11-01", "--to", "2026-12-31"},
		    {"+id=\"total\">4<", "+<td>北京示例贸易有限公司 → 郑州示例报关有限公司</td>\n<td class=\"n\">3</td>",
		    "+<td>北京第二贸易有限公司 → 郑州示例报关有限公司</td>\n<td class=\"n\">1</td>", "-id=\"party\""}},
		{"months with nothing still have a bar", {"--from", "2026-09-15", "--to", "2026-12-03", "--party", BR},
		    {"+<td>2026-09</td>\n<td class=\"n\">0</td>", "+<td>2026-10</td>\n<td class=\"n\">0</td>",
		    "+<td>2026-11</td>\n<td class=\"n\">1</td>", "+<td>2026-12</td>\n<td class=\"n\">3</td>",
		    "+<td>1101230001 北京示例贸易有限公司</td>\n<td class=\"n\">3</td>",
		    "+<td>1101230002 北京第二贸易有限公司</td>\n<td class=\"n\">1</td>", "-2027-"}},
	};
	struct tc *t = *state;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (tc_run(t, ctl_report, rows[i].argv) != CTL_OK)
			fail_msg("%s: %s", rows[i].label, t->err.data);
		tc_expect(rows[i].label, tc_out(t), rows[i].want);
	}
}

/* A range with nothing used: total 0, every month a zero bar, no counterparty
 * (the empty list must not reach qsort: undefined behaviour, caught by UBSan). */
static void test_R23_report_empty_range(void **state)
{
	static const char *const want[] = {
		"+id=\"total\">0<", "+<td>2025-12</td>\n<td class=\"n\">0</td>", "+<td>2026-01</td>\n<td class=\"n\">0</td>",
		"-<td>2025-11</td>", "-<td>2026-02</td>", "-郑州示例报关有限公司", NULL,
	};
	struct tc *t = *state;

	assert_int_equal(tc_run(t, ctl_report, TC_ARGV("--from", "2025-12-31", "--to", "2026-01-01", "--party", ME)),
	    CTL_OK);
	tc_expect("empty", tc_out(t), want);
}

/* Counterparties by count, most first: the larger bar is drawn first. */
static void test_report_bars_ordered_by_count(void **state)
{
	struct tc *t = *state;
	const char *a, *b;

	assert_int_equal(tc_run(t, ctl_report, TC_ARGV("--from", "2026-11-01", "--to", "2026-12-31", "--party", BR)),
	    CTL_OK);
	a = strstr(tc_out(t), "<td>1101230001 ");
	b = strstr(tc_out(t), "<td>1101230002 ");
	assert_non_null(a);
	assert_non_null(b);
	assert_true(a < b);
}

static void test_report_json_and_refusals(void **state)
{
	static const struct {
		const char	*label;
		const char	*argv[10];
		int		 want;
		const char	*err;
	} rows[] = {
		{"no dates", {"--party", ME}, CTL_USAGE, "--from and --to"},
		{"To before From", {"--from", "2026-12-02", "--to", "2026-12-01"}, CTL_USAGE, "from ≤ to"},
		{"bad date", {"--from", "12/01/2026", "--to", "2026-12-01"}, CTL_USAGE, "YYYY-MM-DD"},
		{"party not a code", {"--from", "2026-12-01", "--to", "2026-12-01", "--party", "ME"}, CTL_USAGE,
		    "10-character customs code"},
		{"stylesheet folder missing", {"--from", "2026-12-01", "--to", "2026-12-01", "--xslt", "/nonexistent"},
		    CTL_STORE, "/nonexistent/report.xsl"},
	};
	struct tc *t = *state;
	size_t i;

	assert_int_equal(tc_run(t, ctl_report, TC_ARGV("--from", "2026-12-01", "--to", "2026-12-31", "--json")), CTL_OK);
	assert_int_equal(strncmp(tc_out(t), "{\"page\":\"report\",\"file\":\"\",\"bytes\":", 35), 0);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (tc_run(t, ctl_report, rows[i].argv) != rows[i].want)
			fail_msg("%s: exit code, want %d (%s)", rows[i].label, rows[i].want, t->err.data);
		assert_string_equal(tc_out(t), "");
		if (strstr(t->err.data, rows[i].err) == NULL)
			fail_msg("%s: stderr \"%s\" lacks \"%s\"", rows[i].label, t->err.data, rows[i].err);
	}
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, tc_teardown)
	const struct CMUnitTest tests[] = {
		T(test_R17_print_only_status_2),
		T(test_print_to_file_and_json),
		T(test_print_refusals),
		T(test_print_without_codes_warns),
		T(test_R23_report_counts_customs_used_only),
		T(test_R23_report_empty_range),
		T(test_report_bars_ordered_by_count),
		T(test_report_json_and_refusals),
	};

	return cmocka_run_group_tests_name("ctl_print", tests, NULL, NULL);
}
