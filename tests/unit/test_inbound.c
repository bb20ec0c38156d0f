/* test_inbound — whole envelopes through the pipeline, opened with hub_open
 * on a temp spool and store with the demo PKI: a good envelope is archived
 * and answered with a signed ack (R25) and a notice to the other party
 * (R26); a replay gets the same answer and changes nothing; refusals go to
 * error/ with a .reason file, and a negative ack when the signer is a bound
 * party (R1); a blocked outbox keeps the envelope in work/ until it can be
 * answered, and the retry is absorbed as a replay. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "envelope.h"
#include "hub.h"
#include "inbound.h"
#include "log.h"
#include "registry.h"
#include "store.h"
#include "xmlin.h"
#include "testutil.h"

#define CONSIGNOR "1101230001"
#define BROKER "4101W68006"
#define MSGID "ERP-20261203-0001"

struct fixture {
	char		*dir;
	char		 pki[PATH_MAX];
	struct buf	 example;	/* docs/examples/entrust-request.xml */
	/* per test */
	char		*tdir;
	char		 conf[PATH_MAX];
	struct hub	 h;
	int		 nfiles;
	struct buf	 bufs[8];	/* scratch, freed in teardown even when a test fails */
	int		 nbufs;
	xmlDocPtr	 docs[8];
	int		 ndocs;
};

/* A fresh scratch buffer that teardown frees. */
static struct buf *B(struct fixture *f)
{
	assert_true(f->nbufs < 8);
	buf_init(&f->bufs[f->nbufs]);
	return &f->bufs[f->nbufs++];
}

static int group_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char p[PATH_MAX];

	log_open(NULL, 0);
	xmlin_global_init();
	f->dir = tu_tmpdir("inbound");
	tu_path(f->pki, "%s/pki", f->dir);
	if (tu_pki(f->pki) != 0)
		return -1;
	buf_init(&f->example);
	if (tu_read(tu_path(p, "%s/docs/examples/entrust-request.xml", tu_src()), &f->example) != 0)
		return -1;
	*state = f;
	return 0;
}

static int group_teardown(void **state)
{
	struct fixture *f = *state;

	buf_free(&f->example);
	tu_rmrf(f->dir);
	free(f->dir);
	free(f);
	xmlin_global_done();
	return 0;
}

static int hub_up(struct fixture *f, long max_bytes)
{
	struct registration reg;
	char text[8 * PATH_MAX], err[512];
	const char *src = tu_src();

	snprintf(text, sizeof(text),
	    "spool_dir = %s/spool\nstore_dir = %s/store\nxsd_dir = %s/xsd\nxslt_dir = %s/xslt\n"
	    "codes_dir = %s/conf/codes\ntrust_ca = %s/ca.pem\nhub_cert = %s/hub.pem\nhub_key = %s/hub.key\n"
	    "registry = %s/parties.conf\nsettle_ms = 0\nmax_envelope_bytes = %ld\n",
	    f->tdir, f->tdir, src, src, src, f->pki, f->pki, f->pki, f->pki, max_bytes);
	if (tu_writes(tu_path(f->conf, "%s/entrustd.conf", f->tdir), text) != 0)
		return -1;
	if (hub_open(&f->h, f->conf, 1, err, sizeof(err)) != 0) {
		fprintf(stderr, "hub_open: %s\n", err);
		return -1;
	}
	/* R5: the demo broker's registration is approved (as demo-seed would make it). */
	memset(&reg, 0, sizeof(reg));
	strcpy(reg.code, BROKER);
	strcpy(reg.name, "郑州示例报关有限公司");
	reg.valid_until = time(NULL) + 365 * 86400;
	return store_registration_put(f->h.store, NULL, 'A', &reg) == 0 ? 0 : -1;
}

static int setup(void **state)
{
	struct fixture *f = *state;

	f->tdir = tu_tmpdir("inbound-t");
	f->nfiles = 0;
	f->nbufs = 0;
	f->ndocs = 0;
	return hub_up(f, 65536);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	while (f->nbufs > 0)
		buf_free(&f->bufs[--f->nbufs]);
	while (f->ndocs > 0)
		xmlFreeDoc(f->docs[--f->ndocs]);
	hub_close(&f->h);
	tu_rmrf(f->tdir);
	free(f->tdir);
	return 0;
}

/* ---- envelopes ---- */

/* Sign xml as pki/<stem> with the openssl command line, drop it in inbound/name. */
static void drop_cli(struct fixture *f, const char *stem, const char *xml, const char *name, struct buf *sent)
{
	char in[PATH_MAX], out[PATH_MAX], dst[PATH_MAX];

	tu_path(in, "%s/m%d.xml", f->tdir, f->nfiles);
	tu_path(out, "%s/m%d.p7m", f->tdir, f->nfiles++);
	assert_int_equal(tu_writes(in, xml), 0);
	assert_int_equal(tu_sign_cli(f->pki, stem, in, out), 0);
	if (sent)
		assert_int_equal(tu_read(out, sent), 0);
	assert_int_equal(rename(out, tu_path(dst, "%s/%s", f->h.spool.inbound, name)), 0);
}

/* Seal xml with pki/<stem>.pem/.key through envelope_seal, drop it in inbound/name. */
static void drop_sealed(struct fixture *f, const char *stem, const char *xml, const char *name)
{
	char c[PATH_MAX], k[PATH_MAX], ca[PATH_MAX], p[PATH_MAX], err[256];
	struct envelope_keys *keys = envelope_keys_load(tu_path(ca, "%s/ca.pem", f->pki),
	    tu_path(c, "%s/%s.pem", f->pki, stem), tu_path(k, "%s/%s.key", f->pki, stem), err, sizeof(err));
	struct buf der;

	assert_non_null(keys);
	buf_init(&der);
	assert_int_equal(envelope_seal(keys, xml, strlen(xml), &der), 0);
	assert_int_equal(tu_write(tu_path(p, "%s/%s", f->h.spool.inbound, name), der.data, der.len), 0);
	envelope_keys_free(keys);
	buf_free(&der);
}

