/* pool — a fixed set of threads that run one function over an index range
 * and wait for all of it (fork-join), or start a range and come back for it
 * later.  The pipeline uses it for the stages that are pure CPU per item:
 * opening envelopes and parsing (before apply, each taken as it is ready;
 * the next batch's while the current one is committed and emitted), sealing
 * and writing outbound files (after commit).  Ranges are run oldest first,
 * except that pool_run's go before those started ahead (its caller is
 * waiting).
 * Failure contract: pool_new panics if threads cannot be made; pool_run
 * cannot fail (fn reports its own errors through its argument). */
#ifndef POOL_H
#define POOL_H
#include <stddef.h>

struct pool;

struct pool *pool_new(int threads);
void pool_free(struct pool *p);
/* Run fn(arg, i) for every i in [0, n) on the pool's threads; returns when all are done. */
void pool_run(struct pool *p, size_t n, void (*fn)(void *arg, size_t i), void *arg);
/* The same in two halves: start the range on the pool's threads and return;
 * pool_wait runs what is left of it on the caller too, returns when all of
 * it is done, and frees t.  The pool's threads take only the indexes below
 * ahead until pool_ahead raises it (n: all), so that a caller using the
 * results in order bounds what waits for it (memory, issue #7). */
struct pool_task;
struct pool_task *pool_start(struct pool *p, size_t n, size_t ahead, void (*fn)(void *arg, size_t i),
    void *arg);
void pool_ahead(struct pool *p, struct pool_task *t, size_t ahead);
void pool_wait(struct pool *p, struct pool_task *t);
/* Index i of t finished (run on the caller, with those before it, if no
 * thread has taken it yet), the rest going on: for a caller that uses the
 * results in order as they come.  t stays for pool_wait. */
void pool_wait_index(struct pool *p, struct pool_task *t, size_t i);
int pool_size(const struct pool *p);
#endif
