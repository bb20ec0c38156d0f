/* msgfixture — the fixture the message tests share (test_msg*.c): a real
 * store per test, the shipped schema, code tables and stylesheets, a
 * registry of one party per role, and helpers that seed letters, agreements
 * and accounts, apply a message through the schema and check its reply,
 * notices and exports.  Included once per test program, like testctl.h. */
#ifndef MSGFIXTURE_H
#define MSGFIXTURE_H
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
#include "sample.h"
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
	f->s = store_open(tu_path(p, "%s/db", f->tdir), 0, err, sizeof(err));
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

	msg_discard(&f->ctx);
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

	sample_letter(&l, number, consignor, broker);
	strcpy(l.initiator, initiator);
	l.auto_confirm = auto_confirm;
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
	sample_goods(&a);
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
	msg_discard(&f->ctx);
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
	else {	/* the audit lines written as msg_flush would; the notices stay */
		assert_int_equal(lifecycle_audit_flush(&f->ctx), 0);
		assert_int_equal(store_commit(t), 0);
	}
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
#endif
