/* faultshim — an LD_PRELOAD library for the crash tests: counts the calls that
 * make data durable or visible (write, pwrite, fsync, fdatasync, syncfs, rename*,
 * unlink*, link*, creating opens, ftruncate) and, at the Nth one, kills the
 * process (SIGKILL, before or after the call) or makes the call fail with an
 * errno, once or from then on.  故障注入：在第 N 次调用时杀死进程或令其失败。
 *
 * Environment:
 *   FAULT_CALLS   comma-separated names to count (default: all of the above)
 *   FAULT_PATH    count only calls on paths under this prefix (fd calls: the
 *                 fd's path from /proc/self/fd); default: every path
 *   FAULT_SKIP    do not count paths containing this substring (e.g. "/log/")
 *   FAULT_AT      N, the counted call to act on (1-based); 0 or unset: none
 *   FAULT_ACTION  kill (default), kill-after, fail, fail-from
 *   FAULT_ERRNO   EIO (default), ENOSPC, EDQUOT, EROFS or a number
 *   FAULT_TRACE   file: one line per counted call "N name path" (append)
 * Built by tests/crash/lib.sh (c_shim): cc -shared -fPIC -o faultshim.so faultshim.c -ldl.
 * Not part of entrust: a test tool only. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

enum action { ACT_KILL, ACT_KILL_AFTER, ACT_FAIL, ACT_FAIL_FROM };

static struct {
	int		 ready;
	char		 calls[512];
	char		 path[PATH_MAX];
	char		 skip[PATH_MAX];
	long		 at;
	enum action	 action;
	int		 err;
	int		 trace_fd;
	long		 count;
} cfg = {.trace_fd = -1};

static int shim_errno(const char *s)
{
	if (s == NULL || *s == '\0' || strcmp(s, "EIO") == 0)
		return EIO;
	if (strcmp(s, "ENOSPC") == 0)
		return ENOSPC;
	if (strcmp(s, "EDQUOT") == 0)
		return EDQUOT;
	if (strcmp(s, "EROFS") == 0)
		return EROFS;
	return atoi(s) > 0 ? atoi(s) : EIO;
}

static void shim_copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

static void shim_init(void)
{
	const char *a;

	if (__atomic_load_n(&cfg.ready, __ATOMIC_ACQUIRE))
		return;
	shim_copy(cfg.calls, sizeof(cfg.calls), getenv("FAULT_CALLS"));
	shim_copy(cfg.path, sizeof(cfg.path), getenv("FAULT_PATH"));
	shim_copy(cfg.skip, sizeof(cfg.skip), getenv("FAULT_SKIP"));
	cfg.at = getenv("FAULT_AT") ? atol(getenv("FAULT_AT")) : 0;
	a = getenv("FAULT_ACTION");
	cfg.action = a == NULL ? ACT_KILL : strcmp(a, "kill-after") == 0 ? ACT_KILL_AFTER
	    : strcmp(a, "fail") == 0 ? ACT_FAIL : strcmp(a, "fail-from") == 0 ? ACT_FAIL_FROM : ACT_KILL;
	cfg.err = shim_errno(getenv("FAULT_ERRNO"));
	if (getenv("FAULT_TRACE"))
		cfg.trace_fd = (int)syscall(SYS_openat, AT_FDCWD, getenv("FAULT_TRACE"),
		    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	__atomic_store_n(&cfg.ready, 1, __ATOMIC_RELEASE);
}

static int shim_wanted(const char *name)
{
	const char *p;
	size_t n = strlen(name);

	if (cfg.calls[0] == '\0')
		return 1;
	for (p = cfg.calls; (p = strstr(p, name)) != NULL; p += n)
		if ((p == cfg.calls || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

static void shim_fd_path(int fd, char *out, size_t n)
{
	char link[64];
	ssize_t len;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	len = readlink(link, out, n - 1);
	out[len < 0 ? 0 : len] = '\0';
}

static void shim_at_path(int dirfd, const char *path, char *out, size_t n)
{
	char dir[PATH_MAX];

	if (path == NULL)
		out[0] = '\0';
	else if (path[0] == '/' || dirfd == AT_FDCWD) {
		if (path[0] != '/' && getcwd(dir, sizeof(dir)) != NULL)
			snprintf(out, n, "%s/%s", dir, path);
		else
			snprintf(out, n, "%s", path);
	} else {
		shim_fd_path(dirfd, dir, sizeof(dir));
		snprintf(out, n, "%s/%s", dir, path);
	}
}

/* Decide for one call: 0 go on, -1 fail it (errno set), 1 kill after the call. */
static int shim_check(const char *name, const char *path)
{
	char line[PATH_MAX + 64];
	long n;
	int len;

	shim_init();
	if (!shim_wanted(name))
		return 0;
	if (cfg.path[0] && strncmp(path, cfg.path, strlen(cfg.path)) != 0)
		return 0;
	if (cfg.skip[0] && strstr(path, cfg.skip) != NULL)
		return 0;
	n = __atomic_add_fetch(&cfg.count, 1, __ATOMIC_SEQ_CST);
	if (cfg.trace_fd >= 0) {
		len = snprintf(line, sizeof(line), "%ld %s %s\n", n, name, path);
		if (len > 0)
			syscall(SYS_write, cfg.trace_fd, line, (size_t)(len < (int)sizeof(line) ? len : (int)sizeof(line) - 1));
	}
	if (cfg.at <= 0 || n < cfg.at)
		return 0;
	if (n == cfg.at && cfg.action == ACT_KILL)
		kill(getpid(), SIGKILL);
	if (n == cfg.at && cfg.action == ACT_KILL_AFTER)
		return 1;
	if ((n == cfg.at && cfg.action == ACT_FAIL) || cfg.action == ACT_FAIL_FROM) {
		errno = cfg.err;
		return -1;
	}
	return 0;
}

