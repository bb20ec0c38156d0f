/* export — the customs-format data of an agreement (R27): a source document
 * built from the store (letter + agreement), transformed by
 * xslt/customs-export.xsl with every libxslt security preference forbidden
 * (no file, directory or network access from the stylesheet), then
 * validated against xsd/customs/agent-agreement.xsd.  The stylesheet and
 * schema are compiled once (export_load).
 * Failure contract: export_load returns NULL with err; export_agreement
 * returns -1 with err if the transform fails or its output is not valid —
 * a bug in the stylesheet, which the caller treats as fatal for the
 * transaction (nothing half-exported). */
#ifndef EXPORT_H
#define EXPORT_H
#include <stddef.h>
#include "buf.h"
#include "entrust.h"

struct exporter;

struct exporter *export_load(const char *xslt_dir, const char *xsd_dir, char *err, size_t errlen);
void export_free(struct exporter *x);
/* kind: "AGREEMENT_ADD" (status 1) or "AGREEMENT_REVOKE" (status 8). */
int export_agreement(const struct exporter *x, const struct letter *l, const struct agreement *a,
    const char *kind, const char *hub_code, const char *receiver, struct buf *out,
    char *err, size_t errlen);
#endif
