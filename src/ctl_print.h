/* ctl_print — entrustctl print (R17: a status-2 agreement with its letter
 * as the standard two-half form, printable on A4) and report (R23: usage
 * per counterparty and per month, customs-used agreements only, with an
 * SVG bar chart).  Pages are made by print.c through xslt/print.xsl and
 * xslt/report.xsl; the stylesheet folder is --xslt DIR, else
 * $ENTRUST_XSLT, else the folder "xslt" beside the configured xsd_dir.
 * Failure contract: print returns CTL_NOTFOUND for an unknown agreement or
 * one not in status 2 (said in Chinese and English), CTL_STORE when the
 * store, stylesheet or output file fails. */
#ifndef CTL_PRINT_H
#define CTL_PRINT_H
#include "ctl_out.h"

int ctl_print(struct ctl *c);
int ctl_report(struct ctl *c);
#endif
