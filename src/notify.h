/* notify — tell the service manager (systemd, sd_notify(3)) how the daemon
 * is doing: ready, reloading, stopping, and watchdog keep-alives.
 * Without a service manager (no $NOTIFY_SOCKET) every call is a no-op, so
 * the daemon runs the same from a shell, under `make run` or in the tests.
 * Failure contract: none; a notification that cannot be sent is dropped
 * (systemd then acts on its own timeouts). */
#ifndef NOTIFY_H
#define NOTIFY_H

/* READY=1: started, or reloaded (after notify_reloading). */
void notify_ready(void);
/* RELOADING=1: a reload (SIGHUP) is in progress. */
void notify_reloading(void);
/* STOPPING=1: shutting down cleanly. */
void notify_stopping(void);
/* WATCHDOG=1 when the watchdog is enabled and a ping is due (at most every
 * quarter of WatchdogSec); cheap enough to call on every loop iteration. */
void notify_watchdog(void);
/* A poll timeout in ms capped at half of WatchdogSec, so that the loop wakes
 * up in time to feed the watchdog; ms itself without a watchdog. */
long notify_wait_ms(long ms);
#endif
