/* pool — a fixed set of threads that run one function over an index range
 * and wait for all of it (fork-join).  The pipeline uses it for the stages
 * that are pure CPU per item: opening envelopes and parsing (before apply),
 * sealing and writing outbound files (after commit).
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
int pool_size(const struct pool *p);
#endif
