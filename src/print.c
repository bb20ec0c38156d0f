/* print — XSLT pages for printing (R17) and reporting (R23). */
#include "print.h"
#include "codes.h"
#include "xmem.h"
#include <libxml/parser.h>
#include <libxslt/security.h>
#include <libxslt/transform.h>
#include <libxslt/xsltInternals.h>
#include <libxslt/xsltutils.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static xmlNodePtr add(xmlNodePtr parent, const char *name, const char *text)
{
	return xmlNewTextChild(parent, NULL, (const xmlChar *)name, (const xmlChar *)text);
}

static void add_int(xmlNodePtr parent, const char *name, int64_t v)
{
	char s[32];

	snprintf(s, sizeof(s), "%lld", (long long)v);
	add(parent, name, s);
}

static void set_attr(xmlNodePtr n, const char *name, const char *v)
{
	xmlNewProp(n, (const xmlChar *)name, (const xmlChar *)(v ? v : ""));
}

/* A date in China (UTC+8), "yyyy-mm-dd", as the paper form shows it. */
static void add_date(xmlNodePtr parent, const char *name, int64_t t)
{
	time_t tt = (time_t)t + 8 * 3600;
	char s[16] = "";
	struct tm tm;

	if (t != 0) {
		gmtime_r(&tt, &tm);
		strftime(s, sizeof(s), "%Y-%m-%d", &tm);
	}
	add(parent, name, s);
}

/* A coded field with its Chinese name (R12 反填), empty name when unknown. */
static void add_coded(xmlNodePtr parent, const char *name, const char *code, const struct codes *codes,
    enum code_table t)
{
	const char *zh = codes && code[0] ? codes_name(codes, t, code) : NULL;

	set_attr(add(parent, name, code), "name", zh);
}

static void add_party(xmlNodePtr parent, const char *name, const struct letter_party *p)
{
	xmlNodePtr n = add(parent, name, NULL);

	add(n, "Code", p->code);
	add(n, "Credit", p->credit);
	add(n, "Name", p->name);
	add(n, "Signer", p->signer);
	add(n, "Phone", p->phone);
}

static void add_letter(xmlNodePtr root, const struct letter *l)
{
	xmlNodePtr n = add(root, "Letter", NULL);

	add(n, "Number", l->number);
	add(n, "Status", letter_status_name((int)l->status));
	add_party(n, "Consignor", &l->consignor);
	add_party(n, "Broker", &l->broker);
	add(n, "Initiator", l->initiator);
	add(n, "Mode", l->mode);
	add(n, "Matters", l->matters);
	add(n, "OtherMatter", l->other_matter);
	add_int(n, "ValidityMonths", l->validity_months);
	add_date(n, "ValidUntil", l->valid_until);
	add(n, "AutoConfirm", l->auto_confirm ? "1" : "0");
	add(n, "SignedOn", l->signed_on);
}

static void add_broker_half(xmlNodePtr parent, const struct agreement *a)
{
	xmlNodePtr n = add(parent, "BrokerHalf", NULL);

	set_attr(n, "present", a->has_broker_half ? "1" : "0");
	add(n, "Documents", a->documents_received);
	add(n, "ReceivedOn", a->received_on);
	add(n, "Fee", a->fee);
	add(n, "Commitments", a->commitments);
	add(n, "DeclarationNumber", a->declaration_number);
}

static void add_agreement(xmlNodePtr root, const struct agreement *a, const struct codes *codes)
{
	xmlNodePtr n = add(root, "Agreement", NULL);

	add(n, "Number", a->number);
	add_int(n, "Status", a->status);
	add(n, "StatusName", agreement_status_zh((int)a->status));
	add(n, "Consignor", a->consignor);
	add(n, "Broker", a->broker);
	add(n, "Payer", a->payer);
	add(n, "GoodsName", a->goods_name);
	add(n, "HsCode", a->hs_code);
	add(n, "TotalValue", a->total_value);
	add_coded(n, "Currency", a->currency, codes, CODES_CURRENCY);
	add(n, "Quantity", a->quantity);
	add_coded(n, "Unit", a->unit, codes, CODES_UNIT);
	add(n, "Direction", a->direction);
	add(n, "Date", a->date);
	add(n, "BillOfLading", a->bill_of_lading);
	add_coded(n, "TradeMode", a->trade_mode, codes, CODES_TRADE_MODE);
	add_coded(n, "Origin", a->origin, codes, CODES_COUNTRY);
	add(n, "OtherRequirements", a->other_requirements);
	add_date(n, "SignedAt", a->signed_at);
	add(n, "MessageId", a->message_id);
	add_broker_half(n, a);
}

static xmlDocPtr new_doc(const char *root_name, time_t now, xmlNodePtr *root)
{
	xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
	char ts[32];
	struct tm tm;

	*root = xmlNewNode(NULL, (const xmlChar *)root_name);
	xmlDocSetRootElement(doc, *root);
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	set_attr(*root, "generated", ts);
	return doc;
}

xmlDocPtr print_agreement_doc(const struct letter *l, const struct agreement *a,
    const struct codes *codes, time_t now)
{
	xmlNodePtr root;
	xmlDocPtr doc = new_doc("Print", now, &root);

	add_letter(root, l);
	add_agreement(root, a, codes);
	return doc;
}

