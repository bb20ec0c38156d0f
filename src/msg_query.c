/* msg_query — 查询 Query: broker search (R6), status query (R21), recent
 * five (R22), statistics (R23), account (R24) and top-up records (R20).
 * What is found is query.c's decision (shared with entrustctl query); this
 * module renders it as the Ack's Result, signed like every Ack; a replayed
 * query gets the first answer again (R25). */
#include "msg.h"
#include "query.h"
#include "xmem.h"
#include "xmlin.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static xmlNodePtr q_add(xmlNodePtr parent, const char *name, const char *text)
{
	return xmlNewTextChild(parent, NULL, (const xmlChar *)name, (const xmlChar *)text);
}

static void q_time(xmlNodePtr parent, const char *name, int64_t t)
{
	time_t tt = (time_t)t;
	char ts[32];
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	q_add(parent, name, ts);
}

static void q_int(xmlNodePtr parent, const char *name, int64_t v)
{
	char s[32];

	snprintf(s, sizeof(s), "%lld", (long long)v);
	q_add(parent, name, s);
}

/* R6: the public part of a broker's registration; never the manager's
 * identity number or the declarants' phones. */
static void q_broker(xmlNodePtr result, const struct registration *r)
{
	xmlNodePtr b = q_add(result, "Broker", NULL), d;
	int i;

	q_add(b, "Code", r->code);
	q_add(b, "Name", r->name);
	q_add(b, "District", r->district);
	q_add(b, "Address", r->address);
	if (r->introduction[0])
		q_add(b, "Introduction", r->introduction);
	q_add(b, "PublicPhone", r->public_phone);
	q_time(b, "ValidUntil", r->valid_until);
	for (i = 0; i < r->ndeclarants && i < MAX_DECLARANTS; i++) {
		d = q_add(b, "Declarant", NULL);
		q_add(d, "Name", r->declarants[i].name);
		q_add(d, "Number", r->declarants[i].number);
	}
}

static void q_agreement(xmlNodePtr result, const struct agreement *a)
{
	xmlNodePtr n = q_add(result, "Agreement", NULL);

	q_add(n, "Number", a->number);
	q_add(n, "Letter", a->letter);
	q_int(n, "Status", a->status);
	q_add(n, "Consignor", a->consignor);
	q_add(n, "Broker", a->broker);
	q_add(n, "Initiator", a->initiator);
	q_add(n, "Payer", a->payer);
	q_add(n, "GoodsName", a->goods_name);
	q_add(n, "HsCode", a->hs_code);
	q_add(n, "TotalValue", a->total_value);
	q_add(n, "Currency", a->currency);
	q_add(n, "Quantity", a->quantity);
	q_add(n, "Unit", a->unit);
	q_add(n, "Direction", a->direction);
	q_add(n, "Date", a->date);
	q_add(n, "BillOfLading", a->bill_of_lading);
	q_add(n, "TradeMode", a->trade_mode);
	q_add(n, "Origin", a->origin);
	if (a->signed_at)
		q_time(n, "SignedAt", a->signed_at);
}

static int q_broker_row(void *arg, const struct registration *r)
{
	q_broker(arg, r);
	return 0;
}

static int q_broker_search(struct msg_ctx *ctx, xmlNodePtr q, xmlNodePtr result)
{
	struct query_brokers f;

	memset(&f, 0, sizeof(f));
	xmlin_text(q, "District", f.district, sizeof(f.district));
	xmlin_text(q, "NameContains", f.name, sizeof(f.name));
	xmlin_text(q, "Code", f.code, sizeof(f.code));
	return query_brokers(ctx->store, ctx->txn, ctx->now, &f, q_broker_row, result);
}

static int q_agreement_row(void *arg, const struct agreement *a)
{
	q_agreement(arg, a);
	return 0;
}

/* The Status filter, -1 when absent.  Read whole: xs:unsignedByte allows
 * leading zeros ("0000000002"), which a short copy would cut, dropping the
 * filter (every status was then returned). */
static int q_status_filter(xmlNodePtr q)
{
	xmlNodePtr n = xmlin_child(q, "Status");
	xmlChar *text;
	int v;

	if (n == NULL || (text = xmlNodeGetContent(n)) == NULL)
		return -1;
	v = atoi((const char *)text);
	xmlFree(text);
	return v;
}

/* R21: the TotalValue filter, whole (a copy cut to 31 characters compared
 * another amount: leading zeros are valid xs:decimal), in canonical form; ""
 * when absent, -1 when it has more digits than n holds (the schema already
 * refuses more than libxml2's 24; no stored amount has more than Money's 18). */
