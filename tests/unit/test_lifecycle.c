/* test_lifecycle — lifecycle_move, the one place an agreement changes
 * status: R13 (only the listed transitions; a refusal names the current and
 * the requested status and writes nothing), R18/R19 (reaching a reserved
 * status takes a unit of the payer's account, 5 turns it into use, 6/9/10
 * release it; no unit → INSUFFICIENT_BALANCE), the audit trail (one line
 * per move), and R27 (reaching 1 or 8 queues the customs-format data for
 * customs in the same transaction).  Real store, real exporter (shipped
 * xslt/ and xsd/), in a temp folder. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "codec.h"
#include "conf.h"
#include "export.h"
#include "lifecycle.h"
#include "log.h"
#include "msg.h"
#include "outbox.h"
#include "reply.h"
#include "rules.h"
#include "sample.h"
#include "store.h"
#include "testutil.h"

#define CONSIGNOR "1101230001"
#define BROKER "4101W68006"
#define LETTER "2600000001"
#define NUMBER "20260000000001"
#define NOW ((time_t)1796263200)	/* 2026-12-03T02:00:00Z */

struct fixture {
	char		*dir;
	struct exporter	*exporter;
	struct conf	 conf;
	struct party	 sender;
	/* per test */
	char		*tdir;
	struct store	*s;
	struct reply	 r;
	struct msg_ctx	 ctx;
};

static int group_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char x[PATH_MAX], d[PATH_MAX], err[512];

	log_open(NULL, 0);
	f->exporter = export_load(tu_path(x, "%s/xslt", tu_src()), tu_path(d, "%s/xsd", tu_src()), err, sizeof(err));
	if (f->exporter == NULL) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	conf_defaults(&f->conf);
	strcpy(f->sender.code, BROKER);
	f->sender.role = ROLE_BROKER;
	*state = f;
	return 0;
}

static int group_teardown(void **state)
{
	struct fixture *f = *state;

	export_free(f->exporter);
	free(f);
	return 0;
}

static void letter_put(struct fixture *f)
{
	struct letter l;

	sample_letter(&l, LETTER, CONSIGNOR, BROKER);
	l.status = LS_CONFIRMED;
	l.created_at = NOW - 86400;
	l.valid_until = entrust_add_months(NOW, 6);
	l.agreement_count = 1;
	assert_int_equal(store_letter_put(f->s, NULL, &l), 0);
}

static int setup(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX], err[256];

	f->tdir = tu_tmpdir("lifecycle");
	f->s = store_open(tu_path(p, "%s/db", f->tdir), 0, err, sizeof(err));
	assert_non_null(f->s);
	letter_put(f);
	reply_init(&f->r, "E2026120302000000007", "ENTRUSTHUB", "in.p7m", "");
	strcpy(f->r.in_msgid, "MSG-42");
	memset(&f->ctx, 0, sizeof(f->ctx));
	f->ctx.store = f->s;
	f->ctx.exporter = f->exporter;
	f->ctx.conf = &f->conf;
	f->ctx.sender = &f->sender;
	f->ctx.now = NOW;
	f->ctx.reply = &f->r;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->ctx.txn)
		store_abort(f->ctx.txn);
	f->ctx.txn = NULL;
	msg_discard(&f->ctx);
	reply_free(&f->r);
	store_close(f->s);
	tu_rmrf(f->tdir);
	free(f->tdir);
	return 0;
}

/* An agreement in status st paid by payer, stored (no transaction). */
static struct agreement agreement(struct fixture *f, int st, const char *payer)
{
	struct agreement a;

	memset(&a, 0, sizeof(a));
	strcpy(a.number, NUMBER);
	strcpy(a.letter, LETTER);
	strcpy(a.ref, "1");
	strcpy(a.initiator, CONSIGNOR);
	strcpy(a.consignor, CONSIGNOR);
	strcpy(a.broker, BROKER);
	strcpy(a.payer, payer);
	a.status = st;
	sample_goods(&a);
	a.created_at = NOW - 3600;
	a.updated_at = NOW - 3600;
	if (st != ST_INITIATED)
		a.signed_at = NOW - 1800;
	assert_int_equal(store_agreement_put(f->s, f->ctx.txn, &a), 0);
	return a;
}

