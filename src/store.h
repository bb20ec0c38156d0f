/* store — the Berkeley DB 5.3 transactional environment and its databases.
 * Opened with DB_INIT_TXN|LOCK|LOG|MPOOL and DB_REGISTER|DB_RECOVER, so
 * whoever opens it first after a crash runs recovery; commits are
 * synchronous (never DB_TXN_NOSYNC).  Its regions are in shared memory
 * (DB_SYSTEM_MEM), its databases and log files in the folder.  One B-tree per concept:
 *   letters      number → letter record (codec)
 *   agreements   number → agreement record (codec)
 *   live         consignor|broker → number of the live letter (R8)
 *   by_letter    letter|agreement → ""  (range scan: agreements of a letter)
 *   seen         sender|message-id → the ack XML given (R25)
 *   outbox       seq (8 bytes BE) → row (codec) + XML body, or a row naming
 *                the seen record that holds its XML (an Ack)
 *   counters     name → last number given (8 bytes BE), for R7 numbers and seqs;
 *                a transaction reads each once and writes it once, at commit
 *   by_party     code|agreement → ""  (an enterprise's agreements, both roles: R21–R23)
 *   accounts     code → account record (R18)
 *   topups       code|time(8 BE)|seq(8 BE) → units|reference (R20)
 *   registrations code|A (approved) and code|P (pending) → registration (R3–R6)
 *   expiry       valid_until(8 BE)|letter → ""  (letters in time order, R11)
 *   audit        agreement|seq(8 BE) → event line (trace of an agreement)
 * Failure contract: functions return 0, 1 for "not found" where a lookup
 * can miss, or -1 on a database error (logged).  DB_RUNRECOVERY is fatal:
 * the process exits so that a restart recovers. */
#ifndef STORE_H
#define STORE_H
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "entrust.h"

struct store_txn;
typedef struct store_txn store_txn;
struct store;

enum store_db { SDB_LETTERS, SDB_AGREEMENTS, SDB_LIVE, SDB_BY_LETTER, SDB_SEEN,
	SDB_OUTBOX, SDB_COUNTERS, SDB_BY_PARTY, SDB_ACCOUNTS, SDB_TOPUPS, SDB_REGISTRATIONS,
	SDB_EXPIRY, SDB_AUDIT, SDB_COUNT };

/* Open (create, recover) the store in dir with a Berkeley DB cache of
 * cache_mib MiB (0: STORE_CACHE_MIB); a process that joins regions another
 * made uses theirs.  NULL, with the reason in err, if it cannot. */
#define STORE_CACHE_MIB 12
struct store *store_open(const char *dir, long cache_mib, char *err, size_t errlen);
void store_close(struct store *s);
/* The base System V key of the store's regions (cache, log buffer, locks:
 * shared memory, `ipcs -m`; the last process to close removes them), or -1
 * if dir cannot be stat'ed. */
long store_shm_key(const char *dir);
void store_checkpoint(struct store *s);
/* Hot backup of databases and logs into dir (created; emptied first), consistent
 * while the daemon runs; recover it with `db_recover -c -h DIR` (docs/operations.md).
 * It holds an exclusive flock on <store>/backup.lock meanwhile, so that no process
 * takes a log file out of the store while the copy may still need it. */
int store_backup(struct store *s, const char *dir);
/* Check every database's structure (DB->verify); -1 names the first bad one in err. */
int store_verify(const char *dir, char *err, size_t errlen);
/* Checkpoint, then take the log files no longer needed for recovery out of the store:
 * moved into the log archive folder if one is set (they and a backup allow a
 * catastrophic recovery up to the last archived log), else deleted; *removed counts
 * them.  None is taken while a backup holds backup.lock.  -1 if one could not be. */
int store_archive_logs(struct store *s, int *removed);
/* Where store_archive_logs moves log files (created when needed); NULL or "": delete. */
void store_set_log_archive(struct store *s, const char *dir);

store_txn *store_begin(struct store *s);
/* A nested transaction: its effects vanish with store_abort, join the parent on commit. */
store_txn *store_begin_child(struct store *s, store_txn *parent);
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
/* Visit keys from start (the first at or after it) to the end, in order. */
int store_scan_from(struct store *s, store_txn *txn, enum store_db db, const void *start,
    size_t slen, int (*fn)(void *arg, const void *key, size_t klen, const void *val,
    size_t vlen), void *arg);
/* Allocate the next value of counter name (starting at 1, a name under 32
 * bytes).  In a transaction the counter is locked and read at its first use
 * and written when the outermost transaction commits; numbers taken in an
 * aborted (child) transaction come again. */
int store_next(struct store *s, store_txn *txn, const char *name, uint64_t *value);

int store_letter_get(struct store *s, store_txn *txn, const char *number, struct letter *l);
int store_letter_put(struct store *s, store_txn *txn, const struct letter *l);
int store_agreement_get(struct store *s, store_txn *txn, const char *number, struct agreement *a);
int store_agreement_put(struct store *s, store_txn *txn, const struct agreement *a);
/* kind 'A' approved, 'P' pending. */
int store_registration_get(struct store *s, store_txn *txn, const char *code, char kind,
    struct registration *r);
int store_registration_put(struct store *s, store_txn *txn, char kind, const struct registration *r);
int store_registration_del(struct store *s, store_txn *txn, const char *code, char kind);
int store_account_get(struct store *s, store_txn *txn, const char *code, struct account *a);
int store_account_put(struct store *s, store_txn *txn, const char *code, const struct account *a);
/* Big-endian 8-byte key parts, so that keys sort by number. */
void store_be64(unsigned char out[8], uint64_t v);
uint64_t store_get_be64(const unsigned char in[8]);
#endif
