/* test_msg_query — 查询 Query applied as the daemon applies it: broker
 * search (R5, R6: public part only), status query (R21: the asker's own
 * agreements, filters combined), recent five (R22), statistics (R23: only
 * status 5, China days, To inclusive; To before From refused), account
 * (R18, R24) and top-up records (R20).  Every answer is read from the Ack
 * that reply.c builds, and that Ack must be valid against xsd/.  A query
 * changes nothing and tells no one (R26 does not apply). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "conf.h"
#include "log.h"
#include "msg.h"
#include "registry.h"
#include "reply.h"
#include "sample.h"
#include "store.h"
#include "xmlin.h"
#include "testutil.h"

#define ME	"1101230001"
#define ME2	"1101230002"
#define BR	"4101W68006"
#define BR2	"4101W68007"	/* approved, expired (R5) */
#define BR3	"4701W68008"	/* a change pending, never approved */
#define NOW	((time_t)1796263200)	/* 2026-12-03T02:00:00Z, 10:00 in China */
#define DAY	86400
#define SHA	"abd7535df2117f416b47acae4fddd44500b548a428914ca18e8f4e2152e52452"

static const char registry_text[] =
    ME " consignor aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 北京示例贸易有限公司\n"
    ME2 " consignor bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb 北京第二贸易有限公司\n"
    BR " broker cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc 郑州示例报关有限公司\n"
    BR2 " broker dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd 过期报关有限公司\n";

struct fixture {
	char		*dir, *tdir;
	struct registry	*reg;
	struct xmlin	*x;
	struct conf	 conf;
	struct store	*s;
	struct reply	 r;
	struct msg_ctx	 ctx;
	struct buf	 xml, ack;
	int		 nmsg;
};

static int group_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char p[PATH_MAX], err[512];

	log_open(NULL, 0);
	xmlin_global_init();
	f->dir = tu_tmpdir("msgquery");
	if (tu_writes(tu_path(p, "%s/parties.conf", f->dir), registry_text) != 0)
		return -1;
	f->reg = registry_load(p, err, sizeof(err));
	f->x = xmlin_load(tu_path(p, "%s/xsd/entrust.xsd", tu_src()), err, sizeof(err));
	if (f->reg == NULL || f->x == NULL) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	conf_defaults(&f->conf);
	*state = f;
	return 0;
}

static int group_teardown(void **state)
{
	struct fixture *f = *state;

	registry_free(f->reg);
	xmlin_free(f->x);
	tu_rmrf(f->dir);
	free(f->dir);
	free(f);
	xmlin_global_done();
	return 0;
}

/* ---- the store as earlier messages left it ---- */

static void broker(struct fixture *f, const char *code, char kind, const char *name, const char *district,
    int64_t valid_until)
{
	struct registration r;

	memset(&r, 0, sizeof(r));
	strcpy(r.code, code);
	strcpy(r.name, name);
	strcpy(r.district, district);
	strcpy(r.address, "郑州市航空港区示例路1号");
	strcpy(r.introduction, "专业代理进出口报关");
	strcpy(r.public_phone, "0371-66668888");
	strcpy(r.manager_name, "李四");
	strcpy(r.manager_id, "410100198001010011");
	strcpy(r.declarants[0].name, "王五");
	strcpy(r.declarants[0].number, "4601000123");
	strcpy(r.declarants[0].phone, "13800000001");
	strcpy(r.declarants[1].name, "赵六");
	strcpy(r.declarants[1].number, "4601000456");
	strcpy(r.declarants[1].phone, "13800000002");
	r.ndeclarants = 2;
	r.approved_at = NOW - DAY;
	r.valid_until = valid_until;
	assert_int_equal(store_registration_put(f->s, NULL, kind, &r), 0);
}

