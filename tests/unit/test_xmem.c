/* test_xmem — allocation that never returns NULL, arrays that grow by doubling
 * (xgrow), strlcopy (always NUL-terminated, -1 when cut), and panic() aborting
 * with its message. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <sys/wait.h>
#include "xmem.h"
#include "testutil.h"

static void test_zero_sizes_give_usable_pointers(void **state)
{
	char *a = xmalloc(0), *b = xcalloc(0, 0), *c = xrealloc(NULL, 0), *d;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	free(a);
	free(b);
	d = xrealloc(c, 100);
	memset(d, 'x', 100);
	free(d);
}

static void test_calloc_zeroed_strdup_copies(void **state)
{
	unsigned char *p = xcalloc(64, 4);
	char *s = xstrdup("委托书 2600000001");
	size_t i;

	(void)state;
	for (i = 0; i < 256; i++)
		assert_int_equal(p[i], 0);
	assert_string_equal(s, "委托书 2600000001");
	free(p);
	free(s);
}

static const struct {
	const char	*in;
	size_t		 n;
	const char	*want;
	int		 rc;
} copies[] = {
	{"1101230001", 11, "1101230001", 0},
	{"11012300012", 11, "1101230001", -1},	/* cut, still terminated */
	{"", 1, "", 0},
	{"x", 1, "", -1},
	{"abc", 4, "abc", 0},
	{"abcd", 4, "abc", -1},
};

static void test_table_strlcopy(void **state)
{
	char out[16];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(copies) / sizeof(copies[0]); i++) {
		memset(out, '#', sizeof(out));
		assert_int_equal(strlcopy(out, copies[i].in, copies[i].n), copies[i].rc);
		assert_string_equal(out, copies[i].want);
		assert_int_equal(out[copies[i].n], '#');	/* nothing written past n */
	}
	assert_int_equal(strlcopy(out, "abc", 0), -1);
}

/* xgrow: an array filled one element at a time is reallocated O(log n)
 * times, never holds less room than it needs nor much more than twice, and
 * keeps what it held. Growing by one each time (quadratic copying under ASan:
 * 212 s for a 20,000-item receipt in ops, 5 s doubling) fails the count. */
static void test_xgrow_doubles_room(void **state)
{
	size_t n, cap = 0, grown = 0, was;
	int *v = NULL;

	(void)state;
	for (n = 0; n < 100000; n++) {
		was = cap;
		v = xgrow(v, n, &cap, sizeof(*v));
		grown += cap != was;
		assert_true(cap > n);
		v[n] = (int)n;
	}
	assert_true(grown <= 14);
	assert_true(cap < 2 * n + 16);
	for (n = 0; n < 100000; n++)
		assert_int_equal(v[n], (int)n);
	assert_ptr_equal(xgrow(v, 5, &cap, sizeof(*v)), v);	/* room left: unchanged */
	free(v);
}

/* panic: the message on stderr, then abort (SIGABRT). */
static void test_panic_aborts_with_message(void **state)
{
	char path[] = "/tmp/entrust-unit-xmem-XXXXXX";
	int fd = mkstemp(path), st;
	struct buf b;
	pid_t pid;

	(void)state;
	assert_true(fd >= 0);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		dup2(fd, 2);
		signal(SIGABRT, SIG_DFL);
		panic("R13 move to %d refused: %s", 6, "bug");
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
	buf_init(&b);
	assert_int_equal(tu_read(path, &b), 0);
	assert_non_null(strstr(b.data, "entrust: panic: R13 move to 6 refused: bug\n"));
	buf_free(&b);
	close(fd);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero_sizes_give_usable_pointers),
		cmocka_unit_test(test_calloc_zeroed_strdup_copies),
		cmocka_unit_test(test_table_strlcopy),
		cmocka_unit_test(test_xgrow_doubles_room),
		cmocka_unit_test(test_panic_aborts_with_message),
	};

	return cmocka_run_group_tests_name("xmem", tests, NULL, NULL);
}
