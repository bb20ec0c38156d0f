/* test_msg_topup — 充值 TopUp: the operator records units an enterprise
 * bought (R20): the account's purchased count grows (R18), a record is kept
 * for 充值记录 (code|time|seq → units|reference|paid-at|message-id), and the
 * enterprise is told (R26).  An unknown enterprise is refused (R2). */
#include "msgfixture.h"

static void topup(struct fixture *f, time_t now, const char *enterprise, const char *units, const char *extra)
{
	char body[512];

	snprintf(body, sizeof(body), "<Enterprise>%s</Enterprise><Units>%s</Units><Reference>INV-2026-000123"
	    "</Reference>%s", enterprise, units, extra);
	apply(f, msg_topup_apply, "TopUp", OPERATOR, ROLE_OPERATOR, now, body);
}

struct records {
	struct buf	keys, vals;
	int		n;
};

static int record(void *arg, const void *k, size_t kl, const void *v, size_t vl)
{
	struct records *r = arg;

	assert_int_equal(kl, 26);
	buf_add(&r->keys, k, kl);
	buf_add(&r->vals, v, vl);
	buf_adds(&r->vals, "\n");
	r->n++;
	return 0;
}

static void test_r20_topup_adds_units_and_keeps_record(void **state)
{
	struct fixture *f = *state;
	struct records r;
	struct account acc;
	const struct notice *n;

	seed_account(f, CONSIGNOR, 5, 2, 1);
	topup(f, NOW, CONSIGNOR, "100", "<PaidAt>2026-12-01T07:30:00+08:00</PaidAt>");
	expect_accepted(f);
	acc = account_of(f, CONSIGNOR);
	assert_int_equal(acc.purchased, 105);
	assert_int_equal(acc.used, 2);
	assert_int_equal(acc.in_use, 1);
	n = notice(f, CONSIGNOR, "top-up");
	assert_non_null(n);
	assert_string_equal(n->from, OPERATOR);
	memset(&r, 0, sizeof(r));
	buf_init(&r.keys);
	buf_init(&r.vals);
	assert_int_equal(store_scan(f->s, NULL, SDB_TOPUPS, CONSIGNOR, 10, record, &r), 0);
	assert_int_equal(r.n, 1);
	assert_memory_equal(r.keys.data, CONSIGNOR, 10);
	assert_int_equal(store_get_be64((const unsigned char *)r.keys.data + 10), (uint64_t)NOW);
	assert_string_equal(r.vals.data, "100|INV-2026-000123|2026-12-01T07:30:00+08:00|MSG-1\n");
	buf_free(&r.keys);
	buf_free(&r.vals);
}

/* Top-ups accumulate, for brokers too; each is a record of its own, in time order. */
static void test_r20_topups_accumulate_in_time_order(void **state)
{
	struct fixture *f = *state;
	struct records r;

	topup(f, NOW, BROKER, "3", "");
	topup(f, NOW + 60, BROKER, "1000000", "");
	topup(f, NOW + 60, BROKER, "7", "");	/* same second: the sequence keeps both */
	expect_accepted(f);
	assert_int_equal(account_of(f, BROKER).purchased, 1000010);
	assert_int_equal(account_of(f, CONSIGNOR).purchased, 0);
	memset(&r, 0, sizeof(r));
	buf_init(&r.keys);
	buf_init(&r.vals);
	assert_int_equal(store_scan(f->s, NULL, SDB_TOPUPS, BROKER, 10, record, &r), 0);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.vals.data, "3|INV-2026-000123||MSG-1\n1000000|INV-2026-000123||MSG-2\n"
	    "7|INV-2026-000123||MSG-3\n");
	buf_free(&r.keys);
	buf_free(&r.vals);
}

/* R2/R20: only a registered consignor or broker has an account. */
static void test_r20_unknown_enterprise_refused(void **state)
{
	struct fixture *f = *state;
	struct records r;

	topup(f, NOW, "9999W99999", "10", "");
	expect_refused(f, R_PARTY_UNKNOWN, "/TopUp/Enterprise");
	topup(f, NOW, CUSTOMS, "10", "");	/* registered, but not an enterprise */
	expect_refused(f, R_PARTY_UNKNOWN, "/TopUp/Enterprise");
	assert_int_equal(account_of(f, CUSTOMS).purchased, 0);
	memset(&r, 0, sizeof(r));
	buf_init(&r.keys);
	buf_init(&r.vals);
	assert_int_equal(store_scan(f->s, NULL, SDB_TOPUPS, NULL, 0, record, &r), 0);
	assert_int_equal(r.n, 0);
	buf_free(&r.keys);
	buf_free(&r.vals);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_r20_topup_adds_units_and_keeps_record),
		T(test_r20_topups_accumulate_in_time_order),
		T(test_r20_unknown_enterprise_refused),
	};

	return cmocka_run_group_tests_name("msg_topup", tests, group_setup, group_teardown);
}
