/* test_store — the Berkeley DB environment: raw access, prefix scans,
 * counters (R7), transactions, durability across close/open, records
 * through codec, and log files leaving the store after a checkpoint
 * (deleted, or moved to the log archive; never while a backup holds
 * backup.lock), and the regions in shared memory.  Real Berkeley DB in a temp folder. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "codec.h"
#include "log.h"
#include "store.h"
#include "testutil.h"
#include <fcntl.h>
#include <db.h>
#include <sys/file.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

struct fixture {
	char		*dir;
	char		 db[PATH_MAX];
	struct store	*s;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	f->dir = tu_tmpdir("store");
	tu_path(f->db, "%s/db", f->dir);
	f->s = store_open(f->db, 0, err, sizeof(err));
	if (f->s == NULL) {
		fprintf(stderr, "store_open: %s\n", err);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->s);
	tu_rmrf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static void reopen(struct fixture *f)
{
	char err[256];

	store_close(f->s);
	f->s = store_open(f->db, 0, err, sizeof(err));
	assert_non_null(f->s);
}

static void test_open_creates_folder_and_databases(void **state)
{
	struct fixture *f = *state;
	static const char *names[] = {"letters.db", "agreements.db", "live.db", "by_letter.db",
	    "seen.db", "outbox.db", "counters.db", "by_party.db", "accounts.db", "topups.db",
	    "registrations.db", "expiry.db", "audit.db"};
	char p[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!tu_exists(tu_path(p, "%s/%s", f->db, names[i])))
			fail_msg("%s missing", names[i]);
}

static void test_open_fails_with_reason(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX], err[256] = "";

	/* A regular file where the store folder should be. */
	assert_int_equal(tu_writes(tu_path(p, "%s/file", f->dir), "x"), 0);
	assert_null(store_open(tu_path(p, "%s/file/db", f->dir), 0, err, sizeof(err)));
	assert_non_null(strstr(err, "file/db"));
}

static void test_put_get_del(void **state)
{
	struct fixture *f = *state;
	struct buf v;

	buf_init(&v);
	assert_int_equal(store_get(f->s, NULL, SDB_SEEN, "k", 1, &v), 1);
	assert_int_equal(store_put(f->s, NULL, SDB_SEEN, "k", 1, "v\0w", 3), 0);
	assert_int_equal(store_get(f->s, NULL, SDB_SEEN, "k", 1, &v), 0);
	assert_int_equal(v.len, 3);
	assert_memory_equal(v.data, "v\0w", 3);
	/* Replacing a value. */
	assert_int_equal(store_put(f->s, NULL, SDB_SEEN, "k", 1, "longer value", 12), 0);
	assert_int_equal(store_get(f->s, NULL, SDB_SEEN, "k", 1, &v), 0);
	assert_string_equal(v.data, "longer value");
	/* A NULL val just asks whether the key exists. */
	assert_int_equal(store_get(f->s, NULL, SDB_SEEN, "k", 1, NULL), 0);
	/* Databases are separate. */
	assert_int_equal(store_get(f->s, NULL, SDB_LIVE, "k", 1, &v), 1);
	assert_int_equal(store_del(f->s, NULL, SDB_SEEN, "k", 1), 0);
	assert_int_equal(store_get(f->s, NULL, SDB_SEEN, "k", 1, &v), 1);
	assert_int_equal(store_del(f->s, NULL, SDB_SEEN, "k", 1), 1);
	/* An empty value is a value. */
	assert_int_equal(store_put(f->s, NULL, SDB_BY_LETTER, "e", 1, "", 0), 0);
	assert_int_equal(store_get(f->s, NULL, SDB_BY_LETTER, "e", 1, &v), 0);
	assert_int_equal(v.len, 0);
	buf_free(&v);
}

struct seen_keys {
	char	keys[16][32];
	int	n;
	int	stop_after;
};

