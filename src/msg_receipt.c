/* msg_receipt — 海关回执 CustomsReceipt: a batch of customs outcomes, each
 * item judged on its own (one bad item never blocks the others):
 *   data-received 1→2, data-refused 1→10, declaration-filed 2|11→4,
 *   declaration-concluded 4→5, declaration-returned 4→2 (→6 once the letter
 *   has expired, R11), revocation-accepted 8→9, revocation-refused 8→11
 *   (→6 once the letter has expired, R11).
 * Declaration events carry the bill of lading, which must equal the
 * agreement's (R15).  Both parties hear of every change (R26).
 * Customs' return time (ReturnTime, yyyyMMddHHmmssSSS China time) and
 * return text (ReturnInfo) go into the agreement's audit trail; a return
 * time that is no real time refuses its item (RETURN_TIME_INVALID). */
#include "lifecycle.h"
#include "msg.h"
#include "xmem.h"
#include "xmlin.h"
#include <stdarg.h>
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

/* The number in t[0..n), which the schema made digits. */
static int receipt_digits(const char *t, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++)
		v = v * 10 + (t[i] - '0');
	return v;
}

/* Write why and return -1, so that checks read "return receipt_why(...)". */
static int receipt_why(char *why, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int receipt_why(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Whether ReturnTime (17 digits by the schema) names a real time: year from
 * 2000, month 01-12, a day of that month (Gregorian leap years), hour 00-23,
 * minute and second 00-59 (any millisecond); 0, or -1 with the bad part. */
static int receipt_time_ok(const char *t, char *why, size_t n)
{
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y = receipt_digits(t, 4), mo = receipt_digits(t + 4, 2), d = receipt_digits(t + 6, 2);
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (y < 2000)
		return receipt_why(why, n, "year %04d (from 2000) 年份无效", y);
	if (mo < 1 || mo > 12)
		return receipt_why(why, n, "month %02d (01-12) 月份无效", mo);
	if (d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
		return receipt_why(why, n, "day %02d of %04d-%02d 日期无效", d, y, mo);
	if (receipt_digits(t + 8, 2) > 23)
		return receipt_why(why, n, "hour %.2s (00-23) 小时无效", t + 8);
	if (receipt_digits(t + 10, 2) > 59)
		return receipt_why(why, n, "minute %.2s (00-59) 分钟无效", t + 10);
	if (receipt_digits(t + 12, 2) > 59)
		return receipt_why(why, n, "second %.2s (00-59) 秒无效", t + 12);
	return 0;
}

/* A ReturnTime that is no real time refuses its item (path: the field); 1 when refused. */
static int receipt_time_refused(struct msg_ctx *ctx, int item, const char *path, const char *rtime)
{
	char why[96], field[80];

	if (rtime[0] == '\0' || receipt_time_ok(rtime, why, sizeof(why)) == 0)
		return 0;
	snprintf(field, sizeof(field), "%s/ReturnTime", path);
	reply_error(ctx->reply, item, R_RETURN_TIME_INVALID, field, "ReturnTime %s: %s", rtime, why);
	return 1;
}

/* Customs' return time and text go into the agreement's audit trail
 * (entrustctl trace), on one line whatever the text holds (lifecycle_audit). */
static int receipt_keep_return(struct msg_ctx *ctx, const char *number, const char *event,
    const char *rtime, const char *info)
{
	return lifecycle_audit(ctx, number, "customs=%s%s%s%s%s", event, rtime[0] ? " return_time=" : "", rtime,
	    info[0] ? " return_info=" : "", info);
}

static int receipt_item(struct msg_ctx *ctx, xmlNodePtr it, int i)
{
	char ref[33], number[16], event[32], bill[33], decl[19], rtime[18], path[64], detail[256];
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
	xmlin_text(it, "ReturnTime", rtime, sizeof(rtime));
	xmlin_text(it, "ReturnInfo", info, sizeof(info));
	item = reply_item_add(ctx->reply, ref);
	snprintf(path, sizeof(path), "/CustomsReceipt/Item[%d]", i + 1);
	if ((ev = receipt_event(event)) == NULL)
		panic("receipt: event %s passed the schema", event);
	if (receipt_time_refused(ctx, item, path, rtime))
		return 0;
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
	if ((rtime[0] || info[0]) && receipt_keep_return(ctx, number, event, rtime, info) < 0)
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
