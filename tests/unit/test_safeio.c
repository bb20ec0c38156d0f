/* test_safeio — safe reads of untrusted spool files and durable writes.
 * Faults (a file changing while read, EINTR, EIO, a failing fsync) are
 * injected by defining read() and fsync() in this test binary: the
 * definitions here take precedence over libc's for libentrust's calls and
 * pass through to the system call unless a test arms them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include "safeio.h"
#include <sys/socket.h>
#include <sys/un.h>
#include "testutil.h"

/* ---- fault injection ---- */
enum hook { HOOK_NONE, HOOK_GROW, HOOK_GROW_MUCH, HOOK_TOUCH, HOOK_EINTR, HOOK_EIO };
static enum hook read_hook;
static char hook_path[PATH_MAX];
static int read_calls;
static int fsync_fail;

static void hook_modify(void)
{
	static const char more[2048] = "more";
	int fd = open(hook_path, O_WRONLY | O_APPEND);
	struct timespec ts[2];
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		abort();
	if (read_hook == HOOK_TOUCH) {
		/* Same size, same second: only the nanoseconds of the mtime move. */
		ts[0] = ts[1] = st.st_mtim;
		ts[1].tv_nsec = (st.st_mtim.tv_nsec + 1) % 1000000000;
		if (ts[1].tv_nsec == 0)
			ts[1].tv_nsec = 2;
		(void)!futimens(fd, ts);
	}
	else if (write(fd, more, read_hook == HOOK_GROW_MUCH ? sizeof(more) : 1) < 0)
		abort();
	close(fd);
}

ssize_t read(int fd, void *b, size_t n)
{
	ssize_t r;

	read_calls++;
	if (read_hook == HOOK_EINTR) {
		read_hook = HOOK_NONE;
		errno = EINTR;
		return -1;
	}
	if (read_hook == HOOK_EIO) {
		errno = EIO;
		return -1;
	}
	r = syscall(SYS_read, fd, b, n);
	if (r > 0 && (read_hook == HOOK_GROW || read_hook == HOOK_GROW_MUCH || read_hook == HOOK_TOUCH)) {
		hook_modify();
		read_hook = HOOK_NONE;
	}
	return r;
}

int fsync(int fd)
{
	if (fsync_fail) {
		errno = EIO;
		return -1;
	}
	return (int)syscall(SYS_fsync, fd);
}

/* ---- fixture ---- */
struct fixture {
	char		*dir;
	struct buf	 out;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->dir = tu_tmpdir("safeio");
	buf_init(&f->out);
	read_hook = HOOK_NONE;
	fsync_fail = 0;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	read_hook = HOOK_NONE;
	fsync_fail = 0;
	buf_free(&f->out);
	tu_rmrf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static void put(struct fixture *f, const char *name, const char *text)
{
	char p[PATH_MAX];

	assert_int_equal(tu_writes(tu_path(p, "%s/%s", f->dir, name), text), 0);
}

static void test_read_regular_file(void **state)
{
	struct fixture *f = *state;

	put(f, "a.p7m", "hello\0ignored");	/* tu_writes stops at the NUL */
	assert_int_equal(safeio_read(f->dir, "a.p7m", 1024, &f->out), SAFEIO_OK);
	assert_int_equal(f->out.len, 5);
	assert_string_equal(f->out.data, "hello");
}

/* Larger than one read() chunk: the whole file arrives. */
static void test_read_large_file_whole(void **state)
{
	struct fixture *f = *state;
	size_t n = 200000, i;
	char p[PATH_MAX], *data = malloc(n);

	for (i = 0; i < n; i++)
		data[i] = (char)(i * 7);
	assert_int_equal(tu_write(tu_path(p, "%s/big", f->dir), data, n), 0);
	assert_int_equal(safeio_read(f->dir, "big", n, &f->out), SAFEIO_OK);
	assert_int_equal(f->out.len, n);
	assert_memory_equal(f->out.data, data, n);
	free(data);
}

/* Table: what a spool file may not be. */
enum kind { K_SYMLINK, K_DANGLING, K_HARDLINK, K_DIR, K_FIFO, K_SOCKET, K_EMPTY, K_BIG, K_AT_MAX, K_MISSING };

struct row {
	const char	*label;
	enum kind	 kind;
	int		 want;
	int		 want_errno;
};

static const struct row rows[] = {
	{"symlink to a file", K_SYMLINK, SAFEIO_UNSAFE, 0},
	{"dangling symlink", K_DANGLING, SAFEIO_UNSAFE, 0},
	{"file with two links", K_HARDLINK, SAFEIO_UNSAFE, 0},
	{"directory", K_DIR, SAFEIO_UNSAFE, 0},
	{"fifo (must not block)", K_FIFO, SAFEIO_UNSAFE, 0},
	{"unix socket (open gives ENXIO)", K_SOCKET, SAFEIO_UNSAFE, 0},
	{"empty file", K_EMPTY, SAFEIO_EMPTY, 0},
	{"one byte over the cap", K_BIG, SAFEIO_TOO_LARGE, 0},
	{"exactly the cap", K_AT_MAX, SAFEIO_OK, 0},
	{"missing file", K_MISSING, SAFEIO_ERROR, ENOENT},
};

static void make_kind(struct fixture *f, enum kind k, const char *name)
{
	char p[PATH_MAX], t[PATH_MAX];

	tu_path(p, "%s/%s", f->dir, name);
	switch (k) {
	case K_SYMLINK:
		put(f, "target", "data");
		assert_int_equal(symlink(tu_path(t, "%s/target", f->dir), p), 0);
		break;
	case K_DANGLING:
		assert_int_equal(symlink("/nonexistent/entrust", p), 0);
		break;
	case K_HARDLINK:
		put(f, "other", "data");
		assert_int_equal(link(tu_path(t, "%s/other", f->dir), p), 0);
		break;
	case K_DIR:
		assert_int_equal(mkdir(p, 0700), 0);
		break;
	case K_FIFO:
		assert_int_equal(mkfifo(p, 0600), 0);
		break;
	case K_SOCKET: {
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);

		assert_true(fd >= 0 && strlen(p) < sizeof(sa.sun_path));
		memcpy(sa.sun_path, p, strlen(p) + 1);
		assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		close(fd);
		break;
	}
	case K_EMPTY:
		assert_int_equal(tu_write(p, "", 0), 0);
		break;
	case K_BIG:
		assert_int_equal(tu_writes(p, "0123456789A"), 0);
		break;
	case K_AT_MAX:
		assert_int_equal(tu_writes(p, "0123456789"), 0);
		break;
	case K_MISSING:
		break;
	}
}

