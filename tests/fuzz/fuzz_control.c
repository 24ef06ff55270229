/*
 * libFuzzer: the control protocol's request side (daemon/control.c), what
 * wicketd does with the bytes a wicketctl (or any staff process) writes
 * on the control socket: on_read() splits them into lines, each line is
 * decoded (JSON, version, command, arguments) and dispatched, and every
 * answer is one JSON line. control.c is #included for its static
 * functions; the connection is a bufferevent without a socket, whose
 * output the harness reads back.
 *
 * Input: the bytes of one connection, in one read. The commands known
 * here: "echo" (answers its args), "fail" (refuses, with the args' "why"
 * as its message, as commands quote what they were given) and "null"
 * (refuses without a message).
 *
 * Checked, besides what ASan and UBSan see: one answer per complete
 * line, each a JSON object {"v": 1, "ok": true, "result": ...} or
 * {"v": 1, "ok": false, "error": "..."}, an echo's result equal to its
 * args; nothing is kept of a connection once it is freed.
 */
#include "control.c"

#include <stdint.h>

static struct event_base *base;
static struct control *ctl;

static json_t *cmd_echo(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			size_t errlen)
{
	(void)peer;
	(void)arg;
	(void)err;
	(void)errlen;
	return json_deep_copy(args);
}

static json_t *cmd_fail(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			size_t errlen)
{
	const char *why = json_string_value(json_object_get(args, "why"));

	(void)peer;
	(void)arg;
	snprintf(err, errlen, "refused: %s", why ? why : "no reason");
	return NULL;
}

static json_t *cmd_null(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			size_t errlen)
{
	(void)args;
	(void)peer;
	(void)arg;
	(void)err;
	(void)errlen;
	return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	base = event_base_new();
	ctl = calloc(1, sizeof(*ctl));
	if (!base || !ctl)
		abort();
	ctl->base = base;
	if (control_register(ctl, "echo", cmd_echo, NULL) || control_register(ctl, "fail", cmd_fail, NULL) ||
	    control_register(ctl, "null", cmd_null, NULL))
		abort();
	return 0;
}

/* The request a line was, for checking its answer: echo's args, or NULL. */
static json_t *echo_args(const char *line)
{
	json_t *req = json_loads(line, JSON_REJECT_DUPLICATES, NULL), *args;
	const char *cmd = json_string_value(json_object_get(req, "cmd"));
	json_t *v = json_object_get(req, "v");

	if (!json_is_object(req) || !json_is_integer(v) || json_integer_value(v) != CONTROL_PROTOCOL ||
	    !cmd || strcmp(cmd, "echo")) {
		json_decref(req);
		return NULL;
	}
	args = json_object_get(req, "args");
	args = args ? json_incref(args) : json_object();
	json_decref(req);
	if (!json_is_object(args)) {
		json_decref(args);
		return NULL;
	}
	return args;
}

/* One answer line against the request line it answers. */
static void check_answer(const char *answer, const char *request)
{
	json_t *a = json_loads(answer, 0, NULL), *want = echo_args(request);
	json_t *ok = json_object_get(a, "ok");

	if (!json_is_object(a) || json_integer_value(json_object_get(a, "v")) != CONTROL_PROTOCOL ||
	    !json_is_boolean(ok))
		abort();
	if (json_is_true(ok)) {
		if (!json_object_get(a, "result") ||
		    (want && !json_equal(json_object_get(a, "result"), want)))
			abort();
	} else {
		if (!json_string_value(json_object_get(a, "error")) || want)
			abort();
	}
	json_decref(want);
	json_decref(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct control_conn *conn = calloc(1, sizeof(*conn));
	struct evbuffer *in, *out;
	const uint8_t *p = data, *end = data + size, *nl;
	char *answer;
	size_t len;

	if (!conn)
		abort();
	conn->ctl = ctl;
	conn->peer = (struct control_peer){ .pid = 1, .uid = 0, .gid = 0 };
	conn->bev = bufferevent_socket_new(base, -1, 0);
	if (!conn->bev)
		abort();
	bufferevent_disable(conn->bev, EV_READ | EV_WRITE);
	/* What the bufferevent would have read from its socket (only it may add there: its end is frozen). */
	in = bufferevent_get_input(conn->bev);
	if (evbuffer_unfreeze(in, 0) || evbuffer_add(in, data, size) || evbuffer_freeze(in, 0))
		abort();
	on_read(conn->bev, conn);

	/* Every complete line (no request here is too large) has its answer, in order. */
	out = bufferevent_get_output(conn->bev);
	if (evbuffer_unfreeze(out, 1)) /* only the socket may take from it: the harness is the socket */
		abort();
	while ((nl = memchr(p, '\n', (size_t)(end - p)))) {
		char *request = strndup((const char *)p, (size_t)(nl - p));

		answer = evbuffer_readln(out, &len, EVBUFFER_EOL_LF);
		if (!request || !answer)
			abort();
		check_answer(answer, request);
		free(answer);
		free(request);
		p = nl + 1;
	}
	if (evbuffer_get_length(out) != 0 || conn->closing)
		abort();
	conn_free(conn);
	/* A bufferevent is finalized by the loop, as wicketd's loop does after each callback. */
	event_base_loop(base, EVLOOP_NONBLOCK);
	return 0;
}
