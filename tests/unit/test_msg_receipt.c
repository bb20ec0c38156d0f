/* test_msg_receipt — 海关回执 CustomsReceipt: a batch of customs outcomes,
 * each item judged on its own: data-received 1→2, data-refused 1→10,
 * declaration-filed 2|11→4, concluded 4→5 (R19: the unit is used),
 * returned 4→2 (→6 once the letter has expired, R11), revocation accepted
 * 8→9 / refused 8→11 (→6 once expired).  Declaration events must carry the
 * agreement's bill of lading (R15).  Both parties hear of each change
 * (R26); customs' ReturnInfo goes into the audit trail on one line, with
 * its ReturnTime (yyyyMMddHHmmssSSS China time, optional; a time that is no
 * real time refuses its item alone: RETURN_TIME_INVALID, issue #4). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "codec.h"
#include "codes.h"
#include "conf.h"
#include "export.h"
#include "lifecycle.h"
#include "log.h"
#include "msg.h"
#include "outbox.h"
#include "registry.h"
#include "reply.h"
#include "store.h"
#include "xmlin.h"
#include "testutil.h"

#define CONSIGNOR "1101230001"
#define CONSIGNOR2 "1101230002"
#define BROKER "4101W68006"
#define BROKER2 "4101W68007"	/* registered, never approved (R5) */
#define ASSOC "1100XH0001"
#define CUSTOMS "0100HG0001"
#define OPERATOR "ENTRUSTOPS"
#define LETTER "2600000001"
#define NOW ((time_t)1796263200)	/* 2026-12-03T02:00:00Z, 10:00 in China */
#define FAR ((int64_t)4102444800)	/* 2100-01-01 */
#define DAY 86400L

static const char registry_text[] =
    CONSIGNOR " consignor aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 北京示例贸易有限公司\n"
    CONSIGNOR2 " consignor bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb 北京第二贸易有限公司\n"
    BROKER " broker cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc 郑州示例报关有限公司\n"
    BROKER2 " broker dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd 未审批报关有限公司\n"
    ASSOC " association 1111111111111111111111111111111111111111111111111111111111111111 北京报关协会\n"
    CUSTOMS " customs eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee 北京海关\n"
    OPERATOR " operator ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff 运营方\n";

typedef int (*apply_fn)(struct msg_ctx *ctx, xmlNodePtr root);

struct fixture {
	char		*dir;
	struct registry	*reg;
	struct xmlin	*x;
	struct codes	*codes;
	struct exporter	*exporter;
	struct conf	 conf;
	/* per test */
	char		*tdir;
	struct store	*s;
	struct reply	 r;
	struct msg_ctx	 ctx;
	struct buf	 xml;
	char		 msgid[32];
	int		 nmsg;
};

static inline int group_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char p[PATH_MAX], d[PATH_MAX], err[512];

	log_open(NULL, 0);
	xmlin_global_init();
	f->dir = tu_tmpdir("msg");
	if (tu_writes(tu_path(p, "%s/parties.conf", f->dir), registry_text) != 0)
		return -1;
	f->reg = registry_load(p, err, sizeof(err));
	f->x = xmlin_load(tu_path(p, "%s/xsd/entrust.xsd", tu_src()), err, sizeof(err));
	f->codes = codes_load(tu_path(p, "%s/conf/codes", tu_src()), err, sizeof(err));
	f->exporter = export_load(tu_path(p, "%s/xslt", tu_src()), tu_path(d, "%s/xsd", tu_src()), err, sizeof(err));
	if (f->reg == NULL || f->x == NULL || f->codes == NULL || f->exporter == NULL) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	conf_defaults(&f->conf);
	*state = f;
	return 0;
}

static inline int group_teardown(void **state)
{
	struct fixture *f = *state;

	registry_free(f->reg);
	xmlin_free(f->x);
	codes_free(f->codes);
	export_free(f->exporter);
	tu_rmrf(f->dir);
	free(f->dir);
	free(f);
	xmlin_global_done();
	return 0;
}

