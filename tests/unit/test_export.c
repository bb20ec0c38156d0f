/* test_export — R27: the customs-format data of an agreement, made by the
 * shipped xslt/customs-export.xsl and checked here again, independently,
 * against xsd/customs/agent-agreement.xsd; field mapping (dates in China
 * time, payer 1/2, document type 10000001); escaping; a record the schema
 * refuses is an error, never an export; and the stylesheet runs with file
 * and network access forbidden — a stylesheet that reads document('/etc/passwd')
 * or another file, or writes one, must not get anything out. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <libxslt/transform.h>
#include <libxslt/xsltutils.h>
#include "export.h"
#include "log.h"
#include "sample.h"
#include "testutil.h"

#define NOW ((time_t)1796263200)	/* 2026-12-03T02:00:00Z = 10:00 in China */

struct fixture {
	struct exporter	*x;
	xmlSchemaPtr	 schema;	/* the customs schema, compiled by the test */
	struct letter	 l;
	struct agreement a;
	struct buf	 out;
	char		 err[512];
};

static int group_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char x[PATH_MAX], d[PATH_MAX], err[512];
	xmlSchemaParserCtxtPtr pc;

	log_open(NULL, 0);
	f->x = export_load(tu_path(x, "%s/xslt", tu_src()), tu_path(d, "%s/xsd", tu_src()), err, sizeof(err));
	if (f->x == NULL) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	pc = xmlSchemaNewParserCtxt(tu_path(d, "%s/xsd/customs/agent-agreement.xsd", tu_src()));
	f->schema = xmlSchemaParse(pc);
	xmlSchemaFreeParserCtxt(pc);
	if (f->schema == NULL)
		return -1;
	*state = f;
	return 0;
}

static int group_teardown(void **state)
{
	struct fixture *f = *state;

	export_free(f->x);
	xmlSchemaFree(f->schema);
	free(f);
	xsltCleanupGlobals();
	xmlCleanupParser();
	return 0;
}

static int setup(void **state)
{
	struct fixture *f = *state;
	struct letter *l = &f->l;
	struct agreement *a = &f->a;

	memset(l, 0, sizeof(*l));
	strcpy(l->number, "2600000001");
	strcpy(l->consignor.code, "1101230001");
	strcpy(l->consignor.credit, "91110000100000000R");
	strcpy(l->consignor.name, "北京示例贸易有限公司");
	strcpy(l->consignor.signer, "张三");
	strcpy(l->consignor.phone, "010-66668888");
	strcpy(l->broker.code, "4101W68006");
	strcpy(l->broker.name, "郑州示例报关有限公司");
	strcpy(l->mode, "B");
	strcpy(l->matters, "AC");
	l->status = LS_CONFIRMED;
	l->valid_until = (time_t)1812038400;	/* 2027-06-03T16:00:00Z = 2027-06-04 in China */
	memset(a, 0, sizeof(*a));
	strcpy(a->number, "20260000000001");
	strcpy(a->letter, l->number);
	strcpy(a->consignor, l->consignor.code);
	strcpy(a->broker, l->broker.code);
	strcpy(a->payer, "consignor");
	a->status = ST_CONFIRMED;
	sample_goods(a);
	strcpy(a->received_on, "2026-12-04");
	strcpy(a->fee, "350.00");
	a->signed_at = NOW;
	a->updated_at = NOW;
	buf_init(&f->out);
	f->err[0] = '\0';
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	buf_free(&f->out);
	return 0;
}

static void quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static int export(struct fixture *f, const char *kind)
{
	return export_agreement(f->x, &f->l, &f->a, kind, "ENTRUSTHUB", "0100HG0001", &f->out, f->err,
	    sizeof(f->err));
}

/* Parse and validate f->out with the test's own copy of the schema. */
static void expect_valid(struct fixture *f)
{
	xmlDocPtr doc = xmlReadMemory(f->out.data, (int)f->out.len, "export.xml", NULL, XML_PARSE_NONET);
	xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(f->schema);

	assert_non_null(doc);
	if (xmlSchemaValidateDoc(vc, doc) != 0)
		fail_msg("export not valid against agent-agreement.xsd:\n%s", f->out.data);
	xmlSchemaFreeValidCtxt(vc);
	xmlFreeDoc(doc);
}

static void expect_has(struct fixture *f, const char *s)
{
	if (strstr(f->out.data, s) == NULL)
		fail_msg("export lacks %s:\n%s", s, f->out.data);
}

