/* msg_confirm — 确认委托申请 EntrustConfirm and 委托协议自动确认 AutoConfirmSetting.
 * Confirm: the side that did not initiate an agreement accepts (0→1, which
 * reserves a unit of the payer's account, R19) or rejects (0→3) it (R9);
 * a broker accepting a consignor's agreement fills the right half (R9).
 * On a new letter at least one must be accepted, else the whole letter is
 * rejected (R10).  The broker must be approved (R5).
 * AutoConfirmSetting: only the consignor turns it on or off, per letter,
 * effective at once (R14). */
#include "lifecycle.h"
#include "msg.h"
#include "xmem.h"
#include "xmlin.h"
#include <stdio.h>
#include <string.h>

struct confirm_tally {
	int	accepted;
	int	rejected;
	int	other;		/* refused for another reason: the letter's fate stays open */
};

static const char *confirm_other_side(const struct msg_ctx *ctx, const struct letter *l)
{
	return strcmp(ctx->sender->code, l->consignor.code) == 0 ? l->broker.code : l->consignor.code;
}

/* One Decision element; returns -1 on a store error. */
static int confirm_one(struct msg_ctx *ctx, const struct letter *l, xmlNodePtr d, int i,
    struct confirm_tally *t)
{
	char number[16], path[64], detail[256];
	struct agreement a;
	enum reason why;
	int item, rc, yes;

	xmlin_text(d, "Agreement", number, sizeof(number));
	yes = xmlin_bool(d, "Accept", 0);
	item = reply_item_add(ctx->reply, number);
	snprintf(path, sizeof(path), "/EntrustConfirm/Decision[%d]", i + 1);
	if ((rc = store_agreement_get(ctx->store, ctx->txn, number, &a)) < 0)
		return -1;
	if (rc == 1 || strcmp(a.letter, l->number) != 0) {
		reply_error(ctx->reply, item, R_AGREEMENT_UNKNOWN, path, "agreement %s on letter %s", number, l->number);
		t->other++;
		return 0;
	}
	if (strcmp(a.initiator, ctx->sender->code) == 0) {
		reply_error(ctx->reply, item, R_CONFIRM_FORBIDDEN, path, "%s initiated %s", a.initiator, number);
		t->other++;
		return 0;
	}
	if (yes && ctx->sender->role == ROLE_BROKER) {
		msg_broker_half(xmlin_child(d, "BrokerHalf"), &a);
		if (!a.has_broker_half) {
			reply_error(ctx->reply, item, R_BROKER_HALF_REQUIRED, path, NULL);
			t->other++;
			return 0;
		}
	}
	rc = lifecycle_move(ctx, &a, yes ? ST_CONFIRMED : ST_REJECTED, &why, detail, sizeof(detail));
	if (rc < 0)
		return -1;
	if (rc > 0) {
		reply_error(ctx->reply, item, why, path, "%s", detail);
		t->other++;
		return 0;
	}
	reply_item_set(ctx->reply, item, &a, 0);
	msg_notice(ctx, confirm_other_side(ctx, l), yes ? "confirmed" : "rejected", &a);	/* R26 */
	yes ? t->accepted++ : t->rejected++;
	return 0;
}

/* R10: a new letter none of whose agreements was accepted is rejected whole. */
static int confirm_reject_letter(struct msg_ctx *ctx, struct letter *l)
{
	char prefix[16], live[24], detail[256];
	struct agreement a;
	enum reason why;
	struct buf keys;
	size_t off;
	int rc = 0;

	l->status = LS_REJECTED;
	snprintf(prefix, sizeof(prefix), "%s|", l->number);
	buf_init(&keys);
	if (store_scan(ctx->store, ctx->txn, SDB_BY_LETTER, prefix, strlen(prefix), msg_collect_keys, &keys) < 0)
		rc = -1;
	for (off = 0; rc == 0 && off < keys.len; off += strlen(keys.data + off) + 1) {
		if (store_agreement_get(ctx->store, ctx->txn, strchr(keys.data + off, '|') + 1, &a) != 0)
			continue;
		if (a.status == ST_INITIATED) {
			rc = lifecycle_move(ctx, &a, ST_REJECTED, &why, detail, sizeof(detail));
			if (rc == 0)
				msg_notice(ctx, confirm_other_side(ctx, l), "rejected", &a);
		}
	}
	buf_free(&keys);
	snprintf(live, sizeof(live), "%s|%s", l->consignor.code, l->broker.code);
	if (rc == 0 && store_del(ctx->store, ctx->txn, SDB_LIVE, live, strlen(live)) < 0)
		rc = -1;
	return rc < 0 ? -1 : 0;
}

