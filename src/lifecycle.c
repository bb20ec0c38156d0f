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

int lifecycle_audit(struct msg_ctx *ctx, const char *number, const char *fmt, ...)
{
	unsigned char key[15 + 8];
	struct buf line;
	uint64_t seq;
	va_list ap;
	char text[2600];	/* room for a Text512 (512 characters of UTF-8) */
	size_t n = strlen(number);
	int rc;

	if (store_next(ctx->store, ctx->txn, "audit", &seq) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	buf_init(&line);
	buf_printf(&line, "time=%lld by=%s msg=%s envelope=%s %s", (long long)ctx->now, msg_from(ctx),
	    ctx->reply->in_msgid[0] ? ctx->reply->in_msgid : "-", ctx->reply->id, text);
	memcpy(key, number, n);
	store_be64(key + n, seq);
	rc = store_put(ctx->store, ctx->txn, SDB_AUDIT, key, n + 8, line.data, line.len);
	buf_free(&line);
	return rc;
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