/* R4/R5: a registration of kind 'A' (approved) or 'P' (pending) for code. */
static inline void approve(struct fixture *f, const char *code, char kind, int64_t valid_until)
{
	struct registration reg;

	memset(&reg, 0, sizeof(reg));
	strcpy(reg.code, code);
	strcpy(reg.name, "郑州示例报关有限公司");
	reg.approved_at = NOW - DAY;
	reg.valid_until = valid_until;
	assert_int_equal(store_registration_put(f->s, NULL, kind, &reg), 0);
}

static inline int setup(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX], err[256];

	f->tdir = tu_tmpdir("msg-t");
	f->s = store_open(tu_path(p, "%s/db", f->tdir), err, sizeof(err));
	assert_non_null(f->s);
	approve(f, BROKER, 'A', FAR);
	f->nmsg = 0;
	buf_init(&f->xml);
	reply_init(&f->r, "E2026120302000000000", "ENTRUSTHUB", "in.p7m", "");
	memset(&f->ctx, 0, sizeof(f->ctx));
	return 0;
}

static inline int teardown(void **state)
{
	struct fixture *f = *state;

	msg_notices_free(&f->ctx);
	reply_free(&f->r);
	buf_free(&f->xml);
	store_close(f->s);
	f->s = NULL;
	tu_rmrf(f->tdir);
	free(f->tdir);
	return 0;
}

/* ---- the store as earlier messages left it ---- */

/* Letter LETTER-like number between consignor and broker, with its live link. */
static inline void seed_letter(struct fixture *f, const char *number, const char *consignor, const char *broker,
    const char *initiator, int status, int auto_confirm)
{
	struct letter l;
	char live[24];

	memset(&l, 0, sizeof(l));
	strcpy(l.number, number);
	strcpy(l.consignor.code, consignor);
	strcpy(l.consignor.credit, "91110000100000000R");
	strcpy(l.consignor.name, "北京示例贸易有限公司");
	strcpy(l.consignor.signer, "张三");
	strcpy(l.consignor.phone, "010-66668888");
	strcpy(l.broker.code, broker);
	strcpy(l.broker.name, "郑州示例报关有限公司");
	strcpy(l.initiator, initiator);
	strcpy(l.mode, "B");
	strcpy(l.matters, "AC");
	l.validity_months = 6;
	l.auto_confirm = auto_confirm;
	strcpy(l.signed_on, "2026-12-03");
	l.status = status;
	l.created_at = NOW - DAY;
	l.valid_until = entrust_add_months(NOW - DAY, 6);
	assert_int_equal(store_letter_put(f->s, NULL, &l), 0);
	snprintf(live, sizeof(live), "%s|%s", consignor, broker);
	assert_int_equal(store_put(f->s, NULL, SDB_LIVE, live, strlen(live), number, 11), 0);
}

static inline const char *number_of(int idx)
{
	static char n[4][16];
	static int k;

	k = (k + 1) % 4;
	snprintf(n[k], sizeof(n[k]), "2026%010d", idx);
	return n[k];
}

/* Agreement 2026<idx> on letter, in status st (indexed as lifecycle does). */
static inline void seed_agreement(struct fixture *f, const char *letter, int idx, const char *initiator,
    const char *payer, int st)
{
	struct letter l;
	struct agreement a;
	char key[32];

	assert_int_equal(store_letter_get(f->s, NULL, letter, &l), 0);
	memset(&a, 0, sizeof(a));
	strcpy(a.number, number_of(idx));
	strcpy(a.letter, letter);
	snprintf(a.ref, sizeof(a.ref), "%d", idx);
	strcpy(a.initiator, initiator);
	strcpy(a.consignor, l.consignor.code);
	strcpy(a.broker, l.broker.code);
	strcpy(a.payer, payer);
	a.status = st;
	strcpy(a.goods_name, "笔记本电脑");
	strcpy(a.hs_code, "8471300000");
	strcpy(a.total_value, "120000.00");
	strcpy(a.currency, "USD");
	strcpy(a.quantity, "300");
	strcpy(a.unit, "001");
	strcpy(a.direction, "I");
	strcpy(a.date, "2026-12-20");
	strcpy(a.bill_of_lading, "COSU6123456780");
	strcpy(a.trade_mode, "0110");
	strcpy(a.origin, "502");
	a.created_at = NOW - DAY;
	a.updated_at = NOW - DAY;
	if (st != ST_INITIATED)
		a.signed_at = NOW - DAY;
	assert_int_equal(store_agreement_put(f->s, NULL, &a), 0);
	snprintf(key, sizeof(key), "%s|%s", letter, a.number);
	assert_int_equal(store_put(f->s, NULL, SDB_BY_LETTER, key, strlen(key), "", 0), 0);
}

