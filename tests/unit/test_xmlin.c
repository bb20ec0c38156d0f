/* test_xmlin — hardened parsing of untrusted XML and validation against
 * xsd/entrust.xsd: what is refused before libxml2 sees a byte (DOCTYPE,
 * entities, non-UTF-8, NUL), malformed and invalid documents with a
 * detail naming line and element, and navigation in our namespace. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "xmlin.h"
#include <libxml/parser.h>
#include "testutil.h"

struct fixture {
	struct xmlin	*x;
	struct buf	 example;	/* docs/examples/entrust-request.xml */
	char		 detail[512];
};

static int group_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char p[PATH_MAX], err[512];

	xmlin_global_init();
	f->x = xmlin_load(tu_path(p, "%s/xsd/entrust.xsd", tu_src()), err, sizeof(err));
	if (f->x == NULL) {
		fprintf(stderr, "xmlin_load: %s\n", err);
		return -1;
	}
	buf_init(&f->example);
	if (tu_read(tu_path(p, "%s/docs/examples/entrust-request.xml", tu_src()), &f->example) != 0)
		return -1;
	*state = f;
	return 0;
}

static int group_teardown(void **state)
{
	struct fixture *f = *state;

	xmlin_free(f->x);
	buf_free(&f->example);
	free(f);
	xmlin_global_done();
	return 0;
}

/* The example with the first occurrence of from replaced by to. */
static void variant(const struct fixture *f, const char *from, const char *to, struct buf *out)
{
	const char *at = strstr(f->example.data, from);

	if (at == NULL)
		fail_msg("example lacks \"%s\"", from);
	buf_reset(out);
	buf_add(out, f->example.data, (size_t)(at - f->example.data));
	buf_adds(out, to);
	buf_adds(out, at + strlen(from));
}

static enum reason parse(struct fixture *f, const char *data, size_t len, xmlDocPtr *doc)
{
	return xmlin_parse(f->x, data, len, doc, f->detail, sizeof(f->detail));
}

static void test_example_is_valid(void **state)
{
	struct fixture *f = *state;
	xmlDocPtr doc;
	xmlNodePtr root;

	assert_int_equal(parse(f, f->example.data, f->example.len, &doc), R_NONE);
	assert_non_null(doc);
	assert_string_equal(f->detail, "");
	root = xmlDocGetRootElement(doc);
	assert_string_equal((const char *)root->name, "EntrustRequest");
	xmlFreeDoc(doc);
}

/* Table: documents and the reason they get. */
struct row {
	const char	*label;
	const char	*from, *to;	/* a variant of the example; from NULL: doc is whole */
	const char	*doc;
	enum reason	 want;
	const char	*detail;	/* substring of the detail, or NULL */
	const char	*from2, *to2;	/* a second replacement, or NULL */
};

