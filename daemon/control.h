/*
 * The control socket: how wicketctl talks to wicketd. A UNIX stream socket;
 * each request and each answer is one JSON object on one line:
 *
 *   request:  {"v": 1, "cmd": "clients", "args": {...}}
 *   answer:   {"v": 1, "ok": true, "result": ...}
 *             {"v": 1, "ok": false, "error": "what went wrong and what to do"}
 *
 * "v" is CONTROL_PROTOCOL; a request of another version is refused with an
 * error that says so (bump it whenever a command's shape changes). Only
 * root and members of the staff group may connect: the peer's credentials
 * (SO_PEERCRED, SO_PEERGROUPS) are checked at accept, and anyone else gets
 * one refusal line and a closed socket. Requests are at most
 * CONTROL_MAX_REQUEST bytes; a malformed one gets an error and changes
 * nothing.
 */
#ifndef WICKET_CONTROL_H
#define WICKET_CONTROL_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

#define CONTROL_PROTOCOL 1
#define CONTROL_MAX_REQUEST (4 << 20) /* a guest list of ~50000 rooms */

struct event_base;
struct control;

struct control_peer {
	pid_t pid;
	uid_t uid;
	gid_t gid;
};

/*
 * A command: returns the result (a new reference), or NULL after writing
 * what went wrong, for the user, into err.
 */
typedef json_t *(*control_fn)(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			      size_t errlen);

/* Listen on path (replacing a stale socket), mode 0660, group staff_gid. */
int control_open(struct event_base *base, const char *path, gid_t staff_gid, struct control **out);
void control_close(struct control *ctl);
int control_register(struct control *ctl, const char *cmd, control_fn fn, void *arg);

/*
 * The client side (wicketctl): one request, one answer, blocking, with a
 * timeout. Returns 0 with *result (a new reference; may be JSON null), or
 * -errno with err saying what to do (daemon not running, not staff, the
 * daemon's own error message).
 */
int control_call(const char *path, const char *cmd, json_t *args, int timeout_ms, json_t **result, char *err,
		 size_t errlen);

#endif