static inline void seed_account(struct fixture *f, const char *code, int64_t purchased, int64_t used, int64_t in_use)
{
	struct account acc = {purchased, used, in_use};

	assert_int_equal(store_account_put(f->s, NULL, code, &acc), 0);
}

static inline struct account account_of(struct fixture *f, const char *code)
{
	struct account acc;

	assert_true(store_account_get(f->s, NULL, code, &acc) >= 0);
	return acc;
}

static inline struct agreement agreement_of(struct fixture *f, int idx)
{
	struct agreement a;

	assert_int_equal(store_agreement_get(f->s, NULL, number_of(idx), &a), 0);
	return a;
}

static inline int status_of(struct fixture *f, int idx)
{
	return (int)agreement_of(f, idx).status;
}

/* ---- applying a message ---- */

/* Apply <root> with body as sender (code, role) at now, in one transaction
 * committed unless the message was refused as a whole (as inbound does).
 * Notices stay in f->ctx (not flushed) until the next apply. */
static inline void apply(struct fixture *f, apply_fn fn, const char *root, const char *code, enum role role,
    time_t now, const char *body)
{
	const struct party *sender = registry_by_code(f->reg, code, role);
	char detail[512];
	xmlDocPtr doc;
	enum reason rc;
	store_txn *t;

	assert_non_null(sender);
	snprintf(f->msgid, sizeof(f->msgid), "MSG-%d", ++f->nmsg);
	buf_reset(&f->xml);
	buf_printf(&f->xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<%s xmlns=\"urn:entrust:1\" version=\"1\">"
	    "<Header><MessageId>%s</MessageId><Sender>%s</Sender><SentAt>2026-12-03T10:00:00+08:00</SentAt>"
	    "</Header>%s</%s>\n", root, f->msgid, code, body, root);
	rc = xmlin_parse(f->x, f->xml.data, f->xml.len, &doc, detail, sizeof(detail));
	if (rc != R_NONE)
		fail_msg("test message not valid: %s %s\n%s", reason_code(rc), detail, f->xml.data);
	msg_notices_free(&f->ctx);
	reply_free(&f->r);
	reply_init(&f->r, "E2026120302000000000", "ENTRUSTHUB", "in.p7m", "");
	strcpy(f->r.receiver, code);
	strcpy(f->r.in_msgid, f->msgid);
	t = store_begin(f->s);
	assert_non_null(t);
	memset(&f->ctx, 0, sizeof(f->ctx));
	f->ctx.store = f->s;
	f->ctx.txn = t;
	f->ctx.registry = f->reg;
	f->ctx.codes = f->codes;
	f->ctx.exporter = f->exporter;
	f->ctx.conf = &f->conf;
	f->ctx.sender = sender;
	f->ctx.now = now;
	f->ctx.reply = &f->r;
	assert_int_equal(fn(&f->ctx, xmlDocGetRootElement(doc)), 0);
	if (f->r.refused)
		store_abort(t);
	else
		assert_int_equal(store_commit(t), 0);
	f->ctx.txn = NULL;
	xmlFreeDoc(doc);
}

/* The one message-level error of a refused message; nothing to tell anyone. */
static inline void expect_refused(struct fixture *f, enum reason code, const char *path)
{
	if (!f->r.refused || f->r.nerrors < 1)
		fail_msg("not refused (outcome %s)", reply_outcome(&f->r));
	if (f->r.errors[0].code != code || f->r.errors[0].item != -1)
		fail_msg("error %s on item %d, want %s on the message", reason_code(f->r.errors[0].code),
		    f->r.errors[0].item, reason_code(code));
	if (path)
		assert_string_equal(f->r.errors[0].path, path);
	assert_string_equal(reply_outcome(&f->r), "refused");
	assert_int_equal(f->ctx.nnotices, 0);
}

