/* bundle — one batch's notices to a party, in one document. */
#include "bundle.h"
#include "reply.h"
#include "sealer.h"
#include "strmap.h"
#include "xmem.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUNDLES_HELD	(4L << 20)

struct bundle {
	char		receiver[11];
	uint64_t	seq;
	char		name[OUTBOX_NAME_MAX];
	struct buf	xml;		/* the head and the notices so far */
};

struct bundles {
	char		 hub_code[11];
	char		 batch_id[64];
	struct bundle	**all;		/* in the order they were numbered */
	size_t		 n, cap;
	struct strmap	 at;		/* receiver -> its bundle */
	size_t		 held;		/* bytes of XML in them */
	struct sealer	*sealer;
};

struct bundles *bundles_new(const char *hub_code, const char *batch_id, struct sealer *sealer)
{
	struct bundles *b = xcalloc(1, sizeof(*b));

	b->sealer = sealer;
	strlcopy(b->hub_code, hub_code, sizeof(b->hub_code));
	strlcopy(b->batch_id, batch_id, sizeof(b->batch_id));
	strmap_init(&b->at);
	return b;
}

static void bundles_clear(struct bundles *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		buf_free(&b->all[i]->xml);
		free(b->all[i]);
	}
	b->n = 0;
	b->held = 0;
	strmap_free(&b->at, NULL);
	strmap_init(&b->at);
}

void bundles_free(struct bundles *b)
{
	if (b == NULL)
		return;
	bundles_clear(b);
	free(b->all);
	free(b);
}

/* receiver's bundle, begun (and numbered in txn) if it has none yet; NULL on a store error. */
static struct bundle *bundles_of(struct bundles *b, struct store *s, store_txn *txn, const char *receiver)
{
	struct bundle *u;
	char msgid[128];
	void *v;

	if (strmap_get(&b->at, receiver, &v))
		return v;
	u = xcalloc(1, sizeof(*u));
	if (outbox_reserve_notice(s, txn, &u->seq, u->name) < 0) {
		free(u);
		return NULL;
	}
	strlcopy(u->receiver, receiver, sizeof(u->receiver));
	buf_init(&u->xml);
	snprintf(msgid, sizeof(msgid), "NTS-%s-%s", b->batch_id, receiver);
	reply_notices_begin(msgid, b->hub_code, receiver, &u->xml);
	b->held += u->xml.len;
	b->all = xgrow(b->all, b->n, &b->cap, sizeof(*b->all));
	b->all[b->n++] = u;
	strmap_put(&b->at, receiver, u);
	return u;
}

int bundles_add(struct bundles *b, struct store *s, store_txn *txn, const char *receiver,
    const struct buf *xml, char name[OUTBOX_NAME_MAX])
{
	struct bundle *u = bundles_of(b, s, txn, receiver);

	if (u == NULL)
		return -1;
	b->held -= u->xml.len;
	reply_notices_add(&u->xml, xml);
	b->held += u->xml.len;
	strlcopy(name, u->name, OUTBOX_NAME_MAX);
	return b->held > (size_t)BUNDLES_HELD ? bundles_flush(b, s, txn) : 0;
}

int bundles_flush(struct bundles *b, struct store *s, store_txn *txn)
{
	struct bundle *u;
	size_t i;
	int rc = 0;

	for (i = 0; i < b->n && rc == 0; i++) {
		u = b->all[i];
		reply_notices_end(&u->xml);
		rc = outbox_add_notice(s, txn, u->seq, u->receiver, &u->xml);
		if (rc == 0)
			sealer_offer(b->sealer, u->receiver, u->name, &u->xml);
	}
	bundles_clear(b);
	return rc;
}
