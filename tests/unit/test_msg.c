/* test_msg — what every message type shares (src/msg.c): the table of
 * message types and the roles allowed to send each (R2), notices to the
 * other party gathered per receiver and event and written to the outbox in
 * the caller's transaction (R26), with a line in the audit trail of every
 * agreement a notice names (entrustctl trace), ownership checks that make another
 * party's letters and agreements invisible (R2), the R5 broker check and
 * reading a BrokerHalf (R9). */
#include "msgfixture.h"

#define ROLE(r) (1u << (r))

/* R2: who may send what. */
static void test_r2_table_message_types_and_roles(void **state)
{
	static const struct {
		const char	*root;
		unsigned	 roles;
		apply_fn	 apply;
	} rows[] = {
		{"EntrustRequest", ROLE(ROLE_CONSIGNOR) | ROLE(ROLE_BROKER), msg_request_apply},
		{"EntrustConfirm", ROLE(ROLE_CONSIGNOR) | ROLE(ROLE_BROKER), msg_confirm_apply},
		{"AutoConfirmSetting", ROLE(ROLE_CONSIGNOR) | ROLE(ROLE_BROKER), msg_autoconfirm_apply},
		{"RevocationRequest", ROLE(ROLE_CONSIGNOR) | ROLE(ROLE_BROKER), msg_revoke_apply},
		{"RevocationAnswer", ROLE(ROLE_CONSIGNOR) | ROLE(ROLE_BROKER), msg_revoke_answer_apply},
		{"BrokerRegistration", ROLE(ROLE_BROKER), msg_registration_apply},
		{"RegistrationDecision", ROLE(ROLE_ASSOCIATION), msg_decision_apply},	/* only an association approves */
		{"TopUp", ROLE(ROLE_OPERATOR), msg_topup_apply},			/* only the operator records top-ups */
		{"CustomsReceipt", ROLE(ROLE_CUSTOMS), msg_receipt_apply},		/* only customs sends receipts */
		{"Query", ROLE(ROLE_CONSIGNOR) | ROLE(ROLE_BROKER), msg_query_apply},
	};
	const struct msg_type *t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		t = msg_lookup(rows[i].root);
		if (t == NULL)
			fail_msg("%s: not a message type", rows[i].root);
		assert_string_equal(t->root, rows[i].root);
		if (t->roles != rows[i].roles)
			fail_msg("%s: roles %#x, want %#x", rows[i].root, t->roles, rows[i].roles);
		assert_ptr_equal(t->apply, rows[i].apply);
	}
	assert_null(msg_lookup("Ack"));		/* the hub's own answers are not inbound */
	assert_null(msg_lookup("Notice"));
	assert_null(msg_lookup("entrustrequest"));
	assert_null(msg_lookup(""));
}

static void ctx_for(struct fixture *f, const char *code, enum role role)
{
	memset(&f->ctx, 0, sizeof(f->ctx));
	f->ctx.store = f->s;
	f->ctx.registry = f->reg;
	f->ctx.conf = &f->conf;
	f->ctx.sender = code ? registry_by_code(f->reg, code, role) : NULL;
	f->ctx.now = NOW;
	f->ctx.reply = &f->r;
}

/* R26: one notice per receiver and event, gathering its agreements; the
 * sender is never told of its own act; the hub (no sender) tells both. */
