/* test_expiry — what time does by itself (expiry_run), on a real store:
 *   R11: a letter whose valid_until has passed expires; its agreements in
 *        0, 1, 2, 7, 11 become 6 (R19: reservations released), 5 is kept,
 *        4 and 8 are left to customs; the pair's live link (R8) goes; both
 *        parties get one "expired" notice (R26).
 *   R5:  one "registration-expiring" notice per approval period, when
 *        registration_warn_days or fewer are left; an expired registration
 *        blocks the broker (msg_broker_active).
 * Time is injected: expiry_run takes now, and clock_now() is moved by
 * ENTRUST_TIME_OFFSET (set in main, before the clock is first read). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "clock.h"
#include "codec.h"
#include "conf.h"
#include "expiry.h"
#include "hub.h"
#include "log.h"
#include "msg.h"
#include "outbox.h"
#include "registry.h"
#include "store.h"
#include "testutil.h"

#define CONSIGNOR "1101230001"
#define BROKER "4101W68006"
#define BROKER2 "4101W68007"
#define CUSTOMS "0100HG0001"
#define LETTER "2600000001"
#define NOW ((time_t)1796263200)	/* 2026-12-03T02:00:00Z */
#define DAY 86400L
#define OFFSET_DAYS 400			/* ENTRUST_TIME_OFFSET for this binary */

static const char registry_text[] =
    CONSIGNOR " consignor aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 北京示例贸易有限公司\n"
    BROKER " broker cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc 郑州示例报关有限公司\n"
    BROKER2 " broker dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd 第二报关有限公司\n"
    CUSTOMS " customs eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee 北京海关\n";

struct fixture {
	char		*dir;
	char		*tdir;
	struct hub	 h;
};

static int group_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char p[PATH_MAX], err[512];

	log_open(NULL, 0);
	f->dir = tu_tmpdir("expiry");
	if (tu_writes(tu_path(p, "%s/parties.conf", f->dir), registry_text) != 0)
		return -1;
	f->h.registry = registry_load(p, err, sizeof(err));
	if (f->h.registry == NULL) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	conf_defaults(&f->h.conf);
	*state = f;
	return 0;
}

static int group_teardown(void **state)
{
	struct fixture *f = *state;

	registry_free(f->h.registry);
	tu_rmrf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static int setup(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX], err[256];

	f->tdir = tu_tmpdir("expiry-t");
	f->h.store = store_open(tu_path(p, "%s/db", f->tdir), 0, err, sizeof(err));
	assert_non_null(f->h.store);
	f->h.conf.registration_warn_days = 30;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->h.store);
	f->h.store = NULL;
	tu_rmrf(f->tdir);
	free(f->tdir);
	return 0;
}

/* A letter between CONSIGNOR and broker, live, due for expiry at valid_until. */
static void letter(struct fixture *f, const char *number, const char *broker, int status, time_t valid_until)
{
	unsigned char key[18];
	char live[24];
	struct letter l;

	memset(&l, 0, sizeof(l));
	strcpy(l.number, number);
	strcpy(l.consignor.code, CONSIGNOR);
	strcpy(l.broker.code, broker);
	strcpy(l.initiator, CONSIGNOR);
	strcpy(l.mode, "B");
	strcpy(l.matters, "A");
	l.validity_months = 6;
	l.status = status;
	l.created_at = valid_until - 180 * DAY;
	l.valid_until = valid_until;
	assert_int_equal(store_letter_put(f->h.store, NULL, &l), 0);
	store_be64(key, (uint64_t)valid_until);
	memcpy(key + 8, number, 10);
	assert_int_equal(store_put(f->h.store, NULL, SDB_EXPIRY, key, 18, "", 0), 0);
	snprintf(live, sizeof(live), "%s|%s", CONSIGNOR, broker);
	assert_int_equal(store_put(f->h.store, NULL, SDB_LIVE, live, strlen(live), number, 11), 0);
}

