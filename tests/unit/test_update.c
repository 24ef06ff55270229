/*
 * Unit tests of client/update.c, update_fs.c and manifest.c: wicket-helper's
 * `update` and `check` against a gateway made of memory. Each case signs
 * its manifests with an Ed25519 key it generates (and a second one, the
 * "other" key), serves them with the key and the files from a fake
 * source that counts fetches per path, and works in its own temporary
 * STATE_DIR under /tmp (WICKET_KEEP_TMP=1 keeps it, and says where it is).
 * "Nothing changed" is checked by a snapshot of the whole STATE_DIR tree:
 * every path, its type and mode, a file's SHA-256, a symlink's target.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "manifest.h"
#include "paths.h"
#include "update.h"
#include "tmp_tree.h"

#define V1 1700000000LL
#define MAX_FILES 16
#define MAX_COMPS 8

struct served {
	char path[128];
	char *body;
	size_t len;
	int fetches;
};

struct comp {
	char name[65];
	int64_t version;
	char *bytes; /* what the manifest describes */
	size_t len;
};

struct fx {
	char dir[64];
	char local[128]; /* dir/local: a local directory to search */
	char tiny[128]; /* dir/tiny: the tmpfs of the disk-full case */
	int mounted;
	struct helper_paths paths;
	EVP_PKEY *key, *other;
	char key_hex[65], other_hex[65];
	struct served served[MAX_FILES];
	size_t nserved;
	struct comp comps[MAX_COMPS];
	size_t ncomps;
	struct update_source src;
	struct update_report rep;
	char err[1024];
};

/* --- the fake gateway */

static struct served *served_find(struct fx *f, const char *path)
{
	for (size_t i = 0; i < f->nserved; i++)
		if (strcmp(f->served[i].path, path) == 0)
			return &f->served[i];
	return NULL;
}

static void serve(struct fx *f, const char *path, const void *body, size_t len)
{
	struct served *s = served_find(f, path);

	if (!s) {
		assert_true(f->nserved < MAX_FILES);
		s = &f->served[f->nserved++];
		snprintf(s->path, sizeof(s->path), "%s", path);
	}
	free(s->body);
	s->body = malloc(len + 1);
	assert_non_null(s->body);
	memcpy(s->body, body, len);
	s->len = len;
}

static int fake_get(void *arg, const char *path, size_t max, char **body, size_t *len, char *err,
		    size_t errlen)
{
	struct fx *f = arg;
	struct served *s = served_find(f, path);

	if (!s) {
		snprintf(err, errlen, "the gateway answered 404");
		return -ENOENT;
	}
	s->fetches++;
	if (s->len > max) {
		snprintf(err, errlen, "the answer is longer than %zu bytes", max);
		return -EFBIG;
	}
	*body = malloc(s->len + 1);
	assert_non_null(*body);
	memcpy(*body, s->body, s->len);
	*len = s->len;
	return 0;
}

static int fetches(struct fx *f, const char *path)
{
	struct served *s = served_find(f, path);

	return s ? s->fetches : 0;
}

static int file_fetches(struct fx *f, const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), MANIFEST_FILES_PATH "%s", name);
	return fetches(f, path);
}

static int all_file_fetches(struct fx *f)
{
	int n = 0;

	for (size_t i = 0; i < f->nserved; i++)
		if (strncmp(f->served[i].path, MANIFEST_FILES_PATH, strlen(MANIFEST_FILES_PATH)) == 0)
			n += f->served[i].fetches;
	return n;
}

static void reset_counts(struct fx *f)
{
	for (size_t i = 0; i < f->nserved; i++)
		f->served[i].fetches = 0;
}

/* --- keys, hashes, manifests */

static EVP_PKEY *new_key(char hex[65])
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	uint8_t raw[32];
	size_t n = sizeof(raw);

	assert_non_null(k);
	assert_int_equal(EVP_PKEY_get_raw_public_key(k, raw, &n), 1);
	assert_int_equal(n, 32);
	manifest_hex_encode(raw, 32, hex);
	return k;
}

static void sha256_hex(const void *buf, size_t len, char hex[65])
{
	uint8_t d[32];

	assert_int_equal(EVP_Digest(buf, len, d, NULL, EVP_sha256(), NULL), 1);
	manifest_hex_encode(d, 32, hex);
}

/* key's signature of text as the gateway serves it: 128 hex and "\n". */
static void sign_hex(EVP_PKEY *key, const void *text, size_t len, char out[130])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t sig[64];
	size_t n = sizeof(sig);

	assert_non_null(ctx);
	assert_int_equal(EVP_DigestSignInit(ctx, NULL, NULL, NULL, key), 1);
	assert_int_equal(EVP_DigestSign(ctx, sig, &n, text, len), 1);
	assert_int_equal(n, 64);
	EVP_MD_CTX_free(ctx);
	manifest_hex_encode(sig, 64, out);
	strcat(out, "\n");
}

static void set_comp(struct fx *f, const char *name, int64_t version, const void *bytes, size_t len)
{
	struct comp *c = NULL;

	for (size_t i = 0; i < f->ncomps; i++)
		if (strcmp(f->comps[i].name, name) == 0)
			c = &f->comps[i];
	if (!c) {
		assert_true(f->ncomps < MAX_COMPS);
		c = &f->comps[f->ncomps++];
		snprintf(c->name, sizeof(c->name), "%s", name);
	}
	free(c->bytes);
	c->bytes = malloc(len + 1);
	assert_non_null(c->bytes);
	memcpy(c->bytes, bytes, len);
	c->len = len;
	c->version = version;
}