/* Agreement 2026000000<idx> between consignor and broker, indexed by both parties. */
static void agreement(struct fixture *f, int idx, const char *consignor, const char *broker, int st,
    int64_t signed_at, int64_t used_at, const char *value)
{
	struct agreement a;
	char key[40];

	memset(&a, 0, sizeof(a));
	snprintf(a.number, sizeof(a.number), "2026%010d", idx);
	snprintf(a.letter, sizeof(a.letter), "26%08d", strcmp(broker, BR) == 0 ? 1 : 2);
	strcpy(a.initiator, consignor);
	strcpy(a.consignor, consignor);
	strcpy(a.broker, broker);
	strcpy(a.payer, "consignor");
	a.status = st;
	sample_goods(&a);
	strcpy(a.total_value, value);
	snprintf(a.bill_of_lading, sizeof(a.bill_of_lading), "COSU%04d", idx);
	a.signed_at = signed_at;
	a.used_at = used_at;
	assert_int_equal(store_agreement_put(f->s, NULL, &a), 0);
	snprintf(key, sizeof(key), "%s|%s", consignor, a.number);
	assert_int_equal(store_put(f->s, NULL, SDB_BY_PARTY, key, strlen(key), "", 0), 0);
	snprintf(key, sizeof(key), "%s|%s", broker, a.number);
	assert_int_equal(store_put(f->s, NULL, SDB_BY_PARTY, key, strlen(key), "", 0), 0);
}

static void topup(struct fixture *f, const char *code, int64_t at, uint64_t seq, const char *val)
{
	unsigned char key[26];

	memcpy(key, code, 10);
	store_be64(key + 10, (uint64_t)at);
	store_be64(key + 18, seq);
	assert_int_equal(store_put(f->s, NULL, SDB_TOPUPS, key, 26, val, strlen(val)), 0);
}

static int setup(void **state)
{
	struct fixture *f = *state;
	struct account acc = {100, 1, 3}, over = {2, 1, 2};
	char p[PATH_MAX], err[256];

	f->tdir = tu_tmpdir("msgquery-t");
	f->s = store_open(tu_path(p, "%s/db", f->tdir), 0, err, sizeof(err));
	assert_non_null(f->s);
	broker(f, BR, 'A', "郑州示例报关有限公司", "4601", NOW + 365 * DAY);
	broker(f, BR2, 'A', "过期报关有限公司", "4602", NOW - 1);
	broker(f, BR3, 'P', "待审报关有限公司", "4701", NOW + 365 * DAY);
	/* ME with BR, signed in the order 1 < 2 < 4 < 5 < 6 < 8; 3 never; 7 rejected */
	agreement(f, 1, ME, BR, ST_DECLARABLE, NOW - 900, 0, "120000.00");
	agreement(f, 2, ME, BR, ST_USED, NOW - 800, NOW - 100, "120000.00");
	agreement(f, 3, ME, BR, ST_INITIATED, 0, 0, "120000.00");
	agreement(f, 4, ME, BR, ST_IN_USE, NOW - 700, 0, "100.00");
	agreement(f, 5, ME, BR, ST_CONFIRMED, NOW - 600, 0, "120000.00");
	agreement(f, 6, ME, BR, ST_DECLARABLE, NOW - 500, 0, "100");
	agreement(f, 7, ME, BR, ST_REJECTED, NOW - 50, 0, "120000.00");
	agreement(f, 8, ME, BR, ST_USED, NOW - 400, NOW - 40 * DAY, "120000.00");
	agreement(f, 9, ME, BR2, ST_DECLARABLE, NOW - 10, 0, "120000.00");
	agreement(f, 10, ME2, BR, ST_DECLARABLE, NOW - 5, 0, "120000.00");	/* not ME's */
	agreement(f, 11, ME, BR2, ST_EXPIRED, NOW - 300, NOW - 100, "120000.00");	/* used_at kept, but 6 */
	assert_int_equal(store_account_put(f->s, NULL, ME, &acc), 0);
	assert_int_equal(store_account_put(f->s, NULL, BR, &over), 0);
	topup(f, ME, NOW - 2000, 1, "100|INV-2026-000123|2026-12-01T07:30:00+08:00|MSG-1");
	topup(f, ME, NOW - 1000, 2, "5|INV-2026-000124||MSG-2");
	topup(f, BR, NOW - 1500, 3, "2|INV-2026-000125||MSG-3");
	f->nmsg = 0;
	buf_init(&f->xml);
	buf_init(&f->ack);
	reply_init(&f->r, "E2026120302000000000", "ENTRUSTHUB", "q.p7m", SHA);
	memset(&f->ctx, 0, sizeof(f->ctx));
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	msg_discard(&f->ctx);
	reply_free(&f->r);
	buf_free(&f->xml);
	buf_free(&f->ack);
	store_close(f->s);
	f->s = NULL;
	tu_rmrf(f->tdir);
	free(f->tdir);
	return 0;
}

/* Apply <Query> with question body as sender code (role) in one transaction,
 * as inbound does, and build its Ack into f->ack, which must be valid. */