static void account(struct fixture *f, const char *code, int64_t purchased, int64_t used, int64_t in_use)
{
	struct account acc = {purchased, used, in_use};

	assert_int_equal(store_account_put(f->s, NULL, code, &acc), 0);
}

static struct account account_of(struct fixture *f, const char *code)
{
	struct account acc;

	assert_int_equal(store_account_get(f->s, f->ctx.txn, code, &acc) >= 0, 1);
	return acc;
}

static void begin(struct fixture *f)
{
	f->ctx.txn = store_begin(f->s);
	assert_non_null(f->ctx.txn);
}

static void commit(struct fixture *f)
{
	assert_int_equal(lifecycle_audit_flush(&f->ctx), 0);	/* the message's audit lines */
	assert_int_equal(store_commit(f->ctx.txn), 0);
	f->ctx.txn = NULL;
}

static void abort_txn(struct fixture *f)
{
	store_abort(f->ctx.txn);
	f->ctx.txn = NULL;
}

/* Move a to `to` in the open transaction; rc, why and detail out. */
static int move(struct fixture *f, struct agreement *a, int to, enum reason *why, char *detail)
{
	*why = R_NONE;
	detail[0] = '\0';
	return lifecycle_move(&f->ctx, a, to, why, detail, 256);
}

/* The audit lines of NUMBER, joined by '\n'. */
static int audit_line(void *arg, const void *k, size_t kl, const void *v, size_t vl)
{
	(void)k;
	(void)kl;
	buf_add(arg, v, vl);
	buf_adds(arg, "\n");
	return 0;
}

static int audit(struct fixture *f, struct buf *out)
{
	int n = 0;
	size_t i;

	if (f->ctx.txn != NULL)	/* in the transaction: what the message wrote so far */
		assert_int_equal(lifecycle_audit_flush(&f->ctx), 0);
	buf_reset(out);
	buf_add(out, "", 0);
	assert_int_equal(store_scan(f->s, f->ctx.txn, SDB_AUDIT, NUMBER, strlen(NUMBER), audit_line, out), 0);
	for (i = 0; i < out->len; i++)
		n += out->data[i] == '\n';
	return n;
}

/* The outbox rows: receiver and file name of the first, its XML in xml. */
struct rows {
	int			n;
	struct outbox_row	first;
	struct buf		*xml;
};

static int outbox_row(void *arg, const void *k, size_t kl, const void *v, size_t vl)
{
	struct rows *r = arg;
	const unsigned char *p = v;
	size_t len;

	(void)k;
	(void)kl;
	assert_true(vl >= 4);
	len = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
	assert_true(4 + len <= vl);
	if (r->n++ == 0) {
		assert_int_equal(codec_decode(&codec_outbox, p + 4, len, &r->first), 0);
		buf_reset(r->xml);
		buf_add(r->xml, p + 4 + len, vl - 4 - len);
	}
	return 0;
}

static int outbox(struct fixture *f, struct rows *r, struct buf *xml)
{
	memset(r, 0, sizeof(*r));
	r->xml = xml;
	assert_int_equal(store_scan(f->s, f->ctx.txn, SDB_OUTBOX, NULL, 0, outbox_row, r), 0);
	return r->n;
}

/* ---- R13 ---- */

/* The R13 list as DOMAIN.md writes it (not read from rules.c). */
static int r13(int from, int to)
{
	static const char *const next[ST_COUNT] = {
		[0] = ",1,3,6,", [1] = ",2,10,6,", [2] = ",4,7,6,", [4] = ",5,2,6,",
		[7] = ",8,2,6,", [8] = ",9,11,", [11] = ",4,7,6,",
	};
	char want[16];

	snprintf(want, sizeof(want), ",%d,", to);
	return next[from] != NULL && strstr(next[from], want) != NULL;
}

/* Every (from, to): moved exactly when R13 lists it; refused otherwise with
 * STATUS_TRANSITION naming both statuses, and nothing written. */
