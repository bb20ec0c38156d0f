/* export — customs-format exports by XSLT, validated against their schema. */
#include "export.h"
#include "xmem.h"
#include "xmlin.h"
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <libxslt/security.h>
#include <libxslt/transform.h>
#include <libxslt/xsltInternals.h>
#include <libxslt/xsltutils.h>
#include <limits.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

struct exporter {
	xsltStylesheetPtr	style;
	xmlSchemaPtr		schema;
};

struct exporter *export_load(const char *xslt_dir, const char *xsd_dir, char *err, size_t errlen)
{
	char xsl[PATH_MAX], xsd[PATH_MAX];
	xmlSchemaParserCtxtPtr pc;
	struct exporter *x;

	if (snprintf(xsl, sizeof(xsl), "%s/customs-export.xsl", xslt_dir) >= (int)sizeof(xsl)
	    || snprintf(xsd, sizeof(xsd), "%s/customs/agent-agreement.xsd", xsd_dir) >= (int)sizeof(xsd)) {
		snprintf(err, errlen, "xslt_dir or xsd_dir too long");
		return NULL;
	}
	x = xcalloc(1, sizeof(*x));
	if ((x->style = xsltParseStylesheetFile((const xmlChar *)xsl)) == NULL) {
		snprintf(err, errlen, "%s: stylesheet does not compile 样式表无法编译", xsl);
		export_free(x);
		return NULL;
	}
	if ((pc = xmlSchemaNewParserCtxt(xsd)) != NULL) {
		x->schema = xmlSchemaParse(pc);
		xmlSchemaFreeParserCtxt(pc);
	}
	if (x->schema == NULL) {
		snprintf(err, errlen, "%s: schema does not compile 结构定义无法编译", xsd);
		export_free(x);
		return NULL;
	}
	return x;
}

void export_free(struct exporter *x)
{
	if (x == NULL)
		return;
	if (x->style)
		xsltFreeStylesheet(x->style);
	xmlSchemaFree(x->schema);
	free(x);
}

static void add(xmlNodePtr parent, const char *name, const char *text)
{
	xmlNewTextChild(parent, NULL, (const xmlChar *)name, (const xmlChar *)text);
}

/* yyyyMMddHHmmssSSS in China time (UTC+8), as customs messages write times. */
static void export_time17(int64_t t, int ms, char out[24])
{
	time_t local = (time_t)t + 8 * 3600;
	struct tm tm;
	size_t n;

	gmtime_r(&local, &tm);
	n = strftime(out, 24, "%Y%m%d%H%M%S", &tm);
	snprintf(out + n, 24 - n, "%03d", ms % 1000);
}

static void export_guid(char out[40])
{
	unsigned char b[16];

	if (RAND_bytes(b, sizeof(b)) != 1)
		panic("export: no random bytes for a guid");
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);	/* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);	/* RFC 4122 variant */
	snprintf(out, 40, "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
	    b[14], b[15]);
}

static void export_party(xmlNodePtr parent, const char *name, const struct letter_party *p)
{
	xmlNodePtr n = xmlNewChild(parent, NULL, (const xmlChar *)name, NULL);

	add(n, "Code", p->code);
	add(n, "CreditCode", p->credit);
	add(n, "Name", p->name);
	add(n, "Signer", p->signer);
	add(n, "Phone", p->phone);
}

