/* test_log — one line per event: "<ISO 8601 UTC with ms> <level> <id>: text",
 * appended to the log file and (optionally) copied to stderr; control
 * characters replaced so an event stays one line; long lines cut with
 * their newline kept; a cut last line ended first; reopen after rotation (SIGHUP) writes to the new
 * file; a failed open keeps the old one; symlinks are not followed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <regex.h>
#include "log.h"
#include "testutil.h"

struct fixture {
	char	*dir;
	char	 path[PATH_MAX];
	struct buf b;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->dir = tu_tmpdir("log");
	tu_path(f->path, "%s/entrustd.log", f->dir);
	buf_init(&f->b);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	log_close();
	log_open(NULL, 0);
	buf_free(&f->b);
	tu_rmrf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static const char *file(struct fixture *f, const char *path)
{
	if (tu_read(path, &f->b) != 0) {
		buf_reset(&f->b);
		buf_add(&f->b, "", 0);
	}
	return f->b.data;
}

static int lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void expect_match(const char *line, const char *pattern)
{
	regex_t re;

	assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	if (regexec(&re, line, 0, NULL, 0) != 0)
		fail_msg("\"%s\" does not match %s", line, pattern);
	regfree(&re);
}

#define TS "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z "

static void test_line_format_levels_and_id(void **state)
{
	struct fixture *f = *state;
	const char *s;
	char *nl;

	assert_int_equal(log_open(f->path, 0), 0);
	log_info("E20261203020000000001", "from=%s type=%s agreements=%d status=accepted", "1101230001",
	    "EntrustRequest", 3);
	log_warn(NULL, "no id");
	log_error("X2600000001", "letter=%s 委托书已过期", "2600000001");
	log_msg(LOG_DEBUG, "D", "debug line");
	s = file(f, f->path);
	assert_int_equal(lines(s), 4);
	nl = strchr(s, '\n');
	*nl = '\0';
	expect_match(s, TS "info E20261203020000000001: from=1101230001 type=EntrustRequest agreements=3 "
	    "status=accepted$");
	s = nl + 1;
	*(nl = strchr(s, '\n')) = '\0';
	expect_match(s, TS "warn entrustd: no id$");	/* no id: the program's name */
	s = nl + 1;
	*(nl = strchr(s, '\n')) = '\0';
	expect_match(s, TS "error X2600000001: letter=2600000001 委托书已过期$");
	s = nl + 1;
	*(nl = strchr(s, '\n')) = '\0';
	expect_match(s, TS "debug D: debug line$");
}

/* Control characters (newline, CR, tab, ESC, DEL) become '?': one event, one line. */
static void test_control_characters_keep_one_line(void **state)
{
	struct fixture *f = *state;
	const char *s;

	assert_int_equal(log_open(f->path, 0), 0);
	log_info("id\nX", "a=1\nfake 2026-01-01T00:00:00.000Z error forged: b=2\r\t\x1b[31m\x7f end");
	s = file(f, f->path);
	assert_int_equal(lines(s), 1);
	assert_non_null(strstr(s, " info id?X: a=1?fake 2026-01-01T00:00:00.000Z error forged: b=2???[31m? end\n"));
}

/* A line longer than the buffer is cut, and still ends in one newline. */
static void test_long_line_cut_with_newline(void **state)
{
	struct fixture *f = *state;
	char big[5000];
	const char *s;
	size_t n;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(log_open(f->path, 0), 0);
	log_info("id", "v=%s", big);
	log_info("id", "after");
	s = file(f, f->path);
	assert_int_equal(lines(s), 2);
	n = strcspn(s, "\n");
	assert_true(n > 1000 && n < 2048);
	assert_non_null(strstr(s + n + 1, " info id: after\n"));
}

/* Appends to what is there (the daemon restarts into the same log). */
static void test_appends_to_existing_file(void **state)
{
	struct fixture *f = *state;
	struct stat st;

	assert_int_equal(tu_writes(f->path, "old line\n"), 0);
	assert_int_equal(chmod(f->path, 0644), 0);
	assert_int_equal(log_open(f->path, 0), 0);
	log_info("id", "new");
	assert_int_equal(strncmp(file(f, f->path), "old line\n", 9), 0);
	assert_int_equal(lines(f->b.data), 2);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);	/* an existing file keeps its mode */
}

/* A last line without its newline (a crash in mid-write) is ended before
 * ours, which starts a line of its own; an empty file gets no blank line. */
