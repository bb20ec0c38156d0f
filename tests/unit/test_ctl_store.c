/* test_ctl_store — entrustctl backup, verify and checkpoint on a real
 * Berkeley DB store: a backup holds the records and opens (after recovery)
 * on its own; backup never targets the store itself, however the folder is
 * spelled; verify finds a damaged database and names it; a checkpoint
 * removes log files no longer needed and keeps every record. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "ctl_store.h"
#include "testctl.h"

#define ME	"1101230001"
#define BR	"4101W68006"
#define L1	"2600000001"
#define A1	"20260000000001"

static int setup(void **state)
{
	struct tc *t = calloc(1, sizeof(*t));

	tc_init(t, "ctlstore");
	tc_letter(tc_store(t), L1, ME, BR, LS_CONFIRMED, 0);
	tc_agreement(tc_store(t), A1, L1, ME, BR, ST_DECLARABLE, 1796263200, 0);
	*state = t;
	return 0;
}

/* Whether the store at dir opens and holds agreement A1 in status 2. */
static int holds_a1(const char *dir)
{
	struct agreement a;
	struct store *s;
	char err[256];
	int ok;

	if ((s = store_open(dir, 0, err, sizeof(err))) == NULL)
		return 0;
	ok = store_agreement_get(s, NULL, A1, &a) == 0 && a.status == ST_DECLARABLE;
	store_close(s);
	return ok;
}

static void test_backup_holds_the_records(void **state)
{
	struct tc *t = *state;
	char bk[PATH_MAX], want[3 * PATH_MAX];
	int n;

	tu_path(bk, "%s/backup", t->dir);
	assert_int_equal(tc_run(t, ctl_backup, TC_ARGV(bk)), CTL_OK);
	n = tu_count(bk, NULL, NULL, 0);
	assert_true(n >= SDB_COUNT);		/* every database and at least one log file */
	assert_int_equal(tu_count(bk, ".db", NULL, 0), SDB_COUNT);
	snprintf(want, sizeof(want), "backup %s: ok 备份完成, %d files; restore 恢复: db_recover -c -h %s\n", bk, n, bk);
	assert_string_equal(tc_out(t), want);
	/* again, JSON: the folder is emptied first, the count is the same */
	tu_writes(tu_path(t->p, "%s/stale.db", bk), "x");
	assert_int_equal(tc_run(t, ctl_backup, TC_ARGV(bk, "--json")), CTL_OK);
	assert_false(tu_exists(t->p));
	snprintf(want, sizeof(want), "{\"backup\":\"ok\",\"dir\":\"%s\",\"files\":%d}\n", bk, n);
	assert_string_equal(tc_out(t), want);
	store_close(t->c.store);	/* the live store closed: the backup stands alone */
	t->c.store = NULL;
	assert_true(holds_a1(bk));
}

/* backup DIR empties DIR first: the store's own folder, spelled any way, is refused
 * and the store keeps its records. */
static void test_backup_never_into_the_store(void **state)
{
	struct tc *t = *state;
	const char *db = t->c.conf.store_dir;
	char spelled[4][PATH_MAX];
	size_t i;

	tu_path(spelled[0], "%s", db);
	tu_path(spelled[1], "%s/", db);
	tu_path(spelled[2], "%s/.", db);
	tu_path(spelled[3], "%s/../db", db);
	for (i = 0; i < 4; i++) {
		if (tc_run(t, ctl_backup, TC_ARGV(spelled[i])) != CTL_USAGE)
			fail_msg("backup %s: not refused", spelled[i]);
		assert_non_null(strstr(t->err.data, "must not be the store itself"));
		assert_string_equal(tc_out(t), "");
	}
	assert_int_equal(tu_count(db, ".db", NULL, 0), SDB_COUNT);
	store_close(t->c.store);
	t->c.store = NULL;
	assert_true(holds_a1(db));
}

static void test_backup_unwritable_folder(void **state)
{
	struct tc *t = *state;
	char bk[PATH_MAX];

	tu_writes(tu_path(t->p, "%s/file", t->dir), "x");
	tu_path(bk, "%s/file/backup", t->dir);		/* under a regular file */
	assert_int_equal(tc_run(t, ctl_backup, TC_ARGV(bk)), CTL_STORE);
	assert_non_null(strstr(t->err.data, "backup failed 备份失败"));
	assert_string_equal(tc_out(t), "");
}

