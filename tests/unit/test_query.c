/* test_query — the enterprise queries shared by the Query message and the
 * console: broker search (R5, R6), status query (R21), recent five (R22),
 * statistics (R23), account (R18) and top-ups (R20).  A real store in a temp
 * folder, filled through store.h as the daemon's modules fill it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "query.h"
#include "store.h"
#include "testutil.h"

#define ME	"1101230001"
#define BR	"4101W68006"
#define BR2	"4101W68007"
#define NOW	1800000000

struct fixture {
	char		*dir;
	struct store	*s;
};

static void put_agreement(struct store *s, const char *number, const char *broker, int status,
    int64_t signed_at, int64_t used_at, const char *bill, const char *value)
{
	struct agreement a;
	char key[32];

	memset(&a, 0, sizeof(a));
	snprintf(a.number, sizeof(a.number), "%s", number);
	snprintf(a.letter, sizeof(a.letter), "2600000001");
	snprintf(a.consignor, sizeof(a.consignor), ME);
	snprintf(a.broker, sizeof(a.broker), "%s", broker);
	snprintf(a.bill_of_lading, sizeof(a.bill_of_lading), "%s", bill);
	snprintf(a.total_value, sizeof(a.total_value), "%s", value);
	a.status = status;
	a.signed_at = signed_at;
	a.used_at = used_at;
	assert_int_equal(store_agreement_put(s, NULL, &a), 0);
	snprintf(key, sizeof(key), "%s|%s", ME, number);
	assert_int_equal(store_put(s, NULL, SDB_BY_PARTY, key, strlen(key), "", 0), 0);
	snprintf(key, sizeof(key), "%s|%s", broker, number);
	assert_int_equal(store_put(s, NULL, SDB_BY_PARTY, key, strlen(key), "", 0), 0);
}

static void put_broker(struct store *s, const char *code, const char *name, const char *district,
    int64_t valid_until)
{
	struct registration r;

	memset(&r, 0, sizeof(r));
	snprintf(r.code, sizeof(r.code), "%s", code);
	snprintf(r.name, sizeof(r.name), "%s", name);
	snprintf(r.district, sizeof(r.district), "%s", district);
	snprintf(r.manager_id, sizeof(r.manager_id), "410100198001010011");
	r.valid_until = valid_until;
	assert_int_equal(store_registration_put(s, NULL, 'A', &r), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	unsigned char key[26];
	struct account acc = {10, 4, 3};
	char err[256], db[PATH_MAX];

	f->dir = tu_tmpdir("query");
	f->s = store_open(tu_path(db, "%s/db", f->dir), 0, err, sizeof(err));
	if (f->s == NULL)
		return -1;
	put_agreement(f->s, "20260000000001", BR, 2, NOW - 500, 0, "BL1", "100.00");
	put_agreement(f->s, "20260000000002", BR, 5, NOW - 400, NOW - 100, "BL2", "200");
	put_agreement(f->s, "20260000000003", BR, 0, 0, 0, "BL3", "100");
	put_agreement(f->s, "20260000000004", BR2, 1, NOW - 300, 0, "BL4", "100");
	put_agreement(f->s, "20260000000005", BR, 4, NOW - 200, 0, "BL5", "100");
	put_agreement(f->s, "20260000000006", BR, 1, NOW - 100, 0, "BL6", "100");
	put_agreement(f->s, "20260000000007", BR, 5, NOW - 50, NOW - 86400 * 40, "BL7", "100");
	put_agreement(f->s, "20260000000008", BR, 2, NOW - 10, 0, "BL8", "100");
	put_broker(f->s, BR, "郑州示例报关有限公司", "4601", NOW + 86400);
	put_broker(f->s, BR2, "过期报关有限公司", "4602", NOW - 1);
	assert_int_equal(store_account_put(f->s, NULL, ME, &acc), 0);
	memcpy(key, ME, 10);
	store_be64(key + 10, NOW - 1000);
	store_be64(key + 18, 1);
	assert_int_equal(store_put(f->s, NULL, SDB_TOPUPS, key, 26, "10|INV-1", 8), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->s);
	tu_rmrf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* Visitors collect numbers as "n1 n2 …". */
static int collect(void *arg, const struct agreement *a)
{
	struct buf *b = arg;

	buf_printf(b, "%s%s", b->len ? " " : "", a->number + 12);	/* last 2 digits */
	return 0;
}

static int collect_broker(void *arg, const struct registration *r)
{
	struct buf *b = arg;

	buf_printf(b, "%s%s", b->len ? " " : "", r->code);
	return 0;
}