int msg_confirm_apply(struct msg_ctx *ctx, xmlNodePtr root)
{
	struct confirm_tally t = {0, 0, 0};
	char number[16];
	struct letter l;
	xmlNodePtr d;
	int rc, i = 0, was_new;

	xmlin_text(root, "Letter", number, sizeof(number));
	if ((rc = msg_own_letter(ctx, number, &l)) != 0) {
		if (rc > 0)
			reply_error(ctx->reply, -1, R_LETTER_UNKNOWN, "/EntrustConfirm/Letter", "letter %s", number);
		return rc < 0 ? -1 : 0;
	}
	/* R11: past its validity the letter is gone, even before the expiry
	 * sweep has run; nothing may be confirmed (no unit, no export). */
	if (l.status == LS_EXPIRED || l.valid_until <= ctx->now) {
		reply_error(ctx->reply, -1, R_LETTER_UNKNOWN, "/EntrustConfirm/Letter",
		    "letter %s has expired (R11)", number);
		return 0;
	}
	if (ctx->sender->role == ROLE_BROKER && (rc = msg_broker_active(ctx, ctx->sender->code)) <= 0) {
		if (rc == 0)
			reply_error(ctx->reply, -1, R_BROKER_NOT_APPROVED, "/EntrustConfirm/Header/Sender", NULL);
		return rc < 0 ? -1 : 0;
	}
	was_new = l.status == LS_INITIATED;
	for (d = xmlin_child(root, "Decision"); d; d = xmlin_next(d, "Decision"))
		if (confirm_one(ctx, &l, d, i++, &t) < 0)
			return -1;
	if (was_new && t.accepted > 0)
		l.status = LS_CONFIRMED;	/* the auto-confirm proposal now takes effect (R14) */
	else if (was_new && t.rejected > 0 && t.other == 0 && confirm_reject_letter(ctx, &l) < 0)
		return -1;
	strlcopy(ctx->reply->letter, l.number, sizeof(ctx->reply->letter));
	ctx->reply->letter_status = letter_status_name((int)l.status);
	return store_letter_put(ctx->store, ctx->txn, &l);
}

int msg_autoconfirm_apply(struct msg_ctx *ctx, xmlNodePtr root)
{
	char number[16];
	struct notice *n;
	struct letter l;
	int rc;

	xmlin_text(root, "Letter", number, sizeof(number));

	if ((rc = msg_own_letter(ctx, number, &l)) != 0
	    || (l.status != LS_INITIATED && l.status != LS_CONFIRMED) || l.valid_until <= ctx->now) {
		if (rc >= 0)
			reply_error(ctx->reply, -1, R_LETTER_UNKNOWN, "/AutoConfirmSetting/Letter",
			    "no live letter %s", number);
		return rc < 0 ? -1 : 0;
	}
	if (strcmp(l.consignor.code, ctx->sender->code) != 0) {
		reply_error(ctx->reply, -1, R_AUTO_CONFIRM_CONSIGNOR_ONLY, "/AutoConfirmSetting", NULL);
		return 0;
	}
	l.auto_confirm = xmlin_bool(root, "Enabled", 0);
	n = msg_notice(ctx, l.broker.code, l.auto_confirm ? "auto-confirm-on" : "auto-confirm-off", NULL);
	strlcopy(n->letter, l.number, sizeof(n->letter));
	strlcopy(ctx->reply->letter, l.number, sizeof(ctx->reply->letter));
	ctx->reply->letter_status = letter_status_name((int)l.status);
	return store_letter_put(ctx->store, ctx->txn, &l);
}
