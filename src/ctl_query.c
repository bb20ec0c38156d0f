/* ctl_query — operator queries rendered as text or JSON. */
#include "ctl_query.h"
#include "query.h"
#include "xmem.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Copy option name into out (empty when absent); -1 when too long. */
static int opt_copy(const struct ctl *c, const char *name, char *out, size_t n)
{
	const char *v = ctl_opt(c, name);

	out[0] = '\0';
	return v && strlcopy(out, v, n) < 0 ? -1 : 0;
}

static const char *need_party(const struct ctl *c)
{
	const char *p = ctl_opt(c, "party");

	if (p == NULL || strlen(p) != 10) {
		ctl_fail(CTL_USAGE, "--party CODE (10-character customs code 海关编码) is required 必填");
		return NULL;
	}
	return p;
}

static void list_open(struct ctl *c)
{
	if (c->as_json)
		json_open(&c->j, '[');
}

static int list_close(struct ctl *c, int rc, int n)
{
	if (c->as_json) {
		json_close(&c->j, ']');
		buf_adds(&c->out, "\n");
	} else if (n == 0 && rc == 0)
		buf_printf(&c->out, "(none 无)\n");
	return rc < 0 ? CTL_STORE : CTL_OK;
}

struct rows {
	struct ctl	*c;
	int		 n;
};

/* R6: only the public part — never manager_id, never declarants' phones. */
static int broker_row(void *arg, const struct registration *r)
{
	struct rows *w = arg;
	struct ctl *c = w->c;
	char until[32];
	int i;

	ctl_time(until, r->valid_until);
	w->n++;
	if (!c->as_json) {
		buf_printf(&c->out, "%s  %s  关区 district %s  %s  %s  valid until 有效期至 %s\n", r->code, r->name,
		    r->district, r->address, r->public_phone, until);
		for (i = 0; i < r->ndeclarants && i < MAX_DECLARANTS; i++)
			buf_printf(&c->out, "    报关员 declarant %s %s\n", r->declarants[i].name, r->declarants[i].number);
		return 0;
	}
	json_open(&c->j, '{');
	json_kstr(&c->j, "code", r->code);
	json_kstr(&c->j, "name", r->name);
	json_kstr(&c->j, "district", r->district);
	json_kstr(&c->j, "address", r->address);
	json_kstr(&c->j, "introduction", r->introduction);
	json_kstr(&c->j, "public_phone", r->public_phone);
	json_kstr(&c->j, "valid_until", until);
	json_key(&c->j, "declarants");
	json_open(&c->j, '[');
	for (i = 0; i < r->ndeclarants && i < MAX_DECLARANTS; i++) {
		json_open(&c->j, '{');
		json_kstr(&c->j, "name", r->declarants[i].name);
		json_kstr(&c->j, "number", r->declarants[i].number);
		json_close(&c->j, '}');
	}
	json_close(&c->j, ']');
	json_close(&c->j, '}');
	return 0;
}

int ctl_query_brokers(struct ctl *c)
{
	struct query_brokers f;
	struct rows w = {c, 0};
	struct store *s;
	int rc;

	memset(&f, 0, sizeof(f));
	if (opt_copy(c, "district", f.district, sizeof(f.district)) < 0
	    || opt_copy(c, "name", f.name, sizeof(f.name)) < 0 || opt_copy(c, "code", f.code, sizeof(f.code)) < 0)
		return ctl_fail(CTL_USAGE, "option value too long 取值过长");
	if ((s = ctl_store(c)) == NULL)
		return CTL_STORE;
	list_open(c);
	rc = query_brokers(s, NULL, time(NULL), &f, broker_row, &w);
	return list_close(c, rc, w.n);
}

static int agreement_row(void *arg, const struct agreement *a)
{
	struct rows *w = arg;
	struct ctl *c = w->c;
	char signed_at[32];

	ctl_time(signed_at, a->signed_at);
	w->n++;
	if (!c->as_json) {
		buf_printf(&c->out, "%s  %-2d %-14s  委托书 %s  %s → %s  %s  %s %s  B/L %s  signed 签 %s\n", a->number,
		    (int)a->status, agreement_status_zh((int)a->status), a->letter, a->consignor, a->broker,
		    a->goods_name, a->total_value, a->currency, a->bill_of_lading, signed_at);
		return 0;
	}
	json_open(&c->j, '{');
	json_kstr(&c->j, "number", a->number);
	json_kstr(&c->j, "letter", a->letter);
	json_kint(&c->j, "status", a->status);
	json_kstr(&c->j, "status_name", agreement_status_zh((int)a->status));
	json_kstr(&c->j, "consignor", a->consignor);
	json_kstr(&c->j, "broker", a->broker);
	json_kstr(&c->j, "initiator", a->initiator);
	json_kstr(&c->j, "payer", a->payer);
	json_kstr(&c->j, "goods_name", a->goods_name);
	json_kstr(&c->j, "hs_code", a->hs_code);
	json_kstr(&c->j, "total_value", a->total_value);
	json_kstr(&c->j, "currency", a->currency);
	json_kstr(&c->j, "quantity", a->quantity);
	json_kstr(&c->j, "unit", a->unit);
	json_kstr(&c->j, "direction", a->direction);
	json_kstr(&c->j, "date", a->date);
	json_kstr(&c->j, "bill_of_lading", a->bill_of_lading);
	json_kstr(&c->j, "trade_mode", a->trade_mode);
	json_kstr(&c->j, "origin", a->origin);
	json_kstr(&c->j, "signed_at", a->signed_at ? signed_at : "");
	json_close(&c->j, '}');
	return 0;
}

