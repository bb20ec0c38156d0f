/* expiry — letter expiry (R11) and registration warnings (R5). */
#include "expiry.h"
#include "lifecycle.h"
#include "log.h"
#include "msg.h"
#include "xmem.h"
#include <stdio.h>
#include <string.h>

/* A context for changes the hub makes by itself: no sender, no envelope. */
static void expiry_ctx(struct hub *h, struct reply *r, struct msg_ctx *ctx, time_t now, const char *id)
{
	reply_init(r, id, h->conf.hub_code, "", "");
	memset(ctx, 0, sizeof(*ctx));
	ctx->store = h->store;
	ctx->registry = h->registry;
	ctx->codes = h->codes;
	ctx->exporter = h->exporter;
	ctx->conf = &h->conf;
	ctx->now = now;
	ctx->reply = r;
}

static int expiry_agreements(struct msg_ctx *ctx, const struct letter *l)
{
	char prefix[16], detail[256];
	struct agreement a;
	enum reason why;
	struct buf keys;
	size_t off;
	int rc;

	snprintf(prefix, sizeof(prefix), "%s|", l->number);
	buf_init(&keys);
	rc = store_scan(ctx->store, ctx->txn, SDB_BY_LETTER, prefix, strlen(prefix), msg_collect_keys, &keys);
	for (off = 0; rc == 0 && off < keys.len; off += strlen(keys.data + off) + 1) {
		if ((rc = store_agreement_get(ctx->store, ctx->txn, strchr(keys.data + off, '|') + 1, &a)) != 0) {
			rc = rc > 0 ? 0 : -1;
			continue;
		}
		/* 5 is kept; 4 and 8 wait for customs (R11); 3, 6, 9, 10 are final. */
		if (a.status != ST_INITIATED && a.status != ST_CONFIRMED && a.status != ST_DECLARABLE
		    && a.status != ST_REVOKE_ASKED && a.status != ST_REVOKE_FAILED)
			continue;
		if ((rc = lifecycle_move(ctx, &a, ST_EXPIRED, &why, detail, sizeof(detail))) > 0)
			panic("R11 move to 6 refused: %s", detail);
		if (rc == 0)
			msg_notice_parties(ctx, "expired", &a);
	}
	buf_free(&keys);
	return rc;
}

/* Drop the pair's live-letter link (R8) if it still names this letter: a
 * request that came after valid_until may already have made a new one. */
static int expiry_unlink_live(struct msg_ctx *ctx, const struct letter *l)
{
	char live[24];
	struct buf v;
	int rc;

	snprintf(live, sizeof(live), "%s|%s", l->consignor.code, l->broker.code);
	buf_init(&v);
	rc = store_get(ctx->store, ctx->txn, SDB_LIVE, live, strlen(live), &v);
	if (rc == 0 && strcmp(v.data, l->number) == 0)
		rc = store_del(ctx->store, ctx->txn, SDB_LIVE, live, strlen(live));
	buf_free(&v);
	return rc < 0 ? -1 : 0;
}

/* Expire one letter in its own transaction; key is its expiry index entry. */
static int expiry_letter(struct hub *h, time_t now, const char *number, const void *key)
{
	struct msg_ctx ctx;
	struct reply r;
	struct letter l;
	struct notice *n;
	char id[32];
	int rc;

	snprintf(id, sizeof(id), "X%s", number);
	expiry_ctx(h, &r, &ctx, now, id);
	if ((ctx.txn = store_begin(h->store)) == NULL)
		return -1;
	rc = store_letter_get(h->store, ctx.txn, number, &l);
	if (rc == 0 && (l.status == LS_INITIATED || l.status == LS_CONFIRMED)) {
		l.status = LS_EXPIRED;
		rc = expiry_agreements(&ctx, &l);
		if (rc == 0)
			rc = store_letter_put(h->store, ctx.txn, &l) < 0 ? -1 : 0;
		if (rc == 0)
			rc = expiry_unlink_live(&ctx, &l);
		n = msg_notice(&ctx, l.consignor.code, "expired", NULL);	/* the letter itself */
		strlcopy(n->letter, l.number, sizeof(n->letter));
		n = msg_notice(&ctx, l.broker.code, "expired", NULL);
		strlcopy(n->letter, l.number, sizeof(n->letter));
	} else if (rc == 1)
		rc = 0;
	if (rc == 0)
		rc = store_del(h->store, ctx.txn, SDB_EXPIRY, key, 18) < 0 ? -1 : 0;
	if (rc == 0)
		rc = msg_flush(&ctx);
	msg_discard(&ctx);
	reply_free(&r);
	if (rc < 0) {
		store_abort(ctx.txn);
		return -1;
	}
	if (store_commit(ctx.txn) != 0)
		return -1;
	log_info(id, "letter=%s status=expired rule=R11", number);
	return 0;
}

