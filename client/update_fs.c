/*
 * The installed components on disk: see update.h and update_internal.h.
 * Every path below STATE_DIR/components is opened relative to its
 * directory's fd, with O_NOFOLLOW, and every name a symlink gives is
 * checked to be a version file's name first: nothing outside a
 * component's directory is ever followed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"
#include "update.h"
#include "update_internal.h"

#define CURRENT_TMP ".current.new"
#define PREVIOUS_TMP ".previous.new"
#define STAGE_PREFIX ".new-"

int upd_errf(int ret, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* "<version>-<16 lower-case hex>", the version 1 to 19 digits. */
static int version_file_name(const char *s, int64_t *version)
{
	size_t d = strspn(s, "0123456789");

	if (d == 0 || d > 19 || s[d] != '-' || strlen(s + d + 1) != 16 ||
	    strspn(s + d + 1, "0123456789abcdef") != 16)
		return 0;
	if (version) {
		errno = 0;
		*version = strtoll(s, NULL, 10);
		if (errno)
			return 0;
	}
	return 1;
}

/* The version file name link (in dfd) names, into out: 0, or -ENOENT (absent or not a version file). */
static int read_link(int dfd, const char *link, char out[UPD_FILE_MAX])
{
	ssize_t n = readlinkat(dfd, link, out, UPD_FILE_MAX - 1);

	if (n < 0)
		return -ENOENT;
	out[n] = '\0';
	return version_file_name(out, NULL) ? 0 : -ENOENT;
}

/* Whether dfd/file is a regular file (not followed). */
static int is_regular(int dfd, const char *file)
{
	struct stat st;

	return fstatat(dfd, file, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

int upd_sha256_fd(int fd, int64_t limit, char hex[65], int64_t *size)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char buf[65536], digest[32];
	int64_t total = 0;
	int ret = 0;

	if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		return -ENOMEM;
	}
	while (total <= limit) {
		size_t want = sizeof(buf);
		ssize_t n;

		if ((int64_t)want > limit + 1 - total)
			want = (size_t)(limit + 1 - total);
		n = read(fd, buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		if (n == 0)
			break;
		EVP_DigestUpdate(md, buf, (size_t)n);
		total += n;
	}
	if (!ret) {
		EVP_DigestFinal_ex(md, digest, NULL);
		manifest_hex_encode(digest, sizeof(digest), hex);
		*size = total;
	}
	EVP_MD_CTX_free(md);
	return ret;
}

int upd_lock(const struct helper_paths *p, int make, char *err, size_t errlen)
{
	int fd, ret;

	if (make && (ret = paths_mkdir(p->state_dir)))
		return upd_errf(ret, err, errlen, "cannot make %s: %s", p->state_dir, strerror(-ret));
	fd = open(p->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return upd_errf(-errno, err, errlen, "cannot open %s: %s", p->state_dir, strerror(errno));
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			ret = -errno;
			close(fd);
			return upd_errf(ret, err, errlen, "cannot lock %s: %s", p->state_dir, strerror(-ret));
		}
	}
	return fd;
}

