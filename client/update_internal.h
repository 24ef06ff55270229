/*
 * The installed components on disk (update_fs.c), for update.c: reading
 * what is installed, staging a component and committing or abandoning it,
 * the lock. See update.h for the layout and the two phases.
 */
#ifndef WICKET_HELPER_UPDATE_INTERNAL_H
#define WICKET_HELPER_UPDATE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "manifest.h"

struct helper_paths;

#define UPD_FILE_MAX 64 /* "<version>-<hex16>": at most 19 + 1 + 16 */

/* A component's installed version, as its `current` names it. */
struct upd_installed {
	int present; /* current names a readable regular version file */
	int64_t version;
	char file[UPD_FILE_MAX];
	char sha256[65]; /* computed from the file */
};

/* One component being installed. */
struct upd_stage {
	const struct manifest_component *mc;
	int dfd; /* STATE_DIR/components/NAME, or -1 */
	int fd; /* the temp file while it is written, or -1 */
	int made_dir; /* this run made NAME/: removed again on abort */
	int have_tmp, have_cur_link, have_prev_link;
	char file[UPD_FILE_MAX]; /* "<version>-<hex16>" */
	char tmp[UPD_FILE_MAX + 8]; /* ".new-" + file */
	EVP_MD_CTX *md;
	int64_t written;
};

/* SHA-256 (lower-case hex) and length of what fd reads from where it is, up to limit + 1 bytes. */
/* Fill err (when given) with the formatted message and return ret: `return upd_errf(-EIO, err, errlen, ...)`.
 */
int upd_errf(int ret, char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int upd_sha256_fd(int fd, int64_t limit, char hex[65], int64_t *size);

/* An exclusive flock on STATE_DIR (made first when make): an fd to close, or -errno with err. */
int upd_lock(const struct helper_paths *p, int make, char *err, size_t errlen);
/* STATE_DIR/components, made when make: an fd, or -errno (-ENOENT when absent and not make). */
int upd_components_dir(const struct helper_paths *p, int make, char *err, size_t errlen);
/* What `current` of cdir/name names (cdir may be -1: nothing installed). */
void upd_read_installed(int cdir, const char *name, struct upd_installed *in);

/*
 * Staging: begin makes NAME/ and the temp file; write adds bytes; finish
 * fsyncs it and checks its size and SHA-256 against the manifest (what
 * names the bytes' origin in the error); links makes the temp symlinks
 * for the swap (old: the current install, or NULL). abort undoes all of
 * it; commit renames them into place. 0 or -errno with err.
 */
int upd_stage_begin(const struct helper_paths *p, int cdir, const struct manifest_component *mc,
		    struct upd_stage *s, char *err, size_t errlen);
int upd_stage_write(const struct helper_paths *p, struct upd_stage *s, const void *buf, size_t n, char *err,
		    size_t errlen);
int upd_stage_finish(const struct helper_paths *p, struct upd_stage *s, const char *what, char *err,
		     size_t errlen);
int upd_stage_links(const struct helper_paths *p, struct upd_stage *s, const struct upd_installed *old,
		    char *err, size_t errlen);
void upd_stage_abort(int cdir, struct upd_stage *s);
int upd_stage_commit(struct upd_stage *s, char *err, size_t errlen);
/* After a commit: delete the version files that neither `current` nor `previous` names. */
void upd_prune(int dfd);

#endif