static void test_status_filters(void **state)
{
	static const struct {
		const char	*label, *counterparty, *bill, *value, *agreement;
		int		 status;
		const char	*want;
	} rows[] = {
		{"all", "", "", "", "", -1, "01 02 03 04 05 06 07 08"},
		{"counterparty", BR2, "", "", "", -1, "04"},
		{"status 2", "", "", "", "", 2, "01 08"},
		{"bill", "", "BL5", "", "", -1, "05"},
		{"value as a number", "", "", "100", "", -1, "01 03 04 05 06 07 08"},
		{"value 200.0", "", "", "200.0", "", -1, "02"},
		{"agreement and status, AND", "", "", "", "20260000000002", 2, ""},
		{"agreement", "", "", "", "20260000000002", -1, "02"},
	};
	struct fixture *f = *state;
	struct query_status q;
	struct buf got;
	size_t i;

	buf_init(&got);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(&q, 0, sizeof(q));
		snprintf(q.counterparty, sizeof(q.counterparty), "%s", rows[i].counterparty);
		snprintf(q.bill, sizeof(q.bill), "%s", rows[i].bill);
		if (rows[i].value[0])	/* the filter is canonical, as msg_query and the console make it */
			assert_int_equal(query_amount(rows[i].value, q.value, sizeof(q.value)), 0);
		snprintf(q.agreement, sizeof(q.agreement), "%s", rows[i].agreement);
		q.status = rows[i].status;
		buf_reset(&got);
		buf_adds(&got, "");
		assert_int_equal(query_status(f->s, NULL, ME, &q, collect, &got), 0);
		if (strcmp(got.data, rows[i].want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", rows[i].label, got.data, rows[i].want);
	}
	buf_free(&got);
}

static void test_status_operator_view_either_side(void **state)
{
	struct fixture *f = *state;
	struct query_status q;
	struct buf got;

	memset(&q, 0, sizeof(q));
	q.status = -1;
	snprintf(q.counterparty, sizeof(q.counterparty), ME);	/* the consignor itself: both sides count */
	buf_init(&got);
	buf_adds(&got, "");
	assert_int_equal(query_status(f->s, NULL, NULL, &q, collect, &got), 0);
	assert_string_equal(got.data, "01 02 03 04 05 06 07 08");
	buf_free(&got);
}

static void test_recent_five_newest_signed_first(void **state)
{
	struct fixture *f = *state;
	struct buf got;

	buf_init(&got);
	buf_adds(&got, "");
	/* R22: status 1, 2, 4, 5 with BR, by signed_at descending; 03 (status 0) and 04 (BR2) never */
	assert_int_equal(query_recent(f->s, NULL, ME, BR, collect, &got), 0);
	assert_string_equal(got.data, "08 07 06 05 02");
	buf_free(&got);
}

static void test_used_counts_only_status_5_in_range(void **state)
{
	struct fixture *f = *state;
	int64_t n = -1;

	assert_int_equal(query_used(f->s, NULL, ME, NOW - 86400, NOW + 1, &n, NULL, NULL), 0);
	assert_int_equal(n, 1);		/* 02; 07 was used 40 days ago */
	assert_int_equal(query_used(f->s, NULL, ME, NOW - 86400 * 50, NOW + 1, &n, NULL, NULL), 0);
	assert_int_equal(n, 2);
	assert_int_equal(query_used(f->s, NULL, NULL, NOW - 86400 * 50, NOW + 1, &n, NULL, NULL), 0);
	assert_int_equal(n, 2);		/* all enterprises: each agreement once */
	assert_int_equal(query_used(f->s, NULL, BR2, NOW - 86400 * 50, NOW + 1, &n, NULL, NULL), 0);
	assert_int_equal(n, 0);
}

static void test_brokers_approved_and_unexpired(void **state)
{
	static const struct {
		const char	*district, *name, *code, *want;
	} rows[] = {
		{"", "", "", BR},		/* R5: BR2 has expired */
		{"46", "", "", BR},
		{"47", "", "", ""},
		{"", "示例", "", BR},
		{"", "过期", "", ""},
		{"", "", BR2, ""},
	};
	struct fixture *f = *state;
	struct query_brokers q;
	struct buf got;
	size_t i;

	buf_init(&got);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(&q, 0, sizeof(q));
		snprintf(q.district, sizeof(q.district), "%s", rows[i].district);
		snprintf(q.name, sizeof(q.name), "%s", rows[i].name);
		snprintf(q.code, sizeof(q.code), "%s", rows[i].code);
		buf_reset(&got);
		buf_adds(&got, "");
		assert_int_equal(query_brokers(f->s, NULL, NOW, &q, collect_broker, &got), 0);
		assert_string_equal(got.data, rows[i].want);
	}
	buf_free(&got);
}

