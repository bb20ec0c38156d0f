/* msg_receipt — 海关回执 CustomsReceipt: a batch of customs outcomes, each
 * item judged on its own (one bad item never blocks the others):
 *   data-received 1→2, data-refused 1→10, declaration-filed 2|11→4,
 *   declaration-concluded 4→5, declaration-returned 4→2 (→6 once the letter
 *   has expired, R11), revocation-accepted 8→9, revocation-refused 8→11
 *   (→6 once the letter has expired, R11).
 * Declaration events carry the bill of lading, which must equal the
 * agreement's (R15).  Both parties hear of every change (R26). */
#include "lifecycle.h"
#include "msg.h"
#include "xmem.h"
#include "xmlin.h"
#include <stdio.h>
#include <string.h>

static const struct receipt_event {
	const char	*name;
	int		 to;
	int		 needs_bill;	/* R15 */
} receipt_events[] = {
	{"data-received", ST_DECLARABLE, 0},
	{"data-refused", ST_ADD_FAILED, 0},
	{"declaration-filed", ST_IN_USE, 1},
	{"declaration-concluded", ST_USED, 1},
	{"declaration-returned", ST_DECLARABLE, 1},
	{"revocation-accepted", ST_REVOKED, 0},
	{"revocation-refused", ST_REVOKE_FAILED, 0},
};

static const struct receipt_event *receipt_event(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(receipt_events) / sizeof(receipt_events[0]); i++)
		if (strcmp(receipt_events[i].name, name) == 0)
			return &receipt_events[i];
	return NULL;
}

/* Whether the agreement's letter has expired (R11). */
static int receipt_letter_gone(struct msg_ctx *ctx, const struct agreement *a)
{
	struct letter l;

	if (store_letter_get(ctx->store, ctx->txn, a->letter, &l) != 0)
		return 0;
	return l.status == LS_EXPIRED || l.valid_until <= ctx->now;
}

/* Customs' return text goes into the agreement's audit trail (entrustctl
 * trace), on one line whatever it holds. */
static int receipt_keep_return_info(struct msg_ctx *ctx, const char *number, const char *event,
    char *info)
{
	char *p;

	for (p = info; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	return lifecycle_audit(ctx, number, "customs=%s return_info=%s", event, info);
}

static int receipt_item(struct msg_ctx *ctx, xmlNodePtr it, int i)
{
	char ref[33], number[16], event[32], bill[33], decl[19], path[64], detail[256];
	char info[2049];	/* ReturnInfo: Text512, up to 4 bytes a character */
	const struct receipt_event *ev;
	struct agreement a;
	enum reason why;
	int item, rc, to, gone;

	xmlin_attr(it, "ref", ref, sizeof(ref));
	xmlin_text(it, "Agreement", number, sizeof(number));
	xmlin_text(it, "Event", event, sizeof(event));
	xmlin_text(it, "BillOfLading", bill, sizeof(bill));
	xmlin_text(it, "DeclarationNumber", decl, sizeof(decl));
	xmlin_text(it, "ReturnInfo", info, sizeof(info));
	item = reply_item_add(ctx->reply, ref);
	snprintf(path, sizeof(path), "/CustomsReceipt/Item[%d]", i + 1);
	if ((ev = receipt_event(event)) == NULL)
		panic("receipt: event %s passed the schema", event);
	if ((rc = store_agreement_get(ctx->store, ctx->txn, number, &a)) != 0) {
		if (rc > 0)
			reply_error(ctx->reply, item, R_AGREEMENT_UNKNOWN, path, "agreement %s", number);
		return rc < 0 ? -1 : 0;
	}
	if ((ev->needs_bill || bill[0]) && strcmp(bill, a.bill_of_lading) != 0) {
		reply_error(ctx->reply, item, R_BILL_OF_LADING_MISMATCH, path,
		    "receipt has \"%s\", agreement %s has \"%s\"", bill, number, a.bill_of_lading);
		return 0;
	}
	/* R11: with its letter gone, a returned declaration leaves the agreement
	 * expired (4→6), and a refused revocation too (8→11, then 11→6). */
	gone = (ev->to == ST_DECLARABLE || ev->to == ST_REVOKE_FAILED) && receipt_letter_gone(ctx, &a);
	to = gone && ev->to == ST_DECLARABLE ? ST_EXPIRED : ev->to;
	if (decl[0])
		strlcopy(a.declaration_number, decl, sizeof(a.declaration_number));
	rc = lifecycle_move(ctx, &a, to, &why, detail, sizeof(detail));
	if (rc == 0 && gone && to == ST_REVOKE_FAILED)
		rc = lifecycle_move(ctx, &a, ST_EXPIRED, &why, detail, sizeof(detail));
	if (rc != 0) {
		if (rc > 0)
			reply_error(ctx->reply, item, why, path, "%s", detail);
		return rc < 0 ? -1 : 0;
	}
	if (info[0] && receipt_keep_return_info(ctx, number, event, info) < 0)
		return -1;
	reply_item_set(ctx->reply, item, &a, 0);
	msg_notice_parties(ctx, "customs-update", &a);
	return 0;
}

int msg_receipt_apply(struct msg_ctx *ctx, xmlNodePtr root)
{
	xmlNodePtr it;
	int i = 0;

	for (it = xmlin_child(root, "Item"); it; it = xmlin_next(it, "Item"))
		if (receipt_item(ctx, it, i++) < 0)
			return -1;
	return 0;
}
