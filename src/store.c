/* store — Berkeley DB transactional environment, databases and record access. */
#include "store.h"
#include "codec.h"
#include "log.h"
#include "safeio.h"
#include "xmem.h"
#include <db.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>
#include <limits.h>

/* Lock table size: locks and locked objects (pages) held at once. */
#define STORE_MAX_LOCKS 400000
#define STORE_LOCK_BUCKETS 16384

struct store {
	DB_ENV	*env;
	long	 shm_key;	/* of its regions (store_shm_key); 0 before */
	DB	*db[SDB_COUNT];
	char	 dir[PATH_MAX];
	char	 log_archive[PATH_MAX];	/* "": log files no longer needed are deleted */
};

/* A transaction, and the counters it has moved (store_next).  A counter is
 * read once (its lock taken then, as before), counted in memory, and
 * written once when the outermost transaction commits: a batch gives out
 * thousands of audit and outbox numbers, and a logged put for each was a
 * third of the store's writes (issue #7).  A child's counters go to its
 * parent when it commits and are forgotten when it aborts, so a number
 * taken in a rolled-back child comes again, as it did. */
struct store_counter {
	char		 name[32];
	uint64_t	 value;
};

struct store_txn {
	DB_TXN			*db;
	struct store		*s;
	struct store_txn	*parent;
	struct store_counter	*counters;
	int			 ncounters;
	size_t			 capcounters;
};

/* Held (flock, exclusive) by a backup; log files stay while it is held. */
#define STORE_BACKUP_LOCK "backup.lock"

#define STORE_BIG_PAGE	16384	/* for the databases whose values are documents */

static const char *store_db_names[SDB_COUNT] = {
	"letters.db", "agreements.db", "live.db", "by_letter.db", "seen.db",
	"outbox.db", "counters.db", "by_party.db", "accounts.db", "topups.db",
	"registrations.db", "expiry.db", "audit.db",
};

static void store_errcall(const DB_ENV *env, const char *pfx, const char *msg)
{
	(void)env;
	log_error("store", "%s%sdb_error=\"%s\"", pfx ? pfx : "", pfx ? " " : "", msg);
}

/* A database error the process cannot go on from: exit, so a restart recovers. */
static int store_check(int rc, const char *what)
{
	if (rc == 0 || rc == DB_NOTFOUND)
		return rc == 0 ? 0 : 1;
	log_error("store", "op=%s error=\"%s\"", what, db_strerror(rc));
	if (rc == DB_RUNRECOVERY) {
		log_error("store", "run recovery needed 数据库需要恢复: exiting so that a restart recovers");
		exit(4);
	}
	return -1;
}

/* The store's DB_CONFIG is ours: Berkeley DB reads it at open, and one left in
 * store_dir could relax durability (set_flags DB_TXN_NOSYNC, an in-memory log).
 * It is rewritten with this content whenever it differs. */
static const char store_db_config[] =
    "# written by entrust: the daemon owns this file and rewrites it at each start.\n"
    "# 由 entrust 写入：守护进程拥有此文件，每次启动时重写。\n";

static int store_db_config_ours(const char *dir)
{
	struct buf cur;
	int same;

	buf_init(&cur);
	same = safeio_read(dir, "DB_CONFIG", 4096, &cur) == 0 && cur.len == sizeof(store_db_config) - 1
	    && memcmp(cur.data, store_db_config, cur.len) == 0;
	buf_free(&cur);
	return same;
}

static int store_own_db_config(const char *dir)
{
	if (store_db_config_ours(dir)
	    || safeio_write_atomic(dir, "DB_CONFIG", store_db_config, sizeof(store_db_config) - 1) == 0)
		return 0;
	/* Two processes opening a store without DB_CONFIG (a restored backup has none: the
	 * daemon and entrustctl at once) race on the temporary file; the loser finds the
	 * winner's file, which is the same. */
	if (store_db_config_ours(dir))
		return 0;
	log_error("store", "op=db_config dir=%s error=\"cannot write DB_CONFIG 无法写入 DB_CONFIG\"", dir);
	return -1;
}

