/* strmap — strings to pointers, open addressing (see strmap.h). */
#include "strmap.h"
#include "xmem.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void strmap_init(struct strmap *m)
{
	m->slot = NULL;
	m->nslot = m->n = 0;
}

/* FNV-1a: short, and good enough for file names and hex fingerprints. */
static size_t strmap_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot holding key, or the free one where it would go (there is one:
 * the table is never more than half full). */
static struct strmap_slot *strmap_find(const struct strmap *m, const char *key)
{
	size_t i = strmap_hash(key) % m->nslot;

	while (m->slot[i].key != NULL && strcmp(m->slot[i].key, key) != 0)
		i = (i + 1) % m->nslot;
	return &m->slot[i];
}

int strmap_get(const struct strmap *m, const char *key, void **val)
{
	struct strmap_slot *s;

	if (m->n == 0 || (s = strmap_find(m, key))->key == NULL)
		return 0;
	if (val != NULL)
		*val = s->val;
	return 1;
}

static void strmap_grow(struct strmap *m)
{
	struct strmap_slot *old = m->slot, *s;
	size_t i, nold = m->nslot;

	m->nslot = nold ? 2 * nold : 64;
	m->slot = xcalloc(m->nslot, sizeof(*m->slot));
	for (i = 0; i < nold; i++)
		if (old[i].key != NULL) {
			s = strmap_find(m, old[i].key);
			*s = old[i];
		}
	free(old);
}

void *strmap_put(struct strmap *m, const char *key, void *val)
{
	struct strmap_slot *s;
	void *was;

	if (2 * (m->n + 1) > m->nslot)
		strmap_grow(m);
	s = strmap_find(m, key);
	if (s->key == NULL) {
		s->key = xstrdup(key);
		s->val = NULL;
		m->n++;
	}
	was = s->val;
	s->val = val;
	return was;
}

void strmap_free(struct strmap *m, void (*free_val)(void *))
{
	size_t i;

	for (i = 0; i < m->nslot; i++)
		if (m->slot[i].key != NULL) {
			free(m->slot[i].key);
			if (free_val != NULL && m->slot[i].val != NULL)
				free_val(m->slot[i].val);
		}
	free(m->slot);
	strmap_init(m);
}