#define REAL(ret, name, args) \
	static ret (*real_##name) args; \
	if (real_##name == NULL) \
		real_##name = (ret (*) args)dlsym(RTLD_NEXT, #name)

#define AFTER(verdict, rc) \
	do { \
		if ((verdict) == 1) \
			kill(getpid(), SIGKILL); \
		return (rc); \
	} while (0)

static int shim_fd(const char *name, int fd)
{
	char path[PATH_MAX];

	shim_fd_path(fd, path, sizeof(path));
	return shim_check(name, path);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	REAL(ssize_t, write, (int, const void *, size_t));
	int v = shim_fd("write", fd);

	if (v < 0)
		return -1;
	AFTER(v, real_write(fd, buf, n));
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	REAL(ssize_t, pwrite, (int, const void *, size_t, off_t));
	int v = shim_fd("pwrite", fd);

	if (v < 0)
		return -1;
	AFTER(v, real_pwrite(fd, buf, n, off));
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	REAL(ssize_t, pwrite64, (int, const void *, size_t, off_t));
	int v = shim_fd("pwrite", fd);

	if (v < 0)
		return -1;
	AFTER(v, real_pwrite64(fd, buf, n, off));
}

int fsync(int fd)
{
	REAL(int, fsync, (int));
	int v = shim_fd("fsync", fd);

	if (v < 0)
		return -1;
	AFTER(v, real_fsync(fd));
}

int fdatasync(int fd)
{
	REAL(int, fdatasync, (int));
	int v = shim_fd("fdatasync", fd);

	if (v < 0)
		return -1;
	AFTER(v, real_fdatasync(fd));
}

int syncfs(int fd)
{
	REAL(int, syncfs, (int));
	int v = shim_fd("syncfs", fd);

	if (v < 0)
		return -1;
	AFTER(v, real_syncfs(fd));
}

int ftruncate(int fd, off_t len)
{
	REAL(int, ftruncate, (int, off_t));
	int v = shim_fd("ftruncate", fd);

	if (v < 0)
		return -1;
	AFTER(v, real_ftruncate(fd, len));
}

int rename(const char *from, const char *to)
{
	REAL(int, rename, (const char *, const char *));
	char path[PATH_MAX];
	int v;

	shim_at_path(AT_FDCWD, to, path, sizeof(path));
	if ((v = shim_check("rename", path)) < 0)
		return -1;
	AFTER(v, real_rename(from, to));
}

int renameat(int fd1, const char *from, int fd2, const char *to)
{
	REAL(int, renameat, (int, const char *, int, const char *));
	char path[PATH_MAX];
	int v;

	shim_at_path(fd2, to, path, sizeof(path));
	if ((v = shim_check("renameat", path)) < 0)
		return -1;
	AFTER(v, real_renameat(fd1, from, fd2, to));
}

int renameat2(int fd1, const char *from, int fd2, const char *to, unsigned int flags)
{
	REAL(int, renameat2, (int, const char *, int, const char *, unsigned int));
	char path[PATH_MAX];
	int v;

	shim_at_path(fd2, to, path, sizeof(path));
	if ((v = shim_check("renameat2", path)) < 0)
		return -1;
	AFTER(v, real_renameat2(fd1, from, fd2, to, flags));
}

int unlink(const char *p)
{
	REAL(int, unlink, (const char *));
	char path[PATH_MAX];
	int v;

	shim_at_path(AT_FDCWD, p, path, sizeof(path));
	if ((v = shim_check("unlink", path)) < 0)
		return -1;
	AFTER(v, real_unlink(p));
}

int unlinkat(int fd, const char *p, int flags)
{
	REAL(int, unlinkat, (int, const char *, int));
	char path[PATH_MAX];
	int v;

	shim_at_path(fd, p, path, sizeof(path));
	if ((v = shim_check("unlinkat", path)) < 0)
		return -1;
	AFTER(v, real_unlinkat(fd, p, flags));
}

int link(const char *from, const char *to)
{
	REAL(int, link, (const char *, const char *));
	char path[PATH_MAX];
	int v;

	shim_at_path(AT_FDCWD, to, path, sizeof(path));
	if ((v = shim_check("link", path)) < 0)
		return -1;
	AFTER(v, real_link(from, to));
}

/* Creating opens only: opening to read is not a step that changes anything. */
static int shim_open_check(int dirfd, const char *p, int flags)
{
	char path[PATH_MAX];

	if (!(flags & O_CREAT))
		return 0;
	shim_at_path(dirfd, p, path, sizeof(path));
	return shim_check("open", path);
}

int open(const char *p, int flags, ...)
{
	REAL(int, open, (const char *, int, ...));
	mode_t mode = 0;
	va_list ap;
	int v;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if ((v = shim_open_check(AT_FDCWD, p, flags)) < 0)
		return -1;
	AFTER(v, real_open(p, flags, mode));
}

int open64(const char *p, int flags, ...)
{
	REAL(int, open64, (const char *, int, ...));
	mode_t mode = 0;
	va_list ap;
	int v;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if ((v = shim_open_check(AT_FDCWD, p, flags)) < 0)
		return -1;
	AFTER(v, real_open64(p, flags, mode));
}

int openat(int dirfd, const char *p, int flags, ...)
{
	REAL(int, openat, (int, const char *, int, ...));
	mode_t mode = 0;
	va_list ap;
	int v;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if ((v = shim_open_check(dirfd, p, flags)) < 0)
		return -1;
	AFTER(v, real_openat(dirfd, p, flags, mode));
}
