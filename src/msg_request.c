/* msg_request — 委托申请 EntrustRequest: create a letter with 1–10 agreements
 * or append them to the live letter between the same two parties.
 * Rules: R2 (only the consignor or broker named in the letter, each in its
 * role), R5 (the broker's registration is approved and unexpired), R7
 * (numbers), R8 (one live letter per pair, terms fixed on append), R9 (a
 * broker initiates with both halves), R12 (codes), R14 (auto-confirm of
 * broker-initiated, broker-paid appends to a confirmed letter), R19. */
#include "lifecycle.h"
#include "msg.h"
#include "xmem.h"
#include "xmlin.h"
#include <stddef.h>
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

static int request_char_cmp(const void *a, const void *b)
{
	return *(const char *)a - *(const char *)b;
}

static void request_terms(xmlNodePtr node, struct request *rq)
{
	struct letter *l = &rq->terms;
	char text[64];
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
	qsort(l->matters, k, 1, request_char_cmp);	/* A..H in order, as entrust.h says */
	xmlin_text(node, "OtherMatter", l->other_matter, sizeof(l->other_matter));
	if ((rq->has_validity = xmlin_text(node, "ValidityMonths", text, sizeof(text)) != 0))
		l->validity_months = atoi(text);
	if ((rq->has_auto_confirm = xmlin_child(node, "AutoConfirm") != NULL))
		l->auto_confirm = xmlin_bool(node, "AutoConfirm", 0);
	xmlin_text(node, "SignedOn", l->signed_on, sizeof(l->signed_on));
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
	msg_broker_half(xmlin_child(node, "BrokerHalf"), a);
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
 * the other side is registered in its role; R5: the broker is approved. */
static int request_check_parties(struct msg_ctx *ctx, const struct request *rq)
{
	const struct party *me = ctx->sender;
	const struct letter *l = &rq->terms;
	int active;

	if (!(me->role == ROLE_CONSIGNOR && strcmp(me->code, l->consignor.code) == 0)
	    && !(me->role == ROLE_BROKER && strcmp(me->code, l->broker.code) == 0)) {
		reply_error(ctx->reply, -1, R_ROLE_FORBIDDEN, "/EntrustRequest/Letter",
		    "sender %s (%s) is neither the consignor nor the broker of this letter",
		    me->code, role_name(me->role));
		return 1;
	}
	if (me->role == ROLE_CONSIGNOR && !registry_by_code(ctx->registry, l->broker.code, ROLE_BROKER)) {
		reply_error(ctx->reply, -1, R_PARTY_UNKNOWN, "/EntrustRequest/Letter/Broker/Code",
		    "%s is not a registered broker", l->broker.code);
		return 1;
	}
	if (me->role == ROLE_BROKER && !registry_by_code(ctx->registry, l->consignor.code, ROLE_CONSIGNOR)) {
		reply_error(ctx->reply, -1, R_PARTY_UNKNOWN, "/EntrustRequest/Letter/Consignor/Code",
		    "%s is not a registered consignor", l->consignor.code);
		return 1;
	}
	if ((active = msg_broker_active(ctx, l->broker.code)) <= 0) {
		if (active == 0)
			reply_error(ctx->reply, -1, R_BROKER_NOT_APPROVED, "/EntrustRequest/Letter/Broker/Code",
			    "broker %s", l->broker.code);
		return active < 0 ? -1 : 1;
	}
	return 0;
}

/* R12: every code of the agreement is in its table. */
static int request_check_codes(struct msg_ctx *ctx, int item, const struct agreement *a, const char *path)
{
	static const struct {
		enum code_table	table;
		const char	*field;
		size_t		offset;
	} fields[] = {
		{CODES_TRADE_MODE, "TradeMode", offsetof(struct agreement, trade_mode)},
		{CODES_COUNTRY, "Origin", offsetof(struct agreement, origin)},
		{CODES_CURRENCY, "TotalValue/@currency", offsetof(struct agreement, currency)},
		{CODES_UNIT, "Quantity/@unit", offsetof(struct agreement, unit)},
	};
	const char *value;
	char where[96];
	size_t i;
	int bad = 0;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		value = (const char *)a + fields[i].offset;
		if (codes_name(ctx->codes, fields[i].table, value) != NULL)
			continue;
		snprintf(where, sizeof(where), "%s/%s", path, fields[i].field);
		reply_error(ctx->reply, item, R_CODE_UNKNOWN, where, "%s %s", fields[i].field, value);
		bad = 1;
	}
	return bad;
}

