/* msg — the table of inbound message types, and what they share. */
#include "msg.h"
#include "bundle.h"
#include "lifecycle.h"
#include "outbox.h"
#include "sealer.h"
#include "xmem.h"
#include "xmlin.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROLE(r) (1u << (r))

static const struct msg_type msg_types[] = {
	{"EntrustRequest", ROLE(ROLE_CONSIGNOR) | ROLE(ROLE_BROKER), msg_request_apply},
	{"EntrustConfirm", ROLE(ROLE_CONSIGNOR) | ROLE(ROLE_BROKER), msg_confirm_apply},
	{"AutoConfirmSetting", ROLE(ROLE_CONSIGNOR) | ROLE(ROLE_BROKER), msg_autoconfirm_apply},
	{"RevocationRequest", ROLE(ROLE_CONSIGNOR) | ROLE(ROLE_BROKER), msg_revoke_apply},
	{"RevocationAnswer", ROLE(ROLE_CONSIGNOR) | ROLE(ROLE_BROKER), msg_revoke_answer_apply},
	{"BrokerRegistration", ROLE(ROLE_BROKER), msg_registration_apply},
	{"RegistrationDecision", ROLE(ROLE_ASSOCIATION), msg_decision_apply},
	{"TopUp", ROLE(ROLE_OPERATOR), msg_topup_apply},
	{"CustomsReceipt", ROLE(ROLE_CUSTOMS), msg_receipt_apply},
	{"Query", ROLE(ROLE_CONSIGNOR) | ROLE(ROLE_BROKER), msg_query_apply},
};

const struct msg_type *msg_lookup(const char *root)
{
	size_t i;

	for (i = 0; i < sizeof(msg_types) / sizeof(msg_types[0]); i++)
		if (strcmp(msg_types[i].root, root) == 0)
			return &msg_types[i];
	return NULL;
}

const char *msg_from(const struct msg_ctx *ctx)
{
	return ctx->sender ? ctx->sender->code : ctx->reply->hub_code;
}

struct notice *msg_notice(struct msg_ctx *ctx, const char *receiver, const char *event,
    const struct agreement *a)
{
	struct notice *n;
	char key[sizeof(n->receiver) + sizeof(n->event) + 1];
	void *at;

	/* Looked up by receiver and event, not by a walk of the list: a
	 * receipt of 1,000 items has some 110 notices (issue #7). */
	snprintf(key, sizeof(key), "%s %s", receiver, event);
	if (strmap_get(&ctx->notice_at, key, &at))
		n = &ctx->notices[(uintptr_t)at - 1];
	else {
		ctx->notices = xgrow(ctx->notices, (size_t)ctx->nnotices, &ctx->capnotices, sizeof(*n));
		n = &ctx->notices[ctx->nnotices++];
		strmap_put(&ctx->notice_at, key, (void *)(uintptr_t)ctx->nnotices);
		memset(n, 0, sizeof(*n));
		strlcopy(n->receiver, receiver, sizeof(n->receiver));
		strlcopy(n->event, event, sizeof(n->event));
		strlcopy(n->from, msg_from(ctx), sizeof(n->from));
	}
	if (a != NULL) {
		n->items = xgrow(n->items, (size_t)n->nitems, &n->capitems, sizeof(*n->items));
		memset(&n->items[n->nitems], 0, sizeof(n->items[0]));
		reply_item_from(&n->items[n->nitems++], a);
	}
	return n;
}

void msg_notice_parties(struct msg_ctx *ctx, const char *event, const struct agreement *a)
{
	const char *me = ctx->sender ? ctx->sender->code : "";

	if (strcmp(a->consignor, me) != 0)
		msg_notice(ctx, a->consignor, event, a);
	if (strcmp(a->broker, me) != 0)
		msg_notice(ctx, a->broker, event, a);
}

