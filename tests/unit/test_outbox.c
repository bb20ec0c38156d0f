/* test_outbox — messages owed to parties (acks R25, notices R26): queued in
 * the caller's transaction, sealed by the hub and written to
 * outbound/<receiver>/<file>, and only then forgotten.  Real store, real
 * hub key (scripts/demo-pki) in temp folders. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "envelope.h"
#include "log.h"
#include "outbox.h"
#include "store.h"
#include "testutil.h"
#include <dirent.h>
#include <sys/syscall.h>

/* syncfs() for libentrust's calls: fails while syncfs_fail is set (the
 * definition here takes precedence over libc's). */
static int syncfs_fail, syncfs_calls;

int syncfs(int fd)
{
	syncfs_calls++;
	if (syncfs_fail) {
		errno = EIO;
		return -1;
	}
	return (int)syscall(SYS_syncfs, fd);
}

struct fixture {
	char			*dir;
	char			 pki[PATH_MAX];
	struct envelope_keys	*keys;
	/* per test */
	char			*tdir;
	char			 outbound[PATH_MAX];
	struct store		*s;
};

static int group_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char ca[PATH_MAX], c[PATH_MAX], k[PATH_MAX], err[256];

	f->dir = tu_tmpdir("outbox");
	tu_path(f->pki, "%s/pki", f->dir);
	if (tu_pki_ec_hub(f->pki) != 0)	/* P-256 hub key: many seals stay quick */
		return -1;
	f->keys = envelope_keys_load(tu_path(ca, "%s/ca.pem", f->pki), tu_path(c, "%s/hub.pem", f->pki),
	    tu_path(k, "%s/hub.key", f->pki), err, sizeof(err));
	if (f->keys == NULL)
		return -1;
	log_open(NULL, 0);	/* outbox logs each file; keep the test output readable */
	*state = f;
	return 0;
}

static int group_teardown(void **state)
{
	struct fixture *f = *state;

	envelope_keys_free(f->keys);
	tu_rmrf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static int setup(void **state)
{
	struct fixture *f = *state;
	char db[PATH_MAX], err[256];

	f->tdir = tu_tmpdir("outbox-t");
	tu_path(f->outbound, "%s/outbound", f->tdir);
	if (mkdir(f->outbound, 0750) != 0)
		return -1;
	f->s = store_open(tu_path(db, "%s/db", f->tdir), 0, err, sizeof(err));
	return f->s ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->s);
	f->s = NULL;
	tu_rmrf(f->tdir);
	free(f->tdir);
	return 0;
}

/* Queue one message in its own committed transaction. */
static void add(struct fixture *f, const char *receiver, const char *name, const char *xml)
{
	store_txn *t = store_begin(f->s);
	struct buf b;

	assert_non_null(t);
	buf_init(&b);
	buf_adds(&b, xml);
	assert_int_equal(outbox_add(f->s, t, receiver, name, &b), 0);
	assert_int_equal(store_commit(t), 0);
	buf_free(&b);
}

static int count_row(void *arg, const void *k, size_t kl, const void *v, size_t vl)
{
	(void)k;
	(void)kl;
	(void)v;
	(void)vl;
	(*(int *)arg)++;
	return 0;
}

static int append_row(void *arg, const void *k, size_t kl, const void *v, size_t vl)
{
	(void)k;
	(void)kl;
	buf_add(arg, v, vl);
	return 0;
}

static int rows(struct fixture *f)
{
	int n = 0;

	assert_int_equal(store_scan(f->s, NULL, SDB_OUTBOX, NULL, 0, count_row, &n), 0);
	return n;
}

/* Queue n messages for receiver in one transaction ("<Notice>i</Notice>", i from 1). */
static void add_many(struct fixture *f, const char *receiver, int n)
{
	store_txn *t = store_begin(f->s);
	char xml[64];
	struct buf b;
	int i;

	assert_non_null(t);
	buf_init(&b);
	for (i = 1; i <= n; i++) {
		snprintf(xml, sizeof(xml), "<Notice>%d</Notice>", i);
		buf_reset(&b);
		buf_adds(&b, xml);
		assert_int_equal(outbox_add(f->s, t, receiver, NULL, &b), 0);
	}
	assert_int_equal(store_commit(t), 0);
	buf_free(&b);
}

