/* test_msg_revoke — 撤销 RevocationRequest (consignor asks: 2→7) and
 * RevocationAnswer (broker agrees 7→8, exported to customs; or refuses
 * 7→2), R16, through a real store and the schema.  Also R2 (only one's own
 * agreements), R5 (approved broker), R13, R26 (notices), R27 (export at 8). */
#include "msgfixture.h"

/* A confirmed letter with agreement 1 in status st (consignor pays, one unit reserved). */
static void letter_with(struct fixture *f, int st)
{
	seed_letter(f, LETTER, CONSIGNOR, BROKER, CONSIGNOR, LS_CONFIRMED, 0);
	seed_agreement(f, LETTER, 1, CONSIGNOR, "consignor", st);
	seed_account(f, CONSIGNOR, 5, 0, 1);
}

static void ask(struct fixture *f, const char *code, enum role role, const char *agreements)
{
	apply(f, msg_revoke_apply, "RevocationRequest", code, role, NOW, agreements);
}

static void answer(struct fixture *f, const char *code, enum role role, const char *number, const char *agree)
{
	char body[256];

	snprintf(body, sizeof(body), "<Decision><Agreement>%s</Agreement><Agree>%s</Agree></Decision>", number, agree);
	apply(f, msg_revoke_answer_apply, "RevocationAnswer", code, role, NOW + 60, body);
}

static void test_r16_consignor_asks_revocation_2_to_7(void **state)
{
	struct fixture *f = *state;
	const struct notice *n;

	letter_with(f, ST_DECLARABLE);
	ask(f, CONSIGNOR, ROLE_CONSIGNOR, "<Agreement>20260000000001</Agreement><Remark>合同取消</Remark>");
	expect_accepted(f);
	assert_int_equal(f->r.items[0].status, ST_REVOKE_ASKED);
	assert_int_equal(status_of(f, 1), ST_REVOKE_ASKED);
	n = notice(f, BROKER, "revocation-asked");	/* R26 */
	assert_non_null(n);
	assert_string_equal(n->items[0].number, "20260000000001");
	assert_int_equal(account_of(f, CONSIGNOR).in_use, 1);	/* still reserved (R18) */
	assert_int_equal(exports(f, NULL), 0);
}

static void test_r16_broker_agrees_7_to_8_exported(void **state)
{
	struct fixture *f = *state;

	letter_with(f, ST_REVOKE_ASKED);
	answer(f, BROKER, ROLE_BROKER, "20260000000001", "true");
	expect_accepted(f);
	assert_int_equal(status_of(f, 1), ST_REVOKE_CONFIRMED);
	assert_non_null(notice(f, CONSIGNOR, "revocation-confirmed"));
	assert_int_equal(exports(f, "AGREEMENT_REVOKE"), 1);	/* R27 */
	assert_int_equal(account_of(f, CONSIGNOR).in_use, 1);	/* until customs answers */
}

static void test_r16_broker_refuses_7_to_2(void **state)
{
	struct fixture *f = *state;

	letter_with(f, ST_REVOKE_ASKED);
	answer(f, BROKER, ROLE_BROKER, "20260000000001", "false");
	expect_accepted(f);
	assert_int_equal(status_of(f, 1), ST_DECLARABLE);
	assert_non_null(notice(f, CONSIGNOR, "revocation-refused"));
	assert_int_equal(exports(f, NULL), 0);
}

/* R16: only the consignor asks, only the broker answers. */
static void test_r16_roles_refused(void **state)
{
	struct fixture *f = *state;

	letter_with(f, ST_DECLARABLE);
	ask(f, BROKER, ROLE_BROKER, "<Agreement>20260000000001</Agreement>");
	expect_refused(f, R_REVOKE_FORBIDDEN, "/RevocationRequest");
	answer(f, CONSIGNOR, ROLE_CONSIGNOR, "20260000000001", "true");
	expect_refused(f, R_REVOKE_FORBIDDEN, "/RevocationAnswer");
	assert_int_equal(status_of(f, 1), ST_DECLARABLE);
}