/* The only error on item i. */
static inline void expect_item_error(struct fixture *f, int item, enum reason code, const char *path)
{
	int i, found = 0;

	for (i = 0; i < f->r.nerrors; i++) {
		if (f->r.errors[i].item != item)
			continue;
		if (f->r.errors[i].code != code)
			fail_msg("item %d: %s (%s), want %s", item, reason_code(f->r.errors[i].code),
			    f->r.errors[i].detail, reason_code(code));
		if (path)
			assert_string_equal(f->r.errors[i].path, path);
		found++;
	}
	if (found != 1)
		fail_msg("item %d: %d errors, want 1 %s", item, found, reason_code(code));
	assert_true(f->r.items[item].refused);
}

static inline void expect_accepted(struct fixture *f)
{
	int i;

	for (i = 0; i < f->r.nerrors; i++)
		fail_msg("error %s on item %d: %s", reason_code(f->r.errors[i].code), f->r.errors[i].item,
		    f->r.errors[i].detail);
	assert_string_equal(reply_outcome(&f->r), "accepted");
}

/* The notice of event for receiver collected by the last apply, or NULL. */
static inline const struct notice *notice(struct fixture *f, const char *receiver, const char *event)
{
	int i;

	for (i = 0; i < f->ctx.nnotices; i++)
		if (strcmp(f->ctx.notices[i].receiver, receiver) == 0 && strcmp(f->ctx.notices[i].event, event) == 0)
			return &f->ctx.notices[i];
	return NULL;
}

/* R27: outbox rows queued for customs (exports), and the last one's XML. */
struct exports {
	int		n;
	struct buf	last;
};

static inline int export_row(void *arg, const void *k, size_t kl, const void *v, size_t vl)
{
	struct exports *e = arg;
	const unsigned char *p = v;
	struct outbox_row row;
	size_t len = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];

	(void)k;
	(void)kl;
	assert_int_equal(codec_decode(&codec_outbox, p + 4, len, &row), 0);
	if (strcmp(row.receiver, CUSTOMS) == 0 && strncmp(row.file_name, "EXP_", 4) == 0) {
		e->n++;
		buf_reset(&e->last);
		buf_add(&e->last, p + 4 + len, vl - 4 - len);
	}
	return 0;
}

/* Number of exports queued; *kind_seen set if the last has <MessageType>kind. */
static inline int exports(struct fixture *f, const char *kind)
{
	struct exports e = {0, {NULL, 0, 0}};
	char want[64];
	int ok;

	buf_init(&e.last);
	assert_int_equal(store_scan(f->s, NULL, SDB_OUTBOX, NULL, 0, export_row, &e), 0);
	snprintf(want, sizeof(want), "<MessageType>%s</MessageType>", kind ? kind : "");
	ok = e.n == 0 || kind == NULL || strstr(e.last.data, want) != NULL;
	buf_free(&e.last);
	if (!ok)
		fail_msg("last export is not %s", kind);
	return e.n;
}


#define BILL "COSU6123456780"

/* A confirmed letter (consignor pays) with agreements 1..n in the given statuses. */
static void letter_with(struct fixture *f, int n, const int *st, int64_t in_use)
{
	int i;

	seed_letter(f, LETTER, CONSIGNOR, BROKER, CONSIGNOR, LS_CONFIRMED, 0);
	for (i = 0; i < n; i++)
		seed_agreement(f, LETTER, i + 1, CONSIGNOR, "consignor", st[i]);
	seed_account(f, CONSIGNOR, 10, 0, in_use);
}

static void item(struct buf *b, int idx, const char *event, const char *bill, const char *extra)
{
	buf_printf(b, "<Item ref=\"r%d\"><Agreement>2026%010d</Agreement><Event>%s</Event>", idx, idx, event);
	if (bill)
		buf_printf(b, "<BillOfLading>%s</BillOfLading>", bill);
	buf_printf(b, "%s</Item>", extra ? extra : "");
}