static void set_comp_str(struct fx *f, const char *name, int64_t version, const char *text)
{
	set_comp(f, name, version, text, strlen(text));
}

static const struct comp *comp(struct fx *f, const char *name)
{
	for (size_t i = 0; i < f->ncomps; i++)
		if (strcmp(f->comps[i].name, name) == 0)
			return &f->comps[i];
	fail_msg("no component %s", name);
	return NULL;
}

static json_t *manifest_json(struct fx *f)
{
	json_t *list = json_array();

	for (size_t i = 0; i < f->ncomps; i++) {
		const struct comp *c = &f->comps[i];
		char hex[65], url[128];

		sha256_hex(c->bytes, c->len, hex);
		snprintf(url, sizeof(url), MANIFEST_FILES_PATH "%s", c->name);
		json_array_append_new(list, json_pack("{s:s, s:I, s:s, s:I, s:s}", "name", c->name, "version",
						      (json_int_t)c->version, "sha256", hex, "size",
						      (json_int_t)c->len, "url", url));
	}
	return json_pack("{s:i, s:s, s:I, s:o}", "format", 1, "gateway", "https://10.0.1.1:8443", "issued",
			 (json_int_t)(V1 + 100), "components", list);
}

static void publish_text(struct fx *f, const char *text, size_t len, EVP_PKEY *signer)
{
	char sig[130];

	sign_hex(signer, text, len, sig);
	serve(f, MANIFEST_PATH, text, len);
	serve(f, MANIFEST_SIG_PATH, sig, strlen(sig));
}

static void publish_json(struct fx *f, json_t *root, EVP_PKEY *signer)
{
	char *text = json_dumps(root, JSON_COMPACT);

	assert_non_null(text);
	publish_text(f, text, strlen(text), signer);
	free(text);
	json_decref(root);
}

/* The gateway as wicketd runs it: its key, the files and the manifest signed with signer. */
static void publish_by(struct fx *f, EVP_PKEY *signer)
{
	char key[66], path[128];

	snprintf(key, sizeof(key), "%s\n", signer == f->other ? f->other_hex : f->key_hex);
	serve(f, MANIFEST_KEY_PATH, key, strlen(key));
	for (size_t i = 0; i < f->ncomps; i++) {
		snprintf(path, sizeof(path), MANIFEST_FILES_PATH "%s", f->comps[i].name);
		serve(f, path, f->comps[i].bytes, f->comps[i].len);
	}
	publish_json(f, manifest_json(f), signer);
}

static void publish(struct fx *f)
{
	publish_by(f, f->key);
}

/* --- running it */

static int run_with(struct fx *f, const char *key, const char *const *dirs, size_t ndirs, int dry_run)
{
	struct update_options o = {
		.paths = &f->paths,
		.key_hex_or_file = key,
		.local_dirs = dirs,
		.nlocal = ndirs,
		.dry_run = dry_run,
	};

	f->err[0] = '\0';
	return update_run(&o, &f->src, &f->rep, f->err, sizeof(f->err));
}

static int run(struct fx *f)
{
	return run_with(f, NULL, NULL, 0, 0);
}

static const struct update_item *item(struct fx *f, const char *name)
{
	for (size_t i = 0; i < f->rep.nitems; i++)
		if (strcmp(f->rep.items[i].name, name) == 0)
			return &f->rep.items[i];
	fail_msg("no item %s in the report", name);
	return NULL;
}

/* The installed bytes of name equal what the fixture's comps say. */
static void assert_installed(struct fx *f, const char *name, const void *bytes, size_t len)
{
	char path[1024], *buf = malloc(len + 2);
	int fd;
	ssize_t n;

	assert_non_null(buf);
	assert_int_equal(update_installed_path(&f->paths, name, path, sizeof(path)), 0);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, len + 2);
	close(fd);
	assert_int_equal(n, (ssize_t)len);
	assert_memory_equal(buf, bytes, len);
	free(buf);
}

static void assert_installed_comp(struct fx *f, const char *name)
{
	const struct comp *c = comp(f, name);

	assert_installed(f, name, c->bytes, c->len);
}

static void assert_not_installed(struct fx *f, const char *name)
{
	char path[1024];

	assert_int_equal(update_installed_path(&f->paths, name, path, sizeof(path)), -ENOENT);
}

static void read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, len - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
}

static void assert_pin(struct fx *f, const char *hex)
{
	char path[1024], buf[256], want[80];

	snprintf(path, sizeof(path), "%s/manifest.key", f->paths.state_dir);
	read_text(path, buf, sizeof(buf));
	snprintf(want, sizeof(want), "%s\n", hex);
	assert_string_equal(buf, want);
}

static void link_of(struct fx *f, const char *name, const char *link, char *out, size_t len)
{
	char path[1024];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/components/%s/%s", f->paths.state_dir, name, link);
	n = readlink(path, out, len - 1);
	assert_true(n > 0);
	out[n] = '\0';
}

static void write_file(const char *path, const void *bytes, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, len), (ssize_t)len);
	close(fd);
}

/* --- snapshots of STATE_DIR */

static char *snap_lines[512];
static size_t snap_n;
static size_t snap_root;

