/*
 * The worker pool: where wicketd does the work that blocks (RADIUS requests
 * through radcli, payment processors over libcurl, SQLite backups), so that
 * the one libevent loop never waits on a remote server or a disk.
 *
 * A job is two functions and an argument:
 *
 *   work(arg)            runs on a worker thread, at most once;
 *   done(arg, cancelled) runs afterwards on the loop thread, exactly once.
 *
 * Threading rules
 *   - Gateway state (sessions, the store's connection, the kernel and
 *     firewall handles, config, anything reachable from struct gateway) is
 *     touched only from the loop thread. work() must not touch it: give it
 *     copies in arg (request fields in, answer fields out) and apply the
 *     answer in done(), which may touch anything.
 *   - work() must bound its own blocking (radcli and curl timeouts):
 *     workers_close() waits for the running ones, and there is no way to
 *     interrupt a thread that never returns.
 *   - Every workers_*() call is made from the loop thread, done() callbacks
 *     included (a done() may submit the next job of a chain). Never from
 *     work().
 *   - done() runs in no particular order relative to submission: jobs run
 *     in parallel and finish when they finish. A caller that needs an
 *     order chains its jobs.
 *   - Worker threads block the asynchronous signals, so SIGTERM, SIGHUP
 *     and SIGINT reach the loop thread (libevent's signal events), and a
 *     slow read in work() is never cut short by EINTR.
 *   - No fork() after workers_open() other than to exec: the child would
 *     inherit a pool whose threads do not exist.
 *
 * Back-pressure: the pool holds at most nthreads + max_queued jobs, queued,
 * running, or finished but not yet delivered. Past that, workers_submit()
 * says -EAGAIN at once, and the caller tells the guest to retry, rather
 * than letting a queue of guests' requests grow without end.
 */
#ifndef WICKET_WORKERS_H
#define WICKET_WORKERS_H

/* A pool with more threads than this is a configuration mistake. */
#define WORKERS_MAX_THREADS 64

struct event_base;
struct workers;

typedef void (*workers_work_fn)(void *arg);
/*
 * cancelled = 1: the pool closed before work() started, and work() will
 * never run for this job. done() still runs, so arg is always released.
 */
typedef void (*workers_done_fn)(void *arg, int cancelled);

/*
 * Start nthreads threads (1..WORKERS_MAX_THREADS); results come back to
 * base's loop (an eventfd watched by a persistent read event). 0, or -errno.
 */
int workers_open(struct event_base *base, unsigned int nthreads, unsigned int max_queued,
		 struct workers **out);

/*
 * Queue a job. 0: done() will run exactly once, on the loop thread (at the
 * latest within workers_close()). Otherwise neither work() nor done() ever
 * runs for it:
 *   -EAGAIN     the pool is full (see back-pressure above): retry later
 *   -ESHUTDOWN  workers_close() has started (a done() it runs submitting)
 *   -EINVAL     work or done is NULL
 *   -ENOMEM
 */
int workers_submit(struct workers *w, workers_work_fn work, workers_done_fn done, void *arg);

/*
 * Stop: refuse new jobs; run done(arg, 1) for every job still queued,
 * without running its work(); wait for the running ones; run done(arg, 0)
 * for every job that ran; join the threads; free the pool. When it returns,
 * every accepted job's done() has run exactly once, so free what done()
 * touches only after this. May be called from within a done() (the rest
 * of that batch is delivered before it returns). NULL is ignored.
 */
void workers_close(struct workers *w);

/*
 * Jobs accepted whose done() has not started yet: queued + running +
 * finished but not yet delivered. For status and metrics; it is the number
 * that workers_submit() compares with nthreads + max_queued.
 */
unsigned int workers_pending(const struct workers *w);

#endif
