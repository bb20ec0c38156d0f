/* test_pool — fork-join over an index range: every index runs exactly once
 * per pool_run, results land in their own slots (so in order), pool_run
 * returns only when all are done, a pool is reusable round after round,
 * several executors really run at once (checked with a barrier, not with
 * time), workers block signals while the caller's mask is left as it
 * was, a started range's indexes can be taken in order as they finish,
 * and its pool threads keep within the window the caller allows.  No
 * timing assumptions: nothing here sleeps or measures. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include "pool.h"
#include "testutil.h"

struct tally {
	atomic_int	*runs;		/* per index: how many times fn ran it */
	uint64_t	*result;	/* per index: its result */
	atomic_int	 total;
	size_t		 n;
};

static void job(void *arg, size_t i)
{
	struct tally *t = arg;
	uint64_t x = i * 2654435761u;
	int k;

	assert_true(i < t->n);
	for (k = 0; k < 50; k++)	/* a little work, so that threads overlap */
		x = x * 6364136223846793005u + 1442695040888963407u;
	t->result[i] = x ^ i;
	atomic_fetch_add(&t->runs[i], 1);
	atomic_fetch_add(&t->total, 1);
}

static uint64_t want_result(size_t i)
{
	uint64_t x = i * 2654435761u;
	int k;

	for (k = 0; k < 50; k++)
		x = x * 6364136223846793005u + 1442695040888963407u;
	return x ^ i;
}

static void run_and_check(struct pool *p, size_t n)
{
	struct tally t;
	size_t i;

	t.n = n;
	t.runs = calloc(n ? n : 1, sizeof(*t.runs));
	t.result = calloc(n ? n : 1, sizeof(*t.result));
	atomic_init(&t.total, 0);
	pool_run(p, n, job, &t);
	/* pool_run has returned: everything is done, nothing runs later */
	assert_int_equal(atomic_load(&t.total), (int)n);
	for (i = 0; i < n; i++) {
		if (atomic_load(&t.runs[i]) != 1)
			fail_msg("n=%zu: index %zu ran %d times", n, i, atomic_load(&t.runs[i]));
		if (t.result[i] != want_result(i))
			fail_msg("n=%zu: result %zu out of place", n, i);
	}
	free(t.runs);
	free(t.result);
}

/* Every job exactly once, results in order, for many sizes and thread counts. */
static void test_table_every_job_exactly_once(void **state)
{
	static const int threads[] = {1, 2, 3, 8, 16};
	static const size_t sizes[] = {1, 2, 3, 7, 16, 17, 100, 1000, 20000};
	size_t a, b;

	(void)state;
	for (a = 0; a < sizeof(threads) / sizeof(threads[0]); a++) {
		struct pool *p = pool_new(threads[a]);

		assert_int_equal(pool_size(p), threads[a] + 1);	/* the caller works too */
		for (b = 0; b < sizeof(sizes) / sizeof(sizes[0]); b++)
			run_and_check(p, sizes[b]);
		pool_free(p);
	}
}

/* n = 0 returns at once and calls nothing. */
static void never(void *arg, size_t i)
{
	(void)arg;
	(void)i;
	fail_msg("fn called for an empty range");
}

static void test_empty_range_runs_nothing(void **state)
{
	struct pool *p = pool_new(2);

	(void)state;
	pool_run(p, 0, never, NULL);
	run_and_check(p, 5);	/* still usable */
	pool_free(p);
}

/* Many short rounds on one pool: no lost wake-up, no job of one round
 * running in the next. */
static void test_many_rounds_on_one_pool(void **state)
{
	struct pool *p = pool_new(4);
	int r;

	(void)state;
	for (r = 0; r < 2000; r++)
		run_and_check(p, (size_t)(r % 9) + 1);
	pool_free(p);
}

/* threads ≤ 0 still gives one worker. */
static void test_nonpositive_threads_give_one_worker(void **state)
{
	struct pool *p = pool_new(0), *q = pool_new(-3);

	(void)state;
	assert_int_equal(pool_size(p), 2);
	assert_int_equal(pool_size(q), 2);
	run_and_check(p, 50);
	run_and_check(q, 50);
	pool_free(p);
	pool_free(q);
}

