/* xmem — allocation wrappers that abort on failure, and panic(). */
#include "xmem.h"
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void panic(const char *fmt, ...)
{
	va_list ap;

	fputs("entrust: panic: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		panic("out of memory (%zu bytes)", n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		panic("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		panic("out of memory (%zu bytes)", n);
	return q;
}

void *xgrow(void *p, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 16;
	if (*cap > (size_t)-1 / size)
		panic("out of memory (%zu x %zu bytes)", *cap, size);
	return xrealloc(p, *cap * size);
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

int strlcopy(char *dst, const char *s, size_t n)
{
	size_t len = strlen(s);

	if (n == 0)
		return -1;
	if (len >= n) {
		memcpy(dst, s, n - 1);
		dst[n - 1] = '\0';
		return -1;
	}
	memcpy(dst, s, len + 1);
	return 0;
}

void xthreads_start(pthread_t *t, int n, void *(*fn)(void *), void *arg, const char *what)
{
	char name[16];	/* the kernel's limit, with its NUL */
	sigset_t all, old;
	int i;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	snprintf(name, sizeof(name), "entrust-%s", what);
	for (i = 0; i < n; i++) {
		if (pthread_create(&t[i], NULL, fn, arg) != 0)
			panic("%s: cannot start a thread", what);
		pthread_setname_np(t[i], name);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}
