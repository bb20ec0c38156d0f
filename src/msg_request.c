/* msg_request — 委托申请 EntrustRequest: create a letter with 1–10 agreements
 * or append them to the live letter between the same two parties.
 * Rules: R2 (only the consignor or broker named in the letter, each in its
 * role), R7 (numbers), R8 (one live letter per pair, terms fixed on append),
 * R9 (a broker initiates with both halves). */
#include "msg.h"
#include "xmem.h"
#include "xmlin.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_AGREEMENTS 10

struct request {
	struct letter		terms;		/* as sent; numbers and status not yet set */
	int			has_validity;
	int			has_auto_confirm;
	struct agreement	agreements[MAX_AGREEMENTS];
	int			n;
};

static void request_party(xmlNodePtr node, struct letter_party *p)
{
	xmlin_text(node, "Code", p->code, sizeof(p->code));
	xmlin_text(node, "CreditCode", p->credit, sizeof(p->credit));
	xmlin_text(node, "Name", p->name, sizeof(p->name));
	xmlin_text(node, "Signer", p->signer, sizeof(p->signer));
	xmlin_text(node, "Phone", p->phone, sizeof(p->phone));
}

static void request_terms(xmlNodePtr node, struct request *rq)
{
	struct letter *l = &rq->terms;
	char text[16];
	xmlNodePtr m;
	size_t k = 0;

	request_party(xmlin_child(node, "Consignor"), &l->consignor);
	request_party(xmlin_child(node, "Broker"), &l->broker);
	xmlin_text(node, "Mode", l->mode, sizeof(l->mode));
	for (m = xmlin_child(node, "Matter"); m && k < sizeof(l->matters) - 1; m = xmlin_next(m, "Matter")) {
		xmlChar *s = xmlNodeGetContent(m);

		if (s && s[0] && strchr(l->matters, s[0]) == NULL)
			l->matters[k++] = (char)s[0];
		xmlFree(s);
	}
	xmlin_text(node, "OtherMatter", l->other_matter, sizeof(l->other_matter));
	if ((rq->has_validity = xmlin_text(node, "ValidityMonths", text, sizeof(text)) > 0))
		l->validity_months = atoi(text);
	if ((rq->has_auto_confirm = xmlin_text(node, "AutoConfirm", text, sizeof(text)) > 0))
		l->auto_confirm = strcmp(text, "true") == 0 || strcmp(text, "1") == 0;
	xmlin_text(node, "SignedOn", l->signed_on, sizeof(l->signed_on));
}

static void request_broker_half(xmlNodePtr node, struct agreement *a)
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

static void request_agreement(xmlNodePtr node, struct agreement *a)
{
	xmlin_attr(node, "ref", a->ref, sizeof(a->ref));
	xmlin_text(node, "GoodsName", a->goods_name, sizeof(a->goods_name));
	xmlin_text(node, "HsCode", a->hs_code, sizeof(a->hs_code));
	xmlin_text(node, "TotalValue", a->total_value, sizeof(a->total_value));
	xmlin_attr(xmlin_child(node, "TotalValue"), "currency", a->currency, sizeof(a->currency));
	if (a->currency[0] == '\0')
		strlcopy(a->currency, "USD", sizeof(a->currency));	/* 币制 default (DOMAIN.md §4) */
	xmlin_text(node, "Quantity", a->quantity, sizeof(a->quantity));
	xmlin_attr(xmlin_child(node, "Quantity"), "unit", a->unit, sizeof(a->unit));
	xmlin_text(node, "Direction", a->direction, sizeof(a->direction));
	xmlin_text(node, "Date", a->date, sizeof(a->date));
	xmlin_text(node, "BillOfLading", a->bill_of_lading, sizeof(a->bill_of_lading));
	xmlin_text(node, "TradeMode", a->trade_mode, sizeof(a->trade_mode));
	xmlin_text(node, "Origin", a->origin, sizeof(a->origin));
	xmlin_text(node, "OtherRequirements", a->other_requirements, sizeof(a->other_requirements));
	xmlin_text(node, "Payer", a->payer, sizeof(a->payer));
	request_broker_half(xmlin_child(node, "BrokerHalf"), a);
}

