/* buf — a growable byte buffer, always NUL-terminated (Postfix vstring).
 * Failure contract: none; growth failure is fatal in xmem. */
#ifndef BUF_H
#define BUF_H
#include <stddef.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
void buf_add(struct buf *b, const void *p, size_t n);
/* Make room for n more bytes (and the terminating NUL) at once. */
void buf_reserve(struct buf *b, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#endif
