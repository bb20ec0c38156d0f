/* test_reply — the hub's answers: the Ack every envelope gets (R25) with its
 * outcome (accepted / partial / refused), message- and item-level errors,
 * codes echoed with their names (R12), and Notices to the other party
 * (R26).  Every document built here is validated against xsd/entrust.xsd
 * with the real schema, then read back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "codes.h"
#include "reply.h"
#include "xmlin.h"
#include <libxml/tree.h>
#include "testutil.h"

#define SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define ID "E2026120310000012300"

struct fixture {
	struct xmlin	*x;
	struct codes	*codes;
	struct reply	 r;
	struct buf	 out;
	xmlDocPtr	 doc;
};

static int group_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char p[PATH_MAX], err[512];

	xmlin_global_init();
	f->x = xmlin_load(tu_path(p, "%s/xsd/entrust.xsd", tu_src()), err, sizeof(err));
	f->codes = codes_load(tu_path(p, "%s/conf/codes", tu_src()), err, sizeof(err));
	if (f->x == NULL || f->codes == NULL) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	buf_init(&f->out);
	*state = f;
	return 0;
}

static int group_teardown(void **state)
{
	struct fixture *f = *state;

	xmlin_free(f->x);
	codes_free(f->codes);
	buf_free(&f->out);
	free(f);
	xmlin_global_done();
	return 0;
}

static int setup(void **state)
{
	struct fixture *f = *state;

	reply_init(&f->r, ID, "ENTRUSTHUB", "req.p7m", SHA);
	strcpy(f->r.receiver, "1101230001");
	strcpy(f->r.in_msgid, "ERP-20261203-0001");
	strcpy(f->r.in_type, "EntrustRequest");
	f->doc = NULL;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	reply_free(&f->r);
	xmlFreeDoc(f->doc);
	f->doc = NULL;
	return 0;
}

/* The document in f->out must be valid; returns its root. */
static xmlNodePtr valid(struct fixture *f)
{
	char detail[512];
	enum reason r;

	xmlFreeDoc(f->doc);
	f->doc = NULL;
	r = xmlin_parse(f->x, f->out.data, f->out.len, &f->doc, detail, sizeof(detail));
	if (r != R_NONE)
		fail_msg("%s: %s\n%s", reason_code(r), detail, f->out.data);
	return xmlDocGetRootElement(f->doc);
}

static const char *text(xmlNodePtr parent, const char *name)
{
	static char out[4][600];
	static int k;
	char *o = out[k++ % 4];

	if (xmlin_text(parent, name, o, sizeof(out[0])) != 1)
		return "(absent)";
	return o;
}

static const char *attr(xmlNodePtr node, const char *name)
{
	static char out[4][600];
	static int k;
	char *o = out[k++ % 4];

	if (xmlin_attr(node, name, o, sizeof(out[0])) != 1)
		return "(absent)";
	return o;
}

static int count(xmlNodePtr parent, const char *name)
{
	xmlNodePtr n;
	int k = 0;

	for (n = xmlin_child(parent, name); n; n = xmlin_next(n, name))
		k++;
	return k;
}

static void agreement(struct agreement *a, const char *number, int status)
{
	memset(a, 0, sizeof(*a));
	strcpy(a->number, number);
	strcpy(a->letter, "2600000001");
	a->status = status;
	strcpy(a->trade_mode, "0110");
	strcpy(a->origin, "502");
	strcpy(a->currency, "USD");
	strcpy(a->unit, "035");
}