/* R16/R13: revocation only from 2 (or 11); each agreement is its own item. */
static void test_r16_revocation_only_from_declarable(void **state)
{
	struct fixture *f = *state;

	letter_with(f, ST_IN_USE);
	seed_agreement(f, LETTER, 2, CONSIGNOR, "consignor", ST_DECLARABLE);
	seed_agreement(f, LETTER, 3, CONSIGNOR, "consignor", ST_CONFIRMED);
	ask(f, CONSIGNOR, ROLE_CONSIGNOR, "<Agreement>20260000000001</Agreement><Agreement>20260000000002</Agreement>"
	    "<Agreement>20260000000003</Agreement>");
	assert_string_equal(reply_outcome(&f->r), "partial");
	expect_item_error(f, 0, R_STATUS_TRANSITION, "/RevocationRequest/Agreement[1]");
	expect_item_error(f, 2, R_STATUS_TRANSITION, "/RevocationRequest/Agreement[3]");
	assert_false(f->r.items[1].refused);
	assert_int_equal(status_of(f, 1), ST_IN_USE);
	assert_int_equal(status_of(f, 2), ST_REVOKE_ASKED);
	assert_int_equal(status_of(f, 3), ST_CONFIRMED);
}

/* R16: the broker answers only a revocation that was asked (not 2 → 8 directly). */
static void test_r16_answer_without_request_refused(void **state)
{
	struct fixture *f = *state;

	letter_with(f, ST_DECLARABLE);
	answer(f, BROKER, ROLE_BROKER, "20260000000001", "false");
	expect_item_error(f, 0, R_STATUS_TRANSITION, "/RevocationAnswer/Decision[1]");
	assert_non_null(strstr(f->r.errors[0].detail, "status 2, not 7"));
	assert_int_equal(status_of(f, 1), ST_DECLARABLE);
}

/* R2: another consignor's agreement, or one that does not exist, is unknown. */
static void test_r2_foreign_agreement_unknown(void **state)
{
	struct fixture *f = *state;

	letter_with(f, ST_DECLARABLE);
	ask(f, CONSIGNOR2, ROLE_CONSIGNOR, "<Agreement>20260000000001</Agreement><Agreement>20269999999999</Agreement>");
	expect_item_error(f, 0, R_AGREEMENT_UNKNOWN, "/RevocationRequest/Agreement[1]");
	expect_item_error(f, 1, R_AGREEMENT_UNKNOWN, "/RevocationRequest/Agreement[2]");
	assert_int_equal(status_of(f, 1), ST_DECLARABLE);
	assert_int_equal(f->ctx.nnotices, 0);
}

/* R5: a broker whose registration ran out cannot answer. */
static void test_r5_unapproved_broker_cannot_answer(void **state)
{
	struct fixture *f = *state;

	letter_with(f, ST_REVOKE_ASKED);
	approve(f, BROKER, 'A', NOW);
	answer(f, BROKER, ROLE_BROKER, "20260000000001", "true");
	expect_refused(f, R_BROKER_NOT_APPROVED, "/RevocationAnswer/Header/Sender");
	assert_int_equal(status_of(f, 1), ST_REVOKE_ASKED);
	assert_int_equal(exports(f, NULL), 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_r16_consignor_asks_revocation_2_to_7),
		T(test_r16_broker_agrees_7_to_8_exported),
		T(test_r16_broker_refuses_7_to_2),
		T(test_r16_roles_refused),
		T(test_r16_revocation_only_from_declarable),
		T(test_r16_answer_without_request_refused),
		T(test_r2_foreign_agreement_unknown),
		T(test_r5_unapproved_broker_cannot_answer),
	};

	return cmocka_run_group_tests_name("msg_revoke", tests, group_setup, group_teardown);
}
