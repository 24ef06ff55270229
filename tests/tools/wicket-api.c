/*
 * wicket-api: the client API requests of many simulated guests from one
 * process, for the soak test (tests/kernel/soak.sh). Each guest is a
 * macvlan of its own. In a TCG guest a curl process costs more than the
 * gateway's answer: its start, its TLS library's, and a full handshake
 * for every request, since each binds another interface and no
 * connection can be reused. One process keeps libcurl loaded, resumes
 * the portal's TLS sessions for every guest (a CURLSH shares them) and
 * runs the requests side by side. It is told what to do one line at a
 * time on stdin:
 *
 *   ID IFNAME PATH JSON [TOKEN]   a request from the device IFNAME to
 *                                 BASE PATH: a POST of JSON (no spaces in
 *                                 it) as application/json, or a GET for
 *                                 "-"; TOKEN goes as "Authorization:
 *                                 Bearer TOKEN"
 *   sync                          answered "sync" once every request read
 *                                 before it is answered
 *
 * and answers each request with one line on stdout, as they finish:
 *
 *   ID STATUS BODY                STATUS the HTTP status and BODY the
 *                                 answer (control characters as spaces);
 *                                 STATUS 0 when none came, BODY then why
 *
 *   usage: wicket-api [-k | -c CAFILE] [-p PARALLEL] [-t SECONDS] [-v] BASE
 *
 * -k takes any certificate, -c checks the portal's against CAFILE (its
 * own certificate will do); -p caps the connections at once (16), -t
 * each request's time (30 s); -v puts each request's times on stderr
 * ("ID connect=MS tls=MS answer=MS total=MS", from the request's start).
 * Every request has a connection of its own, closed after it: the
 * gateway must see the guest's MAC and address of the moment, and a
 * slot's interface is soon another guest's. At the end of input, once
 * every request is answered, one line on stderr counts them; exit 0
 * when each got an HTTP answer and every line was understood, 1
 * otherwise, 2 on bad usage.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ANSWER 65536

struct opts {
	const char *base, *cafile;
	int insecure, verbose;
	long parallel, timeout;
};

struct totals {
	unsigned long requests, answered, unanswered, bad_lines;
};

/* One request in flight: its ID, its answer so far, what libcurl keeps for it. */
struct req {
	CURL *easy;
	struct curl_slist *headers;
	char *id;
	char *body;
	size_t len;
	size_t epoch;
	char err[CURL_ERROR_SIZE];
};

/* Requests still open per epoch (the syncs read before them); syncs answered. */
static unsigned long *open_in;
static size_t epochs, synced;

static size_t collect(char *data, size_t size, size_t n, void *arg)
{
	struct req *r = arg;
	size_t len = size * n;
	char *more;

	if (r->len + len > MAX_ANSWER) {
		snprintf(r->err, sizeof(r->err), "answer longer than %d bytes", MAX_ANSWER);
		return 0;
	}
	more = realloc(r->body, r->len + len + 1);
	if (!more)
		return 0;
	r->body = more;
	memcpy(r->body + r->len, data, len);
	r->len += len;
	r->body[r->len] = 0;
	return len;
}

static void free_req(struct req *r)
{
	curl_easy_cleanup(r->easy);
	curl_slist_free_all(r->headers);
	free(r->id);
	free(r->body);
	free(r);
}

static int add_header(struct req *r, const char *header)
{
	struct curl_slist *more = curl_slist_append(r->headers, header);

	if (!more)
		return -1;
	r->headers = more;
	return 0;
}

