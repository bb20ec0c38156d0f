/* pool — fork-join over an index range with pthreads. */
#include "pool.h"
#include "xmem.h"
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

struct pool {
	pthread_mutex_t	  lock;
	pthread_cond_t	  work;		/* a new range, or stop */
	pthread_cond_t	  done;		/* the range is finished */
	pthread_t	 *threads;
	int		  nthreads;
	void		(*fn)(void *, size_t);
	void		 *arg;
	size_t		  next, n, finished;
	unsigned long	  generation;
	int		  stop;
};

/* Take indexes until the range is used up; the caller holds the lock. */
static void pool_drain(struct pool *p)
{
	size_t i;

	while (p->next < p->n) {
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		p->fn(p->arg, i);
		pthread_mutex_lock(&p->lock);
		if (++p->finished == p->n)
			pthread_cond_broadcast(&p->done);
	}
}

static void *pool_main(void *arg)
{
	struct pool *p = arg;
	unsigned long seen = 0;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->stop && p->generation == seen)
			pthread_cond_wait(&p->work, &p->lock);
		if (p->stop)
			break;
		seen = p->generation;
		pool_drain(p);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct pool *pool_new(int threads)
{
	struct pool *p = xcalloc(1, sizeof(*p));
	sigset_t all, old;
	int i;

	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	p->nthreads = threads > 0 ? threads : 1;
	p->threads = xcalloc((size_t)p->nthreads, sizeof(pthread_t));
	/* Workers take no signals: the daemon's main thread reads them (signalfd). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (i = 0; i < p->nthreads; i++)
		if (pthread_create(&p->threads[i], NULL, pool_main, p) != 0)
			panic("pool: cannot start a thread");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
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

void pool_run(struct pool *p, size_t n, void (*fn)(void *arg, size_t i), void *arg)
{
	if (n == 0)
		return;
	pthread_mutex_lock(&p->lock);
	p->fn = fn;
	p->arg = arg;
	p->next = 0;
	p->n = n;
	p->finished = 0;
	p->generation++;
	pthread_cond_broadcast(&p->work);
	pool_drain(p);		/* the caller works too */
	while (p->finished < p->n)
		pthread_cond_wait(&p->done, &p->lock);
	pthread_mutex_unlock(&p->lock);
}

int pool_size(const struct pool *p)
{
	return p->nthreads + 1;
}