static const struct row rows[] = {
	/* refused before parsing */
	{"DOCTYPE", "<EntrustRequest", "<!DOCTYPE EntrustRequest [<!ENTITY x \"y\">]>\n<EntrustRequest", NULL,
	    R_XML_FORBIDDEN, "DOCTYPE", NULL, NULL},
	{"external entity", "<EntrustRequest", "<!DOCTYPE r SYSTEM \"file:///etc/passwd\">\n<EntrustRequest",
	    NULL, R_XML_FORBIDDEN, "DOCTYPE", NULL, NULL},
	{"entity declaration alone", NULL, NULL, "<a><!ENTITY x \"y\"></a>", R_XML_FORBIDDEN, "entity", NULL, NULL},
	{"billion laughs", NULL, NULL,
	    "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]><l>&b;</l>",
	    R_XML_FORBIDDEN, NULL, NULL, NULL},
	{"declared Latin-1", "encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"", NULL, R_XML_FORBIDDEN, "UTF-8", NULL, NULL},
	{"declared GBK", "encoding=\"UTF-8\"", "encoding='GBK'", NULL, R_XML_FORBIDDEN, "UTF-8", NULL, NULL},
	{"declared UTF-16", "encoding=\"UTF-8\"", "encoding=\"UTF-16\"", NULL, R_XML_FORBIDDEN, "UTF-8", NULL, NULL},
	{"UTF-16 BOM", NULL, NULL, "\xff\xfe<\0a\0/\0>\0", R_XML_FORBIDDEN, "UTF-16", NULL, NULL},
	{"UTF-16 BE BOM", NULL, NULL, "\xfe\xff\0<\0a\0/\0>", R_XML_FORBIDDEN, "UTF-16", NULL, NULL},
	/* accepted spellings of UTF-8 */
	{"utf-8 in lower case, single quotes", "encoding=\"UTF-8\"", "encoding='utf-8'", NULL, R_NONE, NULL, NULL, NULL},
	{"spaces around the encoding's =", "encoding=\"UTF-8\"", "encoding = \"UTF-8\"", NULL, R_NONE, NULL, NULL, NULL},
	{"no XML declaration", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "", NULL, R_NONE, NULL, NULL, NULL},
	{"declaration without encoding", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "<?xml version=\"1.0\"?>",
	    NULL, R_NONE, NULL, NULL, NULL},
	{"UTF-8 BOM", "<?xml", "\xef\xbb\xbf<?xml", NULL, R_NONE, NULL, NULL, NULL},
	/* malformed */
	{"empty", NULL, NULL, "", R_XML_MALFORMED, NULL, NULL, NULL},
	{"not XML", NULL, NULL, "hello", R_XML_MALFORMED, "line 1", NULL, NULL},
	{"unclosed element", "</EntrustRequest>", "", NULL, R_XML_MALFORMED, "line", NULL, NULL},
	{"mismatched tag", "</GoodsName>", "</Goods>", NULL, R_XML_MALFORMED, "line 27", NULL, NULL},
	/* not UTF-8, or an entity: refused as forbidden (docs/protocol.md §2.4), not as malformed */
	{"invalid UTF-8", "笔记本电脑", "\xe7\xac", NULL, R_XML_FORBIDDEN, "UTF-8", NULL, NULL},
	{"overlong UTF-8 (/ as 2 bytes)", "笔记本电脑", "\xc0\xaf", NULL, R_XML_FORBIDDEN, "offset", NULL, NULL},
	{"UTF-8 surrogate", "笔记本电脑", "\xed\xa0\x80", NULL, R_XML_FORBIDDEN, "UTF-8", NULL, NULL},
	{"UTF-8 above U+10FFFF", "笔记本电脑", "\xf4\x90\x80\x80", NULL, R_XML_FORBIDDEN, "UTF-8", NULL, NULL},
	{"lone continuation byte", "笔记本电脑", "\x80", NULL, R_XML_FORBIDDEN, "UTF-8", NULL, NULL},
	{"byte 0xff", "笔记本电脑", "\xff", NULL, R_XML_FORBIDDEN, "UTF-8", NULL, NULL},
	{"four-byte UTF-8 is fine", "笔记本电脑", "\xf0\x9f\x93\xa6", NULL, R_NONE, NULL, NULL, NULL},
	{"unknown entity reference", "笔记本电脑", "&nbsp;", NULL, R_XML_FORBIDDEN, "nbsp", NULL, NULL},
	{"predefined entities and character references", "笔记本电脑", "&lt;&amp;&gt;&quot;&apos;&#x7B14;&#31508;",
	    NULL, R_NONE, NULL, NULL, NULL},
	/* invalid against the schema */
	{"wrong namespace", "urn:entrust:1", "urn:other", NULL, R_XML_INVALID, NULL, NULL, NULL},
	{"no namespace", " xmlns=\"urn:entrust:1\"", "", NULL, R_XML_INVALID, NULL, NULL, NULL},
	{"unknown root", NULL, NULL, "<Hello xmlns=\"urn:entrust:1\"/>", R_XML_INVALID, NULL, NULL, NULL},
	{"HsCode of 9 digits", "8471300000", "847130000", NULL, R_XML_INVALID, "HsCode", NULL, NULL},
	{"ValidityMonths 5", "<ValidityMonths>6<", "<ValidityMonths>5<", NULL, R_XML_INVALID, "ValidityMonths", NULL, NULL},
	{"Matter I", "<Matter>C<", "<Matter>I<", NULL, R_XML_INVALID, "Matter", NULL, NULL},
	{"customs code lower case", "4101W68006", "4101w68006", NULL, R_XML_INVALID, "Code", NULL, NULL},
	{"no Header", "<Header>", "<Heading>", NULL, R_XML_INVALID, "Heading", "</Header>", "</Heading>"},
	{"version 2", "version=\"1\"", "version=\"2\"", NULL, R_XML_INVALID, "version", NULL, NULL},
	{"no Agreement", "<Agreement ref=\"1\">", "<Extra ref=\"1\">", NULL, R_XML_INVALID, "Extra",
	    "</Agreement>", "</Extra>"},
	{"eleven agreements", NULL, NULL, NULL, R_XML_INVALID, "Agreement", NULL, NULL},
	{"Payer someone", ">consignor</Payer>", ">someone</Payer>", NULL, R_XML_INVALID, "Payer", NULL, NULL},
	{"bad ref", "ref=\"1\"", "ref=\"a b\"", NULL, R_XML_INVALID, "ref", NULL, NULL},
};

/* The example with its Agreement repeated to eleven (the schema allows 1–10). */
static void eleven(const struct fixture *f, struct buf *out)
{
	const char *a = strstr(f->example.data, "  <Agreement "), *e = strstr(f->example.data, "</EntrustRequest>");
	int i;

	assert_non_null(a);
	assert_non_null(e);
	buf_reset(out);
	buf_add(out, f->example.data, (size_t)(e - f->example.data));
	for (i = 1; i < 11; i++)
		buf_add(out, a, (size_t)(e - a));
	buf_adds(out, e);
}

static void test_table_documents(void **state)
{
	struct fixture *f = *state;
	struct buf doc;
	size_t i;

	buf_init(&doc);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		xmlDocPtr d = (xmlDocPtr)1;
		enum reason got;
		size_t len;

		if (r->from) {
			variant(f, r->from, r->to, &doc);
			if (r->from2) {
				struct fixture g = *f;

				buf_init(&g.example);
				buf_add(&g.example, doc.data, doc.len);
				variant(&g, r->from2, r->to2, &doc);
				buf_free(&g.example);
			}
			len = doc.len;
		} else if (r->doc == NULL) {
			eleven(f, &doc);
			len = doc.len;
		} else {
			buf_reset(&doc);
			len = strlen(r->doc);
			if (strncmp(r->doc, "\xff\xfe", 2) == 0 || strncmp(r->doc, "\xfe\xff", 2) == 0)
				len = 10;	/* UTF-16: NULs inside */
			buf_add(&doc, r->doc, len);
		}
		got = parse(f, doc.data, len, &d);
		if (got != r->want)
			fail_msg("%s: got %s (%s), want %s", r->label, reason_code(got), f->detail,
			    reason_code(r->want));
		if (r->detail && strstr(f->detail, r->detail) == NULL)
			fail_msg("%s: detail \"%s\" lacks \"%s\"", r->label, f->detail, r->detail);
		if (got == R_NONE ? d == NULL : d != NULL)
			fail_msg("%s: document %p with %s", r->label, (void *)d, reason_code(got));
		if (got != R_NONE && f->detail[0] == '\0')
			fail_msg("%s: refused without a detail", r->label);
		xmlFreeDoc(d);
	}
	buf_free(&doc);
}