/* The environment's regions (its cache, log buffer and lock table) live in
 * System V shared memory, not in files of store_dir.  A region file is a
 * shared mapping of a file: every syncfs the outbox made on that file system
 * wrote out each cache page touched since the one before (issue #7: workload
 * A wrote 75 KiB per envelope to the disk, 39 with the regions in memory,
 * and ran 1.3 times as fast).  Every process that opens the store (entrustd,
 * entrustctl) derives the same key from the folder's identity; Berkeley DB
 * numbers its few segments up from it.  'E' in the top byte marks ours in
 * `ipcs -m`. */
#define STORE_SHM_TAG	0x45000000L
#define STORE_SHM_SPAN	16		/* segments a key may number */

static long store_shm_key_of(const struct stat *st)
{
	uint64_t h = (uint64_t)st->st_dev * 0x9E3779B97F4A7C15ull ^ (uint64_t)st->st_ino * 0xC2B2AE3D27D4EB4Full;

	h ^= h >> 29;
	return STORE_SHM_TAG | (long)((h % 0xFFFFFu + 1) * STORE_SHM_SPAN);
}

long store_shm_key(const char *dir)
{
	struct stat st;

	return stat(dir, &st) < 0 ? -1 : store_shm_key_of(&st);
}

/* The segment id that the stub __db.001 of a shared-memory environment
 * names (its first region: Berkeley DB 5.3 writes the region's size, its
 * maximum and that id, 8 bytes each), or -1 if there is no such stub. */
