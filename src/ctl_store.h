/* ctl_store — store maintenance from the console: hot backup (consistent
 * while the daemon runs; restore is `db_recover -c -h DIR`, see
 * docs/operations.md), structural verification of every database, and a
 * checkpoint that also takes log files no longer needed for recovery out of
 * the store: moved to --archive DIR or the store_log_archive folder (kept,
 * for a recovery past the last backup), else deleted.
 * Failure contract: CTL_STORE when Berkeley DB refuses; verify reports the
 * first bad database. */
#ifndef CTL_STORE_H
#define CTL_STORE_H
#include "ctl_out.h"

int ctl_backup(struct ctl *c);
int ctl_verify(struct ctl *c);
int ctl_checkpoint(struct ctl *c);
#endif
