/* test_msg_receipt — 海关回执 CustomsReceipt: a batch of customs outcomes,
 * each item judged on its own: data-received 1→2, data-refused 1→10,
 * declaration-filed 2|11→4, concluded 4→5 (R19: the unit is used),
 * returned 4→2 (→6 once the letter has expired, R11), revocation accepted
 * 8→9 / refused 8→11 (→6 once expired).  Declaration events must carry the
 * agreement's bill of lading (R15).  Both parties hear of each change
 * (R26); customs' ReturnInfo goes into the audit trail on one line, with
 * its ReturnTime (yyyyMMddHHmmssSSS China time, optional; a time that is no
 * real time refuses its item alone: RETURN_TIME_INVALID, issue #4). */
#include "msgfixture.h"

#define BILL "COSU6123456780"

/* A confirmed letter (consignor pays) with agreements 1..n in the given statuses. */
static void letter_with(struct fixture *f, int n, const int *st, int64_t in_use)
{
	int i;

	seed_letter(f, LETTER, CONSIGNOR, BROKER, CONSIGNOR, LS_CONFIRMED, 0);
	for (i = 0; i < n; i++)
		seed_agreement(f, LETTER, i + 1, CONSIGNOR, "consignor", st[i]);
	seed_account(f, CONSIGNOR, 10, 0, in_use);
}

static void item(struct buf *b, int idx, const char *event, const char *bill, const char *extra)
{
	buf_printf(b, "<Item ref=\"r%d\"><Agreement>2026%010d</Agreement><Event>%s</Event>", idx, idx, event);
	if (bill)
		buf_printf(b, "<BillOfLading>%s</BillOfLading>", bill);
	buf_printf(b, "%s</Item>", extra ? extra : "");
}

static void receipt(struct fixture *f, time_t now, struct buf *items)
{
	apply(f, msg_receipt_apply, "CustomsReceipt", CUSTOMS, ROLE_CUSTOMS, now, items->data);
	buf_reset(items);
}

/* Table: every event from its status, one receipt each. */
static void test_r13_table_receipt_events(void **state)
{
	static const struct {
		const char	*event;
		int		 from, to;
		int		 bill;
	} rows[] = {
		{"data-received", ST_CONFIRMED, ST_DECLARABLE, 0},
		{"data-refused", ST_CONFIRMED, ST_ADD_FAILED, 0},
		{"declaration-filed", ST_DECLARABLE, ST_IN_USE, 1},
		{"declaration-filed", ST_REVOKE_FAILED, ST_IN_USE, 1},
		{"declaration-concluded", ST_IN_USE, ST_USED, 1},
		{"declaration-returned", ST_IN_USE, ST_DECLARABLE, 1},
		{"revocation-accepted", ST_REVOKE_CONFIRMED, ST_REVOKED, 0},
		{"revocation-refused", ST_REVOKE_CONFIRMED, ST_REVOKE_FAILED, 0},
	};
	struct fixture *f = *state;
	struct buf b;
	size_t i;
	int st[8];

	for (i = 0; i < 8; i++)
		st[i] = rows[i].from;
	letter_with(f, 8, st, 8);
	buf_init(&b);
	for (i = 0; i < 8; i++)
		item(&b, (int)i + 1, rows[i].event, rows[i].bill ? BILL : NULL, NULL);
	receipt(f, NOW, &b);
	expect_accepted(f);
	for (i = 0; i < 8; i++) {
		if (status_of(f, (int)i + 1) != rows[i].to)
			fail_msg("%s from %d: %d, want %d", rows[i].event, rows[i].from, status_of(f, (int)i + 1), rows[i].to);
		assert_int_equal(f->r.items[i].status, rows[i].to);
		{
			char ref[8];

			snprintf(ref, sizeof(ref), "r%zu", i + 1);
			assert_string_equal(f->r.items[i].ref, ref);
		}
	}
	/* R19: 5 used one, 9 and 10 released theirs; the other five stay reserved */
	assert_int_equal(account_of(f, CONSIGNOR).used, 1);
	assert_int_equal(account_of(f, CONSIGNOR).in_use, 5);
	/* R26: both parties, one notice each with all eight */
	assert_int_equal(notice(f, CONSIGNOR, "customs-update")->nitems, 8);
	assert_int_equal(notice(f, BROKER, "customs-update")->nitems, 8);
	buf_free(&b);
}

/* R15: a declaration event with another bill of lading (or none) is refused,
 * that item only; the declaration number is kept when given. */
