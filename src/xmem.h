/* xmem — allocation that never returns NULL, and panic().
 * Failure contract: out of memory and impossible states abort the process
 * (STYLE.md tier 1), so callers never check for NULL. */
#ifndef XMEM_H
#define XMEM_H
#include <pthread.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* Room for one more element (of size bytes) after the n in the array p, whose
 * room is *cap elements: the room doubles when full, so filling an array of n
 * costs O(n) copying. Growing by one element each time is quadratic wherever
 * realloc cannot extend in place (under ASan, or with a fragmented heap). */
void *xgrow(void *p, size_t n, size_t *cap, size_t size);
char *xstrdup(const char *s);
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* Start n threads running fn(arg) into t[0..n), with every signal blocked in
 * them (the daemon's main thread reads signals through a signalfd), named
 * "entrust-WHAT" for top -H and perf (WHAT up to 8 characters); panics if
 * one cannot be started. */
void xthreads_start(pthread_t *t, int n, void *(*fn)(void *), void *arg, const char *what);

/* Copy s into dst of size n, always NUL-terminated; returns -1 if s was cut. */
int strlcopy(char *dst, const char *s, size_t n);
#endif
