/* xmlin — hardened libxml2 parsing and XSD validation. */
#include "xmlin.h"
#include "xmem.h"
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct xmlin {
	xmlSchemaPtr schema;
};

/* The first error libxml2 reports, as "line N: <path>: message". */
struct xmlin_err {
	char	*detail;
	size_t	 dlen;
	int	 seen;
	int	 entity;	/* a reference to an undeclared entity was reported */
	int	 parser;	/* an error not from the schema validator (well-formedness) */
};

/* A start tag with more attributes than this is refused before libxml2 sees it:
 * libxml2 2.9 compares each attribute with every earlier one (quadratic), and no
 * message has more than a handful on one element. */
#define XMLIN_MAX_ATTRS 64
/* Documents from this size on are first checked in one streaming pass (SAX with
 * the schema plugged in, no tree): a tree costs ~35 times the document, so an
 * invalid flood of elements must not be built into one. */
#define XMLIN_STREAM_MIN (256 * 1024)

static void xmlin_on_error(void *arg, xmlErrorPtr e)
{
	struct xmlin_err *ctx = arg;
	xmlChar *path = NULL;
	size_t n;

	if (ctx != NULL && e != NULL && (e->code == XML_ERR_UNDECLARED_ENTITY
	    || e->code == XML_WAR_UNDECLARED_ENTITY))
		ctx->entity = 1;
	if (ctx != NULL && e != NULL && e->domain != XML_FROM_SCHEMASV && e->level >= XML_ERR_ERROR)
		ctx->parser = 1;
	if (ctx == NULL || ctx->seen++ || e == NULL || ctx->dlen == 0)
		return;
	if (e->node != NULL && ((xmlNodePtr)e->node)->type == XML_ELEMENT_NODE)
		path = xmlGetNodePath((xmlNodePtr)e->node);
	snprintf(ctx->detail, ctx->dlen, "line %d: %s%s%s", e->line,
	    path ? (char *)path : "", path ? ": " : "", e->message ? e->message : "error");
	n = strlen(ctx->detail);
	while (n > 0 && (ctx->detail[n - 1] == '\n' || ctx->detail[n - 1] == ' '))
		ctx->detail[--n] = '\0';
	xmlFree(path);
}

/* Silences libxml2's default printing to stderr for errors we did not route. */
static void xmlin_quiet(void *arg, xmlErrorPtr e)
{
	(void)arg;
	(void)e;
}

void xmlin_global_init(void)
{
	xmlInitParser();
	xmlSetStructuredErrorFunc(NULL, xmlin_quiet);
}

void xmlin_global_done(void)
{
	xmlCleanupParser();
}

struct xmlin *xmlin_load(const char *xsd_path, char *err, size_t errlen)
{
	struct xmlin_err ectx = {err, errlen, 0, 0, 0};
	xmlSchemaParserCtxtPtr pc;
	struct xmlin *x;

	err[0] = '\0';
	if ((pc = xmlSchemaNewParserCtxt(xsd_path)) == NULL) {
		snprintf(err, errlen, "%s: cannot read schema 无法读取结构定义", xsd_path);
		return NULL;
	}
	xmlSchemaSetParserStructuredErrors(pc, xmlin_on_error, &ectx);
	x = xcalloc(1, sizeof(*x));
	x->schema = xmlSchemaParse(pc);
	xmlSchemaFreeParserCtxt(pc);
	if (x->schema == NULL) {
		if (err[0] == '\0')
			snprintf(err, errlen, "%s: schema does not compile 结构定义无法编译", xsd_path);
		free(x);
		return NULL;
	}
	return x;
}

void xmlin_free(struct xmlin *x)
{
	if (x == NULL)
		return;
	xmlSchemaFree(x->schema);
	free(x);
}

static int xmlin_has(const char *data, size_t len, const char *needle)
{
	return memmem(data, len, needle, strlen(needle)) != NULL;
}

/* The encoding named in the XML declaration must be absent or UTF-8. */
static int xmlin_declared_utf8(const char *data, size_t len)
{
	const char *end, *enc;
	char name[16];
	size_t i;

	if (len < 5 || memcmp(data, "<?xml", 5) != 0)
		return 1;
	if ((end = memmem(data, len, "?>", 2)) == NULL)
		return 1;	/* malformed; the parser will say so */
	if ((enc = memmem(data, (size_t)(end - data), "encoding", 8)) == NULL)
		return 1;
	for (enc += 8; enc < end && (*enc == ' ' || *enc == '=' || *enc == '"' || *enc == '\''); enc++)
		;
	for (i = 0; enc < end && i < sizeof(name) - 1 && *enc != '"' && *enc != '\''; enc++)
		name[i++] = *enc;
	name[i] = '\0';
	return strcasecmp(name, "UTF-8") == 0;
}

/* Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
 * U+10FFFF, no sequence cut short.  Returns the offset of the first bad byte,
 * or len. */
static size_t xmlin_utf8_bad(const unsigned char *s, size_t len)
{
	size_t i = 0, k, j;
	unsigned long cp, min;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf)
			k = 1, cp = s[i] & 0x1f, min = 0x80;
		else if (s[i] >= 0xe0 && s[i] <= 0xef)
			k = 2, cp = s[i] & 0x0f, min = 0x800;
		else if (s[i] >= 0xf0 && s[i] <= 0xf4)
			k = 3, cp = s[i] & 0x07, min = 0x10000;
		else
			return i;
		if (len - i <= k)
			return i;
		for (j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return i;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += k + 1;
	}
	return len;
}

/* The largest number of attributes (namespace declarations included) on one
 * start tag, found by a lexical scan that skips comments, CDATA sections and
 * processing instructions; stops early once over the limit. */
static size_t xmlin_max_attrs(const char *data, size_t len)
{
	const char *p = data, *end = data + len, *close;
	size_t most = 0, n;
	char quote;

	while (p < end && (p = memchr(p, '<', (size_t)(end - p))) != NULL && most <= XMLIN_MAX_ATTRS) {
		p++;
		if (p < end && (*p == '!' || *p == '?')) {
			if (end - p >= 3 && memcmp(p, "!--", 3) == 0)
				close = memmem(p, (size_t)(end - p), "-->", 3);
			else if (end - p >= 8 && memcmp(p, "![CDATA[", 8) == 0)
				close = memmem(p, (size_t)(end - p), "]]>", 3);
			else if (*p == '?')
				close = memmem(p, (size_t)(end - p), "?>", 2);
			else
				close = memchr(p, '>', (size_t)(end - p));
			if (close == NULL)
				break;
			p = close + 1;
			continue;
		}
		for (n = 0, quote = 0; p < end && (quote || *p != '>'); p++) {
			if (quote) {
				if (*p == quote)
					quote = 0;
			} else if (*p == '"' || *p == '\'') {
				quote = *p;
			} else if (*p == '=') {
				n++;
			}
		}
		if (n > most)
			most = n;
	}
	return most;
}

static const char *xmlin_forbidden(const char *data, size_t len, char *buf, size_t blen)
{
	const unsigned char *u = (const unsigned char *)data;
	size_t bad;

	if (len >= 2 && ((u[0] == 0xfe && u[1] == 0xff) || (u[0] == 0xff && u[1] == 0xfe)))
		return "UTF-16 byte order mark; only UTF-8 is accepted";
	if (memchr(data, '\0', len) != NULL)
		return "NUL byte in document; only UTF-8 is accepted";
	if (!xmlin_declared_utf8(data, len))
		return "declared encoding is not UTF-8";
	if ((bad = xmlin_utf8_bad(u, len)) < len) {
		snprintf(buf, blen, "not UTF-8: byte 0x%02x at offset %zu", u[bad], bad);
		return buf;
	}
	if (xmlin_has(data, len, "<!DOCTYPE") || xmlin_has(data, len, "<!ENTITY"))
		return "DOCTYPE or entity declaration";
	return NULL;
}

/* Well-formedness and validity in one pass without a tree (xmlSchemaValidateStream:
 * no DTD is possible here, so no entity, no network; default depth and text limits). */
static enum reason xmlin_stream(const struct xmlin *x, const char *data, size_t len,
    struct xmlin_err *ectx)
{
	xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(x->schema);
	xmlParserInputBufferPtr in = xmlParserInputBufferCreateMem(data, (int)len, XML_CHAR_ENCODING_UTF8);
	int rc;

	if (vc == NULL || in == NULL)
		panic("xmlin: out of memory");
	xmlSchemaSetValidStructuredErrors(vc, xmlin_on_error, ectx);
	xmlSetStructuredErrorFunc(ectx, xmlin_on_error);
	rc = xmlSchemaValidateStream(vc, in, XML_CHAR_ENCODING_UTF8, NULL, NULL);	/* frees in */
	xmlSetStructuredErrorFunc(NULL, xmlin_quiet);
	xmlSchemaFreeValidCtxt(vc);
	if (rc == 0)
		return R_NONE;
	if (ectx->entity)
		return R_XML_FORBIDDEN;
	return rc < 0 || ectx->parser ? R_XML_MALFORMED : R_XML_INVALID;
}

