/* lifecycle — status moves with their account effects and audit trail. */
#include "lifecycle.h"
#include "export.h"
#include "log.h"
#include "outbox.h"
#include "sealer.h"
#include "rules.h"
#include "xmem.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *lifecycle_payer(const struct agreement *a)
{
	return strcmp(a->payer, "broker") == 0 ? a->broker : a->consignor;
}

/* R18/R19: the effect of from → to on the payer's account; 1 if refused. */
static int lifecycle_account(struct msg_ctx *ctx, const struct agreement *a, int from, int to)
{
	int had = agreement_status_reserved(from), has = agreement_status_reserved(to);
	const char *payer = lifecycle_payer(a);
	struct account acc;

	if (had == has)
		return 0;
	if (store_account_get(ctx->store, ctx->txn, payer, &acc) < 0)
		return -1;
	if (has) {
		if (acc.purchased - acc.used - acc.in_use < 1)
			return 1;	/* available would go below 0 */
		acc.in_use++;
	} else {
		if (acc.in_use > 0)
			acc.in_use--;
		else
			log_error(a->number, "account=%s error=\"in_use already 0 预占数异常\"", payer);
		if (to == ST_USED)
			acc.used++;
	}
	return store_account_put(ctx->store, ctx->txn, payer, &acc);
}

/* A line is kept with the agreement's other lines of this message and all
 * are written as one record by lifecycle_audit_flush: a record per line cost
 * a logged B-tree insert each, three or four per receipt item (issue #7). */
int lifecycle_audit(struct msg_ctx *ctx, const char *number, const char *fmt, ...)
{
	struct buf *lines;
	va_list ap;
	char text[2600], *p;	/* room for a Text512 (512 characters of UTF-8) */
	void *v;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	for (p = text; *p; p++)		/* one line whatever the text holds ('\n' parts lines) */
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	if (strmap_get(&ctx->audit, number, &v))
		lines = v;
	else {
		lines = xmalloc(sizeof(*lines));
		buf_init(lines);
		strmap_put(&ctx->audit, number, lines);
	}
	buf_printf(lines, "%stime=%lld by=%s msg=%s envelope=%s %s", lines->len ? "\n" : "", (long long)ctx->now,
	    msg_from(ctx), ctx->reply->in_msgid[0] ? ctx->reply->in_msgid : "-", ctx->reply->id, text);
	return 0;
}

static int audit_slot_cmp(const void *a, const void *b)
{
	return strcmp((*(const struct strmap_slot *const *)a)->key, (*(const struct strmap_slot *const *)b)->key);
}

/* Each agreement's lines as one record under its number and the next audit
 * sequence, in the order of the numbers (neighbouring keys, fewer pages). */
int lifecycle_audit_flush(struct msg_ctx *ctx)
{
	struct strmap_slot **at = xcalloc(ctx->audit.n + 1, sizeof(*at));
	unsigned char key[sizeof(((struct agreement *)0)->number) + 8];
	const struct buf *lines;
	size_t i, n = 0, klen;
	uint64_t seq;
	int rc = 0;

	for (i = 0; i < ctx->audit.nslot; i++)
		if (ctx->audit.slot[i].key != NULL)
			at[n++] = &ctx->audit.slot[i];
	qsort(at, n, sizeof(*at), audit_slot_cmp);
	for (i = 0; i < n && rc == 0; i++) {
		lines = at[i]->val;
		if ((klen = strlen(at[i]->key)) + 8 > sizeof(key))
			panic("lifecycle: agreement number %s too long", at[i]->key);
		if ((rc = store_next(ctx->store, ctx->txn, "audit", &seq)) < 0)
			break;
		memcpy(key, at[i]->key, klen);
		store_be64(key + klen, seq);
		rc = store_put(ctx->store, ctx->txn, SDB_AUDIT, key, klen + 8, lines->data, lines->len);
	}
	free(at);
	lifecycle_audit_discard(ctx);
	return rc < 0 ? -1 : 0;
}

static void audit_lines_free(void *v)
{
	buf_free(v);
	free(v);
}

void lifecycle_audit_discard(struct msg_ctx *ctx)
{
	strmap_free(&ctx->audit, audit_lines_free);
}

/* R27: the formatted agreement data goes to customs, in this transaction. */
static int lifecycle_export(struct msg_ctx *ctx, const struct agreement *a)
{
	const char *kind = a->status == ST_CONFIRMED ? "AGREEMENT_ADD" : "AGREEMENT_REVOKE";
	const char *customs = ctx->conf->customs_code;
	char err[256], name[OUTBOX_NAME_MAX];
	struct letter l;
	struct buf xml;
	int rc;

	if (ctx->exporter == NULL || store_letter_get(ctx->store, ctx->txn, a->letter, &l) != 0)
		return ctx->exporter == NULL ? 0 : -1;
	buf_init(&xml);
	if ((rc = export_agreement(ctx->exporter, &l, a, kind, ctx->reply->hub_code, customs, &xml,
	    err, sizeof(err))) < 0)
		log_error(a->number, "export=%s error=\"%s\"", kind, err);
	else if ((rc = outbox_add_as(ctx->store, ctx->txn, customs, "EXP", &xml, name)) == 0)
		sealer_offer(ctx->sealer, customs, name, &xml);
	if (rc == 0)	/* trace shows the customs exchange with the file sent */
		rc = lifecycle_audit(ctx, a->number, "export=%s to=%s file=%s", kind, customs, name);
	buf_free(&xml);
	return rc;
}

int lifecycle_move(struct msg_ctx *ctx, struct agreement *a, int to, enum reason *why,
    char *detail, size_t dlen)
{
	int from = (int)a->status, rc;

	if (!rules_transition_ok(from, to)) {
		*why = R_STATUS_TRANSITION;
		snprintf(detail, dlen, "agreement %s is in status %d (%s); %d is not reachable from it",
		    a->number, from, agreement_status_zh(from), to);
		return 1;
	}
	if ((rc = lifecycle_account(ctx, a, from, to)) != 0) {
		if (rc > 0) {
			*why = R_INSUFFICIENT_BALANCE;
			snprintf(detail, dlen, "payer %s has no available unit", lifecycle_payer(a));
		}
		return rc;
	}
	a->status = to;
	a->updated_at = ctx->now;
	if (to == ST_CONFIRMED)
		a->signed_at = ctx->now;
	if (to == ST_USED)
		a->used_at = ctx->now;
	if (store_agreement_put(ctx->store, ctx->txn, a) < 0
	    || lifecycle_audit(ctx, a->number, "status=%d->%d", from, to) < 0)
		return -1;
	if (to == ST_CONFIRMED || to == ST_REVOKE_CONFIRMED)
		return lifecycle_export(ctx, a);
	return 0;
}

int lifecycle_index(struct msg_ctx *ctx, const struct agreement *a)
{
	char key[32];

	snprintf(key, sizeof(key), "%s|%s", a->letter, a->number);
	if (store_put(ctx->store, ctx->txn, SDB_BY_LETTER, key, strlen(key), "", 0) < 0)
		return -1;
	snprintf(key, sizeof(key), "%s|%s", a->consignor, a->number);
	if (store_put(ctx->store, ctx->txn, SDB_BY_PARTY, key, strlen(key), "", 0) < 0)
		return -1;
	snprintf(key, sizeof(key), "%s|%s", a->broker, a->number);
	if (store_put(ctx->store, ctx->txn, SDB_BY_PARTY, key, strlen(key), "", 0) < 0)
		return -1;
	return lifecycle_audit(ctx, a->number, "status=new->%d letter=%s", (int)a->status, a->letter);
}