static void test_table_unsafe_files(void **state)
{
	struct fixture *f = *state;
	char name[32];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		snprintf(name, sizeof(name), "f%zu", i);
		make_kind(f, rows[i].kind, name);
		errno = 0;
		rc = safeio_read(f->dir, name, 10, &f->out);
		if (rc != rows[i].want)
			fail_msg("%s: got %d, want %d", rows[i].label, rc, rows[i].want);
		if (rows[i].want_errno && errno != rows[i].want_errno)
			fail_msg("%s: errno %d, want %d", rows[i].label, errno, rows[i].want_errno);
	}
}

static void test_read_missing_folder(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX];

	errno = 0;
	assert_int_equal(safeio_read(tu_path(p, "%s/nope", f->dir), "x", 10, &f->out), SAFEIO_ERROR);
	assert_int_equal(errno, ENOENT);
}

/* Table: a file that changes while it is read is not taken half-written. */
struct change {
	const char	*label;
	enum hook	 hook;
	size_t		 max;
	int		 want;
};

static const struct change changes[] = {
	{"grew by one byte", HOOK_GROW, 1 << 20, SAFEIO_CHANGED},
	{"same size, mtime 1 ns later", HOOK_TOUCH, 1 << 20, SAFEIO_CHANGED},
	{"grew past the cap", HOOK_GROW_MUCH, 1024, SAFEIO_TOO_LARGE},
};

static void test_table_changed_while_read(void **state)
{
	struct fixture *f = *state;
	char name[32];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
		snprintf(name, sizeof(name), "c%zu", i);
		put(f, name, "original content");
		tu_path(hook_path, "%s/%s", f->dir, name);
		read_hook = changes[i].hook;
		rc = safeio_read(f->dir, name, changes[i].max, &f->out);
		read_hook = HOOK_NONE;
		if (rc != changes[i].want)
			fail_msg("%s: got %d, want %d", changes[i].label, rc, changes[i].want);
	}
}

/* A writer that still holds the file open could change it after it was
 * judged: the read says SAFEIO_CHANGED, and safeio_writers tells it apart
 * from a closed file and a file open only for reading.  (As root, or the
 * file's owner, a read lease can be asked; this test owns its files.) */
