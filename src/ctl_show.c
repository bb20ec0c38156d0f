/* ctl_show — one agreement or one letter from the store. */
#include "ctl_show.h"
#include "store.h"
#include "xmem.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ctl_show_agreement_fields(struct ctl *c, const struct agreement *a)
{
	char line[96];

	snprintf(line, sizeof(line), "%d %s %s", (int)a->status, agreement_status_zh((int)a->status),
	    agreement_status_en((int)a->status));
	if (c->as_json) {
		json_kstr(&c->j, "number", a->number);
		json_kint(&c->j, "status", a->status);
		json_kstr(&c->j, "status_name", agreement_status_zh((int)a->status));
	} else {
		ctl_kv(c, "number", "协议编号 number", a->number);
		ctl_kv(c, "status", "状态 status", line);
	}
	ctl_kv(c, "letter", "委托书 letter", a->letter);
	ctl_kv(c, "consignor", "委托方 consignor", a->consignor);
	ctl_kv(c, "broker", "被委托方 broker", a->broker);
	ctl_kv(c, "initiator", "发起方 initiator", a->initiator);
	ctl_kv(c, "payer", "付款方 payer", a->payer);
	ctl_kv(c, "goods_name", "主要货物名称 goods", a->goods_name);
	ctl_kv(c, "hs_code", "HS编码 HS code", a->hs_code);
	ctl_kv(c, "total_value", "货物总价 value", a->total_value);
	ctl_kv(c, "currency", "币制 currency", a->currency);
	ctl_kv(c, "quantity", "数量 quantity", a->quantity);
	ctl_kv(c, "unit", "单位 unit", a->unit);
	ctl_kv(c, "direction", "进出口 direction", a->direction);
	ctl_kv(c, "date", "进/出口日期 date", a->date);
	ctl_kv(c, "bill_of_lading", "提(运)单号 B/L", a->bill_of_lading);
	ctl_kv(c, "trade_mode", "贸易方式 trade mode", a->trade_mode);
	ctl_kv(c, "origin", "原产地/货源地 origin", a->origin);
	ctl_kv(c, "other_requirements", "其他要求 other", a->other_requirements);
	ctl_kv(c, "message_id", "报文编号 message", a->message_id);
}

int ctl_show_agreement(struct ctl *c)
{
	struct agreement *a;
	struct store *s;
	int rc;

	if ((s = ctl_store(c)) == NULL)
		return CTL_STORE;
	a = xmalloc(sizeof(*a));
	if ((rc = store_agreement_get(s, NULL, c->args[0], a)) == 0) {
		if (c->as_json)
			json_open(&c->j, '{');
		ctl_show_agreement_fields(c, a);
		if (c->as_json) {
			json_close(&c->j, '}');
			buf_adds(&c->out, "\n");
		}
	}
	free(a);
	if (rc == 1)
		return ctl_fail(CTL_NOTFOUND, "agreement %s not found 未找到", c->args[0]);
	return rc == 0 ? CTL_OK : CTL_STORE;
}

struct numbers {
	char	(*v)[15];
	int	n;
};

static int collect_agreement(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct numbers *l = arg;
	const char *bar = memchr(key, '|', klen);
	size_t n = bar ? klen - (size_t)(bar + 1 - (const char *)key) : 0;

	(void)val;
	(void)vlen;
	if (n == 0 || n >= sizeof(l->v[0]))
		return 0;
	l->v = xrealloc(l->v, (size_t)(l->n + 1) * sizeof(l->v[0]));
	memcpy(l->v[l->n], bar + 1, n);
	l->v[l->n++][n] = '\0';
	return 0;
}

static void letter_print(struct ctl *c, const struct letter *l, const struct numbers *list)
{
	int i;

	if (c->as_json)
		json_open(&c->j, '{');
	ctl_kv(c, "number", "委托书编号 letter", l->number);
	ctl_kint(c, "validity_months", "有效期(月) validity", l->validity_months);
	ctl_kbool(c, "auto_confirm", "自动确认 auto-confirm", (int)l->auto_confirm);
	ctl_kv(c, "status", "状态 status", letter_status_name((int)l->status));
	ctl_kv(c, "consignor", "委托方 consignor", l->consignor.code);
	ctl_kv(c, "broker", "被委托方 broker", l->broker.code);
	ctl_kv(c, "initiator", "发起方 initiator", l->initiator);
	ctl_kv(c, "mode", "委托方式 mode", l->mode);
	ctl_kv(c, "matters", "委托事项 matters", l->matters);
	if (c->as_json) {
		json_key(&c->j, "agreements");
		json_open(&c->j, '[');
	} else
		buf_printf(&c->out, "%-28s", "委托协议 agreements");	/* 24 columns: CJK takes 2 in 3 bytes */
	for (i = 0; i < list->n; i++)
		if (c->as_json)
			json_str(&c->j, list->v[i]);
		else
			buf_printf(&c->out, " %s", list->v[i]);
	if (c->as_json) {
		json_close(&c->j, ']');
		json_close(&c->j, '}');
	}
	buf_adds(&c->out, "\n");
}

int ctl_show_letter(struct ctl *c)
{
	struct numbers list = {NULL, 0};
	struct letter *l;
	struct store *s;
	char prefix[16];
	int rc;

	if ((s = ctl_store(c)) == NULL)
		return CTL_STORE;
	l = xmalloc(sizeof(*l));
	if ((rc = store_letter_get(s, NULL, c->args[0], l)) == 0) {
		snprintf(prefix, sizeof(prefix), "%s|", c->args[0]);
		rc = store_scan(s, NULL, SDB_BY_LETTER, prefix, strlen(prefix), collect_agreement, &list);
		if (rc == 0)
			letter_print(c, l, &list);
		free(list.v);
	}
	free(l);
	if (rc == 1)
		return ctl_fail(CTL_NOTFOUND, "letter %s not found 未找到", c->args[0]);
	return rc == 0 ? CTL_OK : CTL_STORE;
}
