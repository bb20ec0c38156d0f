/* test_ctl_inspect — entrustctl inspect FILE on envelopes made with the
 * openssl command line and the demo PKI: what the daemon would find (CMS
 * and signer R1, bound party, signing time, message type, schema, sender
 * R1, role R2, replay R25, the items and the agreements' current status)
 * without applying anything; the file found as given or by name in the
 * spool folders; findings are exit 0, a missing file 1, an unloadable
 * trust store, registry or schema 3. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "ctl_spool.h"
#include "log.h"
#include "xmlin.h"
#include "testctl.h"

#define CONSIGNOR	"1101230001"
#define BROKER		"4101W68006"
#define MSGID		"ERP-20261203-0001"

struct fixture {
	char		*dir, pki[PATH_MAX];
	struct buf	 request, confirm, topup;
	struct tc	 t;
	int		 n;
};

static int group_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char p[PATH_MAX];

	log_open(NULL, 0);
	xmlin_global_init();
	f->dir = tu_tmpdir("ctlinspect");
	tu_path(f->pki, "%s/pki", f->dir);
	if (tu_pki_ec_hub(f->pki) != 0)
		return -1;
	buf_init(&f->request);
	buf_init(&f->confirm);
	buf_init(&f->topup);
	if (tu_read(tu_path(p, "%s/docs/examples/entrust-request.xml", tu_src()), &f->request) != 0
	    || tu_read(tu_path(p, "%s/docs/examples/entrust-confirm.xml", tu_src()), &f->confirm) != 0
	    || tu_read(tu_path(p, "%s/docs/examples/top-up.xml", tu_src()), &f->topup) != 0)
		return -1;
	*state = f;
	return 0;
}

static int group_teardown(void **state)
{
	struct fixture *f = *state;

	buf_free(&f->request);
	buf_free(&f->confirm);
	buf_free(&f->topup);
	tu_rmrf(f->dir);
	free(f->dir);
	free(f);
	xmlin_global_done();
	return 0;
}

static int setup(void **state)
{
	struct fixture *f = *state;
	struct conf *c = &f->t.c.conf;

	tc_init(&f->t, "ctlinspect-t");
	tu_path(c->trust_ca, "%s/ca.pem", f->pki);
	tu_path(c->hub_cert, "%s/hub.pem", f->pki);
	tu_path(c->hub_key, "%s/hub.key", f->pki);
	tu_path(c->registry, "%s/parties.conf", f->pki);
	mkdir(tu_path(f->t.p, "%s/error", c->spool_dir), 0750);
	mkdir(tu_path(f->t.p, "%s/inbound", c->spool_dir), 0750);
	f->n = 0;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tc_free(&f->t);
	return 0;
}

/* xml with the first from replaced by to, into out. */
static void edit(const struct buf *xml, const char *from, const char *to, struct buf *out)
{
	const char *at = strstr(xml->data, from);

	assert_non_null(at);
	buf_reset(out);
	buf_add(out, xml->data, (size_t)(at - xml->data));
	buf_adds(out, to);
	buf_adds(out, at + strlen(from));
}

/* xml signed as pki/<stem> by the openssl command line into spool/<folder>/<name>
 * (DER, or PEM when pem); the path into path. */
static void envelope(struct fixture *f, const char *stem, const char *xml, int pem, const char *folder,
    const char *name, char *path)
{
	char in[PATH_MAX];

	tu_path(in, "%s/m%d.xml", f->t.dir, f->n++);
	assert_int_equal(tu_writes(in, xml), 0);
	tu_path(path, "%s/%s/%s", f->t.c.conf.spool_dir, folder, name);
	assert_int_equal(tu_sh("openssl cms -sign -nodetach -binary -signer '%s/%s.pem' -inkey '%s/%s.key' -in '%s' "
	    "-outform %s -out '%s' 2>/dev/null", f->pki, stem, f->pki, stem, in, pem ? "PEM" : "DER", path), 0);
}