/* R25: an accepted request: letter, items with numbers, statuses and codes. */
static void test_R25_accepted_ack(void **state)
{
	struct fixture *f = *state;
	struct agreement a;
	xmlNodePtr root, h, n, c;
	int i;

	strcpy(f->r.letter, "2600000001");
	f->r.letter_created = 1;
	f->r.letter_status = "initiated";
	i = reply_item_add(&f->r, "1");
	assert_int_equal(i, 0);
	agreement(&a, "20260000000001", ST_INITIATED);
	reply_item_set(&f->r, i, &a, 1);
	i = reply_item_add(&f->r, "two");
	assert_int_equal(i, 1);
	agreement(&a, "20260000000002", ST_CONFIRMED);
	reply_item_set(&f->r, i, &a, 0);	/* without codes */
	assert_string_equal(reply_outcome(&f->r), "accepted");
	reply_ack_xml(&f->r, f->codes, &f->out);
	root = valid(f);

	assert_string_equal((const char *)root->name, "Ack");
	assert_string_equal(attr(root, "version"), "1");
	h = xmlin_child(root, "Header");
	assert_string_equal(text(h, "MessageId"), "ACK-" ID);
	assert_string_equal(text(h, "Sender"), "ENTRUSTHUB");
	assert_string_equal(text(h, "Receiver"), "1101230001");
	n = xmlin_child(root, "InReplyTo");
	assert_string_equal(text(n, "MessageId"), "ERP-20261203-0001");
	assert_string_equal(text(n, "MessageType"), "EntrustRequest");
	assert_string_equal(text(n, "File"), "req.p7m");
	assert_string_equal(text(n, "Sha256"), SHA);
	assert_string_equal(text(root, "Outcome"), "accepted");
	assert_int_equal(count(root, "Error"), 0);
	n = xmlin_child(root, "Letter");
	assert_string_equal(text(n, "Number"), "2600000001");
	assert_string_equal(text(n, "Created"), "true");
	assert_string_equal(text(n, "Status"), "initiated");

	assert_int_equal(count(root, "Agreement"), 2);
	n = xmlin_child(root, "Agreement");
	assert_string_equal(attr(n, "ref"), "1");
	assert_string_equal(attr(n, "outcome"), "accepted");
	assert_string_equal(text(n, "Number"), "20260000000001");
	assert_string_equal(text(n, "Status"), "0");
	/* R12 反填: each code with its name from conf/codes. */
	assert_int_equal(count(n, "Code"), 4);
	c = xmlin_child(n, "Code");
	assert_string_equal(attr(c, "field"), "TradeMode");
	assert_string_equal(attr(c, "value"), "0110");
	assert_string_equal(text(n, "Code"), "一般贸易");
	c = xmlin_next(c, "Code");
	assert_string_equal(attr(c, "field"), "Origin");
	n = xmlin_next(n, "Agreement");
	assert_string_equal(attr(n, "ref"), "two");
	assert_string_equal(text(n, "Status"), "1");
	assert_int_equal(count(n, "Code"), 0);
}

/* The echoed names, one by one. */
static void test_R12_codes_echoed_with_names(void **state)
{
	static const char *want[][3] = {
		{"TradeMode", "0110", "一般贸易"}, {"Origin", "502", "美国"},
		{"Currency", "USD", "美元"}, {"Unit", "035", "千克"},
	};
	struct fixture *f = *state;
	struct agreement a;
	xmlNodePtr n, c;
	int i = 0;

	agreement(&a, "20260000000001", ST_INITIATED);
	reply_item_set(&f->r, reply_item_add(&f->r, "1"), &a, 1);
	reply_ack_xml(&f->r, f->codes, &f->out);
	n = xmlin_child(valid(f), "Agreement");
	for (c = xmlin_child(n, "Code"); c; c = xmlin_next(c, "Code"), i++) {
		xmlChar *s = xmlNodeGetContent(c);

		assert_true(i < 4);
		assert_string_equal(attr(c, "field"), want[i][0]);
		assert_string_equal(attr(c, "value"), want[i][1]);
		assert_string_equal((const char *)s, want[i][2]);
		xmlFree(s);
	}
	assert_int_equal(i, 4);
}

/* An unknown code, or no code tables, echoes nothing (never a wrong name). */
static void test_R12_unknown_code_not_echoed(void **state)
{
	struct fixture *f = *state;
	struct agreement a;
	xmlNodePtr n;

	agreement(&a, "20260000000001", ST_INITIATED);
	strcpy(a.trade_mode, "9999");
	strcpy(a.unit, "");
	reply_item_set(&f->r, reply_item_add(&f->r, "1"), &a, 1);
	reply_ack_xml(&f->r, f->codes, &f->out);
	n = xmlin_child(valid(f), "Agreement");
	assert_int_equal(count(n, "Code"), 2);		/* Origin, Currency */
	assert_string_equal(attr(xmlin_child(n, "Code"), "field"), "Origin");
	reply_ack_xml(&f->r, NULL, &f->out);
	assert_int_equal(count(xmlin_child(valid(f), "Agreement"), "Code"), 0);
}