/* R26: each agreement a notice names gets a line in its audit trail (entrustctl trace). */
static int msg_notice_audit(struct msg_ctx *ctx, const struct notice *n, const char *file)
{
	int i, rc = 0;

	for (i = 0; i < n->nitems && rc == 0; i++)
		if (n->items[i].number[0])
			rc = lifecycle_audit(ctx, n->items[i].number, "notice=%s to=%s file=%s", n->event, n->receiver, file);
	return rc;
}

static int msg_notices_flush(struct msg_ctx *ctx)
{
	const struct notice *n;
	char name[OUTBOX_NAME_MAX];
	struct buf xml;
	int i, rc = 0;

	buf_init(&xml);
	for (i = 0; i < ctx->nnotices && rc == 0; i++) {
		n = &ctx->notices[i];
		reply_notice_xml(ctx->reply, n, &xml);
		if (ctx->bundles != NULL && registry_bundles_notices(ctx->registry, n->receiver))
			rc = bundles_add(ctx->bundles, ctx->store, ctx->txn, n->receiver, &xml, name);
		else if ((rc = outbox_add_as(ctx->store, ctx->txn, n->receiver, "NTC", &xml, name)) == 0)
			sealer_offer(ctx->sealer, n->receiver, name, &xml);
		if (rc == 0)
			rc = msg_notice_audit(ctx, n, name);
	}
	buf_free(&xml);
	return rc;
}

int msg_flush(struct msg_ctx *ctx)
{
	int rc = msg_notices_flush(ctx);

	if (rc == 0)
		rc = lifecycle_audit_flush(ctx);
	msg_discard(ctx);
	return rc;
}

void msg_discard(struct msg_ctx *ctx)
{
	int i;

	for (i = 0; i < ctx->nnotices; i++)
		free(ctx->notices[i].items);
	free(ctx->notices);
	ctx->notices = NULL;
	ctx->nnotices = 0;
	ctx->capnotices = 0;
	strmap_free(&ctx->notice_at, NULL);
	lifecycle_audit_discard(ctx);
}

int msg_broker_active(struct msg_ctx *ctx, const char *code)
{
	struct registration r;
	int rc = store_registration_get(ctx->store, ctx->txn, code, 'A', &r);

	if (rc < 0)
		return -1;
	return rc == 0 && r.valid_until > ctx->now;
}

int msg_own_agreement(struct msg_ctx *ctx, const char *number, struct agreement *a)
{
	int rc = store_agreement_get(ctx->store, ctx->txn, number, a);

	if (rc != 0)
		return rc;
	if (strcmp(a->consignor, ctx->sender->code) != 0 && strcmp(a->broker, ctx->sender->code) != 0)
		return 1;	/* not a party to it: as if it did not exist (R2) */
	return 0;
}

void msg_broker_half(xmlNodePtr node, struct agreement *a)
{
	if (node == NULL)
		return;
	a->has_broker_half = 1;
	xmlin_text(node, "DocumentsReceived", a->documents_received, sizeof(a->documents_received));
	xmlin_text(node, "ReceivedOn", a->received_on, sizeof(a->received_on));
	xmlin_text(node, "Fee", a->fee, sizeof(a->fee));
	xmlin_text(node, "Commitments", a->commitments, sizeof(a->commitments));
	xmlin_text(node, "DeclarationNumber", a->declaration_number, sizeof(a->declaration_number));
}

int msg_own_letter(struct msg_ctx *ctx, const char *number, struct letter *l)
{
	int rc = store_letter_get(ctx->store, ctx->txn, number, l);

	if (rc != 0)
		return rc;
	if (strcmp(l->consignor.code, ctx->sender->code) != 0 && strcmp(l->broker.code, ctx->sender->code) != 0)
		return 1;
	return 0;
}

int msg_collect_keys(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	(void)val;
	(void)vlen;
	buf_add(arg, key, klen);
	buf_add(arg, "", 1);
	return 0;
}
