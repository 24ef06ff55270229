/*
 * The control socket, both ends: wicketd's listener on its libevent loop,
 * and control_call() for wicketctl. The protocol is in control.h.
 */
#include "control.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define CONTROL_MAX_COMMANDS 64
#define CONTROL_MAX_GROUPS 256

struct control_cmd {
	char name[32];
	control_fn fn;
	void *arg;
};

struct control {
	struct event_base *base;
	struct evconnlistener *listener;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	gid_t staff_gid;
	struct control_cmd cmds[CONTROL_MAX_COMMANDS];
	size_t ncmds;
};

struct control_conn {
	struct control *ctl;
	struct bufferevent *bev;
	struct control_peer peer;
	int closing; /* free once the last answer is written */
};

static void send_line(struct control_conn *conn, json_t *answer)
{
	char *text = json_dumps(answer, JSON_COMPACT);

	if (text) {
		bufferevent_write(conn->bev, text, strlen(text));
		bufferevent_write(conn->bev, "\n", 1);
		free(text);
	}
	json_decref(answer);
}

static void send_error(struct control_conn *conn, const char *error)
{
	json_t *answer = json_pack("{s:i, s:b, s:s}", "v", CONTROL_PROTOCOL, "ok", 0, "error", error);
	char ascii[512];
	size_t i;

	if (!answer) {
		/*
		 * Not UTF-8: a message that quotes the request cut in the middle
		 * of a character (jansson's own do). Its other bytes as '?',
		 * rather than no answer at all.
		 */
		for (i = 0; error[i] && i < sizeof(ascii) - 1; i++)
			ascii[i] = (unsigned char)error[i] < 0x80 ? error[i] : '?';
		ascii[i] = '\0';
		answer = json_pack("{s:i, s:b, s:s}", "v", CONTROL_PROTOCOL, "ok", 0, "error", ascii);
	}
	send_line(conn, answer);
}

static void conn_free(struct control_conn *conn)
{
	bufferevent_free(conn->bev);
	free(conn);
}

static const struct control_cmd *find_cmd(const struct control *ctl, const char *name)
{
	for (size_t i = 0; i < ctl->ncmds; i++)
		if (strcmp(ctl->cmds[i].name, name) == 0)
			return &ctl->cmds[i];
	return NULL;
}

static void handle_request(struct control_conn *conn, const char *line)
{
	const struct control_cmd *cmd = NULL;
	json_t *req, *args, *result;
	json_error_t jerr;
	char err[512] = "";
	const char *name;
	json_int_t v;

	req = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
	if (!req || !json_is_object(req)) {
		snprintf(err, sizeof(err), "malformed request: %s", req ? "not a JSON object" : jerr.text);
		json_decref(req);
		send_error(conn, err);
		return;
	}
	v = json_integer_value(json_object_get(req, "v"));
	name = json_string_value(json_object_get(req, "cmd"));
	args = json_object_get(req, "args");
	if (v != CONTROL_PROTOCOL) {
		snprintf(err, sizeof(err),
			 "control protocol %lld is not spoken here (wicketd speaks %d): use the wicketctl "
			 "that "
			 "came with this wicketd",
			 (long long)v, CONTROL_PROTOCOL);
	} else if (!name) {
		snprintf(err, sizeof(err), "malformed request: no \"cmd\" string");
	} else if (args && !json_is_object(args)) {
		snprintf(err, sizeof(err), "malformed request: \"args\" is not an object");
	} else if (!(cmd = find_cmd(conn->ctl, name))) {
		snprintf(err, sizeof(err), "unknown command \"%.64s\"", name);
	}
	if (err[0]) {
		json_decref(req);
		send_error(conn, err);
		return;
	}

	args = args ? json_incref(args) : json_object();
	result = cmd->fn(args, &conn->peer, cmd->arg, err, sizeof(err));
	json_decref(args);
	json_decref(req);
	if (!result) {
		send_error(conn, err[0] ? err : "the command failed");
		return;
	}
	send_line(conn, json_pack("{s:i, s:b, s:o}", "v", CONTROL_PROTOCOL, "ok", 1, "result", result));
}

