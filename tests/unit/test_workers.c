/*
 * Unit tests of daemon/workers.c: real threads, a real libevent loop on the
 * test's own thread. Every wait is bounded (WAIT_S), so a pool that loses
 * or serializes jobs fails a test instead of hanging it.
 */
#include <errno.h>
#include <limits.h>
#include <event2/event.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "workers.h"

#define WAIT_S 10

struct job {
	int id;
	int blocks; /* work() waits for gate_open() */
	int barrier; /* work() waits until `barrier` jobs have reached it */
	/* Written by work(), under sync_lock. */
	int work_runs;
	int work_finished;
	int met; /* reached the barrier together with the others */
	int signals_blocked;
	char thread_name[16];
	pthread_t work_thread;
	/* Written by done(), on the loop thread. */
	int done_runs;
	int cancelled;
	int work_runs_at_done;
	pthread_t done_thread;
	unsigned int pending_at_done;
	int resubmit; /* done() submits the job again */
	int submit_in_done; /* and what workers_submit() answered */
	struct job *release; /* done() opens the gate this job waits at */
	int release_was_running;
	int close_in_done;
};

static struct event_base *base;
static struct workers *pool;
static pthread_t loop_thread;
static int done_total;

/* What work() and the test thread share. */
static pthread_mutex_t sync_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sync_cond = PTHREAD_COND_INITIALIZER;
static int gate_is_open;
static int started, finished, at_barrier;

static struct timespec deadline(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += WAIT_S;
	return ts;
}

/* Under sync_lock: wait until *var >= target, at most WAIT_S. */
static int wait_locked(const int *var, int target)
{
	struct timespec until = deadline();

	while (*var < target)
		if (pthread_cond_timedwait(&sync_cond, &sync_lock, &until) == ETIMEDOUT)
			return *var >= target;
	return 1;
}

static int wait_for(const int *var, int target)
{
	int ok;

	pthread_mutex_lock(&sync_lock);
	ok = wait_locked(var, target);
	pthread_mutex_unlock(&sync_lock);
	return ok;
}

static void gate_open(void)
{
	pthread_mutex_lock(&sync_lock);
	gate_is_open = 1;
	pthread_cond_broadcast(&sync_cond);
	pthread_mutex_unlock(&sync_lock);
}

static void work(void *arg)
{
	struct job *job = arg;
	sigset_t mask;

	pthread_sigmask(SIG_BLOCK, NULL, &mask);
	pthread_mutex_lock(&sync_lock);
	job->work_runs++;
	job->work_thread = pthread_self();
	job->signals_blocked =
		sigismember(&mask, SIGTERM) && sigismember(&mask, SIGHUP) && sigismember(&mask, SIGINT);
	pthread_getname_np(pthread_self(), job->thread_name, sizeof(job->thread_name));
	started++;
	pthread_cond_broadcast(&sync_cond);
	if (job->blocks)
		wait_locked(&gate_is_open, 1);
	if (job->barrier) {
		at_barrier++;
		pthread_cond_broadcast(&sync_cond);
		job->met = wait_locked(&at_barrier, job->barrier);
	}
	job->work_finished = 1;
	finished++;
	pthread_cond_broadcast(&sync_cond);
	pthread_mutex_unlock(&sync_lock);
}

static void done(void *arg, int cancelled)
{
	struct job *job = arg;

	job->done_runs++;
	job->cancelled = cancelled;
	job->done_thread = pthread_self();
	job->pending_at_done = workers_pending(pool);
	pthread_mutex_lock(&sync_lock);
	job->work_runs_at_done = job->work_runs;
	if (job->release)
		job->release_was_running = job->release->work_runs && !job->release->work_finished;
	pthread_mutex_unlock(&sync_lock);
	if (job->resubmit)
		job->submit_in_done = workers_submit(pool, work, done, job);
	if (job->release)
		gate_open();
	if (job->close_in_done)
		workers_close(pool);
	done_total++;
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	*(int *)arg = 1;
}

