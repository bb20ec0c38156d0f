/* metrics — the daemon's counters, gauges and its processing-time
 * histogram, rendered in the Prometheus text exposition format (version
 * 0.0.4) and written atomically (temporary file + rename) for
 * node_exporter's textfile collector.  The metric names and labels are the
 * interface (entrustd(8) lists them); this module knows nothing of files
 * other than the one it writes.
 * Every function may be called from any thread (one mutex); a series past
 * METRICS_MAX_SERIES is dropped and counted in entrust_metrics_dropped_total,
 * so hostile input can never grow memory without bound.
 * Failure contract: metrics_write returns -1 with errno (the caller logs);
 * nothing else fails. */
#ifndef METRICS_H
#define METRICS_H
#include <time.h>
#include "buf.h"

#define METRICS_MAX_SERIES 4096

struct reply;

/* One envelope decided: type (root element, NULL if unknown), status
 * (accepted | partial | refused | replay), the reason code of a refusal
 * (NULL otherwise), and seconds since its claim (<0: not observed). */
void metrics_envelope(const char *type, const char *status, const char *code, double seconds);
/* One applied envelope, from its reply: metrics_envelope plus its items. */
void metrics_reply(const char *type, const struct reply *r, int replayed, double seconds);
/* One signed file written to outbound/ (kind from its name: ACK_, NTC_, EXP_). */
void metrics_outbound(const char *file_name);
/* One delivery attempt's outcome (sent, deferred, dead, …) on a party's route URL. */
void metrics_delivery(const char *party, const char *route_url, const char *outcome);
/* Seconds from the claim time in an envelope id (E + yyyymmddHHMMSSmmm…) to now; -1 if unparsable. */
double metrics_age(const char *work_id);

/* Gauges, replaced by each scan (metrics_gauges_clear first). */
void metrics_gauges_clear(void);
void metrics_queue(const char *folder, long files, double oldest_age_s);
/* kind: hub | ca | party; code: the party's (or hub's) code, "" for a CA. */
void metrics_cert(const char *kind, const char *code, const char *fingerprint, time_t not_after);
void metrics_start_time(time_t t);

/* Append the exposition text to out (families in a fixed order, series sorted). */
void metrics_render(struct buf *out);
/* Render to path atomically: ".<name>.tmp" beside it, mode 0644, then rename. */
int metrics_write(const char *path);
/* Forget everything (tests). */
void metrics_reset(void);
#endif
