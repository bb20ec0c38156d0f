/* pool — fork-join over an index range with pthreads. */
#include "pool.h"
#include "xmem.h"
#include <pthread.h>
#include <stdlib.h>

/* One range of indexes, run by whoever takes them. */
struct pool_task {
	void			(*fn)(void *, size_t);
	void			 *arg;
	size_t			  next, n, finished;
	size_t			  ahead;	/* the pool's threads take indexes below this */
	unsigned char		 *done;		/* per index: finished */
	struct pool_task	 *later;	/* the queue, oldest first */
};

struct pool {
	pthread_mutex_t	  lock;
	pthread_cond_t	  work;		/* a new range, or stop */
	pthread_cond_t	  done;		/* a range is finished */
	pthread_t	 *threads;
	int		  nthreads;
	struct pool_task *queue;	/* ranges with indexes not yet taken */
	int		  stop;
};

/* The oldest range with an index the pool's threads may take, or NULL. */
static struct pool_task *pool_takeable(struct pool *p)
{
	struct pool_task *t;

	for (t = p->queue; t != NULL && t->next >= t->ahead; t = t->later)
		;
	return t;
}

/* Run one index of t; the caller holds the lock, which is released meanwhile. */
static void pool_step(struct pool *p, struct pool_task *t)
{
	size_t i = t->next++;

	if (t->next == t->n) {		/* all taken: off the queue */
		struct pool_task **q;

		for (q = &p->queue; *q != t; q = &(*q)->later)
			;
		*q = t->later;
	}
	pthread_mutex_unlock(&p->lock);
	t->fn(t->arg, i);
	pthread_mutex_lock(&p->lock);
	t->done[i] = 1;
	t->finished++;
	pthread_cond_broadcast(&p->done);	/* an index or the range: pool_wait_index, pool_wait */
}

static void *pool_main(void *arg)
{
	struct pool *p = arg;
	struct pool_task *t = NULL;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->stop && (t = pool_takeable(p)) == NULL)
			pthread_cond_wait(&p->work, &p->lock);
		if (p->stop)
			break;
		pool_step(p, t);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct pool *pool_new(int threads)
{
	struct pool *p = xcalloc(1, sizeof(*p));

	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	p->nthreads = threads > 0 ? threads : 1;
	p->threads = xcalloc((size_t)p->nthreads, sizeof(pthread_t));
	xthreads_start(p->threads, p->nthreads, pool_main, p, "pool");
	return p;
}

void pool_free(struct pool *p)
{
	int i;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	free(p->threads);
	free(p);
}

/* A new range at the queue's end, or (first) at its head. */
static struct pool_task *pool_queue(struct pool *p, size_t n, size_t ahead, void (*fn)(void *arg, size_t i),
    void *arg, int first)
{
	struct pool_task *t = xcalloc(1, sizeof(*t)), **q;

	t->fn = fn;
	t->arg = arg;
	t->n = n;
	t->ahead = ahead < n ? ahead : n;
	t->done = xcalloc(n ? n : 1, 1);
	if (n == 0)
		return t;
	pthread_mutex_lock(&p->lock);
	for (q = &p->queue; !first && *q != NULL; q = &(*q)->later)
		;
	t->later = *q;
	*q = t;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	return t;
}

struct pool_task *pool_start(struct pool *p, size_t n, size_t ahead, void (*fn)(void *arg, size_t i),
    void *arg)
{
	return pool_queue(p, n, ahead, fn, arg, 0);
}

void pool_ahead(struct pool *p, struct pool_task *t, size_t ahead)
{
	pthread_mutex_lock(&p->lock);
	if (ahead > t->n)
		ahead = t->n;
	if (ahead > t->ahead) {
		t->ahead = ahead;
		pthread_cond_broadcast(&p->work);
	}
	pthread_mutex_unlock(&p->lock);
}

void pool_wait(struct pool *p, struct pool_task *t)
{
	pthread_mutex_lock(&p->lock);
	while (t->next < t->n)		/* the caller works too */
		pool_step(p, t);
	while (t->finished < t->n)
		pthread_cond_wait(&p->done, &p->lock);
	pthread_mutex_unlock(&p->lock);
	free(t->done);
	free(t);
}

void pool_wait_index(struct pool *p, struct pool_task *t, size_t i)
{
	pthread_mutex_lock(&p->lock);
	while (!t->done[i]) {
		if (t->next <= i)	/* not taken yet: the caller runs the next one */
			pool_step(p, t);
		else
			pthread_cond_wait(&p->done, &p->lock);
	}
	pthread_mutex_unlock(&p->lock);
}

/* A caller that waits goes before ranges started ahead of their need. */
void pool_run(struct pool *p, size_t n, void (*fn)(void *arg, size_t i), void *arg)
{
	pool_wait(p, pool_queue(p, n, n, fn, arg, 1));
}

int pool_size(const struct pool *p)
{
	return p->nthreads + 1;
}