static void query(struct fixture *f, const char *code, enum role role, const char *body)
{
	const struct party *sender = registry_by_code(f->reg, code, role);
	char detail[512];
	xmlDocPtr doc;
	enum reason rc;
	store_txn *t;

	assert_non_null(sender);
	buf_reset(&f->xml);
	buf_printf(&f->xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Query xmlns=\"urn:entrust:1\" version=\"1\">"
	    "<Header><MessageId>Q-%d</MessageId><Sender>%s</Sender><SentAt>2026-12-03T10:00:00+08:00</SentAt>"
	    "</Header>%s</Query>\n", ++f->nmsg, code, body);
	rc = xmlin_parse(f->x, f->xml.data, f->xml.len, &doc, detail, sizeof(detail));
	if (rc != R_NONE)
		fail_msg("test query not valid: %s %s\n%s", reason_code(rc), detail, f->xml.data);
	msg_discard(&f->ctx);
	reply_free(&f->r);
	reply_init(&f->r, "E2026120302000000000", "ENTRUSTHUB", "q.p7m", SHA);
	strcpy(f->r.receiver, code);
	snprintf(f->r.in_msgid, sizeof(f->r.in_msgid), "Q-%d", f->nmsg);
	assert_non_null(t = store_begin(f->s));
	memset(&f->ctx, 0, sizeof(f->ctx));
	f->ctx.store = f->s;
	f->ctx.txn = t;
	f->ctx.registry = f->reg;
	f->ctx.conf = &f->conf;
	f->ctx.sender = sender;
	f->ctx.now = NOW;
	f->ctx.reply = &f->r;
	assert_int_equal(msg_query_apply(&f->ctx, xmlDocGetRootElement(doc)), 0);
	assert_int_equal(store_commit(t), 0);
	f->ctx.txn = NULL;
	xmlFreeDoc(doc);
	assert_string_equal(f->r.in_type, "Query");
	assert_int_equal(f->ctx.nnotices, 0);		/* a query tells no one */
	buf_reset(&f->ack);
	reply_ack_xml(&f->r, NULL, &f->ack);
	rc = xmlin_parse(f->x, f->ack.data, f->ack.len, &doc, detail, sizeof(detail));
	if (rc != R_NONE)
		fail_msg("Ack not valid against xsd/: %s %s\n%s", reason_code(rc), detail, f->ack.data);
	xmlFreeDoc(doc);
}

/* The agreements in the Ack's Result, by their last two digits: "01 02 …". */
static const char *numbers(struct fixture *f)
{
	static char got[128];
	const char *p = f->ack.data;
	size_t k = 0;

	got[0] = '\0';
	while ((p = strstr(p, "<Number>2026")) != NULL && k + 4 < sizeof(got)) {
		k += (size_t)snprintf(got + k, sizeof(got) - k, "%s%.2s", k ? " " : "", p + 20);
		p += 20;
	}
	return got;
}

static const char *ack(struct fixture *f)
{
	return f->ack.data;
}

/* Occurrences of needle in hay. */
static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay += strlen(needle))
		n++;
	return n;
}

