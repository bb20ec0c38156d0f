/* ctl_metrics — `entrustctl metrics`: the daemon's metrics in the Prometheus
 * text format, as node_exporter's textfile collector reads them: the file
 * entrustd writes (<spool_dir>/metrics/entrust.prom), or, when there is none
 * yet, the disk gauges (queues, certificate expiry) measured now.
 * Failure contract: returns a CTL_* exit code; CTL_STORE when neither the
 * file nor the registry can be read. */
#ifndef CTL_METRICS_H
#define CTL_METRICS_H
#include "ctl_out.h"

int ctl_metrics(struct ctl *c);
#endif