/* Item-level checks (R9, R12, refs); returns how many items passed. */
static int request_check_items(struct msg_ctx *ctx, struct request *rq, int *ok)
{
	char path[64];
	int i, j, n = 0;

	for (i = 0; i < rq->n; i++) {
		struct agreement *a = &rq->agreements[i];

		snprintf(path, sizeof(path), "/EntrustRequest/Agreement[%d]", i + 1);
		ok[i] = reply_item_add(ctx->reply, a->ref) >= 0;
		for (j = 0; j < i; j++)
			if (strcmp(a->ref, rq->agreements[j].ref) == 0) {
				reply_error(ctx->reply, i, R_DUPLICATE_REF, path, "ref %s", a->ref);
				ok[i] = 0;
				break;
			}
		if (ctx->sender->role == ROLE_BROKER && !a->has_broker_half) {
			reply_error(ctx->reply, i, R_BROKER_HALF_REQUIRED, path, NULL);
			ok[i] = 0;
		}
		if (request_check_codes(ctx, i, a, path))
			ok[i] = 0;
		n += ok[i];
	}
	return n;
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
		reply_error(ctx->reply, -1, R_LETTER_TERMS_FIXED, "/EntrustRequest/Letter",
		    "live letter %s has ValidityMonths %d and AutoConfirm %s", live->number,
		    (int)live->validity_months, live->auto_confirm ? "true" : "false");
		return 1;
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

/* 反填: what the other side did not write about itself comes from the
 * broker's approved registration and the party registry. */
static int request_fill_parties(struct msg_ctx *ctx, struct letter *l)
{
	const struct party *p = registry_by_code(ctx->registry, l->consignor.code, ROLE_CONSIGNOR);
	struct registration r;
	int rc;

	if (l->consignor.name[0] == '\0' && p != NULL)
		strlcopy(l->consignor.name, p->name, sizeof(l->consignor.name));
	if ((rc = store_registration_get(ctx->store, ctx->txn, l->broker.code, 'A', &r)) != 0)
		return rc < 0 ? -1 : 0;
	if (l->broker.name[0] == '\0')
		strlcopy(l->broker.name, r.name, sizeof(l->broker.name));
	if (l->broker.credit[0] == '\0')
		strlcopy(l->broker.credit, r.credit, sizeof(l->broker.credit));
	if (l->broker.phone[0] == '\0')
		strlcopy(l->broker.phone, r.public_phone, sizeof(l->broker.phone));
	return 0;
}

static int request_new_letter(struct msg_ctx *ctx, const struct request *rq, struct letter *l)
{
	unsigned char key[8 + 11];
	char live[24];

	if (rq->terms.mode[0] == '\0' || rq->terms.matters[0] == '\0' || !rq->has_validity) {
		reply_error(ctx->reply, -1, R_LETTER_TERMS_MISSING, "/EntrustRequest/Letter", NULL);
		return 1;
	}
	*l = rq->terms;
	if (request_fill_parties(ctx, l) < 0 || request_number(ctx, "L", 8, l->number, sizeof(l->number)) < 0)
		return -1;
	strlcopy(l->initiator, ctx->sender->code, sizeof(l->initiator));
	l->status = LS_INITIATED;
	l->created_at = ctx->now;
	l->valid_until = entrust_add_months(ctx->now, (int)l->validity_months);
	snprintf(live, sizeof(live), "%s|%s", l->consignor.code, l->broker.code);
	store_be64(key, (uint64_t)l->valid_until);
	memcpy(key + 8, l->number, 10);
	if (store_put(ctx->store, ctx->txn, SDB_LIVE, live, strlen(live), l->number, strlen(l->number) + 1) < 0
	    || store_put(ctx->store, ctx->txn, SDB_EXPIRY, key, 18, "", 0) < 0)	/* R11 timer */
		return -1;
	ctx->reply->letter_created = 1;
	return 0;
}

/* R14: a broker-initiated, broker-paid agreement on a confirmed letter with auto-confirm on. */
static int request_auto_confirms(const struct msg_ctx *ctx, const struct letter *l, const struct agreement *a)
{
	return l->auto_confirm && l->status == LS_CONFIRMED && ctx->sender->role == ROLE_BROKER
	    && strcmp(a->payer, "broker") == 0;
}

/* Store one agreement; auto-confirm it when R14 says so.  A refusal for
 * balance (R19) undoes the agreement through the child transaction. */
static int request_store_agreement(struct msg_ctx *ctx, struct letter *l, int item, struct agreement *a)
{
	store_txn *parent = ctx->txn;
	char detail[256];
	enum reason why;
	int rc;

	if (request_number(ctx, "A", 10, a->number, sizeof(a->number)) < 0)
		return -1;
	strlcopy(a->letter, l->number, sizeof(a->letter));
	strlcopy(a->initiator, ctx->sender->code, sizeof(a->initiator));
	strlcopy(a->consignor, l->consignor.code, sizeof(a->consignor));
	strlcopy(a->broker, l->broker.code, sizeof(a->broker));
	strlcopy(a->message_id, ctx->reply->in_msgid, sizeof(a->message_id));
	a->status = ST_INITIATED;
	a->created_at = a->updated_at = ctx->now;
	if ((ctx->txn = store_begin_child(ctx->store, parent)) == NULL) {
		ctx->txn = parent;
		return -1;
	}
	rc = store_agreement_put(ctx->store, ctx->txn, a) < 0 || lifecycle_index(ctx, a) < 0 ? -1 : 0;
	if (rc == 0 && request_auto_confirms(ctx, l, a))
		rc = lifecycle_move(ctx, a, ST_CONFIRMED, &why, detail, sizeof(detail));
	if (rc == 0) {
		rc = store_commit(ctx->txn) == 0 ? 0 : -1;
		l->agreement_count++;
		reply_item_set(ctx->reply, item, a, 1);
		if (a->status == ST_CONFIRMED)
			msg_notice(ctx, l->consignor.code, "auto-confirmed", a);
		else
			msg_notice(ctx, ctx->sender->role == ROLE_CONSIGNOR ? l->broker.code : l->consignor.code,
			    "request-waiting", a);
	} else {
		store_abort(ctx->txn);
		if (rc > 0)
			reply_error(ctx->reply, item, why, NULL, "%s", detail);
	}
	ctx->txn = parent;
	return rc < 0 ? -1 : 0;
}

int msg_request_apply(struct msg_ctx *ctx, xmlNodePtr root)
{
	struct request *rq = xmalloc(sizeof(*rq));
	int ok[MAX_AGREEMENTS], rc, i;
	struct letter l;

	request_read(root, rq);
	if ((rc = request_check_parties(ctx, rq)) != 0 || request_check_items(ctx, rq, ok) == 0) {
		free(rq);
		return rc < 0 ? -1 : 0;
	}
	rc = request_live_letter(ctx, &rq->terms, &l);
	if (rc == 0)
		rc = request_check_append(ctx, rq, &l);
	else if (rc == 1)
		rc = request_new_letter(ctx, rq, &l);
	for (i = 0; rc == 0 && i < rq->n; i++)
		if (ok[i])
			rc = request_store_agreement(ctx, &l, i, &rq->agreements[i]);
	if (rc == 0)
		rc = store_letter_put(ctx->store, ctx->txn, &l);
	if (rc == 0) {
		strlcopy(ctx->reply->letter, l.number, sizeof(ctx->reply->letter));
		ctx->reply->letter_status = letter_status_name((int)l.status);
	}
	free(rq);
	return rc < 0 ? -1 : 0;
}