static void receipt(struct fixture *f, time_t now, struct buf *items)
{
	apply(f, msg_receipt_apply, "CustomsReceipt", CUSTOMS, ROLE_CUSTOMS, now, items->data);
	buf_reset(items);
}

/* Table: every event from its status, one receipt each. */
static void test_r13_table_receipt_events(void **state)
{
	static const struct {
		const char	*event;
		int		 from, to;
		int		 bill;
	} rows[] = {
		{"data-received", ST_CONFIRMED, ST_DECLARABLE, 0},
		{"data-refused", ST_CONFIRMED, ST_ADD_FAILED, 0},
		{"declaration-filed", ST_DECLARABLE, ST_IN_USE, 1},
		{"declaration-filed", ST_REVOKE_FAILED, ST_IN_USE, 1},
		{"declaration-concluded", ST_IN_USE, ST_USED, 1},
		{"declaration-returned", ST_IN_USE, ST_DECLARABLE, 1},
		{"revocation-accepted", ST_REVOKE_CONFIRMED, ST_REVOKED, 0},
		{"revocation-refused", ST_REVOKE_CONFIRMED, ST_REVOKE_FAILED, 0},
	};
	struct fixture *f = *state;
	struct buf b;
	size_t i;
	int st[8];

	for (i = 0; i < 8; i++)
		st[i] = rows[i].from;
	letter_with(f, 8, st, 8);
	buf_init(&b);
	for (i = 0; i < 8; i++)
		item(&b, (int)i + 1, rows[i].event, rows[i].bill ? BILL : NULL, NULL);
	receipt(f, NOW, &b);
	expect_accepted(f);
	for (i = 0; i < 8; i++) {
		if (status_of(f, (int)i + 1) != rows[i].to)
			fail_msg("%s from %d: %d, want %d", rows[i].event, rows[i].from, status_of(f, (int)i + 1), rows[i].to);
		assert_int_equal(f->r.items[i].status, rows[i].to);
		{
			char ref[8];

			snprintf(ref, sizeof(ref), "r%zu", i + 1);
			assert_string_equal(f->r.items[i].ref, ref);
		}
	}
	/* R19: 5 used one, 9 and 10 released theirs; the other five stay reserved */
	assert_int_equal(account_of(f, CONSIGNOR).used, 1);
	assert_int_equal(account_of(f, CONSIGNOR).in_use, 5);
	/* R26: both parties, one notice each with all eight */
	assert_int_equal(notice(f, CONSIGNOR, "customs-update")->nitems, 8);
	assert_int_equal(notice(f, BROKER, "customs-update")->nitems, 8);
	buf_free(&b);
}

/* R15: a declaration event with another bill of lading (or none) is refused,
 * that item only; the declaration number is kept when given. */
static void test_r15_bill_of_lading_must_match(void **state)
{
	static const int st[] = {ST_DECLARABLE, ST_DECLARABLE, ST_DECLARABLE};
	struct fixture *f = *state;
	struct buf b;

	letter_with(f, 3, st, 3);
	buf_init(&b);
	item(&b, 1, "declaration-filed", "COSU0000000000", NULL);
	item(&b, 2, "declaration-filed", NULL, NULL);
	item(&b, 3, "declaration-filed", BILL, "<DeclarationNumber>010120261000000001</DeclarationNumber>");
	receipt(f, NOW, &b);
	assert_string_equal(reply_outcome(&f->r), "partial");
	expect_item_error(f, 0, R_BILL_OF_LADING_MISMATCH, "/CustomsReceipt/Item[1]");
	assert_non_null(strstr(f->r.errors[0].detail, "COSU0000000000"));
	expect_item_error(f, 1, R_BILL_OF_LADING_MISMATCH, "/CustomsReceipt/Item[2]");
	assert_int_equal(status_of(f, 1), ST_DECLARABLE);
	assert_int_equal(status_of(f, 2), ST_DECLARABLE);
	assert_int_equal(status_of(f, 3), ST_IN_USE);
	assert_string_equal(agreement_of(f, 3).declaration_number, "010120261000000001");
	assert_string_equal(agreement_of(f, 1).declaration_number, "");
	buf_free(&b);
}