/* A request of the words of a line into the multi handle; 0, or -1 with why in err. */
static int add_request(CURLM *multi, CURLSH *share, const struct opts *o, char **w, int nw, char *err,
		       size_t errlen)
{
	char *url = NULL, iface[IF_NAMESIZE + 3], auth[1024];
	struct req *r = calloc(1, sizeof(*r));
	int ok;

	if (!r || !(r->id = strdup(w[0])) || !(r->easy = curl_easy_init()) ||
	    !(url = malloc(strlen(o->base) + strlen(w[2]) + 1))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	strcat(strcpy(url, o->base), w[2]);
	snprintf(iface, sizeof(iface), "if!%s", w[1]);
	if (nw == 5 &&
	    (size_t)snprintf(auth, sizeof(auth), "Authorization: Bearer %s", w[4]) >= sizeof(auth)) {
		snprintf(err, errlen, "TOKEN too long");
		goto fail;
	}
	ok = (!strcmp(w[3], "-") || !add_header(r, "Content-Type: application/json")) &&
	     (nw < 5 || !add_header(r, auth)) && curl_easy_setopt(r->easy, CURLOPT_URL, url) == CURLE_OK &&
	     curl_easy_setopt(r->easy, CURLOPT_INTERFACE, iface) == CURLE_OK &&
	     curl_easy_setopt(r->easy, CURLOPT_SHARE, share) == CURLE_OK &&
	     curl_easy_setopt(r->easy, CURLOPT_FORBID_REUSE, 1L) == CURLE_OK &&
	     curl_easy_setopt(r->easy, CURLOPT_NOPROXY, "*") == CURLE_OK &&
	     curl_easy_setopt(r->easy, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
	     curl_easy_setopt(r->easy, CURLOPT_TIMEOUT, o->timeout) == CURLE_OK &&
	     curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, r->headers) == CURLE_OK &&
	     curl_easy_setopt(r->easy, CURLOPT_ERRORBUFFER, r->err) == CURLE_OK &&
	     curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, collect) == CURLE_OK &&
	     curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, r) == CURLE_OK &&
	     curl_easy_setopt(r->easy, CURLOPT_PRIVATE, r) == CURLE_OK &&
	     (!strcmp(w[3], "-") || curl_easy_setopt(r->easy, CURLOPT_COPYPOSTFIELDS, w[3]) == CURLE_OK) &&
	     (o->insecure ? curl_easy_setopt(r->easy, CURLOPT_SSL_VERIFYPEER, 0L) == CURLE_OK &&
				    curl_easy_setopt(r->easy, CURLOPT_SSL_VERIFYHOST, 0L) == CURLE_OK
			  : curl_easy_setopt(r->easy, CURLOPT_CAINFO, o->cafile) == CURLE_OK) &&
	     curl_multi_add_handle(multi, r->easy) == CURLM_OK;
	if (!ok) {
		snprintf(err, errlen, "libcurl refused the request");
		goto fail;
	}
	free(url);
	r->epoch = epochs;
	open_in[epochs]++;
	return 0;
fail:
	free(url);
	if (r)
		free_req(r);
	return -1;
}

/* The answer line of a finished request; it leaves the multi handle. */
static void answer(CURLM *multi, CURLMsg *msg, const struct opts *o, struct totals *t)
{
	struct req *r;
	long status = 0;
	void *p;

	curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &p);
	r = p;
	if (msg->data.result == CURLE_OK)
		curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
	if (status) {
		for (size_t i = 0; i < r->len; i++)
			if ((unsigned char)r->body[i] < ' ' || r->body[i] == 0x7f)
				r->body[i] = ' ';
		printf("%s %ld %s\n", r->id, status, r->body ? r->body : "");
		t->answered++;
	} else {
		printf("%s 0 %s\n", r->id, r->err[0] ? r->err : curl_easy_strerror(msg->data.result));
		t->unanswered++;
	}
	if (o->verbose) {
		curl_off_t c = 0, s = 0, a = 0, all = 0;

		curl_easy_getinfo(r->easy, CURLINFO_CONNECT_TIME_T, &c);
		curl_easy_getinfo(r->easy, CURLINFO_APPCONNECT_TIME_T, &s);
		curl_easy_getinfo(r->easy, CURLINFO_STARTTRANSFER_TIME_T, &a);
		curl_easy_getinfo(r->easy, CURLINFO_TOTAL_TIME_T, &all);
		fprintf(stderr, "%s connect=%ld tls=%ld answer=%ld total=%ld\n", r->id, (long)(c / 1000),
			(long)(s / 1000), (long)(a / 1000), (long)(all / 1000));
	}
	open_in[r->epoch]--;
	curl_multi_remove_handle(multi, r->easy);
	free_req(r);
}

/* One line of input; 0, or -1 with an answer that says why. */
static int do_line(char *line, unsigned long n, CURLM *multi, CURLSH *share, const struct opts *o,
		   struct totals *t)
{
	char *w[6] = { NULL }, *save = NULL, err[128];
	int nw = 0;

	for (char *tok = strtok_r(line, " \t\r", &save); tok && nw < 6; tok = strtok_r(NULL, " \t\r", &save))
		w[nw++] = tok;
	if (nw == 0)
		return 0;
	if (nw == 1 && !strcmp(w[0], "sync")) {
		unsigned long *more = realloc(open_in, (epochs + 2) * sizeof(*open_in));

		if (!more) {
			fprintf(stderr, "wicket-api: line %lu: out of memory\n", n);
			return -1;
		}
		open_in = more;
		open_in[++epochs] = 0;
		return 0;
	}
	if (nw < 4 || nw > 5 || strlen(w[1]) >= IF_NAMESIZE) {
		printf("%s 0 line %lu: not 'ID IFNAME PATH JSON [TOKEN]' or 'sync'\n", w[0], n);
		return -1;
	}
	if (add_request(multi, share, o, w, nw, err, sizeof(err))) {
		printf("%s 0 line %lu: %s\n", w[0], n, err);
		return -1;
	}
	t->requests++;
	return 0;
}

