/* test_ctl_out — the console's shared helpers: --since parsing (absolute UTC
 * or relative), option lookup, folder of a path, and the labelled output. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "ctl_out.h"
#include "testutil.h"

static void test_parse_since(void **state)
{
	static const struct {
		const char	*in;
		int		 rc;
		time_t		 want;
	} rows[] = {
		{"2026-12-03", 0, 1796256000},
		{"2026-12-03T10:00", 0, 1796256000 + 36000},
		{"2026-12-03T10:00:05Z", 0, 1796256000 + 36005},
		{"2026-12-03 10:00", 0, 1796256000 + 36000},
		{"30m", 0, 1800000000 - 1800},
		{"2h", 0, 1800000000 - 7200},
		{"7d", 0, 1800000000 - 7 * 86400},
		{"10s", 0, 1800000000 - 10},
		{"yesterday", -1, 0},
		{"2026-12-03T", -1, 0},
		{"2026-12-03junk", -1, 0},
		{"5w", -1, 0},
		{"", -1, 0},
	};
	size_t i;
	time_t t;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		t = 0;
		if (ctl_parse_since(rows[i].in, 1800000000, &t) != rows[i].rc)
			fail_msg("\"%s\": rc", rows[i].in);
		if (rows[i].rc == 0 && t != rows[i].want)
			fail_msg("\"%s\": got %lld, want %lld", rows[i].in, (long long)t, (long long)rows[i].want);
	}
}

static void test_opt_and_dirname(void **state)
{
	struct ctl c;
	char d[PATH_MAX];

	(void)state;
	memset(&c, 0, sizeof(c));
	c.opts[0] = (struct ctl_opt){"since", "2h"};
	c.opts[1] = (struct ctl_opt){"force", NULL};
	c.nopts = 2;
	assert_string_equal(ctl_opt(&c, "since"), "2h");
	assert_string_equal(ctl_opt(&c, "force"), "");
	assert_null(ctl_opt(&c, "id"));
	ctl_dirname(d, "conf/parties.conf");
	assert_string_equal(d, "conf");
	ctl_dirname(d, "parties.conf");
	assert_string_equal(d, ".");
	ctl_dirname(d, "/parties.conf");
	assert_string_equal(d, "/");
}

static void test_labels_align_by_columns(void **state)
{
	struct ctl c;

	(void)state;
	memset(&c, 0, sizeof(c));
	buf_init(&c.out);
	json_init(&c.j, &c.out);
	ctl_kv(&c, "a", "状态 status", "2");	/* 4 + 7 = 11 columns, 13 bytes */
	ctl_kv(&c, "b", "empty", "");		/* skipped in text */
	ctl_kint(&c, "n", "n", 7);
	assert_string_equal(c.out.data, "状态 status              2\nn                        7\n");
	buf_reset(&c.out);
	c.as_json = 1;
	json_open(&c.j, '{');
	ctl_kv(&c, "a", "x", "v\"");
	ctl_kbool(&c, "b", "x", 1);
	ctl_kint(&c, "n", "x", -3);
	json_close(&c.j, '}');
	assert_string_equal(c.out.data, "{\"a\":\"v\\\"\",\"b\":true,\"n\":-3}");
	buf_free(&c.out);
}

static void test_time(void **state)
{
	char s[32];

	(void)state;
	ctl_time(s, 0);
	assert_string_equal(s, "-");
	ctl_time(s, 1796256000);
	assert_string_equal(s, "2026-12-03T00:00:00Z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_since),
		cmocka_unit_test(test_opt_and_dirname),
		cmocka_unit_test(test_labels_align_by_columns),
		cmocka_unit_test(test_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