static void test_r15_bill_of_lading_must_match(void **state)
{
	static const int st[] = {ST_DECLARABLE, ST_DECLARABLE, ST_DECLARABLE};
	struct fixture *f = *state;
	struct buf b;

	letter_with(f, 3, st, 3);
	buf_init(&b);
	item(&b, 1, "declaration-filed", "COSU0000000000", NULL);
	item(&b, 2, "declaration-filed", NULL, NULL);
	item(&b, 3, "declaration-filed", BILL, "<DeclarationNumber>010120261000000001</DeclarationNumber>");
	receipt(f, NOW, &b);
	assert_string_equal(reply_outcome(&f->r), "partial");
	expect_item_error(f, 0, R_BILL_OF_LADING_MISMATCH, "/CustomsReceipt/Item[1]");
	assert_non_null(strstr(f->r.errors[0].detail, "COSU0000000000"));
	expect_item_error(f, 1, R_BILL_OF_LADING_MISMATCH, "/CustomsReceipt/Item[2]");
	assert_int_equal(status_of(f, 1), ST_DECLARABLE);
	assert_int_equal(status_of(f, 2), ST_DECLARABLE);
	assert_int_equal(status_of(f, 3), ST_IN_USE);
	assert_string_equal(agreement_of(f, 3).declaration_number, "010120261000000001");
	assert_string_equal(agreement_of(f, 1).declaration_number, "");
	buf_free(&b);
}

/* R13 and unknown agreements: refused item by item, the batch goes on. */
static void test_r13_bad_items_do_not_block_others(void **state)
{
	static const int st[] = {ST_DECLARABLE, ST_CONFIRMED};
	struct fixture *f = *state;
	struct buf b;

	letter_with(f, 2, st, 2);
	buf_init(&b);
	item(&b, 1, "data-received", NULL, NULL);	/* already 2 */
	item(&b, 99, "data-received", NULL, NULL);	/* no such agreement */
	item(&b, 2, "data-received", NULL, NULL);
	receipt(f, NOW, &b);
	assert_string_equal(reply_outcome(&f->r), "partial");
	expect_item_error(f, 0, R_STATUS_TRANSITION, "/CustomsReceipt/Item[1]");
	expect_item_error(f, 1, R_AGREEMENT_UNKNOWN, "/CustomsReceipt/Item[2]");
	assert_false(f->r.items[2].refused);
	assert_int_equal(status_of(f, 1), ST_DECLARABLE);
	assert_int_equal(status_of(f, 2), ST_DECLARABLE);
	buf_free(&b);
}

/* R11: once the letter has expired, a returned declaration leaves the
 * agreement expired (4→6), and a refused revocation too (8→11→6). */
static void test_r11_after_letter_expiry_returned_and_refused_go_to_6(void **state)
{
	static const int st[] = {ST_IN_USE, ST_REVOKE_CONFIRMED, ST_IN_USE};
	struct fixture *f = *state;
	struct letter l;
	struct buf b;

	letter_with(f, 3, st, 3);
	assert_int_equal(store_letter_get(f->s, NULL, LETTER, &l), 0);
	buf_init(&b);
	item(&b, 1, "declaration-returned", BILL, NULL);
	item(&b, 2, "revocation-refused", NULL, NULL);
	item(&b, 3, "declaration-concluded", BILL, NULL);	/* concluded is still 5 */
	receipt(f, (time_t)l.valid_until, &b);
	expect_accepted(f);
	assert_int_equal(status_of(f, 1), ST_EXPIRED);
	assert_int_equal(status_of(f, 2), ST_EXPIRED);
	assert_int_equal(status_of(f, 3), ST_USED);
	assert_int_equal(account_of(f, CONSIGNOR).in_use, 0);
	assert_int_equal(account_of(f, CONSIGNOR).used, 1);
	buf_free(&b);
}

/* Customs' ReturnInfo goes into the audit trail, on one line. */
static int audit_line(void *arg, const void *k, size_t kl, const void *v, size_t vl)
{
	(void)k;
	(void)kl;
	buf_add(arg, v, vl);
	buf_adds(arg, "\n");
	return 0;
}