static void test_r13_every_pair_moved_or_refused(void **state)
{
	struct fixture *f = *state;
	char detail[256], want[64];
	struct agreement a, stored;
	struct buf b;
	enum reason why;
	int from, to, rc, moved = 0;

	buf_init(&b);
	account(f, CONSIGNOR, 100, 0, 1);
	for (from = 0; from < ST_COUNT; from++)
		for (to = 0; to < ST_COUNT; to++) {
			begin(f);	/* aborted below: no log flush per pair */
			a = agreement(f, from, "consignor");
			rc = move(f, &a, to, &why, detail);
			if (r13(from, to)) {
				if (rc != 0)
					fail_msg("R13 %d->%d refused: %s", from, to, detail);
				assert_int_equal(store_agreement_get(f->s, f->ctx.txn, NUMBER, &stored), 0);
				assert_int_equal(stored.status, to);
				assert_int_equal(stored.updated_at, NOW);
				/* the move, and the export to customs at 1 and 8 (R27) */
				assert_int_equal(audit(f, &b), to == ST_CONFIRMED || to == ST_REVOKE_CONFIRMED ? 2 : 1);
				snprintf(want, sizeof(want), "status=%d->%d", from, to);
				assert_non_null(strstr(b.data, want));
				moved++;
			} else {
				if (rc != 1)
					fail_msg("R13 %d->%d not refused (rc %d)", from, to, rc);
				assert_int_equal(why, R_STATUS_TRANSITION);
				snprintf(want, sizeof(want), "status %d (", from);
				assert_non_null(strstr(detail, want));
				snprintf(want, sizeof(want), "; %d is not reachable", to);
				assert_non_null(strstr(detail, want));
				assert_int_equal(a.status, from);
				assert_int_equal(store_agreement_get(f->s, f->ctx.txn, NUMBER, &stored), 0);
				assert_int_equal(stored.status, from);
				assert_int_equal(audit(f, &b), 0);
			}
			abort_txn(f);
		}
	assert_int_equal(moved, 20);
	buf_free(&b);
}

static void test_r13_transition_0_to_1_refused_from_5(void **state)
{
	struct fixture *f = *state;
	struct agreement a = agreement(f, ST_USED, "consignor");
	struct account before, after;
	char detail[256];
	enum reason why;
	struct buf b;

	account(f, CONSIGNOR, 10, 1, 0);
	begin(f);
	before = account_of(f, CONSIGNOR);
	assert_int_equal(move(f, &a, ST_CONFIRMED, &why, detail), 1);
	assert_int_equal(why, R_STATUS_TRANSITION);
	assert_string_equal(detail, "agreement " NUMBER " is in status 5 (委托协议海关已用); 1 is not reachable from it");
	after = account_of(f, CONSIGNOR);
	assert_memory_equal(&before, &after, sizeof(before));
	buf_init(&b);
	assert_int_equal(audit(f, &b), 0);
	buf_free(&b);
	commit(f);
}

/* ---- R18 / R19: accounts ---- */

static void test_r19_reaching_1_reserves_a_unit(void **state)
{
	struct fixture *f = *state;
	struct agreement a = agreement(f, ST_INITIATED, "consignor"), stored;
	struct account acc;
	char detail[256];
	enum reason why;

	account(f, CONSIGNOR, 2, 0, 0);
	begin(f);
	assert_int_equal(move(f, &a, ST_CONFIRMED, &why, detail), 0);
	commit(f);
	acc = account_of(f, CONSIGNOR);
	assert_int_equal(acc.purchased, 2);
	assert_int_equal(acc.in_use, 1);
	assert_int_equal(acc.used, 0);
	assert_int_equal(account_of(f, BROKER).in_use, 0);	/* only the payer's */
	assert_int_equal(store_agreement_get(f->s, NULL, NUMBER, &stored), 0);
	assert_int_equal(stored.status, ST_CONFIRMED);
	assert_int_equal(stored.signed_at, NOW);	/* R22: "signed" when it reached 1 */
	assert_int_equal(stored.used_at, 0);
}

