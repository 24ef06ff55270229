/*
 * wicket-helper's `update` and `check`: see update.h. The key and the
 * manifest (verified, then parsed), where each needed component comes
 * from, and the two phases over update_fs.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"
#include "update.h"
#include "update_internal.h"

#define PIN_FILE "manifest.key"
#define KEY_TEXT_MAX 256 /* the most of a key's or a signature's text that is read */

/* Everything of one run that is too big for the stack. */
struct run {
	struct manifest m;
	struct upd_installed inst[MANIFEST_MAX_COMPONENTS];
	struct upd_stage st[MANIFEST_MAX_COMPONENTS];
	size_t nst;
};

static int fetch(const struct update_source *src, const char *path, size_t max, char **body, size_t *len,
		 char *err, size_t errlen)
{
	char e[256] = "";
	int ret;

	*body = NULL;
	*len = 0;
	ret = src->get(src->arg, path, max, body, len, e, sizeof(e));
	if (!ret && !*body && !(*body = calloc(1, 1)))
		ret = -ENOMEM;
	if (!ret && *len > max) {
		ret = -EFBIG;
		snprintf(e, sizeof(e), "more than %zu bytes", max);
	}
	if (ret) {
		free(*body);
		*body = NULL;
		return upd_errf(ret < 0 ? ret : -EIO, err, errlen, "cannot fetch %s from the gateway: %s",
				path, e[0] ? e : strerror(ret < 0 ? -ret : EIO));
	}
	return 0;
}

/* Up to KEY_TEXT_MAX bytes of path into buf: the length, or -errno. */
static int read_small(const char *path, char *buf)
{
	int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC), ret;
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	n = read(fd, buf, KEY_TEXT_MAX);
	ret = n < 0 ? -errno : (int)n;
	close(fd);
	return ret;
}

/* The pin: 0 (*found tells whether there is one), or -EINVAL for a damaged one. */
static int read_pin(const struct helper_paths *p, uint8_t key[MANIFEST_KEY_LEN], int *found, char *err,
		    size_t errlen)
{
	char path[HELPER_PATH_MAX], buf[KEY_TEXT_MAX];
	int n;

	*found = 0;
	if (paths_join(path, sizeof(path), p->state_dir, PIN_FILE))
		return upd_errf(-ENAMETOOLONG, err, errlen, "%s: path too long", p->state_dir);
	n = read_small(path, buf);
	if (n == -ENOENT)
		return 0;
	if (n < 0 && n != -EINVAL)
		return upd_errf(n, err, errlen, "cannot read %s: %s", path, strerror(-n));
	if (n < 0 || manifest_hex_decode(buf, (size_t)n, key, MANIFEST_KEY_LEN))
		return upd_errf(
			-EINVAL, err, errlen,
			"%s does not hold a key (64 hex digits): run update --key KEY with the venue's key",
			path);
	*found = 1;
	return 0;
}

static int parse_key_arg(const char *arg, uint8_t key[MANIFEST_KEY_LEN], char *err, size_t errlen)
{
	char buf[KEY_TEXT_MAX];
	int n;

	if (manifest_hex_decode(arg, strlen(arg), key, MANIFEST_KEY_LEN) == 0)
		return 0;
	n = read_small(arg, buf);
	if (n < 0)
		return upd_errf(-EINVAL, err, errlen,
				"--key %s: neither 64 hex digits nor a file holding them (%s)", arg,
				strerror(-n));
	if (manifest_hex_decode(buf, (size_t)n, key, MANIFEST_KEY_LEN))
		return upd_errf(-EINVAL, err, errlen, "--key %s: the file does not hold 64 hex digits", arg);
	return 0;
}

static int fetch_key(const struct update_source *src, uint8_t key[MANIFEST_KEY_LEN], char *err, size_t errlen)
{
	char *body;
	size_t len;
	int ret = fetch(src, MANIFEST_KEY_PATH, KEY_TEXT_MAX, &body, &len, err, errlen);

	if (ret)
		return ret;
	if (manifest_hex_decode(body, len, key, MANIFEST_KEY_LEN))
		ret = upd_errf(-EINVAL, err, errlen, "the gateway's manifest key is not 64 hex digits");
	free(body);
	return ret;
}