/* A NUL byte anywhere (content, not only text) is refused. */
/* A start tag with thousands of attributes is refused before libxml2 2.9 spends
 * quadratic time on it; attributes inside comments, CDATA and PIs are text. */
static void test_attribute_flood_refused_early(void **state)
{
	struct fixture *f = *state;
	struct buf doc;
	xmlDocPtr d;
	int i;

	buf_init(&doc);
	buf_adds(&doc, "<Query xmlns=\"urn:entrust:1\" version=\"1\"");
	for (i = 0; i < 20000; i++)
		buf_printf(&doc, " a%d=\"\"", i);
	buf_adds(&doc, "/>");
	assert_int_equal(parse(f, doc.data, doc.len, &d), R_XML_INVALID);
	assert_null(d);
	assert_non_null(strstr(f->detail, "attributes"));
	/* the same '=' in a comment, a CDATA section and a PI do not count */
	{
		const char *at = strstr(f->example.data, "<Letter>");
		struct buf v;

		buf_init(&v);
		buf_add(&v, f->example.data, (size_t)(at - f->example.data));
		buf_adds(&v, "<!--");
		for (i = 0; i < 200; i++)
			buf_printf(&v, " a%d=\"x\"", i);
		buf_adds(&v, " --><?pi");
		for (i = 0; i < 200; i++)
			buf_printf(&v, " b%d=\"y\"", i);
		buf_adds(&v, "?>");
		buf_adds(&v, at);
		assert_int_equal(parse(f, v.data, v.len, &d), R_NONE);
		xmlFreeDoc(d);
		buf_free(&v);
	}
	buf_free(&doc);
}

/* Large documents are checked in a streaming pass first (no tree): an invalid
 * flood of elements is XML_INVALID, a malformed one XML_MALFORMED, an entity
 * XML_FORBIDDEN; a large valid document still parses. */