/* R6 (R5): approved, unexpired brokers only, never the manager or the declarants' phones. */
static void test_R6_broker_search_hides_identity_number(void **state)
{
	static const struct {
		const char	*label, *body, *want;	/* codes found, in key order */
	} rows[] = {
		{"all: not the expired, not the pending", "<BrokerSearch/>", BR},
		{"district prefix", "<BrokerSearch><District>46</District></BrokerSearch>", BR},
		{"district of the expired one", "<BrokerSearch><District>4602</District></BrokerSearch>", ""},
		{"name fragment", "<BrokerSearch><NameContains>示例</NameContains></BrokerSearch>", BR},
		{"name of the pending one", "<BrokerSearch><NameContains>待审</NameContains></BrokerSearch>", ""},
		{"code", "<BrokerSearch><Code>" BR "</Code></BrokerSearch>", BR},
		{"code of the expired one", "<BrokerSearch><Code>" BR2 "</Code></BrokerSearch>", ""},
		{"filters AND", "<BrokerSearch><District>47</District><Code>" BR "</Code></BrokerSearch>", ""},
	};
	static const char *const hidden[] = {"410100198001010011", "13800000001", "13800000002", "李四", "Manager"};
	struct fixture *f = *state;
	size_t i, k;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		query(f, ME, ROLE_CONSIGNOR, rows[i].body);
		assert_string_equal(reply_outcome(&f->r), "accepted");
		if (rows[i].want[0] == '\0')
			assert_non_null(strstr(ack(f), "<Result/>"));
		else if (strstr(ack(f), "<Code>" BR "</Code>") == NULL || count(ack(f), "<Broker>") != 1)
			fail_msg("%s:\n%s", rows[i].label, ack(f));
		for (k = 0; k < sizeof(hidden) / sizeof(hidden[0]); k++)
			if (strstr(ack(f), hidden[k]) != NULL)
				fail_msg("%s: %s shown", rows[i].label, hidden[k]);
	}
	query(f, BR, ROLE_BROKER, "<BrokerSearch><Code>" BR "</Code></BrokerSearch>");
	assert_non_null(strstr(ack(f), "<Name>郑州示例报关有限公司</Name>"));
	assert_non_null(strstr(ack(f), "<District>4601</District>"));
	assert_non_null(strstr(ack(f), "<Introduction>专业代理进出口报关</Introduction>"));
	assert_non_null(strstr(ack(f), "<PublicPhone>0371-66668888</PublicPhone>"));
	assert_non_null(strstr(ack(f), "<ValidUntil>2027-12-03T02:00:00Z</ValidUntil>"));
	assert_int_equal(count(ack(f), "<Declarant>"), 2);
	assert_non_null(strstr(ack(f), "<Name>王五</Name>"));
	assert_non_null(strstr(ack(f), "<Number>4601000123</Number>"));
	assert_non_null(strstr(ack(f), "<Number>4601000456</Number>"));
	assert_null(strstr(ack(f), "Phone>138"));
}