/* R18: the payer is the broker when the agreement says so. */
static void test_r18_broker_pays_when_payer_is_broker(void **state)
{
	struct fixture *f = *state;
	struct agreement a = agreement(f, ST_INITIATED, "broker");
	char detail[256];
	enum reason why;

	assert_string_equal(lifecycle_payer(&a), BROKER);
	account(f, BROKER, 1, 0, 0);
	begin(f);
	assert_int_equal(move(f, &a, ST_CONFIRMED, &why, detail), 0);
	commit(f);
	assert_int_equal(account_of(f, BROKER).in_use, 1);
	assert_int_equal(account_of(f, CONSIGNOR).in_use, 0);
	strcpy(a.payer, "consignor");
	assert_string_equal(lifecycle_payer(&a), CONSIGNOR);
}

/* R19: no available unit (purchased − used − in use < 1) → refused with
 * INSUFFICIENT_BALANCE, naming the payer; nothing written. */
static void test_r19_no_available_unit_refused(void **state)
{
	static const struct {
		const char	*label;
		int64_t		 purchased, used, in_use;
	} rows[] = {
		{"no account at all", -1, 0, 0},
		{"nothing purchased", 0, 0, 0},
		{"all used", 3, 3, 0},
		{"all reserved", 2, 0, 2},
		{"used and reserved", 5, 3, 2},
	};
	struct fixture *f = *state;
	struct agreement a, stored;
	struct account acc;
	char detail[256];
	enum reason why;
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		a = agreement(f, ST_INITIATED, "consignor");
		if (rows[i].purchased >= 0)
			account(f, CONSIGNOR, rows[i].purchased, rows[i].used, rows[i].in_use);
		begin(f);
		if (move(f, &a, ST_CONFIRMED, &why, detail) != 1 || why != R_INSUFFICIENT_BALANCE)
			fail_msg("%s: not refused with INSUFFICIENT_BALANCE (%s)", rows[i].label, detail);
		assert_non_null(strstr(detail, CONSIGNOR));
		assert_int_equal(a.status, ST_INITIATED);
		assert_int_equal(store_agreement_get(f->s, f->ctx.txn, NUMBER, &stored), 0);
		assert_int_equal(stored.status, ST_INITIATED);
		acc = account_of(f, CONSIGNOR);
		assert_int_equal(acc.in_use, rows[i].purchased >= 0 ? rows[i].in_use : 0);
		assert_int_equal(audit(f, &b), 0);
		commit(f);
	}
	buf_free(&b);
}

/* The last available unit can be taken, and then none is left. */
static void test_r19_last_unit_then_refused(void **state)
{
	struct fixture *f = *state;
	struct agreement a = agreement(f, ST_INITIATED, "consignor"), b;
	char detail[256];
	enum reason why;

	account(f, CONSIGNOR, 3, 1, 1);
	begin(f);
	assert_int_equal(move(f, &a, ST_CONFIRMED, &why, detail), 0);
	commit(f);
	b = a;
	strcpy(b.number, "20260000000002");
	b.status = ST_INITIATED;
	assert_int_equal(store_agreement_put(f->s, NULL, &b), 0);
	begin(f);
	assert_int_equal(move(f, &b, ST_CONFIRMED, &why, detail), 1);
	assert_int_equal(why, R_INSUFFICIENT_BALANCE);
	commit(f);
	assert_int_equal(account_of(f, CONSIGNOR).in_use, 2);
}

/* R19: reaching 5 turns the reservation into use; used + in use stays ≤ purchased. */
static void test_r19_reaching_5_turns_reservation_into_use(void **state)
{
	struct fixture *f = *state;
	struct agreement a = agreement(f, ST_IN_USE, "consignor"), stored;
	struct account acc;
	char detail[256];
	enum reason why;

	account(f, CONSIGNOR, 4, 1, 2);
	begin(f);
	assert_int_equal(move(f, &a, ST_USED, &why, detail), 0);
	commit(f);
	acc = account_of(f, CONSIGNOR);
	assert_int_equal(acc.purchased, 4);
	assert_int_equal(acc.used, 2);
	assert_int_equal(acc.in_use, 1);
	assert_int_equal(store_agreement_get(f->s, NULL, NUMBER, &stored), 0);
	assert_int_equal(stored.used_at, NOW);	/* counts for R23 */
	assert_int_equal(stored.signed_at, NOW - 1800);	/* unchanged */
}

