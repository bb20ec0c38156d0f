/* test_clock — the time the domain rules run on: the system clock, moved by
 * ENTRUST_TIME_OFFSET (seconds, may be negative) so that expiry tests (R5,
 * R11) move time instead of sleeping; a malformed offset is ignored with a
 * warning; the offset is read once.  clock_now keeps its state in statics,
 * so each case runs in a fresh child process.  Tolerances are minutes, not
 * seconds: the machine may be busy. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/wait.h>
#include "clock.h"
#include "log.h"
#include "testutil.h"

#define SLACK 120	/* seconds */

struct sample {
	long long	offset;		/* clock_now() - time(NULL) */
	long long	second;		/* the same after the variable changed */
	int		warned;		/* stderr had the warning */
};

/* In a child: set (or unset, env NULL) ENTRUST_TIME_OFFSET, read the clock,
 * change the variable, read again. */
static struct sample sample(const char *env)
{
	struct sample s;
	char path[] = "/tmp/entrust-unit-clock-XXXXXX";
	int fd = mkstemp(path), st;
	pid_t pid;

	assert_true(fd >= 0);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		time_t before;
		long long a, b;

		dup2(fd, 2);
		log_open(NULL, 1);
		if (env)
			setenv("ENTRUST_TIME_OFFSET", env, 1);
		else
			unsetenv("ENTRUST_TIME_OFFSET");
		before = time(NULL);
		a = (long long)clock_now() - (long long)before;
		setenv("ENTRUST_TIME_OFFSET", "999999", 1);
		before = time(NULL);
		b = (long long)clock_now() - (long long)before;
		dprintf(fd, "\nRESULT %lld %lld\n", a, b);
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	{
		struct buf b;
		char *r;

		buf_init(&b);
		assert_int_equal(tu_read(path, &b), 0);
		r = strstr(b.data, "\nRESULT ");
		assert_non_null(r);
		assert_int_equal(sscanf(r, "\nRESULT %lld %lld", &s.offset, &s.second), 2);
		s.warned = strstr(b.data, "ENTRUST_TIME_OFFSET=") != NULL && strstr(b.data, "ignored") != NULL;
		buf_free(&b);
	}
	close(fd);
	unlink(path);
	return s;
}

static const struct {
	const char	*label, *env;
	long long	 want;
	int		 warned;
} cases[] = {
	{"unset: the system clock", NULL, 0, 0},
	{"empty: the system clock", "", 0, 0},
	{"one hour ahead", "3600", 3600, 0},
	{"explicit plus sign", "+86400", 86400, 0},
	{"one year back", "-31536000", -31536000, 0},
	{"400 days ahead (R11: a 12-month letter has expired)", "34560000", 34560000, 0},
	{"zero", "0", 0, 0},
	{"not a number", "tomorrow", 0, 1},
	{"trailing garbage", "3600s", 0, 1},
	{"a fraction", "1.5", 0, 1},
	{"out of range", "99999999999999999999999", 0, 1},
};

static void test_r11_r5_table_time_offset(void **state)
{
	struct sample s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = sample(cases[i].env);
		if (s.offset < cases[i].want || s.offset > cases[i].want + SLACK)
			fail_msg("%s: offset %lld, want %lld", cases[i].label, s.offset, cases[i].want);
		if (s.warned != cases[i].warned)
			fail_msg("%s: warning %d, want %d", cases[i].label, s.warned, cases[i].warned);
		/* read once: changing the variable later moves nothing */
		if (s.second < cases[i].want || s.second > cases[i].want + SLACK)
			fail_msg("%s: after the variable changed, offset %lld", cases[i].label, s.second);
	}
}

/* In this process (no offset set by make unit): clock_now is time(NULL). */
static void test_clock_is_system_time_without_offset(void **state)
{
	time_t a, b, c;

	(void)state;
	if (getenv("ENTRUST_TIME_OFFSET") != NULL)
		skip();
	a = time(NULL);
	b = clock_now();
	c = time(NULL);
	assert_true(b >= a && b <= c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_r11_r5_table_time_offset),
		cmocka_unit_test(test_clock_is_system_time_without_offset),
	};

	return cmocka_run_group_tests_name("clock", tests, NULL, NULL);
}
