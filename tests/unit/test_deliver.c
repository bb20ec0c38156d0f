/* test_deliver — the retry backoff of the route threads (issue #4: "retry with
 * exponential backoff and jitter"): the wait doubles per failed attempt from
 * delivery_backoff_s, stops growing at the cap (6 h, or the base when that is
 * longer), never overflows however many attempts, and each wait is drawn
 * between half and all of its ceiling ("equal jitter"), really at random.
 * The transfers themselves are tested against real servers in
 * tests/e2e/transport.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "deliver.h"
#include "testutil.h"

#define CAP DELIVER_BACKOFF_CAP_MS
#define S 1000LL

/* Table: base, cap and failures → the ceiling of the wait. */
static const struct {
	const char	*label;
	long long	 base, cap;
	int		 failures;
	long long	 want;
} max_rows[] = {
	{"first failure waits the base", 5 * S, CAP, 1, 5 * S},
	{"second doubles", 5 * S, CAP, 2, 10 * S},
	{"third doubles again", 5 * S, CAP, 3, 20 * S},
	{"seventh (the default's last retry)", 5 * S, CAP, 7, 320 * S},
	{"0 failures reads as the first", 5 * S, CAP, 0, 5 * S},
	{"negative failures read as the first", 5 * S, CAP, -3, 5 * S},
	{"last doubling below the cap", 5 * S, CAP, 13, 5 * S * 4096},
	{"next one is capped at 6 h", 5 * S, CAP, 14, CAP},
	{"cap reached exactly", 1 * S, 8 * S, 4, 8 * S},
	{"stays at the cap", 1 * S, 8 * S, 5, 8 * S},
	{"base above the cap: the base, never less", 86400 * S, CAP, 1, 86400 * S},
	{"base above the cap stays the base", 86400 * S, CAP, 30, 86400 * S},
	{"1 ms base, 64 failures", 1, CAP, 64, CAP},
	{"INT_MAX failures", 1, CAP, INT_MAX, CAP},
	{"largest config base, INT_MAX failures, no cap: saturates", 86400 * S, LLONG_MAX, INT_MAX, LLONG_MAX},
	{"LLONG_MAX base doubled", LLONG_MAX, LLONG_MAX, 2, LLONG_MAX},
	{"just above half of LLONG_MAX", LLONG_MAX / 2 + 1, LLONG_MAX, 3, LLONG_MAX},
	{"zero base", 0, CAP, 5, 0},
	{"negative base", -5, CAP, 5, 0},
};

static void test_table_backoff_ceiling(void **state)
{
	size_t i;

	(void)state;
	assert_int_equal(CAP, 6LL * 3600 * 1000);	/* docs/operations.md 9.2, entrustd.conf(5) */
	for (i = 0; i < sizeof(max_rows) / sizeof(max_rows[0]); i++) {
		long long got = deliver_backoff_max(max_rows[i].base, max_rows[i].cap, max_rows[i].failures);

		if (got != max_rows[i].want)
			fail_msg("%s: %lld, want %lld", max_rows[i].label, got, max_rows[i].want);
	}
}

/* Every failure doubles the ceiling exactly until the cap, then it stays there. */
static void test_doubling_per_attempt_until_cap(void **state)
{
	long long want = 1 * S, got;
	int k;

	(void)state;
	for (k = 1; k <= 100; k++) {
		got = deliver_backoff_max(1 * S, CAP, k);
		if (got != want)
			fail_msg("failure %d: %lld, want %lld", k, got, want);
		want = want * 2 > CAP ? CAP : want * 2;
	}
	assert_int_equal(deliver_backoff_max(1 * S, CAP, 100), CAP);
}

/* Jitter: within [max/2, max], both ends reachable, for every row and any draw. */
static void test_table_jitter_bounds(void **state)
{
	static const uint64_t draws[] = {0, 1, 2, 7, 1000, 123456789, UINT32_MAX, (uint64_t)INT64_MAX,
	    UINT64_MAX - 1, UINT64_MAX};
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(max_rows) / sizeof(max_rows[0]); i++) {
		long long base = max_rows[i].base, cap = max_rows[i].cap, max = max_rows[i].want, got;
		int k = max_rows[i].failures;

		for (j = 0; j < sizeof(draws) / sizeof(draws[0]); j++) {
			got = deliver_backoff(base, cap, k, draws[j]);
			if (got < max / 2 || got > max)
				fail_msg("%s, draw %llu: %lld outside [%lld, %lld]", max_rows[i].label,
				    (unsigned long long)draws[j], got, max / 2, max);
		}
		assert_int_equal(deliver_backoff(base, cap, k, 0), max / 2);
		assert_int_equal(deliver_backoff(base, cap, k, (uint64_t)(max - max / 2)), max);
		assert_int_equal(deliver_backoff(base, cap, k, (uint64_t)(max - max / 2) + 1), max / 2);
	}
}

/* The threads' draws (getrandom) vary and spread over the whole range. */
static void test_jitter_varies(void **state)
{
	enum { N = 1000 };
	static unsigned char seen[2001];
	long long got, lo = LLONG_MAX, hi = 0;
	int i, distinct = 0;

	(void)state;
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < N; i++) {
		got = deliver_backoff_random(1 * S, CAP, 3);	/* ceiling 4 s */
		if (got < 2 * S || got > 4 * S)
			fail_msg("draw %d: %lld outside [2000, 4000]", i, got);
		distinct += !seen[got - 2 * S];
		seen[got - 2 * S] = 1;
		lo = got < lo ? got : lo;
		hi = got > hi ? got : hi;
	}
	/* 1000 uniform draws of 2001 values: ~787 distinct expected; < 500 or a range
	 * missing its lowest or highest eighth is astronomically unlikely */
	if (distinct < 500 || lo > 2250 || hi < 3750)
		fail_msg("jitter does not vary enough: %d distinct, min %lld, max %lld", distinct, lo, hi);
	/* large attempt counts draw within the cap, without overflow */
	for (i = 0; i < 100; i++) {
		got = deliver_backoff_random(86400 * S, LLONG_MAX, INT_MAX);
		assert_true(got >= LLONG_MAX / 2);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_backoff_ceiling),
		cmocka_unit_test(test_doubling_per_attempt_until_cap),
		cmocka_unit_test(test_table_jitter_bounds),
		cmocka_unit_test(test_jitter_varies),
	};

	return cmocka_run_group_tests_name("deliver", tests, NULL, NULL);
}