static void request_read(xmlNodePtr root, struct request *rq)
{
	xmlNodePtr n;

	memset(rq, 0, sizeof(*rq));
	request_terms(xmlin_child(root, "Letter"), rq);
	for (n = xmlin_child(root, "Agreement"); n && rq->n < MAX_AGREEMENTS; n = xmlin_next(n, "Agreement"))
		request_agreement(n, &rq->agreements[rq->n++]);
}

/* R2: the sender is the consignor or the broker of the letter, in that role;
 * the other side is registered in its role.  R9: a broker fills both halves. */
static int request_check_parties(struct msg_ctx *ctx, const struct request *rq)
{
	const struct party *me = ctx->sender;
	const struct letter *l = &rq->terms;
	int i, j;

	if (!(me->role == ROLE_CONSIGNOR && strcmp(me->code, l->consignor.code) == 0)
	    && !(me->role == ROLE_BROKER && strcmp(me->code, l->broker.code) == 0)) {
		reply_error(ctx->reply, R_ROLE_FORBIDDEN, "/EntrustRequest/Letter",
		    "sender %s (%s) is neither the consignor nor the broker of this letter",
		    me->code, role_name(me->role));
		return -1;
	}
	if (me->role == ROLE_CONSIGNOR && !registry_by_code(ctx->registry, l->broker.code, ROLE_BROKER)) {
		reply_error(ctx->reply, R_PARTY_UNKNOWN, "/EntrustRequest/Letter/Broker/Code",
		    "%s is not a registered broker", l->broker.code);
		return -1;
	}
	if (me->role == ROLE_BROKER && !registry_by_code(ctx->registry, l->consignor.code, ROLE_CONSIGNOR)) {
		reply_error(ctx->reply, R_PARTY_UNKNOWN, "/EntrustRequest/Letter/Consignor/Code",
		    "%s is not a registered consignor", l->consignor.code);
		return -1;
	}
	for (i = 0; i < rq->n; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/EntrustRequest/Agreement[%d]", i + 1);
		for (j = 0; j < i; j++)
			if (strcmp(rq->agreements[i].ref, rq->agreements[j].ref) == 0) {
				reply_error(ctx->reply, R_DUPLICATE_REF, path, "ref %s", rq->agreements[i].ref);
				return -1;
			}
		if (me->role == ROLE_BROKER && !rq->agreements[i].has_broker_half) {
			reply_error(ctx->reply, R_BROKER_HALF_REQUIRED, path, NULL);
			return -1;
		}
	}
	return 0;
}

/* The live letter between the pair (R8), if any: initiated or confirmed, unexpired. */
static int request_live_letter(struct msg_ctx *ctx, const struct letter *terms, struct letter *live)
{
	char key[24];
	struct buf v;
	int rc;

	snprintf(key, sizeof(key), "%s|%s", terms->consignor.code, terms->broker.code);
	buf_init(&v);
	rc = store_get(ctx->store, ctx->txn, SDB_LIVE, key, strlen(key), &v);
	if (rc == 0)
		rc = store_letter_get(ctx->store, ctx->txn, v.data, live);
	buf_free(&v);
	if (rc != 0)
		return rc;
	if ((live->status != LS_INITIATED && live->status != LS_CONFIRMED) || live->valid_until <= ctx->now)
		return 1;
	return 0;
}

/* R8: an append cannot change the letter's validity or auto-confirm flag. */
static int request_check_append(struct msg_ctx *ctx, const struct request *rq, const struct letter *live)
{
	if ((rq->has_validity && rq->terms.validity_months != live->validity_months)
	    || (rq->has_auto_confirm && rq->terms.auto_confirm != live->auto_confirm)) {
		reply_error(ctx->reply, R_LETTER_TERMS_FIXED, "/EntrustRequest/Letter",
		    "live letter %s has ValidityMonths %d and AutoConfirm %s", live->number,
		    (int)live->validity_months, live->auto_confirm ? "true" : "false");
		return -1;
	}
	return 0;
}