/* A message-level refusal: Outcome refused, the Error at the top, and no
 * letter or items even if some were set before the refusal. */
static void test_R25_refused_ack(void **state)
{
	struct fixture *f = *state;
	struct agreement a;
	xmlNodePtr root, e;

	strcpy(f->r.letter, "2600000001");
	agreement(&a, "20260000000001", ST_INITIATED);
	reply_item_set(&f->r, reply_item_add(&f->r, "1"), &a, 1);
	reply_error(&f->r, -1, R_LETTER_TERMS_FIXED, "/EntrustRequest/Letter", "live letter %s", "2600000001");
	assert_int_equal(f->r.refused, 1);
	assert_string_equal(reply_outcome(&f->r), "refused");
	reply_ack_xml(&f->r, f->codes, &f->out);
	root = valid(f);
	assert_string_equal(text(root, "Outcome"), "refused");
	assert_int_equal(count(root, "Error"), 1);
	e = xmlin_child(root, "Error");
	assert_string_equal(attr(e, "code"), "LETTER_TERMS_FIXED");
	assert_string_equal(attr(e, "rule"), "R8");
	assert_string_equal(attr(e, "path"), "/EntrustRequest/Letter");
	assert_string_equal(text(e, "Zh"), reason_zh(R_LETTER_TERMS_FIXED));
	assert_string_equal(text(e, "En"), reason_en(R_LETTER_TERMS_FIXED));
	assert_string_equal(text(e, "Detail"), "live letter 2600000001");
	assert_int_equal(count(root, "Letter"), 0);
	assert_int_equal(count(root, "Agreement"), 0);
}

/* No rule, no path, no detail: those attributes and elements are left out. */
static void test_error_without_rule_path_detail(void **state)
{
	struct fixture *f = *state;
	xmlNodePtr e;

	reply_error(&f->r, -1, R_XML_INVALID, NULL, NULL);
	reply_ack_xml(&f->r, f->codes, &f->out);
	e = xmlin_child(valid(f), "Error");
	assert_string_equal(attr(e, "code"), "XML_INVALID");
	assert_string_equal(attr(e, "rule"), "(absent)");
	assert_string_equal(attr(e, "path"), "(absent)");
	assert_string_equal(text(e, "Detail"), "(absent)");
}

/* Some items refused: partial; each refused item carries its own Error. */
static void test_partial_ack_item_errors(void **state)
{
	struct fixture *f = *state;
	struct agreement a;
	xmlNodePtr root, n, e;

	agreement(&a, "20260000000001", ST_INITIATED);
	reply_item_set(&f->r, reply_item_add(&f->r, "1"), &a, 1);
	reply_item_add(&f->r, "1");
	reply_error(&f->r, 1, R_DUPLICATE_REF, "/EntrustRequest/Agreement[2]", "ref %s", "1");
	reply_error(&f->r, 1, R_CODE_UNKNOWN, "/EntrustRequest/Agreement[2]/TradeMode", "TradeMode 9999");
	assert_int_equal(f->r.refused, 0);
	assert_string_equal(reply_outcome(&f->r), "partial");
	reply_ack_xml(&f->r, f->codes, &f->out);
	root = valid(f);
	assert_string_equal(text(root, "Outcome"), "partial");
	assert_int_equal(count(root, "Error"), 0);
	n = xmlin_child(root, "Agreement");
	assert_string_equal(attr(n, "outcome"), "accepted");
	assert_int_equal(count(n, "Error"), 0);
	n = xmlin_next(n, "Agreement");
	assert_string_equal(attr(n, "outcome"), "refused");
	assert_string_equal(text(n, "Number"), "(absent)");
	assert_string_equal(text(n, "Status"), "(absent)");
	assert_int_equal(count(n, "Error"), 2);
	e = xmlin_child(n, "Error");
	assert_string_equal(attr(e, "code"), "DUPLICATE_REF");
	assert_string_equal(attr(e, "path"), "/EntrustRequest/Agreement[2]");
	e = xmlin_next(e, "Error");
	assert_string_equal(attr(e, "code"), "CODE_UNKNOWN");
	assert_string_equal(attr(e, "rule"), "R12");
}

