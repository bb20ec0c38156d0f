/* metrics_scan — what entrust measures on disk for its metrics, and the
 * metrics file itself: files waiting in each spool folder (inbound, work,
 * error, outbound/CODE/, dead/CODE/) with the oldest one's age, and the expiry of
 * every certificate it can read (the hub's, the trust store and the PEM
 * files beside it, the registry's certs/ kept by `entrustctl party add`).
 * The file is <spool_dir>/metrics/entrust.prom: point node_exporter's
 * --collector.textfile.directory at that folder (or link the file).
 * Failure contract: unreadable folders and certificates are skipped;
 * metrics_scan_publish returns -1 with errno (after one warning in the log)
 * when the file cannot be written; processing never depends on it. */
#ifndef METRICS_SCAN_H
#define METRICS_SCAN_H
#include <limits.h>
#include <time.h>
#include "conf.h"

struct registry;

/* Replace the disk gauges (queues, certificates) with what is there now. */
void metrics_scan(const struct conf *c, const struct registry *r, time_t now);
/* Free what scans keep from one to the next (the certificate files read). */
void metrics_scan_done(void);
/* <spool_dir>/metrics/entrust.prom into out[PATH_MAX]; -1 if too long. */
int metrics_scan_path(const struct conf *c, char *out);
/* Scan, then write the file; without force at most once every
 * METRICS_SCAN_MIN_S seconds (the daemon's main thread calls it after every
 * rescan, and with force when it stops; not for other threads). */
int metrics_scan_publish(const struct conf *c, const struct registry *r, int force);

#define METRICS_SCAN_MIN_S 5
#endif
