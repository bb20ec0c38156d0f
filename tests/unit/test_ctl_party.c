/* test_ctl_party — retiring a binding removes exactly the lines of that code
 * and fingerprint and keeps everything else (comments, other parties, the
 * other certificate of a roll-over) byte for byte; ending bindings (the R1
 * roll-over overlap) sets until= on exactly the lines meant, keeps their
 * credit code and name, and never lengthens an overlap already shorter. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "ctl_party.h"
#include "testutil.h"

#define FA "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define FB "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define FC "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define T1 1796292000	/* 2026-12-03T10:00:00Z */
#define T0 1796205600	/* 2026-12-02T10:00:00Z */

static void test_without(void **state)
{
	static const struct {
		const char	*label, *text, *code, *fpr, *want;
		int		 removed;
	} rows[] = {
		{"roll-over: old goes, new stays",
		    "# registry\n1101230003 consignor " FA " 甲\n1101230003 consignor " FB " 甲\n",
		    "1101230003", FA, "# registry\n1101230003 consignor " FB " 甲\n", 1},
		{"another code with the same fingerprint stays",
		    "1101230003 consignor " FA " 甲\n4101W68006 broker " FA " 乙\n",
		    "1101230003", FA, "4101W68006 broker " FA " 乙\n", 1},
		{"no match", "1101230003 consignor " FA " 甲\n", "1101230003", FB,
		    "1101230003 consignor " FA " 甲\n", 0},
		{"a commented line is not a binding", "#1101230003 consignor " FA " 甲\n", "#1101230003", FA,
		    "#1101230003 consignor " FA " 甲\n", 0},
		{"last line without newline", "x\n1101230003 consignor " FA " 甲", "1101230003", FA, "x\n", 1},
		{"tabs", "1101230003\tconsignor\t" FA "\t甲\n", "1101230003", FA, "", 1},
	};
	struct buf out;
	size_t i;
	int removed;

	(void)state;
	buf_init(&out);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		buf_reset(&out);
		buf_adds(&out, "");
		ctl_party_without(rows[i].text, rows[i].code, rows[i].fpr, &out, &removed);
		if (strcmp(out.data, rows[i].want) != 0 || removed != rows[i].removed)
			fail_msg("%s: got \"%s\" (%d removed)", rows[i].label, out.data, removed);
	}
	buf_free(&out);
}

/* R1: party add --overlap (all but the new certificate, shorten only) and party retire --after. */
static void test_R1_end_bindings(void **state)
{
	static const struct {
		const char		*label, *text;
		struct ctl_binding_edit	 e;
		const char		*want;
		int			 changed;
	} rows[] = {
		{"overlap: the old one ends, the new one stays open",
		    "# registry\n1101230003 consignor " FA " credit=91110000600000000J 甲\n1101230003 consignor " FB " 甲\n",
		    {"1101230003", 0, NULL, FB, T1, 1},
		    "# registry\n1101230003 consignor " FA " credit=91110000600000000J until=2026-12-03T10:00:00Z 甲\n"
		    "1101230003 consignor " FB " 甲\n", 1},
		{"overlap: another role of the same code is left alone",
		    "4101W68006 broker " FA " 乙\n4101W68006 consignor " FC " 乙\n",
		    {"4101W68006", 1, NULL, FB, T1, 1},
		    "4101W68006 broker " FA " until=2026-12-03T10:00:00Z 乙\n4101W68006 consignor " FC " 乙\n", 1},
		{"overlap: an earlier end is not moved later",
		    "1101230003 consignor " FA " until=2026-12-02T10:00:00Z 甲\n",
		    {"1101230003", 0, NULL, FB, T1, 1},
		    "1101230003 consignor " FA " until=2026-12-02T10:00:00Z 甲\n", 0},
		{"overlap: a later end is brought forward",
		    "1101230003 consignor " FA " until=2026-12-03T10:00:00Z 甲\n",
		    {"1101230003", 0, NULL, FB, T0, 1},
		    "1101230003 consignor " FA " until=2026-12-02T10:00:00Z 甲\n", 1},
		{"retire --after: that fingerprint only, set even later",
		    "1101230003 consignor " FA " until=2026-12-02T10:00:00Z 甲\n1101230003 consignor " FB " 甲\n",
		    {"1101230003", -1, FA, NULL, T1, 0},
		    "1101230003 consignor " FA " until=2026-12-03T10:00:00Z 甲\n1101230003 consignor " FB " 甲\n", 1},
		{"retire --after: another code's line with that fingerprint stays",
		    "1101230004\tconsignor\t" FA "\t丙\n", {"1101230003", -1, FA, NULL, T1, 0},
		    "1101230004\tconsignor\t" FA "\t丙\n", 0},
		{"comments and bad lines are copied", "#1101230003 consignor " FA " 甲\nnonsense\n",
		    {"1101230003", -1, NULL, NULL, T1, 0}, "#1101230003 consignor " FA " 甲\nnonsense\n", 0},
		{"last line without newline", "1101230003 consignor " FA " 甲", {"1101230003", -1, FA, NULL, T1, 0},
		    "1101230003 consignor " FA " until=2026-12-03T10:00:00Z 甲\n", 1},
	};
	struct buf out;
	size_t i;
	int changed;

	(void)state;
	buf_init(&out);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		buf_reset(&out);
		buf_adds(&out, "");
		ctl_party_end(rows[i].text, &rows[i].e, &out, &changed);
		if (strcmp(out.data, rows[i].want) != 0 || changed != rows[i].changed)
			fail_msg("%s: got \"%s\" (%d changed)", rows[i].label, out.data, changed);
	}
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_without),
		cmocka_unit_test(test_R1_end_bindings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