static void test_r27_add_export_valid_and_mapped(void **state)
{
	struct fixture *f = *state;

	if (export(f, "AGREEMENT_ADD") != 0)
		fail_msg("%s", f->err);
	expect_valid(f);
	expect_has(f, "<AgentAgreementMessage xmlns=\"urn:entrust:customs:1\"");
	expect_has(f, "<MessageType>AGREEMENT_ADD</MessageType>");
	expect_has(f, "<SenderCode>ENTRUSTHUB</SenderCode>");
	expect_has(f, "<ReceiverCode>0100HG0001</ReceiverCode>");
	expect_has(f, "<DocType>10000001</DocType>");
	expect_has(f, "<DocName>代理报关委托协议（电子）</DocName>");
	expect_has(f, "<LetterNo>2600000001</LetterNo>");
	expect_has(f, "<Name>北京示例贸易有限公司</Name>");
	expect_has(f, "<EntrustMatters>AC</EntrustMatters>");
	expect_has(f, "<ValidUntil>20270604</ValidUntil>");	/* China calendar */
	expect_has(f, "<AgreementNo>20260000000001</AgreementNo>");
	expect_has(f, "<AgreementStatus>1</AgreementStatus>");
	expect_has(f, "<CodeTs>8471300000</CodeTs>");
	expect_has(f, "<IEDate>20261220</IEDate>");
	expect_has(f, "<DocumentsReceivedDate>20261204</DocumentsReceivedDate>");
	expect_has(f, "<Payer>1</Payer>");
	expect_has(f, "<SignTime>20261203100000000</SignTime>");	/* 10:00 in China */
	assert_null(strstr(f->out.data, "urn:entrust:1"));	/* none of the source's namespace */
}

static void test_r27_revoke_export_at_8(void **state)
{
	struct fixture *f = *state;

	f->a.status = ST_REVOKE_CONFIRMED;
	strcpy(f->a.payer, "broker");
	strcpy(f->a.declaration_number, "010120261000000001");
	if (export(f, "AGREEMENT_REVOKE") != 0)
		fail_msg("%s", f->err);
	expect_valid(f);
	expect_has(f, "<MessageType>AGREEMENT_REVOKE</MessageType>");
	expect_has(f, "<AgreementStatus>8</AgreementStatus>");
	expect_has(f, "<Payer>2</Payer>");
	expect_has(f, "<EntryId>010120261000000001</EntryId>");
}

/* Two exports of the same agreement have different guids (each is a new message). */
static void test_r27_guid_fresh_each_time(void **state)
{
	struct fixture *f = *state;
	char first[64], *p;

	assert_int_equal(export(f, "AGREEMENT_ADD"), 0);
	p = strstr(f->out.data, "guid=\"");
	assert_non_null(p);
	snprintf(first, sizeof(first), "%.36s", p + 6);
	assert_int_equal(export(f, "AGREEMENT_ADD"), 0);
	assert_null(strstr(f->out.data, first));
	expect_valid(f);
}

/* Text with markup characters, quotes and CJK survives as text. */
static void test_r27_text_escaped(void **state)
{
	struct fixture *f = *state;

	strcpy(f->a.goods_name, "<b>螺丝 & \"螺母\"</b> ]]>");
	strcpy(f->a.other_requirements, "a < b; c > d; 'e'");
	strcpy(f->l.consignor.name, "A&B 贸易");
	if (export(f, "AGREEMENT_ADD") != 0)
		fail_msg("%s", f->err);
	expect_valid(f);
	expect_has(f, "&lt;b&gt;螺丝 &amp; \"螺母\"&lt;/b&gt; ]]&gt;");
	expect_has(f, "a &lt; b; c &gt; d; 'e'");
	expect_has(f, "A&amp;B 贸易");
	assert_null(strstr(f->out.data, "<b>"));
}

/* A record the customs schema refuses is an error, naming the agreement;
 * the output buffer is left as it was. */