static int inspect_json(struct fixture *f, const char *file)
{
	return tc_run(&f->t, ctl_inspect, TC_ARGV(file, "--json"));
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

/* Records in db: inspect must leave every database as it was. */
static int rows_in(struct fixture *f, enum store_db db)
{
	int n = 0;

	assert_int_equal(store_scan(tc_store(&f->t), NULL, db, NULL, 0, count_row, &n), 0);
	return n;
}

/* The consignor's request, DER and PEM: judged "apply", and nothing is applied. */
static void test_good_request_would_apply(void **state)
{
	static const char *const want[] = {
		"+\"envelope\":\"OK\",\"envelope_detail\":\"\",\"signer\":{\"subject\":\"",
		"+CN=1101230001", "+\"signing_time\":\"20",
		"+\"party\":{\"code\":\"1101230001\",\"role\":\"consignor\",\"name\":\"北京示例贸易有限公司\"}",
		"+\"content_type\":\"pkcs7-data\"", "+\"message_type\":\"EntrustRequest\"",
		"+\"message_id\":\"" MSGID "\",\"sender\":\"1101230001\"", "+\"schema\":\"OK\"",
		"+\"verdict\":\"apply\",\"verdict_code\":\"\"",
		"+\"letter 委托书: consignor 委托方 1101230001, broker 被委托方 4101W68006, new letter terms 新建委托书\"",
		"+\"agreement 协议 ref=1 goods=笔记本电脑 bill=COSU6123456780 payer=consignor\"",
		"+\"would create 1 agreement(s) in status 0 将新建1份协议\"",
		"+\"xml\":\"<?xml version=\\\"1.0\\\" encoding=\\\"UTF-8\\\"?>",
		"+<EntrustRequest xmlns=\\\"urn:entrust:1\\\"", NULL,
	};
	struct fixture *f = *state;
	char path[PATH_MAX];
	int pem;

	for (pem = 0; pem < 2; pem++) {
		envelope(f, "consignor", f->request.data, pem, "inbound", pem ? "req.pem" : "req.p7m", path);
		assert_int_equal(inspect_json(f, path), CTL_OK);
		tc_expect(pem ? "PEM" : "DER", tc_out(&f->t), want);
		assert_true(tu_exists(path));
	}
	assert_int_equal(rows_in(f, SDB_LETTERS), 0);
	assert_int_equal(rows_in(f, SDB_AGREEMENTS), 0);
	assert_int_equal(rows_in(f, SDB_SEEN), 0);
	assert_int_equal(rows_in(f, SDB_OUTBOX), 0);
	assert_int_equal(tu_count(tu_path(f->t.p, "%s/inbound", f->t.c.conf.spool_dir), NULL, NULL, 0), 2);
}

/* The same in text: labelled lines, the summary, the pretty XML. */
static void test_text_report(void **state)
{
	static const char *const want[] = {
		"+信封 envelope (CMS)      OK\n", "+绑定企业 bound party     1101230001 consignor 北京示例贸易有限公司\n",
		"+报文类型 message type    EntrustRequest\n", "+报文编号 message id      " MSGID "\n",
		"+结构校验 schema          OK\n", "+处理结果 would be        applied 受理 (rules judged at apply time)\n",
		"+  · would create 1 agreement(s) in status 0 将新建1份协议\n", "+--- XML ---\n<?xml",
		"+    <GoodsName>笔记本电脑</GoodsName>\n", NULL,
	};
	struct fixture *f = *state;
	char path[PATH_MAX];

	envelope(f, "consignor", f->request.data, 0, "error", "E2026120302000000001_req.p7m", path);
	/* found by its name in error/ */
	assert_int_equal(tc_run(&f->t, ctl_inspect, TC_ARGV("E2026120302000000001_req.p7m")), CTL_OK);
	tc_expect("text", tc_out(&f->t), want);
}

/* R1, R2, R25 and the schema, as the daemon would judge them. */
static void test_verdicts(void **state)
{
	static const struct {
		const char	*label;
		int		 doc;		/* 0 request, 1 confirm, 2 top-up */
		const char	*from, *to, *stem;
		const char	*want[5];
	} rows[] = {
		{"R1: Sender is another party", 0, "<Sender>1101230001</Sender>", "<Sender>1101230002</Sender>", "consignor",
		    {"+\"verdict\":\"refused\",\"verdict_code\":\"SENDER_MISMATCH\"",
		    "+\"verdict_detail\":\"Header/Sender 1101230002, signer bound to 1101230001\"", "+\"schema\":\"OK\""}},
		{"R2: a consignor may not top up", 2, "<Sender>ENTRUSTOPS</Sender>", "<Sender>1101230001</Sender>",
		    "consignor", {"+\"verdict_code\":\"ROLE_FORBIDDEN\"",
		    "+\"verdict_detail\":\"a consignor may not send TopUp\"", "+\"message_type\":\"TopUp\""}},
		{"R1: the hub's certificate is bound to no party", 0, "", "", "hub",
		    {"+\"envelope\":\"OK\"", "+\"party\":{\"code\":\"\",\"role\":\"\",\"name\":\"\"}",
		    "+\"verdict_code\":\"SIGNER_UNBOUND\"", "+CN=ENTRUSTHUB"}},
		{"schema: a required element missing", 0, "<GoodsName>笔记本电脑</GoodsName>", "", "consignor",
		    {"+\"schema\":\"XML_INVALID\"", "+\"verdict_code\":\"XML_INVALID\"",
		    "+\"xml\":\"<?xml", "+BillOfLading", "-would create"}},
		{"not XML at all", 0, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "{\"json\": true} <", "consignor",
		    {"+\"schema\":\"XML_MALFORMED\"", "+\"verdict_code\":\"XML_MALFORMED\"", "+\"xml\":\"\"",
		    "+\"message_type\":\"\""}},
		{"the broker's confirmation, agreement not in the store", 1, "", "", "broker",
		    {"+\"verdict\":\"apply\"", "+\"Letter: 2600000001\"",
		    "+\"true 20260000000001: not in the store 库中无此协议\""}},
	};
	struct fixture *f = *state;
	const struct buf *docs[] = {&f->request, &f->confirm, &f->topup};
	struct buf xml;
	char path[PATH_MAX], name[32];
	size_t i;

	buf_init(&xml);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (rows[i].from[0])
			edit(docs[rows[i].doc], rows[i].from, rows[i].to, &xml);
		else {
			buf_reset(&xml);
			buf_adds(&xml, docs[rows[i].doc]->data);
		}
		snprintf(name, sizeof(name), "v%zu.p7m", i);
		envelope(f, rows[i].stem, xml.data, 0, "inbound", name, path);
		if (inspect_json(f, path) != CTL_OK)
			fail_msg("%s: %s", rows[i].label, f->t.err.data);
		tc_expect(rows[i].label, tc_out(&f->t), rows[i].want);
	}
	buf_free(&xml);
}