/* A pool freed without ever running joins its idle workers. */
static void test_free_idle_pool(void **state)
{
	(void)state;
	pool_free(pool_new(8));
	pool_free(NULL);
}

/* Concurrency, without clocks: with 3 workers + the caller, 4 jobs that
 * each wait at a 4-party barrier can only finish if 4 executors run them
 * at the same time (a serial pool would hang here, not pass). */
static pthread_barrier_t barrier;

static void meet(void *arg, size_t i)
{
	atomic_int *met = arg;

	(void)i;
	pthread_barrier_wait(&barrier);
	atomic_fetch_add(met, 1);
}

static void test_executors_run_at_once(void **state)
{
	struct pool *p = pool_new(3);
	atomic_int met;
	int r;

	(void)state;
	assert_int_equal(pthread_barrier_init(&barrier, NULL, 4), 0);
	atomic_init(&met, 0);
	for (r = 0; r < 20; r++)
		pool_run(p, 4, meet, &met);
	assert_int_equal(atomic_load(&met), 80);
	pthread_barrier_destroy(&barrier);
	pool_free(p);
}

/* Workers block every signal (the daemon reads them with signalfd in the
 * main thread); the caller's own mask is as it was before pool_new. */
struct masks {
	pthread_t	caller;
	atomic_int	worker_jobs, worker_unblocked;
};

static void mask_job(void *arg, size_t i)
{
	struct masks *m = arg;
	sigset_t cur;

	(void)i;
	if (!pthread_equal(pthread_self(), m->caller)) {
		pthread_sigmask(SIG_BLOCK, NULL, &cur);
		atomic_fetch_add(&m->worker_jobs, 1);
		if (!sigismember(&cur, SIGTERM) || !sigismember(&cur, SIGHUP) || !sigismember(&cur, SIGINT))
			atomic_fetch_add(&m->worker_unblocked, 1);
	}
	pthread_barrier_wait(&barrier);	/* one job per executor: the caller cannot take them all */
}

static void test_workers_block_signals_caller_mask_kept(void **state)
{
	struct masks m;
	sigset_t before, after;
	struct pool *p;

	(void)state;
	pthread_sigmask(SIG_BLOCK, NULL, &before);
	assert_false(sigismember(&before, SIGTERM));
	p = pool_new(2);
	pthread_sigmask(SIG_BLOCK, NULL, &after);
	assert_false(sigismember(&after, SIGTERM));
	assert_false(sigismember(&after, SIGHUP));
	m.caller = pthread_self();
	atomic_init(&m.worker_jobs, 0);
	atomic_init(&m.worker_unblocked, 0);
	assert_int_equal(pthread_barrier_init(&barrier, NULL, 3), 0);
	/* 3 jobs meeting at a barrier: the caller and both workers run one each */
	pool_run(p, 3, mask_job, &m);
	pthread_barrier_destroy(&barrier);
	assert_int_equal(atomic_load(&m.worker_jobs), 2);
	assert_int_equal(atomic_load(&m.worker_unblocked), 0);
	pool_free(p);
}

/* A range started and waited for later, with other ranges run meanwhile
 * (the next batch prepared while this one is emitted), and from a second
 * caller thread: every index of every range exactly once. */
struct started {
	struct pool	*p;
	struct tally	 t;
};

static void tally_init(struct tally *t, size_t n)
{
	t->n = n;
	t->runs = calloc(n, sizeof(*t->runs));
	t->result = calloc(n, sizeof(*t->result));
	atomic_init(&t->total, 0);
}

static void tally_check(struct tally *t)
{
	size_t i;

	assert_int_equal(atomic_load(&t->total), (int)t->n);
	for (i = 0; i < t->n; i++) {
		assert_int_equal(atomic_load(&t->runs[i]), 1);
		assert_true(t->result[i] == want_result(i));
	}
	free(t->runs);
	free(t->result);
}

static void *second_caller(void *arg)
{
	struct started *s = arg;

	pool_run(s->p, s->t.n, job, &s->t);
	return NULL;
}