/* Open outbound/<receiver>/<name> as a partner would: must be the hub's seal over xml. */
static void expect_file(struct fixture *f, const char *receiver, const char *name, const char *xml)
{
	struct envelope_signer signer;
	struct buf raw, content;
	char p[PATH_MAX], detail[256];
	enum reason r;

	buf_init(&raw);
	buf_init(&content);
	if (tu_read(tu_path(p, "%s/%s/%s", f->outbound, receiver, name), &raw) != 0)
		fail_msg("%s/%s not written", receiver, name);
	r = envelope_open(f->keys, raw.data, raw.len, &content, &signer, detail, sizeof(detail));
	if (r != R_NONE)
		fail_msg("%s/%s: %s %s", receiver, name, reason_code(r), detail);
	assert_string_equal(content.data, xml);
	assert_non_null(strstr(signer.subject, "CN=ENTRUSTHUB"));
	buf_free(&raw);
	buf_free(&content);
}

static void test_R25_ack_written_sealed_and_forgotten(void **state)
{
	struct fixture *f = *state;

	add(f, "1101230001", "ACK_ERP-1.p7m", "<Ack>one</Ack>\n");
	assert_int_equal(rows(f), 1);
	assert_int_equal(outbox_flush(f->s, f->keys, f->outbound), 0);
	expect_file(f, "1101230001", "ACK_ERP-1.p7m", "<Ack>one</Ack>\n");
	assert_int_equal(rows(f), 0);
	/* Nothing else in the folder (no temp files). */
	assert_int_equal(tu_count(f->outbound, NULL, NULL, 0), 1);
	assert_int_equal(tu_count(tu_path((char[PATH_MAX]){0}, "%s/1101230001", f->outbound), NULL, NULL, 0), 1);
}

/* R26: a notice without a name gets NTC_<12-digit seq>.p7m. */
static void test_R26_notice_named_by_seq(void **state)
{
	struct fixture *f = *state;

	add(f, "4101W68006", NULL, "<Notice>1</Notice>");
	add(f, "1101230001", "ACK_x.p7m", "<Ack/>");
	add(f, "4101W68006", NULL, "<Notice>3</Notice>");
	assert_int_equal(outbox_flush(f->s, f->keys, f->outbound), 0);
	expect_file(f, "4101W68006", "NTC_000000000001.p7m", "<Notice>1</Notice>");
	expect_file(f, "4101W68006", "NTC_000000000003.p7m", "<Notice>3</Notice>");
	expect_file(f, "1101230001", "ACK_x.p7m", "<Ack/>");
	assert_int_equal(tu_count(tu_path((char[PATH_MAX]){0}, "%s/4101W68006", f->outbound), NULL, NULL, 0), 2);
}

/* R27: rows queued with a prefix are named "<prefix>_<12-digit seq>.p7m". */
static void test_R27_prefixed_rows_named_by_seq(void **state)
{
	struct fixture *f = *state;
	store_txn *t = store_begin(f->s);
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "<Agreement/>");
	assert_int_equal(outbox_add(f->s, t, "4101W68006", NULL, &b), 0);
	assert_int_equal(outbox_add_seq(f->s, t, "0100HG0001", "EXP", &b), 0);
	assert_int_equal(store_commit(t), 0);
	assert_int_equal(outbox_flush(f->s, f->keys, f->outbound), 0);
	expect_file(f, "4101W68006", "NTC_000000000001.p7m", "<Agreement/>");
	expect_file(f, "0100HG0001", "EXP_000000000002.p7m", "<Agreement/>");
	buf_free(&b);
}

/* A flushed row is gone: a second flush does not write it again. */
static void test_flushed_rows_not_emitted_again(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX];

	add(f, "1101230001", "ACK_a.p7m", "<Ack>a</Ack>");
	assert_int_equal(outbox_flush(f->s, f->keys, f->outbound), 0);
	assert_int_equal(unlink(tu_path(p, "%s/1101230001/ACK_a.p7m", f->outbound)), 0);
	assert_int_equal(outbox_flush(f->s, f->keys, f->outbound), 0);
	assert_false(tu_exists(p));
	assert_int_equal(rows(f), 0);
}

/* A row queued in an aborted transaction never existed. */
static void test_aborted_add_emits_nothing(void **state)
{
	struct fixture *f = *state;
	store_txn *t = store_begin(f->s);
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "<Ack/>");
	assert_int_equal(outbox_add(f->s, t, "1101230001", "ACK_gone.p7m", &b), 0);
	store_abort(t);
	assert_int_equal(rows(f), 0);
	assert_int_equal(outbox_flush(f->s, f->keys, f->outbound), 0);
	assert_int_equal(tu_count(f->outbound, NULL, NULL, 0), 0);
	buf_free(&b);
}

