/* lifecycle — moving an agreement from one status to another, the one
 * place that does it: the transition must exist (R13); entering a reserved
 * status takes a unit of the payer's account, reaching 5 turns it into use,
 * leaving for 6, 9 or 10 releases it (R18, R19); times for R22/R23 are
 * stamped; every move is written to the audit trail; reaching 1 or 8 queues
 * the customs-format data for customs in the same transaction (R27).
 * Failure contract: returns 0 when moved, 1 when refused (why and detail
 * set: R_STATUS_TRANSITION or R_INSUFFICIENT_BALANCE; nothing written), -1
 * on a store error. */
#ifndef LIFECYCLE_H
#define LIFECYCLE_H
#include <stddef.h>
#include "msg.h"

int lifecycle_move(struct msg_ctx *ctx, struct agreement *a, int to, enum reason *why,
    char *detail, size_t dlen);
/* The payer's customs code for a (R18). */
const char *lifecycle_payer(const struct agreement *a);
/* An event line for agreement number's audit trail (control characters
 * become spaces), kept in ctx until lifecycle_audit_flush writes each
 * agreement's lines of the message as one record ('\n' between lines;
 * entrustctl trace shows one event per line).  Both return 0, or the
 * flush -1 on a store error; discard frees the lines unwritten. */
int lifecycle_audit(struct msg_ctx *ctx, const char *number, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int lifecycle_audit_flush(struct msg_ctx *ctx);
void lifecycle_audit_discard(struct msg_ctx *ctx);
/* Index a new agreement under both its parties (R21–R23). */
int lifecycle_index(struct msg_ctx *ctx, const struct agreement *a);
#endif
