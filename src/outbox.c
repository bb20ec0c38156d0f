/* outbox — durable queue of outbound messages, emitted as signed files. */
#include "outbox.h"
#include "codec.h"
#include "envelope.h"
#include "pool.h"
#include "log.h"
#include "sealer.h"
#include "metrics.h"
#include "safeio.h"
#include "store.h"
#include "xmem.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static int outbox_put(struct store *s, store_txn *txn, uint64_t seq, const char *receiver,
    const char *file_name, const char *prefix, const struct buf *xml, const char *seen, char *name);

int outbox_add(struct store *s, store_txn *txn, const char *receiver,
    const char *file_name, const struct buf *xml)
{
	return outbox_put(s, txn, 0, receiver, file_name, "NTC", xml, NULL, NULL);
}

int outbox_add_seen(struct store *s, store_txn *txn, const char *receiver,
    const char *file_name, const char *seen_key)
{
	if (strlen(seen_key) >= OUTBOX_SEEN_MAX)
		panic("outbox: seen key %s too long", seen_key);
	return outbox_put(s, txn, 0, receiver, file_name, "NTC", NULL, seen_key, NULL);
}

int outbox_add_seq(struct store *s, store_txn *txn, const char *receiver,
    const char *prefix, const struct buf *xml)
{
	return outbox_put(s, txn, 0, receiver, NULL, prefix, xml, NULL, NULL);
}

int outbox_add_as(struct store *s, store_txn *txn, const char *receiver,
    const char *prefix, const struct buf *xml, char name[OUTBOX_NAME_MAX])
{
	return outbox_put(s, txn, 0, receiver, NULL, prefix, xml, NULL, name);
}

static void outbox_file_name(char name[OUTBOX_NAME_MAX], const char *prefix, uint64_t seq)
{
	snprintf(name, OUTBOX_NAME_MAX, "%s_%012llu.p7m", prefix, (unsigned long long)seq);
}

int outbox_reserve_notice(struct store *s, store_txn *txn, uint64_t *seq, char name[OUTBOX_NAME_MAX])
{
	if (store_next(s, txn, "outbox", seq) < 0)
		return -1;
	outbox_file_name(name, "NTC", *seq);
	return 0;
}

int outbox_add_notice(struct store *s, store_txn *txn, uint64_t seq, const char *receiver,
    const struct buf *xml)
{
	return outbox_put(s, txn, seq, receiver, NULL, "NTC", xml, NULL, NULL);
}

/* The row (numbered seq, or the next number if 0), then its XML unless it
 * names the seen record that holds it. */
static int outbox_put(struct store *s, store_txn *txn, uint64_t seq, const char *receiver,
    const char *file_name, const char *prefix, const struct buf *xml, const char *seen, char *name)
{
	struct outbox_row row;
	unsigned char key[8], len[4];
	struct buf v, rec;
	int rc;

	if (seq == 0 && store_next(s, txn, "outbox", &seq) < 0)
		return -1;
	memset(&row, 0, sizeof(row));
	row.seq = (int64_t)seq;
	row.created_at = time(NULL);
	strlcopy(row.receiver, receiver, sizeof(row.receiver));
	if (file_name)
		strlcopy(row.file_name, file_name, sizeof(row.file_name));
	else
		outbox_file_name(row.file_name, prefix, seq);
	if (seen != NULL)
		strlcopy(row.seen, seen, sizeof(row.seen));
	if (name != NULL)
		strlcopy(name, row.file_name, OUTBOX_NAME_MAX);
	buf_init(&rec);
	buf_init(&v);
	codec_encode(&codec_outbox, &row, &rec);
	len[0] = (unsigned char)(rec.len >> 24);
	len[1] = (unsigned char)(rec.len >> 16);
	len[2] = (unsigned char)(rec.len >> 8);
	len[3] = (unsigned char)rec.len;
	buf_add(&v, len, 4);
	buf_add(&v, rec.data, rec.len);
	if (seen == NULL)
		buf_add(&v, xml->data, xml->len);
	store_be64(key, (uint64_t)row.seq);
	rc = store_put(s, txn, SDB_OUTBOX, key, 8, v.data, v.len);
	buf_free(&rec);
	buf_free(&v);
	return rc;
}