static void drop_raw(struct fixture *f, const char *name, const void *data, size_t len)
{
	char p[PATH_MAX];

	assert_int_equal(tu_write(tu_path(p, "%s/%s", f->h.spool.inbound, name), data, len), 0);
}

/* The example request with from replaced by to (first occurrence). */
static void example(const struct fixture *f, const char *from, const char *to, struct buf *out)
{
	const char *at = from ? strstr(f->example.data, from) : NULL;

	buf_reset(out);
	if (from == NULL) {
		buf_add(out, f->example.data, f->example.len);
		return;
	}
	assert_non_null(at);
	buf_add(out, f->example.data, (size_t)(at - f->example.data));
	buf_adds(out, to);
	buf_adds(out, at + strlen(from));
}

static int run(struct fixture *f)
{
	return inbound_run(&f->h, NULL, NULL);
}

/* ---- looking at the spool ---- */

/* The path of the one file in dir (recursively one level for archive/) whose
 * name ends in "_" name; returns how many there are. */
static int find(const char *dir, const char *name, int nested, char *path)
{
	char sub[PATH_MAX], suffix[256];
	struct dirent *d;
	DIR *dp;
	int n = 0;

	snprintf(suffix, sizeof(suffix), "_%s", name);
	if ((dp = opendir(dir)) == NULL)
		return 0;
	while ((d = readdir(dp)) != NULL) {
		size_t a = strlen(d->d_name), b = strlen(suffix);

		if (d->d_name[0] == '.')
			continue;
		if (nested) {
			n += find(tu_path(sub, "%s/%s", dir, d->d_name), name, 0, path);
			continue;
		}
		if (a > b && strcmp(d->d_name + a - b, suffix) == 0 && d->d_name[0] == 'E') {
			if (n++ == 0)
				tu_path(path, "%s/%s", dir, d->d_name);
		}
	}
	closedir(dp);
	return n;
}

/* Open outbound/<party>/<name> as the party would: the hub's seal over a
 * valid document; its XML into xml, parsed into *doc. */
static void open_reply(struct fixture *f, const char *party, const char *name, struct buf *xml, xmlDocPtr *doc)
{
	struct envelope_signer signer;
	char p[PATH_MAX], detail[512];
	struct buf raw;
	enum reason r;

	buf_init(&raw);
	if (tu_read(tu_path(p, "%s/%s/%s", f->h.spool.outbound, party, name), &raw) != 0) {
		buf_free(&raw);
		fail_msg("no %s/%s", party, name);
	}
	r = envelope_open(f->h.keys, raw.data, raw.len, xml, &signer, detail, sizeof(detail));
	if (r != R_NONE) {
		buf_free(&raw);
		fail_msg("%s/%s: %s %s", party, name, reason_code(r), detail);
	}
	assert_non_null(strstr(signer.subject, "CN=ENTRUSTHUB"));
	buf_free(&raw);
	r = xmlin_parse(f->h.xmlin, xml->data, xml->len, doc, detail, sizeof(detail));
	if (r != R_NONE)
		fail_msg("%s/%s is not valid: %s %s", party, name, reason_code(r), detail);
	assert_true(f->ndocs < 8);
	f->docs[f->ndocs++] = *doc;	/* teardown frees it */
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
	static char out[4][200];
	static int k;
	char *o = out[k++ % 4];

	if (xmlin_attr(node, name, o, sizeof(out[0])) != 1)
		return "(absent)";
	return o;
}

/* "key: value" of a reason file, or "(absent)". */
static const char *reason_field(const struct buf *r, const char *key)
{
	static char out[4][600];
	static int k;
	char *o = out[k++ % 4], want[64];
	const char *p = r->data;

	snprintf(want, sizeof(want), "%s: ", key);
	for (; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, want, strlen(want)) == 0) {
			size_t n = strcspn(p + strlen(want), "\n");

			snprintf(o, 600, "%.*s", (int)n, p + strlen(want));
			return o;
		}
	return "(absent)";
}

static int count_dir(struct fixture *f, const char *sub)
{
	char p[PATH_MAX];
	int n = tu_count(tu_path(p, "%s/%s", f->h.spool.root, sub), NULL, NULL, 0);

	return n < 0 ? 0 : n;
}

/* The envelope name is in error/ with a reason file of code (and rule); the reason text into r. */
static void expect_error(struct fixture *f, const char *name, const char *code, const char *rule, struct buf *r)
{
	char env[PATH_MAX], rp[PATH_MAX];

	if (find(f->h.spool.error, name, 0, env) != 1)
		fail_msg("%s not in error/ (archive has %d)", name, find(f->h.spool.archive, name, 1, rp));
	assert_int_equal(find(f->h.spool.archive, name, 1, rp), 0);
	assert_int_equal(tu_read(tu_path(rp, "%s.reason", env), r), 0);
	assert_string_equal(reason_field(r, "code"), code);
	assert_string_equal(reason_field(r, "rule"), rule ? rule : "(absent)");
	assert_string_not_equal(reason_field(r, "zh"), "(absent)");
	assert_string_not_equal(reason_field(r, "en"), "(absent)");
	assert_string_equal(reason_field(r, "file"), name);
	assert_int_equal(reason_field(r, "id")[0], 'E');
	assert_memory_equal(reason_field(r, "id"), strrchr(env, '/') + 1, 20);
	assert_string_not_equal(reason_field(r, "time"), "(absent)");
}