/* R19: leaving the reserved states for 6, 9 or 10 releases the unit. */
static void test_r19_leaving_for_6_9_10_releases(void **state)
{
	static const struct {
		int	from, to;
	} rows[] = {
		{ST_CONFIRMED, ST_ADD_FAILED}, {ST_CONFIRMED, ST_EXPIRED}, {ST_DECLARABLE, ST_EXPIRED},
		{ST_IN_USE, ST_EXPIRED}, {ST_REVOKE_ASKED, ST_EXPIRED}, {ST_REVOKE_CONFIRMED, ST_REVOKED},
		{ST_REVOKE_FAILED, ST_EXPIRED},
	};
	struct fixture *f = *state;
	struct agreement a;
	struct account acc;
	char detail[256];
	enum reason why;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		a = agreement(f, rows[i].from, "consignor");
		account(f, CONSIGNOR, 5, 1, 3);
		begin(f);
		if (move(f, &a, rows[i].to, &why, detail) != 0)
			fail_msg("%d->%d refused: %s", rows[i].from, rows[i].to, detail);
		commit(f);
		acc = account_of(f, CONSIGNOR);
		if (acc.in_use != 2 || acc.used != 1 || acc.purchased != 5)
			fail_msg("%d->%d: account %lld/%lld/%lld, want 5/1/2", rows[i].from, rows[i].to,
			    (long long)acc.purchased, (long long)acc.used, (long long)acc.in_use);
	}
}

/* R18: moves between reserved states (1, 2, 4, 7, 8, 11) keep the
 * reservation; moves between unreserved ones (0→3, 0→6) never touch the
 * account, even an empty one. */
static void test_r18_moves_that_keep_the_account(void **state)
{
	static const struct {
		int	from, to;
	} rows[] = {
		{1, 2}, {2, 4}, {4, 2}, {2, 7}, {7, 8}, {7, 2}, {8, 11}, {11, 4}, {11, 7},
		{0, 3}, {0, 6},
	};
	struct fixture *f = *state;
	struct agreement a;
	struct account acc;
	char detail[256];
	enum reason why;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int64_t in_use = agreement_status_reserved(rows[i].from) ? 1 : 0;

		a = agreement(f, rows[i].from, "consignor");
		account(f, CONSIGNOR, in_use, 0, in_use);	/* nothing available */
		begin(f);
		if (move(f, &a, rows[i].to, &why, detail) != 0)
			fail_msg("%d->%d refused: %s", rows[i].from, rows[i].to, detail);
		commit(f);
		acc = account_of(f, CONSIGNOR);
		assert_int_equal(acc.in_use, in_use);
		assert_int_equal(acc.used, 0);
	}
}

/* A release with nothing reserved (an inconsistent account) never takes
 * in_use below 0: the error is logged, the move is made. */
static void test_r18_release_never_below_zero(void **state)
{
	struct fixture *f = *state;
	struct agreement a = agreement(f, ST_CONFIRMED, "consignor");
	struct account acc;
	char detail[256];
	enum reason why;

	account(f, CONSIGNOR, 1, 0, 0);
	begin(f);
	assert_int_equal(move(f, &a, ST_EXPIRED, &why, detail), 0);
	commit(f);
	acc = account_of(f, CONSIGNOR);
	assert_int_equal(acc.in_use, 0);
	assert_int_equal(acc.used, 0);
	assert_int_equal(acc.purchased, 1);
}

/* A whole life 0→1→2→4→2→7→2→4→5, with a refused move back to 0 at every
 * step (a refusal writes nothing, so the transaction goes on): one unit
 * reserved at 1, used at 5. */
