/*
 * The worker pool (see workers.h for what it is for and its rules).
 *
 * A job moves through three lists: queue (submitted, under lock) ->
 * a worker thread (running) -> finished (under lock) -> delivering (loop
 * thread only) -> done(). A worker that puts a job on an empty finished
 * list writes the eventfd; the loop's read event takes the whole list at
 * once and runs the done() callbacks. libevent itself is only ever called
 * from the loop thread, so it needs no locking (no evthread).
 */
#include "workers.h"

#include <errno.h>
#include <event2/event.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define WORKERS_THREAD_NAME "wicketd-work"

struct workers_job {
	struct workers_job *next;
	workers_work_fn work;
	workers_done_fn done;
	void *arg;
};

/* FIFO: tail points at the last next pointer (or at head when empty). */
struct job_list {
	struct workers_job *head;
	struct workers_job **tail;
};

struct workers {
	/* Shared with the worker threads, under lock. */
	pthread_mutex_t lock;
	pthread_cond_t wake; /* a job was queued, or the pool is stopping */
	struct job_list queue;
	struct job_list finished;
	int stopping;

	/* Set by workers_open(), read-only afterwards. */
	int efd;
	unsigned int nthreads;
	unsigned int limit; /* nthreads + max_queued */

	/* The loop thread's alone: no lock. */
	struct event *ev;
	struct workers_job *delivering; /* the batch on_finished() is delivering */
	unsigned int pending;
	int closed;
	int in_callback;
	int free_deferred; /* closed from a done(): on_finished() frees */
	pthread_t threads[];
};

static void list_init(struct job_list *l)
{
	l->head = NULL;
	l->tail = &l->head;
}

static void list_push(struct job_list *l, struct workers_job *job)
{
	job->next = NULL;
	*l->tail = job;
	l->tail = &job->next;
}

static struct workers_job *list_pop(struct job_list *l)
{
	struct workers_job *job = l->head;

	if (job) {
		l->head = job->next;
		if (!l->head)
			l->tail = &l->head;
	}
	return job;
}

/* The whole list, leaving it empty. */
static struct workers_job *list_take(struct job_list *l)
{
	struct workers_job *head = l->head;

	list_init(l);
	return head;
}

/*
 * On the loop thread. The job is freed before done() so that a done() that
 * closes the pool leaves nothing of ours behind to touch.
 */
static void deliver(struct workers *w, struct workers_job *job, int cancelled)
{
	workers_done_fn done = job->done;
	void *arg = job->arg;

	free(job);
	w->pending--;
	done(arg, cancelled);
}

static void deliver_all(struct workers *w, struct workers_job **list, int cancelled)
{
	struct workers_job *job;

	while ((job = *list)) {
		*list = job->next;
		deliver(w, job, cancelled);
	}
}

