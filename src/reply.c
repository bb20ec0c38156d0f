/* reply — Ack and Notice documents. */
#include "reply.h"
#include "codes.h"
#include "log.h"
#include "xmem.h"
#include "xmlin.h"
#include <libxml/tree.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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
	xmlFreeNode(r->result);
	r->errors = NULL;
	r->items = NULL;
	r->result = NULL;
	r->nerrors = r->nitems = 0;
	r->caperrors = r->capitems = 0;
}

int reply_item_add(struct reply *r, const char *ref)
{
	struct reply_item *it;

	r->items = xgrow(r->items, (size_t)r->nitems, &r->capitems, sizeof(*it));
	it = &r->items[r->nitems];
	memset(it, 0, sizeof(*it));
	it->status = -1;
	strlcopy(it->ref, ref ? ref : "", sizeof(it->ref));
	return r->nitems++;
}

void reply_item_from(struct reply_item *it, const struct agreement *a)
{
	strlcopy(it->number, a->number, sizeof(it->number));
	strlcopy(it->letter, a->letter, sizeof(it->letter));
	it->status = (int)a->status;
}

void reply_item_set(struct reply *r, int i, const struct agreement *a, int with_codes)
{
	struct reply_item *it = &r->items[i];

	reply_item_from(it, a);
	if (!with_codes)
		return;
	strlcopy(it->trade_mode, a->trade_mode, sizeof(it->trade_mode));
	strlcopy(it->origin, a->origin, sizeof(it->origin));
	strlcopy(it->currency, a->currency, sizeof(it->currency));
	strlcopy(it->unit, a->unit, sizeof(it->unit));
}

void reply_error(struct reply *r, int item, enum reason code, const char *path, const char *fmt, ...)
{
	struct reply_error *e;
	va_list ap;

	r->errors = xgrow(r->errors, (size_t)r->nerrors, &r->caperrors, sizeof(*e));
	e = &r->errors[r->nerrors++];
	memset(e, 0, sizeof(*e));
	e->item = item;
	e->code = code;
	strlcopy(e->path, path ? path : "", sizeof(e->path));
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
		va_end(ap);
	}
	if (item < 0)
		r->refused = 1;
	else
		r->items[item].refused = 1;
}

const char *reply_outcome(const struct reply *r)
{
	int i, refused = 0;

	if (r->refused)
		return "refused";
	for (i = 0; i < r->nitems; i++)
		refused += r->items[i].refused;
	if (refused == 0)
		return "accepted";
	return refused == r->nitems ? "refused" : "partial";
}

static xmlNodePtr reply_add(xmlNodePtr parent, const char *name, const char *text)
{
	return xmlNewTextChild(parent, NULL, (const xmlChar *)name, (const xmlChar *)text);
}

static void reply_prop(xmlNodePtr n, const char *name, const char *value)
{
	xmlNewProp(n, (const xmlChar *)name, (const xmlChar *)value);
}