/* One row taken from the store for emission. */
struct outbox_item {
	struct outbox_row	row;
	size_t			 off;		/* of its XML in outbox_set.rows */
	const char		*xml;
	size_t			 xlen;
	int			 ok;
	int			 superseded;	/* a newer row has the same file: forget this one */
};

struct outbox_set {
	struct store			*store;		/* while collecting */
	const struct envelope_keys	*keys;
	struct sealer			*sealer;
	const char			*outbound;
	struct outbox_item		*items;
	size_t				 n, cap;
	struct buf			 rows;		/* the XML the items point into */
};

#define OUTBOX_ROUND 4096	/* rows emitted per round: two syncfs (one ahead), one commit */

static void outbox_collect_seen(struct outbox_set *f, const struct outbox_item *it)
{
	struct buf xml;

	buf_init(&xml);
	if (store_get(f->store, NULL, SDB_SEEN, it->row.seen, strlen(it->row.seen), &xml) != 0)
		panic("outbox: row for %s names answer %s, which is not stored", it->row.file_name, it->row.seen);
	buf_add(&f->rows, xml.data, xml.len);
	buf_free(&xml);
}

/* Decode a row (its length, the record, then its XML unless it names the
 * seen record holding it: written once and never removed, R25) and keep its
 * XML in f->rows. */
static int outbox_collect_row(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct outbox_set *f = arg;
	const unsigned char *p = val;
	struct outbox_item *it;
	size_t rlen;

	if (klen != 8 || vlen < 4)
		panic("outbox: corrupt row");
	f->items = xgrow(f->items, f->n, &f->cap, sizeof(*it));
	it = &f->items[f->n++];
	memset(it, 0, sizeof(*it));
	rlen = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
	if (rlen > vlen - 4 || codec_decode(&codec_outbox, p + 4, rlen, &it->row) < 0)
		panic("outbox: corrupt row");
	it->row.seq = (int64_t)store_get_be64(key);
	it->off = f->rows.len;		/* pointers wait: rows moves while it grows */
	if (it->row.seen[0] == '\0')
		buf_add(&f->rows, p + 4 + rlen, vlen - 4 - rlen);
	else
		outbox_collect_seen(f, it);
	it->xlen = f->rows.len - it->off;
	return f->n == OUTBOX_ROUND;
}

/* Point the items at their XML now that the buffer no longer moves. */
static void outbox_point_xml(struct outbox_set *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		f->items[i].xml = f->rows.data + f->items[i].off;
}

static int outbox_by_file(const void *a, const void *b)
{
	const struct outbox_item *x = *(struct outbox_item *const *)a, *y = *(struct outbox_item *const *)b;
	int c = strcmp(x->row.receiver, y->row.receiver);

	if (c == 0)
		c = strcmp(x->row.file_name, y->row.file_name);
	return c != 0 ? c : (x->row.seq > y->row.seq) - (x->row.seq < y->row.seq);
}

/* Rows for the same file (a replay queued while an earlier copy waited) are
 * one file: only the newest is written, so no two threads share a temp name. */
static void outbox_supersede(struct outbox_set *f)
{
	struct outbox_item **order;
	size_t i;

	if (f->n < 2)
		return;
	order = xmalloc(f->n * sizeof(*order));
	for (i = 0; i < f->n; i++)
		order[i] = &f->items[i];
	qsort(order, f->n, sizeof(*order), outbox_by_file);
	for (i = 0; i + 1 < f->n; i++)
		if (strcmp(order[i]->row.receiver, order[i + 1]->row.receiver) == 0
		    && strcmp(order[i]->row.file_name, order[i + 1]->row.file_name) == 0)
			order[i]->superseded = 1;
	free(order);
}

/* Seal one row and write it as a temp file in its receiver's folder; it is
 * made durable and put in place for the whole round (outbox_sync, outbox_place). */
