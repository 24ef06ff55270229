/*
 * libFuzzer: a RADIUS server's answer as wicketd's RADIUS client takes it
 * (daemon/radius.c): check_answer() against a fixed request (framing,
 * Identifier, code, Response Authenticator, Message-Authenticator), then,
 * for an answer that passes, read_answer() (radcli's rc_avpair_gen()
 * decodes the attributes: Reply-Message, Session-Timeout, Class) and the
 * verdict, as radius_auth() does. radius.c is #included for its static
 * functions; the dictionary is the one wicketd ships
 * (packaging/radius/dictionary.radcli, found from the harness's own path).
 *
 * Input: one control byte, then the answer datagram.
 *   bit 0  the request is an Accounting-Request (else an Access-Request)
 *   bit 1  the harness sets the answer's Length field to its size
 *   bit 2  ... its Identifier to the request's
 *   bit 3  ... its Message-Authenticator, if it has one, to the right HMAC
 *   bit 4  ... its Response Authenticator to the right MD5
 * so that the fuzzer, which cannot forge MD5, gets past the checks; the
 * harness computes both as RFC 2865 3 and RFC 3579 3.2 say, apart from
 * radius.c.
 *
 * Checked, besides what ASan and UBSan see: with every fix applied, an
 * answer is taken exactly when it is well formed (RFC 2865 3 and 5), answers
 * the request's code and has at most one Message-Authenticator of 18
 * bytes; a decoded answer's texts are NUL-terminated and its Class fits.
 *
 * radcli reports garbled attributes with syslog(): silenced here (the
 * harness defines syslog and __syslog_chk), so that a fuzzing run never
 * floods the machine's log.
 */
#include "radius.c"

#include <libgen.h>
#include <limits.h>
#include <stdint.h>

static const char secret[] = "fuzz-shared-secret";
static const uint8_t request_auth[AUTH_LEN] = { 0x3a, 0x11, 0x5c, 0x07, 0xe2, 0x90, 0x41, 0x6b,
						0x88, 0x1d, 0xf0, 0x25, 0x9e, 0x63, 0xb4, 0xc8 };
#define REQUEST_ID 0x42

static struct radius *r;

void syslog(int pri, const char *fmt, ...)
{
	(void)pri;
	(void)fmt;
}

void __syslog_chk(int pri, int flag, const char *fmt, ...);
void __syslog_chk(int pri, int flag, const char *fmt, ...)
{
	(void)pri;
	(void)flag;
	(void)fmt;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char exe[PATH_MAX], dict[PATH_MAX + 64], err[256];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct radius_params p = {
		.auth_host = "127.0.0.1",
		.acct_host = "127.0.0.1",
		.secret = secret,
		.secret_len = sizeof(secret) - 1,
		.nas_identifier = "fuzz-gw",
		.timeout_ms = 1000,
		.dictionary = dict,
	};

	(void)argc;
	(void)argv;
	if (n <= 0)
		abort();
	exe[n] = '\0';
	/* build/fuzz/fuzz_radius -> packaging/radius/dictionary.radcli */
	snprintf(dict, sizeof(dict), "%s/../../packaging/radius/dictionary.radcli", dirname(exe));
	if (radius_open(&p, &r, err, sizeof(err))) {
		fprintf(stderr, "fuzz_radius: radius_open: %s\n", err);
		abort();
	}
	return 0;
}

static void md5_of(uint8_t out[AUTH_LEN], const uint8_t *a, size_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n = 0;

	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_md5(), NULL) || !EVP_DigestUpdate(ctx, a, 4) ||
	    !EVP_DigestUpdate(ctx, request_auth, AUTH_LEN) ||
	    !EVP_DigestUpdate(ctx, a + HDR_LEN, len - HDR_LEN) ||
	    !EVP_DigestUpdate(ctx, secret, sizeof(secret) - 1) || !EVP_DigestFinal_ex(ctx, out, &n))
		abort();
	EVP_MD_CTX_free(ctx);
}

/*
 * The attributes of a[0..len) (len >= HDR_LEN): 1 when they are well
 * formed with at most one Message-Authenticator of 18 bytes (its offset in
 * *ma, 0 without), else 0.
 */
static int well_formed(const uint8_t *a, size_t len, size_t *ma)
{
	size_t off = HDR_LEN;

	*ma = 0;
	while (off < len) {
		if (len - off < 2 || a[off + 1] < 2 || a[off + 1] > len - off)
			return 0;
		if (a[off] == ATTR_MESSAGE_AUTHENTICATOR) {
			if (a[off + 1] != 18 || *ma)
				return 0;
			*ma = off;
		}
		off += a[off + 1];
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct packet q;
	struct radius_auth_result out;
	unsigned int ctl;
	size_t n, len, ma = 0;
	uint8_t *a;
	int ret, framed, all_fixed;

	if (size < 1 || size - 1 > PACKET_MAX)
		return 0;
	ctl = data[0];
	n = size - 1;

	memset(&q, 0, sizeof(q));
	q.buf[0] = (ctl & 1) ? CODE_ACCOUNTING_REQUEST : CODE_ACCESS_REQUEST;
	q.buf[1] = REQUEST_ID;
	memcpy(q.authenticator, request_auth, AUTH_LEN);
	q.len = HDR_LEN;

	/* Exactly the datagram's bytes: ASan sees a read past them. */
	a = malloc(n ? n : 1);
	if (!a)
		abort();
	memcpy(a, data + 1, n);
	if (n >= HDR_LEN) {
		if (ctl & 2)
			put_be16(a + 2, (uint16_t)n);
		if (ctl & 4)
			a[1] = REQUEST_ID;
	}
	len = n >= HDR_LEN ? get_be16(a + 2) : 0;
	framed = n >= HDR_LEN && len >= HDR_LEN && len <= n && well_formed(a, len, &ma);
	if (framed && ma && (ctl & 8)) {
		uint8_t copy[PACKET_MAX], digest[AUTH_LEN];
		unsigned int dn = 0;

		memcpy(copy, a, len);
		memcpy(copy + 4, request_auth, AUTH_LEN);
		memset(copy + ma + 2, 0, AUTH_LEN);
		if (!HMAC(EVP_md5(), secret, sizeof(secret) - 1, copy, len, digest, &dn))
			abort();
		memcpy(a + ma + 2, digest, AUTH_LEN);
	}
	if (framed && (ctl & 16))
		md5_of(a + 4, a, len);
	all_fixed = (ctl & 0x1e) == 0x1e;

	ret = check_answer(r, &q, a, n);
	if (ret != 0 && ret != -EAGAIN && ret != -EBADMSG)
		abort();
	if (all_fixed && (ret == 0) != (framed && answers(q.buf[0], a[0])))
		abort();
	if (ret == 0) {
		if (!framed || a[1] != REQUEST_ID || !answers(q.buf[0], a[0]))
			abort();
		memset(&out, 0, sizeof(out));
		out.verdict = RADIUS_ERROR;
		read_answer(r, a, len, &out);
		if (strnlen(out.reply_message, sizeof(out.reply_message)) == sizeof(out.reply_message) ||
		    out.class_len > sizeof(out.class_))
			abort();
		if (a[0] == CODE_ACCESS_ACCEPT)
			out.verdict = RADIUS_ACCEPT;
		else if (a[0] == CODE_ACCESS_REJECT)
			out.verdict = RADIUS_REJECT;
	}
	free(a);
	return 0;
}