/* R13 and unknown agreements: refused item by item, the batch goes on. */
static void test_r13_bad_items_do_not_block_others(void **state)
{
	static const int st[] = {ST_DECLARABLE, ST_CONFIRMED};
	struct fixture *f = *state;
	struct buf b;

	letter_with(f, 2, st, 2);
	buf_init(&b);
	item(&b, 1, "data-received", NULL, NULL);	/* already 2 */
	item(&b, 99, "data-received", NULL, NULL);	/* no such agreement */
	item(&b, 2, "data-received", NULL, NULL);
	receipt(f, NOW, &b);
	assert_string_equal(reply_outcome(&f->r), "partial");
	expect_item_error(f, 0, R_STATUS_TRANSITION, "/CustomsReceipt/Item[1]");
	expect_item_error(f, 1, R_AGREEMENT_UNKNOWN, "/CustomsReceipt/Item[2]");
	assert_false(f->r.items[2].refused);
	assert_int_equal(status_of(f, 1), ST_DECLARABLE);
	assert_int_equal(status_of(f, 2), ST_DECLARABLE);
	buf_free(&b);
}

/* R11: once the letter has expired, a returned declaration leaves the
 * agreement expired (4→6), and a refused revocation too (8→11→6). */
static void test_r11_after_letter_expiry_returned_and_refused_go_to_6(void **state)
{
	static const int st[] = {ST_IN_USE, ST_REVOKE_CONFIRMED, ST_IN_USE};
	struct fixture *f = *state;
	struct letter l;
	struct buf b;

	letter_with(f, 3, st, 3);
	assert_int_equal(store_letter_get(f->s, NULL, LETTER, &l), 0);
	buf_init(&b);
	item(&b, 1, "declaration-returned", BILL, NULL);
	item(&b, 2, "revocation-refused", NULL, NULL);
	item(&b, 3, "declaration-concluded", BILL, NULL);	/* concluded is still 5 */
	receipt(f, (time_t)l.valid_until, &b);
	expect_accepted(f);
	assert_int_equal(status_of(f, 1), ST_EXPIRED);
	assert_int_equal(status_of(f, 2), ST_EXPIRED);
	assert_int_equal(status_of(f, 3), ST_USED);
	assert_int_equal(account_of(f, CONSIGNOR).in_use, 0);
	assert_int_equal(account_of(f, CONSIGNOR).used, 1);
	buf_free(&b);
}

/* Customs' ReturnInfo goes into the audit trail, on one line. */
static int audit_line(void *arg, const void *k, size_t kl, const void *v, size_t vl)
{
	(void)k;
	(void)kl;
	buf_add(arg, v, vl);
	buf_adds(arg, "\n");
	return 0;
}

static void test_return_info_kept_in_audit_on_one_line(void **state)
{
	static const int st[] = {ST_IN_USE};
	struct fixture *f = *state;
	struct buf b;

	letter_with(f, 1, st, 1);
	buf_init(&b);
	item(&b, 1, "declaration-returned", BILL, "<ReturnInfo>单证不齐\n请补充  发票</ReturnInfo>");
	receipt(f, NOW, &b);
	expect_accepted(f);
	assert_int_equal(store_scan(f->s, NULL, SDB_AUDIT, "20260000000001", 14, audit_line, &b), 0);
	assert_non_null(strstr(b.data, " status=4->2\n"));
	assert_non_null(strstr(b.data, " customs=declaration-returned return_info=单证不齐 请补充  发票\n"));
	buf_free(&b);
}

/* Table: ReturnTime values, one item each in one batch.  The schema makes it 17 digits;
 * receipt_item refuses, item by item, one that is no real time (issue #4: customs'
 * yyyyMMddHHmmssSSS); an accepted one is kept in the audit trail. */