static int count_key(void *arg, const void *k, size_t kl, const void *v, size_t vl)
{
	(void)k;
	(void)kl;
	(void)v;
	(void)vl;
	(*(int *)arg)++;
	return 0;
}

static int count_db(struct fixture *f, enum store_db db)
{
	int n = 0;

	assert_int_equal(store_scan(f->h.store, NULL, db, NULL, 0, count_key, &n), 0);
	return n;
}

/* store_scan visitor: counts the values that hold a text. */
struct text_count {
	const char	*text;
	int		 n;
};

static int count_text(void *arg, const void *k, size_t kl, const void *v, size_t vl)
{
	struct text_count *c = arg;

	(void)k;
	(void)kl;
	c->n += memmem(v, vl, c->text, strlen(c->text)) != NULL;
	return 0;
}

/* ---- the good path ---- */

static void test_R25_good_envelope_archived_and_answered(void **state)
{
	struct fixture *f = *state;
	struct buf *sent = B(f), *xml = B(f), *archived = B(f);
	char path[PATH_MAX], sha[65], day[16], yy[8], ntc[64], letter[16];
	time_t before = time(NULL), after;
	xmlDocPtr doc;
	xmlNodePtr root, n;
	struct tm tm;
	struct letter l;

	drop_cli(f, "consignor", f->example.data, "req.p7m", sent);
	assert_int_equal(run(f), 1);
	after = time(NULL);

	/* The envelope, unchanged, in archive/<UTC yyyymmdd>/<ID>_req.p7m; nothing left behind. */
	assert_int_equal(find(f->h.spool.archive, "req.p7m", 1, path), 1);
	assert_int_equal(tu_read(path, archived), 0);
	assert_int_equal(archived->len, sent->len);
	assert_memory_equal(archived->data, sent->data, sent->len);
	gmtime_r(&after, &tm);
	strftime(day, sizeof(day), "/%Y%m%d/", &tm);
	if (strstr(path, day) == NULL) {
		gmtime_r(&before, &tm);
		strftime(day, sizeof(day), "/%Y%m%d/", &tm);
		assert_non_null(strstr(path, day));
	}
	assert_int_equal(count_dir(f, "inbound"), 0);
	assert_int_equal(count_dir(f, "work"), 0);
	assert_int_equal(count_dir(f, "error"), 0);

	/* R25: the signed ack, named after the MessageId. */
	open_reply(f, CONSIGNOR, "ACK_" MSGID ".p7m", xml, &doc);
	root = xmlDocGetRootElement(doc);
	assert_string_equal((const char *)root->name, "Ack");
	assert_string_equal(text(root, "Outcome"), "accepted");
	assert_string_equal(text(xmlin_child(root, "Header"), "Receiver"), CONSIGNOR);
	n = xmlin_child(root, "InReplyTo");
	assert_string_equal(text(n, "MessageId"), MSGID);
	assert_string_equal(text(n, "MessageType"), "EntrustRequest");
	assert_string_equal(text(n, "File"), "req.p7m");
	envelope_sha256_hex(sent->data, sent->len, sha);
	assert_string_equal(text(n, "Sha256"), sha);
	n = xmlin_child(root, "Letter");
	assert_string_equal(text(n, "Created"), "true");
	snprintf(letter, sizeof(letter), "%s", text(n, "Number"));
	snprintf(yy, sizeof(yy), "%02d", entrust_year(after) % 100);
	assert_memory_equal(letter, yy, 2);	/* R7 */
	n = xmlin_child(root, "Agreement");
	assert_string_equal(attr(n, "ref"), "1");
	assert_string_equal(attr(n, "outcome"), "accepted");
	assert_string_equal(text(n, "Status"), "0");

	/* R26: the broker is told, in its own folder. */
	assert_int_equal(tu_count(tu_path(path, "%s/%s", f->h.spool.outbound, BROKER), ".p7m", ntc, sizeof(ntc)), 1);
	assert_memory_equal(ntc, "NTC_", 4);
	open_reply(f, BROKER, ntc, xml, &doc);
	root = xmlDocGetRootElement(doc);
	assert_string_equal((const char *)root->name, "Notice");
	assert_string_equal(text(root, "Event"), "request-waiting");
	assert_string_equal(text(root, "From"), CONSIGNOR);
	assert_string_equal(text(root, "Letter"), letter);

	/* The effect is in the store. */
	assert_int_equal(store_letter_get(f->h.store, NULL, letter, &l), 0);
	assert_string_equal(l.consignor.code, CONSIGNOR);
	assert_int_equal(l.agreement_count, 1);
	assert_int_equal(count_db(f, SDB_OUTBOX), 0);	/* everything owed was written */
}