static long store_shm_stub_id(const char *dir)
{
	unsigned char stub[25];		/* one more: a longer file is no stub */
	char path[PATH_MAX];
	long id = 0;
	ssize_t n;
	int fd, i;

	if (safeio_path(path, dir, "__db.001") < 0 || (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return -1;
	n = read(fd, stub, sizeof(stub));
	close(fd);
	if (n != 24)
		return -1;
	for (i = 7; i >= 0; i--)	/* written in the host's order: little-endian here */
		id = id << 8 | stub[16 + i];
	return id;
}

/* Before Berkeley DB opens or creates the regions at key.  A stub that does
 * not name the segment at the key is stale (after a reboot the segment is
 * gone, or its id serves another): Berkeley DB would fail to attach it, or
 * attach another's, so it goes.  Creating its regions, Berkeley DB removes
 * any segment it finds at their keys: refuse if one is attached, which can
 * only be another store's whose folder hashed alike.  0, or -1 (logged). */
static int store_shm_ready(const char *dir, long key)
{
	struct shmid_ds ds;
	char path[PATH_MAX];
	long mine = store_shm_stub_id(dir);
	int i, id;

	if (mine >= 0 && shmget((key_t)key, 0, 0) == mine)
		return 0;	/* its own environment, open or left by a crash */
	if (mine >= 0 && (safeio_path(path, dir, "__db.001") < 0 || unlink(path) < 0)) {
		log_error("store", "op=env_open dir=%s error=\"cannot remove a stale __db.001 无法删除过期的 __db.001: %s\"",
		    dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < STORE_SHM_SPAN; i++)
		if ((id = shmget((key_t)(key + i), 0, 0)) >= 0 && shmctl(id, IPC_STAT, &ds) == 0 && ds.shm_nattch > 0) {
			log_error("store", "op=env_open dir=%s shm_key=0x%lx error=\"shared memory segment in use by another "
			    "environment 共享内存段已被其他环境占用 (ipcs -m; moving the store folder changes its key)\"",
			    dir, key + i);
			return -1;
		}
	return 0;
}

/* A store made before its regions moved to shared memory has them in files
 * (__db.001 of megabytes, where a shared-memory environment keeps a stub of
 * a few bytes): Berkeley DB refuses to join those in system memory.  They
 * hold nothing durable, so they go (refused with EBUSY while a process of
 * the older version still has the store open).  0, or -1 (logged). */
static int store_file_regions_removed(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;
	DB_ENV *env;
	int rc;

	if (safeio_path(path, dir, "__db.001") < 0 || stat(path, &st) < 0 || st.st_size < 4096)
		return 0;
	if ((rc = db_env_create(&env, 0)) == 0 && (rc = env->remove(env, dir, 0)) == 0)
		return 0;
	log_error("store", "op=env_open dir=%s error=\"cannot remove the regions kept in files by an older version "
	    "无法删除旧版本的环境文件 (stop every process using the store): %s\"", dir, db_strerror(rc));
	return -1;
}

/* After the last process closes the environment its segments go (a store
 * folder deleted later leaves none behind); while another has it open,
 * Berkeley DB refuses (EBUSY) and that one removes them. */
static void store_shm_release(const char *dir, long key)
{
	DB_ENV *env;

	if (db_env_create(&env, 0) != 0)
		return;
	env->set_shm_key(env, key);
	(void)env->remove(env, dir, 0);
}

static int store_open_env(struct store *s, const char *dir, long cache_mib)
{
	u_int32_t flags = DB_CREATE | DB_INIT_TXN | DB_INIT_LOCK | DB_INIT_LOG
	    | DB_INIT_MPOOL | DB_THREAD | DB_REGISTER | DB_RECOVER | DB_SYSTEM_MEM;
	int rc, inmem = 0;

	if (store_own_db_config(dir) != 0)
		return -1;
	if ((s->shm_key = store_shm_key(dir)) < 0) {
		log_error("store", "op=env_open dir=%s error=\"%s\"", dir, strerror(errno));
		return -1;
	}
	if (store_file_regions_removed(dir) < 0 || store_shm_ready(dir, s->shm_key) < 0)
		return -1;
	if ((rc = db_env_create(&s->env, 0)) != 0)
		return store_check(rc, "db_env_create");
	s->env->set_errcall(s->env, store_errcall);
	s->env->set_shm_key(s->env, s->shm_key);
	/* The cache is most of the daemon's memory: 12 MiB kept a 1,000-item
	 * receipt batch (workload B) within 64 MiB of RSS at the rate 16 MiB
	 * gave, and 1,000,000 agreements at the rate of 10,000 (issue #7). */
	if ((rc = s->env->set_cachesize(s->env, (u_int32_t)(cache_mib / 1024), (u_int32_t)(cache_mib % 1024) << 20,
	    1)) != 0)
		return store_check(rc, "set_cachesize");
	/* A batch of 256 envelopes logs about 4 MB: with the default 32 KB log
	 * buffer that was a write(2) every 8 envelopes on the serial path. */
	s->env->set_lg_bsize(s->env, 1024 * 1024);
	s->env->set_lk_detect(s->env, DB_LOCK_DEFAULT);
	/* One transaction holds a batch of envelopes, and one customs receipt may
	 * carry 200,000 items (receipt.xsd): the default 1,000 locks would end it
	 * in DB_RUNRECOVERY.  Page locks: a 100,000-item receipt needs ~25,000. */
	s->env->set_lk_max_locks(s->env, STORE_MAX_LOCKS);
	s->env->set_lk_max_objects(s->env, STORE_MAX_LOCKS);
	/* The lock objects' hash table is otherwise one bucket per possible object
	 * (393,209, 8 MiB), touched at random as pages are locked: the daemon's
	 * RSS grew with every envelope until all of it was resident.  A batch
	 * holds about 1,000 locks at once; a huge receipt gets longer chains. */
	s->env->set_lk_tablesize(s->env, STORE_LOCK_BUCKETS);
	rc = s->env->open(s->env, dir, flags, 0640);
	if (rc == 0)	/* and whatever else asked: every commit is durable */
		rc = s->env->set_flags(s->env, DB_TXN_NOSYNC | DB_TXN_WRITE_NOSYNC | DB_TXN_NOT_DURABLE, 0);
	if (rc == 0 && (rc = s->env->log_get_config(s->env, DB_LOG_IN_MEMORY, &inmem)) == 0 && inmem)
		rc = EINVAL;
	return store_check(rc, "env_open");
}

static int store_open_db(struct store *s, enum store_db i)
{
	int rc;

	if ((rc = db_create(&s->db[i], s->env, 0)) != 0)
		return store_check(rc, "db_create");
	/* An Ack kept in seen (1.5-3 KB) or an answer's XML in outbox does not fit
	 * a 4 KB page's item (about 1 KB): each went to an overflow page of its
	 * own, allocated, logged and written out whole (issue #7: workload A's
	 * apply spent 15 % of its time there).  16 KB pages keep them in the leaf.
	 * A store made before keeps its pages (Berkeley DB ignores the size for
	 * an existing database). */
	if ((i == SDB_SEEN || i == SDB_OUTBOX) && (rc = s->db[i]->set_pagesize(s->db[i], STORE_BIG_PAGE)) != 0)
		return store_check(rc, "set_pagesize");
	rc = s->db[i]->open(s->db[i], NULL, store_db_names[i], NULL, DB_BTREE,
	    DB_CREATE | DB_AUTO_COMMIT | DB_THREAD, 0640);
	return store_check(rc, store_db_names[i]);
}

struct store *store_open(const char *dir, long cache_mib, char *err, size_t errlen)
{
	struct store *s = xcalloc(1, sizeof(*s));
	int i;

	if (safeio_mkdirs(dir, 0750) < 0 || strlcopy(s->dir, dir, sizeof(s->dir)) < 0) {
		snprintf(err, errlen, "%s: cannot create store folder 无法创建数据库目录", dir);
		free(s);
		return NULL;
	}
	if (store_open_env(s, dir, cache_mib > 0 ? cache_mib : STORE_CACHE_MIB) != 0) {
		snprintf(err, errlen, "%s: cannot open Berkeley DB environment 无法打开数据库环境", dir);
		store_close(s);
		return NULL;
	}
	for (i = 0; i < SDB_COUNT; i++)
		if (store_open_db(s, (enum store_db)i) != 0) {
			snprintf(err, errlen, "%s/%s: cannot open database 无法打开数据库", dir,
			    store_db_names[i]);
			store_close(s);
			return NULL;
		}
	return s;
}

void store_close(struct store *s)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < SDB_COUNT; i++)
		if (s->db[i])
			s->db[i]->close(s->db[i], 0);
	if (s->env) {
		s->env->txn_checkpoint(s->env, 0, 0, 0);
		s->env->close(s->env, 0);
		if (s->shm_key > 0)
			store_shm_release(s->dir, s->shm_key);
	}
	free(s);
}

void store_checkpoint(struct store *s)
{
	store_check(s->env->txn_checkpoint(s->env, 0, 0, 0), "checkpoint");
}

static store_txn *store_txn_begin(struct store *s, store_txn *parent, const char *what)
{
	store_txn *t = xcalloc(1, sizeof(*t));

	if (store_check(s->env->txn_begin(s->env, parent ? parent->db : NULL, &t->db, 0), what) != 0) {
		free(t);
		return NULL;
	}
	t->s = s;
	t->parent = parent;
	return t;
}

store_txn *store_begin(struct store *s)
{
	return store_txn_begin(s, NULL, "txn_begin");
}

store_txn *store_begin_child(struct store *s, store_txn *parent)
{
	return store_txn_begin(s, parent, "txn_begin_child");
}

static void store_txn_free(store_txn *t)
{
	free(t->counters);
	free(t);
}

static struct store_counter *store_counter_find(store_txn *t, const char *name)
{
	int i;

	for (i = 0; i < t->ncounters; i++)
		if (strcmp(t->counters[i].name, name) == 0)
			return &t->counters[i];
	return NULL;
}

static struct store_counter *store_counter_add(store_txn *t, const char *name, uint64_t value)
{
	struct store_counter *c;

	t->counters = xgrow(t->counters, (size_t)t->ncounters, &t->capcounters, sizeof(*c));
	c = &t->counters[t->ncounters++];
	strlcopy(c->name, name, sizeof(c->name));
	c->value = value;
	return c;
}

/* A counter's value in the store: 8 bytes big-endian. */
static int store_counter_write(struct store *s, store_txn *txn, const char *name, uint64_t value)
{
	unsigned char be[8];

	store_be64(be, value);
	return store_put(s, txn, SDB_COUNTERS, name, strlen(name), be, 8);
}

/* The outermost transaction writes each counter it moved, just before its commit. */
static int store_counters_write(store_txn *t)
{
	int i, rc = 0;

	for (i = 0; i < t->ncounters && rc == 0; i++)
		rc = store_counter_write(t->s, t, t->counters[i].name, t->counters[i].value);
	return rc;
}

/* A child's counters, now committed into its parent, are the parent's. */
static void store_counters_to_parent(store_txn *t)
{
	struct store_counter *c;
	int i;

	for (i = 0; i < t->ncounters; i++) {
		if ((c = store_counter_find(t->parent, t->counters[i].name)) == NULL)
			c = store_counter_add(t->parent, t->counters[i].name, 0);
		c->value = t->counters[i].value;
	}
}

int store_commit(store_txn *txn)
{
	int rc = txn->parent == NULL ? store_counters_write(txn) : 0;

	if (rc != 0)
		store_check(txn->db->abort(txn->db), "txn_abort");
	else if ((rc = store_check(txn->db->commit(txn->db, 0), "txn_commit")) == 0 && txn->parent != NULL)
		store_counters_to_parent(txn);
	store_txn_free(txn);
	return rc;
}

void store_abort(store_txn *txn)
{
	store_check(txn->db->abort(txn->db), "txn_abort");
	store_txn_free(txn);
}

static void store_dbt(DBT *d, const void *p, size_t n)
{
	memset(d, 0, sizeof(*d));
	d->data = (void *)p;
	d->size = (u_int32_t)n;
}

int store_get(struct store *s, store_txn *txn, enum store_db db, const void *key,
    size_t klen, struct buf *val)
{
	DBT k, v;
	int rc;

	store_dbt(&k, key, klen);
	memset(&v, 0, sizeof(v));
	v.flags = DB_DBT_REALLOC;
	rc = store_check(s->db[db]->get(s->db[db], txn ? txn->db : NULL, &k, &v, txn ? DB_RMW : 0), "get");
	if (rc == 0 && val != NULL) {
		buf_reset(val);
		buf_add(val, v.data, v.size);
	}
	free(v.data);
	return rc;
}

int store_put(struct store *s, store_txn *txn, enum store_db db, const void *key,
    size_t klen, const void *val, size_t vlen)
{
	DBT k, v;

	store_dbt(&k, key, klen);
	store_dbt(&v, val, vlen);
	return store_check(s->db[db]->put(s->db[db], txn ? txn->db : NULL, &k, &v, 0), "put");
}

int store_del(struct store *s, store_txn *txn, enum store_db db, const void *key, size_t klen)
{
	DBT k;

	store_dbt(&k, key, klen);
	return store_check(s->db[db]->del(s->db[db], txn ? txn->db : NULL, &k, 0), "del");
}

/* From the first key at or after start; with prefix, only while keys begin with it. */
static int store_walk(struct store *s, store_txn *txn, enum store_db db, const void *start,
    size_t plen, int prefix, int (*fn)(void *, const void *, size_t, const void *, size_t), void *arg)
{
	DBC *c = NULL;
	DBT k, v;
	int rc;

	if (store_check(s->db[db]->cursor(s->db[db], txn ? txn->db : NULL, &c, 0), "cursor") != 0)
		return -1;
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.flags = v.flags = DB_DBT_REALLOC;
	if (plen) {
		k.data = xmalloc(plen);
		memcpy(k.data, start, plen);
		k.size = (u_int32_t)plen;
	}
	rc = c->get(c, &k, &v, plen ? DB_SET_RANGE : DB_FIRST);
	while (rc == 0 && (!prefix || plen == 0 || (k.size >= plen && memcmp(k.data, start, plen) == 0))) {
		if (fn(arg, k.data, k.size, v.data, v.size) != 0)
			break;
		rc = c->get(c, &k, &v, DB_NEXT);
	}
	free(k.data);
	free(v.data);
	c->close(c);
	return store_check(rc == DB_NOTFOUND ? 0 : rc, "scan") < 0 ? -1 : 0;
}

int store_scan(struct store *s, store_txn *txn, enum store_db db, const void *prefix,
    size_t plen, int (*fn)(void *, const void *, size_t, const void *, size_t), void *arg)
{
	return store_walk(s, txn, db, prefix, plen, 1, fn, arg);
}

int store_scan_from(struct store *s, store_txn *txn, enum store_db db, const void *start,
    size_t slen, int (*fn)(void *, const void *, size_t, const void *, size_t), void *arg)
{
	return store_walk(s, txn, db, start, slen, 0, fn, arg);
}

/* The counter's last value in the store (0 when it was never moved). */
static int store_counter_read(struct store *s, store_txn *txn, const char *name, uint64_t *n)
{
	struct buf v;
	int rc;

	buf_init(&v);
	rc = store_get(s, txn, SDB_COUNTERS, name, strlen(name), &v);
	*n = rc == 0 && v.len == 8 ? store_get_be64((const unsigned char *)v.data) : 0;
	buf_free(&v);
	return rc < 0 ? -1 : 0;
}

int store_next(struct store *s, store_txn *txn, const char *name, uint64_t *value)
{
	struct store_counter *c, *up = NULL;
	store_txn *t;
	uint64_t n;

	if (strlen(name) >= sizeof(c->name))
		panic("store: counter name %s too long", name);
	if (txn == NULL)	/* on its own: read and write now */
		return store_counter_read(s, NULL, name, &n) < 0 ? -1 : store_counter_write(s, NULL, name, *value = n + 1);
	if ((c = store_counter_find(txn, name)) == NULL) {
		for (t = txn->parent; t != NULL && up == NULL; t = t->parent)
			up = store_counter_find(t, name);
		if (up != NULL)
			n = up->value;
		else if (store_counter_read(s, txn, name, &n) < 0)
			return -1;
		c = store_counter_add(txn, name, n);
	}
	*value = ++c->value;
	return 0;
}

static int store_record_get(struct store *s, store_txn *txn, enum store_db db,
    const struct codec_schema *schema, const char *key, void *rec)
{
	struct buf v;
	int rc;

	buf_init(&v);
	rc = store_get(s, txn, db, key, strlen(key), &v);
	if (rc == 0 && codec_decode(schema, v.data, v.len, rec) < 0) {
		log_error("store", "db=%s key=%s error=\"corrupt record 记录损坏\"", schema->name, key);
		rc = -1;
	}
	buf_free(&v);
	return rc;
}

static int store_record_put(struct store *s, store_txn *txn, enum store_db db,
    const struct codec_schema *schema, const char *key, const void *rec)
{
	struct buf v;
	int rc;

	buf_init(&v);
	codec_encode(schema, rec, &v);
	rc = store_put(s, txn, db, key, strlen(key), v.data, v.len);
	buf_free(&v);
	return rc;
}

int store_letter_get(struct store *s, store_txn *txn, const char *number, struct letter *l)
{
	return store_record_get(s, txn, SDB_LETTERS, &codec_letter, number, l);
}

int store_letter_put(struct store *s, store_txn *txn, const struct letter *l)
{
	return store_record_put(s, txn, SDB_LETTERS, &codec_letter, l->number, l);
}

int store_agreement_get(struct store *s, store_txn *txn, const char *number, struct agreement *a)
{
	return store_record_get(s, txn, SDB_AGREEMENTS, &codec_agreement, number, a);
}

int store_agreement_put(struct store *s, store_txn *txn, const struct agreement *a)
{
	return store_record_put(s, txn, SDB_AGREEMENTS, &codec_agreement, a->number, a);
}

static void store_reg_key(char key[16], const char *code, char kind)
{
	snprintf(key, 16, "%.10s|%c", code, kind);
}

int store_registration_get(struct store *s, store_txn *txn, const char *code, char kind,
    struct registration *r)
{
	char key[16];

	store_reg_key(key, code, kind);
	return store_record_get(s, txn, SDB_REGISTRATIONS, &codec_registration, key, r);
}

int store_registration_put(struct store *s, store_txn *txn, char kind, const struct registration *r)
{
	char key[16];

	store_reg_key(key, r->code, kind);
	return store_record_put(s, txn, SDB_REGISTRATIONS, &codec_registration, key, r);
}

int store_registration_del(struct store *s, store_txn *txn, const char *code, char kind)
{
	char key[16];

	store_reg_key(key, code, kind);
	return store_del(s, txn, SDB_REGISTRATIONS, key, strlen(key));
}

int store_account_get(struct store *s, store_txn *txn, const char *code, struct account *a)
{
	int rc = store_record_get(s, txn, SDB_ACCOUNTS, &codec_account, code, a);

	if (rc == 1)
		memset(a, 0, sizeof(*a));	/* no top-up yet: an empty account */
	return rc;
}

int store_account_put(struct store *s, store_txn *txn, const char *code, const struct account *a)
{
	return store_record_put(s, txn, SDB_ACCOUNTS, &codec_account, code, a);
}

void store_be64(unsigned char out[8], uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		out[i] = (unsigned char)(v >> (56 - 8 * i));
}

uint64_t store_get_be64(const unsigned char in[8])
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | in[i];
	return v;
}

