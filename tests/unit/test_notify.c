/* test_notify — sd_notify(3) messages to the service manager: a datagram
 * socket made here plays systemd ($NOTIFY_SOCKET); ready, reloading,
 * stopping and watchdog keep-alives arrive with the right fields; without
 * $NOTIFY_SOCKET every call is a no-op.  The watchdog settings are read
 * once per process, so each watchdog case runs in a fresh child.  No
 * timing asserts: the watchdog interval used is an hour. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include "notify.h"
#include "testutil.h"

struct fixture {
	char	*dir;
	char	 path[PATH_MAX];
	int	 fd;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct sockaddr_un sa;

	f->dir = tu_tmpdir("notify");
	tu_path(f->path, "%s/notify.sock", f->dir);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	assert_true(strlen(f->path) < sizeof(sa.sun_path));
	strcpy(sa.sun_path, f->path);
	f->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(f->fd >= 0);
	assert_int_equal(bind(f->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	unsetenv("NOTIFY_SOCKET");
	close(f->fd);
	tu_rmrf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* The next datagram already queued, or "" when there is none. */
static const char *next(struct fixture *f, char *out, size_t n)
{
	ssize_t k = recv(f->fd, out, n - 1, MSG_DONTWAIT);

	out[k > 0 ? k : 0] = '\0';
	return out;
}

static void test_ready_reloading_stopping_sent(void **state)
{
	struct fixture *f = *state;
	char m[512];

	setenv("NOTIFY_SOCKET", f->path, 1);
	notify_ready();
	assert_string_equal(next(f, m, sizeof(m)), "READY=1\nSTATUS=processing 正在处理");
	notify_reloading();
	next(f, m, sizeof(m));
	{
		static const char want[] = "RELOADING=1\nSTATUS=reloading 正在重新加载\nMONOTONIC_USEC=";

		assert_int_equal(strncmp(m, want, strlen(want)), 0);
		assert_true(strtoull(m + strlen(want), NULL, 10) > 0);
	}	/* systemd 253+ wants it with RELOADING=1 */
	notify_ready();	/* reload done */
	assert_string_equal(next(f, m, sizeof(m)), "READY=1\nSTATUS=processing 正在处理");
	notify_stopping();
	assert_string_equal(next(f, m, sizeof(m)), "STOPPING=1\nSTATUS=stopping 正在停止");
	assert_string_equal(next(f, m, sizeof(m)), "");	/* nothing else */
	/* the variable stays for the next message (unset_environment is 0) */
	assert_non_null(getenv("NOTIFY_SOCKET"));
}

/* Without $NOTIFY_SOCKET nothing is sent anywhere, and nothing fails. */
static void test_no_socket_no_op(void **state)
{
	struct fixture *f = *state;
	char m[512];

	unsetenv("NOTIFY_SOCKET");
	notify_ready();
	notify_reloading();
	notify_stopping();
	notify_watchdog();
	assert_int_equal(notify_wait_ms(60000), 60000);	/* no watchdog: unchanged */
	assert_string_equal(next(f, m, sizeof(m)), "");
	/* a socket that does not exist is dropped quietly too */
	setenv("NOTIFY_SOCKET", "/tmp/entrust-unit-notify-none/x.sock", 1);
	notify_ready();
	notify_stopping();
	assert_string_equal(next(f, m, sizeof(m)), "");
}

/* Run a watchdog case in a child with WATCHDOG_USEC (and WATCHDOG_PID = the
 * child's pid unless other_pid); the child reports through its exit code. */
static void watchdog_child(struct fixture *f, const char *usec, int other_pid, int (*fn)(struct fixture *))
{
	pid_t pid;
	int st;

	fflush(NULL);
	if ((pid = fork()) == 0) {
		char p[32];

		setenv("NOTIFY_SOCKET", f->path, 1);
		setenv("WATCHDOG_USEC", usec, 1);
		snprintf(p, sizeof(p), "%ld", other_pid ? (long)getppid() : (long)getpid());
		setenv("WATCHDOG_PID", p, 1);
		_exit(fn(f));
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("watchdog case failed at check %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

/* WatchdogSec = 1 h: the first keep-alive goes at once, the next only after
 * a quarter of the interval; a READY also counts as a ping. */
static int wd_pings(struct fixture *f)
{
	char m[64];

	notify_watchdog();
	if (strcmp(next(f, m, sizeof(m)), "WATCHDOG=1") != 0)
		return 1;
	notify_watchdog();
	notify_watchdog();
	if (strcmp(next(f, m, sizeof(m)), "") != 0)
		return 2;	/* not due yet */
	if (notify_wait_ms(60000) != 60000 || notify_wait_ms(5000000) != 1800000)
		return 3;	/* capped at half of WatchdogSec */
	return 0;
}

static int wd_ready_first(struct fixture *f)
{
	char m[64];

	notify_ready();
	if (strncmp(next(f, m, sizeof(m)), "READY=1", 7) != 0)
		return 1;
	notify_watchdog();
	return strcmp(next(f, m, sizeof(m)), "") == 0 ? 0 : 2;
}

/* WATCHDOG_PID names another process: the watchdog is not ours. */
static int wd_not_ours(struct fixture *f)
{
	char m[64];

	notify_watchdog();
	if (strcmp(next(f, m, sizeof(m)), "") != 0)
		return 1;
	return notify_wait_ms(60000) == 60000 ? 0 : 2;
}

/* A tiny WatchdogSec: the poll timeout is still at least 1 ms. */
static int wd_tiny(struct fixture *f)
{
	(void)f;
	return notify_wait_ms(60000) == 1 && notify_wait_ms(0) == 0 ? 0 : 1;
}

static void test_watchdog_keepalive(void **state)
{
	watchdog_child(*state, "3600000000", 0, wd_pings);
}

static void test_watchdog_ready_counts_as_ping(void **state)
{
	watchdog_child(*state, "3600000000", 0, wd_ready_first);
}

static void test_watchdog_for_another_pid_ignored(void **state)
{
	watchdog_child(*state, "3600000000", 1, wd_not_ours);
}

static void test_watchdog_wait_at_least_1ms(void **state)
{
	watchdog_child(*state, "100", 0, wd_tiny);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		/* first: the children must inherit notify.c's statics untouched
		 * (no watchdog settings read, no READY sent yet) */
		T(test_watchdog_keepalive),
		T(test_watchdog_ready_counts_as_ping),
		T(test_watchdog_for_another_pid_ignored),
		T(test_watchdog_wait_at_least_1ms),
		T(test_ready_reloading_stopping_sent),
		T(test_no_socket_no_op),
	};

	return cmocka_run_group_tests_name("notify", tests, NULL, NULL);
}