static void test_r26_notices_gathered_per_receiver_and_event(void **state)
{
	struct fixture *f = *state;
	const struct notice *n;

	seed_letter(f, LETTER, CONSIGNOR, BROKER, CONSIGNOR, LS_CONFIRMED, 0);
	seed_agreement(f, LETTER, 1, CONSIGNOR, "consignor", ST_DECLARABLE);
	seed_agreement(f, LETTER, 2, CONSIGNOR, "consignor", ST_DECLARABLE);
	ctx_for(f, BROKER, ROLE_BROKER);
	{
		struct agreement a1 = agreement_of(f, 1), a2 = agreement_of(f, 2);

		msg_notice_parties(&f->ctx, "confirmed", &a1);
		msg_notice_parties(&f->ctx, "confirmed", &a2);
		msg_notice(&f->ctx, CONSIGNOR, "rejected", &a2);
		assert_int_equal(f->ctx.nnotices, 2);
		n = notice(f, CONSIGNOR, "confirmed");
		assert_non_null(n);
		assert_int_equal(n->nitems, 2);
		assert_string_equal(n->from, BROKER);
		assert_string_equal(n->items[1].number, "20260000000002");
		assert_null(notice(f, BROKER, "confirmed"));	/* not to the sender */
		msg_discard(&f->ctx);
		ctx_for(f, NULL, ROLE_CONSIGNOR);	/* the hub itself */
		msg_notice_parties(&f->ctx, "expired", &a1);
		assert_non_null(notice(f, CONSIGNOR, "expired"));
		assert_non_null(notice(f, BROKER, "expired"));
		assert_string_equal(notice(f, BROKER, "expired")->from, "ENTRUSTHUB");
	}
	msg_discard(&f->ctx);
	assert_int_equal(f->ctx.nnotices, 0);
	assert_null(f->ctx.notices);
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

/* R26: flushing writes one outbox row per notice, in the caller's
 * transaction (gone if it aborts), and empties the list. */
static void test_r26_notices_flushed_in_the_transaction(void **state)
{
	struct fixture *f = *state;
	int rows = 0;

	ctx_for(f, CONSIGNOR, ROLE_CONSIGNOR);
	f->ctx.txn = store_begin(f->s);
	msg_notice(&f->ctx, BROKER, "request-waiting", NULL);
	msg_notice(&f->ctx, ASSOC, "registration-waiting", NULL);
	assert_int_equal(msg_flush(&f->ctx), 0);
	assert_int_equal(f->ctx.nnotices, 0);
	store_abort(f->ctx.txn);
	assert_int_equal(store_scan(f->s, NULL, SDB_OUTBOX, NULL, 0, count_row, &rows), 0);
	assert_int_equal(rows, 0);

	f->ctx.txn = store_begin(f->s);
	msg_notice(&f->ctx, BROKER, "request-waiting", NULL);
	msg_notice(&f->ctx, ASSOC, "registration-waiting", NULL);
	assert_int_equal(msg_flush(&f->ctx), 0);
	assert_int_equal(store_commit(f->ctx.txn), 0);
	f->ctx.txn = NULL;
	assert_int_equal(store_scan(f->s, NULL, SDB_OUTBOX, NULL, 0, count_row, &rows), 0);
	assert_int_equal(rows, 2);
}

static int audit_text(void *arg, const void *k, size_t kl, const void *v, size_t vl)
{
	(void)k;
	(void)kl;
	buf_add(arg, v, vl);
	buf_adds(arg, "\n");
	return 0;
}

/* R26: each agreement a flushed notice names gets "notice=EVENT to=RECEIVER file=NTC_…"
 * in its audit trail, in the same transaction; a notice naming none (registration) adds none. */
static void test_r26_notices_in_the_audit_trail(void **state)
{
	struct fixture *f = *state;
	struct buf trail;
	int rows = 0;

	seed_letter(f, LETTER, CONSIGNOR, BROKER, CONSIGNOR, LS_CONFIRMED, 0);
	seed_agreement(f, LETTER, 1, CONSIGNOR, "consignor", ST_DECLARABLE);
	seed_agreement(f, LETTER, 2, CONSIGNOR, "consignor", ST_DECLARABLE);
	ctx_for(f, BROKER, ROLE_BROKER);
	buf_init(&trail);
	{
		struct agreement a1 = agreement_of(f, 1), a2 = agreement_of(f, 2);

		f->ctx.txn = store_begin(f->s);
		msg_notice_parties(&f->ctx, "confirmed", &a1);
		msg_notice_parties(&f->ctx, "confirmed", &a2);
		msg_notice(&f->ctx, ASSOC, "registration-waiting", NULL);
		assert_int_equal(msg_flush(&f->ctx), 0);
		assert_int_equal(store_commit(f->ctx.txn), 0);
		f->ctx.txn = NULL;
	}
	assert_int_equal(store_scan(f->s, NULL, SDB_AUDIT, "20260000000002", 14, audit_text, &trail), 0);
	assert_non_null(strstr(trail.data, " notice=confirmed to=" CONSIGNOR " file=NTC_"));
	assert_non_null(strstr(trail.data, "by=" BROKER " "));
	assert_null(strstr(trail.data, "registration-waiting"));
	assert_int_equal(store_scan(f->s, NULL, SDB_AUDIT, NULL, 0, count_row, &rows), 0);
	assert_int_equal(rows, 2);	/* one per agreement of the one agreement notice */
	buf_free(&trail);
}

/* R2: a letter or agreement the sender is not a party to does not exist for it. */
static void test_r2_own_letter_and_agreement_only(void **state)
{
	struct fixture *f = *state;
	struct agreement a;
	struct letter l;

	seed_letter(f, LETTER, CONSIGNOR, BROKER, CONSIGNOR, LS_CONFIRMED, 0);
	seed_agreement(f, LETTER, 1, CONSIGNOR, "consignor", ST_DECLARABLE);
	ctx_for(f, CONSIGNOR, ROLE_CONSIGNOR);
	assert_int_equal(msg_own_letter(&f->ctx, LETTER, &l), 0);
	assert_int_equal(msg_own_agreement(&f->ctx, "20260000000001", &a), 0);
	ctx_for(f, BROKER, ROLE_BROKER);
	assert_int_equal(msg_own_letter(&f->ctx, LETTER, &l), 0);
	assert_int_equal(msg_own_agreement(&f->ctx, "20260000000001", &a), 0);
	ctx_for(f, CONSIGNOR2, ROLE_CONSIGNOR);
	assert_int_equal(msg_own_letter(&f->ctx, LETTER, &l), 1);
	assert_int_equal(msg_own_agreement(&f->ctx, "20260000000001", &a), 1);
	ctx_for(f, BROKER2, ROLE_BROKER);
	assert_int_equal(msg_own_letter(&f->ctx, LETTER, &l), 1);
	assert_int_equal(msg_own_letter(&f->ctx, "2699999999", &l), 1);
	assert_int_equal(msg_own_agreement(&f->ctx, "20269999999999", &a), 1);
}

/* R5: approved and unexpired at ctx->now; a pending registration does not count. */
static void test_r5_broker_active(void **state)
{
	struct fixture *f = *state;

	ctx_for(f, CONSIGNOR, ROLE_CONSIGNOR);
	assert_int_equal(msg_broker_active(&f->ctx, BROKER), 1);
	assert_int_equal(msg_broker_active(&f->ctx, BROKER2), 0);
	approve(f, BROKER2, 'P', FAR);
	assert_int_equal(msg_broker_active(&f->ctx, BROKER2), 0);
	approve(f, BROKER2, 'A', NOW + 1);
	assert_int_equal(msg_broker_active(&f->ctx, BROKER2), 1);
	f->ctx.now = NOW + 1;
	assert_int_equal(msg_broker_active(&f->ctx, BROKER2), 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_r2_table_message_types_and_roles),
		T(test_r26_notices_gathered_per_receiver_and_event),
		T(test_r26_notices_flushed_in_the_transaction),
		T(test_r26_notices_in_the_audit_trail),
		T(test_r2_own_letter_and_agreement_only),
		T(test_r5_broker_active),
	};

	return cmocka_run_group_tests_name("msg", tests, group_setup, group_teardown);
}
