/* test_codes — the shipped code tables of R12 (conf/codes/NAME.tsv): every
 * table loads, the codes DOMAIN.md names are there with their Chinese
 * names, unknown codes are unknown; a bad file is refused with
 * "file:line: why"; a new load sees an edited file (reload) while the old
 * tables stay usable. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "codes.h"
#include "testutil.h"

static struct codes *shipped(char *err, size_t errlen)
{
	char p[PATH_MAX];

	return codes_load(tu_path(p, "%s/conf/codes", tu_src()), err, errlen);
}

/* Entries in a shipped file: lines that are neither comments nor empty. */
static size_t entries_in(const char *file)
{
	char p[PATH_MAX], line[1024];
	size_t n = 0;
	FILE *fp = fopen(tu_path(p, "%s/conf/codes/%s", tu_src(), file), "r");

	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL)
		if (line[0] != '#' && line[0] != '\n' && line[0] != '\r')
			n++;
	fclose(fp);
	return n;
}

static const struct {
	enum code_table	 t;
	const char	*code, *zh;	/* zh NULL: unknown */
} known[] = {
	/* R12's examples */
	{CODES_TRADE_MODE, "0110", "一般贸易"},
	{CODES_TRADE_MODE, "0214", "来料加工"},
	{CODES_TRADE_MODE, "0615", "进料对口"},
	{CODES_TRADE_MODE, "9610", "电子商务"},
	{CODES_TRADE_MODE, "1210", "保税电商"},
	{CODES_COUNTRY, "142", "中国"},
	{CODES_COUNTRY, "502", "美国"},
	{CODES_COUNTRY, "116", "日本"},
	{CODES_CURRENCY, "USD", "美元"},
	{CODES_CURRENCY, "CNY", "人民币"},
	{CODES_UNIT, "001", "台"},
	{CODES_UNIT, "035", "千克"},
	/* first and last of a table (binary search edges) */
	{CODES_COUNTRY, "101", "阿富汗"},
	{CODES_CURRENCY, "AED", "阿联酋迪拉姆"},
	/* a code is looked up in its own table only */
	{CODES_COUNTRY, "0110", NULL},
	{CODES_TRADE_MODE, "142", NULL},
	{CODES_UNIT, "USD", NULL},
	{CODES_CURRENCY, "502", NULL},
	/* unknown, malformed, near misses */
	{CODES_TRADE_MODE, "9999", NULL},
	{CODES_TRADE_MODE, "011", NULL},
	{CODES_TRADE_MODE, "01100", NULL},
	{CODES_TRADE_MODE, "0110 ", NULL},
	{CODES_TRADE_MODE, "", NULL},
	{CODES_CURRENCY, "usd", NULL},
	{CODES_COUNTRY, "14", NULL},
	{CODES_COUNTRY, "1420000000000000", NULL},	/* longer than any code buffer */
	{CODES_COUNTRY, "#", NULL},
};

static void test_r12_table_known_and_unknown_codes(void **state)
{
	char err[512] = "";
	struct codes *c = shipped(err, sizeof(err));
	const char *got;
	size_t i;

	(void)state;
	if (c == NULL)
		fail_msg("shipped tables: %s", err);
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		got = codes_name(c, known[i].t, known[i].code);
		if (known[i].zh == NULL && got != NULL)
			fail_msg("table %d code \"%s\": known as %s, want unknown", known[i].t, known[i].code, got);
		if (known[i].zh != NULL && (got == NULL || strcmp(got, known[i].zh) != 0))
			fail_msg("table %d code \"%s\": %s, want %s", known[i].t, known[i].code, got ? got : "unknown",
			    known[i].zh);
	}
	codes_free(c);
}

/* Every entry of every shipped file is loaded (comments are not). */
static void test_r12_every_shipped_entry_loaded(void **state)
{
	static const struct {
		enum code_table	 t;
		const char	*file;
	} files[] = {
		{CODES_TRADE_MODE, "trade-modes.tsv"}, {CODES_COUNTRY, "countries.tsv"},
		{CODES_CURRENCY, "currencies.tsv"}, {CODES_UNIT, "units.tsv"},
	};
	char err[512];
	struct codes *c = shipped(err, sizeof(err));
	size_t i;

	(void)state;
	assert_non_null(c);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		assert_true(codes_count(c, files[i].t) > 20);
		assert_int_equal(codes_count(c, files[i].t), entries_in(files[i].file));
	}
	codes_free(c);
}

/* A folder of four tables written by the test. */
static void write_tables(const char *dir, const char *trade, const char *country, const char *currency,
    const char *unit)
{
	char p[PATH_MAX];

	assert_int_equal(tu_writes(tu_path(p, "%s/trade-modes.tsv", dir), trade), 0);
	assert_int_equal(tu_writes(tu_path(p, "%s/countries.tsv", dir), country), 0);
	assert_int_equal(tu_writes(tu_path(p, "%s/currencies.tsv", dir), currency), 0);
	assert_int_equal(tu_writes(tu_path(p, "%s/units.tsv", dir), unit), 0);
}

#define TRADE "# comment\n\n0110\t一般贸易\tGeneral trade\n0214\t来料加工\tProcessing\n"
#define COUNTRY "142\t中国\tChina\n502\t美国\tUnited States\n"
#define CURRENCY "USD\t美元\tUS Dollar\n"
#define UNIT "001\t台\tset\n"

