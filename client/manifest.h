/*
 * The gateway's signed component manifest (manifest.c), as wicketd
 * publishes it (daemon/components.h has the contract): its Ed25519 key
 * and signature in hex, the signature checked over the manifest's exact
 * bytes BEFORE any of them is parsed, then a strict parse: format 1,
 * every field present with its type, names as the contract allows them,
 * sha256 of 64 hex digits, 0 <= size <= 64 MiB, url that of the name, no
 * name twice, at most MANIFEST_MAX_COMPONENTS components.
 */
#ifndef WICKET_HELPER_MANIFEST_H
#define WICKET_HELPER_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#define MANIFEST_KEY_LEN 32
#define MANIFEST_SIG_LEN 64
#define MANIFEST_MAX_COMPONENTS 64
#define MANIFEST_MAX_SIZE (64LL * 1024 * 1024)
#define MANIFEST_NAME_MAX 64
#define MANIFEST_FILES_PATH "/api/v1/components/files/"
#define MANIFEST_KEY_PATH "/api/v1/components/key"
#define MANIFEST_PATH "/api/v1/components/manifest"
#define MANIFEST_SIG_PATH "/api/v1/components/manifest.sig"
/* The most of the manifest's body that is read. */
#define MANIFEST_BODY_MAX (1024 * 1024)

struct manifest_component {
	char name[MANIFEST_NAME_MAX + 1];
	int64_t version; /* >= 0 */
	char sha256[65]; /* lower-case hex */
	int64_t size;
	char url[sizeof(MANIFEST_FILES_PATH) + MANIFEST_NAME_MAX];
};

struct manifest {
	char gateway[256];
	int64_t issued;
	size_t n;
	struct manifest_component c[MANIFEST_MAX_COMPONENTS];
};

/*
 * Exactly 2 * n hex digits (either case), then at most one "\n"; nothing
 * else. 0 or -EINVAL.
 */
int manifest_hex_decode(const char *text, size_t len, uint8_t *out, size_t n);
/* n bytes as 2n lower-case hex digits and a NUL into out. */
void manifest_hex_encode(const uint8_t *in, size_t n, char *out);
/* A component's name per the contract: 1 to 64 of [A-Za-z0-9._-], not starting with '.'. */
int manifest_name_valid(const char *name);

/* 0 when sig is key's Ed25519 signature of body[0..len), else -EBADMSG (-ENOMEM). */
int manifest_verify(const uint8_t key[MANIFEST_KEY_LEN], const void *body, size_t len,
		    const uint8_t sig[MANIFEST_SIG_LEN]);
/* The strict parse of a manifest's bytes (verified first!): 0 or -EINVAL with err. */
int manifest_parse(const void *body, size_t len, struct manifest *m, char *err, size_t errlen);
/* The component named name, or NULL. */
const struct manifest_component *manifest_find(const struct manifest *m, const char *name);

#endif
