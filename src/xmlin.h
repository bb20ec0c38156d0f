/* xmlin — hardened parsing of untrusted XML and validation against xsd/.
 * Before libxml2 sees a byte we refuse what we never accept: a DOCTYPE
 * (hence entities, billion laughs, XXE), a non-UTF-8 encoding or bytes that
 * are not strict UTF-8, NUL bytes (XML_FORBIDDEN), and a start tag with more
 * than 64 attributes (XML_INVALID; libxml2 2.9 checks them quadratically).
 * libxml2 then parses from memory with no network and no entity
 * substitution; an undeclared entity reference is XML_FORBIDDEN.  Documents
 * of 256 KiB or more are first validated in one streaming pass without a
 * tree, so that an invalid flood of nodes is never built.  The schema is
 * compiled once (xmlin_load) and every document gets its own validation
 * context.
 * Failure contract: xmlin_parse returns a reason and a one-line detail
 * naming the line and element; the document is returned only on R_NONE. */
#ifndef XMLIN_H
#define XMLIN_H
#include <stddef.h>
#include <libxml/tree.h>
#include "reason.h"

#define ENTRUST_NS "urn:entrust:1"

struct xmlin;

void xmlin_global_init(void);
void xmlin_global_done(void);
struct xmlin *xmlin_load(const char *xsd_path, char *err, size_t errlen);
void xmlin_free(struct xmlin *x);
enum reason xmlin_parse(const struct xmlin *x, const char *data, size_t len,
    xmlDocPtr *doc, char *detail, size_t dlen);

/* Navigation in our namespace, for the message modules. */
xmlNodePtr xmlin_child(xmlNodePtr parent, const char *name);
xmlNodePtr xmlin_next(xmlNodePtr node, const char *name);
/* Copy the text of parent/name into out; 1 copied, 0 absent, -1 too long. */
int xmlin_text(xmlNodePtr parent, const char *name, char *out, size_t n);
int xmlin_attr(xmlNodePtr node, const char *name, char *out, size_t n);
/* xs:boolean parent/name ("true"/"1", whitespace collapsed); absent → dflt. */
int xmlin_bool(xmlNodePtr parent, const char *name, int dflt);
#endif
