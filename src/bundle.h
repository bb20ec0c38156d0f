/* bundle — the notices of one batch for each party that takes them together
 * (registry notices=bundle): one signed file per receiver and batch instead
 * of one per notice (issue #7: with an RSA-2048 hub key the notice's
 * signature was half the hub's CPU per request).  A bundle is named by
 * its first notice (outbox_reserve_notice, in the transaction that made it, so
 * the audit trail can name the file at once) and written to the outbox at
 * the batch's end, in the batch's transaction: a batch that is rolled back
 * takes its bundles with it, and a committed one has them all (R26).
 * The bundles of a batch hold at most BUNDLES_HELD bytes between them:
 * past that they are written (and the receivers' next notices open new
 * ones), so a 100,000-item receipt does not keep its ~20 MB of notices in
 * memory until the batch ends.
 * Failure contract: bundles_add and bundles_flush return -1 on a store
 * error (the caller aborts the batch); the rest cannot fail. */
#ifndef BUNDLE_H
#define BUNDLE_H
#include "buf.h"
#include "outbox.h"
#include "store.h"

struct sealer;
struct bundles;

/* Bundles for one batch; batch_id (the first envelope's id) names their
 * messages; each is offered to sealer (may be NULL) when written. */
struct bundles *bundles_new(const char *hub_code, const char *batch_id, struct sealer *sealer);
void bundles_free(struct bundles *b);
/* Add the Notice document xml to receiver's bundle, numbered in txn on
 * the first; name receives the bundle's file.  Once the bundles hold too
 * much, all are written in txn (which commits with the batch or the batch
 * fails: call it only where that holds, as in msg_flush).  0, or -1. */
int bundles_add(struct bundles *b, struct store *s, store_txn *txn, const char *receiver,
    const struct buf *xml, char name[OUTBOX_NAME_MAX]);
/* Every bundle into the outbox in txn, in the order they were numbered;
 * the bundles are emptied.  0, or -1. */
int bundles_flush(struct bundles *b, struct store *s, store_txn *txn);
#endif