static void test_r27_table_invalid_data_not_exported(void **state)
{
	static const struct {
		const char	*label;
		const char	*field;		/* which field is spoiled */
		const char	*value;
	} rows[] = {
		{"HS code too short", "hs", "84713"},
		{"currency lower case", "currency", "usd"},
		{"total value not a number", "total", "12,000"},
		{"unit with letters", "unit", "KGS"},
		{"bad direction", "direction", "X"},
		{"bad kind", "kind", "AGREEMENT_DELETE"},
		{"hub code not 10 characters", "hub", "HUB"},
	};
	struct fixture *f = *state;
	size_t i;
	int rc;

	xmlSetStructuredErrorFunc(NULL, NULL);
	xmlSetGenericErrorFunc(NULL, quiet);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *kind = "AGREEMENT_ADD", *hub = "ENTRUSTHUB";

		setup(state);
		buf_adds(&f->out, "previous");
		if (strcmp(rows[i].field, "hs") == 0)
			strcpy(f->a.hs_code, rows[i].value);
		else if (strcmp(rows[i].field, "currency") == 0)
			strcpy(f->a.currency, rows[i].value);
		else if (strcmp(rows[i].field, "total") == 0)
			strcpy(f->a.total_value, rows[i].value);
		else if (strcmp(rows[i].field, "unit") == 0)
			strcpy(f->a.unit, rows[i].value);
		else if (strcmp(rows[i].field, "direction") == 0)
			strcpy(f->a.direction, rows[i].value);
		else if (strcmp(rows[i].field, "kind") == 0)
			kind = rows[i].value;
		else
			hub = rows[i].value;
		rc = export_agreement(f->x, &f->l, &f->a, kind, hub, "0100HG0001", &f->out, f->err, sizeof(f->err));
		if (rc != -1)
			fail_msg("%s: exported (rc %d)", rows[i].label, rc);
		if (strstr(f->err, "20260000000001") == NULL || strstr(f->err, "not valid") == NULL)
			fail_msg("%s: err \"%s\"", rows[i].label, f->err);
		assert_string_equal(f->out.data, "previous");
		teardown(state);
	}
	xmlSetGenericErrorFunc(NULL, NULL);
	setup(state);
}