/* R25: the same envelope again gets the same ack, and changes nothing. */
static void test_R25_replay_same_answer_no_second_effect(void **state)
{
	struct fixture *f = *state;
	struct buf *sent = B(f), *first = B(f), *again = B(f), *other = B(f);
	char path[PATH_MAX], counter[16];
	xmlDocPtr doc;
	uint64_t next;
	store_txn *t;

	drop_cli(f, "consignor", f->example.data, "req.p7m", sent);
	assert_int_equal(run(f), 1);
	open_reply(f, CONSIGNOR, "ACK_" MSGID ".p7m", first, &doc);
	assert_int_equal(unlink(tu_path(path, "%s/%s/ACK_" MSGID ".p7m", f->h.spool.outbound, CONSIGNOR)), 0);

	drop_raw(f, "req-again.p7m", sent->data, sent->len);
	assert_int_equal(run(f), 1);
	open_reply(f, CONSIGNOR, "ACK_" MSGID ".p7m", again, &doc);
	assert_int_equal(again->len, first->len);
	assert_memory_equal(again->data, first->data, first->len);
	assert_int_equal(find(f->h.spool.archive, "req-again.p7m", 1, path), 1);

	/* Another envelope with the same Sender and MessageId (a second agreement
	 * this time): still the first answer, still no effect. */
	example(f, "</EntrustRequest>", "<Agreement ref=\"2\"><GoodsName>显示器</GoodsName><HsCode>8528520000</HsCode>"
	    "<TotalValue>100.00</TotalValue><Quantity unit=\"001\">3</Quantity><Direction>I</Direction>"
	    "<Date>2026-12-20</Date><BillOfLading>COSU6123456781</BillOfLading><TradeMode>0110</TradeMode>"
	    "<Origin>502</Origin><Payer>consignor</Payer></Agreement></EntrustRequest>", other);
	drop_sealed(f, "consignor", other->data, "req-changed.p7m");
	assert_int_equal(run(f), 1);
	open_reply(f, CONSIGNOR, "ACK_" MSGID ".p7m", again, &doc);
	assert_memory_equal(again->data, first->data, first->len);

	/* One letter, one agreement, one notice: the R7 agreement counter moved once. */
	assert_int_equal(count_db(f, SDB_LETTERS), 1);
	assert_int_equal(count_db(f, SDB_AGREEMENTS), 1);
	assert_int_equal(tu_count(tu_path(path, "%s/%s", f->h.spool.outbound, BROKER), ".p7m", NULL, 0), 1);
	snprintf(counter, sizeof(counter), "A%d", entrust_year(time(NULL)));
	t = store_begin(f->h.store);
	assert_int_equal(store_next(f->h.store, t, counter, &next), 0);
	store_abort(t);
	assert_int_equal(next, 2);
	assert_int_equal(count_dir(f, "error"), 0);
	assert_int_equal(count_dir(f, "work"), 0);
}

/* R25: the same envelope twice in one run (a partner sending again before
 * the first is answered): one effect, and the ack — written twice under one
 * name — is whole and valid; both envelopes leave work/.
 * (Fails intermittently while outbox_flush_pool writes same-named rows in
 * parallel through one temp file; see the report.) */
static void test_R25_same_envelope_twice_in_one_run(void **state)
{
	struct fixture *f = *state;
	struct buf *sent = B(f), *xml = B(f);
	char path[PATH_MAX];
	xmlDocPtr doc;

	drop_cli(f, "consignor", f->example.data, "req1.p7m", sent);
	drop_raw(f, "req2.p7m", sent->data, sent->len);
	assert_int_equal(run(f), 2);
	assert_int_equal(count_dir(f, "work"), 0);
	assert_int_equal(find(f->h.spool.archive, "req1.p7m", 1, path), 1);
	assert_int_equal(find(f->h.spool.archive, "req2.p7m", 1, path), 1);
	open_reply(f, CONSIGNOR, "ACK_" MSGID ".p7m", xml, &doc);
	assert_string_equal(text(xmlDocGetRootElement(doc), "Outcome"), "accepted");
	assert_int_equal(tu_count(tu_path(path, "%s/%s", f->h.spool.outbound, CONSIGNOR), NULL, NULL, 0), 1);
	assert_int_equal(count_db(f, SDB_AGREEMENTS), 1);
	assert_int_equal(count_db(f, SDB_OUTBOX), 0);
}

/* ---- refusals ---- */

/* Not an envelope: error/ + reason, no ack (nobody to trust it to). */
static void test_unreadable_envelope_refused_without_ack(void **state)
{
	struct fixture *f = *state;
	struct buf *r = B(f);

	drop_raw(f, "junk.p7m", "this is not CMS", 15);
	assert_int_equal(run(f), 1);
	expect_error(f, "junk.p7m", "ENV_UNREADABLE", NULL, r);
	assert_string_equal(reason_field(r, "signer"), "(absent)");
	assert_int_equal(count_dir(f, "outbound"), 0);
	assert_int_equal(count_dir(f, "work"), 0);
}

/* Table: unsafe files, refused before anything is read into the pipeline. */
static void test_table_file_refusals(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX], t[PATH_MAX];
	static char big[70000];
	struct buf *r = B(f);

	memset(big, 'x', sizeof(big));
	drop_raw(f, "big.p7m", big, sizeof(big));
	drop_raw(f, "empty.p7m", "", 0);
	assert_int_equal(tu_writes(tu_path(t, "%s/outside", f->tdir), "secret"), 0);
	assert_int_equal(symlink(t, tu_path(p, "%s/link.p7m", f->h.spool.inbound)), 0);
	assert_int_equal(run(f), 3);
	expect_error(f, "big.p7m", "FILE_TOO_LARGE", NULL, r);
	expect_error(f, "empty.p7m", "FILE_EMPTY", NULL, r);
	expect_error(f, "link.p7m", "FILE_UNSAFE", NULL, r);
	assert_int_equal(count_dir(f, "outbound"), 0);
	assert_int_equal(tu_read(t, r), 0);
	assert_string_equal(r->data, "secret");	/* the link's target is untouched */
}

