/* test_msg_registration — 报关企业信息登记/变更 BrokerRegistration (R3: the
 * broker's own facts and 1–5 declarants, kept pending) and the
 * association's RegistrationDecision (R4: approval sets valid_until = now +
 * registration_validity_days and replaces the approved facts; rejection
 * keeps the approved facts in force), with R5's warning reset and R26
 * notices. */
#include "msgfixture.h"

static void declarants(char *out, size_t n, int count)
{
	size_t off = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < count; i++)
		off += (size_t)snprintf(out + off, n - off, "<Declarant><Name>王五%d</Name><Number>460100012%d</Number>"
		    "<Phone>1380000000%d</Phone></Declarant>", i, i, i);
}

static void registration(struct fixture *f, const char *sender, const char *code, const char *credit, int ndecl)
{
	char body[8192], d[4096];

	declarants(d, sizeof(d), ndecl);
	snprintf(body, sizeof(body), "<Enterprise><Code>%s</Code><CreditCode>%s</CreditCode>"
	    "<Name>郑州新名报关有限公司</Name><District>4601</District><Address>郑州市航空港区示例路1号</Address>"
	    "<PublicPhone>0371-66668888</PublicPhone><Manager><Name>李四</Name><IdNumber>410100198001010011"
	    "</IdNumber></Manager></Enterprise>%s", code, credit, d);
	apply(f, msg_registration_apply, "BrokerRegistration", sender, ROLE_BROKER, NOW, body);
}

static void decision(struct fixture *f, const char *broker, const char *what, time_t now)
{
	char body[256];

	snprintf(body, sizeof(body), "<Broker>%s</Broker><Decision>%s</Decision><Remark>材料齐全</Remark>", broker, what);
	apply(f, msg_decision_apply, "RegistrationDecision", ASSOC, ROLE_ASSOCIATION, now, body);
}

#define CREDIT "91410100200000000E"

/* R3: kept pending; the association is told; the approved facts stay in force (R4). */
static void test_r3_registration_kept_pending(void **state)
{
	struct fixture *f = *state;
	struct registration p, a;

	registration(f, BROKER, BROKER, CREDIT, 2);
	expect_accepted(f);
	assert_int_equal(store_registration_get(f->s, NULL, BROKER, 'P', &p), 0);
	assert_string_equal(p.name, "郑州新名报关有限公司");
	assert_string_equal(p.credit, CREDIT);
	assert_string_equal(p.district, "4601");
	assert_string_equal(p.manager_id, "410100198001010011");
	assert_int_equal(p.ndeclarants, 2);
	assert_string_equal(p.declarants[1].name, "王五1");
	assert_string_equal(p.declarants[1].phone, "13800000001");
	assert_int_equal(p.submitted_at, NOW);
	assert_non_null(notice(f, ASSOC, "registration-waiting"));
	assert_int_equal(store_registration_get(f->s, NULL, BROKER, 'A', &a), 0);
	assert_string_equal(a.name, "郑州示例报关有限公司");	/* unchanged until approved */
	f->ctx.now = NOW;
	assert_int_equal(msg_broker_active(&f->ctx, BROKER), 1);
}

/* R3: 1 to 5 declarants. */
static void test_r3_table_declarant_count(void **state)
{
	static const struct {
		int	n, ok;
	} rows[] = {{0, 0}, {1, 1}, {5, 1}, {6, 0}, {20, 0}};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		registration(f, BROKER2, BROKER2, CREDIT, rows[i].n);
		if (rows[i].ok)
			expect_accepted(f);
		else
			expect_refused(f, R_DECLARANT_COUNT, "/BrokerRegistration/Declarant");
	}
}

/* R2: a broker registers itself only. */
static void test_r2_broker_registers_itself_only(void **state)
{
	struct fixture *f = *state;

	registration(f, BROKER, BROKER2, CREDIT, 1);
	expect_refused(f, R_ROLE_FORBIDDEN, "/BrokerRegistration/Enterprise/Code");
	assert_int_equal(store_registration_get(f->s, NULL, BROKER2, 'P', &(struct registration){0}), 1);
}