/* R21: the asker's own agreements (either role), filters combined with AND. */
static void test_R21_status_query_combined_filters(void **state)
{
	static const struct {
		const char	*label, *code;
		enum role	 role;
		const char	*body, *want;
	} rows[] = {
		{"no filter: all of mine", ME, ROLE_CONSIGNOR, "<StatusQuery/>", "01 02 03 04 05 06 07 08 09 11"},
		{"a broker's: its role too", BR, ROLE_BROKER, "<StatusQuery/>", "01 02 03 04 05 06 07 08 10"},
		{"counterparty AND status", ME, ROLE_CONSIGNOR,
		    "<StatusQuery><Counterparty>" BR "</Counterparty><Status>2</Status></StatusQuery>", "01 06"},
		{"letter", ME, ROLE_CONSIGNOR, "<StatusQuery><Letter>2600000002</Letter></StatusQuery>", "09 11"},
		{"agreement", ME, ROLE_CONSIGNOR, "<StatusQuery><Agreement>20260000000004</Agreement></StatusQuery>", "04"},
		{"another's agreement: not found", ME, ROLE_CONSIGNOR,
		    "<StatusQuery><Agreement>20260000000010</Agreement></StatusQuery>", ""},
		{"bill of lading", ME, ROLE_CONSIGNOR, "<StatusQuery><BillOfLading>COSU0005</BillOfLading></StatusQuery>",
		    "05"},
		{"value as a number", ME, ROLE_CONSIGNOR, "<StatusQuery><TotalValue>100.000</TotalValue></StatusQuery>",
		    "04 06"},
		{"value with more leading zeros than a copy of 31 characters holds", ME, ROLE_CONSIGNOR,
		    "<StatusQuery><TotalValue>000000000000000000000000000000000000100.00</TotalValue></StatusQuery>",
		    "04 06"},
		{"status 0", ME, ROLE_CONSIGNOR, "<StatusQuery><Status>0</Status></StatusQuery>", "03"},
		{"status with leading zeros (xs:unsignedByte)", ME, ROLE_CONSIGNOR,
		    "<StatusQuery><Status>0000000002</Status></StatusQuery>", "01 06 09"},
		{"status 5, the query pretty-printed", ME, ROLE_CONSIGNOR,
		    "<StatusQuery>\n      <Status>5</Status>\n    </StatusQuery>", "02 08"},
		{"every filter at once", ME, ROLE_CONSIGNOR, "<StatusQuery><Counterparty>" BR "</Counterparty>"
		    "<Letter>2600000001</Letter><Agreement>20260000000006</Agreement><BillOfLading>COSU0006</BillOfLading>"
		    "<TotalValue>100</TotalValue><Status>2</Status></StatusQuery>", "06"},
		{"every filter, one wrong", ME, ROLE_CONSIGNOR, "<StatusQuery><Counterparty>" BR "</Counterparty>"
		    "<Letter>2600000001</Letter><Agreement>20260000000006</Agreement><BillOfLading>COSU0006</BillOfLading>"
		    "<TotalValue>100</TotalValue><Status>4</Status></StatusQuery>", ""},
	};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		query(f, rows[i].code, rows[i].role, rows[i].body);
		if (strcmp(numbers(f), rows[i].want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", rows[i].label, numbers(f), rows[i].want);
		assert_string_equal(reply_outcome(&f->r), "accepted");
	}
}

/* Every AgreementSummary child, in the schema's order; SignedAt only once signed. */
static void test_R21_agreement_summary_fields(void **state)
{
	static const char *const order[] = {
		"<Number>20260000000001</Number>", "<Letter>2600000001</Letter>", "<Status>2</Status>",
		"<Consignor>" ME "</Consignor>", "<Broker>" BR "</Broker>", "<Initiator>" ME "</Initiator>",
		"<Payer>consignor</Payer>", "<GoodsName>笔记本电脑</GoodsName>", "<HsCode>8471300000</HsCode>",
		"<TotalValue>120000.00</TotalValue>", "<Currency>USD</Currency>", "<Quantity>300</Quantity>",
		"<Unit>001</Unit>", "<Direction>I</Direction>", "<Date>2026-12-20</Date>",
		"<BillOfLading>COSU0001</BillOfLading>", "<TradeMode>0110</TradeMode>", "<Origin>502</Origin>",
		"<SignedAt>2026-12-03T01:45:00Z</SignedAt>",
	};
	struct fixture *f = *state;
	const char *p;
	size_t i;

	query(f, ME, ROLE_CONSIGNOR, "<StatusQuery><Agreement>20260000000001</Agreement></StatusQuery>");
	for (p = ack(f), i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if ((p = strstr(p, order[i])) == NULL)
			fail_msg("%s missing or out of order:\n%s", order[i], ack(f));
	query(f, ME, ROLE_CONSIGNOR, "<StatusQuery><Agreement>20260000000003</Agreement></StatusQuery>");
	assert_string_equal(numbers(f), "03");
	assert_null(strstr(ack(f), "<SignedAt>"));	/* never reached 1 */
}

/* R22: five, status 1, 2, 4 or 5, with that counterparty, most recently signed first. */
static void test_R22_recent_five_order(void **state)
{
	struct fixture *f = *state;

	query(f, ME, ROLE_CONSIGNOR, "<RecentFive><Counterparty>" BR "</Counterparty></RecentFive>");
	assert_string_equal(numbers(f), "08 06 05 04 02");	/* not 03 (0), 07 (3), 01 (sixth), 09/10 */
	query(f, BR, ROLE_BROKER, "<RecentFive><Counterparty>" ME2 "</Counterparty></RecentFive>");
	assert_string_equal(numbers(f), "10");
	query(f, ME, ROLE_CONSIGNOR, "<RecentFive><Counterparty>" BR2 "</Counterparty></RecentFive>");
	assert_string_equal(numbers(f), "09");			/* 11 is expired (6) */
	query(f, ME2, ROLE_CONSIGNOR, "<RecentFive><Counterparty>" BR2 "</Counterparty></RecentFive>");
	assert_string_equal(numbers(f), "");
}

/* R23: agreements now in 5 that reached 5 between From and To (China days, both inclusive). */
static void test_R23_statistics_only_status_5(void **state)
{
	static const struct {
		const char	*label, *code;
		enum role	 role;
		const char	*from, *to;
		int		 want;
	} rows[] = {
		{"today: 02 (11 reached 5 too, but is 6 now)", ME, ROLE_CONSIGNOR, "2026-12-03", "2026-12-03", 1},
		{"yesterday", ME, ROLE_CONSIGNOR, "2026-12-02", "2026-12-02", 0},
		{"40 days back to today: 08 too", ME, ROLE_CONSIGNOR, "2026-10-24", "2026-12-03", 2},
		{"39 days back: not 08", ME, ROLE_CONSIGNOR, "2026-10-25", "2026-12-31", 1},
		{"the broker's count", BR, ROLE_BROKER, "2026-10-01", "2026-12-31", 2},
		{"another consignor's", ME2, ROLE_CONSIGNOR, "2026-10-01", "2026-12-31", 0},
		{"dates with a zone", ME, ROLE_CONSIGNOR, "2026-12-03+08:00", "2026-12-03Z", 1},
	};
	struct fixture *f = *state;
	char body[256], want[64];
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		snprintf(body, sizeof(body), "<Statistics><From>%s</From><To>%s</To></Statistics>", rows[i].from, rows[i].to);
		query(f, rows[i].code, rows[i].role, body);
		snprintf(want, sizeof(want), "<Result>\n    <Count>%d</Count>\n  </Result>", rows[i].want);
		if (strstr(ack(f), want) == NULL)
			fail_msg("%s: want Count %d in\n%s", rows[i].label, rows[i].want, ack(f));
	}
}

/* R23: a day ends at 16:00Z (24:00 in China). */
static void test_R23_statistics_china_day_edges(void **state)
{
	static const struct {
		int64_t	used_at;
		int	counted;
	} rows[] = {
		{1796227200 - 1, 0}, {1796227200, 1}, {1796313600 - 1, 1}, {1796313600, 0},
	};
	struct fixture *f = *state;
	char want[64];
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		agreement(f, 99, ME2, BR2, ST_USED, NOW, rows[i].used_at, "1");
		query(f, ME2, ROLE_CONSIGNOR, "<Statistics><From>2026-12-03</From><To>2026-12-03</To></Statistics>");
		snprintf(want, sizeof(want), "<Count>%d</Count>", rows[i].counted);
		if (strstr(ack(f), want) == NULL)
			fail_msg("used_at %lld: want %s", (long long)rows[i].used_at, want);
	}
}