/* Table: the outcome from message- and item-level errors. */
static const struct {
	const char	*label;
	int		 items, refused_items, message_error;
	const char	*want;
} outcomes[] = {
	{"nothing at all", 0, 0, 0, "accepted"},
	{"all items fine", 3, 0, 0, "accepted"},
	{"one of three refused", 3, 1, 0, "partial"},
	{"two of three refused", 3, 2, 0, "partial"},
	{"every item refused", 3, 3, 0, "refused"},
	{"the only item refused", 1, 1, 0, "refused"},
	{"message error, items fine", 3, 0, 1, "refused"},
	{"message error without items", 0, 0, 1, "refused"},
};

static void test_table_outcome(void **state)
{
	struct fixture *f = *state;
	size_t i;
	int k;

	for (i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++) {
		reply_free(&f->r);
		reply_init(&f->r, ID, "ENTRUSTHUB", "req.p7m", SHA);
		strcpy(f->r.receiver, "1101230001");
		for (k = 0; k < outcomes[i].items; k++)
			reply_item_add(&f->r, "");
		for (k = 0; k < outcomes[i].refused_items; k++)
			reply_error(&f->r, k, R_BROKER_HALF_REQUIRED, NULL, NULL);
		if (outcomes[i].message_error)
			reply_error(&f->r, -1, R_ROLE_FORBIDDEN, NULL, NULL);
		if (strcmp(reply_outcome(&f->r), outcomes[i].want) != 0)
			fail_msg("%s: %s, want %s", outcomes[i].label, reply_outcome(&f->r), outcomes[i].want);
		reply_ack_xml(&f->r, f->codes, &f->out);
		assert_string_equal(text(valid(f), "Outcome"), outcomes[i].want);
	}
}

/* Many items: the item array grows without losing earlier ones. */
static void test_many_items(void **state)
{
	struct fixture *f = *state;
	struct agreement a;
	char ref[16], num[32];
	xmlNodePtr n;
	int i;

	for (i = 0; i < 40; i++) {
		snprintf(ref, sizeof(ref), "r%d", i);
		snprintf(num, sizeof(num), "2026%010d", i + 1);
		agreement(&a, num, ST_INITIATED);
		assert_int_equal(reply_item_add(&f->r, ref), i);
		reply_item_set(&f->r, i, &a, 0);
	}
	reply_ack_xml(&f->r, f->codes, &f->out);
	n = xmlin_child(valid(f), "Agreement");
	for (i = 0; n; n = xmlin_next(n, "Agreement"), i++) {
		snprintf(ref, sizeof(ref), "r%d", i);
		snprintf(num, sizeof(num), "2026%010d", i + 1);
		assert_string_equal(attr(n, "ref"), ref);
		assert_string_equal(text(n, "Number"), num);
	}
	assert_int_equal(i, 40);
}

/* Text from the sender is escaped, never markup. */
static void test_text_is_escaped(void **state)
{
	struct fixture *f = *state;
	static const char nasty[] = "</Detail><Outcome>accepted</Outcome> & \"quotes\" 'and' <![CDATA[x]]>";
	xmlNodePtr root, e;

	strcpy(f->r.in_file, "a&b<c>.p7m");
	reply_error(&f->r, -1, R_XML_INVALID, "/a[@b=\"<\"]", "%s", nasty);
	reply_ack_xml(&f->r, f->codes, &f->out);
	root = valid(f);
	assert_string_equal(text(root, "Outcome"), "refused");
	assert_int_equal(count(root, "Outcome"), 1);
	e = xmlin_child(root, "Error");
	assert_string_equal(text(e, "Detail"), nasty);
	assert_string_equal(attr(e, "path"), "/a[@b=\"<\"]");
	assert_string_equal(text(xmlin_child(root, "InReplyTo"), "File"), "a&b<c>.p7m");
}