static int snap_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	char line[1024], extra[256] = "";

	(void)ftw;
	if (flag == FTW_SL) {
		ssize_t n = readlink(path, extra, sizeof(extra) - 1);

		extra[n > 0 ? n : 0] = '\0';
	} else if (S_ISREG(st->st_mode)) {
		char *buf = malloc((size_t)st->st_size + 1);
		int fd = open(path, O_RDONLY);

		assert_non_null(buf);
		assert_true(fd >= 0);
		assert_int_equal(read(fd, buf, (size_t)st->st_size), st->st_size);
		close(fd);
		sha256_hex(buf, (size_t)st->st_size, extra);
		free(buf);
	}
	snprintf(line, sizeof(line), "%s %c %o %s", path + snap_root,
		 flag == FTW_SL         ? 'l'
		 : S_ISDIR(st->st_mode) ? 'd'
					: 'f',
		 st->st_mode & 07777, extra);
	assert_true(snap_n < 512);
	snap_lines[snap_n++] = strdup(line);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every entry of STATE_DIR as one sorted text ("" when it does not exist). */
static char *snapshot(struct fx *f)
{
	size_t total = 1;
	char *out;

	snap_n = 0;
	snap_root = strlen(f->paths.state_dir);
	if (access(f->paths.state_dir, F_OK) == 0)
		assert_int_equal(nftw(f->paths.state_dir, snap_entry, 16, FTW_PHYS), 0);
	qsort(snap_lines, snap_n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < snap_n; i++)
		total += strlen(snap_lines[i]) + 1;
	out = calloc(1, total);
	assert_non_null(out);
	for (size_t i = 0; i < snap_n; i++) {
		strcat(out, snap_lines[i]);
		strcat(out, "\n");
		free(snap_lines[i]);
	}
	return out;
}

static void assert_unchanged(struct fx *f, char *before)
{
	char *after = snapshot(f);

	assert_string_equal(after, before);
	free(after);
	free(before);
}

/* --- fixture */

static const char ca_crt[] = "-----BEGIN CERTIFICATE-----\nMIIBfakefakefake\n-----END CERTIFICATE-----\n";
static const char helper_conf[] = "api = https://10.0.1.1:8443/api/v1\nkeepalive_interval = 30\n";
static const char network_json[] =
	"{\"portal\":\"https://10.0.1.1:8443\",\"dns\":[\"10.0.1.1\"],\"mtu\":1500}\n";

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/wicket-update-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->local, sizeof(f->local), "%s/local", f->dir);
	snprintf(f->tiny, sizeof(f->tiny), "%s/tiny", f->dir);
	if (mkdir(f->local, 0755))
		return -1;
	snprintf(f->paths.run_dir, sizeof(f->paths.run_dir), "%s/run", f->dir);
	snprintf(f->paths.state_dir, sizeof(f->paths.state_dir), "%s/state", f->dir);
	snprintf(f->paths.resolv_conf, sizeof(f->paths.resolv_conf), "%s/resolv.conf", f->dir);
	f->key = new_key(f->key_hex);
	f->other = new_key(f->other_hex);
	f->src.arg = f;
	f->src.get = fake_get;
	set_comp_str(f, "ca.crt", V1, ca_crt);
	set_comp_str(f, "helper.conf", V1 + 1, helper_conf);
	set_comp_str(f, "network.json", V1 + 2, network_json);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (f->mounted)
		umount2(f->tiny, MNT_DETACH);
	tmp_tree_remove(f->dir);
	EVP_PKEY_free(f->key);
	EVP_PKEY_free(f->other);
	for (size_t i = 0; i < f->nserved; i++)
		free(f->served[i].body);
	for (size_t i = 0; i < f->ncomps; i++)
		free(f->comps[i].bytes);
	free(f);
	return 0;
}

/* Publish and install the three stock components. */
static void install_all(struct fx *f)
{
	publish(f);
	assert_int_equal(run(f), 0);
	reset_counts(f);
}

/* --- manifest.c on its own */