static void test_writer_still_open(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX];
	int w, r, dfd;

	put(f, "open", "whole content");
	tu_path(p, "%s/open", f->dir);
	assert_true((w = open(p, O_WRONLY | O_APPEND)) >= 0);
	assert_int_equal(safeio_read(f->dir, "open", 1 << 20, &f->out), SAFEIO_CHANGED);
	assert_true((r = open(p, O_RDONLY)) >= 0);
	assert_int_equal(safeio_writers(r), 1);
	assert_true((dfd = open(f->dir, O_RDONLY | O_DIRECTORY)) >= 0);
	assert_int_equal(safeio_writers_at(dfd, "open"), 1);
	close(w);
	assert_int_equal(safeio_writers(r), 0);		/* only readers left */
	assert_int_equal(safeio_writers_at(dfd, "open"), 0);
	assert_int_equal(safeio_read(f->dir, "open", 1 << 20, &f->out), SAFEIO_OK);
	assert_int_equal(f->out.len, strlen("whole content"));
	assert_int_equal(safeio_writers_at(dfd, "missing"), -1);
	assert_int_equal(safeio_writers_at(dfd, "."), -1);	/* not a regular file: never opened */
	close(r);
	close(dfd);
}

static void test_read_retries_after_eintr(void **state)
{
	struct fixture *f = *state;

	put(f, "e", "interrupted");
	read_hook = HOOK_EINTR;
	read_calls = 0;
	assert_int_equal(safeio_read(f->dir, "e", 100, &f->out), SAFEIO_OK);
	assert_string_equal(f->out.data, "interrupted");
	assert_true(read_calls >= 2);
}

static void test_read_error_is_reported(void **state)
{
	struct fixture *f = *state;

	put(f, "e", "unreadable");
	read_hook = HOOK_EIO;
	errno = 0;
	assert_int_equal(safeio_read(f->dir, "e", 100, &f->out), SAFEIO_ERROR);
	assert_int_equal(errno, EIO);
}

static void test_write_atomic_creates_and_replaces(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX];
	struct stat st;

	mode_t old = umask(027);

	assert_int_equal(safeio_write_atomic(f->dir, "ack.p7m", "first", 5), SAFEIO_OK);
	umask(old);
	assert_int_equal(tu_read(tu_path(p, "%s/ack.p7m", f->dir), &f->out), 0);
	assert_string_equal(f->out.data, "first");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	assert_int_equal(safeio_write_atomic(f->dir, "ack.p7m", "second, longer", 14), SAFEIO_OK);
	assert_int_equal(tu_read(p, &f->out), 0);
	assert_string_equal(f->out.data, "second, longer");
	/* Only the file itself: no temp file left behind. */
	assert_int_equal(tu_count(f->dir, NULL, NULL, 0), 1);
	assert_false(tu_exists(tu_path(p, "%s/.ack.p7m.tmp", f->dir)));
	/* Binary content and an empty file. */
	assert_int_equal(safeio_write_atomic(f->dir, "bin", "a\0b", 3), SAFEIO_OK);
	assert_int_equal(tu_read(tu_path(p, "%s/bin", f->dir), &f->out), 0);
	assert_int_equal(f->out.len, 3);
	assert_int_equal(safeio_write_atomic(f->dir, "empty", "", 0), SAFEIO_OK);
	assert_int_equal(stat(tu_path(p, "%s/empty", f->dir), &st), 0);
	assert_int_equal(st.st_size, 0);
}

/* A failing fsync: the old file stays whole and no temp file is left. */
/* A replaced file keeps its mode, and (as root) its owner and group: the
 * registry rewritten by root stays readable by the daemon's user. */
static void test_write_atomic_keeps_owner_and_mode(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX];
	struct stat st;

	put(f, "kept", "old");
	tu_path(p, "%s/kept", f->dir);
	assert_int_equal(chmod(p, 0604), 0);
	if (geteuid() == 0)
		assert_int_equal(chown(p, 1, 2), 0);
	assert_int_equal(safeio_write_atomic(f->dir, "kept", "new", 3), SAFEIO_OK);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0604);
	if (geteuid() == 0) {
		assert_int_equal(st.st_uid, 1);
		assert_int_equal(st.st_gid, 2);
	}
	assert_int_equal(safeio_write_atomic(f->dir, "fresh", "x", 1), SAFEIO_OK);
	assert_int_equal(stat(tu_path(p, "%s/fresh", f->dir), &st), 0);
	assert_int_equal(st.st_mode & 0077 & ~0640, 0);	/* new: never more than 0640 */
}

static void test_write_atomic_fsync_failure_keeps_old(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX];

	assert_int_equal(safeio_write_atomic(f->dir, "x", "old", 3), SAFEIO_OK);
	fsync_fail = 1;
	errno = 0;
	assert_int_equal(safeio_write_atomic(f->dir, "x", "new!", 4), SAFEIO_ERROR);
	assert_int_equal(errno, EIO);
	fsync_fail = 0;
	assert_int_equal(tu_read(tu_path(p, "%s/x", f->dir), &f->out), 0);
	assert_string_equal(f->out.data, "old");
	assert_false(tu_exists(tu_path(p, "%s/.x.tmp", f->dir)));
	assert_int_equal(tu_count(f->dir, NULL, NULL, 0), 1);
}

