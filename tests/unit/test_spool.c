/* test_spool — the spool folders and the moves of an envelope through them:
 * name filter, settle time, claim into work/ under a unique ID, archive
 * by day, reject with a reason file, never replacing an existing file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/time.h>
#include "safeio.h"
#include "spool.h"
#include "testutil.h"

/* A frozen clock for spool's IDs: gettimeofday() defined here takes
 * precedence over libc's for libentrust's calls; when frozen it answers the
 * same microsecond every time, so a burst of claims falls in one millisecond. */
static int clock_frozen;
static struct timeval frozen_at;

int gettimeofday(struct timeval *tv, void *tz)
{
	struct timespec ts;

	(void)tz;
	if (clock_frozen) {
		*tv = frozen_at;
		return 0;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	tv->tv_sec = ts.tv_sec;
	tv->tv_usec = ts.tv_nsec / 1000;
	return 0;
}

struct fixture {
	char		*dir;
	struct spool	 s;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char root[PATH_MAX];

	f->dir = tu_tmpdir("spool");
	if (spool_init(&f->s, tu_path(root, "%s/spool", f->dir)) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tu_rmrf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* Drop a file in inbound/ with an mtime age_ms in the past. */
static void drop(struct fixture *f, const char *name, long age_ms)
{
	char p[PATH_MAX];
	struct timeval now, tv[2];

	assert_int_equal(tu_writes(tu_path(p, "%s/%s", f->s.inbound, name), "envelope"), 0);
	gettimeofday(&now, NULL);
	now.tv_sec -= age_ms / 1000;
	now.tv_usec -= (age_ms % 1000) * 1000;
	if (now.tv_usec < 0) {
		now.tv_usec += 1000000;
		now.tv_sec--;
	}
	tv[0] = tv[1] = now;
	assert_int_equal(utimes(p, tv), 0);
}

static void test_init_creates_folders(void **state)
{
	struct fixture *f = *state;
	const char *dirs[] = {f->s.inbound, f->s.work, f->s.archive, f->s.error, f->s.outbound, f->s.log};
	char p[PATH_MAX];
	struct stat st;
	size_t i;

	for (i = 0; i < 6; i++) {
		assert_int_equal(stat(dirs[i], &st), 0);
		assert_true(S_ISDIR(st.st_mode));
	}
	assert_string_equal(f->s.inbound, tu_path(p, "%s/spool/inbound", f->dir));
	assert_string_equal(f->s.archive, tu_path(p, "%s/spool/archive", f->dir));
	/* Again on existing folders: fine. */
	assert_int_equal(spool_init(&f->s, tu_path(p, "%s/spool", f->dir)), 0);
}

static void test_init_fails_on_file(void **state)
{
	struct fixture *f = *state;
	struct spool s;
	char p[PATH_MAX];

	assert_int_equal(tu_writes(tu_path(p, "%s/plain", f->dir), "x"), 0);
	assert_int_equal(spool_init(&s, p), -1);
}

/* Table: which names are taken from inbound/. */
struct name_row {
	const char	*name;
	int		 ok;
};

static const struct name_row names[] = {
	{"a", 1},
	{"request.p7m", 1},
	{"A-1_b.c", 1},
	{"0", 1},
	{"a..b", 1},
	{"x.tmp.p7m", 1},
	{"x.partial", 1},
	{"", 0},
	{".hidden", 0},
	{"-dash", 0},
	{"_under", 0},
	{"a b", 0},
	{"a/b", 0},
	{"a\\b", 0},
	{"a:b", 0},
	{"a\nb", 0},
	{"x.tmp", 0},
	{"x.part", 0},
	{"委托.p7m", 0},
	{"a~", 0},
};

static void test_table_name_ok(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (spool_name_ok(names[i].name) != names[i].ok)
			fail_msg("\"%s\": got %d, want %d", names[i].name, !names[i].ok, names[i].ok);
}

static void test_name_length_limit(void **state)
{
	char name[SPOOL_NAME_MAX + 2];

	(void)state;
	memset(name, 'n', sizeof(name));
	name[SPOOL_NAME_MAX] = '\0';
	assert_true(spool_name_ok(name));	/* 128 characters */
	name[SPOOL_NAME_MAX] = 'n';
	name[SPOOL_NAME_MAX + 1] = '\0';
	assert_false(spool_name_ok(name));	/* 129 */
}

static void test_ready_filters_and_sorts(void **state)
{
	struct fixture *f = *state;
	struct spool_list l;
	char p[PATH_MAX];

	drop(f, "c.p7m", 5000);
	drop(f, "a.p7m", 5000);
	drop(f, "b.p7m", 5000);
	drop(f, "fresh.p7m", 0);
	drop(f, "x.tmp", 5000);
	drop(f, ".x.p7m", 5000);
	drop(f, "bad name", 5000);
	assert_int_equal(mkdir(tu_path(p, "%s/.sub", f->s.inbound), 0700), 0);
	assert_int_equal(spool_ready(&f->s, 1000, &l), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.waiting, 1);		/* fresh.p7m, for a later scan; bad names are not counted */
	assert_string_equal(l.names[0], "a.p7m");
	assert_string_equal(l.names[1], "b.p7m");
	assert_string_equal(l.names[2], "c.p7m");
	spool_list_free(&l);
	assert_null(l.names);
	assert_int_equal(l.n, 0);

	/* settle 0: the fresh one too. */
	assert_int_equal(spool_ready(&f->s, 0, &l), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.names[3], "fresh.p7m");
	spool_list_free(&l);
}

static void test_ready_settle_boundary(void **state)
{
	struct fixture *f = *state;
	struct spool_list l;

	drop(f, "old.p7m", 3000);
	assert_int_equal(spool_ready(&f->s, 2500, &l), 0);
	assert_int_equal(l.n, 1);
	spool_list_free(&l);
	assert_int_equal(spool_ready(&f->s, 60000, &l), 0);
	assert_int_equal(l.n, 0);
	spool_list_free(&l);
}

/* Issue #2: a file written in place is taken once it is closed and settled.
 * One whose writer still has it open is left alone whatever its age. */
static void test_ready_waits_for_writer_to_close(void **state)
{
	struct fixture *f = *state;
	struct spool_list l;
	char p[PATH_MAX];
	int w;

	drop(f, "open.p7m", 5000);
	drop(f, "closed.p7m", 5000);
	assert_true((w = open(tu_path(p, "%s/open.p7m", f->s.inbound), O_WRONLY | O_APPEND)) >= 0);
	assert_int_equal(spool_ready(&f->s, 1000, &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.waiting, 1);
	assert_string_equal(l.names[0], "closed.p7m");
	spool_list_free(&l);
	close(w);
	assert_int_equal(spool_ready(&f->s, 0, &l), 0);
	assert_int_equal(l.n, 2);
	spool_list_free(&l);
}

/* An ID is E + 17 digits of UTC time + 2 digits. */
static void check_work_name(const char *work_name, const char *name)
{
	size_t i;

	assert_int_equal(strlen(work_name), 20 + 1 + strlen(name));
	assert_int_equal(work_name[0], 'E');
	for (i = 1; i < 20; i++)
		if (work_name[i] < '0' || work_name[i] > '9')
			fail_msg("%s: not a digit at %zu", work_name, i);
	assert_int_equal(work_name[20], '_');
	assert_string_equal(work_name + 21, name);
}

static void test_claim_moves_into_work(void **state)
{
	struct fixture *f = *state;
	char wn[SPOOL_WORK_MAX], p[PATH_MAX], y[16];
	struct buf b;
	time_t now = time(NULL);
	struct tm tm;

	drop(f, "req.p7m", 0);
	assert_int_equal(spool_claim(&f->s, "req.p7m", wn, sizeof(wn)), 0);
	check_work_name(wn, "req.p7m");
	gmtime_r(&now, &tm);
	snprintf(y, sizeof(y), "%04d", tm.tm_year + 1900);
	assert_memory_equal(wn + 1, y, 4);	/* UTC year */
	assert_false(tu_exists(tu_path(p, "%s/req.p7m", f->s.inbound)));
	buf_init(&b);
	assert_int_equal(tu_read(tu_path(p, "%s/%s", f->s.work, wn), &b), 0);
	assert_string_equal(b.data, "envelope");
	buf_free(&b);
}

/* Another taker won: ENOENT, nothing created. */
static void test_claim_missing_is_enoent(void **state)
{
	struct fixture *f = *state;
	char wn[SPOOL_WORK_MAX];

	errno = 0;
	assert_int_equal(spool_claim(&f->s, "gone.p7m", wn, sizeof(wn)), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(tu_count(f->s.work, NULL, NULL, 0), 0);
}

static void test_claim_name_too_long_for_buffer(void **state)
{
	struct fixture *f = *state;
	char wn[16];

	drop(f, "req.p7m", 0);
	errno = 0;
	assert_int_equal(spool_claim(&f->s, "req.p7m", wn, sizeof(wn)), -1);
	assert_int_equal(errno, ENAMETOOLONG);
	assert_int_equal(tu_count(f->s.inbound, NULL, NULL, 0), 1);
}

/* Many claims in one millisecond (the clock frozen): IDs stay unique and
 * increasing — past 100 in a millisecond the ID's clock moves ahead. */
static void test_claim_ids_unique_and_increasing(void **state)
{
	struct fixture *f = *state;
	enum { N = 250 };
	char (*wn)[SPOOL_WORK_MAX] = calloc(N, SPOOL_WORK_MAX), name[32];
	int i;

	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "m%03d", i);
		drop(f, name, 0);
	}
	gettimeofday(&frozen_at, NULL);
	frozen_at.tv_sec += 3600;	/* later than any ID taken so far */
	clock_frozen = 1;
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "m%03d", i);
		assert_int_equal(spool_claim(&f->s, name, wn[i], SPOOL_WORK_MAX), 0);
		check_work_name(wn[i], name);
		if (i > 0 && strncmp(wn[i - 1], wn[i], 20) >= 0)
			fail_msg("id %.20s after %.20s", wn[i], wn[i - 1]);
	}
	clock_frozen = 0;
	/* 250 IDs from one frozen millisecond: the first 100 share it, then
	 * the ID's millisecond moves on (…00, …99, then the next ms at 00). */
	assert_memory_equal(wn[0] + 18, "00", 2);
	assert_memory_equal(wn[99] + 18, "99", 2);
	assert_memory_equal(wn[100] + 18, "00", 2);
	assert_memory_not_equal(wn[99], wn[100], 18);
	assert_int_equal(tu_count(f->s.work, NULL, NULL, 0), N);
	free(wn);
}

static void test_work_lists_everything_sorted(void **state)
{
	struct fixture *f = *state;
	struct spool_list l;
	char p[PATH_MAX];

	assert_int_equal(tu_writes(tu_path(p, "%s/E2_b", f->s.work), "x"), 0);
	assert_int_equal(tu_writes(tu_path(p, "%s/E1_a", f->s.work), "x"), 0);
	assert_int_equal(tu_writes(tu_path(p, "%s/.E0_tmp", f->s.work), "x"), 0);
	assert_int_equal(spool_work(&f->s, &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.names[0], "E1_a");
	assert_string_equal(l.names[1], "E2_b");
	spool_list_free(&l);
}

static void test_archive_by_utc_day(void **state)
{
	struct fixture *f = *state;
	char wn[SPOOL_WORK_MAX], p[PATH_MAX];
	time_t t = 1796342399;	/* 2026-12-03T23:59:59Z (already Dec 4 in China) */

	drop(f, "a.p7m", 0);
	assert_int_equal(spool_claim(&f->s, "a.p7m", wn, sizeof(wn)), 0);
	assert_int_equal(spool_archive(&f->s, wn, t), 0);
	assert_true(tu_exists(tu_path(p, "%s/20261203/%s", f->s.archive, wn)));
	assert_int_equal(tu_count(f->s.work, NULL, NULL, 0), 0);
}

/* RENAME_NOREPLACE: an existing archived file is never replaced. */
static void test_archive_never_replaces(void **state)
{
	struct fixture *f = *state;
	char wn[SPOOL_WORK_MAX], p[PATH_MAX], d[PATH_MAX];
	struct buf b;

	drop(f, "a.p7m", 0);
	assert_int_equal(spool_claim(&f->s, "a.p7m", wn, sizeof(wn)), 0);
	assert_int_equal(safeio_mkdirs(tu_path(d, "%s/19700102", f->s.archive), 0750), 0);
	assert_int_equal(tu_writes(tu_path(p, "%s/%s", d, wn), "older"), 0);
	errno = 0;
	assert_int_equal(spool_archive(&f->s, wn, 86400), -1);
	assert_int_equal(errno, EEXIST);
	buf_init(&b);
	assert_int_equal(tu_read(p, &b), 0);
	assert_string_equal(b.data, "older");
	assert_true(tu_exists(tu_path(p, "%s/%s", f->s.work, wn)));
	buf_free(&b);
}

static void test_reject_writes_reason_then_moves(void **state)
{
	struct fixture *f = *state;
	char wn[SPOOL_WORK_MAX], p[PATH_MAX];
	struct buf b;

	drop(f, "bad.p7m", 0);
	assert_int_equal(spool_claim(&f->s, "bad.p7m", wn, sizeof(wn)), 0);
	assert_int_equal(spool_reject(&f->s, wn, "code: SIG_INVALID\nrule: R1\n"), 0);
	assert_true(tu_exists(tu_path(p, "%s/%s", f->s.error, wn)));
	buf_init(&b);
	assert_int_equal(tu_read(tu_path(p, "%s/%s.reason", f->s.error, wn), &b), 0);
	assert_string_equal(b.data, "code: SIG_INVALID\nrule: R1\n");
	assert_int_equal(tu_count(f->s.work, NULL, NULL, 0), 0);
	assert_int_equal(tu_count(f->s.error, NULL, NULL, 0), 2);
	buf_free(&b);
}

/* A reject of an envelope no longer in work/: the reason is written, the move fails. */
static void test_reject_missing_envelope_fails(void **state)
{
	struct fixture *f = *state;

	errno = 0;
	assert_int_equal(spool_reject(&f->s, "E0000_missing", "code: X\n"), -1);
	assert_int_equal(errno, ENOENT);
}

/* Table: names and IDs of work names. */
struct part_row {
	const char	*work_name;
	const char	*original;
	const char	*id;
};

static const struct part_row parts[] = {
	{"E2026120310000012300_req.p7m", "req.p7m", "E2026120310000012300"},
	{"E2026120310000012300_a_b_c", "a_b_c", "E2026120310000012300"},
	{"E1_", "", "E1"},
	{"noid", "noid", "noid"},
};

static void test_table_name_parts(void **state)
{
	char id[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		assert_string_equal(spool_original_name(parts[i].work_name), parts[i].original);
		spool_work_id(parts[i].work_name, id, sizeof(id));
		assert_string_equal(id, parts[i].id);
	}
	/* The id is cut to the buffer, always terminated. */
	spool_work_id("E2026120310000012300_x", id, 5);
	assert_string_equal(id, "E202");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_creates_folders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_fails_on_file, setup, teardown),
		cmocka_unit_test(test_table_name_ok),
		cmocka_unit_test(test_name_length_limit),
		cmocka_unit_test_setup_teardown(test_ready_filters_and_sorts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ready_settle_boundary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ready_waits_for_writer_to_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim_moves_into_work, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim_missing_is_enoent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim_name_too_long_for_buffer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim_ids_unique_and_increasing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_work_lists_everything_sorted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_archive_by_utc_day, setup, teardown),
		cmocka_unit_test_setup_teardown(test_archive_never_replaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reject_writes_reason_then_moves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reject_missing_envelope_fails, setup, teardown),
		cmocka_unit_test(test_table_name_parts),
	};

	return cmocka_run_group_tests_name("spool", tests, NULL, NULL);
}