static int collect(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct seen_keys *s = arg;

	(void)val;
	(void)vlen;
	assert_true(klen < sizeof(s->keys[0]));
	memcpy(s->keys[s->n], key, klen);
	s->keys[s->n][klen] = '\0';
	s->n++;
	return s->stop_after && s->n >= s->stop_after;
}

static void put_keys(struct fixture *f, enum store_db db, const char *const *keys)
{
	for (; *keys; keys++)
		assert_int_equal(store_put(f->s, NULL, db, *keys, strlen(*keys), "", 0), 0);
}

/* by_letter is scanned by "letter|" prefix: the rows of one letter, in order. */
static void test_scan_prefix(void **state)
{
	static const char *const keys[] = {"2600000002|20260000000003", "2600000001|20260000000002",
	    "2600000001|20260000000001", "26000000010|x", "2600000000|z", "3", NULL};
	struct fixture *f = *state;
	struct seen_keys s;

	put_keys(f, SDB_BY_LETTER, keys);
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_scan(f->s, NULL, SDB_BY_LETTER, "2600000001|", 11, collect, &s), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.keys[0], "2600000001|20260000000001");
	assert_string_equal(s.keys[1], "2600000001|20260000000002");

	/* No prefix: everything, sorted. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_scan(f->s, NULL, SDB_BY_LETTER, NULL, 0, collect, &s), 0);
	assert_int_equal(s.n, 6);
	assert_string_equal(s.keys[0], "2600000000|z");
	assert_string_equal(s.keys[5], "3");

	/* A prefix past every key, and one before every key that matches none. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_scan(f->s, NULL, SDB_BY_LETTER, "9", 1, collect, &s), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(store_scan(f->s, NULL, SDB_BY_LETTER, "1", 1, collect, &s), 0);
	assert_int_equal(s.n, 0);
}

static void test_scan_stops_when_told(void **state)
{
	static const char *const keys[] = {"a1", "a2", "a3", "a4", NULL};
	struct fixture *f = *state;
	struct seen_keys s;

	put_keys(f, SDB_SEEN, keys);
	memset(&s, 0, sizeof(s));
	s.stop_after = 2;
	assert_int_equal(store_scan(f->s, NULL, SDB_SEEN, "a", 1, collect, &s), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.keys[1], "a2");
}

static void test_scan_empty_database(void **state)
{
	struct fixture *f = *state;
	struct seen_keys s;

	memset(&s, 0, sizeof(s));
	assert_int_equal(store_scan(f->s, NULL, SDB_OUTBOX, NULL, 0, collect, &s), 0);
	assert_int_equal(s.n, 0);
}

/* R7: counters start at 1, are independent, and survive a restart. */
static void test_R7_counters_start_at_one_and_persist(void **state)
{
	struct fixture *f = *state;
	uint64_t v = 0;
	struct buf raw;

	assert_int_equal(store_next(f->s, NULL, "L2026", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(store_next(f->s, NULL, "L2026", &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(store_next(f->s, NULL, "A2026", &v), 0);
	assert_int_equal(v, 1);
	reopen(f);
	assert_int_equal(store_next(f->s, NULL, "L2026", &v), 0);
	assert_int_equal(v, 3);
	/* Stored as 8 bytes big-endian. */
	buf_init(&raw);
	assert_int_equal(store_get(f->s, NULL, SDB_COUNTERS, "L2026", 5, &raw), 0);
	assert_int_equal(raw.len, 8);
	assert_memory_equal(raw.data, "\0\0\0\0\0\0\0\3", 8);
	buf_free(&raw);
}

/* A counter value taken in an aborted transaction was never used: it comes again. */
static void test_R7_counter_in_aborted_txn_rolls_back(void **state)
{
	struct fixture *f = *state;
	store_txn *t;
	uint64_t v = 0;

	t = store_begin(f->s);
	assert_non_null(t);
	assert_int_equal(store_next(f->s, t, "A2026", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(store_next(f->s, t, "A2026", &v), 0);
	assert_int_equal(v, 2);
	store_abort(t);
	t = store_begin(f->s);
	assert_int_equal(store_next(f->s, t, "A2026", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(store_commit(t), 0);
	assert_int_equal(store_next(f->s, NULL, "A2026", &v), 0);
	assert_int_equal(v, 2);
}

static uint64_t next_of(struct fixture *f, store_txn *t, const char *name)
{
	uint64_t v = 0;

	assert_int_equal(store_next(f->s, t, name, &v), 0);
	return v;
}

/* R7 numbers taken in a child go on in its parent when it commits, and come
 * again when it aborts; the outermost commit writes the last one (issue #7:
 * counted in memory, one write per counter and transaction). */
static void test_R7_counters_in_child_transactions(void **state)
{
	struct fixture *f = *state;
	store_txn *t, *c, *g;
	struct buf raw;
	int i;

	t = store_begin(f->s);
	assert_int_equal(next_of(f, t, "A2026"), 1);
	c = store_begin_child(f->s, t);
	assert_int_equal(next_of(f, c, "A2026"), 2);
	assert_int_equal(next_of(f, c, "A2026"), 3);
	assert_int_equal(next_of(f, c, "L2026"), 1);
	assert_int_equal(store_commit(c), 0);
	assert_int_equal(next_of(f, t, "A2026"), 4);
	assert_int_equal(next_of(f, t, "L2026"), 2);
	c = store_begin_child(f->s, t);
	assert_int_equal(next_of(f, c, "A2026"), 5);
	store_abort(c);
	assert_int_equal(next_of(f, t, "A2026"), 5);	/* the aborted child's 5 comes again */
	c = store_begin_child(f->s, t);
	g = store_begin_child(f->s, c);
	assert_int_equal(next_of(f, g, "A2026"), 6);
	assert_int_equal(store_commit(g), 0);
	assert_int_equal(next_of(f, c, "A2026"), 7);
	assert_int_equal(store_commit(c), 0);
	for (i = 0; i < 1000; i++)
		next_of(f, t, "outbox");
	assert_int_equal(store_commit(t), 0);

	reopen(f);
	buf_init(&raw);
	assert_int_equal(store_get(f->s, NULL, SDB_COUNTERS, "A2026", 5, &raw), 0);
	assert_memory_equal(raw.data, "\0\0\0\0\0\0\0\7", 8);
	assert_int_equal(store_get(f->s, NULL, SDB_COUNTERS, "outbox", 6, &raw), 0);
	assert_memory_equal(raw.data, "\0\0\0\0\0\0\3\350", 8);
	buf_free(&raw);
	assert_int_equal(next_of(f, NULL, "L2026"), 3);
	t = store_begin(f->s);
	assert_int_equal(next_of(f, t, "A2026"), 8);
	store_abort(t);
	assert_int_equal(next_of(f, NULL, "A2026"), 8);
}

static void test_txn_abort_discards_commit_keeps(void **state)
{
	struct fixture *f = *state;
	store_txn *t;

	t = store_begin(f->s);
	assert_int_equal(store_put(f->s, t, SDB_LIVE, "a|b", 3, "1", 2), 0);
	assert_int_equal(store_get(f->s, t, SDB_LIVE, "a|b", 3, NULL), 0);	/* visible inside */
	store_abort(t);
	assert_int_equal(store_get(f->s, NULL, SDB_LIVE, "a|b", 3, NULL), 1);

	t = store_begin(f->s);
	assert_int_equal(store_put(f->s, t, SDB_LIVE, "a|b", 3, "2", 2), 0);
	assert_int_equal(store_del(f->s, t, SDB_LIVE, "nope", 4), 1);
	assert_int_equal(store_commit(t), 0);
	reopen(f);
	assert_int_equal(store_get(f->s, NULL, SDB_LIVE, "a|b", 3, NULL), 0);
}

static void fill_letter(struct letter *l)
{
	memset(l, 0, sizeof(*l));
	strcpy(l->number, "2600000007");
	strcpy(l->consignor.code, "1101230001");
	strcpy(l->consignor.name, "北京示例贸易有限公司");
	strcpy(l->broker.code, "4101W68006");
	strcpy(l->initiator, "1101230001");
	strcpy(l->mode, "B");
	strcpy(l->matters, "AC");
	l->validity_months = 6;
	l->auto_confirm = 1;
	l->status = LS_CONFIRMED;
	l->created_at = 1796256000;
	l->valid_until = 1811980800;
	l->agreement_count = 3;
}

static void test_letter_put_get(void **state)
{
	struct fixture *f = *state;
	struct letter l, got;

	fill_letter(&l);
	assert_int_equal(store_letter_get(f->s, NULL, l.number, &got), 1);
	assert_int_equal(store_letter_put(f->s, NULL, &l), 0);
	reopen(f);
	memset(&got, 0x55, sizeof(got));
	assert_int_equal(store_letter_get(f->s, NULL, "2600000007", &got), 0);
	assert_memory_equal(&got, &l, sizeof(l));
	/* Keyed by number, without the NUL. */
	assert_int_equal(store_get(f->s, NULL, SDB_LETTERS, "2600000007", 10, NULL), 0);
}

static void test_agreement_put_get(void **state)
{
	struct fixture *f = *state;
	struct agreement a, got;

	memset(&a, 0, sizeof(a));
	strcpy(a.number, "20260000000001");
	strcpy(a.letter, "2600000001");
	strcpy(a.ref, "r-1");
	strcpy(a.goods_name, "笔记本电脑");
	strcpy(a.payer, "broker");
	a.status = ST_DECLARABLE;
	a.has_broker_half = 1;
	strcpy(a.fee, "300.00");
	a.updated_at = -1;
	assert_int_equal(store_agreement_put(f->s, NULL, &a), 0);
	assert_int_equal(store_agreement_get(f->s, NULL, a.number, &got), 0);
	assert_memory_equal(&got, &a, sizeof(a));
	assert_int_equal(store_agreement_get(f->s, NULL, "20260000000002", &got), 1);
}

/* A record that does not decode is a store error, not a silent empty record. */
static void test_corrupt_record_is_an_error(void **state)
{
	struct fixture *f = *state;
	struct letter l;
	struct agreement a;

	assert_int_equal(store_put(f->s, NULL, SDB_LETTERS, "2600000009", 10, "\x07garbage", 8), 0);
	assert_int_equal(store_letter_get(f->s, NULL, "2600000009", &l), -1);
	assert_int_equal(store_put(f->s, NULL, SDB_AGREEMENTS, "x", 1, "\x01\x01\x00", 3), 0);
	assert_int_equal(store_agreement_get(f->s, NULL, "x", &a), -1);
}

static void test_checkpoint_then_reopen(void **state)
{
	struct fixture *f = *state;
	struct buf v;

	assert_int_equal(store_put(f->s, NULL, SDB_SEEN, "s|m", 3, "<Ack/>", 6), 0);
	store_checkpoint(f->s);
	reopen(f);
	buf_init(&v);
	assert_int_equal(store_get(f->s, NULL, SDB_SEEN, "s|m", 3, &v), 0);
	assert_string_equal(v.data, "<Ack/>");
	buf_free(&v);
}

/* R3-R5: a broker's approved ('A') and pending ('P') registrations are apart. */
static void test_registrations_approved_and_pending(void **state)
{
	struct fixture *f = *state;
	struct registration r, got;

	memset(&r, 0, sizeof(r));
	strcpy(r.code, "4101W68006");
	strcpy(r.name, "approved name");
	r.valid_until = 2000000000;
	assert_int_equal(store_registration_get(f->s, NULL, "4101W68006", 'A', &got), 1);
	assert_int_equal(store_registration_put(f->s, NULL, 'A', &r), 0);
	strcpy(r.name, "pending change");
	r.valid_until = 0;
	assert_int_equal(store_registration_put(f->s, NULL, 'P', &r), 0);
	assert_int_equal(store_registration_get(f->s, NULL, "4101W68006", 'A', &got), 0);
	assert_string_equal(got.name, "approved name");
	assert_int_equal(got.valid_until, 2000000000);
	assert_int_equal(store_registration_get(f->s, NULL, "4101W68006", 'P', &got), 0);
	assert_string_equal(got.name, "pending change");
	assert_int_equal(store_registration_del(f->s, NULL, "4101W68006", 'P'), 0);
	assert_int_equal(store_registration_get(f->s, NULL, "4101W68006", 'P', &got), 1);
	assert_int_equal(store_registration_get(f->s, NULL, "4101W68006", 'A', &got), 0);
	assert_int_equal(store_registration_del(f->s, NULL, "4101W68006", 'P'), 1);
	/* Another broker's code does not see it. */
	assert_int_equal(store_registration_get(f->s, NULL, "4101W68007", 'A', &got), 1);
}

/* R18: an enterprise without a top-up has an empty account (found: 1, zeroed). */
static void test_R18_accounts(void **state)
{
	struct fixture *f = *state;
	struct account a, got;

	memset(&got, 0x55, sizeof(got));
	assert_int_equal(store_account_get(f->s, NULL, "1101230001", &got), 1);
	assert_int_equal(got.purchased, 0);
	assert_int_equal(got.used, 0);
	assert_int_equal(got.in_use, 0);
	a.purchased = 10;
	a.used = 3;
	a.in_use = 2;
	assert_int_equal(store_account_put(f->s, NULL, "1101230001", &a), 0);
	assert_int_equal(store_account_get(f->s, NULL, "1101230001", &got), 0);
	assert_memory_equal(&got, &a, sizeof(a));
	assert_int_equal(store_account_get(f->s, NULL, "4101W68006", &got), 1);
}

/* Big-endian keys sort as the numbers they hold. */
static void test_be64_sorts_by_number(void **state)
{
	static const uint64_t v[] = {0, 1, 255, 256, 65535, 1796256000, UINT64_MAX - 1, UINT64_MAX};
	unsigned char a[8], b[8];
	size_t i;

	(void)state;
	store_be64(a, 0x0102030405060708ULL);
	assert_memory_equal(a, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		store_be64(a, v[i]);
		assert_true(store_get_be64(a) == v[i]);
		if (i > 0) {
			store_be64(b, v[i - 1]);
			assert_true(memcmp(b, a, 8) < 0);
		}
	}
}

/* A child transaction: its writes join the parent's on commit, vanish on abort,
 * and the parent's abort takes back a committed child too. */
static void test_child_transactions(void **state)
{
	struct fixture *f = *state;
	store_txn *parent, *child;

	parent = store_begin(f->s);
	assert_int_equal(store_put(f->s, parent, SDB_SEEN, "p", 1, "", 0), 0);
	child = store_begin_child(f->s, parent);
	assert_non_null(child);
	assert_int_equal(store_put(f->s, child, SDB_SEEN, "c1", 2, "", 0), 0);
	store_abort(child);
	child = store_begin_child(f->s, parent);
	assert_int_equal(store_put(f->s, child, SDB_SEEN, "c2", 2, "", 0), 0);
	assert_int_equal(store_commit(child), 0);
	assert_int_equal(store_get(f->s, parent, SDB_SEEN, "c1", 2, NULL), 1);
	assert_int_equal(store_get(f->s, parent, SDB_SEEN, "c2", 2, NULL), 0);
	assert_int_equal(store_commit(parent), 0);
	assert_int_equal(store_get(f->s, NULL, SDB_SEEN, "p", 1, NULL), 0);
	assert_int_equal(store_get(f->s, NULL, SDB_SEEN, "c2", 2, NULL), 0);
	assert_int_equal(store_get(f->s, NULL, SDB_SEEN, "c1", 2, NULL), 1);

	parent = store_begin(f->s);
	child = store_begin_child(f->s, parent);
	assert_int_equal(store_put(f->s, child, SDB_SEEN, "c3", 2, "", 0), 0);
	assert_int_equal(store_commit(child), 0);
	store_abort(parent);
	assert_int_equal(store_get(f->s, NULL, SDB_SEEN, "c3", 2, NULL), 1);
}

/* Write past the end of the current log file (10 MB each), so that a checkpoint frees it. */
static void fill_log(struct fixture *f, int mb)
{
	static char big[1 << 20];
	char key[16];
	int i;

	memset(big, 'x', sizeof(big));
	for (i = 0; i < mb; i++) {
		snprintf(key, sizeof(key), "big%d", i);
		assert_int_equal(store_put(f->s, NULL, SDB_SEEN, key, strlen(key), big, sizeof(big)), 0);
	}
}

static int exists(const char *dir, const char *name)
{
	char p[PATH_MAX];

	return access(tu_path(p, "%s/%s", dir, name), F_OK) == 0;
}

/* Log files no longer needed leave the store at a checkpoint: not while a backup
 * holds backup.lock, then moved into the archive folder, or deleted without one. */
static void test_log_files_archived_not_during_a_backup(void **state)
{
	struct fixture *f = *state;
	char lock[PATH_MAX], archive[PATH_MAX];
	int fd, removed = -1;

	tu_path(archive, "%s/log-archive", f->dir);
	fill_log(f, 12);
	assert_true(exists(f->db, "log.0000000002"));
	fd = open(tu_path(lock, "%s/backup.lock", f->db), O_RDWR | O_CREAT, 0640);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);	/* as store_backup does */
	assert_int_equal(store_archive_logs(f->s, &removed), 0);
	assert_int_equal(removed, 0);
	assert_true(exists(f->db, "log.0000000001"));
	close(fd);

	store_set_log_archive(f->s, archive);
	assert_int_equal(store_archive_logs(f->s, &removed), 0);
	assert_int_equal(removed, 1);
	assert_false(exists(f->db, "log.0000000001"));
	assert_true(exists(archive, "log.0000000001"));	/* kept, not deleted */
	assert_true(exists(f->db, "log.0000000002"));
	assert_int_equal(store_archive_logs(f->s, &removed), 0);
	assert_int_equal(removed, 0);	/* the current log stays */

	fill_log(f, 11);
	store_set_log_archive(f->s, NULL);
	assert_int_equal(store_archive_logs(f->s, &removed), 0);
	assert_true(removed >= 1);
	assert_false(exists(f->db, "log.0000000002"));
	assert_false(exists(archive, "log.0000000002"));	/* no archive: deleted */
	reopen(f);	/* the store still opens (recovery needs no removed log) */
}

/* A name taken in the archive (a restored store numbers its logs again) is never replaced. */
static void test_log_archive_never_replaces(void **state)
{
	struct fixture *f = *state;
	char archive[PATH_MAX], p[PATH_MAX];
	int removed = -1;

	tu_path(archive, "%s/log-archive", f->dir);
	assert_int_equal(mkdir(archive, 0750), 0);
	assert_int_equal(tu_writes(tu_path(p, "%s/log.0000000001", archive), "older timeline"), 0);
	fill_log(f, 12);
	store_set_log_archive(f->s, archive);
	assert_int_equal(store_archive_logs(f->s, &removed), 0);
	assert_int_equal(removed, 1);
	assert_true(exists(archive, "log.0000000001.1"));
	assert_int_equal(tu_sh("grep -q 'older timeline' '%s/log.0000000001'", archive), 0);
}

/* The regions are in shared memory, not in files of the store folder (a
 * syncfs of that file system would write them out: issue #7); the last
 * process to close removes them. */
static void test_regions_in_shared_memory(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX];
	struct shmid_ds ds;
	struct stat st;
	long key = store_shm_key(f->db);
	int id;

	assert_true(key > 0);
	tu_path(path, "%s/__db.001", f->db);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size < 4096);		/* a stub naming the segments */
	assert_true((id = shmget((key_t)key, 0, 0)) >= 0);
	assert_int_equal(shmctl(id, IPC_STAT, &ds), 0);
	assert_true(ds.shm_nattch >= 1);
	store_close(f->s);
	f->s = NULL;
	assert_true(shmget((key_t)key, 0, 0) < 0);	/* gone with the last user */
	reopen(f);
}

/* A segment of the store's key attached by someone else (another store
 * whose folder hashed alike) is never taken over: the open is refused. */
static void test_regions_refused_when_key_in_use(void **state)
{
	struct fixture *f = *state;
	long key = store_shm_key(f->db);
	char err[256];
	void *at;
	int id;

	store_close(f->s);
	f->s = NULL;
	assert_true((id = shmget((key_t)key, 4096, IPC_CREAT | IPC_EXCL | 0600)) >= 0);
	assert_true((at = shmat(id, NULL, 0)) != (void *)-1);
	assert_null(store_open(f->db, 0, err, sizeof(err)));
	assert_int_equal(shmdt(at), 0);
	assert_int_equal(shmctl(id, IPC_RMID, NULL), 0);
	reopen(f);
}

/* A store whose regions an older version kept in files opens: the files go
 * (they hold nothing durable), the records stay. */
static void test_regions_from_files_replaced(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX];
	struct buf v;
	struct stat st;
	DB_ENV *env;

	assert_int_equal(store_put(f->s, NULL, SDB_SEEN, "k", 1, "old", 3), 0);
	store_close(f->s);
	f->s = NULL;
	assert_int_equal(db_env_create(&env, 0), 0);
	assert_int_equal(env->open(env, f->db, DB_CREATE | DB_INIT_TXN | DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_MPOOL, 0640), 0);
	assert_int_equal(env->close(env, 0), 0);
	tu_path(path, "%s/__db.001", f->db);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size >= 4096);	/* regions in files */
	reopen(f);
	buf_init(&v);
	assert_int_equal(store_get(f->s, NULL, SDB_SEEN, "k", 1, &v), 0);
	assert_int_equal(v.len, 3);
	buf_free(&v);
}

/* A second process (entrustctl beside the daemon) joins the open store's
 * regions; its close leaves them to the first, which goes on. */
static void test_regions_shared_by_a_second_process(void **state)
{
	struct fixture *f = *state;
	struct buf v;
	int status;
	pid_t pid;

	assert_int_equal(store_put(f->s, NULL, SDB_SEEN, "a", 1, "1", 1), 0);
	if ((pid = fork()) == 0) {
		char err[256];
		struct store *s = store_open(f->db, 0, err, sizeof(err));
		int ok;

		buf_init(&v);
		ok = s != NULL && store_get(s, NULL, SDB_SEEN, "a", 1, &v) == 0 && v.len == 1
		    && store_put(s, NULL, SDB_SEEN, "b", 1, "2", 1) == 0;
		store_close(s);
		_exit(ok ? 0 : 1);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(shmget((key_t)store_shm_key(f->db), 0, 0) >= 0);	/* still ours */
	buf_init(&v);
	assert_int_equal(store_get(f->s, NULL, SDB_SEEN, "b", 1, &v), 0);
	buf_free(&v);
	assert_int_equal(store_put(f->s, NULL, SDB_SEEN, "c", 1, "3", 1), 0);
}

/* After a reboot the stub __db.001 names a segment that is gone; a segment
 * now at the store's key belongs to another environment and is refused. */
static void test_regions_refused_when_stub_names_another(void **state)
{
	struct fixture *f = *state;
	unsigned char stub[24] = {0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0xf0, 0xff, 0xff, 0x7f};
	long key = store_shm_key(f->db);
	char path[PATH_MAX], err[256];
	void *at;
	int id;

	store_close(f->s);
	f->s = NULL;
	assert_int_equal(tu_write(tu_path(path, "%s/__db.001", f->db), stub, sizeof(stub)), 0);
	assert_true((id = shmget((key_t)key, 4096, IPC_CREAT | IPC_EXCL | 0600)) >= 0);
	assert_true((at = shmat(id, NULL, 0)) != (void *)-1);
	assert_null(store_open(f->db, 0, err, sizeof(err)));
	assert_int_equal(shmdt(at), 0);
	assert_int_equal(shmctl(id, IPC_RMID, NULL), 0);
	reopen(f);	/* the stub names nothing now: regions made anew */
}

/* A process dies with the store open (its segments stay, unattached), then
 * the machine restarts (they go; the stub __db.001 still names one): the
 * next open makes the regions anew and recovers every commit. */
static void test_regions_after_crash_and_reboot(void **state)
{
	struct fixture *f = *state;
	long key = store_shm_key(f->db);
	struct buf v;
	int status, i, id;
	pid_t pid;

	store_close(f->s);
	f->s = NULL;
	if ((pid = fork()) == 0) {
		char err[256];
		struct store *s = store_open(f->db, 0, err, sizeof(err));

		if (s == NULL || store_put(s, NULL, SDB_SEEN, "k", 1, "v", 1) != 0)
			_exit(1);
		kill(getpid(), SIGKILL);	/* kill -9, the store open */
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	for (i = 0; i < 16; i++)	/* the reboot */
		if ((id = shmget((key_t)(key + i), 0, 0)) >= 0)
			assert_int_equal(shmctl(id, IPC_RMID, NULL), 0);
	reopen(f);
	buf_init(&v);
	assert_int_equal(store_get(f->s, NULL, SDB_SEEN, "k", 1, &v), 0);
	buf_free(&v);
}

/* The bytes of the store's shared-memory regions (key .. key + 15). */
static size_t regions_bytes(long key)
{
	struct shmid_ds ds;
	size_t total = 0;
	int i, id;

	for (i = 0; i < 16; i++)
		if ((id = shmget((key_t)(key + i), 0, 0)) >= 0 && shmctl(id, IPC_STAT, &ds) == 0)
			total += ds.shm_segsz;
	return total;
}

/* store_open's cache size (conf store_cache_mib) is the cache the regions
 * hold: the cache is most of the daemon's memory (issue #7). */
static void test_cache_size_as_asked(void **state)
{
	struct fixture *f = *state;
	long key = store_shm_key(f->db);
	char err[256];
	size_t small, large;

	store_close(f->s);
	assert_non_null(f->s = store_open(f->db, 8, err, sizeof(err)));
	small = regions_bytes(key);
	store_close(f->s);
	assert_non_null(f->s = store_open(f->db, 40, err, sizeof(err)));
	large = regions_bytes(key);
	if (small < (8u << 20) || large < small + (32u << 20))
		fail_msg("regions of %zu bytes with an 8 MiB cache, %zu with 40 MiB", small, large);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_creates_folder_and_databases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_fails_with_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_get_del, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_stops_when_told, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_empty_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_R7_counters_start_at_one_and_persist, setup, teardown),
		cmocka_unit_test_setup_teardown(test_R7_counter_in_aborted_txn_rolls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_R7_counters_in_child_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_txn_abort_discards_commit_keeps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_letter_put_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_agreement_put_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_record_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint_then_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_registrations_approved_and_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_R18_accounts, setup, teardown),
		cmocka_unit_test(test_be64_sorts_by_number),
		cmocka_unit_test_setup_teardown(test_child_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_files_archived_not_during_a_backup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_archive_never_replaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_regions_in_shared_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_regions_refused_when_key_in_use, setup, teardown),
		cmocka_unit_test_setup_teardown(test_regions_from_files_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_regions_shared_by_a_second_process, setup, teardown),
		cmocka_unit_test_setup_teardown(test_regions_refused_when_stub_names_another, setup, teardown),
		cmocka_unit_test_setup_teardown(test_regions_after_crash_and_reboot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_size_as_asked, setup, teardown),
	};

	log_open(NULL, 0);	/* store errors are expected in some tests: keep stderr quiet */
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