/* An envelope refused before its MessageId was read: InReplyTo has only File and Sha256. */
static void test_ack_without_message_id(void **state)
{
	struct fixture *f = *state;
	xmlNodePtr n;

	f->r.in_msgid[0] = '\0';
	f->r.in_type[0] = '\0';
	reply_error(&f->r, -1, R_XML_MALFORMED, NULL, "line 1: not XML");
	reply_ack_xml(&f->r, f->codes, &f->out);
	n = xmlin_child(valid(f), "InReplyTo");
	assert_string_equal(text(n, "MessageId"), "(absent)");
	assert_string_equal(text(n, "MessageType"), "(absent)");
	assert_string_equal(text(n, "File"), "req.p7m");
}

/* A query's Result goes into the Ack, which then owns it. */
static void test_result_handed_to_ack(void **state)
{
	struct fixture *f = *state;
	xmlNodePtr res = xmlNewNode(NULL, (const xmlChar *)"Result");

	xmlSetNs(res, xmlNewNs(res, (const xmlChar *)ENTRUST_NS, NULL));
	xmlNewTextChild(res, res->ns, (const xmlChar *)"Count", (const xmlChar *)"3");
	f->r.result = res;
	reply_ack_xml(&f->r, f->codes, &f->out);
	assert_null(f->r.result);
	assert_string_equal(text(xmlin_child(valid(f), "Result"), "Count"), "3");
}

/* A refused query keeps no Result; reply_free disposes of it. */
static void test_result_dropped_when_refused(void **state)
{
	struct fixture *f = *state;
	xmlNodePtr res = xmlNewNode(NULL, (const xmlChar *)"Result");

	xmlSetNs(res, xmlNewNs(res, (const xmlChar *)ENTRUST_NS, NULL));
	f->r.result = res;
	reply_error(&f->r, -1, R_QUERY_INVALID, NULL, NULL);
	reply_ack_xml(&f->r, f->codes, &f->out);
	assert_int_equal(count(valid(f), "Result"), 0);
	reply_free(&f->r);
	assert_null(f->r.result);
	assert_null(f->r.items);
	assert_null(f->r.errors);
	assert_int_equal(f->r.nitems, 0);
	assert_int_equal(f->r.nerrors, 0);
}

static void test_init_cuts_long_fields(void **state)
{
	struct fixture *f = *state;
	char longfile[400];

	memset(longfile, 'f', sizeof(longfile) - 1);
	longfile[sizeof(longfile) - 1] = '\0';
	reply_free(&f->r);
	reply_init(&f->r, ID, "ENTRUSTHUB-TOO-LONG", longfile, SHA);
	assert_string_equal(f->r.hub_code, "ENTRUSTHUB");
	assert_int_equal(strlen(f->r.in_file), sizeof(f->r.in_file) - 1);
	assert_int_equal(f->r.nitems, 0);
	assert_int_equal(f->r.refused, 0);
}

/* ---- notices (R26) ---- */

static void notice(struct notice *n, const char *receiver, const char *event)
{
	memset(n, 0, sizeof(*n));
	strcpy(n->receiver, receiver);
	strcpy(n->event, event);
	strcpy(n->from, "1101230001");
}