/* Agreement letter + 4-digit index, in status st, paid by the consignor. */
static void agreement(struct fixture *f, const char *letter_number, int idx, int st)
{
	struct agreement a;
	char key[32];

	memset(&a, 0, sizeof(a));
	snprintf(a.number, sizeof(a.number), "2026%010u", (unsigned)idx);
	strcpy(a.letter, letter_number);
	strcpy(a.initiator, CONSIGNOR);
	strcpy(a.consignor, CONSIGNOR);
	strcpy(a.broker, BROKER);
	strcpy(a.payer, "consignor");
	strcpy(a.bill_of_lading, "COSU6123456780");
	a.status = st;
	assert_int_equal(store_agreement_put(f->h.store, NULL, &a), 0);
	snprintf(key, sizeof(key), "%s|%s", letter_number, a.number);
	assert_int_equal(store_put(f->h.store, NULL, SDB_BY_LETTER, key, strlen(key), "", 0), 0);
}

static int status_of(struct fixture *f, int idx)
{
	struct agreement a;
	char number[16];

	snprintf(number, sizeof(number), "2026%010d", idx);
	assert_int_equal(store_agreement_get(f->h.store, NULL, number, &a), 0);
	return (int)a.status;
}

static int letter_status(struct fixture *f, const char *number)
{
	struct letter l;

	assert_int_equal(store_letter_get(f->h.store, NULL, number, &l), 0);
	return (int)l.status;
}

/* Outbox notices: count those for receiver whose XML has <Event>event</Event>. */
struct notices {
	const char	*receiver, *event;
	int		 n;
	struct buf	 last;
};

static int notice_row(void *arg, const void *k, size_t kl, const void *v, size_t vl)
{
	struct notices *q = arg;
	const unsigned char *p = v;
	struct outbox_row row;
	char want[64];
	size_t len = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];

	(void)k;
	(void)kl;
	assert_int_equal(codec_decode(&codec_outbox, p + 4, len, &row), 0);
	buf_reset(&q->last);
	buf_add(&q->last, p + 4 + len, vl - 4 - len);
	snprintf(want, sizeof(want), "<Event>%s</Event>", q->event);
	if (strcmp(row.receiver, q->receiver) == 0 && strstr(q->last.data, want) != NULL)
		q->n++;
	return 0;
}

static int notices(struct fixture *f, const char *receiver, const char *event)
{
	struct notices q = {receiver, event, 0, {NULL, 0, 0}};

	buf_init(&q.last);
	assert_int_equal(store_scan(f->h.store, NULL, SDB_OUTBOX, NULL, 0, notice_row, &q), 0);
	buf_free(&q.last);
	return q.n;
}

static int count_row(void *arg, const void *k, size_t kl, const void *v, size_t vl)
{
	(void)k;
	(void)kl;
	(void)v;
	(void)vl;
	(*(int *)arg)++;
	return 0;
}

static int rows(struct fixture *f, enum store_db db)
{
	int n = 0;

	assert_int_equal(store_scan(f->h.store, NULL, db, NULL, 0, count_row, &n), 0);
	return n;
}

/* ---- R11 ---- */

static void test_r11_letter_not_yet_due_is_kept(void **state)
{
	struct fixture *f = *state;

	letter(f, LETTER, BROKER, LS_CONFIRMED, NOW + 1);
	agreement(f, LETTER, 1, ST_DECLARABLE);
	assert_int_equal(expiry_run(&f->h, NOW), 0);
	assert_int_equal(letter_status(f, LETTER), LS_CONFIRMED);
	assert_int_equal(status_of(f, 1), ST_DECLARABLE);
	assert_int_equal(rows(f, SDB_EXPIRY), 1);
	assert_int_equal(rows(f, SDB_LIVE), 1);
	assert_int_equal(rows(f, SDB_OUTBOX), 0);
}