static xmlDocPtr xmlin_read(const char *data, size_t len, struct xmlin_err *ectx)
{
	xmlParserCtxtPtr pc = xmlNewParserCtxt();
	xmlDocPtr doc;

	if (pc == NULL)
		panic("xmlin: out of memory");
	xmlSetStructuredErrorFunc(ectx, xmlin_on_error);
	/* NOBLANKS drops the layout between elements and COMPACT keeps short
	 * texts inside their node: half the nodes of an indented document and
	 * a malloc per short text (a 100,000-item receipt's tree, issue #7).
	 * The tree is only read after this (COMPACT forbids changing it). */
	doc = xmlCtxtReadMemory(pc, data, (int)len, "message.xml", "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA | XML_PARSE_NOBLANKS | XML_PARSE_COMPACT);
	xmlSetStructuredErrorFunc(NULL, xmlin_quiet);
	xmlFreeParserCtxt(pc);
	return doc;
}

static int xmlin_validate(const struct xmlin *x, xmlDocPtr doc, struct xmlin_err *ectx)
{
	xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(x->schema);
	int rc;

	if (vc == NULL)
		panic("xmlin: out of memory");
	xmlSchemaSetValidStructuredErrors(vc, xmlin_on_error, ectx);
	rc = xmlSchemaValidateDoc(vc, doc);
	xmlSchemaFreeValidCtxt(vc);
	return rc;
}

enum reason xmlin_parse(const struct xmlin *x, const char *data, size_t len,
    xmlDocPtr *doc, char *detail, size_t dlen)
{
	struct xmlin_err ectx = {detail, dlen, 0, 0, 0};
	const char *why;
	char buf[96];
	enum reason r;

	*doc = NULL;
	detail[0] = '\0';
	if (len > INT32_MAX) {
		snprintf(detail, dlen, "document too large");
		return R_XML_MALFORMED;
	}
	if ((why = xmlin_forbidden(data, len, buf, sizeof(buf))) != NULL) {
		snprintf(detail, dlen, "%s", why);
		return R_XML_FORBIDDEN;
	}
	if (xmlin_max_attrs(data, len) > XMLIN_MAX_ATTRS) {
		snprintf(detail, dlen, "an element with more than %d attributes", XMLIN_MAX_ATTRS);
		return R_XML_INVALID;
	}
	if (len >= XMLIN_STREAM_MIN && (r = xmlin_stream(x, data, len, &ectx)) != R_NONE)
		return r;
	ectx.seen = 0;
	if ((*doc = xmlin_read(data, len, &ectx)) == NULL)
		return ectx.entity ? R_XML_FORBIDDEN : R_XML_MALFORMED;
	if ((*doc)->intSubset != NULL || (*doc)->extSubset != NULL) {
		snprintf(detail, dlen, "DOCTYPE");
		xmlFreeDoc(*doc);
		*doc = NULL;
		return R_XML_FORBIDDEN;
	}
	if (xmlin_validate(x, *doc, &ectx) != 0) {
		xmlFreeDoc(*doc);
		*doc = NULL;
		return R_XML_INVALID;
	}
	return R_NONE;
}

static int xmlin_is(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns != NULL
	    && strcmp((const char *)n->ns->href, ENTRUST_NS) == 0
	    && strcmp((const char *)n->name, name) == 0;
}

xmlNodePtr xmlin_next(xmlNodePtr node, const char *name)
{
	for (node = node ? node->next : NULL; node != NULL; node = node->next)
		if (xmlin_is(node, name))
			return node;
	return NULL;
}

xmlNodePtr xmlin_child(xmlNodePtr parent, const char *name)
{
	xmlNodePtr n;

	for (n = parent ? parent->children : NULL; n != NULL; n = n->next)
		if (xmlin_is(n, name))
			return n;
	return NULL;
}

static int xmlin_copy(xmlChar *s, char *out, size_t n)
{
	int rc;

	if (s == NULL)
		return 0;
	rc = strlcopy(out, (const char *)s, n) < 0 ? -1 : 1;
	xmlFree(s);
	return rc;
}

int xmlin_text(xmlNodePtr parent, const char *name, char *out, size_t n)
{
	xmlNodePtr c = xmlin_child(parent, name);

	out[0] = '\0';
	return c ? xmlin_copy(xmlNodeGetContent(c), out, n) : 0;
}

int xmlin_bool(xmlNodePtr parent, const char *name, int dflt)
{
	xmlNodePtr c = xmlin_child(parent, name);
	xmlChar *text;
	const char *s;
	size_t n;
	int v;

	if (c == NULL || (text = xmlNodeGetContent(c)) == NULL)
		return dflt;
	for (s = (const char *)text; *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'; s++)
		;
	n = strcspn(s, " \t\n\r");
	v = (n == 4 && strncmp(s, "true", 4) == 0) || (n == 1 && *s == '1');
	xmlFree(text);
	return v;
}

int xmlin_attr(xmlNodePtr node, const char *name, char *out, size_t n)
{
	out[0] = '\0';
	return node ? xmlin_copy(xmlGetProp(node, (const xmlChar *)name), out, n) : 0;
}