/* Run the loop until target done() callbacks in all, at most WAIT_S. */
static int run_until_done(int target)
{
	struct timeval tv = { .tv_sec = WAIT_S };
	int timed_out = 0;
	struct event *timer = evtimer_new(base, on_timeout, &timed_out);

	evtimer_add(timer, &tv);
	while (done_total < target && !timed_out)
		event_base_loop(base, EVLOOP_ONCE);
	event_free(timer);
	return done_total >= target;
}

static struct job *jobs_new(int n)
{
	struct job *jobs = calloc(n, sizeof(*jobs));
	int i;

	assert_non_null(jobs);
	for (i = 0; i < n; i++)
		jobs[i].id = i;
	return jobs;
}

static int setup(void **state)
{
	(void)state;
	base = event_base_new();
	pool = NULL;
	loop_thread = pthread_self();
	done_total = 0;
	gate_is_open = 0;
	started = finished = at_barrier = 0;
	return base ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	/* A test that failed early leaves its pool: close it, blocked jobs released. */
	gate_open();
	workers_close(pool);
	event_base_free(base);
	return 0;
}

static int submit(struct job *job)
{
	return workers_submit(pool, work, done, job);
}

static void thousand_jobs_on_four_threads(void **state)
{
	enum { N = 1000 };
	struct job *jobs = jobs_new(N);
	int i;

	(void)state;
	assert_int_equal(workers_open(base, 4, N, &pool), 0);
	for (i = 0; i < N; i++)
		assert_int_equal(submit(&jobs[i]), 0);
	/* done() only ever runs from the loop: nothing delivered yet. */
	assert_int_equal(workers_pending(pool), N);
	assert_true(run_until_done(N));
	assert_int_equal(workers_pending(pool), 0);

	/* Quiet loop turns: nothing delivered twice, nothing late. */
	event_base_loop(base, EVLOOP_NONBLOCK);
	assert_int_equal(done_total, N);
	for (i = 0; i < N; i++) {
		assert_int_equal(jobs[i].work_runs, 1);
		assert_int_equal(jobs[i].done_runs, 1);
		assert_int_equal(jobs[i].cancelled, 0);
		assert_int_equal(jobs[i].work_runs_at_done, 1);
		assert_true(pthread_equal(jobs[i].done_thread, loop_thread));
		assert_false(pthread_equal(jobs[i].work_thread, loop_thread));
	}
	workers_close(pool);
	pool = NULL;
	assert_int_equal(done_total, N);
	free(jobs);
}

/* Four jobs that each wait for all four: only four threads at once finish them. */
static void jobs_run_in_parallel(void **state)
{
	struct job *jobs = jobs_new(4);
	int i;

	(void)state;
	assert_int_equal(workers_open(base, 4, 0, &pool), 0);
	for (i = 0; i < 4; i++) {
		jobs[i].barrier = 4;
		assert_int_equal(submit(&jobs[i]), 0);
	}
	assert_true(run_until_done(4));
	for (i = 0; i < 4; i++) {
		assert_int_equal(jobs[i].met, 1);
		assert_int_equal(jobs[i].done_runs, 1);
	}
	free(jobs);
}

static void full_pool_refuses_with_eagain(void **state)
{
	struct job *jobs = jobs_new(7);
	int i;

	(void)state;
	/* Two threads, three waiting: five jobs, and no more. */
	assert_int_equal(workers_open(base, 2, 3, &pool), 0);
	for (i = 0; i < 5; i++) {
		jobs[i].blocks = 1;
		assert_int_equal(submit(&jobs[i]), 0);
	}
	assert_int_equal(submit(&jobs[5]), -EAGAIN);
	/* Still refused once both threads are surely busy with a blocked job. */
	assert_true(wait_for(&started, 2));
	assert_int_equal(submit(&jobs[5]), -EAGAIN);
	assert_int_equal(workers_pending(pool), 5);

	gate_open();
	assert_true(run_until_done(5));
	for (i = 0; i < 5; i++)
		assert_int_equal(jobs[i].done_runs, 1);
	assert_int_equal(jobs[5].work_runs, 0);
	assert_int_equal(jobs[5].done_runs, 0);

	/* Room again once the results are delivered. */
	assert_int_equal(submit(&jobs[6]), 0);
	assert_true(run_until_done(6));
	assert_int_equal(jobs[6].done_runs, 1);
	assert_int_equal(jobs[5].work_runs, 0);
	free(jobs);
}