/* Every status on one letter, expired at exactly valid_until. */
static void test_r11_table_letter_expiry_by_status(void **state)
{
	static const int want[ST_COUNT] = {
		[ST_INITIATED] = ST_EXPIRED, [ST_CONFIRMED] = ST_EXPIRED, [ST_DECLARABLE] = ST_EXPIRED,
		[ST_REJECTED] = ST_REJECTED, [ST_IN_USE] = ST_IN_USE, [ST_USED] = ST_USED,
		[ST_EXPIRED] = ST_EXPIRED, [ST_REVOKE_ASKED] = ST_EXPIRED,
		[ST_REVOKE_CONFIRMED] = ST_REVOKE_CONFIRMED, [ST_REVOKED] = ST_REVOKED,
		[ST_ADD_FAILED] = ST_ADD_FAILED, [ST_REVOKE_FAILED] = ST_EXPIRED,
	};
	struct fixture *f = *state;
	struct account acc = {20, 3, 6};	/* 1, 2, 4, 7, 8, 11 reserved */
	int st;

	letter(f, LETTER, BROKER, LS_CONFIRMED, NOW);
	for (st = 0; st < ST_COUNT; st++)
		agreement(f, LETTER, st + 1, st);
	assert_int_equal(store_account_put(f->h.store, NULL, CONSIGNOR, &acc), 0);

	assert_int_equal(expiry_run(&f->h, NOW), 1);
	for (st = 0; st < ST_COUNT; st++)
		if (status_of(f, st + 1) != want[st])
			fail_msg("R11: an agreement in %d became %d, want %d", st, status_of(f, st + 1), want[st]);
	assert_int_equal(letter_status(f, LETTER), LS_EXPIRED);
	/* R19: 1, 2, 7, 11 released their units; 4 and 8 still hold theirs */
	assert_int_equal(store_account_get(f->h.store, NULL, CONSIGNOR, &acc), 0);
	assert_int_equal(acc.in_use, 2);
	assert_int_equal(acc.used, 3);
	assert_int_equal(acc.purchased, 20);
	/* R8: the live link is gone (a new request makes a new letter); the timer too */
	assert_int_equal(rows(f, SDB_LIVE), 0);
	assert_int_equal(rows(f, SDB_EXPIRY), 0);
	/* R26: one "expired" notice to each party */
	assert_int_equal(notices(f, CONSIGNOR, "expired"), 1);
	assert_int_equal(notices(f, BROKER, "expired"), 1);
	assert_int_equal(rows(f, SDB_OUTBOX), 2);
}

/* Running again has nothing left to do: no second effect, no second notice. */
static void test_r11_second_run_no_second_effect(void **state)
{
	struct fixture *f = *state;

	letter(f, LETTER, BROKER, LS_INITIATED, NOW - DAY);
	agreement(f, LETTER, 1, ST_INITIATED);
	assert_int_equal(expiry_run(&f->h, NOW), 1);
	assert_int_equal(status_of(f, 1), ST_EXPIRED);
	assert_int_equal(letter_status(f, LETTER), LS_EXPIRED);
	assert_int_equal(expiry_run(&f->h, NOW + DAY), 0);
	assert_int_equal(notices(f, CONSIGNOR, "expired"), 1);
	assert_int_equal(notices(f, BROKER, "expired"), 1);
}

/* Only the letters that are due, in time order; the others wait. */
static void test_r11_only_due_letters_expire(void **state)
{
	struct fixture *f = *state;

	letter(f, "2600000001", BROKER, LS_CONFIRMED, NOW - 10);
	letter(f, "2600000002", BROKER2, LS_CONFIRMED, NOW + 10);
	agreement(f, "2600000001", 1, ST_DECLARABLE);
	agreement(f, "2600000002", 2, ST_DECLARABLE);
	assert_int_equal(expiry_run(&f->h, NOW), 1);
	assert_int_equal(status_of(f, 1), ST_EXPIRED);
	assert_int_equal(status_of(f, 2), ST_DECLARABLE);
	assert_int_equal(letter_status(f, "2600000002"), LS_CONFIRMED);
	assert_int_equal(rows(f, SDB_EXPIRY), 1);
	assert_int_equal(expiry_run(&f->h, NOW + 10), 1);
	assert_int_equal(status_of(f, 2), ST_EXPIRED);
}

/* R8: a request after valid_until may already have made a new live letter
 * for the pair; expiring the old one must not unlink the new one. */
static void test_r11_newer_live_letter_kept(void **state)
{
	struct fixture *f = *state;
	char key[] = CONSIGNOR "|" BROKER;
	struct buf v;

	letter(f, "2600000001", BROKER, LS_CONFIRMED, NOW - 10);
	assert_int_equal(store_put(f->h.store, NULL, SDB_LIVE, key, strlen(key), "2600000009", 11), 0);
	assert_int_equal(expiry_run(&f->h, NOW), 1);
	assert_int_equal(letter_status(f, "2600000001"), LS_EXPIRED);
	buf_init(&v);
	assert_int_equal(store_get(f->h.store, NULL, SDB_LIVE, key, strlen(key), &v), 0);
	assert_string_equal(v.data, "2600000009");
	buf_free(&v);
}