/* R1: a certificate of the trusted CA that is not in the registry: no ack. */
static void test_R1_unbound_signer_refused_without_ack(void **state)
{
	struct fixture *f = *state;
	struct buf *r = B(f);

	drop_cli(f, "hub", f->example.data, "hub-signed.p7m", NULL);
	assert_int_equal(run(f), 1);
	expect_error(f, "hub-signed.p7m", "SIGNER_UNBOUND", "R1", r);
	assert_non_null(strstr(reason_field(r, "detail"), "sha256="));
	assert_int_equal(count_dir(f, "outbound"), 0);
}

/* The negative ack of a refusal before judgement is named after the envelope
 * id (ACK_<ID>.p7m), never ACK_<MessageId>: it must not replace the answer
 * to an earlier message with the same MessageId (R25). */
static void ack_of_refused(struct fixture *f, const char *name, char *ack, size_t n)
{
	char env[PATH_MAX];

	assert_int_equal(find(f->h.spool.error, name, 0, env), 1);
	snprintf(ack, n, "ACK_%.20s.p7m", strrchr(env, '/') + 1);
}

/* R1: the signer is a party, but Header/Sender names another: negative ack
 * to the signer, named ACK_<MessageId>.p7m since the MessageId was read
 * (refused before judgement: ACK_<ID>.p7m, see ack_of_refused). */
static void test_R1_sender_mismatch_negative_ack(void **state)
{
	struct fixture *f = *state;
	struct buf *doc_xml = B(f), *r = B(f), *xml = B(f);
	char ack[64];
	xmlDocPtr doc;
	xmlNodePtr root, e;

	example(f, "<Sender>1101230001</Sender>", "<Sender>1101230002</Sender>", doc_xml);
	drop_sealed(f, "consignor", doc_xml->data, "spoof.p7m");
	assert_int_equal(run(f), 1);
	expect_error(f, "spoof.p7m", "SENDER_MISMATCH", "R1", r);
	ack_of_refused(f, "spoof.p7m", ack, sizeof(ack));
	assert_string_equal(reason_field(r, "signer"), CONSIGNOR " consignor");
	assert_string_equal(reason_field(r, "path"), "/Header");
	open_reply(f, CONSIGNOR, ack, xml, &doc);
	root = xmlDocGetRootElement(doc);
	assert_string_equal(text(root, "Outcome"), "refused");
	e = xmlin_child(root, "Error");
	assert_string_equal(attr(e, "code"), "SENDER_MISMATCH");
	assert_string_equal(attr(e, "rule"), "R1");
	assert_string_equal(text(xmlin_child(root, "InReplyTo"), "MessageId"), MSGID);
	/* Nobody else hears of it and nothing was applied. */
	assert_int_equal(count_dir(f, "outbound"), 1);
	assert_int_equal(count_db(f, SDB_LETTERS), 0);
}

/* R2: customs may not send an EntrustRequest, even naming itself. */
static void test_R2_role_forbidden_negative_ack(void **state)
{
	struct fixture *f = *state;
	struct buf *doc_xml = B(f), *r = B(f), *xml = B(f);
	char ack[64];
	xmlDocPtr doc;

	example(f, "<Sender>1101230001</Sender>", "<Sender>0100HG0001</Sender>", doc_xml);
	drop_sealed(f, "customs", doc_xml->data, "customs.p7m");
	assert_int_equal(run(f), 1);
	expect_error(f, "customs.p7m", "ROLE_FORBIDDEN", "R2", r);
	ack_of_refused(f, "customs.p7m", ack, sizeof(ack));
	open_reply(f, "0100HG0001", ack, xml, &doc);
	assert_string_equal(attr(xmlin_child(xmlDocGetRootElement(doc), "Error"), "code"), "ROLE_FORBIDDEN");
	assert_int_equal(count_db(f, SDB_LETTERS), 0);
}

/* Invalid XML from a bound party: negative ack named after the envelope ID. */
static void test_invalid_xml_negative_ack_named_by_id(void **state)
{
	struct fixture *f = *state;
	struct buf *doc_xml = B(f), *r = B(f), *xml = B(f);
	char env[PATH_MAX], ack[64];
	xmlDocPtr doc;
	xmlNodePtr root;

	example(f, "<HsCode>8471300000</HsCode>", "<HsCode>847130</HsCode>", doc_xml);
	drop_sealed(f, "consignor", doc_xml->data, "bad.p7m");
	assert_int_equal(run(f), 1);
	expect_error(f, "bad.p7m", "XML_INVALID", NULL, r);
	assert_non_null(strstr(reason_field(r, "detail"), "HsCode"));
	assert_int_equal(find(f->h.spool.error, "bad.p7m", 0, env), 1);
	snprintf(ack, sizeof(ack), "ACK_%.20s.p7m", strrchr(env, '/') + 1);
	open_reply(f, CONSIGNOR, ack, xml, &doc);
	root = xmlDocGetRootElement(doc);
	assert_string_equal(text(root, "Outcome"), "refused");
	assert_string_equal(attr(xmlin_child(root, "Error"), "code"), "XML_INVALID");
	assert_string_equal(text(xmlin_child(root, "InReplyTo"), "MessageId"), "(absent)");
}

