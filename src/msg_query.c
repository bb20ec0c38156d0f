/* msg_query — 查询 Query: broker search (R6), status query (R21), recent
 * five (R22), statistics (R23), account (R24) and top-up records (R20).
 * The answer is the Ack's Result, signed like every Ack; a replayed query
 * gets the first answer again (R25). */
#include "codec.h"
#include "msg.h"
#include "xmem.h"
#include "xmlin.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define QUERY_MAX_ROWS 1000

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

struct broker_filter {
	struct msg_ctx	*ctx;
	xmlNodePtr	 result;
	char		 district[8];
	char		 name[257];
	char		 code[11];
	int		 n;
};

static int q_broker_visit(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct broker_filter *f = arg;
	struct registration r;

	if (klen != 12 || ((const char *)key)[11] != 'A' || f->n >= QUERY_MAX_ROWS
	    || codec_decode(&codec_registration, val, vlen, &r) < 0)
		return 0;
	if (r.valid_until <= f->ctx->now)	/* R5: expired brokers are not found */
		return 0;
	if ((f->district[0] && strncmp(r.district, f->district, strlen(f->district)) != 0)
	    || (f->name[0] && strstr(r.name, f->name) == NULL)
	    || (f->code[0] && strcmp(r.code, f->code) != 0))
		return 0;
	q_broker(f->result, &r);
	f->n++;
	return 0;
}

static int q_broker_search(struct msg_ctx *ctx, xmlNodePtr q, xmlNodePtr result)
{
	struct broker_filter f;

	memset(&f, 0, sizeof(f));
	f.ctx = ctx;
	f.result = result;
	xmlin_text(q, "District", f.district, sizeof(f.district));
	xmlin_text(q, "NameContains", f.name, sizeof(f.name));
	xmlin_text(q, "Code", f.code, sizeof(f.code));
	return store_scan(ctx->store, ctx->txn, SDB_REGISTRATIONS, NULL, 0, q_broker_visit, &f);
}

/* The asker's agreements (both roles), loaded one by one for fn. */
static int q_each_agreement(struct msg_ctx *ctx, int (*fn)(void *, const struct agreement *), void *arg)
{
	char prefix[16];
	struct agreement a;
	struct buf keys;
	size_t off;
	int rc;

	snprintf(prefix, sizeof(prefix), "%s|", ctx->sender->code);
	buf_init(&keys);
	rc = store_scan(ctx->store, ctx->txn, SDB_BY_PARTY, prefix, strlen(prefix), msg_collect_keys, &keys);
	for (off = 0; rc == 0 && off < keys.len; off += strlen(keys.data + off) + 1)
		if ((rc = store_agreement_get(ctx->store, ctx->txn, keys.data + off + 11, &a)) == 0)
			rc = fn(arg, &a) < 0 ? -1 : 0;
		else if (rc == 1)
			rc = 0;
	buf_free(&keys);
	return rc;
}

struct status_filter {
	const char	*me;
	char		 counterparty[11];
	char		 letter[11];
	char		 agreement[15];
	char		 bill[33];
	char		 value[32];
	int		 status;
	xmlNodePtr	 result;
	int		 n;
};

static int q_same_amount(const char *a, const char *b)
{
	return strtod(a, NULL) == strtod(b, NULL);
}

static int q_status_visit(void *arg, const struct agreement *a)
{
	struct status_filter *f = arg;
	const char *other = strcmp(a->consignor, f->me) == 0 ? a->broker : a->consignor;

	if ((f->counterparty[0] && strcmp(other, f->counterparty) != 0)
	    || (f->letter[0] && strcmp(a->letter, f->letter) != 0)
	    || (f->agreement[0] && strcmp(a->number, f->agreement) != 0)
	    || (f->bill[0] && strcmp(a->bill_of_lading, f->bill) != 0)
	    || (f->value[0] && !q_same_amount(a->total_value, f->value))
	    || (f->status >= 0 && a->status != f->status))
		return 0;
	if (f->n++ < QUERY_MAX_ROWS)
		q_agreement(f->result, a);
	return 0;
}

static int q_status(struct msg_ctx *ctx, xmlNodePtr q, xmlNodePtr result)
{
	struct status_filter f;
	char status[8];
	int rc;

	memset(&f, 0, sizeof(f));
	f.me = ctx->sender->code;
	f.result = result;
	xmlin_text(q, "Counterparty", f.counterparty, sizeof(f.counterparty));
	xmlin_text(q, "Letter", f.letter, sizeof(f.letter));
	xmlin_text(q, "Agreement", f.agreement, sizeof(f.agreement));
	xmlin_text(q, "BillOfLading", f.bill, sizeof(f.bill));
	xmlin_text(q, "TotalValue", f.value, sizeof(f.value));
	f.status = xmlin_text(q, "Status", status, sizeof(status)) > 0 ? atoi(status) : -1;
	rc = q_each_agreement(ctx, q_status_visit, &f);
	return rc;
}