/* A letter already rejected or terminated is not touched; its timer goes. */
static void test_r11_closed_letter_left_alone(void **state)
{
	struct fixture *f = *state;

	letter(f, "2600000001", BROKER, LS_REJECTED, NOW - 10);
	letter(f, "2600000002", BROKER2, LS_TERMINATED, NOW - 5);
	agreement(f, "2600000001", 1, ST_REJECTED);
	agreement(f, "2600000002", 2, ST_DECLARABLE);
	assert_true(expiry_run(&f->h, NOW) >= 0);
	assert_int_equal(letter_status(f, "2600000001"), LS_REJECTED);
	assert_int_equal(letter_status(f, "2600000002"), LS_TERMINATED);
	assert_int_equal(status_of(f, 2), ST_DECLARABLE);
	assert_int_equal(rows(f, SDB_EXPIRY), 0);
	assert_int_equal(rows(f, SDB_OUTBOX), 0);
}

/* ---- R5 ---- */

static void approve(struct fixture *f, const char *code, time_t valid_until)
{
	struct registration reg;

	memset(&reg, 0, sizeof(reg));
	strcpy(reg.code, code);
	strcpy(reg.name, "郑州示例报关有限公司");
	reg.approved_at = valid_until - 365 * DAY;
	reg.valid_until = valid_until;
	assert_int_equal(store_registration_put(f->h.store, NULL, 'A', &reg), 0);
}

/* Table: who is warned, with 30 warning days. */
static void test_r5_table_registration_warning_window(void **state)
{
	static const struct {
		const char	*label;
		long		 left;		/* valid_until - now, seconds */
		int		 warned;
	} rows_[] = {
		{"31 days left", 31 * DAY, 0},
		{"30 days and a second", 30 * DAY + 1, 0},
		{"exactly 30 days", 30 * DAY, 1},
		{"10 days", 10 * DAY, 1},
		{"one second", 1, 1},
		{"expires now", 0, 0},
		{"expired yesterday", -DAY, 0},
	};
	struct fixture *f = *state;
	struct registration reg;
	size_t i;

	for (i = 0; i < sizeof(rows_) / sizeof(rows_[0]); i++) {
		store_close(f->h.store);
		tu_rmrf(f->tdir);
		free(f->tdir);
		assert_int_equal(setup(state), 0);
		approve(f, BROKER, NOW + rows_[i].left);
		if (expiry_run(&f->h, NOW) != rows_[i].warned
		    || notices(f, BROKER, "registration-expiring") != rows_[i].warned)
			fail_msg("%s: warned %d times, want %d", rows_[i].label,
			    notices(f, BROKER, "registration-expiring"), rows_[i].warned);
		assert_int_equal(store_registration_get(f->h.store, NULL, BROKER, 'A', &reg), 0);
		assert_int_equal(reg.warned_for, rows_[i].warned ? reg.valid_until : 0);
	}
}

/* Once per approval period; a new approval (new valid_until) warns again. */
static void test_r5_warned_once_per_period(void **state)
{
	struct fixture *f = *state;
	struct notices q = {BROKER, "registration-expiring", 0, {NULL, 0, 0}};

	approve(f, BROKER, NOW + 10 * DAY);
	approve(f, BROKER2, NOW + 100 * DAY);
	assert_int_equal(expiry_run(&f->h, NOW), 1);
	assert_int_equal(expiry_run(&f->h, NOW + DAY), 0);
	assert_int_equal(expiry_run(&f->h, NOW + 9 * DAY), 0);
	assert_int_equal(notices(f, BROKER, "registration-expiring"), 1);
	assert_int_equal(notices(f, BROKER2, "registration-expiring"), 0);
	/* the notice carries the date it runs out */
	buf_init(&q.last);
	assert_int_equal(store_scan(f->h.store, NULL, SDB_OUTBOX, NULL, 0, notice_row, &q), 0);
	assert_non_null(strstr(q.last.data, "<ValidUntil>"));
	assert_non_null(strstr(q.last.data, "<Receiver>" BROKER "</Receiver>"));
	buf_free(&q.last);
	/* renewed for a year: warned again 30 days before the new date */
	approve(f, BROKER, NOW + 375 * DAY);
	assert_int_equal(expiry_run(&f->h, NOW + 300 * DAY), 0);	/* BROKER2 has run out: no warning */
	assert_int_equal(expiry_run(&f->h, NOW + 350 * DAY), 1);
	assert_int_equal(notices(f, BROKER, "registration-expiring"), 2);
	assert_int_equal(notices(f, BROKER2, "registration-expiring"), 0);
}