/* R8 refusal at apply: error/ + reason + negative ack; a replay gets the same ack. */
static void test_R8_rule_refusal_and_its_replay(void **state)
{
	struct fixture *f = *state;
	struct buf *doc_xml = B(f), *r = B(f), *first = B(f), *again = B(f);
	xmlDocPtr doc;
	xmlNodePtr root, e;
	char path[PATH_MAX];

	example(f, "<Mode>B</Mode>", "", doc_xml);	/* a new letter without Mode */
	drop_sealed(f, "consignor", doc_xml->data, "noterms.p7m");
	assert_int_equal(run(f), 1);
	expect_error(f, "noterms.p7m", "LETTER_TERMS_MISSING", "R8", r);
	assert_string_equal(reason_field(r, "path"), "/EntrustRequest/Letter");
	open_reply(f, CONSIGNOR, "ACK_" MSGID ".p7m", first, &doc);
	root = xmlDocGetRootElement(doc);
	assert_string_equal(text(root, "Outcome"), "refused");
	e = xmlin_child(root, "Error");
	assert_string_equal(attr(e, "code"), "LETTER_TERMS_MISSING");
	assert_string_equal(attr(e, "rule"), "R8");
	assert_int_equal(count_db(f, SDB_LETTERS), 0);
	assert_int_equal(count_db(f, SDB_AGREEMENTS), 0);
	assert_int_equal(tu_count(tu_path(path, "%s/%s", f->h.spool.outbound, BROKER), NULL, NULL, 0), -1);

	/* The same envelope again: the same answer (R25), still nothing applied. */
	drop_sealed(f, "consignor", doc_xml->data, "noterms-again.p7m");
	assert_int_equal(run(f), 1);
	open_reply(f, CONSIGNOR, "ACK_" MSGID ".p7m", again, &doc);
	assert_int_equal(again->len, first->len);
	assert_memory_equal(again->data, first->data, first->len);
	assert_int_equal(count_db(f, SDB_LETTERS), 0);
	assert_int_equal(find(f->h.spool.error, "noterms-again.p7m", 0, path)
	    + find(f->h.spool.archive, "noterms-again.p7m", 1, path), 1);
}

/* Some agreements refused (R12), the rest applied: archived with a partial ack. */
static void test_partial_request_archived(void **state)
{
	struct fixture *f = *state;
	struct buf *doc_xml = B(f), *xml = B(f);
	char path[PATH_MAX];
	xmlDocPtr doc;
	xmlNodePtr root, n;

	example(f, "</EntrustRequest>", "<Agreement ref=\"2\"><GoodsName>显示器</GoodsName><HsCode>8528520000</HsCode>"
	    "<TotalValue>100.00</TotalValue><Quantity unit=\"001\">3</Quantity><Direction>I</Direction>"
	    "<Date>2026-12-20</Date><BillOfLading>COSU6123456781</BillOfLading><TradeMode>9999</TradeMode>"
	    "<Origin>502</Origin><Payer>consignor</Payer></Agreement></EntrustRequest>", doc_xml);
	drop_sealed(f, "consignor", doc_xml->data, "partial.p7m");
	assert_int_equal(run(f), 1);
	assert_int_equal(find(f->h.spool.archive, "partial.p7m", 1, path), 1);
	assert_int_equal(count_dir(f, "error"), 0);
	open_reply(f, CONSIGNOR, "ACK_" MSGID ".p7m", xml, &doc);
	root = xmlDocGetRootElement(doc);
	assert_string_equal(text(root, "Outcome"), "partial");
	n = xmlin_next(xmlin_child(root, "Agreement"), "Agreement");
	assert_string_equal(attr(n, "ref"), "2");
	assert_string_equal(attr(n, "outcome"), "refused");
	assert_string_equal(attr(xmlin_child(n, "Error"), "code"), "CODE_UNKNOWN");
	assert_int_equal(count_db(f, SDB_AGREEMENTS), 1);
}

/* Names that are not taken (still being written, hidden) stay in inbound/. */
static void test_names_not_taken(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX];

	drop_raw(f, "req.p7m.tmp", "x", 1);
	drop_raw(f, "req.part", "x", 1);
	drop_raw(f, ".req.p7m", "x", 1);
	assert_int_equal(run(f), 0);
	assert_int_equal(count_dir(f, "inbound"), 3);
	assert_int_equal(count_dir(f, "work"), 0);
	assert_true(tu_exists(tu_path(p, "%s/req.part", f->h.spool.inbound)));
}

/* The ack cannot be written: the envelope waits in work/; once it can, the
 * retry is a replay — one effect, one notice, and the ack.  (The retry
 * queues a second row named ACK_<MessageId>.p7m next to the first one's.) */
static void test_blocked_outbox_defers_then_replays(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX], path[PATH_MAX];
	struct buf *xml = B(f);
	xmlDocPtr doc;

	assert_int_equal(tu_writes(tu_path(p, "%s/%s", f->h.spool.outbound, CONSIGNOR), "in the way"), 0);
	drop_cli(f, "consignor", f->example.data, "req.p7m", NULL);
	assert_int_equal(run(f), 0);		/* deferred: not counted */
	assert_int_equal(find(f->h.spool.work, "req.p7m", 0, path), 1);
	assert_int_equal(count_dir(f, "archive"), 0);
	assert_int_equal(count_db(f, SDB_LETTERS), 1);	/* the effect is durable */

	assert_int_equal(unlink(p), 0);
	assert_int_equal(run(f), 1);		/* resumed from work/ */
	assert_int_equal(count_dir(f, "work"), 0);
	assert_int_equal(find(f->h.spool.archive, "req.p7m", 1, path), 1);
	open_reply(f, CONSIGNOR, "ACK_" MSGID ".p7m", xml, &doc);
	assert_string_equal(text(xmlDocGetRootElement(doc), "Outcome"), "accepted");
	assert_int_equal(count_db(f, SDB_LETTERS), 1);
	assert_int_equal(count_db(f, SDB_AGREEMENTS), 1);
	assert_int_equal(tu_count(tu_path(p, "%s/%s", f->h.spool.outbound, BROKER), ".p7m", NULL, 0), 1);
	assert_int_equal(count_db(f, SDB_OUTBOX), 0);
}