/* R25: a message id already seen from that sender is a replay. */
static void test_R25_replay(void **state)
{
	static const char key[] = CONSIGNOR "|" MSGID;
	struct fixture *f = *state;
	char path[PATH_MAX];

	envelope(f, "consignor", f->request.data, 0, "inbound", "req.p7m", path);
	assert_int_equal(store_put(tc_store(&f->t), NULL, SDB_SEEN, key, strlen(key), "<Ack/>", 6), 0);
	assert_int_equal(inspect_json(f, path), CTL_OK);
	assert_non_null(strstr(tc_out(&f->t), "\"verdict\":\"replay\",\"verdict_code\":\"\""));
	assert_int_equal(tc_run(&f->t, ctl_inspect, TC_ARGV(path)), CTL_OK);
	assert_non_null(strstr(tc_out(&f->t), "replay 重复报文 (same ack again)\n"));
	assert_int_equal(rows_in(f, SDB_SEEN), 1);
}

/* The items of a confirmation name the agreements' current status from the store. */
static void test_summary_names_current_status(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX];

	tc_letter(tc_store(&f->t), "2600000001", CONSIGNOR, BROKER, LS_INITIATED, 0);
	tc_agreement(tc_store(&f->t), "20260000000001", "2600000001", CONSIGNOR, BROKER, ST_INITIATED, 0, 0);
	envelope(f, "broker", f->confirm.data, 0, "inbound", "conf.p7m", path);
	assert_int_equal(inspect_json(f, path), CTL_OK);
	assert_non_null(strstr(tc_out(&f->t), "\"true 20260000000001: now 当前 0 委托发起待确认 (1101230001 ↔ 4101W68006)\""));
	assert_non_null(strstr(tc_out(&f->t), "\"party\":{\"code\":\"4101W68006\",\"role\":\"broker\""));
	assert_int_equal(rows_in(f, SDB_AUDIT), 0);
}