/* R7: the next number of a per-year series, allocated in this transaction. */
static int request_number(struct msg_ctx *ctx, const char *series, int digits, char *out, size_t n)
{
	char name[16], num[48];
	uint64_t seq;
	int year = entrust_year(ctx->now);

	snprintf(name, sizeof(name), "%s%d", series, year);
	if (store_next(ctx->store, ctx->txn, name, &seq) < 0)
		return -1;
	if (digits == 8)
		snprintf(num, sizeof(num), "%02d%08llu", year % 100, (unsigned long long)seq);
	else
		snprintf(num, sizeof(num), "%04d%010llu", year, (unsigned long long)seq);
	if (strlcopy(out, num, n) < 0)
		panic("R7 number series %s exhausted", name);
	return 0;
}

static int request_new_letter(struct msg_ctx *ctx, const struct request *rq, struct letter *l)
{
	char key[24];

	if (rq->terms.mode[0] == '\0' || rq->terms.matters[0] == '\0' || !rq->has_validity) {
		reply_error(ctx->reply, R_LETTER_TERMS_MISSING, "/EntrustRequest/Letter", NULL);
		return 1;
	}
	*l = rq->terms;
	if (request_number(ctx, "L", 8, l->number, sizeof(l->number)) < 0)
		return -1;
	strlcopy(l->initiator, ctx->sender->code, sizeof(l->initiator));
	l->status = LS_INITIATED;
	l->created_at = ctx->now;
	l->valid_until = entrust_add_months(ctx->now, (int)l->validity_months);
	snprintf(key, sizeof(key), "%s|%s", l->consignor.code, l->broker.code);
	if (store_put(ctx->store, ctx->txn, SDB_LIVE, key, strlen(key), l->number, strlen(l->number) + 1) < 0)
		return -1;
	ctx->reply->letter_created = 1;
	return 0;
}

static int request_store_agreement(struct msg_ctx *ctx, struct letter *l, struct agreement *a)
{
	char key[32];

	if (request_number(ctx, "A", 10, a->number, sizeof(a->number)) < 0)
		return -1;
	strlcopy(a->letter, l->number, sizeof(a->letter));
	strlcopy(a->initiator, ctx->sender->code, sizeof(a->initiator));
	strlcopy(a->consignor, l->consignor.code, sizeof(a->consignor));
	strlcopy(a->broker, l->broker.code, sizeof(a->broker));
	strlcopy(a->message_id, ctx->reply->in_msgid, sizeof(a->message_id));
	a->status = ST_INITIATED;
	a->created_at = a->updated_at = ctx->now;
	snprintf(key, sizeof(key), "%s|%s", l->number, a->number);
	if (store_agreement_put(ctx->store, ctx->txn, a) < 0
	    || store_put(ctx->store, ctx->txn, SDB_BY_LETTER, key, strlen(key), "", 0) < 0)
		return -1;
	l->agreement_count++;
	reply_item(ctx->reply, a);
	return 0;
}

int msg_request_apply(struct msg_ctx *ctx, xmlNodePtr root)
{
	struct request *rq = xmalloc(sizeof(*rq));
	struct letter l;
	const char *other;
	int rc, i;

	request_read(root, rq);
	if (request_check_parties(ctx, rq) < 0) {
		free(rq);
		return 0;
	}
	rc = request_live_letter(ctx, &rq->terms, &l);
	if (rc == 0)
		rc = request_check_append(ctx, rq, &l) < 0 ? 1 : 0;
	else if (rc == 1)
		rc = request_new_letter(ctx, rq, &l);
	for (i = 0; rc == 0 && i < rq->n; i++)
		rc = request_store_agreement(ctx, &l, &rq->agreements[i]);
	if (rc == 0)
		rc = store_letter_put(ctx->store, ctx->txn, &l);
	if (rc == 0) {
		strlcopy(ctx->reply->letter, l.number, sizeof(ctx->reply->letter));
		other = ctx->sender->role == ROLE_CONSIGNOR ? l.broker.code : l.consignor.code;
		rc = msg_notify(ctx, other, "request-waiting", rq->agreements, rq->n);	/* R26 */
	}
	free(rq);
	return rc < 0 ? -1 : 0;
}