/* Several envelopes in one run, in name order; the second request appends (R8). */
static void test_R8_two_envelopes_one_run_append(void **state)
{
	struct fixture *f = *state;
	struct buf *second = B(f), *xml = B(f);
	xmlDocPtr doc;
	xmlNodePtr root;
	char first_letter[16];

	drop_sealed(f, "consignor", f->example.data, "a.p7m");
	example(f, MSGID, "ERP-20261203-0002", second);
	drop_sealed(f, "consignor", second->data, "b.p7m");
	assert_int_equal(run(f), 2);
	open_reply(f, CONSIGNOR, "ACK_" MSGID ".p7m", xml, &doc);
	root = xmlDocGetRootElement(doc);
	snprintf(first_letter, sizeof(first_letter), "%s", text(xmlin_child(root, "Letter"), "Number"));
	assert_string_equal(text(xmlin_child(root, "Letter"), "Created"), "true");
	open_reply(f, CONSIGNOR, "ACK_ERP-20261203-0002.p7m", xml, &doc);
	root = xmlDocGetRootElement(doc);
	assert_string_equal(text(root, "Outcome"), "accepted");
	assert_string_equal(text(xmlin_child(root, "Letter"), "Created"), "false");
	assert_string_equal(text(xmlin_child(root, "Letter"), "Number"), first_letter);
	assert_int_equal(count_db(f, SDB_AGREEMENTS), 2);
}

/* Envelopes in archive/, over its day folders. */
static int count_archived(struct fixture *f)
{
	char sub[PATH_MAX];
	struct dirent *d;
	DIR *dp = opendir(f->h.spool.archive);
	int n = 0, k;

	assert_non_null(dp);
	while ((d = readdir(dp)) != NULL)
		if (d->d_name[0] != '.' && (k = tu_count(tu_path(sub, "%s/%s", f->h.spool.archive, d->d_name),
		    NULL, NULL, 0)) > 0)
			n += k;
	closedir(dp);
	return n;
}

/* n requests of the consignor, MessageIds ERP-P-<first + i>, files p<first + i>.p7m. */
static void drop_requests(struct fixture *f, int first, int n)
{
	struct buf *xml = B(f);
	char id[32], name[32];
	int i;

	for (i = first; i < first + n; i++) {
		snprintf(id, sizeof(id), "ERP-P-%04d", i);
		snprintf(name, sizeof(name), "p%04d.p7m", i);
		example(f, MSGID, id, xml);
		drop_sealed(f, "consignor", xml->data, name);
	}
}

/* A backlog of several batches (batch_envelopes = 8) goes through the
 * pipeline (the next batch applied while the one before is written): every
 * envelope answered once and archived, a replay of the first batch's message
 * answered again from the last, and every outbox row forgotten at the end
 * (issue #7, R8, R25). */
static void test_R25_backlog_of_batches_each_answered(void **state)
{
	struct fixture *f = *state;
	struct buf *xml = B(f);
	char p[PATH_MAX];
	xmlDocPtr doc;

	f->h.conf.batch_envelopes = 8;
	drop_requests(f, 1, 30);
	example(f, MSGID, "ERP-P-0001", xml);
	drop_sealed(f, "consignor", xml->data, "z-replay.p7m");	/* sorts last: the fourth batch */
	assert_int_equal(run(f), 31);
	assert_int_equal(count_dir(f, "work"), 0);
	assert_int_equal(count_archived(f), 31);
	assert_int_equal(tu_count(tu_path(p, "%s/%s", f->h.spool.outbound, CONSIGNOR), ".p7m", NULL, 0), 30);
	assert_int_equal(count_db(f, SDB_LETTERS), 1);		/* one letter, the rest appended (R8) */
	assert_int_equal(count_db(f, SDB_OUTBOX), 0);
	open_reply(f, CONSIGNOR, "ACK_ERP-P-0030.p7m", xml, &doc);
	assert_string_equal(text(xmlDocGetRootElement(doc), "Outcome"), "accepted");
	open_reply(f, CONSIGNOR, "ACK_ERP-P-0001.p7m", xml, &doc);	/* the replay's copy (R25) */
	assert_string_equal(text(xmlin_child(xmlDocGetRootElement(doc), "Letter"), "Created"), "true");
}

/* In the pipeline too, a batch whose files cannot be written stays in
 * work/ with its effect durable, and the next run answers it as replays. */
static void test_backlog_blocked_receiver_defers(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX];
	int agreements;

	f->h.conf.batch_envelopes = 8;
	assert_int_equal(tu_writes(tu_path(p, "%s/%s", f->h.spool.outbound, BROKER), "in the way"), 0);
	drop_requests(f, 1, 20);
	assert_int_equal(run(f), 0);
	assert_int_equal(count_dir(f, "work"), 20);
	assert_int_equal(count_db(f, SDB_LETTERS), 1);
	agreements = count_db(f, SDB_AGREEMENTS);
	assert_true(agreements >= 20);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(run(f), 20);
	assert_int_equal(count_dir(f, "work"), 0);
	assert_int_equal(count_archived(f), 20);
	assert_int_equal(count_db(f, SDB_AGREEMENTS), agreements);	/* nothing applied twice */
	assert_true(tu_count(tu_path(p, "%s/%s", f->h.spool.outbound, BROKER), ".p7m", NULL, 0) > 0);
	assert_int_equal(count_db(f, SDB_OUTBOX), 0);
}