/* The syncs whose requests are all answered, in their order. */
static void answer_syncs(void)
{
	while (synced < epochs && !open_in[synced]) {
		puts("sync");
		synced++;
	}
}

/* Lines from stdin as far as they came (non-blocking); 1 at its end. */
static int read_input(CURLM *multi, CURLSH *share, const struct opts *o, struct totals *t)
{
	static char buf[16384];
	static size_t len;
	static unsigned long n;
	ssize_t got;
	char *start = buf, *nl;

	got = read(STDIN_FILENO, buf + len, sizeof(buf) - 1 - len);
	if (got < 0)
		return errno != EAGAIN && errno != EINTR;
	len += (size_t)got;
	/* At the end of input, a last line without its newline counts too. */
	if (got == 0 && len)
		buf[len++] = '\n';
	while ((nl = memchr(start, '\n', len - (size_t)(start - buf)))) {
		*nl = 0;
		if (do_line(start, ++n, multi, share, o, t))
			t->bad_lines++;
		start = nl + 1;
	}
	len -= (size_t)(start - buf);
	memmove(buf, start, len);
	if (len == sizeof(buf) - 1) {
		fprintf(stderr, "wicket-api: line %lu: too long\n", n + 1);
		t->bad_lines++;
		len = 0;
	}
	return got == 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: wicket-api [-k | -c CAFILE] [-p PARALLEL] [-t SECONDS] [-v] BASE\n");
	return 2;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longs[] = {
		{ "insecure", no_argument, NULL, 'k' },       { "cacert", required_argument, NULL, 'c' },
		{ "parallel", required_argument, NULL, 'p' }, { "timeout", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },        { NULL, 0, NULL, 0 }
	};
	char *end;
	int c;

	*o = (struct opts){ .parallel = 16, .timeout = 30 };
	while ((c = getopt_long(argc, argv, "kc:p:t:v", longs, NULL)) != -1) {
		switch (c) {
		case 'k':
			o->insecure = 1;
			break;
		case 'c':
			o->cafile = optarg;
			break;
		case 'p':
		case 't':
			errno = 0;
			*(c == 'p' ? &o->parallel : &o->timeout) = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || (c == 'p' ? o->parallel : o->timeout) < 1 ||
			    (c == 'p' ? o->parallel : o->timeout) > 3600)
				return -1;
			break;
		case 'v':
			o->verbose = 1;
			break;
		default:
			return -1;
		}
	}
	if (optind != argc - 1 || !o->insecure == !o->cafile)
		return -1;
	o->base = argv[optind];
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct totals t = { 0 };
	CURLM *multi;
	CURLSH *share;
	CURLMsg *msg;
	int running = 0, eof = 0, left;

	if (parse_opts(argc, argv, &o))
		return usage();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) || !(multi = curl_multi_init()) ||
	    !(share = curl_share_init()) || !(open_in = calloc(1, sizeof(*open_in))) ||
	    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK ||
	    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) != CURLSHE_OK ||
	    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, o.parallel) != CURLM_OK ||
	    fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK) < 0) {
		fprintf(stderr, "wicket-api: libcurl or stdin could not be set up\n");
		return 1;
	}
	/* Until the input ends and every request has its answer. */
	while (!eof || running || synced < epochs) {
		struct curl_waitfd in = { .fd = STDIN_FILENO, .events = CURL_WAIT_POLLIN };

		fflush(stdout);
		if (curl_multi_poll(multi, eof ? NULL : &in, eof ? 0 : 1, 1000, NULL) != CURLM_OK)
			break;
		if (!eof)
			eof = read_input(multi, share, &o, &t);
		if (curl_multi_perform(multi, &running) != CURLM_OK)
			break;
		while ((msg = curl_multi_info_read(multi, &left)))
			if (msg->msg == CURLMSG_DONE)
				answer(multi, msg, &o, &t);
		answer_syncs();
	}
	fflush(stdout);
	fprintf(stderr, "wicket-api: %lu requests: %lu answered, %lu unanswered; %lu bad lines\n", t.requests,
		t.answered, t.unanswered, t.bad_lines);
	curl_multi_cleanup(multi);
	curl_share_cleanup(share);
	curl_global_cleanup();
	free(open_in);
	return t.answered == t.requests && !t.bad_lines && !running ? 0 : 1;
}
