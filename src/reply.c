/* reply — Ack and Notice documents. */
#include "reply.h"
#include "log.h"
#include "xmem.h"
#include "xmlin.h"
#include <libxml/tree.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void reply_init(struct reply *r, const char *id, const char *hub_code, const char *file,
    const char *sha256)
{
	memset(r, 0, sizeof(*r));
	strlcopy(r->id, id, sizeof(r->id));
	strlcopy(r->hub_code, hub_code, sizeof(r->hub_code));
	strlcopy(r->in_file, file, sizeof(r->in_file));
	strlcopy(r->in_sha256, sha256, sizeof(r->in_sha256));
}

void reply_free(struct reply *r)
{
	free(r->errors);
	free(r->items);
	r->errors = NULL;
	r->items = NULL;
	r->nerrors = r->nitems = 0;
}

void reply_error(struct reply *r, enum reason code, const char *path, const char *fmt, ...)
{
	struct reply_error *e;
	va_list ap;

	r->errors = xrealloc(r->errors, (size_t)(r->nerrors + 1) * sizeof(*e));
	e = &r->errors[r->nerrors++];
	memset(e, 0, sizeof(*e));
	e->code = code;
	strlcopy(e->path, path ? path : "", sizeof(e->path));
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
		va_end(ap);
	}
}

void reply_item(struct reply *r, const struct agreement *a)
{
	r->items = xrealloc(r->items, (size_t)(r->nitems + 1) * sizeof(*a));
	r->items[r->nitems++] = *a;
}

static xmlNodePtr reply_add(xmlNodePtr parent, const char *name, const char *text)
{
	return xmlNewTextChild(parent, NULL, (const xmlChar *)name, (const xmlChar *)text);
}

static xmlNodePtr reply_root(xmlDocPtr doc, const char *name)
{
	xmlNodePtr root = xmlNewDocNode(doc, NULL, (const xmlChar *)name, NULL);
	xmlNsPtr ns = xmlNewNs(root, (const xmlChar *)ENTRUST_NS, NULL);

	xmlSetNs(root, ns);
	xmlNewProp(root, (const xmlChar *)"version", (const xmlChar *)"1");
	xmlDocSetRootElement(doc, root);
	return root;
}

static void reply_header(xmlNodePtr root, const char *msgid, const char *sender, const char *receiver)
{
	xmlNodePtr h = reply_add(root, "Header", NULL);
	char ts[32];

	log_timestamp(ts);
	reply_add(h, "MessageId", msgid);
	reply_add(h, "Sender", sender);
	reply_add(h, "Receiver", receiver);
	reply_add(h, "SentAt", ts);
}

static void reply_agreement(xmlNodePtr parent, const struct agreement *a, int with_ref)
{
	xmlNodePtr n = reply_add(parent, "Agreement", NULL);
	char status[8];

	if (with_ref && a->ref[0])
		xmlNewProp(n, (const xmlChar *)"ref", (const xmlChar *)a->ref);
	snprintf(status, sizeof(status), "%d", (int)a->status);
	reply_add(n, "Number", a->number);
	reply_add(n, "Status", status);
}

static void reply_dump(xmlDocPtr doc, struct buf *out)
{
	xmlChar *mem = NULL;
	int len = 0;

	xmlDocDumpFormatMemoryEnc(doc, &mem, &len, "UTF-8", 1);
	if (mem == NULL)
		panic("reply: cannot serialise XML");
	buf_reset(out);
	buf_add(out, mem, (size_t)len);
	xmlFree(mem);
	xmlFreeDoc(doc);
}

static void reply_errors(xmlNodePtr root, const struct reply *r)
{
	const struct reply_error *e;
	xmlNodePtr n;
	int i;

	for (i = 0; i < r->nerrors; i++) {
		e = &r->errors[i];
		n = xmlNewChild(root, NULL, (const xmlChar *)"Error", NULL);
		xmlNewProp(n, (const xmlChar *)"code", (const xmlChar *)reason_code(e->code));
		if (reason_rule(e->code))
			xmlNewProp(n, (const xmlChar *)"rule", (const xmlChar *)reason_rule(e->code));
		if (e->path[0])
			xmlNewProp(n, (const xmlChar *)"path", (const xmlChar *)e->path);
		reply_add(n, "Zh", reason_zh(e->code));
		reply_add(n, "En", reason_en(e->code));
		if (e->detail[0])
			reply_add(n, "Detail", e->detail);
	}
}

void reply_ack_xml(const struct reply *r, struct buf *out)
{
	xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlNodePtr root = reply_root(doc, "Ack"), n;
	char msgid[80];
	int i;

	snprintf(msgid, sizeof(msgid), "ACK-%s", r->id);
	reply_header(root, msgid, r->hub_code, r->receiver);
	n = reply_add(root, "InReplyTo", NULL);
	if (r->in_msgid[0])
		reply_add(n, "MessageId", r->in_msgid);
	if (r->in_type[0])
		reply_add(n, "MessageType", r->in_type);
	reply_add(n, "File", r->in_file);
	reply_add(n, "Sha256", r->in_sha256);
	reply_add(root, "Outcome", r->nerrors ? "refused" : "accepted");
	reply_errors(root, r);
	if (r->nerrors == 0 && r->letter[0]) {
		n = reply_add(root, "Letter", NULL);
		reply_add(n, "Number", r->letter);
		reply_add(n, "Created", r->letter_created ? "true" : "false");
	}
	for (i = 0; r->nerrors == 0 && i < r->nitems; i++)
		reply_agreement(root, &r->items[i], 1);
	reply_dump(doc, out);
}

void reply_notice_xml(const struct reply *r, const char *receiver, const char *event,
    const char *from, const struct agreement *list, int n, struct buf *out)
{
	xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlNodePtr root = reply_root(doc, "Notice");
	char msgid[96];
	int i;

	snprintf(msgid, sizeof(msgid), "NTC-%s-%s", r->id, receiver);
	reply_header(root, msgid, r->hub_code, receiver);
	reply_add(root, "Event", event);
	reply_add(root, "From", from);
	reply_add(root, "Letter", n > 0 ? list[0].letter : "");
	for (i = 0; i < n; i++)
		reply_agreement(root, &list[i], 0);
	reply_dump(doc, out);
}
