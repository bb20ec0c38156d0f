/* outbox — durable queue of outbound messages, emitted as signed files. */
#include "outbox.h"
#include "codec.h"
#include "envelope.h"
#include "log.h"
#include "safeio.h"
#include "store.h"
#include "xmem.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void outbox_key(int64_t seq, unsigned char be[8])
{
	int i;

	for (i = 0; i < 8; i++)
		be[i] = (unsigned char)((uint64_t)seq >> (56 - 8 * i));
}

static int outbox_put(struct store *s, store_txn *txn, const char *receiver,
    const char *file_name, const char *prefix, const struct buf *xml);

static int64_t outbox_seq(const unsigned char be[8])
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | be[i];
	return (int64_t)v;
}

int outbox_add(struct store *s, store_txn *txn, const char *receiver,
    const char *file_name, const struct buf *xml)
{
	return outbox_put(s, txn, receiver, file_name, "NTC", xml);
}

int outbox_add_seq(struct store *s, store_txn *txn, const char *receiver,
    const char *prefix, const struct buf *xml)
{
	return outbox_put(s, txn, receiver, NULL, prefix, xml);
}

static int outbox_put(struct store *s, store_txn *txn, const char *receiver,
    const char *file_name, const char *prefix, const struct buf *xml)
{
	struct outbox_row row;
	unsigned char key[8], len[4];
	struct buf v, rec;
	uint64_t seq;
	int rc;

	if (store_next(s, txn, "outbox", &seq) < 0)
		return -1;
	memset(&row, 0, sizeof(row));
	row.seq = (int64_t)seq;
	row.created_at = time(NULL);
	strlcopy(row.receiver, receiver, sizeof(row.receiver));
	if (file_name)
		strlcopy(row.file_name, file_name, sizeof(row.file_name));
	else
		snprintf(row.file_name, sizeof(row.file_name), "%s_%012llu.p7m", prefix, (unsigned long long)seq);
	buf_init(&rec);
	buf_init(&v);
	codec_encode(&codec_outbox, &row, &rec);
	len[0] = (unsigned char)(rec.len >> 24);
	len[1] = (unsigned char)(rec.len >> 16);
	len[2] = (unsigned char)(rec.len >> 8);
	len[3] = (unsigned char)rec.len;
	buf_add(&v, len, 4);
	buf_add(&v, rec.data, rec.len);
	buf_add(&v, xml->data, xml->len);
	outbox_key(row.seq, key);
	rc = store_put(s, txn, SDB_OUTBOX, key, 8, v.data, v.len);
	buf_free(&rec);
	buf_free(&v);
	return rc;
}

struct outbox_flush {
	struct store			*store;
	const struct envelope_keys	*keys;
	const char			*outbound;
	struct buf			 der;
	int				 failed;
	int				 done;
	int64_t				 seqs[64];	/* emitted rows to delete */
	int				 nseqs;
};

/* Seal one row and write it to the receiver's folder. */
static int outbox_emit(struct outbox_flush *f, const struct outbox_row *row,
    const char *xml, size_t xlen)
{
	char dir[PATH_MAX];

	if (envelope_seal(f->keys, xml, xlen, &f->der) < 0) {
		log_error(row->file_name, "to=%s error=\"cannot sign 签名失败\"", row->receiver);
		return -1;
	}
	if (snprintf(dir, sizeof(dir), "%s/%s", f->outbound, row->receiver) >= (int)sizeof(dir)
	    || safeio_mkdirs(dir, 0750) < 0
	    || safeio_write_atomic(dir, row->file_name, f->der.data, f->der.len) < 0) {
		log_error(row->file_name, "to=%s error=\"cannot write 无法写入: %s\"", row->receiver,
		    strerror(errno));
		return -1;
	}
	log_info(row->file_name, "to=%s bytes=%zu status=written", row->receiver, f->der.len);
	return 0;
}

static int outbox_visit(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct outbox_flush *f = arg;
	const unsigned char *p = val;
	struct outbox_row row;
	size_t rlen;

	if (klen != 8 || vlen < 4)
		panic("outbox: corrupt row");
	rlen = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
	if (rlen > vlen - 4 || codec_decode(&codec_outbox, p + 4, rlen, &row) < 0)
		panic("outbox: corrupt row");
	row.seq = outbox_seq(key);	/* the key is the row's identity; the record does not repeat it */
	if (outbox_emit(f, &row, (const char *)p + 4 + rlen, vlen - 4 - rlen) < 0)
		f->failed = 1;
	else
		f->seqs[f->nseqs++] = row.seq;
	return f->nseqs == (int)(sizeof(f->seqs) / sizeof(f->seqs[0]));
}

/* Forget rows whose files are durable, in one transaction. */
static int outbox_forget(struct outbox_flush *f)
{
	unsigned char key[8];
	store_txn *txn;
	int i;

	if ((txn = store_begin(f->store)) == NULL)
		return -1;
	for (i = 0; i < f->nseqs; i++) {
		outbox_key(f->seqs[i], key);
		if (store_del(f->store, txn, SDB_OUTBOX, key, 8) < 0) {
			store_abort(txn);
			return -1;
		}
	}
	return store_commit(txn);
}

int outbox_flush(struct store *s, const struct envelope_keys *keys, const char *outbound_dir)
{
	struct outbox_flush f;
	int rc = 0;

	memset(&f, 0, sizeof(f));
	f.store = s;
	f.keys = keys;
	f.outbound = outbound_dir;
	buf_init(&f.der);
	do {
		f.nseqs = 0;
		if (store_scan(s, NULL, SDB_OUTBOX, NULL, 0, outbox_visit, &f) < 0
		    || outbox_forget(&f) < 0)
			rc = -1;
	} while (rc == 0 && !f.failed && f.nseqs == (int)(sizeof(f.seqs) / sizeof(f.seqs[0])));
	buf_free(&f.der);
	return rc < 0 || f.failed ? -1 : 0;
}
