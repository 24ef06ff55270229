/*
 * wicket-helper's `update` and `check` (update.c, update_fs.c): the
 * gateway's components, verified, found locally or fetched, installed.
 *
 * Trust: the manifest's Ed25519 key is pinned in STATE_DIR/manifest.key
 * (64 hex digits and "\n"). With no pin and no --key, the key the gateway
 * publishes is trusted on first use and pinned; --key (64 hex digits, or a
 * file holding them) is used and pinned in place of any other. A manifest
 * whose signature does not verify is refused before it is parsed, and
 * nothing is installed or changed. A pin is written only once a manifest
 * verified under it, together with the install (never by a dry run).
 *
 * Layout: STATE_DIR/components/NAME/ holds version files named
 * "<version>-<first 16 hex of sha256>" and two relative symlinks,
 * `current` and `previous`, naming them. The installed version is the one
 * `current` names; it is CURRENT when the file's SHA-256 (computed, not
 * read from its name) is the manifest's, else OUTDATED; MISSING with no
 * usable `current`.
 *
 * An install is two phases, so that a failure anywhere leaves every
 * component as it was: (1) every needed component is written to a temp
 * file in its directory (".new-<version>-<hex16>", fsync'd, its size and
 * SHA-256 checked) along with the temp symlinks of its swap; any failure
 * deletes all of them; (2) the pin is written, then every staged file is
 * renamed to its version name and the symlinks renamed over `previous`
 * (the old current) and `current`, and the directory fsync'd. Versions
 * older than `previous` are deleted afterwards. Installs and rollbacks
 * hold an flock on STATE_DIR.
 */
#ifndef WICKET_HELPER_UPDATE_H
#define WICKET_HELPER_UPDATE_H

#include <stddef.h>
#include <stdint.h>

struct helper_paths;

/*
 * How the gateway is reached: GET origin + path into a malloc'd buffer of
 * at most max bytes (more is an error, or a truncated body that the size
 * check refuses). 0, or -errno with err saying what went wrong.
 */
struct update_source {
	void *arg;
	int (*get)(void *arg, const char *path, size_t max, char **body, size_t *len, char *err,
		   size_t errlen);
};

struct update_options {
	const struct helper_paths *paths;
	/* --key: 64 hex digits or a file holding them; NULL: the pinned key, or trust on first use. */
	const char *key_hex_or_file;
	/* Directories to look in first for components' install files (not recursively). */
	const char *const *local_dirs;
	size_t nlocal;
	int dry_run; /* check only: report, change nothing */
};

enum update_state { UPDATE_CURRENT, UPDATE_MISSING, UPDATE_OUTDATED };
enum update_from { FROM_NONE, FROM_LOCAL, FROM_GATEWAY };

struct update_item {
	char name[65];
	int64_t installed_version; /* -1: none */
	int64_t version; /* the manifest's */
	char sha256[65];
	int64_t size;
	enum update_state state; /* as found, before this run installed anything */
	enum update_from from; /* where it came (or, in a dry run, would come) from */
	char local_path[512]; /* FROM_LOCAL: the file */
};

struct update_report {
	int key_pinned_now; /* this run wrote the pin (first use, or a new --key) */
	char key_hex[65]; /* the key the manifest verified under */
	int64_t issued; /* the manifest's */
	size_t nitems;
	struct update_item items[64];
};

/*
 * Verify the gateway's manifest, find what is missing or outdated, install
 * it (dry_run: report only). rep is filled as far as the run got. 0 or
 * -errno with err: -EPERM for a manifest not signed by the key, -EINVAL
 * for a malformed one or a bad --key or pin, -EBADMSG for a file that is
 * not what the manifest says, -ENOSPC, a fetch's error.
 */
int update_run(const struct update_options *o, const struct update_source *src, struct update_report *rep,
	       char *err, size_t errlen);
/*
 * Swap `current` and `previous` of one component, or (name NULL) of every
 * component that has a previous version. -ENOENT with err when there is
 * none to swap.
 */
int update_rollback(const struct helper_paths *p, const char *name_or_null, char *err, size_t errlen);
/* The path of a component's current installed file into out; -ENOENT if none. */
int update_installed_path(const struct helper_paths *p, const char *name, char *out, size_t len);

#endif