/* Agreements of one letter: the Letter once, at the top. */
static void test_R26_notice_one_letter(void **state)
{
	struct fixture *f = *state;
	struct reply_item items[2];
	struct agreement a;
	struct notice n;
	xmlNodePtr root, ag;

	notice(&n, "4101W68006", "request-waiting");
	agreement(&a, "20260000000001", ST_INITIATED);
	memset(items, 0, sizeof(items));
	reply_item_from(&items[0], &a);
	agreement(&a, "20260000000002", ST_INITIATED);
	reply_item_from(&items[1], &a);
	n.items = items;
	n.nitems = 2;
	reply_notice_xml(&f->r, &n, &f->out);
	root = valid(f);
	assert_string_equal((const char *)root->name, "Notice");
	assert_string_equal(text(xmlin_child(root, "Header"), "MessageId"), "NTC-" ID "-4101W68006-request-waiting");
	assert_string_equal(text(xmlin_child(root, "Header"), "Receiver"), "4101W68006");
	assert_string_equal(text(xmlin_child(root, "Header"), "Sender"), "ENTRUSTHUB");
	assert_string_equal(text(root, "Event"), "request-waiting");
	assert_string_equal(text(root, "From"), "1101230001");
	assert_string_equal(text(root, "Letter"), "2600000001");
	assert_int_equal(count(root, "Agreement"), 2);
	ag = xmlin_child(root, "Agreement");
	assert_string_equal(text(ag, "Number"), "20260000000001");
	assert_string_equal(text(ag, "Status"), "0");
	assert_string_equal(text(ag, "Letter"), "(absent)");
	assert_string_equal(text(root, "ValidUntil"), "(absent)");
	assert_string_equal(text(root, "Remark"), "(absent)");
}

/* Agreements of several letters: each names its own, none at the top. */
static void test_R26_notice_several_letters(void **state)
{
	struct fixture *f = *state;
	struct reply_item items[2];
	struct agreement a;
	struct notice n;
	xmlNodePtr root, ag;

	notice(&n, "1101230001", "expired");
	agreement(&a, "20260000000001", ST_EXPIRED);
	memset(items, 0, sizeof(items));
	reply_item_from(&items[0], &a);
	agreement(&a, "20260000000009", ST_EXPIRED);
	strcpy(a.letter, "2600000002");
	reply_item_from(&items[1], &a);
	n.items = items;
	n.nitems = 2;
	reply_notice_xml(&f->r, &n, &f->out);
	root = valid(f);
	assert_string_equal(text(root, "Letter"), "(absent)");
	ag = xmlin_child(root, "Agreement");
	assert_string_equal(text(ag, "Letter"), "2600000001");
	assert_string_equal(text(ag, "Status"), "6");
	assert_string_equal(text(xmlin_next(ag, "Agreement"), "Letter"), "2600000002");
}

/* A notice about a letter as a whole, with a deadline and a remark; and one with nothing. */
static void test_R26_notice_letter_deadline_remark(void **state)
{
	struct fixture *f = *state;
	struct notice n;
	xmlNodePtr root;

	notice(&n, "4101W68006", "registration-expiring");
	strcpy(n.from, "ENTRUSTHUB");
	strcpy(n.letter, "2600000003");
	n.valid_until = 1796256000;	/* 2026-12-03T00:00:00Z */
	strcpy(n.remark, "请续期 <renew> & more");
	reply_notice_xml(&f->r, &n, &f->out);
	root = valid(f);
	assert_string_equal(text(root, "Letter"), "2600000003");
	assert_string_equal(text(root, "ValidUntil"), "2026-12-03T00:00:00Z");
	assert_string_equal(text(root, "Remark"), "请续期 <renew> & more");
	assert_int_equal(count(root, "Agreement"), 0);

	notice(&n, "4101W68006", "registration-approved");
	reply_notice_xml(&f->r, &n, &f->out);
	root = valid(f);
	assert_string_equal(text(root, "Letter"), "(absent)");
	assert_string_equal(text(root, "Event"), "registration-approved");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_R25_accepted_ack),
		T(test_R12_codes_echoed_with_names),
		T(test_R12_unknown_code_not_echoed),
		T(test_R25_refused_ack),
		T(test_error_without_rule_path_detail),
		T(test_partial_ack_item_errors),
		T(test_table_outcome),
		T(test_many_items),
		T(test_text_is_escaped),
		T(test_ack_without_message_id),
		T(test_result_handed_to_ack),
		T(test_result_dropped_when_refused),
		T(test_init_cuts_long_fields),
		T(test_R26_notice_one_letter),
		T(test_R26_notice_several_letters),
		T(test_R26_notice_letter_deadline_remark),
	};

	return cmocka_run_group_tests_name("reply", tests, group_setup, group_teardown);
}