static const struct {
	const char	*label;
	const char	*time;
	const char	*why;	/* NULL: accepted; else expected in the Error detail */
} time_rows[] = {
	{"ordinary, with milliseconds", "20261203150000123", NULL},
	{"last millisecond of a year", "20261231235959999", NULL},
	{"29 February of a leap year", "20280229000000000", NULL},
	{"29 February 2000 (divisible by 400)", "20000229120000000", NULL},
	{"month 13", "20261301120000000", "month 13 (01-12)"},
	{"month 00", "20260001120000000", "month 00"},
	{"day 00", "20261200120000000", "day 00 of 2026-12"},
	{"31 April", "20260431120000000", "day 31 of 2026-04"},
	{"29 February of a common year", "20260229120000000", "day 29 of 2026-02"},
	{"29 February 2100 (divisible by 100, not 400)", "21000229120000000", "day 29 of 2100-02"},
	{"hour 24", "20261203240000000", "hour 24 (00-23)"},
	{"minute 60", "20261203156000000", "minute 60"},
	{"second 60 (no leap seconds)", "20261203150060000", "second 60"},
	{"year 1999", "19991231235959999", "year 1999"},
	{"all zeros", "00000000000000000", "year 0000"},
};
#define NTIME (sizeof(time_rows) / sizeof(time_rows[0]))

static void test_table_return_time_checked_per_item(void **state)
{
	struct fixture *f = *state;
	int st[NTIME], accepted = 0;
	char extra[64], want[96], path[64];
	struct buf b, trail;
	size_t i;

	for (i = 0; i < NTIME; i++)
		st[i] = ST_CONFIRMED;
	letter_with(f, (int)NTIME, st, (int64_t)NTIME);
	buf_init(&b);
	for (i = 0; i < NTIME; i++) {
		snprintf(extra, sizeof(extra), "<ReturnTime>%s</ReturnTime>", time_rows[i].time);
		item(&b, (int)i + 1, "data-received", NULL, extra);
	}
	receipt(f, NOW, &b);
	assert_string_equal(reply_outcome(&f->r), "partial");
	for (i = 0; i < NTIME; i++) {
		print_message("  ReturnTime: %s\n", time_rows[i].label);
		buf_init(&trail);
		assert_int_equal(store_scan(f->s, NULL, SDB_AUDIT, number_of((int)i + 1), 14, audit_line, &trail), 0);
		buf_adds(&trail, "");
		snprintf(want, sizeof(want), " customs=data-received return_time=%s\n", time_rows[i].time);
		if (time_rows[i].why == NULL) {
			accepted++;
			assert_false(f->r.items[i].refused);
			assert_int_equal(status_of(f, (int)i + 1), ST_DECLARABLE);
			if (strstr(trail.data, want) == NULL)
				fail_msg("%s: trail lacks \"%s\":\n%s", time_rows[i].label, want, trail.data);
		} else {
			snprintf(path, sizeof(path), "/CustomsReceipt/Item[%zu]/ReturnTime", i + 1);
			expect_item_error(f, (int)i, R_RETURN_TIME_INVALID, path);
			assert_int_equal(status_of(f, (int)i + 1), ST_CONFIRMED);	/* no effect */
			assert_null(strstr(trail.data, "customs="));
		}
		buf_free(&trail);
	}
	for (i = 0; i < (size_t)f->r.nerrors; i++)
		if (strstr(f->r.errors[i].detail, time_rows[f->r.errors[i].item].why) == NULL)
			fail_msg("%s: detail \"%s\" lacks \"%s\"", time_rows[f->r.errors[i].item].label,
			    f->r.errors[i].detail, time_rows[f->r.errors[i].item].why);
	assert_int_equal(f->r.nerrors, (int)NTIME - accepted);
	assert_int_equal(notice(f, CONSIGNOR, "customs-update")->nitems, accepted);
	assert_string_equal(reason_code(R_RETURN_TIME_INVALID), "RETURN_TIME_INVALID");
	buf_free(&b);
}