static void test_large_documents_streamed(void **state)
{
	struct fixture *f = *state;
	struct buf doc;
	xmlDocPtr d;
	int i;

	buf_init(&doc);
	buf_adds(&doc, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Query xmlns=\"urn:entrust:1\" version=\"1\">");
	for (i = 0; i < 200000; i++)
		buf_adds(&doc, "<x/>");
	buf_adds(&doc, "</Query>");
	assert_int_equal(parse(f, doc.data, doc.len, &d), R_XML_INVALID);
	assert_null(d);
	doc.len -= strlen("</Query>");		/* unclosed: malformed wins over invalid */
	assert_int_equal(parse(f, doc.data, doc.len, &d), R_XML_MALFORMED);
	buf_adds(&doc, "&nbsp;</Query>");
	assert_int_equal(parse(f, doc.data, doc.len, &d), R_XML_FORBIDDEN);
	/* a valid receipt of 3000 items (over 256 KiB) */
	buf_reset(&doc);
	buf_adds(&doc, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomsReceipt xmlns=\"urn:entrust:1\" version=\"1\">"
	    "<Header><MessageId>R-1</MessageId><Sender>0100HG0001</Sender><SentAt>2026-12-03T10:00:00Z</SentAt></Header>");
	for (i = 0; i < 3000; i++)
		buf_printf(&doc, "<Item ref=\"i%d\"><Agreement>20261203000001</Agreement><Event>data-received</Event>"
		    "<ReturnInfo>%0100d</ReturnInfo></Item>\n", i, i);
	buf_adds(&doc, "</CustomsReceipt>\n");
	assert_true(doc.len > 256 * 1024);
	if (parse(f, doc.data, doc.len, &d) != R_NONE)
		fail_msg("large receipt: %s", f->detail);
	assert_non_null(d);
	xmlFreeDoc(d);
	buf_free(&doc);
}

static void test_nul_byte_forbidden(void **state)
{
	struct fixture *f = *state;
	xmlDocPtr d;
	struct buf doc;

	buf_init(&doc);
	buf_add(&doc, f->example.data, f->example.len);
	doc.data[doc.len - 3] = '\0';
	assert_int_equal(parse(f, doc.data, doc.len, &d), R_XML_FORBIDDEN);
	assert_null(d);
	assert_non_null(strstr(f->detail, "NUL"));
	buf_free(&doc);
}

/* The detail of a schema error names the line and the element's path. */
static void test_invalid_detail_names_line_and_path(void **state)
{
	struct fixture *f = *state;
	struct buf doc;
	xmlDocPtr d;

	buf_init(&doc);
	variant(f, "<Origin>502<", "<Origin>5020<", &doc);
	assert_int_equal(parse(f, doc.data, doc.len, &d), R_XML_INVALID);
	assert_non_null(strstr(f->detail, "line 35"));
	assert_non_null(strstr(f->detail, "Origin"));
	assert_memory_equal(f->detail, "line 35: /", 10);	/* then the node's path */
	assert_null(strchr(f->detail, '\n'));
	buf_free(&doc);
}

/* Parsing does not reach the network or the file system. */
static void test_no_external_access(void **state)
{
	struct fixture *f = *state;
	xmlDocPtr d;
	static const char xi[] =
	    "<EntrustRequest xmlns=\"urn:entrust:1\" xmlns:xi=\"http://www.w3.org/2001/XInclude\" version=\"1\">"
	    "<xi:include href=\"/etc/passwd\" parse=\"text\"/></EntrustRequest>";

	/* XInclude is not processed: the element stays and the schema refuses it. */
	assert_int_equal(parse(f, xi, sizeof(xi) - 1, &d), R_XML_INVALID);
	assert_null(d);
}

/* The detail is cut to its buffer, never overflowing. */
static void test_detail_truncated(void **state)
{
	struct fixture *f = *state;
	char small[12];
	xmlDocPtr d;

	memset(small, '#', sizeof(small));
	assert_int_equal(xmlin_parse(f->x, "hello", 5, &d, small, 8), R_XML_MALFORMED);
	assert_true(strlen(small) <= 7);
	assert_int_equal(small[8], '#');
}

/* Repeated parses are independent: an error does not stick. */
static void test_parses_are_independent(void **state)
{
	struct fixture *f = *state;
	xmlDocPtr d;
	int i;

	for (i = 0; i < 3; i++) {
		assert_int_equal(parse(f, "<a>", 3, &d), R_XML_MALFORMED);
		assert_int_equal(parse(f, f->example.data, f->example.len, &d), R_NONE);
		assert_string_equal(f->detail, "");
		xmlFreeDoc(d);
	}
}