static void on_read(struct bufferevent *bev, void *arg)
{
	struct control_conn *conn = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len;
	char *line;

	if (conn->closing)
		return;
	while ((line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF))) {
		if (len > CONTROL_MAX_REQUEST) {
			free(line);
			break;
		}
		handle_request(conn, line);
		free(line);
	}
	if (line || evbuffer_get_length(in) > CONTROL_MAX_REQUEST) {
		/* Too long to be a request: say so and hang up. */
		send_error(conn, "request too large");
		evbuffer_drain(in, evbuffer_get_length(in));
		conn->closing = 1;
	}
}

static void on_write(struct bufferevent *bev, void *arg)
{
	struct control_conn *conn = arg;

	if (conn->closing && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		conn_free(conn);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		conn_free(arg);
}

/* Root, the staff group as primary group, or as a supplementary one. */
static int peer_is_staff(int fd, const struct control_peer *peer, gid_t staff)
{
	gid_t groups[CONTROL_MAX_GROUPS];
	socklen_t len = sizeof(groups);

	if (peer->uid == 0 || peer->gid == staff)
		return 1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) != 0)
		return 0;
	for (size_t i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == staff)
			return 1;
	return 0;
}

static void on_accept(struct evconnlistener *listener, evutil_socket_t fd, struct sockaddr *sa, int salen,
		      void *arg)
{
	struct control *ctl = arg;
	struct control_conn *conn;
	struct ucred cred;
	socklen_t len = sizeof(cred);

	(void)listener;
	(void)sa;
	(void)salen;
	conn = calloc(1, sizeof(*conn));
	if (!conn || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
		free(conn);
		close(fd);
		return;
	}
	conn->ctl = ctl;
	conn->peer = (struct control_peer){ .pid = cred.pid, .uid = cred.uid, .gid = cred.gid };
	conn->bev = bufferevent_socket_new(ctl->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!conn->bev) {
		free(conn);
		close(fd);
		return;
	}
	bufferevent_setcb(conn->bev, on_read, on_write, on_event, conn);
	if (!peer_is_staff(fd, &conn->peer, ctl->staff_gid)) {
		send_error(conn, "permission denied: wicketctl needs root or the staff group of wicketd");
		conn->closing = 1;
		bufferevent_enable(conn->bev, EV_WRITE);
		return;
	}
	bufferevent_setwatermark(conn->bev, EV_READ, 0, CONTROL_MAX_REQUEST + 2);
	bufferevent_enable(conn->bev, EV_READ | EV_WRITE);
}

