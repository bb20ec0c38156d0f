/* test_rules — the R13 status machine as DOMAIN.md lists it, every pair of
 * statuses (and a few that are not statuses) checked against a table
 * written here from the rule text, not from src/rules.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "entrust.h"
#include "rules.h"
#include "testutil.h"

/* R13: 0→1|3|6, 1→2|10|6, 2→4|7|6, 4→5|2|6, 7→8|2|6, 8→9|11, 11→4|7|6. */
static const struct {
	int	from;
	int	to[4];		/* -1 ends the list */
} r13[] = {
	{0, {1, 3, 6, -1}},
	{1, {2, 10, 6, -1}},
	{2, {4, 7, 6, -1}},
	{4, {5, 2, 6, -1}},
	{7, {8, 2, 6, -1}},
	{8, {9, 11, -1, -1}},
	{11, {4, 7, 6, -1}},
};

static int r13_allows(int from, int to)
{
	size_t i;
	int k;

	for (i = 0; i < sizeof(r13) / sizeof(r13[0]); i++)
		if (r13[i].from == from)
			for (k = 0; k < 4 && r13[i].to[k] >= 0; k++)
				if (r13[i].to[k] == to)
					return 1;
	return 0;
}

/* Every (from, to) in 0..11 x 0..11: exactly the 20 transitions of R13. */
static void test_r13_table_every_pair(void **state)
{
	int from, to, allowed = 0;

	(void)state;
	for (from = 0; from < ST_COUNT; from++)
		for (to = 0; to < ST_COUNT; to++) {
			int want = r13_allows(from, to), got = rules_transition_ok(from, to) != 0;

			if (want != got)
				fail_msg("R13 %d->%d: rules says %d, DOMAIN.md says %d", from, to, got, want);
			allowed += got;
		}
	assert_int_equal(allowed, 20);
	assert_int_equal(ST_COUNT, 12);
}

static void test_r13_transition_0_to_1_refused_from_5(void **state)
{
	(void)state;
	assert_true(rules_transition_ok(ST_INITIATED, ST_CONFIRMED));
	assert_false(rules_transition_ok(ST_USED, ST_CONFIRMED));
	assert_false(rules_transition_ok(ST_USED, ST_INITIATED));
}

/* 3, 5, 6, 9 and 10 are final: nothing leaves them. */
static void test_r13_final_statuses_have_no_exit(void **state)
{
	static const int finals[] = {ST_REJECTED, ST_USED, ST_EXPIRED, ST_REVOKED, ST_ADD_FAILED};
	size_t i;
	int to;

	(void)state;
	for (i = 0; i < sizeof(finals) / sizeof(finals[0]); i++)
		for (to = -1; to <= ST_COUNT; to++)
			if (rules_transition_ok(finals[i], to))
				fail_msg("R13: %d is final but %d->%d is allowed", finals[i], finals[i], to);
}

/* No status moves to itself, and nothing re-enters 0 (initiated). */
static void test_r13_no_self_moves_and_nothing_back_to_0(void **state)
{
	int s;

	(void)state;
	for (s = 0; s < ST_COUNT; s++) {
		assert_false(rules_transition_ok(s, s));
		assert_false(rules_transition_ok(s, ST_INITIATED));
	}
}

/* R11/R13: 8 (revocation sent to customs) cannot expire directly; 11 can. */
static void test_r13_8_waits_for_customs_11_may_expire(void **state)
{
	(void)state;
	assert_false(rules_transition_ok(ST_REVOKE_CONFIRMED, ST_EXPIRED));
	assert_false(rules_transition_ok(ST_REVOKE_CONFIRMED, ST_DECLARABLE));
	assert_true(rules_transition_ok(ST_REVOKE_FAILED, ST_EXPIRED));
	/* R16: revocation only from 2 (and again from 11, usable as in 2). */
	assert_true(rules_transition_ok(ST_DECLARABLE, ST_REVOKE_ASKED));
	assert_false(rules_transition_ok(ST_CONFIRMED, ST_REVOKE_ASKED));
	assert_false(rules_transition_ok(ST_IN_USE, ST_REVOKE_ASKED));
}

/* Values outside 0..11 are refused, never index past the table. */
static void test_r13_out_of_range_refused(void **state)
{
	static const int bad[] = {-1, -100, ST_COUNT, ST_COUNT + 1, 31, 32, 1000, INT_MIN, INT_MAX};
	size_t i;
	int s;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (s = 0; s < ST_COUNT; s++) {
			assert_false(rules_transition_ok(bad[i], s));
			assert_false(rules_transition_ok(s, bad[i]));
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_r13_table_every_pair),
		cmocka_unit_test(test_r13_transition_0_to_1_refused_from_5),
		cmocka_unit_test(test_r13_final_statuses_have_no_exit),
		cmocka_unit_test(test_r13_no_self_moves_and_nothing_back_to_0),
		cmocka_unit_test(test_r13_8_waits_for_customs_11_may_expire),
		cmocka_unit_test(test_r13_out_of_range_refused),
	};

	return cmocka_run_group_tests_name("rules", tests, NULL, NULL);
}