static void wake_loop(struct workers *w)
{
	uint64_t one = 1;

	/* Fails only on a counter at 2^64 - 2, which a reader resets long before. */
	while (write(w->efd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

static void *worker_main(void *arg)
{
	struct workers *w = arg;
	struct workers_job *job;
	int was_empty;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->queue.head && !w->stopping)
			pthread_cond_wait(&w->wake, &w->lock);
		/* Stopping: workers_close() has taken the queue, so this is the end. */
		job = list_pop(&w->queue);
		if (!job)
			break;
		pthread_mutex_unlock(&w->lock);

		job->work(job->arg);

		pthread_mutex_lock(&w->lock);
		was_empty = !w->finished.head;
		list_push(&w->finished, job);
		/* A non-empty list has a wakeup on its way already (see on_finished). */
		if (was_empty) {
			pthread_mutex_unlock(&w->lock);
			wake_loop(w);
			pthread_mutex_lock(&w->lock);
		}
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* The eventfd is readable: jobs finished. On the loop thread. */
static void on_finished(evutil_socket_t fd, short what, void *arg)
{
	struct workers *w = arg;
	uint64_t count;
	ssize_t n;

	(void)what;
	/*
	 * Reset the eventfd before taking the list: a job pushed after the take
	 * finds the list empty and writes again, so it is never left behind.
	 * EAGAIN (a wakeup whose jobs an earlier batch took) is harmless.
	 */
	n = read(fd, &count, sizeof(count));
	(void)n;

	/*
	 * One batch per callback, taken at once: workers finishing jobs as fast
	 * as done() runs can not keep the loop in here, away from its other
	 * events.
	 */
	pthread_mutex_lock(&w->lock);
	w->delivering = list_take(&w->finished);
	pthread_mutex_unlock(&w->lock);

	w->in_callback = 1;
	while (w->delivering) {
		struct workers_job *job = w->delivering;

		w->delivering = job->next;
		deliver(w, job, 0);
		if (w->free_deferred) {
			/* A done() closed the pool, and delivered the rest of the batch. */
			free(w);
			return;
		}
	}
	w->in_callback = 0;
}

static void stop_threads(struct workers *w, unsigned int nstarted)
{
	unsigned int i;

	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	pthread_cond_broadcast(&w->wake);
	pthread_mutex_unlock(&w->lock);
	for (i = 0; i < nstarted; i++)
		pthread_join(w->threads[i], NULL);
}

/*
 * Threads inherit their creator's signal mask: block every asynchronous
 * signal around pthread_create(), so the kernel delivers SIGTERM and the
 * others to the loop thread. Signals a fault raises (SIGSEGV and the like)
 * stay unblocked: blocking them is undefined, and they must kill us.
 */
static int start_threads(struct workers *w)
{
	static const int synchronous[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT };
	sigset_t all, old;
	unsigned int i;
	size_t s;
	int err = 0;

	sigfillset(&all);
	for (s = 0; s < sizeof(synchronous) / sizeof(synchronous[0]); s++)
		sigdelset(&all, synchronous[s]);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < w->nthreads; i++) {
		err = pthread_create(&w->threads[i], NULL, worker_main, w);
		if (err)
			break;
		/* Only for ps, top and gdb: a failure changes nothing else. */
		pthread_setname_np(w->threads[i], WORKERS_THREAD_NAME);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		stop_threads(w, i);
		return -err;
	}
	return 0;
}

int workers_open(struct event_base *base, unsigned int nthreads, unsigned int max_queued,
		 struct workers **out)
{
	struct workers *w;
	int err;

	if (nthreads == 0 || nthreads > WORKERS_MAX_THREADS || max_queued > UINT_MAX - nthreads)
		return -EINVAL;
	w = calloc(1, sizeof(*w) + nthreads * sizeof(w->threads[0]));
	if (!w)
		return -ENOMEM;
	w->nthreads = nthreads;
	w->limit = nthreads + max_queued;
	list_init(&w->queue);
	list_init(&w->finished);

	err = -pthread_mutex_init(&w->lock, NULL);
	if (err)
		goto err_free;
	err = -pthread_cond_init(&w->wake, NULL);
	if (err)
		goto err_mutex;
	w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->efd < 0) {
		err = -errno;
		goto err_cond;
	}
	w->ev = event_new(base, w->efd, EV_READ | EV_PERSIST, on_finished, w);
	if (!w->ev) {
		err = -ENOMEM;
		goto err_efd;
	}
	if (event_add(w->ev, NULL) != 0) {
		err = -EIO;
		goto err_event;
	}
	err = start_threads(w);
	if (err)
		goto err_event;
	*out = w;
	return 0;

err_event:
	event_free(w->ev);
err_efd:
	close(w->efd);
err_cond:
	pthread_cond_destroy(&w->wake);
err_mutex:
	pthread_mutex_destroy(&w->lock);
err_free:
	free(w);
	return err;
}

int workers_submit(struct workers *w, workers_work_fn work, workers_done_fn done, void *arg)
{
	struct workers_job *job;

	if (!work || !done)
		return -EINVAL;
	if (w->closed)
		return -ESHUTDOWN;
	/* pending is the loop thread's own count: no lock to say no. */
	if (w->pending >= w->limit)
		return -EAGAIN;
	job = malloc(sizeof(*job));
	if (!job)
		return -ENOMEM;
	job->work = work;
	job->done = done;
	job->arg = arg;

	pthread_mutex_lock(&w->lock);
	list_push(&w->queue, job);
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	w->pending++;
	return 0;
}

void workers_close(struct workers *w)
{
	struct workers_job *cancelled;

	/* closed also makes a second call from a done() this one runs a no-op. */
	if (!w || w->closed)
		return;
	w->closed = 1;

	/*
	 * Take the queue before a thread can start another job, and tell them
	 * to stop; the cancelled jobs' done() runs now, while the running jobs
	 * finish in parallel.
	 */
	pthread_mutex_lock(&w->lock);
	cancelled = list_take(&w->queue);
	w->stopping = 1;
	pthread_cond_broadcast(&w->wake);
	pthread_mutex_unlock(&w->lock);
	deliver_all(w, &cancelled, 1);

	stop_threads(w, w->nthreads);
	event_free(w->ev);
	close(w->efd);

	/*
	 * Single-threaded from here on: the rest of a batch being delivered
	 * (closed from its done()), then whatever finished since.
	 */
	deliver_all(w, &w->delivering, 0);
	w->delivering = list_take(&w->finished);
	deliver_all(w, &w->delivering, 0);

	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	if (w->in_callback)
		w->free_deferred = 1;
	else
		free(w);
}

unsigned int workers_pending(const struct workers *w)
{
	return w->pending;
}