static void test_load_errors(void **state)
{
	char err[512], p[PATH_MAX];

	(void)state;
	assert_null(xmlin_load("/nonexistent/entrust.xsd", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/entrust.xsd"));
	/* An XML file that is not a schema. */
	assert_null(xmlin_load(tu_path(p, "%s/docs/examples/entrust-request.xml", tu_src()), err, sizeof(err)));
	assert_string_not_equal(err, "");
}

/* ---- navigation ---- */

static void test_navigation(void **state)
{
	struct fixture *f = *state;
	xmlDocPtr d;
	xmlNodePtr root, letter, m, ag;
	char out[64], tiny[4];
	int n;

	assert_int_equal(parse(f, f->example.data, f->example.len, &d), R_NONE);
	root = xmlDocGetRootElement(d);
	letter = xmlin_child(root, "Letter");
	assert_non_null(letter);
	assert_null(xmlin_child(root, "Nope"));
	assert_null(xmlin_child(NULL, "Letter"));

	assert_int_equal(xmlin_text(xmlin_child(root, "Header"), "MessageId", out, sizeof(out)), 1);
	assert_string_equal(out, "ERP-20261203-0001");
	assert_int_equal(xmlin_text(letter, "Mode", out, sizeof(out)), 1);
	assert_string_equal(out, "B");
	assert_int_equal(xmlin_text(letter, "OtherMatter", out, sizeof(out)), 0);
	assert_string_equal(out, "");
	/* Too long: -1, cut and terminated. */
	assert_int_equal(xmlin_text(xmlin_child(letter, "Consignor"), "Code", tiny, sizeof(tiny)), -1);
	assert_string_equal(tiny, "110");
	/* UTF-8 text as is. */
	assert_int_equal(xmlin_text(xmlin_child(letter, "Consignor"), "Name", out, sizeof(out)), 1);
	assert_string_equal(out, "北京示例贸易有限公司");

	for (n = 0, m = xmlin_child(letter, "Matter"); m; m = xmlin_next(m, "Matter"))
		n++;
	assert_int_equal(n, 2);
	assert_null(xmlin_next(NULL, "Matter"));

	ag = xmlin_child(root, "Agreement");
	assert_int_equal(xmlin_attr(ag, "ref", out, sizeof(out)), 1);
	assert_string_equal(out, "1");
	assert_int_equal(xmlin_attr(ag, "nope", out, sizeof(out)), 0);
	assert_int_equal(xmlin_attr(NULL, "ref", out, sizeof(out)), 0);
	assert_int_equal(xmlin_attr(xmlin_child(ag, "TotalValue"), "currency", out, sizeof(out)), 1);
	assert_string_equal(out, "USD");
	assert_null(xmlin_next(ag, "Agreement"));
	xmlFreeDoc(d);
}

/* Only elements of urn:entrust:1 are found by name. */
static void test_navigation_needs_our_namespace(void **state)
{
	static const char doc[] = "<r xmlns=\"urn:entrust:1\" xmlns:o=\"urn:other\">"
	    "<o:Code>x</o:Code><Code>y</Code><!-- Code --><Code>z</Code></r>";
	xmlDocPtr d = xmlReadMemory(doc, sizeof(doc) - 1, "t.xml", NULL, XML_PARSE_NONET);
	xmlNodePtr root, c;
	char out[8];

	(void)state;
	assert_non_null(d);
	root = xmlDocGetRootElement(d);
	assert_int_equal(xmlin_text(root, "Code", out, sizeof(out)), 1);
	assert_string_equal(out, "y");
	c = xmlin_next(xmlin_child(root, "Code"), "Code");
	assert_non_null(c);
	xmlFreeDoc(d);
	d = xmlReadMemory("<r><Code>n</Code></r>", 21, "t.xml", NULL, XML_PARSE_NONET);
	assert_int_equal(xmlin_text(xmlDocGetRootElement(d), "Code", out, sizeof(out)), 0);
	xmlFreeDoc(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_is_valid),
		cmocka_unit_test(test_table_documents),
		cmocka_unit_test(test_nul_byte_forbidden),
		cmocka_unit_test(test_attribute_flood_refused_early),
		cmocka_unit_test(test_large_documents_streamed),
		cmocka_unit_test(test_invalid_detail_names_line_and_path),
		cmocka_unit_test(test_no_external_access),
		cmocka_unit_test(test_detail_truncated),
		cmocka_unit_test(test_parses_are_independent),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_navigation),
		cmocka_unit_test(test_navigation_needs_our_namespace),
	};

	return cmocka_run_group_tests_name("xmlin", tests, group_setup, group_teardown);
}