/* Envelopes the CMS layer refuses: a finding (exit 0), never applied. */
static void test_bad_envelopes(void **state)
{
	static const struct {
		const char	*label;
		int		 how;	/* 0 garbage, 1 a content byte changed */
		const char	*envelope;
	} rows[] = {
		{"not CMS", 0, "ENV_UNREADABLE"},
		{"tampered content", 1, "SIG_INVALID"},
	};
	struct fixture *f = *state;
	char path[PATH_MAX], want[128];
	struct buf der;
	char *at;
	size_t i;

	buf_init(&der);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		envelope(f, "consignor", f->request.data, 0, "inbound", "bad.p7m", path);
		if (rows[i].how == 0)
			assert_int_equal(tu_writes(path, "this is not a CMS envelope\n"), 0);
		else {
			assert_int_equal(tu_read(path, &der), 0);
			at = memmem(der.data, der.len, "COSU6123456780", 14);
			assert_non_null(at);
			at[4] = '9';
			assert_int_equal(tu_write(path, der.data, der.len), 0);
		}
		assert_int_equal(inspect_json(f, path), CTL_OK);
		snprintf(want, sizeof(want), "\"envelope\":\"%s\"", rows[i].envelope);
		if (strstr(tc_out(&f->t), want) == NULL)
			fail_msg("%s: want %s in %s", rows[i].label, want, tc_out(&f->t));
		snprintf(want, sizeof(want), "\"verdict\":\"refused\",\"verdict_code\":\"%s\"", rows[i].envelope);
		assert_non_null(strstr(tc_out(&f->t), want));
		assert_non_null(strstr(tc_out(&f->t), "\"party\":{\"code\":\"\""));
	}
	buf_free(&der);
}

static void test_refusals(void **state)
{
	static const struct {
		const char	*label;
		int		 what;	/* 0 no file, 1 trust store, 2 registry, 3 schema */
		int		 want;
		const char	*err;
	} rows[] = {
		{"no such file, nor in the spool", 0, CTL_NOTFOUND, "no such file"},
		{"trust store missing", 1, CTL_STORE, "/nonexistent/ca.pem"},
		{"registry missing", 2, CTL_STORE, "/nonexistent/parties.conf"},
		{"schema missing", 3, CTL_STORE, "/nonexistent/entrust.xsd"},
	};
	struct fixture *f = *state;
	struct conf keep = f->t.c.conf;
	char path[PATH_MAX];
	size_t i;

	envelope(f, "consignor", f->request.data, 0, "inbound", "req.p7m", path);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		f->t.c.conf = keep;
		if (rows[i].what == 1)
			strcpy(f->t.c.conf.trust_ca, "/nonexistent/ca.pem");
		if (rows[i].what == 2)
			strcpy(f->t.c.conf.registry, "/nonexistent/parties.conf");
		if (rows[i].what == 3)
			strcpy(f->t.c.conf.xsd_dir, "/nonexistent");
		if (tc_run(&f->t, ctl_inspect, TC_ARGV(rows[i].what ? path : "gone.p7m")) != rows[i].want)
			fail_msg("%s: want exit %d (%s)", rows[i].label, rows[i].want, f->t.err.data);
		assert_string_equal(tc_out(&f->t), "");
		if (strstr(f->t.err.data, rows[i].err) == NULL)
			fail_msg("%s: stderr \"%s\" lacks \"%s\"", rows[i].label, f->t.err.data, rows[i].err);
	}
	f->t.c.conf = keep;
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_good_request_would_apply),
		T(test_text_report),
		T(test_verdicts),
		T(test_R25_replay),
		T(test_summary_names_current_status),
		T(test_bad_envelopes),
		T(test_refusals),
	};

	return cmocka_run_group_tests_name("ctl_inspect", tests, group_setup, group_teardown);
}