int control_open(struct event_base *base, const char *path, gid_t staff_gid, struct control **out)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct control *ctl;
	struct stat st;
	int fd, err;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	ctl = calloc(1, sizeof(*ctl));
	if (!ctl)
		return -ENOMEM;
	ctl->base = base;
	ctl->staff_gid = staff_gid;
	snprintf(ctl->path, sizeof(ctl->path), "%s", path);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);

	/* A socket left by a wicketd that died: replace it, nothing else. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			free(ctl);
			return -EEXIST;
		}
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 || chmod(path, 0660) != 0 ||
	    (staff_gid != (gid_t)-1 && chown(path, (uid_t)-1, staff_gid) != 0) || listen(fd, 32) != 0)
		goto err;
	ctl->listener = evconnlistener_new(base, on_accept, ctl, LEV_OPT_CLOSE_ON_FREE, -1, fd);
	if (!ctl->listener)
		goto err;
	*out = ctl;
	return 0;
err:
	err = errno ? -errno : -EIO;
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	free(ctl);
	return err;
}

void control_close(struct control *ctl)
{
	if (!ctl)
		return;
	evconnlistener_free(ctl->listener);
	unlink(ctl->path);
	free(ctl);
}

int control_register(struct control *ctl, const char *cmd, control_fn fn, void *arg)
{
	if (ctl->ncmds == CONTROL_MAX_COMMANDS || strlen(cmd) >= sizeof(ctl->cmds[0].name) ||
	    find_cmd(ctl, cmd))
		return -EINVAL;
	snprintf(ctl->cmds[ctl->ncmds].name, sizeof(ctl->cmds[0].name), "%s", cmd);
	ctl->cmds[ctl->ncmds].fn = fn;
	ctl->cmds[ctl->ncmds].arg = arg;
	ctl->ncmds++;
	return 0;
}

/* --- the client side */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read one line (the answer) into a malloc'd string. */
static int recv_line(int fd, int timeout_ms, char **line)
{
	long long deadline = now_ms() + timeout_ms;
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = deadline - now_ms();
		ssize_t n;
		char *nl;

		if (left <= 0 || poll(&pfd, 1, (int)left) == 0) {
			free(buf);
			return -ETIMEDOUT;
		}
		if (len + 1 == cap) {
			char *bigger = cap > 16 * CONTROL_MAX_REQUEST ? NULL : realloc(buf, cap * 2);

			if (!bigger) {
				free(buf);
				return -EMSGSIZE;
			}
			buf = bigger;
			cap *= 2;
		}
		n = recv(fd, buf + len, cap - len - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			return n < 0 ? -errno : -ECONNRESET;
		}
		len += (size_t)n;
		buf[len] = '\0';
		nl = memchr(buf, '\n', len);
		if (nl) {
			*nl = '\0';
			*line = buf;
			return 0;
		}
	}
}

int control_call(const char *path, const char *cmd, json_t *args, int timeout_ms, json_t **result, char *err,
		 size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	json_t *req, *answer;
	char *text, *line = NULL;
	json_error_t jerr;
	int fd, ret;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		ret = -errno;
		if (fd >= 0)
			close(fd);
		if (ret == -ENOENT || ret == -ECONNREFUSED)
			snprintf(err, errlen, "wicketd is not running (no control socket at %s)", path);
		else if (ret == -EACCES)
			snprintf(err, errlen,
				 "permission denied on %s: wicketctl needs root or the staff group", path);
		else
			snprintf(err, errlen, "cannot reach wicketd at %s: %s", path, strerror(-ret));
		return ret;
	}
	req = json_pack("{s:i, s:s}", "v", CONTROL_PROTOCOL, "cmd", cmd);
	if (req && args)
		json_object_set(req, "args", args);
	text = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	if (!text) {
		close(fd);
		snprintf(err, errlen, "cannot build the request");
		return -ENOMEM;
	}
	ret = send_all(fd, text, strlen(text));
	if (!ret)
		ret = send_all(fd, "\n", 1);
	free(text);
	/*
	 * Read the answer even if the daemon hung up on us: a refusal is a
	 * line sent before the close, and says more than EPIPE.
	 */
	if (!ret || ret == -EPIPE || ret == -ECONNRESET) {
		int sent = ret;

		ret = recv_line(fd, timeout_ms, &line);
		if (ret && sent)
			ret = sent;
	}
	close(fd);
	if (ret) {
		snprintf(err, errlen, "no answer from wicketd: %s", strerror(-ret));
		return ret;
	}
	answer = json_loads(line, 0, &jerr);
	free(line);
	if (!answer || !json_is_object(answer)) {
		json_decref(answer);
		snprintf(err, errlen, "malformed answer from wicketd");
		return -EBADMSG;
	}
	if (!json_is_true(json_object_get(answer, "ok"))) {
		const char *msg = json_string_value(json_object_get(answer, "error"));

		snprintf(err, errlen, "%s", msg ? msg : "wicketd refused the request");
		ret = msg && strncmp(msg, "permission denied", 17) == 0 ? -EPERM : -EREMOTEIO;
		json_decref(answer);
		return ret;
	}
	*result = json_incref(json_object_get(answer, "result"));
	if (!*result)
		*result = json_null();
	json_decref(answer);
	return 0;
}