static xmlNodePtr reply_root(xmlDocPtr doc, const char *name)
{
	xmlNodePtr root = xmlNewDocNode(doc, NULL, (const xmlChar *)name, NULL);

	xmlSetNs(root, xmlNewNs(root, (const xmlChar *)ENTRUST_NS, NULL));
	reply_prop(root, "version", "1");
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

static void reply_one_error(xmlNodePtr parent, const struct reply_error *e)
{
	xmlNodePtr n = xmlNewChild(parent, NULL, (const xmlChar *)"Error", NULL);

	reply_prop(n, "code", reason_code(e->code));
	if (reason_rule(e->code))
		reply_prop(n, "rule", reason_rule(e->code));
	if (e->path[0])
		reply_prop(n, "path", e->path);
	reply_add(n, "Zh", reason_zh(e->code));
	reply_add(n, "En", reason_en(e->code));
	if (e->detail[0])
		reply_add(n, "Detail", e->detail);
}

static void reply_errors_of(xmlNodePtr parent, const struct reply *r, int item)
{
	int i;

	for (i = 0; i < r->nerrors; i++)
		if (r->errors[i].item == item)
			reply_one_error(parent, &r->errors[i]);
}

/* 反填: echo a code with its name from the shipped tables (R12). */
static void reply_code(xmlNodePtr parent, const struct codes *codes, enum code_table t,
    const char *field, const char *value)
{
	const char *name;
	xmlNodePtr n;

	if (value[0] == '\0' || codes == NULL || (name = codes_name(codes, t, value)) == NULL)
		return;
	n = reply_add(parent, "Code", name);
	reply_prop(n, "field", field);
	reply_prop(n, "value", value);
}

static void reply_items(xmlNodePtr root, const struct reply *r, const struct codes *codes)
{
	const struct reply_item *it;
	xmlNodePtr n;
	char status[16];
	int i;

	for (i = 0; i < r->nitems; i++) {
		it = &r->items[i];
		n = reply_add(root, "Agreement", NULL);
		if (it->ref[0])
			reply_prop(n, "ref", it->ref);
		reply_prop(n, "outcome", it->refused ? "refused" : "accepted");
		if (it->number[0])
			reply_add(n, "Number", it->number);
		if (it->status >= 0) {
			snprintf(status, sizeof(status), "%d", it->status);
			reply_add(n, "Status", status);
		}
		reply_code(n, codes, CODES_TRADE_MODE, "TradeMode", it->trade_mode);
		reply_code(n, codes, CODES_COUNTRY, "Origin", it->origin);
		reply_code(n, codes, CODES_CURRENCY, "Currency", it->currency);
		reply_code(n, codes, CODES_UNIT, "Unit", it->unit);
		reply_errors_of(n, r, i);
	}
}

void reply_ack_xml(struct reply *r, const struct codes *codes, struct buf *out)
{
	xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlNodePtr root = reply_root(doc, "Ack"), n;
	char msgid[80];

	snprintf(msgid, sizeof(msgid), "ACK-%s", r->id);
	reply_header(root, msgid, r->hub_code, r->receiver);
	n = reply_add(root, "InReplyTo", NULL);
	if (r->in_msgid[0])
		reply_add(n, "MessageId", r->in_msgid);
	if (r->in_type[0])
		reply_add(n, "MessageType", r->in_type);
	reply_add(n, "File", r->in_file);
	reply_add(n, "Sha256", r->in_sha256);
	reply_add(root, "Outcome", reply_outcome(r));
	reply_errors_of(root, r, -1);
	if (!r->refused && r->letter[0]) {
		n = reply_add(root, "Letter", NULL);
		reply_add(n, "Number", r->letter);
		reply_add(n, "Created", r->letter_created ? "true" : "false");
		if (r->letter_status)
			reply_add(n, "Status", r->letter_status);
	}
	if (!r->refused)
		reply_items(root, r, codes);
	if (!r->refused && r->result) {
		xmlAddChild(root, r->result);
		xmlSetTreeDoc(r->result, doc);
		r->result = NULL;	/* the document owns it now */
	}
	reply_dump(doc, out);
}

static void reply_datetime(xmlNodePtr parent, const char *name, int64_t t)
{
	char ts[32];
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	reply_add(parent, name, ts);
}

void reply_notice_xml(const struct reply *r, const struct notice *nt, struct buf *out)
{
	xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlNodePtr root = reply_root(doc, "Notice"), a;
	char msgid[128], status[16];
	int i, one_letter = nt->nitems > 0;

	snprintf(msgid, sizeof(msgid), "NTC-%s-%s-%s", r->id, nt->receiver, nt->event);
	reply_header(root, msgid, r->hub_code, nt->receiver);
	reply_add(root, "Event", nt->event);
	reply_add(root, "From", nt->from);
	for (i = 1; i < nt->nitems; i++)
		one_letter &= strcmp(nt->items[i].letter, nt->items[0].letter) == 0;
	if (nt->letter[0])
		reply_add(root, "Letter", nt->letter);
	else if (one_letter)
		reply_add(root, "Letter", nt->items[0].letter);
	for (i = 0; i < nt->nitems; i++) {
		a = reply_add(root, "Agreement", NULL);
		snprintf(status, sizeof(status), "%d", nt->items[i].status);
		reply_add(a, "Number", nt->items[i].number);
		reply_add(a, "Status", status);
		if (!one_letter || nt->letter[0])
			reply_add(a, "Letter", nt->items[i].letter);
	}
	if (nt->valid_until)
		reply_datetime(root, "ValidUntil", nt->valid_until);
	if (nt->remark[0])
		reply_add(root, "Remark", nt->remark);
	reply_dump(doc, out);
}

/* The closing tag a bundle's head is dumped with, and cut at: the notices go before it. */
#define REPLY_NOTICES_END "</Notices>\n"

void reply_notices_begin(const char *msgid, const char *hub_code, const char *receiver, struct buf *out)
{
	xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
	size_t end = sizeof(REPLY_NOTICES_END) - 1;

	reply_header(reply_root(doc, "Notices"), msgid, hub_code, receiver);
	reply_dump(doc, out);
	if (out->len < end || memcmp(out->data + out->len - end, REPLY_NOTICES_END, end) != 0)
		panic("reply: a notice bundle's head does not end in %s", REPLY_NOTICES_END);
	out->len -= end;
	out->data[out->len] = '\0';
}

void reply_notices_add(struct buf *out, const struct buf *notice)
{
	const char *root = memmem(notice->data, notice->len, "<Notice ", 8);

	if (root == NULL)
		panic("reply: not a Notice document");
	buf_add(out, root, notice->len - (size_t)(root - notice->data));
}

void reply_notices_end(struct buf *out)
{
	buf_adds(out, REPLY_NOTICES_END);
}
