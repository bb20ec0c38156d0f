/* test_print — XSLT pages (R17, R23): the agreement form through
 * xslt/print.xsl shows both halves and the letter's terms; the report through
 * xslt/report.xsl draws an SVG bar per row; and a stylesheet can neither read
 * a file (document()) nor write one (exsl:document): every file and network
 * access is forbidden during a transformation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "print.h"
#include "testutil.h"

static void fill(struct letter *l, struct agreement *a)
{
	memset(l, 0, sizeof(*l));
	memset(a, 0, sizeof(*a));
	strcpy(l->number, "2600000001");
	strcpy(l->consignor.code, "1101230001");
	strcpy(l->consignor.name, "北京示例贸易有限公司");
	strcpy(l->consignor.signer, "张三");
	strcpy(l->broker.code, "4101W68006");
	strcpy(l->broker.name, "郑州示例报关有限公司");
	strcpy(l->mode, "B");
	strcpy(l->matters, "AC");
	strcpy(l->signed_on, "2026-12-03");
	l->validity_months = 6;
	strcpy(a->number, "20260000000001");
	strcpy(a->letter, l->number);
	strcpy(a->goods_name, "笔记本电脑 <&> \"quoted\"");
	strcpy(a->bill_of_lading, "COSU6123456780");
	strcpy(a->trade_mode, "0110");
	strcpy(a->payer, "consignor");
	strcpy(a->documents_received, "contract invoice");
	strcpy(a->fee, "300.00");
	a->status = ST_DECLARABLE;
	a->has_broker_half = 1;
}

static void test_agreement_page_has_both_halves(void **state)
{
	char xsl[PATH_MAX], err[256];
	struct agreement a;
	struct letter l;
	struct buf out;
	xmlDocPtr doc;

	(void)state;
	fill(&l, &a);
	doc = print_agreement_doc(&l, &a, NULL, 1796256000);
	buf_init(&out);
	assert_int_equal(print_transform(tu_path(xsl, "%s/xslt/print.xsl", tu_src()), doc, &out, err, sizeof(err)), 0);
	assert_non_null(strstr(out.data, "委托报关协议"));
	assert_non_null(strstr(out.data, "代理报关委托书"));
	assert_non_null(strstr(out.data, "20260000000001"));
	assert_non_null(strstr(out.data, "2600000001"));
	assert_non_null(strstr(out.data, "COSU6123456780"));
	assert_non_null(strstr(out.data, "委托方"));
	assert_non_null(strstr(out.data, "被委托方"));
	assert_non_null(strstr(out.data, "☑A. 填单申报"));
	assert_non_null(strstr(out.data, "☐B. 辅助查验"));
	assert_non_null(strstr(out.data, "☑合同"));
	assert_non_null(strstr(out.data, "☐装箱清单"));
	assert_non_null(strstr(out.data, "&lt;&amp;&gt;"));	/* text is escaped, never markup */
	assert_null(strstr(out.data, "<&>"));
	assert_non_null(strstr(out.data, "size: A4"));
	buf_free(&out);
	xmlFreeDoc(doc);
}

static void test_report_draws_a_bar_per_row(void **state)
{
	static const struct print_bar parties[] = {
		{"4101W68006", "4101W68006 郑州示例报关有限公司", 3}, {"4101W68007", "4101W68007 其他", 1},
	};
	static const struct print_bar months[] = {{"2026-11", "2026-11", 0}, {"2026-12", "2026-12", 4}};
	char xsl[PATH_MAX], err[256], *p;
	struct buf out;
	xmlDocPtr doc;
	int rects = 0;

	(void)state;
	doc = print_report_doc("2026-11-01", "2026-12-31", "1101230001", 4, parties, 2, months, 2, 1796256000);
	buf_init(&out);
	assert_int_equal(print_transform(tu_path(xsl, "%s/xslt/report.xsl", tu_src()), doc, &out, err, sizeof(err)), 0);
	for (p = out.data; (p = strstr(p, "<rect")) != NULL; p++)
		rects++;
	assert_int_equal(rects, 4);
	assert_non_null(strstr(out.data, "<svg"));
	assert_non_null(strstr(out.data, "郑州示例报关有限公司"));
	assert_non_null(strstr(out.data, "id=\"total\">4<"));
	assert_non_null(strstr(out.data, "width=\"360\""));	/* the largest bar is full width */
	buf_free(&out);
	xmlFreeDoc(doc);
}

/* A stylesheet that tries to read a file or write one must not succeed. */
static void test_file_access_forbidden(void **state)
{
	static const struct {
		const char	*label, *body;
	} rows[] = {
		{"document() reads a file", "<xsl:template match=\"/\"><out><xsl:copy-of select=\"document('%s/secret.xml')\"/></out></xsl:template>"},
		{"exsl:document writes a file", "<xsl:template match=\"/\"><exsl:document href=\"%s/written.txt\" method=\"text\">x</exsl:document><out/></xsl:template>"},
	};
	char *dir = tu_tmpdir("print"), path[PATH_MAX], body[1024], sheet[2048], err[256];
	struct agreement a;
	struct letter l;
	struct buf out;
	xmlDocPtr doc;
	size_t i;
	int rc;

	(void)state;
	fill(&l, &a);
	tu_writes(tu_path(path, "%s/secret.xml", dir), "<secret>TOPSECRET</secret>");
	doc = print_agreement_doc(&l, &a, NULL, 1796256000);
	buf_init(&out);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		snprintf(body, sizeof(body), rows[i].body, dir);
		snprintf(sheet, sizeof(sheet), "<xsl:stylesheet version=\"1.0\" "
		    "xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\" xmlns:exsl=\"http://exslt.org/common\" "
		    "extension-element-prefixes=\"exsl\">%s</xsl:stylesheet>", body);
		tu_writes(tu_path(path, "%s/evil.xsl", dir), sheet);
		buf_reset(&out);
		rc = print_transform(path, doc, &out, err, sizeof(err));
		if (rc == 0 && out.data && strstr(out.data, "TOPSECRET"))
			fail_msg("%s: the secret was read", rows[i].label);
		assert_false(tu_exists(tu_path(path, "%s/written.txt", dir)));
		assert_int_equal(rc, -1);
		assert_true(err[0] != '\0');
	}
	buf_free(&out);
	xmlFreeDoc(doc);
	tu_rmrf(dir);
	free(dir);
}

static void test_missing_stylesheet(void **state)
{
	struct agreement a;
	struct letter l;
	struct buf out;
	char err[256];
	xmlDocPtr doc;

	(void)state;
	fill(&l, &a);
	doc = print_agreement_doc(&l, &a, NULL, 0);
	buf_init(&out);
	assert_int_equal(print_transform("/nonexistent/print.xsl", doc, &out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/print.xsl"));
	buf_free(&out);
	xmlFreeDoc(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agreement_page_has_both_halves),
		cmocka_unit_test(test_report_draws_a_bar_per_row),
		cmocka_unit_test(test_file_access_forbidden),
		cmocka_unit_test(test_missing_stylesheet),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