/* The same file name again (a replayed ack) replaces, never duplicates;
 * rows go out in queue order, so the later one is what stays. */
static void test_R25_same_name_replaces_in_order(void **state)
{
	struct fixture *f = *state;

	add(f, "1101230001", "ACK_m.p7m", "<Ack>first</Ack>");
	add(f, "1101230001", "ACK_m.p7m", "<Ack>second</Ack>");
	assert_int_equal(outbox_flush(f->s, f->keys, f->outbound), 0);
	expect_file(f, "1101230001", "ACK_m.p7m", "<Ack>second</Ack>");
	assert_int_equal(tu_count(tu_path((char[PATH_MAX]){0}, "%s/1101230001", f->outbound), NULL, NULL, 0), 1);
	assert_int_equal(rows(f), 0);
}

/* A file that cannot be written keeps its row; the others go out. */
static void test_write_failure_keeps_row(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX];

	/* A regular file where the receiver's folder should be. */
	assert_int_equal(tu_writes(tu_path(p, "%s/4101W68006", f->outbound), "in the way"), 0);
	add(f, "4101W68006", NULL, "<Notice>blocked</Notice>");
	add(f, "1101230001", "ACK_ok.p7m", "<Ack>ok</Ack>");
	assert_int_equal(outbox_flush(f->s, f->keys, f->outbound), -1);
	expect_file(f, "1101230001", "ACK_ok.p7m", "<Ack>ok</Ack>");
	assert_int_equal(rows(f), 1);
	/* Again: still failing, nothing lost, the written one not repeated. */
	assert_int_equal(unlink(tu_path(p, "%s/1101230001/ACK_ok.p7m", f->outbound)), 0);
	assert_int_equal(outbox_flush(f->s, f->keys, f->outbound), -1);
	assert_false(tu_exists(p));
	assert_int_equal(rows(f), 1);
	/* The operator clears the way: the notice goes out under its original name. */
	assert_int_equal(unlink(tu_path(p, "%s/4101W68006", f->outbound)), 0);
	assert_int_equal(outbox_flush(f->s, f->keys, f->outbound), 0);
	expect_file(f, "4101W68006", "NTC_000000000001.p7m", "<Notice>blocked</Notice>");
	assert_int_equal(rows(f), 0);
}

/* Files of a round are made durable by syncfs, before and after their renames
 * (not an fsync each).  A failed sync publishes nothing and keeps every row:
 * no file in place, no temp file left, all written on the next flush. */
static void test_sync_failure_publishes_nothing(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX];
	struct dirent *d;
	DIR *dp;

	add(f, "1101230001", "ACK_a.p7m", "<Ack>a</Ack>");
	add(f, "4101W68006", NULL, "<Notice>b</Notice>");
	syncfs_fail = 1;
	assert_int_equal(outbox_flush(f->s, f->keys, f->outbound), -1);
	syncfs_fail = 0;
	assert_false(tu_exists(tu_path(p, "%s/1101230001/ACK_a.p7m", f->outbound)));
	assert_int_equal(rows(f), 2);
	assert_non_null(dp = opendir(tu_path(p, "%s/1101230001", f->outbound)));
	while ((d = readdir(dp)) != NULL)
		if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
			fail_msg("left in outbound/1101230001/: %s", d->d_name);
	closedir(dp);
	syncfs_calls = 0;
	assert_int_equal(outbox_flush(f->s, f->keys, f->outbound), 0);
	assert_int_equal(syncfs_calls, 2);	/* one file system: once for the data, once for the renames */
	expect_file(f, "1101230001", "ACK_a.p7m", "<Ack>a</Ack>");
	expect_file(f, "4101W68006", "NTC_000000000002.p7m", "<Notice>b</Notice>");
	assert_int_equal(rows(f), 0);
}

