/* test_ctl_spool — reason files are told from envelopes (NAME.reason and the
 * history NAME.reason.N that retry keeps), and retry moves a refused file
 * back to inbound/ under its original name, keeping its reason, never
 * replacing a file already there. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "ctl_spool.h"
#include "testutil.h"

static void test_is_reason(void **state)
{
	static const struct {
		const char	*name;
		int		 want;
	} rows[] = {
		{"E2026_a.p7m.reason", 1}, {"E2026_a.p7m.reason.1", 1}, {"E2026_a.p7m.reason.12", 1},
		{"E2026_a.p7m", 0}, {"E2026_a.reason.p7m", 0}, {".reason", 0}, {"x.reason.", 0},
		{"x.reason.1a", 0}, {"x.reasons", 0}, {"a.reason.x.reason", 1},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (ctl_spool_is_reason(rows[i].name) != rows[i].want)
			fail_msg("%s: want %d", rows[i].name, rows[i].want);
}

struct fixture {
	char		*dir;
	struct ctl	 c;
	char		 p[PATH_MAX];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->dir = tu_tmpdir("ctlspool");
	snprintf(f->c.conf.spool_dir, sizeof(f->c.conf.spool_dir), "%s", f->dir);
	mkdir(tu_path(f->p, "%s/error", f->dir), 0750);
	mkdir(tu_path(f->p, "%s/inbound", f->dir), 0750);
	buf_init(&f->c.out);
	json_init(&f->c.j, &f->c.out);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	buf_free(&f->c.out);
	tu_rmrf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static int retry(struct fixture *f, const char *name)
{
	f->c.args[0] = name;
	f->c.nargs = 1;
	return ctl_retry(&f->c);
}

static void test_retry_keeps_history(void **state)
{
	struct fixture *f = *state;
	const char *n1 = "E2026120300000000001_req.p7m", *n2 = "E2026120300000000002_req.p7m";

	tu_writes(tu_path(f->p, "%s/error/%s", f->dir, n1), "envelope");
	tu_writes(tu_path(f->p, "%s/error/%s.reason", f->dir, n1), "code: SIGNER_UNBOUND\n");
	assert_int_equal(retry(f, n1), CTL_OK);
	assert_true(tu_exists(tu_path(f->p, "%s/inbound/req.p7m", f->dir)));
	assert_false(tu_exists(tu_path(f->p, "%s/error/%s", f->dir, n1)));
	assert_true(tu_exists(tu_path(f->p, "%s/error/%s.reason.1", f->dir, n1)));
	/* the same original name refused again, while the first is still in inbound/ */
	tu_writes(tu_path(f->p, "%s/error/%s", f->dir, n2), "envelope");
	tu_writes(tu_path(f->p, "%s/error/%s.reason", f->dir, n2), "code: SIG_INVALID\n");
	assert_int_equal(retry(f, n2), CTL_USAGE);	/* never replaces inbound/req.p7m */
	assert_true(tu_exists(tu_path(f->p, "%s/error/%s.reason", f->dir, n2)));
	unlink(tu_path(f->p, "%s/inbound/req.p7m", f->dir));
	assert_int_equal(retry(f, n2), CTL_OK);
	assert_true(tu_exists(tu_path(f->p, "%s/error/%s.reason.1", f->dir, n2)));
}

static void test_retry_refusals(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(retry(f, "E2026120300000000009_gone.p7m"), CTL_NOTFOUND);
	assert_int_equal(retry(f, "../etc/passwd"), CTL_USAGE);
	assert_int_equal(retry(f, "E1_x.p7m.reason"), CTL_USAGE);
	tu_writes(tu_path(f->p, "%s/error/E1_.hidden", f->dir), "x");
	assert_int_equal(retry(f, "E1_.hidden"), CTL_USAGE);	/* the daemon would not take ".hidden" */
}

static void test_dead_letter_retry(void **state)
{
	struct fixture *f = *state;

	mkdir(tu_path(f->p, "%s/dead", f->dir), 0750);
	tu_writes(tu_path(f->p, "%s/dead/E2026120300000000003_lost.p7m", f->dir), "x");
	assert_int_equal(retry(f, "E2026120300000000003_lost.p7m"), CTL_OK);
	assert_true(tu_exists(tu_path(f->p, "%s/inbound/lost.p7m", f->dir)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_reason),
		cmocka_unit_test_setup_teardown(test_retry_keeps_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dead_letter_retry, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
