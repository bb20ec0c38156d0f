/* test_ctl_show — entrustctl show agreement|letter: every field of the
 * record from a real store, as bilingual labelled lines (empty fields
 * left out, values in one column) or as JSON with the keys of
 * tests/e2e/CONTRACT.md; a letter lists exactly its own agreements;
 * unknown numbers are "not found" (1) and a store that cannot be opened is
 * a store error (3). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "ctl_show.h"
#include "testctl.h"

#define ME	"1101230001"
#define BR	"4101W68006"
#define BR2	"4101W68007"
#define L1	"2600000001"
#define L2	"2600000002"
#define A1	"20260000000001"
#define A2	"20260000000002"
#define A3	"20260000000003"

static int setup(void **state)
{
	struct tc *t = calloc(1, sizeof(*t));
	struct store *s;

	tc_init(t, "ctlshow");
	s = tc_store(t);
	tc_letter(s, L1, ME, BR, LS_CONFIRMED, 1);
	tc_letter(s, L2, ME, BR2, LS_INITIATED, 0);
	tc_agreement(s, A1, L1, ME, BR, ST_DECLARABLE, 1796263200, 0);
	tc_agreement(s, A2, L1, ME, BR, ST_USED, 1796263200, 1796270000);
	tc_agreement(s, A3, L2, ME, BR2, ST_INITIATED, 0, 0);
	*state = t;
	return 0;
}

static void test_show_table(void **state)
{
	static const struct {
		const char	*label;
		int		 letter, json;
		const char	*number;
		int		 want_rc;
		const char	*want[12];	/* "+text" must appear, "-text" must not */
	} rows[] = {
		{"agreement, text: status with both names", 0, 0, A1, CTL_OK,
		    {"+协议编号 number", "+20260000000001\n", "+2 委托协议可报关 declarable\n",
		    "+委托书 letter", "+2600000001\n", "+笔记本电脑\n", "+提(运)单号 B/L", "+BL0001\n",
		    "+ERP-REQ-0001\n", "-其他要求 other", "-{"}},
		{"agreement, JSON", 0, 1, A2, CTL_OK,
		    {"+{\"number\":\"20260000000002\",\"status\":5,\"status_name\":\"委托协议海关已用\"",
		    "+\"letter\":\"2600000001\"", "+\"consignor\":\"1101230001\"", "+\"broker\":\"4101W68006\"",
		    "+\"hs_code\":\"8471300000\"", "+\"other_requirements\":\"\"", "+}\n", "-协议编号"}},
		{"letter, text: its agreements only", 1, 0, L1, CTL_OK,
		    {"+委托书编号 letter", "+2600000001\n", "+有效期(月) validity", "+6\n",
		    "+是 yes\n", "+confirmed\n", "+ 20260000000001 20260000000002\n", "-20260000000003"}},
		{"letter, JSON: agreements as an array", 1, 1, L2, CTL_OK,
		    {"+\"number\":\"2600000002\"", "+\"validity_months\":6", "+\"auto_confirm\":false",
		    "+\"status\":\"initiated\"", "+\"broker\":\"4101W68007\"",
		    "+\"agreements\":[\"20260000000003\"]}\n", "-20260000000001"}},
		{"agreement unknown", 0, 0, "20269999999999", CTL_NOTFOUND, {"-2026"}},
		{"letter unknown", 1, 1, "2699999999", CTL_NOTFOUND, {"-2699999999"}},
		{"a letter number is not an agreement number", 0, 0, L1, CTL_NOTFOUND, {"-委托书"}},
	};
	struct tc *t = *state;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		rc = tc_run(t, rows[i].letter ? ctl_show_letter : ctl_show_agreement,
		    rows[i].json ? TC_ARGV(rows[i].number, "--json") : TC_ARGV(rows[i].number));
		if (rc != rows[i].want_rc)
			fail_msg("%s: exit %d, want %d (%s)", rows[i].label, rc, rows[i].want_rc, t->err.data);
		tc_expect(rows[i].label, tc_out(t), rows[i].want);
		if (rc == CTL_NOTFOUND) {
			assert_non_null(strstr(t->err.data, rows[i].number));
			assert_non_null(strstr(t->err.data, "not found 未找到"));
			assert_string_equal(tc_out(t), "");
		}
	}
}

/* The column (in terminal cells: CJK takes two) where the value of line starts. */
static int value_column(const char *line, size_t len)
{
	const unsigned char *u = (const unsigned char *)line;
	int col = 0;
	size_t i, gap = 0;

	for (i = 0; i + 1 < len; i++)	/* the value follows the last run of 2+ spaces */
		if (u[i] == ' ' && u[i + 1] == ' ')
			gap = i + 2;
	while (gap < len && u[gap] == ' ')
		gap++;
	for (i = 0; i < gap; i++)
		if ((u[i] & 0xc0) != 0x80)
			col += u[i] >= 0xe0 ? 2 : 1;
	return col;
}

/* Every labelled line of one record starts its value in the same column,
 * the agreements line of a letter too (CJK labels take two columns). */
static void test_values_aligned(void **state)
{
	struct tc *t = *state;
	const char *line, *nl;
	int col, want = -1;

	assert_int_equal(tc_run(t, ctl_show_letter, TC_ARGV(L1)), CTL_OK);
	for (line = tc_out(t); (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		col = value_column(line, (size_t)(nl - line));
		if (want < 0)
			want = col;
		if (col != want)
			fail_msg("value of \"%.*s\" starts in column %d, want %d", (int)(nl - line), line, col, want);
	}
	assert_int_equal(want, 25);
}

/* ctl_show_agreement_fields writes members into an object the caller opened. */
static void test_fields_into_open_object(void **state)
{
	struct tc *t = *state;
	struct agreement a;

	assert_int_equal(store_agreement_get(tc_store(t), NULL, A3, &a), 0);
	buf_reset(&t->c.out);
	json_init(&t->c.j, &t->c.out);
	t->c.as_json = 1;
	json_open(&t->c.j, '{');
	json_kstr(&t->c.j, "kind", "agreement");
	ctl_show_agreement_fields(&t->c, &a);
	json_close(&t->c.j, '}');
	assert_non_null(strstr(t->c.out.data, "{\"kind\":\"agreement\",\"number\":\"20260000000003\",\"status\":0,"));
	assert_int_equal(tc_count(t->c.out.data, "{"), 1);
	assert_int_equal(t->c.out.data[t->c.out.len - 1], '}');
}

static void test_store_error(void **state)
{
	struct tc *t = *state;

	store_close(t->c.store);
	t->c.store = NULL;
	tu_writes(tu_path(t->p, "%s/not-a-dir", t->dir), "x");
	strcpy(t->c.conf.store_dir, t->p);
	assert_int_equal(tc_run(t, ctl_show_agreement, TC_ARGV(A1)), CTL_STORE);
	assert_int_equal(tc_run(t, ctl_show_letter, TC_ARGV(L1)), CTL_STORE);
	assert_string_equal(tc_out(t), "");
	assert_true(t->err.len > 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, tc_teardown)
	const struct CMUnitTest tests[] = {
		T(test_show_table),
		T(test_values_aligned),
		T(test_fields_into_open_object),
		T(test_store_error),
	};

	return cmocka_run_group_tests_name("ctl_show", tests, NULL, NULL);
}
