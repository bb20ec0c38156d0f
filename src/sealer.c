/* sealer — signing ahead of the commit, on threads of its own. */
#include "sealer.h"
#include "envelope.h"
#include "xmem.h"
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Only documents up to this size are signed ahead, and no more than this
 * much waits at once: a batch's answers are a few KB each, and a 100,000-item
 * receipt's Ack is signed at emission as before, not held twice (memory). */
#define SEALER_DOC_MAX		(64 << 10)
#define SEALER_HELD_MAX		(16 << 20)

enum sealed_state { SEALED_QUEUED, SEALED_SIGNING, SEALED_DONE, SEALED_FAILED, SEALED_TAKEN };

struct sealed {
	const struct envelope_keys	*keys;
	unsigned long			 round;
	char				*receiver, *file;
	struct buf			 xml, der;	/* the document until it is signed */
	size_t				 xlen;
	unsigned char			 sha[32];	/* of the document: what a take must match */
	enum sealed_state		 state;
};

struct sealer {
	const struct envelope_keys *keys;	/* the newest round's; NULL: no round open */
	unsigned long	  round;	/* the newest round */
	pthread_mutex_t	  lock;
	pthread_cond_t	  work;		/* an offer, or stop */
	pthread_cond_t	  done;		/* a signature finished */
	pthread_t	 *threads;
	int		  nthreads;
	int		  stop;
	struct sealed	**items;	/* offered in rounds not yet ended, in order */
	size_t		  n, cap;
	size_t		  next;		/* the first the threads have not looked at */
	size_t		  back;		/* past the last a helping taker has not looked at */
	size_t		  hint;		/* where the last take found its item */
	size_t		  held;		/* bytes of documents and signatures */
	int		  signing;	/* items in SEALED_SIGNING */
};

/* Documents are matched by length and SHA-256, so that a signed one need
 * not be held twice. */
static void sealer_digest(const void *xml, size_t len, unsigned char sha[32])
{
	if (EVP_Digest(xml, len, sha, NULL, EVP_sha256(), NULL) != 1)
		panic("sealer: SHA-256 failed");
}

static void sealed_free(struct sealed *it)
{
	buf_free(&it->xml);
	buf_free(&it->der);
	free(it->receiver);
	free(it->file);
	free(it);
}

/* Sign one item outside the lock; its state was set to SEALED_SIGNING. */
static void sealer_sign(struct sealer *s, struct sealed *it)
{
	int rc;

	pthread_mutex_unlock(&s->lock);
	rc = envelope_seal(it->keys, it->xml.data, it->xml.len, &it->der);
	pthread_mutex_lock(&s->lock);
	it->state = rc == 0 ? SEALED_DONE : SEALED_FAILED;
	s->held = s->held - it->xml.len + it->der.len;
	buf_free(&it->xml);		/* the digest is enough from here (memory) */
	s->signing--;
	pthread_cond_broadcast(&s->done);
}

static void *sealer_main(void *arg)
{
	struct sealer *s = arg;
	struct sealed *it;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (!s->stop && s->next == s->n)
			pthread_cond_wait(&s->work, &s->lock);
		if (s->stop)
			break;
		it = s->items[s->next++];
		if (it->state != SEALED_QUEUED)
			continue;	/* a taker signed it itself */
		it->state = SEALED_SIGNING;
		s->signing++;
		sealer_sign(s, it);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

struct sealer *sealer_new(int threads)
{
	struct sealer *s = xcalloc(1, sizeof(*s));

	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->work, NULL);
	pthread_cond_init(&s->done, NULL);
	s->nthreads = threads > 0 ? threads : 1;
	s->threads = xcalloc((size_t)s->nthreads, sizeof(pthread_t));
	xthreads_start(s->threads, s->nthreads, sealer_main, s, "seal");
	return s;
}

void sealer_free(struct sealer *s)
{
	int i;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = 1;
	pthread_cond_broadcast(&s->work);
	pthread_mutex_unlock(&s->lock);
	for (i = 0; i < s->nthreads; i++)
		pthread_join(s->threads[i], NULL);
	sealer_end(s, s->round);
	free(s->items);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->work);
	pthread_cond_destroy(&s->done);
	free(s->threads);
	free(s);
}

unsigned long sealer_begin(struct sealer *s, const struct envelope_keys *keys)
{
	unsigned long round;

	if (s == NULL)
		return 0;
	pthread_mutex_lock(&s->lock);
	s->keys = keys;
	round = ++s->round;
	pthread_mutex_unlock(&s->lock);
	return round;
}