/* The backup lock of the store, taken with how (LOCK_EX, maybe | LOCK_NB): its fd, or -1. */
static int store_backup_lock(const struct store *s, int how)
{
	char path[PATH_MAX];
	int fd;

	if (safeio_path(path, s->dir, STORE_BACKUP_LOCK) < 0
	    || (fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640)) < 0)
		return -1;
	if (flock(fd, how) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int store_backup(struct store *s, const char *dir)
{
	int lock, rc;

	if (safeio_mkdirs(dir, 0750) < 0)
		return -1;
	/* No log file may go while the copy runs: the copied pages may need any of them. */
	if ((lock = store_backup_lock(s, LOCK_EX)) < 0) {
		log_error("store", "op=backup error=\"cannot lock %s/%s 无法加锁: %s\"", s->dir, STORE_BACKUP_LOCK,
		    strerror(errno));
		return -1;
	}
	rc = store_check(s->env->backup(s->env, dir, DB_CREATE | DB_EXCL | DB_BACKUP_CLEAN), "backup") ? -1 : 0;
	close(lock);
	return rc;
}

int store_verify(const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX];
	DB *db;
	int i, rc;

	for (i = 0; i < SDB_COUNT; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, store_db_names[i]) >= (int)sizeof(path))
			return -1;
		if (access(path, F_OK) < 0)
			continue;	/* not created yet: nothing to check */
		if ((rc = db_create(&db, NULL, 0)) != 0)
			return store_check(rc, "db_create");
		/* DB->verify closes the handle whatever it returns. */
		if ((rc = db->verify(db, path, NULL, NULL, 0)) != 0) {
			snprintf(err, errlen, "%s: %s", store_db_names[i], db_strerror(rc));
			return -1;
		}
	}
	return 0;
}