/* R23: To before From is refused as a whole; the Ack has no Result. */
static void test_R23_statistics_to_before_from_refused(void **state)
{
	struct fixture *f = *state;

	query(f, ME, ROLE_CONSIGNOR, "<Statistics><From>2026-12-03</From><To>2026-12-02</To></Statistics>");
	assert_string_equal(reply_outcome(&f->r), "refused");
	assert_int_equal(f->r.nerrors, 1);
	assert_int_equal(f->r.errors[0].code, R_QUERY_INVALID);
	assert_int_equal(f->r.errors[0].item, -1);
	assert_string_equal(f->r.errors[0].path, "/Query/Statistics");
	assert_non_null(strstr(f->r.errors[0].detail, "2026-12-03"));
	assert_non_null(strstr(ack(f), "<Outcome>refused</Outcome>"));
	assert_non_null(strstr(ack(f), "code=\"QUERY_INVALID\""));
	assert_null(strstr(ack(f), "<Result"));
	assert_null(strstr(ack(f), "<Count>"));
}

/* R23: a year of five digits is a valid xs:date but no day of ours: refused
 * with the field's path (it was read as its first four digits, and the
 * detail said From was after To). */
static void test_R23_statistics_five_digit_year_refused(void **state)
{
	static const char *bodies[] = {
		"<Statistics><From>12026-01-01</From><To>2026-12-31</To></Statistics>",
		"<Statistics><From>2026-01-01</From><To>12026-12-31</To></Statistics>",
	};
	static const char *paths[] = {"/Query/Statistics/From", "/Query/Statistics/To"};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < 2; i++) {
		query(f, ME, ROLE_CONSIGNOR, bodies[i]);
		assert_string_equal(reply_outcome(&f->r), "refused");
		assert_int_equal(f->r.nerrors, 1);
		assert_int_equal(f->r.errors[0].code, R_QUERY_INVALID);
		assert_string_equal(f->r.errors[0].path, paths[i]);
		assert_non_null(strstr(f->r.errors[0].detail, "yyyy-mm-dd"));
	}
}

/* R24 (R18): the asker's own account; available never below 0. */
static void test_R24_account(void **state)
{
	static const struct {
		const char	*code;
		enum role	 role;
		const char	*want;
	} rows[] = {
		{ME, ROLE_CONSIGNOR, "<Purchased>100</Purchased>\n      <Used>1</Used>\n      <InUse>3</InUse>\n"
		    "      <Available>96</Available>"},
		{BR, ROLE_BROKER, "<Purchased>2</Purchased>\n      <Used>1</Used>\n      <InUse>2</InUse>\n"
		    "      <Available>0</Available>"},
		{ME2, ROLE_CONSIGNOR, "<Purchased>0</Purchased>\n      <Used>0</Used>\n      <InUse>0</InUse>\n"
		    "      <Available>0</Available>"},
	};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		query(f, rows[i].code, rows[i].role, "<AccountQuery/>");
		if (strstr(ack(f), rows[i].want) == NULL)
			fail_msg("%s: want %s in\n%s", rows[i].code, rows[i].want, ack(f));
		assert_int_equal(count(ack(f), "<Account>"), 1);
	}
}