static int write_pin(const struct helper_paths *p, const uint8_t key[MANIFEST_KEY_LEN], char *err,
		     size_t errlen)
{
	char path[HELPER_PATH_MAX], tmp[HELPER_PATH_MAX], text[2 * MANIFEST_KEY_LEN + 2];
	int fd, dfd, ret = 0;

	if (paths_join(path, sizeof(path), p->state_dir, PIN_FILE) ||
	    paths_join(tmp, sizeof(tmp), p->state_dir, PIN_FILE ".new"))
		return upd_errf(-ENAMETOOLONG, err, errlen, "%s: path too long", p->state_dir);
	manifest_hex_encode(key, MANIFEST_KEY_LEN, text);
	strcat(text, "\n");
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		ret = -errno;
	else if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		ret = errno ? -errno : -EIO;
	else if (fsync(fd))
		ret = -errno;
	if (fd >= 0 && close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		if (ret == -ENOSPC || ret == -EDQUOT)
			return upd_errf(-ENOSPC, err, errlen, "no space left in %s to pin the manifest key",
					p->state_dir);
		return upd_errf(ret, err, errlen, "cannot write %s: %s", path, strerror(-ret));
	}
	dfd = open(p->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

/* Whether path is a regular file of mc's size and SHA-256. */
static int local_match(const char *path, const struct manifest_component *mc)
{
	int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC), ok = 0;
	struct stat st;
	char hex[65];
	int64_t size;

	if (fd < 0)
		return 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == mc->size &&
	    upd_sha256_fd(fd, mc->size, hex, &size) == 0 && size == mc->size && strcmp(hex, mc->sha256) == 0)
		ok = 1;
	close(fd);
	return ok;
}

/* The first file of the local directories with mc's bytes: its name first, then any (sorted). */
static int find_local(const struct update_options *o, const struct manifest_component *mc, char *out,
		      size_t len)
{
	for (size_t i = 0; i < o->nlocal; i++) {
		const char *dir = o->local_dirs[i];
		struct dirent **list;
		int n, found = 0;

		if (!dir || !*dir)
			continue;
		if (paths_join(out, len, dir, mc->name) == 0 && local_match(out, mc))
			return 1;
		n = scandir(dir, &list, NULL, alphasort);
		if (n < 0)
			continue;
		for (int j = 0; j < n; j++) {
			const char *f = list[j]->d_name;

			if (!found && strcmp(f, ".") && strcmp(f, "..") && strcmp(f, mc->name) &&
			    paths_join(out, len, dir, f) == 0 && local_match(out, mc))
				found = 1;
			free(list[j]);
		}
		free(list);
		if (found)
			return 1;
	}
	out[0] = '\0';
	return 0;
}

