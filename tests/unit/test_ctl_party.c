/* test_ctl_party — retiring a binding removes exactly the lines of that code
 * and fingerprint and keeps everything else (comments, other parties, the
 * other certificate of a roll-over) byte for byte. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "ctl_party.h"
#include "testutil.h"

#define FA "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define FB "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_without),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
