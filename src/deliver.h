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
 * Runs in its own threads (delivery_parallel per route), so a slow or dead
 * route never blocks inbound processing or other routes.
 * Failure contract: deliver_start returns -1 with err on a bad routes file;
 * transfer errors are logged and retried, never fatal. */
#ifndef DELIVER_H
#define DELIVER_H
#include <stddef.h>
#include "conf.h"

struct deliver;

struct deliver *deliver_start(const struct conf *c, const char *spool_dir, char *err, size_t errlen);
/* Wake the route threads: new files were written to outbound/. */
void deliver_kick(struct deliver *d);
/* Stop the threads, letting transfers in flight finish (bounded by timeouts). */
void deliver_stop(struct deliver *d);
#endif