/* A pending registration only, or none: no warning. */
static void test_r5_no_warning_without_approval(void **state)
{
	struct fixture *f = *state;
	struct registration reg;

	memset(&reg, 0, sizeof(reg));
	strcpy(reg.code, BROKER);
	reg.valid_until = NOW + DAY;
	assert_int_equal(store_registration_put(f->h.store, NULL, 'P', &reg), 0);
	assert_int_equal(expiry_run(&f->h, NOW), 0);
	assert_int_equal(rows(f, SDB_OUTBOX), 0);
}

/* R5 blocking with the injected clock: a registration valid until one day
 * after the real time has run out at clock_now(), OFFSET_DAYS ahead. */
static void test_r5_expired_registration_blocks_at_clock_now(void **state)
{
	struct fixture *f = *state;
	time_t real = time(NULL), now = clock_now();
	struct msg_ctx ctx;

	assert_true(now - real >= OFFSET_DAYS * DAY - 60 && now - real <= OFFSET_DAYS * DAY + 60);
	approve(f, BROKER, real + DAY);
	approve(f, BROKER2, real + (OFFSET_DAYS + 10) * DAY);
	memset(&ctx, 0, sizeof(ctx));
	ctx.store = f->h.store;
	ctx.now = real;
	assert_int_equal(msg_broker_active(&ctx, BROKER), 1);
	ctx.now = now;
	assert_int_equal(msg_broker_active(&ctx, BROKER), 0);	/* R5: cannot initiate or confirm */
	assert_int_equal(msg_broker_active(&ctx, BROKER2), 1);
	assert_int_equal(msg_broker_active(&ctx, "4101W69999"), 0);	/* never registered */
	/* and at clock_now() only BROKER2 is in its warning window */
	assert_int_equal(expiry_run(&f->h, now), 1);
	assert_int_equal(notices(f, BROKER2, "registration-expiring"), 1);
	assert_int_equal(notices(f, BROKER, "registration-expiring"), 0);
}

/* R11 with the injected clock: a letter valid for 6 months from the real
 * time is expired at clock_now(). */
static void test_r11_letter_expired_at_clock_now(void **state)
{
	struct fixture *f = *state;
	time_t real = time(NULL);

	letter(f, LETTER, BROKER, LS_CONFIRMED, entrust_add_months(real, 6));
	agreement(f, LETTER, 1, ST_INITIATED);
	assert_int_equal(expiry_run(&f->h, real), 0);
	assert_int_equal(status_of(f, 1), ST_INITIATED);
	assert_int_equal(expiry_run(&f->h, clock_now()), 1);
	assert_int_equal(status_of(f, 1), ST_EXPIRED);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_r11_letter_not_yet_due_is_kept),
		T(test_r11_table_letter_expiry_by_status),
		T(test_r11_second_run_no_second_effect),
		T(test_r11_only_due_letters_expire),
		T(test_r11_newer_live_letter_kept),
		T(test_r11_closed_letter_left_alone),
		T(test_r5_table_registration_warning_window),
		T(test_r5_warned_once_per_period),
		T(test_r5_no_warning_without_approval),
		T(test_r5_expired_registration_blocks_at_clock_now),
		T(test_r11_letter_expired_at_clock_now),
	};
	char offset[32];

	snprintf(offset, sizeof(offset), "%ld", OFFSET_DAYS * DAY);
	setenv("ENTRUST_TIME_OFFSET", offset, 1);
	return cmocka_run_group_tests_name("expiry", tests, group_setup, group_teardown);
}