static void test_write_atomic_errors(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX], longname[PATH_MAX];

	errno = 0;
	assert_int_equal(safeio_write_atomic(tu_path(p, "%s/none", f->dir), "x", "1", 1), SAFEIO_ERROR);
	assert_int_equal(errno, ENOENT);
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	errno = 0;
	assert_int_equal(safeio_write_atomic(f->dir, longname, "1", 1), SAFEIO_ERROR);
	assert_int_equal(errno, ENAMETOOLONG);
	/* The target is a folder: rename fails, the temp file is removed. */
	assert_int_equal(mkdir(tu_path(p, "%s/d", f->dir), 0700), 0);
	assert_int_equal(safeio_write_atomic(f->dir, "d", "1", 1), SAFEIO_ERROR);
	assert_false(tu_exists(tu_path(p, "%s/.d.tmp", f->dir)));
	/* A symlink planted at the temp name is not followed. */
	assert_int_equal(symlink("/tmp/entrust-unit-should-not-exist", tu_path(p, "%s/.s.tmp", f->dir)), 0);
	assert_int_equal(safeio_write_atomic(f->dir, "s", "1", 1), SAFEIO_ERROR);
	assert_false(tu_exists("/tmp/entrust-unit-should-not-exist"));
}

static void test_rename_across_folders(void **state)
{
	struct fixture *f = *state;
	char a[PATH_MAX], b[PATH_MAX], p[PATH_MAX];

	assert_int_equal(mkdir(tu_path(a, "%s/a", f->dir), 0700), 0);
	assert_int_equal(mkdir(tu_path(b, "%s/b", f->dir), 0700), 0);
	assert_int_equal(tu_writes(tu_path(p, "%s/one", a), "1"), 0);
	assert_int_equal(safeio_rename(a, "one", b, "two"), SAFEIO_OK);
	assert_false(tu_exists(p));
	assert_int_equal(tu_read(tu_path(p, "%s/two", b), &f->out), 0);
	assert_string_equal(f->out.data, "1");
	/* Within one folder. */
	assert_int_equal(safeio_rename(b, "two", b, "three"), SAFEIO_OK);
	assert_true(tu_exists(tu_path(p, "%s/three", b)));
	errno = 0;
	assert_int_equal(safeio_rename(a, "missing", b, "x"), SAFEIO_ERROR);
	assert_int_equal(errno, ENOENT);
}

static void test_mkdirs(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX], q[PATH_MAX];
	struct stat st;

	assert_int_equal(safeio_mkdirs(tu_path(p, "%s/a/b/c", f->dir), 0750), SAFEIO_OK);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(safeio_mkdirs(p, 0750), SAFEIO_OK);		/* exists: fine */
	assert_int_equal(safeio_mkdirs(tu_path(p, "%s/t/u/", f->dir), 0750), SAFEIO_OK);
	assert_true(tu_exists(tu_path(q, "%s/t/u", f->dir)));
	/* A file on the way. */
	assert_int_equal(tu_writes(tu_path(q, "%s/file", f->dir), "x"), 0);
	errno = 0;
	assert_int_equal(safeio_mkdirs(tu_path(p, "%s/file/sub", f->dir), 0750), SAFEIO_ERROR);
	assert_int_equal(errno, ENOTDIR);
	assert_int_equal(safeio_fsync_dir(f->dir), SAFEIO_OK);
	assert_int_equal(safeio_fsync_dir(q), SAFEIO_ERROR);
}

static void test_path_joins_or_refuses(void **state)
{
	char out[PATH_MAX], longname[PATH_MAX];

	(void)state;
	assert_int_equal(safeio_path(out, "/spool/work", "E1_a.p7m"), 0);
	assert_string_equal(out, "/spool/work/E1_a.p7m");
	memset(longname, 'n', PATH_MAX - 3);
	longname[PATH_MAX - 3] = '\0';
	assert_int_equal(safeio_path(out, "/a", longname + 1), 0);	/* PATH_MAX - 1 characters */
	assert_int_equal(strlen(out), PATH_MAX - 1);
	errno = 0;
	assert_int_equal(safeio_path(out, "/a", longname), -1);
	assert_int_equal(errno, ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_regular_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_large_file_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_unsafe_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_missing_folder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_changed_while_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_still_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_retries_after_eintr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_error_is_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_atomic_creates_and_replaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_atomic_keeps_owner_and_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_atomic_fsync_failure_keeps_old, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_atomic_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_across_folders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkdirs, setup, teardown),
		cmocka_unit_test(test_path_joins_or_refuses),
	};

	return cmocka_run_group_tests_name("safeio", tests, NULL, NULL);
}