/* Phase 1 for one component: its bytes into a staged temp file, checked, and its symlinks. */
static int stage(const struct update_options *o, const struct update_source *src, int cdir,
		 const struct update_item *it, const struct manifest_component *mc,
		 const struct upd_installed *old, struct upd_stage *s, char *err, size_t errlen)
{
	const struct helper_paths *p = o->paths;
	char buf[65536];
	int ret = upd_stage_begin(p, cdir, mc, s, err, errlen);

	if (ret)
		return ret;
	if (it->from == FROM_LOCAL) {
		int fd = open(it->local_path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		int64_t total = 0;
		ssize_t n = 0;

		if (fd < 0)
			return upd_errf(-errno, err, errlen, "cannot open %s: %s", it->local_path,
					strerror(errno));
		while (!ret && total <= mc->size && (n = read(fd, buf, sizeof(buf))) > 0) {
			ret = upd_stage_write(p, s, buf, (size_t)n, err, errlen);
			total += n;
		}
		if (!ret && n < 0)
			ret = upd_errf(-errno, err, errlen, "cannot read %s: %s", it->local_path,
				       strerror(errno));
		close(fd);
		if (!ret)
			ret = upd_stage_finish(p, s, it->local_path, err, errlen);
	} else {
		char *body;
		size_t len;

		ret = fetch(src, mc->url, (size_t)mc->size + 1, &body, &len, err, errlen);
		if (ret)
			return ret;
		ret = upd_stage_write(p, s, body, len, err, errlen);
		free(body);
		if (!ret)
			ret = upd_stage_finish(p, s, "the gateway", err, errlen);
	}
	return ret ? ret : upd_stage_links(p, s, old, err, errlen);
}

static int not_signed(const struct update_options *o, int have_pin, const char *key_hex, char *err,
		      size_t errlen)
{
	if (o->key_hex_or_file)
		return upd_errf(-EPERM, err, errlen,
				"the gateway's component manifest is not signed by the given key %.16s…",
				key_hex);
	if (have_pin)
		return upd_errf(-EPERM, err, errlen,
				"the gateway's component manifest is not signed by the pinned key %.16s…; "
				"if the venue changed its key, run update --key KEY",
				key_hex);
	return upd_errf(-EPERM, err, errlen,
			"the gateway's component manifest is not signed by the key it publishes (%.16s…); "
			"nothing was pinned",
			key_hex);
}

/* Every needed component's state and origin into rep: how many need installing. */
static size_t survey(const struct update_options *o, struct run *r, int cdir, struct update_report *rep)
{
	size_t need = 0;

	for (size_t i = 0; i < r->m.n; i++) {
		const struct manifest_component *mc = &r->m.c[i];
		struct update_item *it = &rep->items[i];
		struct upd_installed *in = &r->inst[i];

		snprintf(it->name, sizeof(it->name), "%s", mc->name);
		snprintf(it->sha256, sizeof(it->sha256), "%s", mc->sha256);
		it->version = mc->version;
		it->size = mc->size;
		upd_read_installed(cdir, mc->name, in);
		it->installed_version = in->version;
		if (!in->present)
			it->state = UPDATE_MISSING;
		else if (strcmp(in->sha256, mc->sha256) != 0)
			it->state = UPDATE_OUTDATED;
		else
			it->state = UPDATE_CURRENT;
		it->from = FROM_NONE;
		if (it->state != UPDATE_CURRENT) {
			need++;
			it->from = find_local(o, mc, it->local_path, sizeof(it->local_path)) ? FROM_LOCAL
											     : FROM_GATEWAY;
		}
		rep->nitems = i + 1;
	}
	return need;
}

/* Phase 1 for every needed component, the pin, then phase 2. */
static int install(const struct update_options *o, const struct update_source *src, struct run *r, int *cdir,
		   struct update_report *rep, const uint8_t *pin_key, char *err, size_t errlen)
{
	const struct helper_paths *p = o->paths;
	int made_cdir = 0, ret = 0;
	size_t i, committed = 0;

	for (i = 0; i < rep->nitems; i++)
		if (rep->items[i].state != UPDATE_CURRENT)
			break;
	if (i < rep->nitems && *cdir < 0) {
		*cdir = upd_components_dir(p, 1, err, errlen);
		if (*cdir < 0)
			return *cdir;
		made_cdir = 1;
	}
	for (i = 0; i < rep->nitems && !ret; i++) {
		if (rep->items[i].state == UPDATE_CURRENT)
			continue;
		ret = stage(o, src, *cdir, &rep->items[i], &r->m.c[i], &r->inst[i], &r->st[r->nst++], err,
			    errlen);
	}
	if (!ret && pin_key) {
		ret = write_pin(p, pin_key, err, errlen);
		rep->key_pinned_now = !ret;
	}
	for (i = 0; i < r->nst && !ret; i++)
		if (!(ret = upd_stage_commit(&r->st[i], err, errlen)))
			committed++;
	for (i = 0; i < r->nst; i++) {
		if (i < committed) {
			upd_prune(r->st[i].dfd);
			r->st[i].made_dir = 0;
		}
		upd_stage_abort(*cdir, &r->st[i]);
	}
	if (ret && made_cdir && !committed) {
		char path[HELPER_PATH_MAX];

		if (paths_join(path, sizeof(path), p->state_dir, "components") == 0)
			rmdir(path);
	}
	return ret;
}

int update_run(const struct update_options *o, const struct update_source *src, struct update_report *rep,
	       char *err, size_t errlen)
{
	uint8_t key[MANIFEST_KEY_LEN], pin[MANIFEST_KEY_LEN], sig[MANIFEST_SIG_LEN];
	char *body = NULL, *sigtext = NULL;
	size_t blen, slen, need;
	int have_pin, lock = -1, cdir = -1, ret;
	struct run *r = NULL;

	memset(rep, 0, sizeof(*rep));
	/* A damaged pin is an error, unless --key is there to replace it. */
	if ((ret = read_pin(o->paths, pin, &have_pin, err, errlen)) && !o->key_hex_or_file)
		return ret;
	if (o->key_hex_or_file)
		ret = parse_key_arg(o->key_hex_or_file, key, err, errlen);
	else if (have_pin)
		memcpy(key, pin, sizeof(key));
	else
		ret = fetch_key(src, key, err, errlen);
	if (ret)
		return ret;
	manifest_hex_encode(key, sizeof(key), rep->key_hex);

	/* The signature, before a byte of the manifest is parsed. */
	if ((ret = fetch(src, MANIFEST_PATH, MANIFEST_BODY_MAX, &body, &blen, err, errlen)) ||
	    (ret = fetch(src, MANIFEST_SIG_PATH, KEY_TEXT_MAX, &sigtext, &slen, err, errlen)))
		goto out;
	if (manifest_hex_decode(sigtext, slen, sig, sizeof(sig)) || manifest_verify(key, body, blen, sig)) {
		ret = not_signed(o, have_pin, rep->key_hex, err, errlen);
		goto out;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		ret = upd_errf(-ENOMEM, err, errlen, "out of memory");
		goto out;
	}
	if ((ret = manifest_parse(body, blen, &r->m, err, errlen)))
		goto out;
	rep->issued = r->m.issued;

	if (!o->dry_run && (lock = upd_lock(o->paths, 1, err, errlen)) < 0) {
		ret = lock;
		goto out;
	}
	cdir = upd_components_dir(o->paths, 0, NULL, 0);
	if (cdir < 0 && cdir != -ENOENT) {
		ret = upd_errf(cdir, err, errlen, "cannot open %s/components: %s", o->paths->state_dir,
			       strerror(-cdir));
		goto out;
	}
	need = survey(o, r, cdir, rep);
	if (o->dry_run || (!need && have_pin && !memcmp(pin, key, sizeof(key))))
		goto out;
	ret = install(o, src, r, &cdir, rep, have_pin && !memcmp(pin, key, sizeof(key)) ? NULL : key, err,
		      errlen);
out:
	if (!ret && err && errlen)
		err[0] = '\0';
	if (cdir >= 0)
		close(cdir);
	if (lock >= 0)
		close(lock);
	free(r);
	free(body);
	free(sigtext);
	return ret;
}