struct due {
	time_t	 now;
	struct buf keys;	/* 18-byte expiry keys that are due */
};

static int expiry_due(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct due *d = arg;

	(void)val;
	(void)vlen;
	if (klen != 18)
		return 0;
	if ((time_t)store_get_be64(key) > d->now)
		return 1;	/* sorted by time: nothing further is due */
	buf_add(&d->keys, key, 18);
	return 0;
}

static int expiry_letters(struct hub *h, time_t now)
{
	struct due d = {now, {NULL, 0, 0}};
	char number[11];
	size_t off;
	int n = 0;

	if (store_scan(h->store, NULL, SDB_EXPIRY, NULL, 0, expiry_due, &d) < 0) {
		buf_free(&d.keys);
		return -1;
	}
	for (off = 0; off + 18 <= d.keys.len; off += 18, n++) {
		memcpy(number, d.keys.data + off + 8, 10);
		number[10] = '\0';
		if (expiry_letter(h, now, number, d.keys.data + off) < 0) {
			buf_free(&d.keys);
			return -1;
		}
	}
	buf_free(&d.keys);
	return n;
}

/* Whether broker code's approved registration is due for its R5 warning. */
static int expiry_warning_due(struct hub *h, time_t now, const char *code)
{
	struct registration reg;
	int rc = store_registration_get(h->store, NULL, code, 'A', &reg);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	return reg.warned_for != reg.valid_until && reg.valid_until > now
	    && reg.valid_until - now <= h->conf.registration_warn_days * 86400L;
}

/* R5: warn a broker once per approval period before valid_until. */
static int expiry_warn(struct hub *h, time_t now, const char *code)
{
	struct registration reg;
	struct msg_ctx ctx;
	struct reply r;
	struct notice *n;
	char id[32];
	int rc;

	if ((rc = expiry_warning_due(h, now, code)) <= 0)
		return rc;	/* the common case reads only: no transaction, no log fsync */
	snprintf(id, sizeof(id), "W%s", code);
	expiry_ctx(h, &r, &ctx, now, id);
	if ((ctx.txn = store_begin(h->store)) == NULL)
		return -1;
	rc = store_registration_get(h->store, ctx.txn, code, 'A', &reg);
	if (rc == 0) {
		reg.warned_for = reg.valid_until;
		n = msg_notice(&ctx, code, "registration-expiring", NULL);
		n->valid_until = reg.valid_until;
		rc = store_registration_put(h->store, ctx.txn, 'A', &reg);
	}
	if (rc == 0)
		rc = msg_flush(&ctx);
	msg_discard(&ctx);
	reply_free(&r);
	if (rc != 0) {
		store_abort(ctx.txn);
		return -1;
	}
	if (store_commit(ctx.txn) != 0)
		return -1;
	log_info(id, "broker=%s status=registration-expiring rule=R5", code);
	return 1;
}

static int expiry_registrations(struct hub *h, time_t now)
{
	const struct party *p;
	size_t i;
	int n = 0, rc;

	for (i = 0; (p = registry_at(h->registry, i)) != NULL; i++) {
		if (p->role != ROLE_BROKER)
			continue;
		if ((rc = expiry_warn(h, now, p->code)) < 0)
			return -1;
		n += rc;
	}
	return n;
}

int expiry_run(struct hub *h, time_t now)
{
	int a, b;

	if ((a = expiry_letters(h, now)) < 0 || (b = expiry_registrations(h, now)) < 0)
		return -1;
	return a + b;
}