/* Unsorted input, CRLF line ends and a missing English column are fine. */
static void test_r12_small_tables_any_order_crlf(void **state)
{
	char *dir = tu_tmpdir("codes");
	char err[512] = "";
	struct codes *c;

	(void)state;
	write_tables(dir, "9610\t电子商务\r\n0110\t一般贸易\tGeneral trade\r\n0214\t来料加工\r\n", COUNTRY,
	    CURRENCY, UNIT);
	c = codes_load(dir, err, sizeof(err));
	if (c == NULL)
		fail_msg("%s", err);
	assert_int_equal(codes_count(c, CODES_TRADE_MODE), 3);
	assert_string_equal(codes_name(c, CODES_TRADE_MODE, "0110"), "一般贸易");
	assert_string_equal(codes_name(c, CODES_TRADE_MODE, "0214"), "来料加工");
	assert_string_equal(codes_name(c, CODES_TRADE_MODE, "9610"), "电子商务");
	assert_int_equal(codes_count(c, CODES_UNIT), 1);
	codes_free(c);
	tu_rmrf(dir);
	free(dir);
}

/* Bad files: refused with the file, the line and why. */
static void test_r12_table_bad_files_refused(void **state)
{
	static const struct {
		const char	*label, *trade, *want;
	} rows[] = {
		{"code too short", TRADE "011\t错\tx\n", "trade-modes.tsv:5: expected code<TAB>"},
		{"code too long", "01100\t错\tx\n", "trade-modes.tsv:1: expected code<TAB>"},
		{"no tab", "0110 一般贸易\n", "trade-modes.tsv:1: expected code<TAB>"},
		{"empty name", "0110\t\tGeneral\n", "trade-modes.tsv:1: empty name"},
		{"name missing", TRADE "0615\n", "trade-modes.tsv:5: expected code<TAB>"},
		{"listed twice", TRADE "0110\t又一个\tagain\n", "trade-modes.tsv: code 0110 listed twice"},
	};
	char err[512];
	char *dir = tu_tmpdir("codes-bad");
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		write_tables(dir, rows[i].trade, COUNTRY, CURRENCY, UNIT);
		err[0] = '\0';
		if (codes_load(dir, err, sizeof(err)) != NULL)
			fail_msg("%s: loaded", rows[i].label);
		if (strstr(err, rows[i].want) == NULL)
			fail_msg("%s: \"%s\", want \"%s\"", rows[i].label, err, rows[i].want);
		assert_non_null(strstr(err, dir));
	}
	tu_rmrf(dir);
	free(dir);
}

/* A missing table (any of the four) or folder is refused, naming the file. */
static void test_r12_missing_table_refused(void **state)
{
	char *dir = tu_tmpdir("codes-missing");
	char p[PATH_MAX], err[512];

	(void)state;
	write_tables(dir, TRADE, COUNTRY, CURRENCY, UNIT);
	assert_int_equal(unlink(tu_path(p, "%s/units.tsv", dir)), 0);
	assert_null(codes_load(dir, err, sizeof(err)));
	assert_non_null(strstr(err, "units.tsv: cannot open"));
	assert_null(codes_load("/nonexistent/entrust-codes", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/entrust-codes/trade-modes.tsv"));
	tu_rmrf(dir);
	free(dir);
}

/* Reload: a new load reads the edited files; the tables loaded before stay
 * as they were until freed (the daemon swaps them on SIGHUP). */
static void test_r12_reload_sees_edited_table(void **state)
{
	char *dir = tu_tmpdir("codes-reload");
	struct codes *old, *new;
	char err[512];

	(void)state;
	write_tables(dir, TRADE, COUNTRY, CURRENCY, UNIT);
	old = codes_load(dir, err, sizeof(err));
	assert_non_null(old);
	assert_null(codes_name(old, CODES_TRADE_MODE, "9610"));

	write_tables(dir, TRADE "9610\t电子商务\tCross-border e-commerce\n", COUNTRY "116\t日本\tJapan\n",
	    CURRENCY, UNIT);
	new = codes_load(dir, err, sizeof(err));
	assert_non_null(new);
	assert_string_equal(codes_name(new, CODES_TRADE_MODE, "9610"), "电子商务");
	assert_string_equal(codes_name(new, CODES_COUNTRY, "116"), "日本");
	assert_int_equal(codes_count(new, CODES_TRADE_MODE), 3);
	/* the old tables are untouched */
	assert_null(codes_name(old, CODES_TRADE_MODE, "9610"));
	assert_int_equal(codes_count(old, CODES_TRADE_MODE), 2);
	assert_string_equal(codes_name(old, CODES_TRADE_MODE, "0110"), "一般贸易");
	codes_free(old);

	/* an edit that breaks a file: the reload fails, the tables in use stay */
	write_tables(dir, TRADE "bad line\n", COUNTRY, CURRENCY, UNIT);
	assert_null(codes_load(dir, err, sizeof(err)));
	assert_string_equal(codes_name(new, CODES_TRADE_MODE, "9610"), "电子商务");
	codes_free(new);
	codes_free(NULL);	/* allowed */
	tu_rmrf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_r12_table_known_and_unknown_codes),
		cmocka_unit_test(test_r12_every_shipped_entry_loaded),
		cmocka_unit_test(test_r12_small_tables_any_order_crlf),
		cmocka_unit_test(test_r12_table_bad_files_refused),
		cmocka_unit_test(test_r12_missing_table_refused),
		cmocka_unit_test(test_r12_reload_sees_edited_table),
	};

	return cmocka_run_group_tests_name("codes", tests, NULL, NULL);
}