static void test_hex_strict(void **state)
{
	uint8_t b[4];
	const char *bad[] = { "",          "0102030",   "010203040",    "01020304\n\n", "0102030g",
			      " 01020304", "01020304 ", "01020304\r\n", "0x010203" };

	(void)state;
	assert_int_equal(manifest_hex_decode("0102a0FF", 8, b, 4), 0);
	assert_int_equal(b[0], 0x01);
	assert_int_equal(b[2], 0xa0);
	assert_int_equal(b[3], 0xff);
	assert_int_equal(manifest_hex_decode("01020304\n", 9, b, 4), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(manifest_hex_decode(bad[i], strlen(bad[i]), b, 4), -EINVAL);
	/* A NUL inside is not a digit. */
	assert_int_equal(manifest_hex_decode("0102\0304", 8, b, 4), -EINVAL);
}

static void test_names(void **state)
{
	char long_name[80];

	(void)state;
	assert_true(manifest_name_valid("ca.crt"));
	assert_true(manifest_name_valid("A-z_0.9"));
	memset(long_name, 'a', 64);
	long_name[64] = '\0';
	assert_true(manifest_name_valid(long_name));
	long_name[64] = 'a';
	long_name[65] = '\0';
	assert_false(manifest_name_valid(long_name));
	assert_false(manifest_name_valid(""));
	assert_false(manifest_name_valid(".hidden"));
	assert_false(manifest_name_valid(".."));
	assert_false(manifest_name_valid("../x"));
	assert_false(manifest_name_valid("a/b"));
	assert_false(manifest_name_valid("a b"));
}

static void test_verify(void **state)
{
	struct fx *f = *state;
	const char msg[] = "{\"format\":1}";
	char sighex[130];
	uint8_t key[32], other[32], sig[64];

	sign_hex(f->key, msg, strlen(msg), sighex);
	assert_int_equal(manifest_hex_decode(sighex, strlen(sighex), sig, 64), 0);
	assert_int_equal(manifest_hex_decode(f->key_hex, 64, key, 32), 0);
	assert_int_equal(manifest_hex_decode(f->other_hex, 64, other, 32), 0);
	assert_int_equal(manifest_verify(key, msg, strlen(msg), sig), 0);
	assert_int_equal(manifest_verify(other, msg, strlen(msg), sig), -EBADMSG);
	assert_int_equal(manifest_verify(key, msg, strlen(msg) - 1, sig), -EBADMSG);
	sig[10] ^= 1;
	assert_int_equal(manifest_verify(key, msg, strlen(msg), sig), -EBADMSG);
}

/* --- update */

static void test_first_update(void **state)
{
	struct fx *f = *state;
	char target[128], want[128], hex[65];

	publish(f);
	assert_int_equal(run(f), 0);
	assert_int_equal(f->rep.key_pinned_now, 1);
	assert_string_equal(f->rep.key_hex, f->key_hex);
	assert_pin(f, f->key_hex);
	assert_int_equal(fetches(f, MANIFEST_KEY_PATH), 1);
	assert_int_equal(fetches(f, MANIFEST_PATH), 1);
	assert_int_equal(fetches(f, MANIFEST_SIG_PATH), 1);
	assert_int_equal(f->rep.nitems, 3);
	for (size_t i = 0; i < 3; i++) {
		const struct update_item *it = &f->rep.items[i];
		const struct comp *c = comp(f, it->name);

		assert_int_equal(it->state, UPDATE_MISSING);
		assert_int_equal(it->from, FROM_GATEWAY);
		assert_int_equal(it->installed_version, -1);
		assert_int_equal(it->version, c->version);
		assert_int_equal(it->size, (int64_t)c->len);
		assert_int_equal(file_fetches(f, it->name), 1);
		assert_installed_comp(f, it->name);
		/* current is relative: "<version>-<first 16 hex of sha256>" */
		sha256_hex(c->bytes, c->len, hex);
		snprintf(want, sizeof(want), "%lld-%.16s", (long long)c->version, hex);
		link_of(f, it->name, "current", target, sizeof(target));
		assert_string_equal(target, want);
		assert_string_equal(it->sha256, hex);
	}
}

static void test_second_run_fetches_nothing(void **state)
{
	struct fx *f = *state;
	char *before;

	install_all(f);
	before = snapshot(f);
	assert_int_equal(run(f), 0);
	assert_int_equal(f->rep.key_pinned_now, 0);
	assert_int_equal(fetches(f, MANIFEST_KEY_PATH), 0); /* pinned: not asked again */
	assert_int_equal(all_file_fetches(f), 0);
	assert_int_equal(f->rep.nitems, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(f->rep.items[i].state, UPDATE_CURRENT);
		assert_int_equal(f->rep.items[i].from, FROM_NONE);
		assert_int_equal(f->rep.items[i].installed_version, f->rep.items[i].version);
	}
	assert_unchanged(f, before);
}

static void test_outdated_previous_rollback(void **state)
{
	struct fx *f = *state;
	const char v2[] = "api = https://10.0.1.1:8443/api/v1\nkeepalive_interval = 10\n";
	const char v3[] = "api = https://10.0.1.1:8443/api/v1\nkeepalive_interval = 5\n";
	char cur[128], prev[128], old_cur[128], path[1024];

	install_all(f);
	link_of(f, "helper.conf", "current", old_cur, sizeof(old_cur));
	set_comp_str(f, "helper.conf", V1 + 50, v2);
	publish(f);
	assert_int_equal(run(f), 0);
	assert_int_equal(item(f, "helper.conf")->state, UPDATE_OUTDATED);
	assert_int_equal(item(f, "helper.conf")->installed_version, V1 + 1);
	assert_int_equal(item(f, "helper.conf")->from, FROM_GATEWAY);
	assert_int_equal(item(f, "ca.crt")->state, UPDATE_CURRENT);
	assert_int_equal(item(f, "network.json")->state, UPDATE_CURRENT);
	assert_int_equal(file_fetches(f, "helper.conf"), 1);
	assert_int_equal(all_file_fetches(f), 1);
	assert_installed(f, "helper.conf", v2, strlen(v2));
	link_of(f, "helper.conf", "previous", prev, sizeof(prev));
	assert_string_equal(prev, old_cur);
	link_of(f, "helper.conf", "current", cur, sizeof(cur));

	/* Back to v1, and forth to v2: a swap. */
	assert_int_equal(update_rollback(&f->paths, "helper.conf", f->err, sizeof(f->err)), 0);
	assert_installed(f, "helper.conf", helper_conf, strlen(helper_conf));
	link_of(f, "helper.conf", "previous", prev, sizeof(prev));
	assert_string_equal(prev, cur);
	assert_int_equal(update_rollback(&f->paths, NULL, f->err, sizeof(f->err)), 0);
	assert_installed(f, "helper.conf", v2, strlen(v2));
	assert_installed_comp(f, "ca.crt");

	/* Nothing to roll back to. */
	assert_int_equal(update_rollback(&f->paths, "ca.crt", f->err, sizeof(f->err)), -ENOENT);
	assert_non_null(strstr(f->err, "ca.crt"));
	assert_installed_comp(f, "ca.crt");
	assert_int_equal(update_rollback(&f->paths, "nosuch", f->err, sizeof(f->err)), -ENOENT);
	assert_int_equal(update_rollback(&f->paths, "../x", f->err, sizeof(f->err)), -EINVAL);

	/* v3: v2 becomes previous, v1's file is deleted. */
	set_comp_str(f, "helper.conf", V1 + 60, v3);
	publish(f);
	assert_int_equal(run(f), 0);
	assert_installed(f, "helper.conf", v3, strlen(v3));
	link_of(f, "helper.conf", "previous", prev, sizeof(prev));
	assert_string_equal(prev, cur);
	snprintf(path, sizeof(path), "%s/components/helper.conf/%s", f->paths.state_dir, old_cur);
	assert_int_equal(access(path, F_OK), -1);

	/* A rollback to v2 is OUTDATED for the next update, which puts v3 back. */
	assert_int_equal(update_rollback(&f->paths, "helper.conf", f->err, sizeof(f->err)), 0);
	assert_installed(f, "helper.conf", v2, strlen(v2));
	reset_counts(f);
	assert_int_equal(run(f), 0);
	assert_int_equal(item(f, "helper.conf")->state, UPDATE_OUTDATED);
	assert_int_equal(item(f, "helper.conf")->installed_version, V1 + 50);
	assert_installed(f, "helper.conf", v3, strlen(v3));
}

static void test_rollback_none(void **state)
{
	struct fx *f = *state;

	assert_int_equal(update_rollback(&f->paths, NULL, f->err, sizeof(f->err)), -ENOENT);
	install_all(f);
	assert_int_equal(update_rollback(&f->paths, NULL, f->err, sizeof(f->err)), -ENOENT);
	assert_non_null(strstr(f->err, "no component has a previous version"));
}

static void test_local_under_other_name(void **state)
{
	struct fx *f = *state;
	const char *dirs[] = { "/nonexistent-wicket-dir", f->local };
	char path[300];

	/* network.json's bytes as "profile.bak", and a decoy of the same size. */
	snprintf(path, sizeof(path), "%s/profile.bak", f->local);
	write_file(path, network_json, strlen(network_json));
	snprintf(path, sizeof(path), "%s/a-decoy", f->local);
	write_file(path, ca_crt, strlen(network_json));
	publish(f);
	assert_int_equal(run_with(f, NULL, dirs, 2, 0), 0);
	assert_int_equal(item(f, "network.json")->from, FROM_LOCAL);
	snprintf(path, sizeof(path), "%s/profile.bak", f->local);
	assert_string_equal(item(f, "network.json")->local_path, path);
	assert_int_equal(file_fetches(f, "network.json"), 0);
	assert_int_equal(item(f, "ca.crt")->from, FROM_GATEWAY);
	assert_int_equal(file_fetches(f, "ca.crt"), 1);
	assert_installed_comp(f, "network.json");
	assert_installed_comp(f, "ca.crt");
	assert_installed_comp(f, "helper.conf");
}

static void test_local_right_name_wrong_bytes(void **state)
{
	struct fx *f = *state;
	const char *dirs[] = { f->local };
	char path[300], wrong[sizeof(ca_crt)];

	/* Same name and size, one byte off: ignored. */
	memcpy(wrong, ca_crt, sizeof(ca_crt));
	wrong[5] ^= 1;
	snprintf(path, sizeof(path), "%s/ca.crt", f->local);
	write_file(path, wrong, strlen(ca_crt));
	/* helper.conf under its own name: taken. */
	snprintf(path, sizeof(path), "%s/helper.conf", f->local);
	write_file(path, helper_conf, strlen(helper_conf));
	publish(f);
	assert_int_equal(run_with(f, NULL, dirs, 1, 0), 0);
	assert_int_equal(item(f, "ca.crt")->from, FROM_GATEWAY);
	assert_int_equal(file_fetches(f, "ca.crt"), 1);
	assert_installed_comp(f, "ca.crt");
	assert_int_equal(item(f, "helper.conf")->from, FROM_LOCAL);
	assert_int_equal(file_fetches(f, "helper.conf"), 0);
	assert_installed_comp(f, "helper.conf");
}

/* The manifest's bytes with one changed after signing: a digit of "issued". */
static void tamper_manifest(struct fx *f)
{
	struct served *m = served_find(f, MANIFEST_PATH);
	char *p = memmem(m->body, m->len, "\"issued\":", 9);

	assert_non_null(p);
	p += 9;
	*p = (char)(*p == '1' ? '2' : '1');
}

static void test_bad_signature_first_use(void **state)
{
	struct fx *f = *state;
	char *before = snapshot(f);

	publish(f);
	tamper_manifest(f);
	assert_int_equal(run(f), -EPERM);
	assert_non_null(strstr(f->err, "not signed"));
	assert_int_equal(all_file_fetches(f), 0);
	assert_unchanged(f, before); /* no pin, nothing installed */
	assert_not_installed(f, "ca.crt");
}

static void test_bad_signature_pinned(void **state)
{
	struct fx *f = *state;
	char *before, prefix[17];
	struct served *s;

	install_all(f);
	set_comp_str(f, "network.json", V1 + 70, "{\"mtu\":1400}\n");
	publish(f);
	tamper_manifest(f);
	before = snapshot(f);
	assert_int_equal(run(f), -EPERM);
	snprintf(prefix, sizeof(prefix), "%.16s", f->key_hex);
	assert_non_null(strstr(f->err, "not signed by the pinned key"));
	assert_non_null(strstr(f->err, prefix));
	assert_non_null(strstr(f->err, "--key"));
	assert_int_equal(all_file_fetches(f), 0);
	assert_unchanged(f, before);

	/* A changed byte in the signature; a signature that is not hex. */
	publish(f);
	s = served_find(f, MANIFEST_SIG_PATH);
	s->body[7] = (char)(s->body[7] == '0' ? '1' : '0');
	before = snapshot(f);
	assert_int_equal(run(f), -EPERM);
	assert_unchanged(f, before);
	s->body[7] = 'x';
	before = snapshot(f);
	assert_int_equal(run(f), -EPERM);
	assert_unchanged(f, before);
	assert_pin(f, f->key_hex);
}

static void test_other_key(void **state)
{
	struct fx *f = *state;
	char *before, prefix[17], keyfile[300], text[80];

	install_all(f);
	set_comp_str(f, "ca.crt", V1 + 80, "-----BEGIN CERTIFICATE-----\nnew\n-----END CERTIFICATE-----\n");
	publish_by(f, f->other); /* the gateway's key changed: refused */
	before = snapshot(f);
	assert_int_equal(run(f), -EPERM);
	snprintf(prefix, sizeof(prefix), "%.16s", f->key_hex);
	assert_non_null(strstr(f->err, prefix));
	assert_non_null(strstr(f->err, "run update --key KEY"));
	assert_int_equal(fetches(f, MANIFEST_KEY_PATH), 0);
	assert_unchanged(f, before);
	assert_installed(f, "ca.crt", ca_crt, strlen(ca_crt));

	/* --key with the first key still: refused, pin unchanged. */
	before = snapshot(f);
	assert_int_equal(run_with(f, f->key_hex, NULL, 0, 0), -EPERM);
	assert_non_null(strstr(f->err, "given key"));
	assert_unchanged(f, before);

	/* A malformed --key. */
	assert_int_equal(run_with(f, "0123", NULL, 0, 0), -EINVAL);
	assert_pin(f, f->key_hex);

	/* --key with the other key, as a file: accepted, pinned. */
	snprintf(keyfile, sizeof(keyfile), "%s/venue.key", f->local);
	snprintf(text, sizeof(text), "%s\n", f->other_hex);
	write_file(keyfile, text, strlen(text));
	assert_int_equal(run_with(f, keyfile, NULL, 0, 0), 0);
	assert_int_equal(f->rep.key_pinned_now, 1);
	assert_string_equal(f->rep.key_hex, f->other_hex);
	assert_pin(f, f->other_hex);
	assert_int_equal(item(f, "ca.crt")->state, UPDATE_OUTDATED);
	assert_installed_comp(f, "ca.crt");

	/* From now on without --key, under the new pin; the old key is refused. */
	assert_int_equal(run(f), 0);
	assert_int_equal(f->rep.key_pinned_now, 0);
	publish_by(f, f->key);
	assert_int_equal(run(f), -EPERM);
	/* --key with hex digits on the command line: back to the first key. */
	assert_int_equal(run_with(f, f->key_hex, NULL, 0, 0), 0);
	assert_pin(f, f->key_hex);
}

static void test_hash_mismatch_installs_nothing(void **state)
{
	struct fx *f = *state;
	char *before = snapshot(f);
	char path[128], dir[600];
	struct served *s;

	/* First use: network.json's served bytes are not the manifest's. */
	publish(f);
	snprintf(path, sizeof(path), MANIFEST_FILES_PATH "network.json");
	s = served_find(f, path);
	s->body[3] ^= 0x20;
	assert_int_equal(run(f), -EBADMSG);
	assert_string_equal(f->err,
			    "component network.json from the gateway does not match the manifest's SHA-256");
	assert_not_installed(f, "ca.crt");
	assert_not_installed(f, "helper.conf");
	assert_not_installed(f, "network.json");
	/* Not even the pin, nor an empty components directory. */
	snprintf(dir, sizeof(dir), "%s/manifest.key", f->paths.state_dir);
	assert_int_equal(access(dir, F_OK), -1);
	snprintf(dir, sizeof(dir), "%s/components", f->paths.state_dir);
	assert_int_equal(access(dir, F_OK), -1);
	free(before);

	/* Installed, then three new versions of which one is bad: none lands. */
	publish(f);
	assert_int_equal(run(f), 0);
	set_comp_str(f, "ca.crt", V1 + 90, "ca v2\n");
	set_comp_str(f, "helper.conf", V1 + 90, "helper v2\n");
	set_comp_str(f, "network.json", V1 + 90, "{\"mtu\":1280}\n");
	publish(f);
	s = served_find(f, path);
	s->body[0] = 'X';
	before = snapshot(f);
	assert_int_equal(run(f), -EBADMSG);
	assert_unchanged(f, before);
	assert_installed(f, "ca.crt", ca_crt, strlen(ca_crt));
	assert_installed(f, "helper.conf", helper_conf, strlen(helper_conf));

	/* A body longer than the manifest says is refused too. */
	serve(f, path, "{\"mtu\":1280}\n\n", 14);
	before = snapshot(f);
	assert_true(run(f) < 0);
	assert_unchanged(f, before);
}

static void test_disk_full(void **state)
{
	struct fx *f = *state;
	size_t big = 64 * 1024;
	char *bytes, *before, name[256];

	if (mkdir(f->tiny, 0700))
		fail_msg("mkdir %s: %s", f->tiny, strerror(errno));
	if (mount("tmpfs", f->tiny, "tmpfs", 0, "size=16k")) {
		if (errno == EPERM) {
			fprintf(stderr,
				"test_disk_full: skipped: cannot mount a tmpfs (EPERM), not root here\n");
			skip();
		}
		fail_msg("mount tmpfs on %s: %s", f->tiny, strerror(errno));
	}
	f->mounted = 1;
	snprintf(f->paths.state_dir, sizeof(f->paths.state_dir), "%s", f->tiny);
	/* ca.crt only (the first): 16k holds it and the pin. */
	for (size_t i = 1; i < f->ncomps; i++)
		free(f->comps[i].bytes);
	f->ncomps = 1;
	publish(f);
	assert_int_equal(run(f), 0);
	assert_installed_comp(f, "ca.crt");

	bytes = malloc(big);
	assert_non_null(bytes);
	memset(bytes, 'c', big);
	set_comp(f, "ca.crt", V1 + 100, bytes, big);
	free(bytes);
	publish(f);
	before = snapshot(f);
	assert_int_equal(run(f), -ENOSPC);
	snprintf(name, sizeof(name), "no space left in %s to install ca.crt", f->tiny);
	assert_string_equal(f->err, name);
	assert_unchanged(f, before); /* no temp file left, the install intact */
	assert_installed(f, "ca.crt", ca_crt, strlen(ca_crt));
}

/* A manifest signed by the right key but malformed in one way. */
enum bad {
	NOT_JSON,
	NOT_OBJECT,
	MISSING_FIELD,
	BAD_NAME,
	DUP_NAME,
	URL_MISMATCH,
	SIZE_TOO_BIG,
	NEGATIVE_SIZE,
	BAD_SHA,
	SHORT_SHA,
	WRONG_TYPE,
	FORMAT_2,
	VERSION_REAL,
	EXTRA_BYTES,
	NBAD
};

static void publish_bad(struct fx *f, enum bad b)
{
	json_t *root = manifest_json(f), *list = json_object_get(root, "components");
	json_t *c = json_array_get(list, 1);

	switch (b) {
	case NOT_JSON:
		json_decref(root);
		publish_text(f, "this is not json", 16, f->key);
		return;
	case NOT_OBJECT:
		json_decref(root);
		publish_text(f, "[1,2,3]", 7, f->key);
		return;
	case EXTRA_BYTES: {
		char *text = json_dumps(root, JSON_COMPACT);
		char buf[4096];

		snprintf(buf, sizeof(buf), "%s{}", text);
		free(text);
		json_decref(root);
		publish_text(f, buf, strlen(buf), f->key);
		return;
	}
	case MISSING_FIELD:
		json_object_del(c, "sha256");
		break;
	case BAD_NAME:
		json_object_set_new(c, "name", json_string("../x"));
		json_object_set_new(c, "url", json_string(MANIFEST_FILES_PATH "../x"));
		break;
	case DUP_NAME:
		json_object_set_new(c, "name", json_string("ca.crt"));
		json_object_set_new(c, "url", json_string(MANIFEST_FILES_PATH "ca.crt"));
		break;
	case URL_MISMATCH:
		json_object_set_new(c, "url", json_string(MANIFEST_FILES_PATH "ca.crt"));
		break;
	case SIZE_TOO_BIG:
		json_object_set_new(c, "size", json_integer(64LL * 1024 * 1024 + 1));
		break;
	case NEGATIVE_SIZE:
		json_object_set_new(c, "size", json_integer(-1));
		break;
	case BAD_SHA:
		json_object_set_new(
			c, "sha256",
			json_string("zz00000000000000000000000000000000000000000000000000000000000000"));
		break;
	case SHORT_SHA:
		json_object_set_new(c, "sha256", json_string("00000000"));
		break;
	case WRONG_TYPE:
		json_object_set_new(c, "version", json_string("1700000001"));
		break;
	case FORMAT_2:
		json_object_set_new(root, "format", json_integer(2));
		break;
	case VERSION_REAL:
		json_object_set_new(c, "version", json_real(1700000001.0));
		break;
	case NBAD:
		break;
	}
	publish_json(f, root, f->key);
}

static void test_malformed_manifests(void **state)
{
	struct fx *f = *state;
	char *before;

	/* On first use: refused, and nothing pinned. */
	publish(f);
	publish_bad(f, DUP_NAME);
	before = snapshot(f);
	assert_int_equal(run(f), -EINVAL);
	assert_unchanged(f, before);

	install_all(f);
	set_comp_str(f, "helper.conf", V1 + 200, "changed\n");
	publish(f);
	for (int b = 0; b < NBAD; b++) {
		publish_bad(f, (enum bad)b);
		before = snapshot(f);
		assert_int_equal(run(f), -EINVAL);
		print_message("case %d: %s\n", b, f->err);
		assert_true(f->err[0] != '\0');
		assert_int_equal(all_file_fetches(f), 0);
		assert_unchanged(f, before);
	}
	assert_installed(f, "helper.conf", helper_conf, strlen(helper_conf));
}

static void test_dry_run(void **state)
{
	struct fx *f = *state;
	const char *dirs[] = { f->local };
	char *before, path[300];

	snprintf(path, sizeof(path), "%s/ca-copy", f->local);
	write_file(path, ca_crt, strlen(ca_crt));
	publish(f);
	before = snapshot(f);
	assert_int_equal(run_with(f, NULL, dirs, 1, 1), 0);
	assert_unchanged(f, before); /* not even the pin */
	assert_int_equal(f->rep.key_pinned_now, 0);
	assert_string_equal(f->rep.key_hex, f->key_hex);
	assert_int_equal(f->rep.nitems, 3);
	assert_int_equal(item(f, "ca.crt")->state, UPDATE_MISSING);
	assert_int_equal(item(f, "ca.crt")->from, FROM_LOCAL);
	assert_string_equal(item(f, "ca.crt")->local_path, path);
	assert_int_equal(item(f, "helper.conf")->state, UPDATE_MISSING);
	assert_int_equal(item(f, "helper.conf")->from, FROM_GATEWAY);
	assert_int_equal(all_file_fetches(f), 0);

	install_all(f);
	set_comp_str(f, "network.json", V1 + 300, "{\"mtu\":9000}\n");
	publish(f);
	before = snapshot(f);
	assert_int_equal(run_with(f, NULL, dirs, 1, 1), 0);
	assert_unchanged(f, before);
	assert_int_equal(item(f, "network.json")->state, UPDATE_OUTDATED);
	assert_int_equal(item(f, "network.json")->from, FROM_GATEWAY);
	assert_int_equal(item(f, "ca.crt")->state, UPDATE_CURRENT);
	assert_int_equal(all_file_fetches(f), 0);
	assert_installed(f, "network.json", network_json, strlen(network_json));

	/* A dry run under another key is refused as the real one is. */
	publish_by(f, f->other);
	before = snapshot(f);
	assert_int_equal(run_with(f, NULL, dirs, 1, 1), -EPERM);
	assert_unchanged(f, before);
}

static void test_damaged_install(void **state)
{
	struct fx *f = *state;
	char path[1024], cur[128], stale[1200];

	install_all(f);
	/* current's bytes changed behind its name's back: OUTDATED, repaired. */
	assert_int_equal(update_installed_path(&f->paths, "helper.conf", path, sizeof(path)), 0);
	write_file(path, "tampered\n", 9);
	/* A symlink escaping its directory is not followed: MISSING. */
	snprintf(path, sizeof(path), "%s/components/ca.crt/current", f->paths.state_dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink("../../manifest.key", path), 0);
	/* A temp file a crashed run left. */
	link_of(f, "network.json", "current", cur, sizeof(cur));
	snprintf(stale, sizeof(stale), "%s/components/network.json/.new-%s", f->paths.state_dir, cur);
	write_file(stale, "junk", 4);
	set_comp_str(f, "network.json", V1 + 400, "{\"mtu\":1492}\n");
	publish(f);

	assert_int_equal(run(f), 0);
	assert_int_equal(item(f, "helper.conf")->state, UPDATE_OUTDATED);
	assert_int_equal(item(f, "ca.crt")->state, UPDATE_MISSING);
	assert_int_equal(item(f, "ca.crt")->installed_version, -1);
	assert_installed_comp(f, "helper.conf");
	assert_installed_comp(f, "ca.crt");
	assert_installed_comp(f, "network.json");
	assert_int_equal(access(stale, F_OK), -1);
	assert_int_equal(run(f), 0);
	for (size_t i = 0; i < f->rep.nitems; i++)
		assert_int_equal(f->rep.items[i].state, UPDATE_CURRENT);
	assert_pin(f, f->key_hex);
}

static void test_fetch_errors(void **state)
{
	struct fx *f = *state;
	char *before = snapshot(f);
	char path[128], pin[600];

	/* No key published and none pinned. */
	publish(f);
	served_find(f, MANIFEST_KEY_PATH)->path[0] = '\0';
	assert_int_equal(run(f), -ENOENT);
	assert_non_null(strstr(f->err, MANIFEST_KEY_PATH));
	assert_non_null(strstr(f->err, "404"));
	assert_unchanged(f, before);

	/* A key that is not 64 hex digits. */
	serve(f, MANIFEST_KEY_PATH, "not a key\n", 10);
	assert_int_equal(run(f), -EINVAL);

	/* A file the gateway does not have: nothing installed, nothing pinned. */
	publish(f);
	snprintf(path, sizeof(path), MANIFEST_FILES_PATH "helper.conf");
	served_find(f, path)->path[0] = '\0';
	assert_int_equal(run(f), -ENOENT);
	assert_non_null(strstr(f->err, path));
	assert_not_installed(f, "ca.crt");
	snprintf(pin, sizeof(pin), "%s/manifest.key", f->paths.state_dir);
	assert_int_equal(access(pin, F_OK), -1);
}

static void test_damaged_pin(void **state)
{
	struct fx *f = *state;
	char path[600], *before;

	install_all(f);
	snprintf(path, sizeof(path), "%s/manifest.key", f->paths.state_dir);
	write_file(path, "0123456789abcdef\n", 17);
	before = snapshot(f);
	/* Not trusted on first use again: refused until --key. */
	assert_int_equal(run(f), -EINVAL);
	assert_non_null(strstr(f->err, "manifest.key"));
	assert_int_equal(fetches(f, MANIFEST_KEY_PATH), 0);
	assert_unchanged(f, before);
	assert_int_equal(run_with(f, f->key_hex, NULL, 0, 0), 0);
	assert_int_equal(f->rep.key_pinned_now, 1);
	assert_pin(f, f->key_hex);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_strict),
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_verify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_run_fetches_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outdated_previous_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_none, setup, teardown),
		cmocka_unit_test_setup_teardown(test_local_under_other_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_local_right_name_wrong_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_signature_first_use, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_signature_pinned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hash_mismatch_installs_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_manifests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dry_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_install, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fetch_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_pin, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