static void add_bars(xmlNodePtr root, const char *name, const struct print_bar *b, int n)
{
	xmlNodePtr e;
	char s[32];
	int i;

	for (i = 0; i < n; i++) {
		e = add(root, name, NULL);
		set_attr(e, "key", b[i].key);
		set_attr(e, "label", b[i].label);
		snprintf(s, sizeof(s), "%lld", (long long)b[i].count);
		set_attr(e, "count", s);
	}
}

xmlDocPtr print_report_doc(const char *from, const char *to, const char *party, int64_t total,
    const struct print_bar *parties, int nparties, const struct print_bar *months, int nmonths,
    time_t now)
{
	xmlNodePtr root;
	xmlDocPtr doc = new_doc("Report", now, &root);
	char s[32];

	set_attr(root, "from", from);
	set_attr(root, "to", to);
	set_attr(root, "party", party);
	snprintf(s, sizeof(s), "%lld", (long long)total);
	set_attr(root, "total", s);
	add_bars(root, "Counterparty", parties, nparties);
	add_bars(root, "Month", months, nmonths);
	return doc;
}

/* Forbid every file and network access during a transformation. */
static xsltSecurityPrefsPtr print_prefs(void)
{
	xsltSecurityPrefsPtr p = xsltNewSecurityPrefs();

	if (p == NULL
	    || xsltSetSecurityPrefs(p, XSLT_SECPREF_READ_FILE, xsltSecurityForbid) != 0
	    || xsltSetSecurityPrefs(p, XSLT_SECPREF_WRITE_FILE, xsltSecurityForbid) != 0
	    || xsltSetSecurityPrefs(p, XSLT_SECPREF_CREATE_DIRECTORY, xsltSecurityForbid) != 0
	    || xsltSetSecurityPrefs(p, XSLT_SECPREF_READ_NETWORK, xsltSecurityForbid) != 0
	    || xsltSetSecurityPrefs(p, XSLT_SECPREF_WRITE_NETWORK, xsltSecurityForbid) != 0)
		panic("print: cannot set up XSLT security preferences");
	return p;
}

struct print_err {
	char	*err;
	size_t	 errlen;
	int	 seen;
};

static void print_on_error(void *arg, const char *fmt, ...)
{
	struct print_err *e = arg;
	va_list ap;
	size_t n;

	if (e->seen++ || e->errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(e->err, e->errlen, fmt, ap);
	va_end(ap);
	n = strlen(e->err);
	while (n > 0 && (e->err[n - 1] == '\n' || e->err[n - 1] == ' '))
		e->err[--n] = '\0';
}

static int print_apply(xsltStylesheetPtr style, xmlDocPtr doc, struct buf *out, struct print_err *pe)
{
	xsltSecurityPrefsPtr prefs = print_prefs();
	xsltTransformContextPtr ctxt = xsltNewTransformContext(style, doc);
	xmlDocPtr res = NULL;
	xmlChar *text = NULL;
	int len = 0, rc = -1;

	if (ctxt != NULL && xsltSetCtxtSecurityPrefs(prefs, ctxt) == 0) {
		xsltSetTransformErrorFunc(ctxt, pe, print_on_error);
		res = xsltApplyStylesheetUser(style, doc, NULL, NULL, NULL, ctxt);
		if (res != NULL && ctxt->state == XSLT_STATE_OK && xsltSaveResultToString(&text, &len, res, style) == 0) {
			buf_reset(out);
			buf_add(out, text ? (const char *)text : "", (size_t)len);
			rc = 0;
		}
	}
	if (rc < 0 && !pe->seen)
		snprintf(pe->err, pe->errlen, "the transformation failed 转换失败");
	xmlFree(text);
	xmlFreeDoc(res);
	xsltFreeTransformContext(ctxt);
	xsltFreeSecurityPrefs(prefs);
	return rc;
}

int print_transform(const char *xsl_path, xmlDocPtr doc, struct buf *out, char *err, size_t errlen)
{
	struct print_err pe = {err, errlen, 0};
	xsltStylesheetPtr style;
	xmlDocPtr sdoc;
	int rc;

	err[0] = '\0';
	/* The stylesheet is ours, but still read without network access. */
	if ((sdoc = xmlReadFile(xsl_path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)) == NULL) {
		snprintf(err, errlen, "%s: cannot read stylesheet 无法读取样式表", xsl_path);
		return -1;
	}
	xsltSetGenericErrorFunc(&pe, print_on_error);
	if ((style = xsltParseStylesheetDoc(sdoc)) == NULL) {
		xmlFreeDoc(sdoc);
		xsltSetGenericErrorFunc(NULL, NULL);
		if (!pe.seen)
			snprintf(err, errlen, "%s: not a valid stylesheet 样式表无效", xsl_path);
		return -1;
	}
	rc = print_apply(style, doc, out, &pe);
	xsltFreeStylesheet(style);	/* frees sdoc too */
	xsltSetGenericErrorFunc(NULL, NULL);
	return rc;
}