int ctl_query_status(struct ctl *c)
{
	const char *st = ctl_opt(c, "status"), *me = ctl_opt(c, "party");
	struct query_status f;
	struct rows w = {c, 0};
	struct store *s;
	char *end;
	int rc;

	memset(&f, 0, sizeof(f));
	f.status = -1;
	if (opt_copy(c, "counterparty", f.counterparty, sizeof(f.counterparty)) < 0
	    || opt_copy(c, "letter", f.letter, sizeof(f.letter)) < 0
	    || opt_copy(c, "agreement", f.agreement, sizeof(f.agreement)) < 0
	    || opt_copy(c, "bill", f.bill, sizeof(f.bill)) < 0)
		return ctl_fail(CTL_USAGE, "option value too long 取值过长");
	if (ctl_opt(c, "value") && query_amount(ctl_opt(c, "value"), f.value, sizeof(f.value)) < 0)
		return ctl_fail(CTL_USAGE, "--value: an amount, e.g. 12000.50 金额格式错误");
	if (st && ((f.status = (int)strtol(st, &end, 10)) < 0 || f.status >= ST_COUNT || *end || end == st))
		return ctl_fail(CTL_USAGE, "--status: 0..11");
	if (me && (me = need_party(c)) == NULL)
		return CTL_USAGE;
	if ((s = ctl_store(c)) == NULL)
		return CTL_STORE;
	list_open(c);
	rc = query_status(s, NULL, me, &f, agreement_row, &w);
	return list_close(c, rc, w.n);
}

int ctl_query_recent(struct ctl *c)
{
	const char *me = need_party(c), *cp = ctl_opt(c, "counterparty");
	struct rows w = {c, 0};
	struct store *s;
	int rc;

	if (me == NULL)
		return CTL_USAGE;
	if (cp == NULL || strlen(cp) != 10)
		return ctl_fail(CTL_USAGE, "--counterparty CODE is required 必填");
	if ((s = ctl_store(c)) == NULL)
		return CTL_STORE;
	list_open(c);
	rc = query_recent(s, NULL, me, cp, agreement_row, &w);
	return list_close(c, rc, w.n);
}

int ctl_query_stats(struct ctl *c)
{
	const char *me = need_party(c), *from = ctl_opt(c, "from"), *to = ctl_opt(c, "to");
	struct store *s;
	time_t t0, t1;
	int64_t count;

	if (me == NULL)
		return CTL_USAGE;
	if (!from || !to || query_date(from, &t0) < 0 || query_date(to, &t1) < 0 || t1 < t0)
		return ctl_fail(CTL_USAGE, "--from and --to: YYYY-MM-DD, from ≤ to 日期格式或顺序错误");
	if ((s = ctl_store(c)) == NULL)
		return CTL_STORE;
	if (query_used(s, NULL, me, t0, t1 + 86400, &count, NULL, NULL) < 0)	/* To is inclusive */
		return CTL_STORE;
	if (c->as_json) {
		json_open(&c->j, '{');
		json_kstr(&c->j, "party", me);
		json_kstr(&c->j, "from", from);
		json_kstr(&c->j, "to", to);
		json_kint(&c->j, "count", count);
		json_close(&c->j, '}');
		buf_adds(&c->out, "\n");
	} else
		buf_printf(&c->out, "%s %s..%s: %lld agreement(s) used by customs 海关已用协议份数\n", me, from, to,
		    (long long)count);
	return CTL_OK;
}

int ctl_query_account(struct ctl *c)
{
	const char *me = need_party(c);
	struct account a;
	struct store *s;
	int64_t avail;

	if (me == NULL)
		return CTL_USAGE;
	if ((s = ctl_store(c)) == NULL)
		return CTL_STORE;
	if (query_account(s, NULL, me, &a, &avail) < 0)
		return CTL_STORE;
	if (c->as_json)
		json_open(&c->j, '{');
	ctl_kv(c, "party", "企业 party", me);
	ctl_kint(c, "purchased", "已购份数 purchased", a.purchased);
	ctl_kint(c, "used", "已用份数 used", a.used);
	ctl_kint(c, "in_use", "正使用份数 in use", a.in_use);
	ctl_kint(c, "available", "可用份数 available", avail);
	if (c->as_json) {
		json_close(&c->j, '}');
		buf_adds(&c->out, "\n");
	}
	return CTL_OK;
}

static int topup_row(void *arg, const struct query_topup *t)
{
	struct rows *w = arg;
	char when[32];

	ctl_time(when, t->recorded_at);
	w->n++;
	if (!w->c->as_json) {
		buf_printf(&w->c->out, "%s  %s units 份  ref 凭证 %s\n", when, t->units, t->reference);
		return 0;
	}
	json_open(&w->c->j, '{');
	json_kint(&w->c->j, "units", strtoll(t->units, NULL, 10));
	json_kstr(&w->c->j, "reference", t->reference);
	json_kstr(&w->c->j, "recorded_at", when);
	json_close(&w->c->j, '}');
	return 0;
}

int ctl_query_topups(struct ctl *c)
{
	const char *me = need_party(c);
	struct rows w = {c, 0};
	struct store *s;
	int rc;

	if (me == NULL)
		return CTL_USAGE;
	if ((s = ctl_store(c)) == NULL)
		return CTL_STORE;
	list_open(c);
	rc = query_topups(s, NULL, me, topup_row, &w);
	return list_close(c, rc, w.n);
}