static void outbox_emit(void *arg, size_t i)
{
	struct outbox_set *f = arg;
	struct outbox_item *it = &f->items[i];
	char dir[PATH_MAX];
	struct buf der;

	if (it->superseded)
		return;
	buf_init(&der);
	if (sealer_take(f->sealer, f->keys, it->row.receiver, it->row.file_name, it->xml, it->xlen, &der) < 0
	    && envelope_seal(f->keys, it->xml, it->xlen, &der) < 0)
		log_error(it->row.file_name, "to=%s error=\"cannot sign 签名失败\"", it->row.receiver);
	else if (safeio_path(dir, f->outbound, it->row.receiver) < 0
	    || (safeio_write_unsynced(dir, it->row.file_name, der.data, der.len) < 0
	    && (errno != ENOENT || safeio_mkdirs(dir, 0750) < 0	/* a new receiver: make its folder */
	    || safeio_write_unsynced(dir, it->row.file_name, der.data, der.len) < 0)))
		log_error(it->row.file_name, "to=%s error=\"cannot write 无法写入: %s\"", it->row.receiver,
		    strerror(errno));
	else
		it->ok = 1;
	buf_free(&der);
}

/* syncfs once per file system that holds a written row's folder of f or of
 * g (g may be NULL): outbound/ and its receivers' folders are one file
 * system, unless an operator mounted one elsewhere.  0, or -1 if any failed. */
static int outbox_sync(const struct outbox_set *f, const struct outbox_set *g)
{
	const struct outbox_set *sets[2] = {f, g};
	dev_t devs[16];
	size_t i, j, k, ndev = 0;
	char dir[PATH_MAX];
	struct stat st;

	for (k = 0; k < 2 && sets[k] != NULL; k++)
		for (i = 0; i < sets[k]->n; i++) {
			if (!sets[k]->items[i].ok)
				continue;
			if (safeio_path(dir, sets[k]->outbound, sets[k]->items[i].row.receiver) < 0
			    || stat(dir, &st) < 0)
				return -1;
			for (j = 0; j < ndev && devs[j] != st.st_dev; j++)
				;
			if (j < ndev)
				continue;
			if (safeio_sync_fs(dir) < 0)
				return -1;
			if (ndev < sizeof(devs) / sizeof(devs[0]))
				devs[ndev++] = st.st_dev;	/* past 16 file systems, sync each folder's */
		}
	return 0;
}

/* Rename f's temp files into place if they are durable (synced); drop them
 * if they might not be. */
static void outbox_place(struct outbox_set *f, int synced)
{
	char dir[PATH_MAX];
	size_t i;

	for (i = 0; i < f->n; i++) {
		if (!f->items[i].ok)
			continue;
		if (safeio_path(dir, f->outbound, f->items[i].row.receiver) < 0)
			f->items[i].ok = 0;
		else if (!synced) {
			safeio_discard(dir, f->items[i].row.file_name);
			f->items[i].ok = 0;
		} else if (safeio_publish(dir, f->items[i].row.file_name) < 0) {
			log_error(f->items[i].row.file_name, "to=%s error=\"cannot rename into place 无法就位: %s\"",
			    f->items[i].row.receiver, strerror(errno));
			f->items[i].ok = 0;
		}
	}
}

/* Whether f's renames were made durable (synced): if not, none of its rows
 * counts as written, and all are written again. */
static void outbox_placed_durable(struct outbox_set *f, int synced)
{
	size_t i;

	if (synced)
		return;
	log_error(NULL, "outbox: cannot sync outbound/ 无法同步: %s", strerror(errno));
	for (i = 0; i < f->n; i++)
		f->items[i].ok = 0;
}

/* Whether the newest row for the same file as item i was written. */
static int outbox_twin_ok(const struct outbox_set *f, size_t i)
{
	size_t j;

	for (j = 0; j < f->n; j++)
		if (!f->items[j].superseded && strcmp(f->items[j].row.receiver, f->items[i].row.receiver) == 0
		    && strcmp(f->items[j].row.file_name, f->items[i].row.file_name) == 0)
			return f->items[j].ok;
	return 0;
}

struct outbox_set *outbox_collect(struct store *s, uint64_t after, uint64_t *last, int *more)
{
	struct outbox_set *f = xcalloc(1, sizeof(*f));
	unsigned char key[8];

	buf_init(&f->rows);
	f->store = s;
	store_be64(key, after + 1);
	if (store_scan_from(s, NULL, SDB_OUTBOX, key, 8, outbox_collect_row, f) < 0) {
		outbox_set_free(f);
		return NULL;
	}
	f->store = NULL;
	*more = f->n == OUTBOX_ROUND;
	*last = f->n ? (uint64_t)f->items[f->n - 1].row.seq : after;
	outbox_point_xml(f);
	outbox_supersede(f);
	return f;
}