/* More rows than one flush batch: all go out, none twice. */
static void test_many_rows(void **state)
{
	struct fixture *f = *state;
	char name[32], xml[64], dir[PATH_MAX];
	int i;

	add_many(f, "4101W68006", 140);		/* more than two batches of 64 */
	assert_int_equal(outbox_flush(f->s, f->keys, f->outbound), 0);
	assert_int_equal(rows(f), 0);
	assert_int_equal(tu_count(tu_path(dir, "%s/4101W68006", f->outbound), ".p7m", NULL, 0), 140);
	for (i = 1; i <= 140; i += 23) {
		snprintf(name, sizeof(name), "NTC_%012d.p7m", i);
		snprintf(xml, sizeof(xml), "<Notice>%d</Notice>", i);
		expect_file(f, "4101W68006", name, xml);
	}
}

/* A failure among many rows: after it is cleared, everything is out exactly once. */
static void test_many_rows_with_a_failure(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX], dir[PATH_MAX];
	int i, rc;

	assert_int_equal(tu_writes(tu_path(p, "%s/0100HG0001", f->outbound), "x"), 0);
	add(f, "0100HG0001", NULL, "<Notice>customs</Notice>");
	add_many(f, "4101W68006", 70);
	assert_int_equal(outbox_flush(f->s, f->keys, f->outbound), -1);
	assert_true(rows(f) >= 1);
	assert_int_equal(unlink(p), 0);
	for (i = 0; i < 3 && (rc = outbox_flush(f->s, f->keys, f->outbound)) != 0; i++)
		;
	assert_int_equal(rc, 0);
	assert_int_equal(rows(f), 0);
	assert_int_equal(tu_count(tu_path(dir, "%s/4101W68006", f->outbound), NULL, NULL, 0), 70);
	assert_int_equal(tu_count(tu_path(dir, "%s/0100HG0001", f->outbound), NULL, NULL, 0), 1);
}

static void test_empty_flush(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(outbox_flush(f->s, f->keys, f->outbound), 0);
	assert_int_equal(tu_count(f->outbound, NULL, NULL, 0), 0);
}

/* R25: an Ack kept in the seen table is queued by naming it there (one copy
 * in the store, issue #7); the file written is that answer, also after a
 * restart, and the seen record stays for replays. */
static void test_R25_ack_named_in_seen_written_from_there(void **state)
{
	struct fixture *f = *state;
	static const char ack[] = "<Ack>kept once</Ack>";
	char db[PATH_MAX], err[256];
	store_txn *t;
	struct buf v;

	add(f, "4101W68006", NULL, "<Notice>copied</Notice>");	/* beside a row holding its XML */
	t = store_begin(f->s);
	assert_non_null(t);
	assert_int_equal(store_put(f->s, t, SDB_SEEN, "1101230001|ERP-9", 16, ack, strlen(ack)), 0);
	assert_int_equal(outbox_add_seen(f->s, t, "1101230001", "ACK_ERP-9.p7m", "1101230001|ERP-9"), 0);
	assert_int_equal(store_commit(t), 0);
	buf_init(&v);
	assert_int_equal(store_scan(f->s, NULL, SDB_OUTBOX, NULL, 0, append_row, &v), 0);
	assert_non_null(memmem(v.data, v.len, "<Notice>copied</Notice>", 23));
	assert_null(memmem(v.data, v.len, ack, strlen(ack)));	/* the Ack's row holds no copy */
	store_close(f->s);
	f->s = store_open(tu_path(db, "%s/db", f->tdir), 0, err, sizeof(err));
	assert_non_null(f->s);
	assert_int_equal(outbox_flush(f->s, f->keys, f->outbound), 0);
	expect_file(f, "1101230001", "ACK_ERP-9.p7m", ack);
	expect_file(f, "4101W68006", "NTC_000000000001.p7m", "<Notice>copied</Notice>");
	assert_int_equal(rows(f), 0);
	assert_int_equal(store_get(f->s, NULL, SDB_SEEN, "1101230001|ERP-9", 16, &v), 0);
	assert_int_equal(v.len, strlen(ack));
	buf_free(&v);
}

/* Rows survive a restart of the store (crash between commit and flush). */
static void test_rows_survive_reopen(void **state)
{
	struct fixture *f = *state;
	char db[PATH_MAX], err[256];

	add(f, "1101230001", "ACK_crash.p7m", "<Ack>durable</Ack>");
	store_close(f->s);
	f->s = store_open(tu_path(db, "%s/db", f->tdir), 0, err, sizeof(err));
	assert_non_null(f->s);
	assert_int_equal(rows(f), 1);
	assert_int_equal(outbox_flush(f->s, f->keys, f->outbound), 0);
	expect_file(f, "1101230001", "ACK_crash.p7m", "<Ack>durable</Ack>");
}