static void close_cancels_queued_and_waits_for_running(void **state)
{
	struct job *jobs = jobs_new(4);
	int i;

	(void)state;
	assert_int_equal(workers_open(base, 1, 10, &pool), 0);
	jobs[0].blocks = 1;
	assert_int_equal(submit(&jobs[0]), 0);
	assert_true(wait_for(&started, 1));
	for (i = 1; i < 4; i++)
		assert_int_equal(submit(&jobs[i]), 0);
	assert_int_equal(workers_pending(pool), 4);
	/*
	 * The first cancelled done() releases the running job: close must run
	 * it while job 0 still blocks, then wait for job 0 to finish.
	 */
	jobs[1].release = &jobs[0];
	for (i = 0; i < 4; i++)
		jobs[i].resubmit = 1;

	workers_close(pool);
	pool = NULL;
	assert_int_equal(done_total, 4);
	assert_int_equal(jobs[0].work_runs, 1);
	assert_int_equal(jobs[0].done_runs, 1);
	assert_int_equal(jobs[0].cancelled, 0);
	assert_int_equal(jobs[0].work_runs_at_done, 1);
	for (i = 1; i < 4; i++) {
		assert_int_equal(jobs[i].work_runs, 0);
		assert_int_equal(jobs[i].done_runs, 1);
		assert_int_equal(jobs[i].cancelled, 1);
		assert_true(pthread_equal(jobs[i].done_thread, loop_thread));
		/* Submitting from a done() that close runs is refused. */
		assert_int_equal(jobs[i].submit_in_done, -ESHUTDOWN);
	}
	/* Job 0 was still running when the cancellations were delivered. */
	assert_int_equal(jobs[1].release_was_running, 1);
	assert_int_equal(jobs[1].pending_at_done, 3);
	assert_int_equal(jobs[0].submit_in_done, -ESHUTDOWN);
	free(jobs);
}