/* export_load: a missing stylesheet or schema is refused with the path. */
static void test_load_refuses_missing_files(void **state)
{
	char x[PATH_MAX], d[PATH_MAX], err[512] = "";

	(void)state;
	xmlSetGenericErrorFunc(NULL, quiet);
	xsltSetGenericErrorFunc(NULL, quiet);
	assert_null(export_load("/nonexistent/xslt", tu_path(d, "%s/xsd", tu_src()), err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/xslt/customs-export.xsl"));
	assert_null(export_load(tu_path(x, "%s/xslt", tu_src()), "/nonexistent/xsd", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/xsd/customs/agent-agreement.xsd"));
	xmlSetGenericErrorFunc(NULL, NULL);
	xsltSetGenericErrorFunc(NULL, NULL);
}

/* ---- security: the stylesheet gets no file access ---- */

/* A folder with xsd/ (a copy of the customs schema) and xslt/customs-export.xsl:
 * the shipped stylesheet, with extra inserted at the start of EntrustLetter's
 * OtherMatter (a Text, so whatever it reads would still be valid). */
static char *evil_tree(const char *extra, const char *version)
{
	char *dir = tu_tmpdir("export-evil");
	char p[PATH_MAX];
	struct buf xsl;
	char *at;

	assert_int_equal(tu_sh("mkdir -p '%s/xslt' '%s/xsd/customs' && cp '%s/xsd/customs/agent-agreement.xsd' "
	    "'%s/xsd/customs/'", dir, dir, tu_src(), dir), 0);
	buf_init(&xsl);
	assert_int_equal(tu_read(tu_path(p, "%s/xslt/customs-export.xsl", tu_src()), &xsl), 0);
	at = strstr(xsl.data, "<OtherMatter>");
	assert_non_null(at);
	at += strlen("<OtherMatter>");
	{
		struct buf out;

		buf_init(&out);
		buf_add(&out, xsl.data, (size_t)(at - xsl.data));
		buf_adds(&out, extra);
		buf_adds(&out, at);
		if (version != NULL) {
			char *v = strstr(out.data, "version=\"1.0\"\n");

			assert_non_null(v);
			memcpy(v + 9, version, 3);
		}
		assert_int_equal(tu_writes(tu_path(p, "%s/xslt/customs-export.xsl", dir), out.data), 0);
		buf_free(&out);
	}
	buf_free(&xsl);
	return dir;
}

/* Run the evil stylesheet through export; it must not succeed with the
 * secret in its output.  Returns the export's rc. */
static int evil_export(struct fixture *f, const char *dir)
{
	char x[PATH_MAX], d[PATH_MAX], err[512];
	struct exporter *ex = export_load(tu_path(x, "%s/xslt", dir), tu_path(d, "%s/xsd", dir), err, sizeof(err));
	int rc;

	if (ex == NULL)
		fail_msg("evil stylesheet does not load: %s", err);
	xsltSetGenericErrorFunc(NULL, quiet);
	xmlSetGenericErrorFunc(NULL, quiet);
	rc = export_agreement(ex, &f->l, &f->a, "AGREEMENT_ADD", "ENTRUSTHUB", "0100HG0001", &f->out, f->err,
	    sizeof(f->err));
	xsltSetGenericErrorFunc(NULL, NULL);
	xmlSetGenericErrorFunc(NULL, NULL);
	export_free(ex);
	return rc;
}

/* The same stylesheet with libxslt's defaults (no security preferences):
 * the control that shows the stylesheet really would read the file. */
static int leaks_without_prefs(const char *dir, const char *secret)
{
	char p[PATH_MAX];
	xsltStylesheetPtr st = xsltParseStylesheetFile((const xmlChar *)tu_path(p, "%s/xslt/customs-export.xsl", dir));
	static const char text[] = "<ExportSource xmlns=\"urn:entrust:1\"><Letter/></ExportSource>";
	xmlDocPtr src = xmlReadMemory(text, (int)strlen(text), "src.xml", NULL, 0), res;
	xmlChar *mem = NULL;
	int len = 0, leaked = 0;

	assert_non_null(st);
	assert_non_null(src);
	xsltSetGenericErrorFunc(NULL, quiet);
	res = xsltApplyStylesheet(st, src, NULL);
	xsltSetGenericErrorFunc(NULL, NULL);
	if (res != NULL && xsltSaveResultToString(&mem, &len, res, st) == 0 && mem != NULL)
		leaked = strstr((const char *)mem, secret) != NULL;
	xmlFree(mem);
	xmlFreeDoc(res);
	xmlFreeDoc(src);
	xsltFreeStylesheet(st);
	return leaked;
}

static void test_r27_security_document_etc_passwd_fails(void **state)
{
	struct fixture *f = *state;
	char *dir = evil_tree("<xsl:value-of select=\"document('/etc/passwd')\"/>"
	    "<xsl:value-of select=\"document('file:///etc/passwd')\"/>", NULL);

	buf_adds(&f->out, "previous");
	assert_int_equal(evil_export(f, dir), -1);
	assert_non_null(strstr(f->err, "customs-export.xsl failed"));
	assert_string_equal(f->out.data, "previous");
	assert_null(strstr(f->out.data, "root:"));
	tu_rmrf(dir);
	free(dir);
}

/* An XML file the stylesheet could parse: without the security preferences
 * it is read (control), with them the export fails. */
static void test_r27_security_document_of_readable_xml_fails(void **state)
{
	struct fixture *f = *state;
	char *dir, extra[PATH_MAX + 128], secret[PATH_MAX];

	dir = tu_tmpdir("export-secret");
	assert_int_equal(tu_writes(tu_path(secret, "%s/secret.xml", dir), "<s>TOPSECRET-4711</s>"), 0);
	snprintf(extra, sizeof(extra), "<xsl:value-of select=\"document('%s')\"/>", secret);
	{
		char *evil = evil_tree(extra, NULL);

		assert_true(leaks_without_prefs(evil, "TOPSECRET-4711"));
		buf_adds(&f->out, "previous");
		assert_int_equal(evil_export(f, evil), -1);
		assert_string_equal(f->out.data, "previous");
		tu_rmrf(evil);
		free(evil);
	}
	tu_rmrf(dir);
	free(dir);
}

/* Writing a file from the stylesheet (XSLT 1.1 xsl:document) is forbidden too. */
static void test_r27_security_write_file_fails(void **state)
{
	struct fixture *f = *state;
	char *dir = tu_tmpdir("export-write"), target[PATH_MAX], extra[PATH_MAX + 128];

	tu_path(target, "%s/pwned.xml", dir);
	snprintf(extra, sizeof(extra), "<xsl:document href=\"%s\"><x>pwned</x></xsl:document>", target);
	{
		char *evil = evil_tree(extra, "1.1");

		buf_adds(&f->out, "previous");
		assert_int_equal(evil_export(f, evil), -1);
		assert_false(tu_exists(target));
		assert_string_equal(f->out.data, "previous");
		tu_rmrf(evil);
		free(evil);
	}
	tu_rmrf(dir);
	free(dir);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_r27_add_export_valid_and_mapped),
		T(test_r27_revoke_export_at_8),
		T(test_r27_guid_fresh_each_time),
		T(test_r27_text_escaped),
		T(test_r27_table_invalid_data_not_exported),
		T(test_load_refuses_missing_files),
		T(test_r27_security_document_etc_passwd_fails),
		T(test_r27_security_document_of_readable_xml_fails),
		T(test_r27_security_write_file_fails),
	};

	return cmocka_run_group_tests_name("export", tests, group_setup, group_teardown);
}
