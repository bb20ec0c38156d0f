/* xmem — allocation that never returns NULL, and panic().
 * Failure contract: out of memory and impossible states abort the process
 * (STYLE.md tier 1), so callers never check for NULL. */
#ifndef XMEM_H
#define XMEM_H
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Copy s into dst of size n, always NUL-terminated; returns -1 if s was cut. */
int strlcopy(char *dst, const char *s, size_t n);
#endif