int upd_components_dir(const struct helper_paths *p, int make, char *err, size_t errlen)
{
	char path[HELPER_PATH_MAX];
	int fd;

	if (paths_join(path, sizeof(path), p->state_dir, "components"))
		return upd_errf(-ENAMETOOLONG, err, errlen, "%s: path too long", p->state_dir);
	if (make && mkdir(path, 0755) && errno != EEXIST) {
		if (errno == ENOSPC || errno == EDQUOT)
			return upd_errf(-ENOSPC, err, errlen, "no space left in %s", p->state_dir);
		return upd_errf(-errno, err, errlen, "cannot make %s: %s", path, strerror(errno));
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return upd_errf(-errno, err, errlen, "cannot open %s: %s", path, strerror(errno));
	return fd;
}

static int open_component(int cdir, const char *name)
{
	if (cdir < 0 || !manifest_name_valid(name))
		return -ENOENT;
	return openat(cdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

void upd_read_installed(int cdir, const char *name, struct upd_installed *in)
{
	int dfd = open_component(cdir, name), fd;
	int64_t size;

	memset(in, 0, sizeof(*in));
	in->version = -1;
	if (dfd < 0)
		return;
	if (read_link(dfd, "current", in->file) == 0 &&
	    (fd = openat(dfd, in->file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) >= 0) {
		struct stat st;

		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    upd_sha256_fd(fd, INT64_MAX - 1, in->sha256, &size) == 0)
			in->present = version_file_name(in->file, &in->version);
		close(fd);
	}
	if (!in->present) {
		in->file[0] = '\0';
		in->version = -1;
	}
	close(dfd);
}

static int space_or(int ret, const struct helper_paths *p, const struct manifest_component *mc,
		    const char *what, char *err, size_t errlen)
{
	if (ret == -ENOSPC || ret == -EDQUOT)
		return upd_errf(-ENOSPC, err, errlen, "no space left in %s to install %s", p->state_dir,
				mc->name);
	return upd_errf(ret, err, errlen, "cannot %s for %s in %s: %s", what, mc->name, p->state_dir,
			strerror(-ret));
}

/* A DIR over dfd's entries from the first (a dup shares the offset of dfd's last reading). */
static DIR *dir_of(int dfd)
{
	int fd = dup(dfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	rewinddir(d);
	return d;
}

/* Remove what a crashed run may have left in dfd. */
static void remove_stale(int dfd)
{
	DIR *d = dir_of(dfd);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (strncmp(e->d_name, STAGE_PREFIX, strlen(STAGE_PREFIX)) == 0 &&
		    version_file_name(e->d_name + strlen(STAGE_PREFIX), NULL))
			unlinkat(dfd, e->d_name, 0);
	closedir(d);
	unlinkat(dfd, CURRENT_TMP, 0);
	unlinkat(dfd, PREVIOUS_TMP, 0);
}

int upd_stage_begin(const struct helper_paths *p, int cdir, const struct manifest_component *mc,
		    struct upd_stage *s, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->mc = mc;
	s->dfd = s->fd = -1;
	if (!manifest_name_valid(mc->name))
		return upd_errf(-EINVAL, err, errlen, "invalid component name");
	snprintf(s->file, sizeof(s->file), "%" PRId64 "-%.16s", mc->version, mc->sha256);
	snprintf(s->tmp, sizeof(s->tmp), STAGE_PREFIX "%s", s->file);
	if (mkdirat(cdir, mc->name, 0755) == 0)
		s->made_dir = 1;
	else if (errno != EEXIST)
		return space_or(-errno, p, mc, "make a directory", err, errlen);
	s->dfd = open_component(cdir, mc->name);
	if (s->dfd < 0)
		return upd_errf(-errno, err, errlen, "%s/components/%s is not a directory: %s", p->state_dir,
				mc->name, strerror(errno));
	remove_stale(s->dfd);
	s->fd = openat(s->dfd, s->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (s->fd < 0)
		return space_or(-errno, p, mc, "make a temp file", err, errlen);
	s->have_tmp = 1;
	if (fchmod(s->fd, 0644))
		return space_or(-errno, p, mc, "set the mode of a temp file", err, errlen);
	s->md = EVP_MD_CTX_new();
	if (!s->md || EVP_DigestInit_ex(s->md, EVP_sha256(), NULL) != 1)
		return upd_errf(-ENOMEM, err, errlen, "out of memory");
	return 0;
}

int upd_stage_write(const struct helper_paths *p, struct upd_stage *s, const void *buf, size_t n, char *err,
		    size_t errlen)
{
	const char *b = buf;

	while (n) {
		ssize_t w = write(s->fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return space_or(-errno, p, s->mc, "write", err, errlen);
		EVP_DigestUpdate(s->md, b, (size_t)w);
		s->written += w;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

int upd_stage_finish(const struct helper_paths *p, struct upd_stage *s, const char *what, char *err,
		     size_t errlen)
{
	unsigned char digest[32];
	char hex[65];
	int ret = 0;

	if (fsync(s->fd))
		ret = -errno;
	if (close(s->fd) && !ret)
		ret = -errno;
	s->fd = -1;
	if (ret)
		return space_or(ret, p, s->mc, "write", err, errlen);
	EVP_DigestFinal_ex(s->md, digest, NULL);
	manifest_hex_encode(digest, sizeof(digest), hex);
	if (s->written != s->mc->size)
		return upd_errf(-EBADMSG, err, errlen,
				"component %s from %s is %" PRId64 " bytes, not the manifest's %" PRId64,
				s->mc->name, what, s->written, s->mc->size);
	if (strcmp(hex, s->mc->sha256) != 0)
		return upd_errf(-EBADMSG, err, errlen,
				"component %s from %s does not match the manifest's SHA-256", s->mc->name,
				what);
	return 0;
}

int upd_stage_links(const struct helper_paths *p, struct upd_stage *s, const struct upd_installed *old,
		    char *err, size_t errlen)
{
	if (symlinkat(s->file, s->dfd, CURRENT_TMP))
		return space_or(-errno, p, s->mc, "make a symlink", err, errlen);
	s->have_cur_link = 1;
	if (old && old->present && strcmp(old->file, s->file) != 0) {
		if (symlinkat(old->file, s->dfd, PREVIOUS_TMP))
			return space_or(-errno, p, s->mc, "make a symlink", err, errlen);
		s->have_prev_link = 1;
	}
	return 0;
}

void upd_stage_abort(int cdir, struct upd_stage *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (s->dfd >= 0) {
		if (s->have_tmp)
			unlinkat(s->dfd, s->tmp, 0);
		if (s->have_cur_link)
			unlinkat(s->dfd, CURRENT_TMP, 0);
		if (s->have_prev_link)
			unlinkat(s->dfd, PREVIOUS_TMP, 0);
		s->have_tmp = s->have_cur_link = s->have_prev_link = 0;
		close(s->dfd);
		s->dfd = -1;
	}
	if (s->made_dir && s->mc)
		unlinkat(cdir, s->mc->name, AT_REMOVEDIR);
	s->made_dir = 0;
	EVP_MD_CTX_free(s->md);
	s->md = NULL;
}

int upd_stage_commit(struct upd_stage *s, char *err, size_t errlen)
{
	const char *name = s->mc->name;

	if (renameat(s->dfd, s->tmp, s->dfd, s->file))
		return upd_errf(-errno, err, errlen, "cannot install %s: %s", name, strerror(errno));
	s->have_tmp = 0;
	if (s->have_prev_link && renameat(s->dfd, PREVIOUS_TMP, s->dfd, "previous"))
		return upd_errf(-errno, err, errlen, "cannot keep %s's previous version: %s", name,
				strerror(errno));
	s->have_prev_link = 0;
	if (renameat(s->dfd, CURRENT_TMP, s->dfd, "current"))
		return upd_errf(-errno, err, errlen, "cannot switch %s to its new version: %s", name,
				strerror(errno));
	s->have_cur_link = 0;
	if (fsync(s->dfd))
		return upd_errf(-errno, err, errlen, "cannot sync %s's directory: %s", name, strerror(errno));
	return 0;
}

void upd_prune(int dfd)
{
	char cur[UPD_FILE_MAX] = "", prev[UPD_FILE_MAX] = "";
	DIR *d;
	struct dirent *e;

	if (read_link(dfd, "current", cur))
		return; /* nothing to keep by: delete nothing */
	read_link(dfd, "previous", prev);
	d = dir_of(dfd);
	if (!d)
		return;
	while ((e = readdir(d)))
		if (version_file_name(e->d_name, NULL) && strcmp(e->d_name, cur) != 0 &&
		    strcmp(e->d_name, prev) != 0 && is_regular(dfd, e->d_name))
			unlinkat(dfd, e->d_name, 0);
	closedir(d);
	fsync(dfd);
}

/* Swap dfd's current and previous: 0, or -ENOENT when it has no previous version. */
static int swap(int dfd, const char *name, char *err, size_t errlen)
{
	char cur[UPD_FILE_MAX], prev[UPD_FILE_MAX];
	int has_cur;

	if (read_link(dfd, "previous", prev) || !is_regular(dfd, prev))
		return upd_errf(-ENOENT, err, errlen, "component %s has no previous version to roll back to",
				name);
	has_cur = read_link(dfd, "current", cur) == 0 && is_regular(dfd, cur);
	unlinkat(dfd, CURRENT_TMP, 0);
	unlinkat(dfd, PREVIOUS_TMP, 0);
	if (symlinkat(prev, dfd, CURRENT_TMP) || (has_cur && symlinkat(cur, dfd, PREVIOUS_TMP))) {
		int ret = -errno;

		unlinkat(dfd, CURRENT_TMP, 0);
		return upd_errf(ret, err, errlen, "cannot roll %s back: %s", name, strerror(-ret));
	}
	if (has_cur ? renameat(dfd, PREVIOUS_TMP, dfd, "previous") : unlinkat(dfd, "previous", 0))
		return upd_errf(-errno, err, errlen, "cannot roll %s back: %s", name, strerror(errno));
	if (renameat(dfd, CURRENT_TMP, dfd, "current"))
		return upd_errf(-errno, err, errlen, "cannot roll %s back: %s", name, strerror(errno));
	fsync(dfd);
	return 0;
}

int update_rollback(const struct helper_paths *p, const char *name_or_null, char *err, size_t errlen)
{
	int lock, cdir, dfd, ret, done = 0;
	DIR *d;
	struct dirent *e;

	if (name_or_null && !manifest_name_valid(name_or_null))
		return upd_errf(-EINVAL, err, errlen, "'%s' is not a component's name", name_or_null);
	lock = upd_lock(p, 0, err, errlen);
	if (lock < 0)
		return lock == -ENOENT ? upd_errf(-ENOENT, err, errlen, "no component is installed") : lock;
	cdir = upd_components_dir(p, 0, err, errlen);
	if (cdir < 0) {
		close(lock);
		return cdir == -ENOENT ? upd_errf(-ENOENT, err, errlen, "no component is installed") : cdir;
	}
	if (name_or_null) {
		dfd = open_component(cdir, name_or_null);
		if (dfd < 0)
			ret = upd_errf(-ENOENT, err, errlen, "component %s is not installed", name_or_null);
		else
			ret = swap(dfd, name_or_null, err, errlen);
		if (dfd >= 0)
			close(dfd);
		goto out;
	}
	ret = 0;
	d = dir_of(cdir);
	if (!d) {
		ret = upd_errf(-errno, err, errlen, "cannot read %s/components: %s", p->state_dir,
			       strerror(errno));
		goto out;
	}
	while (!ret && (e = readdir(d))) {
		char prev[UPD_FILE_MAX];

		dfd = open_component(cdir, e->d_name);
		if (dfd < 0)
			continue;
		if (read_link(dfd, "previous", prev) == 0 && is_regular(dfd, prev)) {
			ret = swap(dfd, e->d_name, err, errlen);
			done += !ret;
		}
		close(dfd);
	}
	closedir(d);
	if (!ret && !done)
		ret = upd_errf(-ENOENT, err, errlen, "no component has a previous version to roll back to");
out:
	close(cdir);
	close(lock);
	return ret;
}

int update_installed_path(const struct helper_paths *p, const char *name, char *out, size_t len)
{
	char file[UPD_FILE_MAX];
	int cdir = upd_components_dir(p, 0, NULL, 0), dfd, ret = -ENOENT;

	if (cdir < 0)
		return -ENOENT;
	dfd = open_component(cdir, name);
	if (dfd >= 0 && read_link(dfd, "current", file) == 0 && is_regular(dfd, file)) {
		int n = snprintf(out, len, "%s/components/%s/%s", p->state_dir, name, file);

		ret = n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
	}
	if (dfd >= 0)
		close(dfd);
	close(cdir);
	return ret;
}
