/* ctl_log — entrustctl log (the daemon's log lines, filtered by envelope
 * id, agreement, party, level and time: --since T keeps lines at or after T,
 * --until T lines before T) and trace (the audit trail of one agreement
 * from the store, in order, each event with its time, sender, message and
 * envelope: status changes, notices to the parties (R26), the data sent to
 * customs (R27) and customs' return text — followed by the log lines of
 * those envelopes).
 * Failure contract: log returns CTL_STORE if the log cannot be read; trace
 * returns CTL_NOTFOUND for an agreement with no trail. */
#ifndef CTL_LOG_H
#define CTL_LOG_H
#include "ctl_out.h"

int ctl_log(struct ctl *c);
int ctl_trace(struct ctl *c);
#endif
