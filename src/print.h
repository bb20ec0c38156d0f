/* print — pages made by XSLT stylesheets (xslt/) from store records:
 * the standard two-half 《委托报关协议》 with its 《代理报关委托书》 (R17)
 * and the usage report with its SVG chart (R23).  This module builds the
 * input document (plain XML, no namespace; see xslt/print.xsl and
 * xslt/report.xsl for what they read) and runs the transformation with
 * every file and network access forbidden (xsltSecurityPrefs): a stylesheet
 * sees only the document it is given and writes only the page returned.
 * Failure contract: print_transform returns -1 with a one-line why in err;
 * building documents cannot fail (memory failure is fatal). */
#ifndef PRINT_H
#define PRINT_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <libxml/tree.h>
#include "buf.h"
#include "entrust.h"

struct codes;

/* One bar of the report: a counterparty (key = code or "consignor→broker") or a month (yyyy-mm). */
struct print_bar {
	char	key[32];
	char	label[600];
	int64_t	count;
};

/* The agreement with its letter; codes (may be NULL) names trade mode, country, currency, unit (R12). */
xmlDocPtr print_agreement_doc(const struct letter *l, const struct agreement *a,
    const struct codes *codes, time_t now);
xmlDocPtr print_report_doc(const char *from, const char *to, const char *party, int64_t total,
    const struct print_bar *parties, int nparties, const struct print_bar *months, int nmonths,
    time_t now);
/* Apply the stylesheet at xsl_path to doc; the serialized result into out. */
int print_transform(const char *xsl_path, xmlDocPtr doc, struct buf *out, char *err, size_t errlen);
#endif