/* Forget the written rows of o in a transaction of their own. */
static void forget(struct fixture *f, struct outbox_set *o)
{
	store_txn *t = store_begin(f->s);

	assert_non_null(t);
	assert_int_equal(outbox_forget(f->s, t, o), 0);
	assert_int_equal(store_commit(t), 0);
}

/* The pipeline writes ahead (issue #7): one syncfs per round makes its temp
 * files durable together with the renames of the round placed before, whose
 * result is then final; outbox_write_settle ends the last round.  A round's
 * files are in place as soon as it is written ahead. */
static void test_write_ahead_one_sync_per_round(void **state)
{
	struct fixture *f = *state;
	struct outbox_set *a, *b;
	uint64_t last;
	int more;

	add(f, "1101230001", "ACK_a.p7m", "<Ack>a</Ack>");
	assert_non_null(a = outbox_collect(f->s, 0, &last, &more));
	syncfs_calls = 0;
	assert_int_equal(outbox_write_ahead(a, NULL, f->keys, f->outbound, NULL, NULL), 0);
	assert_int_equal(syncfs_calls, 1);
	expect_file(f, "1101230001", "ACK_a.p7m", "<Ack>a</Ack>");
	add(f, "4101W68006", NULL, "<Notice>b</Notice>");
	assert_non_null(b = outbox_collect(f->s, last, &last, &more));	/* only the new row */
	assert_int_equal(last, 2);
	assert_int_equal(outbox_write_ahead(b, a, f->keys, f->outbound, NULL, NULL), 0);	/* a is final */
	assert_int_equal(syncfs_calls, 2);
	forget(f, a);
	assert_int_equal(rows(f), 1);
	assert_int_equal(outbox_write_settle(b), 0);
	assert_int_equal(syncfs_calls, 3);
	forget(f, b);
	assert_int_equal(rows(f), 0);
	expect_file(f, "4101W68006", "NTC_000000000002.p7m", "<Notice>b</Notice>");
	outbox_set_free(a);
	outbox_set_free(b);
}

/* A sync that fails while a round is placed: that round's rows do not count
 * as written (they stay, and the next flush writes them again), and the
 * round being written places nothing. */
static void test_write_ahead_sync_failure_keeps_rows(void **state)
{
	struct fixture *f = *state;
	struct outbox_set *a, *b;
	char p[PATH_MAX];
	uint64_t last;
	int more;

	add(f, "1101230001", "ACK_a.p7m", "<Ack>a</Ack>");
	assert_non_null(a = outbox_collect(f->s, 0, &last, &more));
	assert_int_equal(outbox_write_ahead(a, NULL, f->keys, f->outbound, NULL, NULL), 0);
	add(f, "4101W68006", NULL, "<Notice>b</Notice>");
	assert_non_null(b = outbox_collect(f->s, last, &last, &more));
	syncfs_fail = 1;
	assert_int_equal(outbox_write_ahead(b, a, f->keys, f->outbound, NULL, NULL), -1);
	syncfs_fail = 0;
	forget(f, a);
	forget(f, b);
	assert_int_equal(rows(f), 2);
	assert_false(tu_exists(tu_path(p, "%s/4101W68006/NTC_000000000002.p7m", f->outbound)));
	assert_int_equal(outbox_flush(f->s, f->keys, f->outbound), 0);
	assert_int_equal(rows(f), 0);
	expect_file(f, "1101230001", "ACK_a.p7m", "<Ack>a</Ack>");
	expect_file(f, "4101W68006", "NTC_000000000002.p7m", "<Notice>b</Notice>");
	outbox_set_free(a);
	outbox_set_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_R25_ack_written_sealed_and_forgotten, setup, teardown),
		cmocka_unit_test_setup_teardown(test_R26_notice_named_by_seq, setup, teardown),
		cmocka_unit_test_setup_teardown(test_R27_prefixed_rows_named_by_seq, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flushed_rows_not_emitted_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aborted_add_emits_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_R25_same_name_replaces_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_failure_keeps_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_failure_publishes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_ahead_one_sync_per_round, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_ahead_sync_failure_keeps_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_rows_with_a_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rows_survive_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_R25_ack_named_in_seen_written_from_there, setup, teardown),
	};

	return cmocka_run_group_tests_name("outbox", tests, group_setup, group_teardown);
}
