/* test_msg_confirm — 确认委托申请 EntrustConfirm and 委托协议自动确认
 * AutoConfirmSetting, applied through a real store, real registry, the
 * shipped code tables and exporter, with documents validated by the schema.
 * Rules: R9 (the side that did not initiate confirms; a broker fills the
 * right half), R10 (a new letter with none accepted is rejected whole),
 * R5 (approved broker), R19 (a unit reserved), R13, R14 (auto-confirm is
 * the consignor's), R26 (notices), R27 (export at 1), R11 (valid_until). */
#include "msgfixture.h"

#define HALF "<BrokerHalf><DocumentsReceived>contract invoice</DocumentsReceived><ReceivedOn>2026-12-03" \
	"</ReceivedOn><Fee>300.00</Fee><Commitments>按时如实申报</Commitments></BrokerHalf>"

/* A new letter initiated by the consignor with n agreements in 0 (consignor pays). */
static void new_letter(struct fixture *f, int n, int64_t units)
{
	int i;

	seed_letter(f, LETTER, CONSIGNOR, BROKER, CONSIGNOR, LS_INITIATED, 0);
	for (i = 1; i <= n; i++)
		seed_agreement(f, LETTER, i, CONSIGNOR, "consignor", ST_INITIATED);
	seed_account(f, CONSIGNOR, units, 0, 0);
}

static void confirm(struct fixture *f, const char *code, enum role role, time_t now, const char *decisions)
{
	char body[4096];

	snprintf(body, sizeof(body), "<Letter>%s</Letter>%s", LETTER, decisions);
	apply(f, msg_confirm_apply, "EntrustConfirm", code, role, now, body);
}

static void test_r9_broker_accepts_with_right_half(void **state)
{
	struct fixture *f = *state;
	const struct notice *n;
	struct agreement a;
	struct letter l;

	new_letter(f, 1, 1);
	confirm(f, BROKER, ROLE_BROKER, NOW, "<Decision><Agreement>20260000000001</Agreement><Accept>true</Accept>"
	    HALF "</Decision>");
	expect_accepted(f);
	assert_int_equal(f->r.items[0].status, ST_CONFIRMED);
	assert_string_equal(f->r.letter_status, "confirmed");
	a = agreement_of(f, 1);
	assert_int_equal(a.status, ST_CONFIRMED);
	assert_int_equal(a.has_broker_half, 1);
	assert_string_equal(a.fee, "300.00");
	assert_string_equal(a.commitments, "按时如实申报");
	assert_int_equal(a.signed_at, NOW);
	assert_int_equal(store_letter_get(f->s, NULL, LETTER, &l), 0);
	assert_int_equal(l.status, LS_CONFIRMED);
	assert_int_equal(account_of(f, CONSIGNOR).in_use, 1);	/* R19 */
	n = notice(f, CONSIGNOR, "confirmed");	/* R26 */
	assert_non_null(n);
	assert_int_equal(n->nitems, 1);
	assert_int_equal(f->ctx.nnotices, 1);
	assert_int_equal(exports(f, "AGREEMENT_ADD"), 1);	/* R27 */
}

/* R9: a consignor confirms a broker's agreement (both halves given already). */
static void test_r9_consignor_accepts_broker_request(void **state)
{
	struct fixture *f = *state;

	seed_letter(f, LETTER, CONSIGNOR, BROKER, BROKER, LS_INITIATED, 0);
	seed_agreement(f, LETTER, 1, BROKER, "broker", ST_INITIATED);
	seed_account(f, BROKER, 2, 0, 0);
	confirm(f, CONSIGNOR, ROLE_CONSIGNOR, NOW, "<Decision><Agreement>20260000000001</Agreement>"
	    "<Accept>true</Accept></Decision>");
	expect_accepted(f);
	assert_int_equal(status_of(f, 1), ST_CONFIRMED);
	assert_int_equal(account_of(f, BROKER).in_use, 1);	/* the payer's account */
	assert_non_null(notice(f, BROKER, "confirmed"));
}

/* R9: the initiator cannot confirm its own agreement. */
static void test_r9_initiator_cannot_confirm_own(void **state)
{
	struct fixture *f = *state;

	new_letter(f, 1, 1);
	confirm(f, CONSIGNOR, ROLE_CONSIGNOR, NOW, "<Decision><Agreement>20260000000001</Agreement>"
	    "<Accept>true</Accept></Decision>");
	expect_item_error(f, 0, R_CONFIRM_FORBIDDEN, "/EntrustConfirm/Decision[1]");
	assert_int_equal(status_of(f, 1), ST_INITIATED);
	assert_int_equal(exports(f, NULL), 0);
}

/* R9: a broker accepting a consignor's agreement must fill the right half. */
static void test_r9_broker_accept_without_right_half_refused(void **state)
{
	struct fixture *f = *state;

	new_letter(f, 1, 1);
	confirm(f, BROKER, ROLE_BROKER, NOW, "<Decision><Agreement>20260000000001</Agreement>"
	    "<Accept>true</Accept></Decision>");
	expect_item_error(f, 0, R_BROKER_HALF_REQUIRED, "/EntrustConfirm/Decision[1]");
	assert_int_equal(status_of(f, 1), ST_INITIATED);
	assert_int_equal(account_of(f, CONSIGNOR).in_use, 0);
}

