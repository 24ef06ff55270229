/*
 * wicketd as its own user: see privileges.h.
 */
#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "config.h"
#include "privileges.h"

static const cap_value_t kept[] = { CAP_NET_ADMIN, CAP_NET_BIND_SERVICE };

static int is_kept(cap_value_t c)
{
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		if (kept[i] == c)
			return 1;
	return 0;
}

/* Root only: no capability outside kept can ever come back, not even through exec. */
static int cut_bounding_set(char *err, size_t errlen)
{
	for (cap_value_t c = 0; c < (cap_value_t)cap_max_bits(); c++) {
		if (is_kept(c) || !CAP_IS_SUPPORTED(c))
			continue;
		if (cap_drop_bound(c)) {
			snprintf(err, errlen, "cannot drop capability %d from the bounding set: %s", c,
				 strerror(errno));
			return -errno;
		}
	}
	return 0;
}

/* The kept capabilities this process has, permitted and effective; nothing else. */
static int keep_only(char *err, size_t errlen)
{
	cap_t now = cap_get_proc(), want = cap_init();
	cap_value_t have[2];
	int n = 0, ret = 0;

	for (size_t i = 0; now && i < sizeof(kept) / sizeof(kept[0]); i++) {
		cap_flag_value_t v = CAP_CLEAR;

		if (cap_get_flag(now, kept[i], CAP_PERMITTED, &v) == 0 && v == CAP_SET)
			have[n++] = kept[i];
	}
	if (!now || !want ||
	    (n && (cap_set_flag(want, CAP_PERMITTED, n, have, CAP_SET) ||
		   cap_set_flag(want, CAP_EFFECTIVE, n, have, CAP_SET))) ||
	    cap_set_proc(want) || cap_reset_ambient()) {
		ret = errno ? -errno : -EPERM;
		snprintf(err, errlen, "cannot set wicketd's capabilities: %s", strerror(-ret));
	}
	cap_free(now);
	cap_free(want);
	return ret;
}

static int become(const struct passwd *pw, char *err, size_t errlen)
{
	if (prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L) || initgroups(pw->pw_name, pw->pw_gid) ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) || setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) ||
	    prctl(PR_SET_KEEPCAPS, 0L, 0L, 0L, 0L)) {
		snprintf(err, errlen, "cannot become user %s: %s", pw->pw_name, strerror(errno));
		return -errno;
	}
	/* Paranoia: the way back must be shut. */
	if (setuid(0) == 0 || seteuid(0) == 0) {
		snprintf(err, errlen, "user %s could become root again: refusing to run", pw->pw_name);
		return -EPERM;
	}
	return 0;
}

/* The directory of path (or path itself, when dir), writable by the user wicketd now is. */
static int writable(const char *path, int dir, const char *user, char *err, size_t errlen)
{
	char buf[CONFIG_PATH_MAX];
	const char *d = path;

	if (!dir) {
		snprintf(buf, sizeof(buf), "%s", path);
		d = dirname(buf);
	}
	if (access(d, W_OK | X_OK) == 0 || (dir && errno == ENOENT))
		return 0;
	snprintf(err, errlen, "wicketd, as user %s, cannot write %s (%s): chown %s %s", user, d,
		 strerror(errno), user, d);
	return -EACCES;
}

int privileges_drop(const struct wicket_config *cfg, char *err, size_t errlen)
{
	const char *user = cfg->gateway.user;
	struct passwd pwbuf, *pw = NULL;
	char buf[4096];
	int ret;

	if (!user[0])
		return 0;
	if (getpwnam_r(user, &pwbuf, buf, sizeof(buf), &pw) || !pw) {
		snprintf(err, errlen, "[gateway] user: there is no user %s: create it (useradd --system %s)",
			 user, user);
		return -ENOENT;
	}
	if (pw->pw_uid == 0) {
		snprintf(err, errlen, "[gateway] user: %s is root; name wicketd's own user", user);
		return -EINVAL;
	}
	if (geteuid() == 0) {
		ret = cut_bounding_set(err, errlen);
		if (!ret)
			ret = become(pw, err, errlen);
	} else if (geteuid() != pw->pw_uid) {
		snprintf(err, errlen,
			 "[gateway] user: wicketd runs as uid %u and cannot become %s: start it as root or "
			 "as %s",
			 (unsigned int)geteuid(), user, user);
		return -EPERM;
	} else {
		ret = 0;
	}
	if (!ret)
		ret = keep_only(err, errlen);
	if (!ret && prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L)) {
		snprintf(err, errlen, "cannot set no_new_privs: %s", strerror(errno));
		ret = -errno;
	}
	if (!ret)
		ret = writable(cfg->gateway.store, 0, user, err, errlen);
	if (!ret)
		ret = writable(cfg->gateway.control_socket, 0, user, err, errlen);
	if (!ret && !cfg->gateway.tls_cert[0])
		ret = writable(cfg->gateway.tls_dir, 1, user, err, errlen);
	return ret;
}