static void test_r19_whole_life_of_an_agreement(void **state)
{
	static const int path[] = {ST_CONFIRMED, ST_DECLARABLE, ST_IN_USE, ST_DECLARABLE, ST_REVOKE_ASKED,
	    ST_DECLARABLE, ST_IN_USE, ST_USED};
	struct fixture *f = *state;
	struct agreement a = agreement(f, ST_INITIATED, "consignor");
	struct account acc;
	char detail[256];
	enum reason why;
	struct buf b;
	size_t i;

	account(f, CONSIGNOR, 1, 0, 0);
	begin(f);
	for (i = 0; i < sizeof(path) / sizeof(path[0]); i++) {
		if (move(f, &a, path[i], &why, detail) != 0)
			fail_msg("step %zu to %d refused: %s", i, path[i], detail);
		assert_int_equal(move(f, &a, ST_INITIATED, &why, detail), 1);	/* never back to 0 */
	}
	commit(f);
	acc = account_of(f, CONSIGNOR);
	assert_int_equal(acc.used, 1);
	assert_int_equal(acc.in_use, 0);
	buf_init(&b);
	assert_int_equal(audit(f, &b), (int)(sizeof(path) / sizeof(path[0])) + 1);	/* + export */
	buf_free(&b);
}

/* ---- audit ---- */

/* One line per move: time, who, the inbound message and envelope, what. */
static void test_audit_line_names_time_sender_message_envelope(void **state)
{
	struct fixture *f = *state;
	struct agreement a = agreement(f, ST_DECLARABLE, "consignor");
	char detail[256];
	enum reason why;
	struct buf b;

	begin(f);
	assert_int_equal(move(f, &a, ST_IN_USE, &why, detail), 0);
	commit(f);
	buf_init(&b);
	assert_int_equal(audit(f, &b), 1);
	assert_string_equal(b.data, "time=1796263200 by=" BROKER " msg=MSG-42 envelope=E2026120302000000007 "
	    "status=2->4\n");
	/* The hub itself (no sender, no inbound message): by=<hub>, msg=-. */
	f->ctx.sender = NULL;
	f->r.in_msgid[0] = '\0';
	f->ctx.now = NOW + 5;
	begin(f);
	assert_int_equal(lifecycle_audit(&f->ctx, NUMBER, "note=%s n=%d", "定时", 7), 0);
	commit(f);
	assert_int_equal(audit(f, &b), 2);
	assert_non_null(strstr(b.data, "\ntime=1796263205 by=ENTRUSTHUB msg=- envelope=E2026120302000000007 "
	    "note=定时 n=7\n"));
	f->ctx.sender = &f->sender;
	buf_free(&b);
}

/* Audit lines come back in the order written (the key carries a sequence). */
static void test_audit_lines_in_order(void **state)
{
	struct fixture *f = *state;
	char want[32], *p;
	struct buf b;
	int i;

	begin(f);
	for (i = 0; i < 12; i++)
		assert_int_equal(lifecycle_audit(&f->ctx, NUMBER, "step=%d", i), 0);
	/* another agreement's lines do not mix in */
	assert_int_equal(lifecycle_audit(&f->ctx, "20260000000002", "other=1"), 0);
	commit(f);
	buf_init(&b);
	assert_int_equal(audit(f, &b), 12);
	p = b.data;
	for (i = 0; i < 12; i++) {
		snprintf(want, sizeof(want), " step=%d\n", i);
		p = strstr(p, want);
		if (p == NULL)
			fail_msg("line step=%d missing or out of order:\n%s", i, b.data);
	}
	assert_null(strstr(b.data, "other=1"));
	buf_free(&b);
}

static int count_record(void *arg, const void *k, size_t kl, const void *v, size_t vl)
{
	(void)k;
	(void)kl;
	(void)v;
	(void)vl;
	(*(int *)arg)++;
	return 0;
}

/* One message's lines for one agreement are one record, written at the
 * flush (a logged insert per line was most of a receipt item's cost,
 * issue #7); a control character cannot start a line of its own; lines
 * discarded with a refused message are never written. */