/* R10: none accepted on a new letter → the whole letter is rejected (3 for all). */
static void test_r10_all_rejected_rejects_the_letter(void **state)
{
	struct fixture *f = *state;
	struct letter l;

	new_letter(f, 2, 0);
	confirm(f, BROKER, ROLE_BROKER, NOW, "<Decision><Agreement>20260000000001</Agreement>"
	    "<Accept>false</Accept></Decision>");
	expect_accepted(f);
	assert_int_equal(status_of(f, 1), ST_REJECTED);
	assert_int_equal(status_of(f, 2), ST_REJECTED);	/* not decided, rejected with its letter */
	assert_int_equal(store_letter_get(f->s, NULL, LETTER, &l), 0);
	assert_int_equal(l.status, LS_REJECTED);
	assert_string_equal(f->r.letter_status, "rejected");
	assert_int_equal(store_get(f->s, NULL, SDB_LIVE, CONSIGNOR "|" BROKER, 21, NULL), 1);	/* R8 */
	assert_int_equal(notice(f, CONSIGNOR, "rejected")->nitems, 2);
}

/* R10: one accepted is enough: the letter is confirmed, the other rejected alone. */
static void test_r10_one_accepted_confirms_the_letter(void **state)
{
	struct fixture *f = *state;
	struct letter l;

	new_letter(f, 2, 5);
	confirm(f, BROKER, ROLE_BROKER, NOW, "<Decision><Agreement>20260000000001</Agreement><Accept>false</Accept>"
	    "</Decision><Decision><Agreement>20260000000002</Agreement><Accept>true</Accept>" HALF "</Decision>");
	expect_accepted(f);
	assert_int_equal(status_of(f, 1), ST_REJECTED);
	assert_int_equal(status_of(f, 2), ST_CONFIRMED);
	assert_int_equal(store_letter_get(f->s, NULL, LETTER, &l), 0);
	assert_int_equal(l.status, LS_CONFIRMED);
	assert_int_equal(account_of(f, CONSIGNOR).in_use, 1);
}

/* R19: accepting without an available unit refuses that agreement. */
static void test_r19_accept_without_balance_refused(void **state)
{
	struct fixture *f = *state;

	new_letter(f, 1, 0);
	confirm(f, BROKER, ROLE_BROKER, NOW, "<Decision><Agreement>20260000000001</Agreement><Accept>true</Accept>"
	    HALF "</Decision>");
	expect_item_error(f, 0, R_INSUFFICIENT_BALANCE, "/EntrustConfirm/Decision[1]");
	assert_int_equal(status_of(f, 1), ST_INITIATED);
	assert_int_equal(exports(f, NULL), 0);
}

/* R13: a second confirmation of the same agreement is refused with both statuses. */
static void test_r13_confirm_twice_refused(void **state)
{
	struct fixture *f = *state;

	new_letter(f, 1, 5);
	confirm(f, BROKER, ROLE_BROKER, NOW, "<Decision><Agreement>20260000000001</Agreement><Accept>true</Accept>"
	    HALF "</Decision>");
	expect_accepted(f);
	confirm(f, BROKER, ROLE_BROKER, NOW + 60, "<Decision><Agreement>20260000000001</Agreement>"
	    "<Accept>false</Accept></Decision>");
	expect_item_error(f, 0, R_STATUS_TRANSITION, NULL);
	assert_non_null(strstr(f->r.errors[0].detail, "status 1"));
	assert_int_equal(status_of(f, 1), ST_CONFIRMED);
	assert_int_equal(account_of(f, CONSIGNOR).in_use, 1);
}

/* R5: a broker without an approved, unexpired registration cannot confirm. */
static void test_r5_unapproved_broker_cannot_confirm(void **state)
{
	struct fixture *f = *state;

	new_letter(f, 1, 1);
	approve(f, BROKER, 'A', NOW);	/* ran out this very second */
	confirm(f, BROKER, ROLE_BROKER, NOW, "<Decision><Agreement>20260000000001</Agreement><Accept>true</Accept>"
	    HALF "</Decision>");
	expect_refused(f, R_BROKER_NOT_APPROVED, "/EntrustConfirm/Header/Sender");
	assert_int_equal(status_of(f, 1), ST_INITIATED);
}

/* R2: a party that is not on the letter does not see it; an agreement of
 * another letter is unknown on this one. */
static void test_r2_foreign_letter_or_agreement_unknown(void **state)
{
	struct fixture *f = *state;

	new_letter(f, 1, 1);
	confirm(f, CONSIGNOR2, ROLE_CONSIGNOR, NOW, "<Decision><Agreement>20260000000001</Agreement>"
	    "<Accept>true</Accept></Decision>");
	expect_refused(f, R_LETTER_UNKNOWN, "/EntrustConfirm/Letter");
	seed_letter(f, "2600000002", CONSIGNOR2, BROKER, CONSIGNOR2, LS_INITIATED, 0);
	seed_agreement(f, "2600000002", 9, CONSIGNOR2, "consignor", ST_INITIATED);
	confirm(f, BROKER, ROLE_BROKER, NOW, "<Decision><Agreement>20260000000009</Agreement><Accept>true</Accept>"
	    HALF "</Decision>");
	expect_item_error(f, 0, R_AGREEMENT_UNKNOWN, "/EntrustConfirm/Decision[1]");
	assert_int_equal(status_of(f, 9), ST_INITIATED);
}