void store_set_log_archive(struct store *s, const char *dir)
{
	strlcopy(s->log_archive, dir ? dir : "", sizeof(s->log_archive));
}

/* Copy in (open) into dfd as name, durably: .name.tmp, fsync, rename (never over a file). */
static int store_copy_at(int in, int dfd, const char *name)
{
	char tmp[NAME_MAX + 16], buf[65536];
	int out, rc = -1, e;
	ssize_t n;

	snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	unlinkat(dfd, tmp, 0);
	if ((out = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640)) < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) > 0 && write(out, buf, (size_t)n) == n)
		;
	if (n == 0 && fsync(out) == 0)
		rc = renameat2(dfd, tmp, dfd, name, RENAME_NOREPLACE);
	e = errno;
	close(out);
	if (rc < 0)
		unlinkat(dfd, tmp, 0);
	errno = e;
	return rc;
}

/* Copy path into the folder dir as name (another filesystem): 0, or -1 with errno. */
static int store_copy_log(const char *path, const char *dir, const char *name)
{
	int in, dfd, rc = -1, e;

	if ((in = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return -1;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		rc = store_copy_at(in, dfd, name);
		e = errno;
		close(dfd);
		errno = e;
	}
	e = errno;
	close(in);
	errno = e;
	return rc;
}

/* Move the log file path into the archive folder: a rename on one filesystem, else a
 * durable copy first, then the unlink; a name taken already (a restored store numbers
 * its logs again) gets a suffix .1, .2 … — nothing archived is ever replaced. */
static int store_move_log(const char *archive, const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char name[NAME_MAX + 1], to[PATH_MAX];
	int i;

	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), i ? "%s.%d" : "%s", base, i);
		if (safeio_path(to, archive, name) < 0)
			return -1;
		if (renameat2(AT_FDCWD, path, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
			return safeio_fsync_dir(archive);
		if (errno == EXDEV && store_copy_log(path, archive, name) == 0)
			return safeio_fsync_dir(archive) == 0 ? unlink(path) : -1;
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

int store_archive_logs(struct store *s, int *removed)
{
	char **list = NULL, **p;
	int rc, lock;

	*removed = 0;
	store_checkpoint(s);
	if ((lock = store_backup_lock(s, LOCK_EX | LOCK_NB)) < 0)
		return errno == EWOULDBLOCK ? 0 : -1;	/* a backup runs: its logs stay */
	if ((rc = s->env->log_archive(s->env, &list, DB_ARCH_ABS)) != 0) {
		close(lock);
		return store_check(rc, "log_archive") ? -1 : 0;
	}
	if (list && s->log_archive[0] && safeio_mkdirs(s->log_archive, 0750) < 0)
		rc = -1;
	for (p = list; rc == 0 && p && *p; p++) {
		if (s->log_archive[0] ? store_move_log(s->log_archive, *p) == 0 : unlink(*p) == 0)
			(*removed)++;
		else {
			log_error("store", "op=log_archive file=%s archive=%s error=\"%s\"", *p, s->log_archive, strerror(errno));
			rc = -1;
		}
	}
	free(list);
	close(lock);
	return rc;
}
