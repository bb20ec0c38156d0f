/* outbox — messages the hub owes its parties (acks, notices; later customs
 * exports).  A row is written in the same transaction as the effect it
 * reports; outbox_flush then seals each row (CMS) and writes it as a temp
 * file in outbound/<receiver>/, makes the round's files durable with one
 * syncfs, renames them to <file_name>, makes the renames durable with a
 * second syncfs (not an fsync per file and per folder: safeio), and only
 * then deletes the rows (one transaction per round).  A crash in between re-emits the same file
 * name, which replaces, never duplicates.
 * Failure contract: outbox_flush returns -1 if a file could not be written
 * (the row stays for the next flush); store errors are fatal. */
#ifndef OUTBOX_H
#define OUTBOX_H
#include <stdint.h>
#include "buf.h"

struct store;
struct store_txn;
struct envelope_keys;
struct pool;
struct sealer;

#define OUTBOX_NAME_MAX 160
#define OUTBOX_SEEN_MAX 96

struct outbox_row {
	int64_t	seq;
	char	receiver[11];
	char	file_name[OUTBOX_NAME_MAX];
	int64_t	created_at;
	char	seen[OUTBOX_SEEN_MAX];	/* "": the XML follows the row; else its key in seen */
};

/* Queue xml for receiver under file_name (NULL: "NTC_<seq>.p7m"). */
int outbox_add(struct store *s, struct store_txn *txn, const char *receiver,
    const char *file_name, const struct buf *xml);
/* Queue for receiver under file_name the answer kept in the seen database
 * under seen_key (written once, R25; in this transaction or before): the row
 * names it instead of holding a second copy (issue #7: half the log of an Ack). */
int outbox_add_seen(struct store *s, struct store_txn *txn, const char *receiver,
    const char *file_name, const char *seen_key);
/* Queue xml for receiver as "<prefix>_<seq>.p7m". */
int outbox_add_seq(struct store *s, struct store_txn *txn, const char *receiver,
    const char *prefix, const struct buf *xml);
/* The same, telling the file name chosen (for the audit trail). */
int outbox_add_as(struct store *s, struct store_txn *txn, const char *receiver,
    const char *prefix, const struct buf *xml, char name[OUTBOX_NAME_MAX]);
/* Take the next number for a notice file "NTC_<seq>.p7m" (into name) whose
 * row outbox_add_notice adds later, in this transaction or its parent: a
 * notice bundle is named by its first notice and written at the batch's
 * end (bundle.h). */
int outbox_reserve_notice(struct store *s, struct store_txn *txn, uint64_t *seq, char name[OUTBOX_NAME_MAX]);
int outbox_add_notice(struct store *s, struct store_txn *txn, uint64_t seq, const char *receiver,
    const struct buf *xml);
int outbox_flush(struct store *s, const struct envelope_keys *keys, const char *outbound_dir);
/* The same in three steps, for a pipeline that writes one batch's files
 * while the next batch is applied (issue #7): collect the rows numbered
 * after `after` (one round: *more says whether others follow; *last is the
 * highest collected) on the store's thread; write them on any thread (this
 * touches no store); forget those written in a transaction of the store's
 * thread.  outbox_write returns -1 if a row could not be written (it stays). */
struct outbox_set;
struct outbox_set *outbox_collect(struct store *s, uint64_t after, uint64_t *last, int *more);
int outbox_write(struct outbox_set *o, const struct envelope_keys *keys, const char *outbound_dir,
    struct pool *pool, struct sealer *sealer);
/* The same with one syncfs per round instead of two, for a pipeline that
 * writes round after round: outbox_write_ahead writes o's files, makes them
 * durable together with the renames of `placed` (the round written ahead
 * before, or NULL), and renames o's into place, not yet durably; it returns
 * placed's result, which is now final (0, or -1 if a row was not written).
 * outbox_write_settle makes the renames of the last round placed durable
 * and returns its result.  Until then a round's rows must not be forgotten:
 * a crash writes them again, and the partner may see an Ack twice (never a
 * file whose content is not durable: the rename follows the temp's sync). */
int outbox_write_ahead(struct outbox_set *o, struct outbox_set *placed, const struct envelope_keys *keys,
    const char *outbound_dir, struct pool *pool, struct sealer *sealer);
int outbox_write_settle(struct outbox_set *placed);
int outbox_forget(struct store *s, struct store_txn *txn, const struct outbox_set *o);
void outbox_set_free(struct outbox_set *o);
/* The same, sealing and writing on the pool's threads, and taking the
 * signatures the sealer made ahead for the very same documents. */
int outbox_flush_pool(struct store *s, const struct envelope_keys *keys, const char *outbound_dir,
    struct pool *pool, struct sealer *sealer);
#endif