static void close_delivers_finished_jobs(void **state)
{
	struct job *jobs = jobs_new(3);
	int i;

	(void)state;
	assert_int_equal(workers_open(base, 2, 1, &pool), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(submit(&jobs[i]), 0);
	/* Finished, not delivered: the loop has not run. */
	assert_true(wait_for(&finished, 3));
	assert_int_equal(workers_pending(pool), 3);
	workers_close(pool);
	pool = NULL;
	for (i = 0; i < 3; i++) {
		assert_int_equal(jobs[i].work_runs, 1);
		assert_int_equal(jobs[i].done_runs, 1);
		assert_int_equal(jobs[i].cancelled, 0);
	}
	free(jobs);
}

static void close_from_done_delivers_the_rest(void **state)
{
	struct job *jobs = jobs_new(3);
	int i;

	(void)state;
	assert_int_equal(workers_open(base, 3, 0, &pool), 0);
	for (i = 0; i < 3; i++) {
		jobs[i].close_in_done = 1;
		assert_int_equal(submit(&jobs[i]), 0);
	}
	/*
	 * All three finished before the loop runs, so (unless a worker is slow
	 * to hand its job over) they come in one batch: the first done()
	 * closes, and the others must still arrive, from within the close.
	 */
	assert_true(wait_for(&finished, 3));
	event_base_loop(base, EVLOOP_ONCE);
	pool = NULL;
	assert_int_equal(done_total, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(jobs[i].done_runs, 1);
		assert_int_equal(jobs[i].cancelled, 0);
	}
	/* The pool's event is gone with it: the loop has nothing left to run. */
	assert_int_equal(event_base_loop(base, EVLOOP_NONBLOCK), 1);
	free(jobs);
}

static void pending_counts_until_done_starts(void **state)
{
	struct job *jobs = jobs_new(3);
	int i;

	(void)state;
	assert_int_equal(workers_open(base, 1, 2, &pool), 0);
	assert_int_equal(workers_pending(pool), 0);
	for (i = 0; i < 3; i++) {
		jobs[i].blocks = 1;
		assert_int_equal(submit(&jobs[i]), 0);
		assert_int_equal(workers_pending(pool), i + 1);
	}
	/* One running, two queued. */
	assert_true(wait_for(&started, 1));
	assert_int_equal(workers_pending(pool), 3);
	/* All finished, none delivered. */
	gate_open();
	assert_true(wait_for(&finished, 3));
	assert_int_equal(workers_pending(pool), 3);
	/* Delivered: each done() sees itself no longer counted. */
	assert_true(run_until_done(3));
	assert_int_equal(workers_pending(pool), 0);
	for (i = 0; i < 3; i++)
		assert_true(jobs[i].pending_at_done < 3);
	assert_int_equal(jobs[0].pending_at_done + jobs[1].pending_at_done + jobs[2].pending_at_done,
			 0 + 1 + 2);
	free(jobs);
}

static void done_may_submit_the_next_job(void **state)
{
	struct job *jobs = jobs_new(1);

	(void)state;
	assert_int_equal(workers_open(base, 1, 0, &pool), 0);
	/* done() resubmits the same job each time: a chain, one at a time. */
	jobs[0].resubmit = 1;
	assert_int_equal(submit(&jobs[0]), 0);
	assert_true(run_until_done(5));
	assert_int_equal(jobs[0].submit_in_done, 0);
	assert_int_equal(workers_pending(pool), 1);
	workers_close(pool);
	pool = NULL;
	/* The last link was delivered by the close, and could not resubmit. */
	assert_int_equal(jobs[0].submit_in_done, -ESHUTDOWN);
	assert_int_equal(jobs[0].done_runs, done_total);
	assert_int_equal(jobs[0].work_runs + jobs[0].cancelled, done_total);
	free(jobs);
}

static void threads_are_named_and_block_signals(void **state)
{
	struct job *jobs = jobs_new(1);
	sigset_t mask;

	(void)state;
	assert_int_equal(workers_open(base, 2, 0, &pool), 0);
	/* The loop thread's own mask is left as it was. */
	pthread_sigmask(SIG_BLOCK, NULL, &mask);
	assert_false(sigismember(&mask, SIGTERM));
	assert_int_equal(submit(&jobs[0]), 0);
	assert_true(run_until_done(1));
	assert_int_equal(jobs[0].signals_blocked, 1);
	assert_string_equal(jobs[0].thread_name, "wicketd-work");
	free(jobs);
}

static void bad_arguments_are_refused(void **state)
{
	struct job *jobs = jobs_new(1);

	(void)state;
	assert_int_equal(workers_open(base, 0, 1, &pool), -EINVAL);
	assert_int_equal(workers_open(base, WORKERS_MAX_THREADS + 1, 1, &pool), -EINVAL);
	assert_int_equal(workers_open(base, 2, UINT_MAX, &pool), -EINVAL);
	pool = NULL;
	assert_int_equal(workers_open(base, 1, 0, &pool), 0);
	assert_int_equal(workers_submit(pool, NULL, done, &jobs[0]), -EINVAL);
	assert_int_equal(workers_submit(pool, work, NULL, &jobs[0]), -EINVAL);
	assert_int_equal(workers_pending(pool), 0);
	workers_close(NULL);
	free(jobs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(thousand_jobs_on_four_threads, setup, teardown),
		cmocka_unit_test_setup_teardown(jobs_run_in_parallel, setup, teardown),
		cmocka_unit_test_setup_teardown(full_pool_refuses_with_eagain, setup, teardown),
		cmocka_unit_test_setup_teardown(close_cancels_queued_and_waits_for_running, setup, teardown),
		cmocka_unit_test_setup_teardown(close_delivers_finished_jobs, setup, teardown),
		cmocka_unit_test_setup_teardown(close_from_done_delivers_the_rest, setup, teardown),
		cmocka_unit_test_setup_teardown(pending_counts_until_done_starts, setup, teardown),
		cmocka_unit_test_setup_teardown(done_may_submit_the_next_job, setup, teardown),
		cmocka_unit_test_setup_teardown(threads_are_named_and_block_signals, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_arguments_are_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