/* R11: once valid_until has passed the letter is expired, even if the
 * expiry sweep (every rescan_s) has not run yet: accepting must not reserve
 * a unit and send AGREEMENT_ADD to customs for an expired letter.
 * The whole message is refused with LETTER_UNKNOWN, as AutoConfirmSetting
 * does for a letter past its validity. */
static void test_r11_confirm_after_valid_until_refused(void **state)
{
	struct fixture *f = *state;
	struct letter l;

	new_letter(f, 1, 1);
	assert_int_equal(store_letter_get(f->s, NULL, LETTER, &l), 0);
	confirm(f, BROKER, ROLE_BROKER, (time_t)l.valid_until + 1, "<Decision><Agreement>20260000000001</Agreement>"
	    "<Accept>true</Accept>" HALF "</Decision>");
	expect_refused(f, R_LETTER_UNKNOWN, "/EntrustConfirm/Letter");
	assert_int_equal(exports(f, NULL), 0);
	assert_int_equal(status_of(f, 1), ST_INITIATED);
	assert_int_equal(account_of(f, CONSIGNOR).in_use, 0);
}

/* ---- AutoConfirmSetting (R14) ---- */

static void autoconfirm(struct fixture *f, const char *code, enum role role, time_t now, const char *on)
{
	char body[256];

	snprintf(body, sizeof(body), "<Letter>%s</Letter><Enabled>%s</Enabled>", LETTER, on);
	apply(f, msg_autoconfirm_apply, "AutoConfirmSetting", code, role, now, body);
}

static void test_r14_consignor_turns_auto_confirm_on_and_off(void **state)
{
	struct fixture *f = *state;
	const struct notice *n;
	struct letter l;

	seed_letter(f, LETTER, CONSIGNOR, BROKER, CONSIGNOR, LS_CONFIRMED, 0);
	autoconfirm(f, CONSIGNOR, ROLE_CONSIGNOR, NOW, "true");
	expect_accepted(f);
	assert_int_equal(store_letter_get(f->s, NULL, LETTER, &l), 0);
	assert_int_equal(l.auto_confirm, 1);
	n = notice(f, BROKER, "auto-confirm-on");	/* R26: no broker consent, but told */
	assert_non_null(n);
	assert_string_equal(n->letter, LETTER);
	autoconfirm(f, CONSIGNOR, ROLE_CONSIGNOR, NOW + 1, "false");
	expect_accepted(f);
	assert_int_equal(store_letter_get(f->s, NULL, LETTER, &l), 0);
	assert_int_equal(l.auto_confirm, 0);
	assert_non_null(notice(f, BROKER, "auto-confirm-off"));
}

/* R14: only the consignor; R2/R11: only a live letter of the sender's. */
static void test_r14_broker_cannot_set_auto_confirm(void **state)
{
	struct fixture *f = *state;
	struct letter l;

	seed_letter(f, LETTER, CONSIGNOR, BROKER, CONSIGNOR, LS_CONFIRMED, 0);
	autoconfirm(f, BROKER, ROLE_BROKER, NOW, "true");
	expect_refused(f, R_AUTO_CONFIRM_CONSIGNOR_ONLY, "/AutoConfirmSetting");
	autoconfirm(f, CONSIGNOR2, ROLE_CONSIGNOR, NOW, "true");
	expect_refused(f, R_LETTER_UNKNOWN, "/AutoConfirmSetting/Letter");
	assert_int_equal(store_letter_get(f->s, NULL, LETTER, &l), 0);
	autoconfirm(f, CONSIGNOR, ROLE_CONSIGNOR, (time_t)l.valid_until, "true");	/* expired */
	expect_refused(f, R_LETTER_UNKNOWN, NULL);
	assert_int_equal(store_letter_get(f->s, NULL, LETTER, &l), 0);
	assert_int_equal(l.auto_confirm, 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_r9_broker_accepts_with_right_half),
		T(test_r9_consignor_accepts_broker_request),
		T(test_r9_initiator_cannot_confirm_own),
		T(test_r9_broker_accept_without_right_half_refused),
		T(test_r10_all_rejected_rejects_the_letter),
		T(test_r10_one_accepted_confirms_the_letter),
		T(test_r19_accept_without_balance_refused),
		T(test_r13_confirm_twice_refused),
		T(test_r5_unapproved_broker_cannot_confirm),
		T(test_r2_foreign_letter_or_agreement_unknown),
		T(test_r11_confirm_after_valid_until_refused),
		T(test_r14_consignor_turns_auto_confirm_on_and_off),
		T(test_r14_broker_cannot_set_auto_confirm),
	};

	return cmocka_run_group_tests_name("msg_confirm", tests, group_setup, group_teardown);
}
