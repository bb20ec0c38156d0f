/* deliver — moving outbound files to partners who do not share our disk.
 * Each party has a route (the routes file, one line per party):
 *   <code> local
 *   <code> sftp://user@host:port/path  key=FILE [pubkey=FILE] known_hosts=FILE
 *   <code> https://host:port/path      ca=FILE [cert=FILE key=FILE] [method=PUT|POST]
 * Parties without a line are local: files stay in outbound/<code>/ to be
 * collected.  For other routes, every file in outbound/<code>/ is uploaded
 * (SFTP: to .NAME.part, then renamed on the server; HTTPS: PUT or POST to
 * path/NAME, TLS 1.2+, server verified against ca, client certificate for
 * mutual TLS), then moved to sent/<code>/<yyyymmdd>/.  Failures are retried
 * with exponential backoff and jitter (delivery_backoff_s doubling); after
 * delivery_attempts the file goes to dead/<code>/ with NAME.reason holding
 * the last error.  At least once: a crash between upload and move uploads
 * again under the same name, which the receiver overwrites or drops.
 * Runs in its own threads, as many per route as its concurrent transfers
 * (parallel=N on the route line, else delivery_parallel), so a slow or dead
 * route never blocks inbound processing or other routes.
 * Failure contract: deliver_start returns -1 with err on a bad routes file;
 * transfer errors are logged and retried, never fatal. */
#ifndef DELIVER_H
#define DELIVER_H
#include <stddef.h>
#include <stdint.h>
#include "conf.h"

/* The backoff never grows past this (unless delivery_backoff_s itself is longer). */
#define DELIVER_BACKOFF_CAP_MS	(6LL * 3600 * 1000)

struct deliver;

/* The longest wait after `failures` failed attempts (1 = the first): base_ms
 * doubled per failure after the first, at most cap_ms (or base_ms when that is
 * larger); saturates instead of overflowing; 0 for base_ms <= 0.  Pure. */
long long deliver_backoff_max(long long base_ms, long long cap_ms, int failures);
/* The wait actually used ("equal jitter"): max/2 + rnd mod (max - max/2 + 1),
 * so always within [max/2, max] of deliver_backoff_max; rnd is the random
 * draw, passed in so that the function stays pure. */
long long deliver_backoff(long long base_ms, long long cap_ms, int failures, uint64_t rnd);
/* deliver_backoff with rnd from getrandom(2): what the route threads wait. */
long long deliver_backoff_random(long long base_ms, long long cap_ms, int failures);

struct deliver *deliver_start(const struct conf *c, const char *spool_dir, char *err, size_t errlen);
/* Wake the route threads: new files were written to outbound/. */
void deliver_kick(struct deliver *d);
/* Stop the threads, letting transfers in flight finish (bounded by timeouts). */
void deliver_stop(struct deliver *d);
#endif