static void test_ends_a_cut_last_line_first(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(tu_writes(f->path, "old line\nhalf a li"), 0);
	assert_int_equal(log_open(f->path, 0), 0);
	log_info("id", "new");
	assert_int_equal(strncmp(file(f, f->path), "old line\nhalf a li\n", 19), 0);
	assert_int_equal(lines(f->b.data), 3);
	assert_non_null(strstr(f->b.data, " info id: new\n"));
	log_close();
	assert_int_equal(tu_writes(f->path, ""), 0);
	assert_int_equal(log_open(f->path, 0), 0);
	log_info("id", "first");
	assert_int_not_equal(file(f, f->path)[0], '\n');
	assert_int_equal(lines(f->b.data), 1);
}

/* logrotate moves the file away, SIGHUP reopens: new lines go to the new file. */
static void test_reopen_after_rotation(void **state)
{
	struct fixture *f = *state;
	char rotated[PATH_MAX];

	assert_int_equal(log_open(f->path, 0), 0);
	log_info("id", "before rotation");
	assert_int_equal(rename(f->path, tu_path(rotated, "%s/entrustd.log.1", f->dir)), 0);
	log_info("id", "still to the old file");
	assert_int_equal(log_open(f->path, 0), 0);	/* what SIGHUP does */
	log_info("id", "after reopen");
	assert_int_equal(lines(file(f, rotated)), 2);
	assert_non_null(strstr(f->b.data, "before rotation"));
	assert_non_null(strstr(f->b.data, "still to the old file"));
	assert_int_equal(lines(file(f, f->path)), 1);
	assert_non_null(strstr(f->b.data, "after reopen"));
	/* the new file is created 0640 at most (umask may narrow it): never world-readable */
	{
		struct stat st;

		assert_int_equal(stat(f->path, &st), 0);
		assert_int_equal(st.st_mode & 0777 & ~0640, 0);
	}
}

/* A reopen that fails (folder gone) keeps writing to the file already open. */
static void test_failed_reopen_keeps_old_file(void **state)
{
	struct fixture *f = *state;
	char bad[PATH_MAX];

	assert_int_equal(log_open(f->path, 0), 0);
	assert_int_equal(log_open(tu_path(bad, "%s/missing/dir/entrustd.log", f->dir), 0), -1);
	log_info("id", "kept");
	assert_int_equal(lines(file(f, f->path)), 1);
	assert_non_null(strstr(f->b.data, "kept"));
}

/* The log path is not followed through a symlink (O_NOFOLLOW). */
static void test_symlink_refused(void **state)
{
	struct fixture *f = *state;
	char target[PATH_MAX];

	assert_int_equal(tu_writes(tu_path(target, "%s/target", f->dir), ""), 0);
	assert_int_equal(symlink(target, f->path), 0);
	assert_int_equal(log_open(f->path, 0), -1);
	log_info("id", "nowhere");
	assert_string_equal(file(f, target), "");
}

/* to_stderr copies each line to fd 2; without it stderr stays silent. */
static void test_stderr_copy(void **state)
{
	struct fixture *f = *state;
	char err[PATH_MAX];
	int fd, saved;

	tu_path(err, "%s/stderr", f->dir);
	fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	assert_int_equal(log_open(f->path, 1), 0);
	log_info("id", "both");
	assert_int_equal(log_open(f->path, 0), 0);
	log_info("id", "file only");
	assert_int_equal(log_open(NULL, 1), 0);	/* no file: stderr only */
	log_info("id", "stderr only");
	dup2(saved, 2);
	close(saved);
	close(fd);
	assert_int_equal(lines(file(f, err)), 2);
	assert_non_null(strstr(f->b.data, " info id: both\n"));
	assert_non_null(strstr(f->b.data, " info id: stderr only\n"));
	assert_int_equal(lines(file(f, f->path)), 2);
	assert_null(strstr(f->b.data, "stderr only"));
}

static void test_timestamp_format(void **state)
{
	char ts[32];

	(void)state;
	log_timestamp(ts);
	assert_int_equal(strlen(ts), 24);
	expect_match(ts, "^2[0-9]{3}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\\.[0-9]{3}Z$");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_line_format_levels_and_id),
		T(test_control_characters_keep_one_line),
		T(test_long_line_cut_with_newline),
		T(test_appends_to_existing_file),
		T(test_ends_a_cut_last_line_first),
		T(test_reopen_after_rotation),
		T(test_failed_reopen_keeps_old_file),
		T(test_symlink_refused),
		T(test_stderr_copy),
		T(test_timestamp_format),
	};

	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
