/* store — the Berkeley DB 5.3 transactional environment and its databases.
 * Opened with DB_INIT_TXN|LOCK|LOG|MPOOL and DB_REGISTER|DB_RECOVER, so
 * whoever opens it first after a crash runs recovery; commits are
 * synchronous (never DB_TXN_NOSYNC).  One B-tree per concept:
 *   letters      number → letter record (codec)
 *   agreements   number → agreement record (codec)
 *   live         consignor|broker → number of the live letter (R8)
 *   by_letter    letter|agreement → ""  (range scan: agreements of a letter)
 *   seen         sender|message-id → the ack XML given (R25)
 *   outbox       seq (8 bytes BE) → row (codec) + XML body
 *   counters     name → next number (8 bytes BE), for R7 numbers and seqs
 * Failure contract: functions return 0, 1 for "not found" where a lookup
 * can miss, or -1 on a database error (logged).  DB_RUNRECOVERY is fatal:
 * the process exits so that a restart recovers. */
#ifndef STORE_H
#define STORE_H
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "entrust.h"

struct __db_txn;
typedef struct __db_txn store_txn;
struct store;

enum store_db { SDB_LETTERS, SDB_AGREEMENTS, SDB_LIVE, SDB_BY_LETTER, SDB_SEEN,
	SDB_OUTBOX, SDB_COUNTERS, SDB_COUNT };

struct store *store_open(const char *dir, char *err, size_t errlen);
void store_close(struct store *s);
void store_checkpoint(struct store *s);

store_txn *store_begin(struct store *s);
int store_commit(store_txn *txn);
void store_abort(store_txn *txn);

/* Raw access, for modules that own a database's value format. */
int store_get(struct store *s, store_txn *txn, enum store_db db, const void *key,
    size_t klen, struct buf *val);
int store_put(struct store *s, store_txn *txn, enum store_db db, const void *key,
    size_t klen, const void *val, size_t vlen);
int store_del(struct store *s, store_txn *txn, enum store_db db, const void *key, size_t klen);
/* Visit keys starting with prefix in order; fn returns non-zero to stop. */
int store_scan(struct store *s, store_txn *txn, enum store_db db, const void *prefix,
    size_t plen, int (*fn)(void *arg, const void *key, size_t klen, const void *val,
    size_t vlen), void *arg);
/* Allocate the next value of counter name (starting at 1). */
int store_next(struct store *s, store_txn *txn, const char *name, uint64_t *value);

int store_letter_get(struct store *s, store_txn *txn, const char *number, struct letter *l);
int store_letter_put(struct store *s, store_txn *txn, const struct letter *l);
int store_agreement_get(struct store *s, store_txn *txn, const char *number, struct agreement *a);
int store_agreement_put(struct store *s, store_txn *txn, const struct agreement *a);
#endif