static void test_account_available_never_negative(void **state)
{
	struct fixture *f = *state;
	struct account a, over = {1, 1, 1};
	int64_t avail;

	assert_int_equal(query_account(f->s, NULL, ME, &a, &avail), 0);
	assert_int_equal(a.purchased, 10);
	assert_int_equal(avail, 3);
	assert_int_equal(store_account_put(f->s, NULL, BR, &over), 0);
	assert_int_equal(query_account(f->s, NULL, BR, &a, &avail), 0);
	assert_int_equal(avail, 0);
	assert_int_equal(query_account(f->s, NULL, BR2, &a, &avail), 0);	/* no top-up yet */
	assert_int_equal(a.purchased + avail, 0);
}

static int collect_topup(void *arg, const struct query_topup *t)
{
	struct buf *b = arg;

	buf_printf(b, "%s|%s|%lld", t->units, t->reference, (long long)t->recorded_at);
	return 0;
}

static void test_topups(void **state)
{
	struct fixture *f = *state;
	struct buf got;
	char want[64];

	buf_init(&got);
	buf_adds(&got, "");
	assert_int_equal(query_topups(f->s, NULL, ME, collect_topup, &got), 0);
	snprintf(want, sizeof(want), "10|INV-1|%d", NOW - 1000);
	assert_string_equal(got.data, want);
	buf_free(&got);
}

static void test_date_is_china_midnight(void **state)
{
	time_t t;

	(void)state;
	assert_int_equal(query_date("2026-12-03", &t), 0);
	assert_int_equal(t, 1796256000 - 8 * 3600);	/* 2026-12-03T00:00:00+08:00 */
	assert_int_equal(query_date("2026-12-03T10:00:00Z", &t), 0);
	assert_int_equal(query_date("yesterday", &t), -1);
}

/* A day that is not in the calendar, or not written yyyy-mm-dd, is refused
 * (it was read as another day: 2026-02-30 as March 2nd, a 5-digit year as
 * its first four digits). */
static void test_date_refuses_what_is_not_a_day(void **state)
{
	static const char *bad[] = {"2026-02-30", "2026-02-29", "2026-04-31", "2026-13-01", "2026-00-10",
	    "2026-12-00", "12026-01-01", "2026-1-01", "2026-01-1", "2026/01/01", "2026-01-01x", "",
	    "1969-12-31", "-2026-01-01", "2026-0a-01"};
	time_t t = 42;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(query_date(bad[i], &t), -1);
		assert_int_equal(t, 42);
	}
	assert_int_equal(query_date("2028-02-29", &t), 0);	/* leap year */
	assert_int_equal(query_date("2026-12-31+08:00", &t), 0);
	assert_int_equal(t, 1796256000 + 28 * 86400 - 8 * 3600);
}

/* R21: TotalValue compares as a decimal, exactly, at all 18 digits of Money. */
static void test_amount_canonical(void **state)
{
	static const struct {
		const char	*in, *want;
	} ok[] = {
		{"12.50", "12.5"}, {"0012.5", "12.5"}, {"12", "12"}, {"12.", "12"}, {"12.00", "12"},
		{".5", "0.5"}, {"0", "0"}, {"-0.00", "0"}, {"+7", "7"}, {" 3.10\n", "3.1"},
		{"0000000000000000000000000000000000000001.20", "1.2"},
		{"1234567890123456.01", "1234567890123456.01"},
	};
	static const char *bad[] = {"", ".", "-", "1e3", "12,5", "abc", "1.2.3", "1 2",
	    "12345678901234567890123456789012"};
	char out[32], a[32], b[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(query_amount(ok[i].in, out, sizeof(out)), 0);
		assert_string_equal(out, ok[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(query_amount(bad[i], out, sizeof(out)), -1);
	/* 18 digits that a double cannot tell apart */
	assert_int_equal(query_amount("1234567890123456.01", a, sizeof(a)), 0);
	assert_int_equal(query_amount("1234567890123456.02", b, sizeof(b)), 0);
	assert_string_not_equal(a, b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_refuses_what_is_not_a_day),
		cmocka_unit_test(test_amount_canonical),
		cmocka_unit_test_setup_teardown(test_status_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_operator_view_either_side, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recent_five_newest_signed_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_used_counts_only_status_5_in_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_brokers_approved_and_unexpired, setup, teardown),
		cmocka_unit_test_setup_teardown(test_account_available_never_negative, setup, teardown),
		cmocka_unit_test_setup_teardown(test_topups, setup, teardown),
		cmocka_unit_test(test_date_is_china_midnight),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