/* The credit code's check character (GB 32100) must be right. */
static void test_r3_credit_code_check_character(void **state)
{
	struct fixture *f = *state;

	registration(f, BROKER, BROKER, "91410100200000000F", 1);
	expect_refused(f, R_CREDIT_CODE_INVALID, "/BrokerRegistration/Enterprise/CreditCode");
}

/* R4: approval replaces the approved facts, valid for the configured days. */
static void test_r4_approval_sets_valid_until(void **state)
{
	struct fixture *f = *state;
	struct registration a;
	const struct notice *n;

	approve(f, BROKER, 'A', NOW + 5 * DAY);
	assert_int_equal(store_registration_get(f->s, NULL, BROKER, 'A', &a), 0);
	a.warned_for = a.valid_until;	/* R5 warning already given for the old period */
	assert_int_equal(store_registration_put(f->s, NULL, 'A', &a), 0);
	registration(f, BROKER, BROKER, CREDIT, 1);
	f->conf.registration_validity_days = 365;
	decision(f, BROKER, "approve", NOW + 60);
	expect_accepted(f);
	assert_int_equal(store_registration_get(f->s, NULL, BROKER, 'A', &a), 0);
	assert_string_equal(a.name, "郑州新名报关有限公司");
	assert_int_equal(a.approved_at, NOW + 60);
	assert_int_equal(a.valid_until, NOW + 60 + 365 * DAY);
	assert_string_equal(a.approved_by, ASSOC);
	assert_int_equal(a.warned_for, 0);	/* R5: the new period gets its own warning */
	assert_int_equal(store_registration_get(f->s, NULL, BROKER, 'P', &a), 1);
	n = notice(f, BROKER, "registration-approved");
	assert_non_null(n);
	assert_int_equal(n->valid_until, NOW + 60 + 365 * DAY);
	assert_string_equal(n->remark, "材料齐全");
}

/* R4: a rejected change leaves the approved facts as they were. */
static void test_r4_rejection_keeps_approved_facts(void **state)
{
	struct fixture *f = *state;
	struct registration a;

	registration(f, BROKER, BROKER, CREDIT, 1);
	decision(f, BROKER, "reject", NOW + 60);
	expect_accepted(f);
	assert_int_equal(store_registration_get(f->s, NULL, BROKER, 'A', &a), 0);
	assert_string_equal(a.name, "郑州示例报关有限公司");
	assert_int_equal(a.valid_until, FAR);
	assert_int_equal(store_registration_get(f->s, NULL, BROKER, 'P', &a), 1);
	assert_non_null(notice(f, BROKER, "registration-rejected"));
	/* a first registration rejected: still no approval (R5) */
	registration(f, BROKER2, BROKER2, CREDIT, 1);
	decision(f, BROKER2, "reject", NOW + 60);
	assert_int_equal(store_registration_get(f->s, NULL, BROKER2, 'A', &a), 1);
}

/* R4: a decision needs a pending registration. */
static void test_r4_decision_without_pending_refused(void **state)
{
	struct fixture *f = *state;

	decision(f, BROKER2, "approve", NOW);
	expect_refused(f, R_REGISTRATION_NOT_PENDING, "/RegistrationDecision/Broker");
	assert_int_equal(store_registration_get(f->s, NULL, BROKER2, 'A', &(struct registration){0}), 1);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_r3_registration_kept_pending),
		T(test_r3_table_declarant_count),
		T(test_r2_broker_registers_itself_only),
		T(test_r3_credit_code_check_character),
		T(test_r4_approval_sets_valid_until),
		T(test_r4_rejection_keeps_approved_facts),
		T(test_r4_decision_without_pending_refused),
	};

	return cmocka_run_group_tests_name("msg_registration", tests, group_setup, group_teardown);
}