static int q_amount_filter(xmlNodePtr q, char *out, size_t n)
{
	xmlNodePtr v = xmlin_child(q, "TotalValue");
	xmlChar *text;
	int rc;

	out[0] = '\0';
	if (v == NULL || (text = xmlNodeGetContent(v)) == NULL)
		return 0;
	rc = query_amount((const char *)text, out, n);
	xmlFree(text);
	return rc;
}

static int q_status(struct msg_ctx *ctx, xmlNodePtr q, xmlNodePtr result)
{
	struct query_status f;

	memset(&f, 0, sizeof(f));
	if (q_amount_filter(q, f.value, sizeof(f.value)) < 0) {
		reply_error(ctx->reply, -1, R_QUERY_INVALID, "/Query/StatusQuery/TotalValue",
		    "more digits than any amount 金额位数过多");
		return 0;
	}
	xmlin_text(q, "Counterparty", f.counterparty, sizeof(f.counterparty));
	xmlin_text(q, "Letter", f.letter, sizeof(f.letter));
	xmlin_text(q, "Agreement", f.agreement, sizeof(f.agreement));
	xmlin_text(q, "BillOfLading", f.bill, sizeof(f.bill));
	f.status = q_status_filter(q);
	return query_status(ctx->store, ctx->txn, ctx->sender->code, &f, q_agreement_row, result);
}

static int q_recent(struct msg_ctx *ctx, xmlNodePtr q, xmlNodePtr result)
{
	char counterparty[11];

	xmlin_text(q, "Counterparty", counterparty, sizeof(counterparty));
	return query_recent(ctx->store, ctx->txn, ctx->sender->code, counterparty, q_agreement_row, result);
}

static int q_statistics(struct msg_ctx *ctx, xmlNodePtr q, xmlNodePtr result)
{
	char from[40], to[40];
	time_t t0, t1;
	int64_t count;
	int rc;

	if (xmlin_text(q, "From", from, sizeof(from)) < 0 || query_date(from, &t0) < 0) {
		reply_error(ctx->reply, -1, R_QUERY_INVALID, "/Query/Statistics/From", "not a day yyyy-mm-dd 不是日期");
		return 0;
	}
	if (xmlin_text(q, "To", to, sizeof(to)) < 0 || query_date(to, &t1) < 0) {
		reply_error(ctx->reply, -1, R_QUERY_INVALID, "/Query/Statistics/To", "not a day yyyy-mm-dd 不是日期");
		return 0;
	}
	if (t1 < t0) {
		reply_error(ctx->reply, -1, R_QUERY_INVALID, "/Query/Statistics", "From %s is after To %s 起始日期晚于结束日期",
		    from, to);
		return 0;
	}
	/* To is inclusive */
	rc = query_used(ctx->store, ctx->txn, ctx->sender->code, t0, t1 + 86400, &count, NULL, NULL);
	q_int(result, "Count", count);
	return rc;
}

static int q_account(struct msg_ctx *ctx, xmlNodePtr result)
{
	struct account a;
	xmlNodePtr n;
	int64_t avail;

	if (query_account(ctx->store, ctx->txn, ctx->sender->code, &a, &avail) < 0)
		return -1;
	n = q_add(result, "Account", NULL);
	q_int(n, "Purchased", a.purchased);
	q_int(n, "Used", a.used);
	q_int(n, "InUse", a.in_use);
	q_int(n, "Available", avail);
	return 0;
}

static int q_topup_row(void *arg, const struct query_topup *t)
{
	xmlNodePtr n = q_add(arg, "TopUpRecord", NULL);

	q_add(n, "Units", t->units);
	q_add(n, "Reference", t->reference);
	q_time(n, "RecordedAt", t->recorded_at);
	return 0;
}

int msg_query_apply(struct msg_ctx *ctx, xmlNodePtr root)
{
	xmlNodePtr q, result = xmlNewNode(NULL, (const xmlChar *)"Result");
	const char *what;
	int rc;

	for (q = xmlin_child(root, "Header")->next; q && q->type != XML_ELEMENT_NODE; q = q->next)
		;
	what = q ? (const char *)q->name : "";
	if (strcmp(what, "BrokerSearch") == 0)
		rc = q_broker_search(ctx, q, result);
	else if (strcmp(what, "StatusQuery") == 0)
		rc = q_status(ctx, q, result);
	else if (strcmp(what, "RecentFive") == 0)
		rc = q_recent(ctx, q, result);
	else if (strcmp(what, "Statistics") == 0)
		rc = q_statistics(ctx, q, result);
	else if (strcmp(what, "AccountQuery") == 0)
		rc = q_account(ctx, result);
	else
		rc = query_topups(ctx->store, ctx->txn, ctx->sender->code, q_topup_row, result);
	strlcopy(ctx->reply->in_type, "Query", sizeof(ctx->reply->in_type));
	ctx->reply->result = result;
	return rc < 0 ? -1 : 0;
}
