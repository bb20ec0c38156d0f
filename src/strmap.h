/* strmap — a hash table from strings to pointers, for the sets and caches
 * that grow with the number of parties (one lookup per item, not a walk of
 * a list). Open addressing, at most half full; keys are copied, values
 * belong to the caller. Not locked: one thread's.
 * Failure contract: none (out of memory panics, xmem). */
#ifndef STRMAP_H
#define STRMAP_H
#include <stddef.h>

struct strmap_slot {
	char	*key;	/* NULL: free */
	void	*val;
};

struct strmap {
	struct strmap_slot	*slot;
	size_t			 nslot, n;
};

void strmap_init(struct strmap *m);
/* Whether key is in m, and its value into *val if val is not NULL. */
int strmap_get(const struct strmap *m, const char *key, void **val);
/* Key's value set to val (added if new); the value it had, or NULL. */
void *strmap_put(struct strmap *m, const char *key, void *val);
/* The keys and the table freed, and each value through free_val if given. */
void strmap_free(struct strmap *m, void (*free_val)(void *));
#endif