static void test_started_range_beside_others(void **state)
{
	struct pool *p = pool_new(2);
	struct started other;
	struct tally early, now;
	struct pool_task *task;
	pthread_t thread;

	(void)state;
	tally_init(&early, 5000);
	tally_init(&now, 3000);
	tally_init(&other.t, 4000);
	other.p = p;
	task = pool_start(p, early.n, early.n, job, &early);
	assert_int_equal(pthread_create(&thread, NULL, second_caller, &other), 0);
	pool_run(p, now.n, job, &now);		/* returns with its own range done */
	assert_int_equal(atomic_load(&now.total), (int)now.n);
	pool_wait(p, task);
	assert_int_equal(pthread_join(thread, NULL), 0);
	tally_check(&early);
	tally_check(&now);
	tally_check(&other.t);
	pool_wait(p, pool_start(p, 0, 0, job, &early));	/* an empty range */
	pool_free(p);
}

/* pool_wait_index: each index of a started range, taken in order as soon as
 * it is finished (run by the caller when no thread has it yet), with its
 * result in place and run exactly once; pool_wait then ends the range. */
static void test_wait_index_in_order(void **state)
{
	size_t threads[] = {1, 2, 4}, sizes[] = {1, 2, 7, 256, 3000}, a, b, i;

	(void)state;
	for (a = 0; a < sizeof(threads) / sizeof(threads[0]); a++)
		for (b = 0; b < sizeof(sizes) / sizeof(sizes[0]); b++) {
			struct pool *p = pool_new((int)threads[a]);
			struct pool_task *task;
			struct tally t;

			tally_init(&t, sizes[b]);
			task = pool_start(p, t.n, t.n, job, &t);
			for (i = 0; i < t.n; i++) {
				pool_wait_index(p, task, i);
				if (atomic_load(&t.runs[i]) != 1 || t.result[i] != want_result(i))
					fail_msg("threads=%zu n=%zu: index %zu not finished when waited for", threads[a], t.n, i);
			}
			pool_wait(p, task);
			tally_check(&t);
			pool_free(p);
		}
}

/* A range whose pool threads may only work ahead of the caller by a window. */
struct windowed {
	struct tally	 t;
	atomic_size_t	 allowed;	/* what the caller has let the pool take */
	atomic_int	 beyond;	/* indexes started at or past it */
};

static void windowed_job(void *arg, size_t i)
{
	struct windowed *w = arg;

	if (i >= atomic_load(&w->allowed))
		atomic_fetch_add(&w->beyond, 1);
	job(&w->t, i);
}

/* pool_start's ahead and pool_ahead: the pool's threads never take an index
 * the caller has not let them have (without the window they run the whole
 * range at once, far past the caller), and every index still runs once. */
static void test_ahead_bounds_the_pool(void **state)
{
	size_t threads[] = {1, 2, 4}, window[] = {1, 2, 5}, a, b, i;

	(void)state;
	for (a = 0; a < sizeof(threads) / sizeof(threads[0]); a++)
		for (b = 0; b < sizeof(window) / sizeof(window[0]); b++) {
			struct pool *p = pool_new((int)threads[a]);
			struct pool_task *task;
			struct windowed w;

			tally_init(&w.t, 3000);
			atomic_init(&w.allowed, window[b]);
			atomic_init(&w.beyond, 0);
			task = pool_start(p, w.t.n, window[b], windowed_job, &w);
			for (i = 0; i < w.t.n; i++) {
				atomic_store(&w.allowed, i + window[b]);	/* before the pool may see it */
				pool_ahead(p, task, i + window[b]);
				pool_wait_index(p, task, i);
			}
			pool_wait(p, task);
			if (atomic_load(&w.beyond) != 0)
				fail_msg("threads=%zu window=%zu: %d indexes taken past the window",
				    threads[a], window[b], atomic_load(&w.beyond));
			tally_check(&w.t);
			pool_free(p);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_started_range_beside_others),
		cmocka_unit_test(test_wait_index_in_order),
		cmocka_unit_test(test_ahead_bounds_the_pool),
		cmocka_unit_test(test_table_every_job_exactly_once),
		cmocka_unit_test(test_empty_range_runs_nothing),
		cmocka_unit_test(test_many_rounds_on_one_pool),
		cmocka_unit_test(test_nonpositive_threads_give_one_worker),
		cmocka_unit_test(test_free_idle_pool),
		cmocka_unit_test(test_executors_run_at_once),
		cmocka_unit_test(test_workers_block_signals_caller_mask_kept),
	};

	return cmocka_run_group_tests_name("pool", tests, NULL, NULL);
}