static void test_verify_table(void **state)
{
	static const struct {
		const char	*label;
		int		 json, damage, on_backup;
		int		 want_rc;
		const char	*want[4];
	} rows[] = {
		{"the store", 0, 0, 0, CTL_OK, {"+verify ", "+: ok 校验通过\n"}},
		{"the store, JSON", 1, 0, 0, CTL_OK, {"+{\"verify\":\"ok\",\"dir\":\"", "-failed"}},
		{"a backup given as DIR", 0, 0, 1, CTL_OK, {"+/bk: ok 校验通过\n"}},
		{"a damaged database, named", 1, 1, 1, CTL_STORE,
		    {"+{\"verify\":\"failed\",\"dir\":\"", "+\"error\":\"agreements.db: "}},
		{"a damaged database, text", 0, 1, 1, CTL_STORE, {"-ok"}},
	};
	struct tc *t = *state;
	char bk[PATH_MAX], db[PATH_MAX];
	size_t i;
	int rc;

	tu_path(bk, "%s/bk", t->dir);
	assert_int_equal(tc_run(t, ctl_backup, TC_ARGV(bk)), CTL_OK);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (rows[i].damage) {
			static const char junk[8192] = "not a Berkeley DB file";

			assert_int_equal(tu_write(tu_path(db, "%s/agreements.db", bk), junk, sizeof(junk)), 0);
		}
		if (rows[i].on_backup)
			rc = tc_run(t, ctl_verify, rows[i].json ? TC_ARGV(bk, "--json") : TC_ARGV(bk));
		else
			rc = tc_run(t, ctl_verify, rows[i].json ? TC_ARGV("--json") : NULL);
		if (rc != rows[i].want_rc)
			fail_msg("%s: exit %d, want %d (%s)", rows[i].label, rc, rows[i].want_rc, t->err.data);
		tc_expect(rows[i].label, tc_out(t), rows[i].want);
		if (rc == CTL_STORE)
			assert_non_null(strstr(t->err.data, "verify failed 校验失败: agreements.db"));
	}
}

/* Enough committed writes (in a few transactions) to fill several log files
 * of Berkeley DB's default 10 MB. */
static void fill_logs(struct store *s)
{
	char key[32], val[8192];
	store_txn *txn;
	int i, k;

	memset(val, 'v', sizeof(val));
	for (k = 0; k < 4; k++) {
		assert_non_null(txn = store_begin(s));
		for (i = 0; i < 1000; i++) {
			snprintf(key, sizeof(key), "k%d-%06d", k, i);
			assert_int_equal(store_put(s, txn, SDB_COUNTERS, key, strlen(key), val, sizeof(val)), 0);
		}
		assert_int_equal(store_commit(txn), 0);
	}
}

/* Berkeley DB's log files log.0000000001 … in dir. */
static int log_files(const char *dir)
{
	char path[PATH_MAX];
	int i, n = 0;

	for (i = 1; i < 100; i++)
		n += tu_exists(tu_path(path, "%s/log.%010d", dir, i));
	return n;
}

static void test_checkpoint_removes_old_logs_keeps_records(void **state)
{
	struct tc *t = *state;
	const char *db = t->c.conf.store_dir;
	char want[2 * PATH_MAX];
	int before, after;

	fill_logs(tc_store(t));
	before = log_files(db);
	assert_true(before > 1);
	assert_int_equal(tc_run(t, ctl_checkpoint, TC_ARGV("--json")), CTL_OK);
	after = log_files(db);
	assert_true(after >= 1 && after < before);
	snprintf(want, sizeof(want), "{\"checkpoint\":\"ok\",\"dir\":\"%s\",\"logs_removed\":%d", db, before - after);
	assert_int_equal(strncmp(tc_out(t), want, strlen(want)), 0);
	assert_true(tc_out(t)[strlen(want)] == ',' || tc_out(t)[strlen(want)] == '}');	/* the number ends there */
	/* nothing left to remove: text, 0 removed */
	assert_int_equal(tc_run(t, ctl_checkpoint, NULL), CTL_OK);
	snprintf(want, sizeof(want), "checkpoint %s: ok 完成, 0 old log file(s) removed 已删除旧日志文件\n", db);
	assert_string_equal(tc_out(t), want);
	store_close(t->c.store);
	t->c.store = NULL;
	assert_true(holds_a1(db));
}

static void test_store_cannot_open(void **state)
{
	struct tc *t = *state;
	char bk[PATH_MAX];

	store_close(t->c.store);
	t->c.store = NULL;
	tu_writes(tu_path(t->p, "%s/not-a-dir", t->dir), "x");
	strcpy(t->c.conf.store_dir, t->p);
	assert_int_equal(tc_run(t, ctl_checkpoint, NULL), CTL_STORE);
	assert_int_equal(tc_run(t, ctl_backup, TC_ARGV(tu_path(bk, "%s/bk", t->dir))), CTL_STORE);
	assert_false(tu_exists(bk));
	assert_string_equal(tc_out(t), "");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, tc_teardown)
	const struct CMUnitTest tests[] = {
		T(test_backup_holds_the_records),
		T(test_backup_never_into_the_store),
		T(test_backup_unwritable_folder),
		T(test_verify_table),
		T(test_checkpoint_removes_old_logs_keeps_records),
		T(test_store_cannot_open),
	};

	return cmocka_run_group_tests_name("ctl_store", tests, NULL, NULL);
}
