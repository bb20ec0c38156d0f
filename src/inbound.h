/* inbound — envelopes through the pipeline, from work/ to archive/ or error/:
 *   read safely → open CMS (R1) → bind signer to a party (R1) → parse and
 *   validate XML → sender and role checks (R1, R2) → apply in ONE store
 *   transaction with its ack and notices (R25, R26) → emit the outbox →
 *   archive.  A refusal writes error/<name>.reason and, when the signer is a
 *   bound party, a signed negative ack.
 * The envelope leaves work/ only after its effect and its ack are durable;
 * processing it again (after a crash) is a replay the seen table absorbs.
 * Envelopes go in batches: opening and parsing run on the hub's thread pool,
 * the batch is applied in ONE transaction (group commit; a child transaction
 * per envelope), the outbox is emitted (sealing on the pool, one fsync per
 * folder), then every envelope of the batch is moved out of work/.
 * Failure contract: inbound_process returns 0 when the envelope reached
 * archive/ or error/, 1 when it must stay in work/ for a later attempt
 * (outbox or disk trouble), and -1 on a store failure (the caller exits;
 * recovery on restart makes things right). */
#ifndef INBOUND_H
#define INBOUND_H
#include "hub.h"

int inbound_process(struct hub *h, const char *work_name);
/* Claim and process everything ready; returns the number processed, or -1.
 * stop (may be NULL) is asked between batches: a stop request finishes the
 * batch in hand and leaves the rest for the next start.  *waiting (may be
 * NULL) receives how many files in inbound/ were left for a later scan
 * because they had not settled or a writer still had them open. */
int inbound_run(struct hub *h, int (*stop)(void), size_t *waiting);
#endif
