/* ctl_spool — the console's view of the spool folders: status (counts,
 * oldest age, dead letters, daemon, last errors), errors (refused files
 * with their reasons) and retry (a refused or dead-letter file goes back to
 * inbound/ under its original name; its .reason stays in error/ as
 * NAME.reason.N, so the history of a file is never lost).
 * Failure contract: verbs return a CTL_* exit code; retry moves nothing
 * when it cannot move everything it must (names are checked first). */
#ifndef CTL_SPOOL_H
#define CTL_SPOOL_H
#include "ctl_out.h"

int ctl_status(struct ctl *c);
int ctl_errors(struct ctl *c);
int ctl_retry(struct ctl *c);
int ctl_inspect(struct ctl *c);		/* ctl_inspect.c */
/* Whether name is a reason file: NAME.reason or NAME.reason.N. */
int ctl_spool_is_reason(const char *name);
#endif