static void test_return_info_kept_in_audit_on_one_line(void **state)
{
	static const int st[] = {ST_IN_USE};
	struct fixture *f = *state;
	struct buf b;

	letter_with(f, 1, st, 1);
	buf_init(&b);
	item(&b, 1, "declaration-returned", BILL, "<ReturnInfo>单证不齐\n请补充  发票</ReturnInfo>");
	receipt(f, NOW, &b);
	expect_accepted(f);
	assert_int_equal(store_scan(f->s, NULL, SDB_AUDIT, "20260000000001", 14, audit_line, &b), 0);
	assert_non_null(strstr(b.data, " status=4->2\n"));
	assert_non_null(strstr(b.data, " customs=declaration-returned return_info=单证不齐 请补充  发票\n"));
	buf_free(&b);
}

/* Table: ReturnTime values, one item each in one batch.  The schema makes it 17 digits;
 * receipt_item refuses, item by item, one that is no real time (issue #4: customs'
 * yyyyMMddHHmmssSSS); an accepted one is kept in the audit trail. */
static const struct {
	const char	*label;
	const char	*time;
	const char	*why;	/* NULL: accepted; else expected in the Error detail */
} time_rows[] = {
	{"ordinary, with milliseconds", "20261203150000123", NULL},
	{"last millisecond of a year", "20261231235959999", NULL},
	{"29 February of a leap year", "20280229000000000", NULL},
	{"29 February 2000 (divisible by 400)", "20000229120000000", NULL},
	{"month 13", "20261301120000000", "month 13 (01-12)"},
	{"month 00", "20260001120000000", "month 00"},
	{"day 00", "20261200120000000", "day 00 of 2026-12"},
	{"31 April", "20260431120000000", "day 31 of 2026-04"},
	{"29 February of a common year", "20260229120000000", "day 29 of 2026-02"},
	{"29 February 2100 (divisible by 100, not 400)", "21000229120000000", "day 29 of 2100-02"},
	{"hour 24", "20261203240000000", "hour 24 (00-23)"},
	{"minute 60", "20261203156000000", "minute 60"},
	{"second 60 (no leap seconds)", "20261203150060000", "second 60"},
	{"year 1999", "19991231235959999", "year 1999"},
	{"all zeros", "00000000000000000", "year 0000"},
};
#define NTIME (sizeof(time_rows) / sizeof(time_rows[0]))

static void test_table_return_time_checked_per_item(void **state)
{
	struct fixture *f = *state;
	int st[NTIME], accepted = 0;
	char extra[64], want[96], path[64];
	struct buf b, trail;
	size_t i;

	for (i = 0; i < NTIME; i++)
		st[i] = ST_CONFIRMED;
	letter_with(f, (int)NTIME, st, (int64_t)NTIME);
	buf_init(&b);
	for (i = 0; i < NTIME; i++) {
		snprintf(extra, sizeof(extra), "<ReturnTime>%s</ReturnTime>", time_rows[i].time);
		item(&b, (int)i + 1, "data-received", NULL, extra);
	}
	receipt(f, NOW, &b);
	assert_string_equal(reply_outcome(&f->r), "partial");
	for (i = 0; i < NTIME; i++) {
		print_message("  ReturnTime: %s\n", time_rows[i].label);
		buf_init(&trail);
		assert_int_equal(store_scan(f->s, NULL, SDB_AUDIT, number_of((int)i + 1), 14, audit_line, &trail), 0);
		buf_adds(&trail, "");
		snprintf(want, sizeof(want), " customs=data-received return_time=%s\n", time_rows[i].time);
		if (time_rows[i].why == NULL) {
			accepted++;
			assert_false(f->r.items[i].refused);
			assert_int_equal(status_of(f, (int)i + 1), ST_DECLARABLE);
			if (strstr(trail.data, want) == NULL)
				fail_msg("%s: trail lacks \"%s\":\n%s", time_rows[i].label, want, trail.data);
		} else {
			snprintf(path, sizeof(path), "/CustomsReceipt/Item[%zu]/ReturnTime", i + 1);
			expect_item_error(f, (int)i, R_RETURN_TIME_INVALID, path);
			assert_int_equal(status_of(f, (int)i + 1), ST_CONFIRMED);	/* no effect */
			assert_null(strstr(trail.data, "customs="));
		}
		buf_free(&trail);
	}
	for (i = 0; i < (size_t)f->r.nerrors; i++)
		if (strstr(f->r.errors[i].detail, time_rows[f->r.errors[i].item].why) == NULL)
			fail_msg("%s: detail \"%s\" lacks \"%s\"", time_rows[f->r.errors[i].item].label,
			    f->r.errors[i].detail, time_rows[f->r.errors[i].item].why);
	assert_int_equal(f->r.nerrors, (int)NTIME - accepted);
	assert_int_equal(notice(f, CONSIGNOR, "customs-update")->nitems, accepted);
	assert_string_equal(reason_code(R_RETURN_TIME_INVALID), "RETURN_TIME_INVALID");
	buf_free(&b);
}