/* R20: the asker's own top-up records, oldest first, with the hub's time. */
static void test_R20_top_up_records(void **state)
{
	struct fixture *f = *state;
	const char *a, *b;

	query(f, ME, ROLE_CONSIGNOR, "<TopUpRecords/>");
	assert_int_equal(count(ack(f), "<TopUpRecord>"), 2);
	a = strstr(ack(f), "<Units>100</Units>\n      <Reference>INV-2026-000123</Reference>\n"
	    "      <RecordedAt>2026-12-03T01:26:40Z</RecordedAt>");
	b = strstr(ack(f), "<Units>5</Units>\n      <Reference>INV-2026-000124</Reference>\n"
	    "      <RecordedAt>2026-12-03T01:43:20Z</RecordedAt>");
	assert_non_null(a);
	assert_non_null(b);
	assert_true(a < b);
	assert_null(strstr(ack(f), "INV-2026-000125"));	/* the broker's */
	assert_null(strstr(ack(f), "+08:00"));		/* PaidAt is not returned in version 1 */
	query(f, ME2, ROLE_CONSIGNOR, "<TopUpRecords/>");
	assert_non_null(strstr(ack(f), "<Result/>"));
}

/* Records a store_scan visits. */
static int count_rows(void *arg, const void *k, size_t kl, const void *v, size_t vl)
{
	(void)k;
	(void)kl;
	(void)v;
	(void)vl;
	(*(int *)arg)++;
	return 0;
}

/* A query changes nothing: same agreements, accounts, outbox and audit after every kind. */
static void test_query_changes_nothing(void **state)
{
	static const char *const bodies[] = {
		"<BrokerSearch/>", "<StatusQuery/>", "<RecentFive><Counterparty>" BR "</Counterparty></RecentFive>",
		"<Statistics><From>2026-01-01</From><To>2026-12-31</To></Statistics>", "<AccountQuery/>",
		"<TopUpRecords/>",
	};
	static const enum store_db dbs[] = {SDB_AGREEMENTS, SDB_ACCOUNTS, SDB_OUTBOX, SDB_AUDIT, SDB_TOPUPS,
	    SDB_SEEN, SDB_COUNTERS};
	struct fixture *f = *state;
	struct agreement a;
	struct account acc;
	int before[7], after, i;
	size_t k;

	for (i = 0; i < 7; i++) {
		before[i] = 0;
		assert_int_equal(store_scan(f->s, NULL, dbs[i], NULL, 0, count_rows, &before[i]), 0);
	}
	for (k = 0; k < sizeof(bodies) / sizeof(bodies[0]); k++)
		query(f, ME, ROLE_CONSIGNOR, bodies[k]);
	for (i = 0; i < 7; i++) {
		after = 0;
		assert_int_equal(store_scan(f->s, NULL, dbs[i], NULL, 0, count_rows, &after), 0);
		assert_int_equal(after, before[i]);
	}
	assert_int_equal(store_agreement_get(f->s, NULL, "20260000000001", &a), 0);
	assert_int_equal(a.status, ST_DECLARABLE);
	assert_int_equal(store_account_get(f->s, NULL, ME, &acc), 0);
	assert_int_equal(acc.purchased, 100);
	assert_int_equal(acc.in_use, 3);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_R6_broker_search_hides_identity_number),
		T(test_R21_status_query_combined_filters),
		T(test_R21_agreement_summary_fields),
		T(test_R22_recent_five_order),
		T(test_R23_statistics_only_status_5),
		T(test_R23_statistics_china_day_edges),
		T(test_R23_statistics_to_before_from_refused),
		T(test_R23_statistics_five_digit_year_refused),
		T(test_R24_account),
		T(test_R20_top_up_records),
		T(test_query_changes_nothing),
	};

	return cmocka_run_group_tests_name("msg_query", tests, group_setup, group_teardown);
}