struct recent {
	const char		*me;
	char			 counterparty[11];
	struct agreement	 top[5];
	int			 n;
};

/* R22: keep the five most recently signed (status 1, 2, 4 or 5). */
static int q_recent_visit(void *arg, const struct agreement *a)
{
	struct recent *r = arg;
	const char *other = strcmp(a->consignor, r->me) == 0 ? a->broker : a->consignor;
	int i;

	if (strcmp(other, r->counterparty) != 0 || !(a->status == ST_CONFIRMED || a->status == ST_DECLARABLE
	    || a->status == ST_IN_USE || a->status == ST_USED))
		return 0;
	for (i = r->n < 5 ? r->n++ : 5; i > 0 && r->top[i - 1].signed_at < a->signed_at; i--)
		if (i < 5)
			r->top[i] = r->top[i - 1];
	if (i < 5)
		r->top[i] = *a;
	return 0;
}

static int q_recent(struct msg_ctx *ctx, xmlNodePtr q, xmlNodePtr result)
{
	struct recent *r = xcalloc(1, sizeof(*r));
	int i, rc;

	r->me = ctx->sender->code;
	xmlin_text(q, "Counterparty", r->counterparty, sizeof(r->counterparty));
	rc = q_each_agreement(ctx, q_recent_visit, r);
	for (i = 0; rc == 0 && i < r->n; i++)
		q_agreement(result, &r->top[i]);
	free(r);
	return rc;
}

/* The UTC instant of 00:00 in China (UTC+8) on the date "yyyy-mm-dd…". */
static int q_date(const char *s, time_t *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*t = timegm(&tm) - 8 * 3600;
	return 0;
}

struct stats {
	time_t	from, to;
	int64_t	count;
};

static int q_stats_visit(void *arg, const struct agreement *a)
{
	struct stats *s = arg;

	if (a->status == ST_USED && a->used_at >= s->from && a->used_at < s->to)
		s->count++;	/* R23: only customs-used agreements count */
	return 0;
}

static int q_statistics(struct msg_ctx *ctx, xmlNodePtr q, xmlNodePtr result)
{
	char from[40], to[40];
	struct stats s = {0, 0, 0};
	int rc;

	xmlin_text(q, "From", from, sizeof(from));
	xmlin_text(q, "To", to, sizeof(to));
	if (q_date(from, &s.from) < 0 || q_date(to, &s.to) < 0 || s.to < s.from) {
		reply_error(ctx->reply, -1, R_QUERY_INVALID, "/Query/Statistics", "From %s is after To %s", from, to);
		return 0;
	}
	s.to += 86400;		/* To is inclusive */
	rc = q_each_agreement(ctx, q_stats_visit, &s);
	q_int(result, "Count", s.count);
	return rc;
}

static int q_account(struct msg_ctx *ctx, xmlNodePtr result)
{
	struct account a;
	xmlNodePtr n;
	int64_t avail;

	if (store_account_get(ctx->store, ctx->txn, ctx->sender->code, &a) < 0)
		return -1;
	avail = a.purchased - a.used - a.in_use;
	n = q_add(result, "Account", NULL);
	q_int(n, "Purchased", a.purchased);
	q_int(n, "Used", a.used);
	q_int(n, "InUse", a.in_use);
	q_int(n, "Available", avail < 0 ? 0 : avail);	/* R18: never below 0 */
	return 0;
}

static int q_topup_visit(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	xmlNodePtr n, result = arg;
	char rec[512], *units, *ref, *save = NULL;

	if (klen != 26 || vlen >= sizeof(rec))
		return 0;
	memcpy(rec, val, vlen);
	rec[vlen] = '\0';
	units = strtok_r(rec, "|", &save);
	ref = strtok_r(NULL, "|", &save);
	n = q_add(result, "TopUpRecord", NULL);
	q_add(n, "Units", units ? units : "0");
	q_add(n, "Reference", ref ? ref : "");
	q_time(n, "RecordedAt", (int64_t)store_get_be64((const unsigned char *)key + 10));
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
		rc = store_scan(ctx->store, ctx->txn, SDB_TOPUPS, ctx->sender->code, 10, q_topup_visit, result);
	strlcopy(ctx->reply->in_type, "Query", sizeof(ctx->reply->in_type));
	ctx->reply->result = result;
	return rc < 0 ? -1 : 0;
}