/* ReturnTime is kept with ReturnInfo on one audit line; either may come alone. */
static void test_return_time_kept_with_return_info(void **state)
{
	static const int st[] = {ST_IN_USE, ST_CONFIRMED};
	struct fixture *f = *state;
	struct buf b;

	letter_with(f, 2, st, 2);
	buf_init(&b);
	item(&b, 1, "declaration-returned", BILL,
	    "<ReturnTime>20261203153000250</ReturnTime><ReturnInfo>单证不齐 documents missing</ReturnInfo>");
	item(&b, 2, "data-received", NULL, "<ReturnTime>20261203153000999</ReturnTime>");
	receipt(f, NOW, &b);
	expect_accepted(f);
	assert_int_equal(store_scan(f->s, NULL, SDB_AUDIT, "20260000000001", 14, audit_line, &b), 0);
	assert_non_null(strstr(b.data, " customs=declaration-returned return_time=20261203153000250 "
	    "return_info=单证不齐 documents missing\n"));
	buf_reset(&b);
	assert_int_equal(store_scan(f->s, NULL, SDB_AUDIT, "20260000000002", 14, audit_line, &b), 0);
	buf_adds(&b, "");
	assert_non_null(strstr(b.data, " customs=data-received return_time=20261203153000999\n"));
	buf_free(&b);
}

/* The schema: ReturnTime is 17 digits, after DeclarationNumber and before ReturnInfo;
 * anything else refuses the whole message (XML_INVALID), as for every schema error. */
static void test_return_time_form_checked_by_schema(void **state)
{
	static const struct {
		const char	*label;
		const char	*extra;
		enum reason	 want;
	} rows[] = {
		{"17 digits", "<ReturnTime>20261203150000123</ReturnTime>", R_NONE},
		{"with ReturnInfo after", "<ReturnTime>20261203150000123</ReturnTime><ReturnInfo>x</ReturnInfo>", R_NONE},
		{"no milliseconds (14 digits)", "<ReturnTime>20261203150000</ReturnTime>", R_XML_INVALID},
		{"18 digits", "<ReturnTime>202612031500001234</ReturnTime>", R_XML_INVALID},
		{"ISO 8601", "<ReturnTime>2026-12-03T15:00:00</ReturnTime>", R_XML_INVALID},
		{"empty", "<ReturnTime></ReturnTime>", R_XML_INVALID},
		{"spaces around", "<ReturnTime> 20261203150000123 </ReturnTime>", R_XML_INVALID},
		{"after ReturnInfo", "<ReturnInfo>x</ReturnInfo><ReturnTime>20261203150000123</ReturnTime>", R_XML_INVALID},
		{"twice", "<ReturnTime>20261203150000123</ReturnTime><ReturnTime>20261203150000123</ReturnTime>",
		    R_XML_INVALID},
	};
	struct fixture *f = *state;
	char detail[512];
	xmlDocPtr doc;
	enum reason rc;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		buf_reset(&f->xml);
		buf_printf(&f->xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomsReceipt xmlns=\"urn:entrust:1\" "
		    "version=\"1\"><Header><MessageId>M-1</MessageId><Sender>%s</Sender><SentAt>2026-12-03T10:00:00+08:00"
		    "</SentAt></Header><Item ref=\"1\"><Agreement>20260000000001</Agreement><Event>data-received</Event>"
		    "%s</Item></CustomsReceipt>\n", CUSTOMS, rows[i].extra);
		doc = NULL;
		rc = xmlin_parse(f->x, f->xml.data, f->xml.len, &doc, detail, sizeof(detail));
		if (rc != rows[i].want)
			fail_msg("%s: %s (%s), want %s", rows[i].label, reason_code(rc), detail, reason_code(rows[i].want));
		if (doc)
			xmlFreeDoc(doc);
	}
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_r13_table_receipt_events),
		T(test_r15_bill_of_lading_must_match),
		T(test_r13_bad_items_do_not_block_others),
		T(test_r11_after_letter_expiry_returned_and_refused_go_to_6),
		T(test_return_info_kept_in_audit_on_one_line),
		T(test_table_return_time_checked_per_item),
		T(test_return_time_kept_with_return_info),
		T(test_return_time_form_checked_by_schema),
	};

	return cmocka_run_group_tests_name("msg_receipt", tests, group_setup, group_teardown);
}