/* The registry again from pki/parties.conf, with notices=bundle on code's lines. */
static void bundle_notices_of(struct fixture *f, const char *code)
{
	char src[PATH_MAX], dst[PATH_MAX], err[256];

	assert_int_equal(tu_sh("sed 's/^\\(%s [a-z]* [0-9a-f]*\\) /\\1 notices=bundle /' '%s' > '%s'", code,
	    tu_path(src, "%s/parties.conf", f->pki), tu_path(dst, "%s/parties.conf", f->tdir)), 0);
	registry_free(f->h.registry);
	f->h.registry = registry_load(dst, err, sizeof(err));
	assert_non_null(f->h.registry);
	assert_true(registry_bundles_notices(f->h.registry, code));
}

/* The Notice children of a bundle, checked against what it must say: n of them,
 * each a request-waiting for the broker with a MessageId of its own. */
static void expect_bundle(struct fixture *f, const char *name, int n)
{
	struct buf *xml = B(f);
	xmlNodePtr root, c;
	char seen[8][128];
	int k = 0, i;
	xmlDocPtr doc;

	open_reply(f, BROKER, name, xml, &doc);	/* signed by the hub, valid against xsd/ */
	root = xmlDocGetRootElement(doc);
	assert_string_equal((const char *)root->name, "Notices");
	assert_string_equal(text(xmlin_child(root, "Header"), "Receiver"), BROKER);
	assert_memory_equal(text(xmlin_child(root, "Header"), "MessageId"), "NTS-E", 5);
	for (c = root->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, "Notice") != 0)
			continue;
		assert_true(k < 8);
		assert_string_equal(text(c, "Event"), "request-waiting");
		assert_string_equal(text(c, "From"), CONSIGNOR);
		assert_string_equal(text(xmlin_child(c, "Header"), "Receiver"), BROKER);
		snprintf(seen[k], sizeof(seen[k]), "%s", text(xmlin_child(c, "Header"), "MessageId"));
		for (i = 0; i < k; i++)
			assert_string_not_equal(seen[i], seen[k]);
		k++;
	}
	assert_int_equal(k, n);
}

/* R26 with notices=bundle (issue #7): the broker gets the notices of one
 * batch in one signed file, one per batch (batch_envelopes = 4: 10 requests
 * are three batches of 4, 4 and 2); the consignor's Acks are not bundled;
 * the audit trail names the bundle.  The control: without the option, a
 * file per notice. */
static void test_R26_notices_bundled_per_receiver(void **state)
{
	struct fixture *f = *state;
	struct text_count audit = {"notice=request-waiting to=" BROKER " file=NTC_000000000001.p7m", 0};
	char p[PATH_MAX], first[64];
	struct buf *trail = B(f);

	bundle_notices_of(f, BROKER);
	f->h.conf.batch_envelopes = 4;
	drop_requests(f, 1, 10);
	assert_int_equal(run(f), 10);
	tu_path(p, "%s/%s", f->h.spool.outbound, BROKER);
	assert_int_equal(tu_count(p, ".p7m", NULL, 0), 3);
	assert_int_equal(tu_count(p, ".p7m", first, sizeof(first)), 3);
	assert_int_equal(tu_count(tu_path(p, "%s/%s", f->h.spool.outbound, CONSIGNOR), ".p7m", NULL, 0), 10);
	assert_int_equal(count_db(f, SDB_OUTBOX), 0);
	expect_bundle(f, "NTC_000000000001.p7m", 4);	/* the first notice numbers its batch's bundle */
	tu_path(p, "%s/%s", f->h.spool.outbound, BROKER);
	assert_int_equal(tu_sh("ls '%s' | sort | tail -1 > '%s/last'", p, f->tdir), 0);
	assert_int_equal(tu_read(tu_path(p, "%s/last", f->tdir), trail), 0);
	trail->data[strcspn(trail->data, "\n")] = '\0';
	expect_bundle(f, trail->data, 2);
	/* Each agreement of the first batch names the bundle in its audit trail (R26). */
	assert_int_equal(store_scan(f->h.store, NULL, SDB_AUDIT, NULL, 0, count_text, &audit), 0);
	assert_int_equal(audit.n, 4);

	/* Control: the same broker without the option again. */
	registry_free(f->h.registry);
	assert_non_null(f->h.registry = registry_load(tu_path(p, "%s/parties.conf", f->pki), first, sizeof(first)));
	drop_requests(f, 11, 3);
	assert_int_equal(run(f), 3);
	assert_int_equal(tu_count(tu_path(p, "%s/%s", f->h.spool.outbound, BROKER), ".p7m", NULL, 0), 3 + 3);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_R25_good_envelope_archived_and_answered),
		T(test_R25_replay_same_answer_no_second_effect),
		T(test_R25_same_envelope_twice_in_one_run),
		T(test_unreadable_envelope_refused_without_ack),
		T(test_table_file_refusals),
		T(test_R1_unbound_signer_refused_without_ack),
		T(test_R1_sender_mismatch_negative_ack),
		T(test_R2_role_forbidden_negative_ack),
		T(test_invalid_xml_negative_ack_named_by_id),
		T(test_R8_rule_refusal_and_its_replay),
		T(test_partial_request_archived),
		T(test_names_not_taken),
		T(test_blocked_outbox_defers_then_replays),
		T(test_R8_two_envelopes_one_run_append),
		T(test_R25_backlog_of_batches_each_answered),
		T(test_backlog_blocked_receiver_defers),
		T(test_R26_notices_bundled_per_receiver),
	};

	return cmocka_run_group_tests_name("inbound", tests, group_setup, group_teardown);
}