static void test_audit_one_record_per_agreement_and_message(void **state)
{
	struct fixture *f = *state;
	int records = 0;
	struct buf b;

	begin(f);
	assert_int_equal(lifecycle_audit(&f->ctx, NUMBER, "status=1->2"), 0);
	assert_int_equal(lifecycle_audit(&f->ctx, NUMBER, "customs=x return_info=a\nb\rc"), 0);
	assert_int_equal(lifecycle_audit(&f->ctx, NUMBER, "notice=customs-update to=%s", CONSIGNOR), 0);
	assert_int_equal(store_scan(f->s, f->ctx.txn, SDB_AUDIT, NUMBER, strlen(NUMBER), count_record, &records), 0);
	assert_int_equal(records, 0);	/* nothing before the flush */
	commit(f);
	assert_int_equal(store_scan(f->s, NULL, SDB_AUDIT, NUMBER, strlen(NUMBER), count_record, &records), 0);
	assert_int_equal(records, 1);
	buf_init(&b);
	assert_int_equal(audit(f, &b), 3);
	assert_non_null(strstr(b.data, " customs=x return_info=a b c\ntime="));
	begin(f);	/* the next message: a record of its own */
	assert_int_equal(lifecycle_audit(&f->ctx, NUMBER, "status=2->4"), 0);
	commit(f);
	begin(f);	/* a refused one: discarded, never written */
	assert_int_equal(lifecycle_audit(&f->ctx, NUMBER, "status=4->5"), 0);
	lifecycle_audit_discard(&f->ctx);
	commit(f);
	records = 0;
	assert_int_equal(store_scan(f->s, NULL, SDB_AUDIT, NUMBER, strlen(NUMBER), count_record, &records), 0);
	assert_int_equal(records, 2);
	assert_int_equal(audit(f, &b), 4);
	assert_null(strstr(b.data, "status=4->5"));
	buf_free(&b);
}

/* lifecycle_index: the agreement under its letter and both parties (R21–R23). */
static void test_index_under_letter_and_both_parties(void **state)
{
	struct fixture *f = *state;
	struct agreement a = agreement(f, ST_INITIATED, "consignor");
	struct buf b;

	begin(f);
	assert_int_equal(lifecycle_index(&f->ctx, &a), 0);
	commit(f);
	assert_int_equal(store_get(f->s, NULL, SDB_BY_LETTER, LETTER "|" NUMBER, 25, NULL), 0);
	assert_int_equal(store_get(f->s, NULL, SDB_BY_PARTY, CONSIGNOR "|" NUMBER, 25, NULL), 0);
	assert_int_equal(store_get(f->s, NULL, SDB_BY_PARTY, BROKER "|" NUMBER, 25, NULL), 0);
	buf_init(&b);
	assert_int_equal(audit(f, &b), 1);
	assert_non_null(strstr(b.data, " status=new->0 letter=" LETTER "\n"));
	buf_free(&b);
}

/* ---- R27: exports ---- */

static enum reason why_dummy;

static void expect_export(struct fixture *f, int from, int to, const char *kind)
{
	struct agreement a = agreement(f, from, "consignor");
	char detail[256], want[256];
	struct rows r;
	struct buf xml, b;

	account(f, CONSIGNOR, 5, 0, 1);
	buf_init(&xml);
	buf_init(&b);
	begin(f);
	assert_int_equal(move(f, &a, to, &why_dummy, detail), 0);
	commit(f);
	assert_int_equal(outbox(f, &r, &xml), 1);
	assert_string_equal(r.first.receiver, f->conf.customs_code);
	assert_string_equal(r.first.receiver, "0100HG0001");
	assert_int_equal(strncmp(r.first.file_name, "EXP_", 4), 0);
	assert_non_null(strstr(xml.data, "AgentAgreementMessage"));
	snprintf(want, sizeof(want), "<MessageType>%s</MessageType>", kind);
	assert_non_null(strstr(xml.data, want));
	assert_non_null(strstr(xml.data, NUMBER));
	assert_non_null(strstr(xml.data, "<DocType>10000001</DocType>"));
	assert_int_equal(audit(f, &b), 2);
	snprintf(want, sizeof(want), "export=%s to=0100HG0001 file=%s\n", kind, r.first.file_name);	/* trace names the file */
	assert_non_null(strstr(b.data, want));
	buf_free(&xml);
	buf_free(&b);
}



static void test_r27_export_queued_at_1(void **state)
{
	expect_export(*state, ST_INITIATED, ST_CONFIRMED, "AGREEMENT_ADD");
}

static void test_r27_export_queued_at_8(void **state)
{
	expect_export(*state, ST_REVOKE_ASKED, ST_REVOKE_CONFIRMED, "AGREEMENT_REVOKE");
}