/* ReturnTime is kept with ReturnInfo on one audit line; either may come alone. */
static void test_return_time_kept_with_return_info(void **state)
{
	static const int st[] = {ST_IN_USE, ST_CONFIRMED};
	struct fixture *f = *state;
	struct buf b;

	letter_with(f, 2, st, 2);
	buf_init(&b);
	item(&b, 1, "declaration-returned", BILL,
	    "<ReturnTime>20261203153000250</ReturnTime><ReturnInfo>单证不齐 documents missing</ReturnInfo>");
	item(&b, 2, "data-received", NULL, "<ReturnTime>20261203153000999</ReturnTime>");
	receipt(f, NOW, &b);
	expect_accepted(f);
	assert_int_equal(store_scan(f->s, NULL, SDB_AUDIT, "20260000000001", 14, audit_line, &b), 0);
	assert_non_null(strstr(b.data, " customs=declaration-returned return_time=20261203153000250 "
	    "return_info=单证不齐 documents missing\n"));
	buf_reset(&b);
	assert_int_equal(store_scan(f->s, NULL, SDB_AUDIT, "20260000000002", 14, audit_line, &b), 0);
	buf_adds(&b, "");
	assert_non_null(strstr(b.data, " customs=data-received return_time=20261203153000999\n"));
	buf_free(&b);
}

/* The schema: ReturnTime is 17 digits, after DeclarationNumber and before ReturnInfo;
 * anything else refuses the whole message (XML_INVALID), as for every schema error. */
static void test_return_time_form_checked_by_schema(void **state)
{
	static const struct {
		const char	*label;
		const char	*extra;
		enum reason	 want;
	} rows[] = {
		{"17 digits", "<ReturnTime>20261203150000123</ReturnTime>", R_NONE},
		{"with ReturnInfo after", "<ReturnTime>20261203150000123</ReturnTime><ReturnInfo>x</ReturnInfo>", R_NONE},
		{"no milliseconds (14 digits)", "<ReturnTime>20261203150000</ReturnTime>", R_XML_INVALID},
		{"18 digits", "<ReturnTime>202612031500001234</ReturnTime>", R_XML_INVALID},
		{"ISO 8601", "<ReturnTime>2026-12-03T15:00:00</ReturnTime>", R_XML_INVALID},
		{"empty", "<ReturnTime></ReturnTime>", R_XML_INVALID},
		{"spaces around", "<ReturnTime> 20261203150000123 </ReturnTime>", R_XML_INVALID},
		{"after ReturnInfo", "<ReturnInfo>x</ReturnInfo><ReturnTime>20261203150000123</ReturnTime>", R_XML_INVALID},
		{"twice", "<ReturnTime>20261203150000123</ReturnTime><ReturnTime>20261203150000123</ReturnTime>",
		    R_XML_INVALID},
	};
	struct fixture *f = *state;
	char detail[512];
	xmlDocPtr doc;
	enum reason rc;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		buf_reset(&f->xml);
		buf_printf(&f->xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomsReceipt xmlns=\"urn:entrust:1\" "
		    "version=\"1\"><Header><MessageId>M-1</MessageId><Sender>%s</Sender><SentAt>2026-12-03T10:00:00+08:00"
		    "</SentAt></Header><Item ref=\"1\"><Agreement>20260000000001</Agreement><Event>data-received</Event>"
		    "%s</Item></CustomsReceipt>\n", CUSTOMS, rows[i].extra);
		doc = NULL;
		rc = xmlin_parse(f->x, f->xml.data, f->xml.len, &doc, detail, sizeof(detail));
		if (rc != rows[i].want)
			fail_msg("%s: %s (%s), want %s", rows[i].label, reason_code(rc), detail, reason_code(rows[i].want));
		if (doc)
			xmlFreeDoc(doc);
	}
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_r13_table_receipt_events),
		T(test_r15_bill_of_lading_must_match),
		T(test_r13_bad_items_do_not_block_others),
		T(test_r11_after_letter_expiry_returned_and_refused_go_to_6),
		T(test_return_info_kept_in_audit_on_one_line),
		T(test_table_return_time_checked_per_item),
		T(test_return_time_kept_with_return_info),
		T(test_return_time_form_checked_by_schema),
	};

	return cmocka_run_group_tests_name("msg_receipt", tests, group_setup, group_teardown);
}