/* Seal and write f's rows as temp files (on the pool's threads if any). */
static void outbox_stage(struct outbox_set *f, const struct envelope_keys *keys, const char *outbound_dir,
    struct pool *pool, struct sealer *sealer)
{
	size_t i;

	f->keys = keys;
	f->sealer = sealer;
	f->outbound = outbound_dir;
	if (pool)
		pool_run(pool, f->n, outbox_emit, f);
	else
		for (i = 0; i < f->n; i++)
			outbox_emit(f, i);
}

/* f's result once its renames are durable or not: a row superseded in the
 * set shares the fate of the newest for its file.  0, or -1 if any row was
 * not written. */
static int outbox_result(struct outbox_set *f)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < f->n; i++) {
		if (f->items[i].superseded)
			f->items[i].ok = outbox_twin_ok(f, i);
		if (!f->items[i].ok)
			rc = -1;
	}
	return rc;
}

int outbox_write(struct outbox_set *f, const struct envelope_keys *keys, const char *outbound_dir,
    struct pool *pool, struct sealer *sealer)
{
	int synced;

	outbox_stage(f, keys, outbound_dir, pool, sealer);
	synced = outbox_sync(f, NULL) == 0;	/* the temp files durable ... */
	outbox_place(f, synced);
	outbox_placed_durable(f, synced && outbox_sync(f, NULL) == 0);	/* ... then their renames */
	return outbox_result(f);
}

int outbox_write_ahead(struct outbox_set *f, struct outbox_set *placed, const struct envelope_keys *keys,
    const char *outbound_dir, struct pool *pool, struct sealer *sealer)
{
	int synced;

	outbox_stage(f, keys, outbound_dir, pool, sealer);
	synced = outbox_sync(f, placed) == 0;	/* f's temp files and placed's renames at once */
	outbox_place(f, synced);
	if (placed == NULL)
		return 0;
	outbox_placed_durable(placed, synced);
	return outbox_result(placed);
}

int outbox_write_settle(struct outbox_set *placed)
{
	outbox_placed_durable(placed, outbox_sync(placed, NULL) == 0);
	return outbox_result(placed);
}

int outbox_forget(struct store *s, store_txn *txn, const struct outbox_set *f)
{
	unsigned char key[8];
	size_t i;

	for (i = 0; i < f->n; i++) {
		if (!f->items[i].ok)
			continue;
		if (!f->items[i].superseded)
			log_info(f->items[i].row.file_name, "to=%s status=written", f->items[i].row.receiver);
		metrics_outbound(f->items[i].row.file_name);
		store_be64(key, (uint64_t)f->items[i].row.seq);
		if (store_del(s, txn, SDB_OUTBOX, key, 8) < 0)
			return -1;
	}
	return 0;
}

void outbox_set_free(struct outbox_set *f)
{
	if (f == NULL)
		return;
	free(f->items);
	buf_free(&f->rows);
	free(f);
}

int outbox_flush_pool(struct store *s, const struct envelope_keys *keys, const char *outbound_dir,
    struct pool *pool, struct sealer *sealer)
{
	struct outbox_set *f;
	store_txn *txn;
	uint64_t last;
	int rc = 0, failed = 0, more;

	do {		/* a round at a time from the first row: those written are gone */
		if ((f = outbox_collect(s, 0, &last, &more)) == NULL)
			return -1;
		failed = outbox_write(f, keys, outbound_dir, pool, sealer) < 0;
		if ((txn = store_begin(s)) == NULL)
			rc = -1;
		else if (outbox_forget(s, txn, f) < 0) {
			store_abort(txn);
			rc = -1;
		} else
			rc = store_commit(txn);
		outbox_set_free(f);
	} while (rc == 0 && !failed && more);
	return rc < 0 || failed ? -1 : 0;
}

int outbox_flush(struct store *s, const struct envelope_keys *keys, const char *outbound_dir)
{
	return outbox_flush_pool(s, keys, outbound_dir, NULL, NULL);
}