void sealer_offer(struct sealer *s, const char *receiver, const char *file, const struct buf *xml)
{
	struct sealed *it;

	if (s == NULL || xml->len > SEALER_DOC_MAX)
		return;
	it = xcalloc(1, sizeof(*it));
	it->receiver = xstrdup(receiver);
	it->file = xstrdup(file);
	buf_init(&it->xml);
	buf_init(&it->der);
	buf_add(&it->xml, xml->data, xml->len);
	it->xlen = xml->len;
	sealer_digest(xml->data, xml->len, it->sha);
	pthread_mutex_lock(&s->lock);
	it->keys = s->keys;
	it->round = s->round;
	if (s->keys == NULL || s->held + xml->len > SEALER_HELD_MAX) {
		pthread_mutex_unlock(&s->lock);
		sealed_free(it);
		return;
	}
	s->items = xgrow(s->items, s->n, &s->cap, sizeof(*s->items));
	s->items[s->n++] = it;
	s->back = s->n;
	s->held += xml->len;
	pthread_cond_signal(&s->work);
	pthread_mutex_unlock(&s->lock);
}

/* While another thread signs the item a taker wants, the taker signs one
 * of the queue's newest, which a later take will want: waiting instead would
 * make the takers and the threads, going the same way through the queue,
 * wait on each other in turn.  0 if nothing is left to sign. */
static int sealer_help(struct sealer *s)
{
	while (s->back > s->next && s->items[s->back - 1]->state != SEALED_QUEUED)
		s->back--;
	if (s->back <= s->next)
		return 0;
	s->items[--s->back]->state = SEALED_SIGNING;
	s->signing++;
	sealer_sign(s, s->items[s->back]);
	return 1;
}

static int sealer_match(const struct sealed *it, const struct envelope_keys *keys, const char *receiver,
    const char *file, const unsigned char sha[32], size_t xlen)
{
	return it->state != SEALED_TAKEN && it->state != SEALED_FAILED && it->keys == keys && it->xlen == xlen
	    && memcmp(it->sha, sha, 32) == 0 && strcmp(it->file, file) == 0 && strcmp(it->receiver, receiver) == 0;
}

int sealer_take(struct sealer *s, const struct envelope_keys *keys, const char *receiver,
    const char *file, const void *xml, size_t xlen, struct buf *der)
{
	struct sealed *it = NULL;
	unsigned char sha[32];
	struct buf swap;
	size_t i, k;

	if (s == NULL)
		return -1;
	sealer_digest(xml, xlen, sha);
	pthread_mutex_lock(&s->lock);
	for (k = 0; k < s->n && it == NULL; k++) {	/* rows are taken about in offer order */
		i = (s->hint + k) % s->n;
		if (sealer_match(s->items[i], keys, receiver, file, sha, xlen)) {
			it = s->items[i];
			s->hint = i + 1;
		}
	}
	if (it != NULL && it->state == SEALED_QUEUED) {		/* not started: sign it here */
		it->state = SEALED_SIGNING;
		s->signing++;
		sealer_sign(s, it);
	}
	while (it != NULL && it->state == SEALED_SIGNING)
		if (!sealer_help(s))
			pthread_cond_wait(&s->done, &s->lock);
	if (it == NULL || it->state != SEALED_DONE) {
		pthread_mutex_unlock(&s->lock);
		return -1;
	}
	s->held -= it->der.len;		/* the taker's now */
	swap = *der;
	*der = it->der;
	it->der = swap;
	buf_reset(&it->der);
	it->state = SEALED_TAKEN;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

void sealer_end(struct sealer *s, unsigned long round)
{
	size_t i, m;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	for (m = 0; m < s->n && s->items[m]->round <= round; m++)	/* rounds come in order */
		;
	for (i = 0; i < m; i++)
		while (s->items[i]->state == SEALED_SIGNING)
			pthread_cond_wait(&s->done, &s->lock);
	for (i = 0; i < m; i++) {
		s->held -= s->items[i]->xml.len + s->items[i]->der.len;
		sealed_free(s->items[i]);
	}
	if (m > 0)	/* items is NULL until the first offer */
		memmove(s->items, s->items + m, (s->n - m) * sizeof(*s->items));
	s->n -= m;
	s->next = s->next > m ? s->next - m : 0;
	s->back = s->back > m ? s->back - m : 0;
	s->hint = s->hint > m ? s->hint - m : 0;
	if (round >= s->round)
		s->keys = NULL;		/* the newest ended: no round open */
	pthread_mutex_unlock(&s->lock);
}