static void export_letter(xmlNodePtr root, const struct letter *l)
{
	xmlNodePtr n = xmlNewChild(root, NULL, (const xmlChar *)"Letter", NULL);
	time_t local = (time_t)l->valid_until + 8 * 3600;
	char date[16];
	struct tm tm;

	gmtime_r(&local, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	add(n, "Number", l->number);
	export_party(n, "Consignor", &l->consignor);
	export_party(n, "Broker", &l->broker);
	add(n, "Mode", l->mode);
	add(n, "Matters", l->matters);
	add(n, "OtherMatter", l->other_matter);
	add(n, "ValidUntil", date);
}

static void export_agreement_node(xmlNodePtr root, const struct agreement *a)
{
	xmlNodePtr n = xmlNewChild(root, NULL, (const xmlChar *)"Agreement", NULL);
	char status[8], sign[24];

	snprintf(status, sizeof(status), "%d", (int)a->status);
	export_time17(a->signed_at ? a->signed_at : a->updated_at, 0, sign);
	add(n, "Number", a->number);
	add(n, "Status", status);
	add(n, "GoodsName", a->goods_name);
	add(n, "HsCode", a->hs_code);
	add(n, "TotalValue", a->total_value);
	add(n, "Currency", a->currency);
	add(n, "Quantity", a->quantity);
	add(n, "Unit", a->unit);
	add(n, "Direction", a->direction);
	add(n, "Date", a->date);
	add(n, "BillOfLading", a->bill_of_lading);
	add(n, "TradeMode", a->trade_mode);
	add(n, "Origin", a->origin);
	add(n, "OtherRequirements", a->other_requirements);
	add(n, "Payer", a->payer);
	add(n, "DocumentsReceived", a->documents_received);
	add(n, "ReceivedOn", a->received_on);
	add(n, "Fee", a->fee);
	add(n, "Commitments", a->commitments);
	add(n, "DeclarationNumber", a->declaration_number);
	add(n, "SignTime", sign);
}

/* The ExportSource document the stylesheet reads. */
static xmlDocPtr export_source(const struct letter *l, const struct agreement *a, const char *kind,
    const char *hub_code, const char *receiver)
{
	xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlNodePtr root = xmlNewDocNode(doc, NULL, (const xmlChar *)"ExportSource", NULL);
	char guid[40], now[24];
	struct timeval tv;

	xmlSetNs(root, xmlNewNs(root, (const xmlChar *)ENTRUST_NS, NULL));
	xmlDocSetRootElement(doc, root);
	gettimeofday(&tv, NULL);
	export_guid(guid);
	export_time17(tv.tv_sec, (int)(tv.tv_usec / 1000), now);
	add(root, "Kind", kind);
	add(root, "Guid", guid);
	add(root, "SendTime", now);
	add(root, "HubCode", hub_code);
	add(root, "Receiver", receiver);
	export_letter(root, l);
	export_agreement_node(root, a);
	return doc;
}

/* Run the stylesheet with file and network access forbidden. */
static xmlDocPtr export_transform(const struct exporter *x, xmlDocPtr src)
{
	xsltSecurityPrefsPtr prefs = xsltNewSecurityPrefs();
	xsltTransformContextPtr tc = xsltNewTransformContext(x->style, src);
	xmlDocPtr out = NULL;

	if (prefs == NULL || tc == NULL)
		panic("export: out of memory");
	xsltSetSecurityPrefs(prefs, XSLT_SECPREF_READ_FILE, xsltSecurityForbid);
	xsltSetSecurityPrefs(prefs, XSLT_SECPREF_WRITE_FILE, xsltSecurityForbid);
	xsltSetSecurityPrefs(prefs, XSLT_SECPREF_CREATE_DIRECTORY, xsltSecurityForbid);
	xsltSetSecurityPrefs(prefs, XSLT_SECPREF_READ_NETWORK, xsltSecurityForbid);
	xsltSetSecurityPrefs(prefs, XSLT_SECPREF_WRITE_NETWORK, xsltSecurityForbid);
	if (xsltSetCtxtSecurityPrefs(prefs, tc) == 0)
		out = xsltApplyStylesheetUser(x->style, src, NULL, NULL, NULL, tc);
	xsltFreeTransformContext(tc);
	xsltFreeSecurityPrefs(prefs);
	return out;
}

int export_agreement(const struct exporter *x, const struct letter *l, const struct agreement *a,
    const char *kind, const char *hub_code, const char *receiver, struct buf *out,
    char *err, size_t errlen)
{
	xmlDocPtr src = export_source(l, a, kind, hub_code, receiver), res;
	xmlSchemaValidCtxtPtr vc;
	xmlChar *mem = NULL;
	int len = 0, rc = -1;

	res = export_transform(x, src);
	xmlFreeDoc(src);
	if (res == NULL) {
		snprintf(err, errlen, "customs-export.xsl failed for %s", a->number);
		return -1;
	}
	if ((vc = xmlSchemaNewValidCtxt(x->schema)) == NULL)
		panic("export: out of memory");
	if (xmlSchemaValidateDoc(vc, res) != 0)
		snprintf(err, errlen, "export of %s is not valid against agent-agreement.xsd", a->number);
	else if (xsltSaveResultToString(&mem, &len, res, x->style) == 0 && mem != NULL) {
		buf_reset(out);
		buf_add(out, mem, (size_t)len);
		rc = 0;
	}
	xmlFree(mem);
	xmlSchemaFreeValidCtxt(vc);
	xmlFreeDoc(res);
	return rc;
}