/* Only 1 and 8 go to customs. */
static void test_r27_no_export_for_other_statuses(void **state)
{
	static const struct {
		int	from, to;
	} rows[] = {{1, 2}, {2, 4}, {4, 5}, {2, 7}, {8, 9}, {8, 11}, {0, 3}, {1, 10}};
	struct fixture *f = *state;
	struct agreement a;
	char detail[256];
	enum reason why;
	struct rows r;
	struct buf xml;
	size_t i;

	buf_init(&xml);
	account(f, CONSIGNOR, 50, 0, 20);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		a = agreement(f, rows[i].from, "consignor");
		begin(f);
		assert_int_equal(move(f, &a, rows[i].to, &why, detail), 0);
		commit(f);
		if (outbox(f, &r, &xml) != 0)
			fail_msg("%d->%d queued %d outbox rows", rows[i].from, rows[i].to, r.n);
	}
	buf_free(&xml);
}

/* Without an exporter (entrustctl, tools) a move to 1 queues nothing. */
static void test_r27_no_exporter_no_export(void **state)
{
	struct fixture *f = *state;
	struct agreement a = agreement(f, ST_INITIATED, "consignor");
	char detail[256];
	enum reason why;
	struct rows r;
	struct buf xml;

	account(f, CONSIGNOR, 1, 0, 0);
	f->ctx.exporter = NULL;
	begin(f);
	assert_int_equal(move(f, &a, ST_CONFIRMED, &why, detail), 0);
	commit(f);
	f->ctx.exporter = f->exporter;
	buf_init(&xml);
	assert_int_equal(outbox(f, &r, &xml), 0);
	buf_free(&xml);
}

/* The export is part of the move's transaction: aborted together. */
static void test_r27_export_aborted_with_the_move(void **state)
{
	struct fixture *f = *state;
	struct agreement a = agreement(f, ST_INITIATED, "consignor"), stored;
	char detail[256];
	enum reason why;
	struct rows r;
	struct buf xml;

	account(f, CONSIGNOR, 1, 0, 0);
	begin(f);
	assert_int_equal(move(f, &a, ST_CONFIRMED, &why, detail), 0);
	abort_txn(f);
	buf_init(&xml);
	assert_int_equal(outbox(f, &r, &xml), 0);
	buf_free(&xml);
	assert_int_equal(store_agreement_get(f->s, NULL, NUMBER, &stored), 0);
	assert_int_equal(stored.status, ST_INITIATED);
	assert_int_equal(account_of(f, CONSIGNOR).in_use, 0);
}

/* The agreement's letter is missing: a store inconsistency, -1 (the caller aborts). */
static void test_r27_export_without_letter_is_an_error(void **state)
{
	struct fixture *f = *state;
	struct agreement a = agreement(f, ST_INITIATED, "consignor");
	char detail[256];
	enum reason why;

	strcpy(a.letter, "2699999999");
	account(f, CONSIGNOR, 1, 0, 0);
	begin(f);
	assert_int_equal(move(f, &a, ST_CONFIRMED, &why, detail), -1);
	abort_txn(f);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_r13_every_pair_moved_or_refused),
		T(test_r13_transition_0_to_1_refused_from_5),
		T(test_r19_reaching_1_reserves_a_unit),
		T(test_r18_broker_pays_when_payer_is_broker),
		T(test_r19_no_available_unit_refused),
		T(test_r19_last_unit_then_refused),
		T(test_r19_reaching_5_turns_reservation_into_use),
		T(test_r19_leaving_for_6_9_10_releases),
		T(test_r18_moves_that_keep_the_account),
		T(test_r18_release_never_below_zero),
		T(test_r19_whole_life_of_an_agreement),
		T(test_audit_line_names_time_sender_message_envelope),
		T(test_audit_lines_in_order),
		T(test_audit_one_record_per_agreement_and_message),
		T(test_index_under_letter_and_both_parties),
		T(test_r27_export_queued_at_1),
		T(test_r27_export_queued_at_8),
		T(test_r27_no_export_for_other_statuses),
		T(test_r27_no_exporter_no_export),
		T(test_r27_export_aborted_with_the_move),
		T(test_r27_export_without_letter_is_an_error),
	};

	return cmocka_run_group_tests_name("lifecycle", tests, group_setup, group_teardown);
}
