/*
 * The keepalive server: UDP socket, master secret, batches of datagrams
 * verified against the store, and the kernel's deadlines moved forward.
 */
#include "keepalive.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gateway.h"
#include "log.h"
#include "session.h"
#include "store.h"

#define MASTER_NEW_LEN 32
#define MASTER_MAX_LEN 4096
/* Room for a burst of keepalives while a batch is being committed. */
#define SOCKET_RCVBUF (4 << 20)

/* A keepalive taken into the open batch: its gate's new time, for the kernel once it is committed. */
struct accepted {
	uint64_t session_id;
	struct kernel_client gate;
	int open; /* the session's gate lets traffic through (active or provisional) */
};

/*
 * Derived keys, direct-mapped by session id: deriving (HKDF) costs about
 * as much as verifying, and a session sends the same key every time.
 */
#define KEY_CACHE_SIZE 65536
struct key_slot {
	uint64_t session_id; /* 0: empty */
	uint8_t key[KEEPALIVE_KEY_LEN];
};

struct keepalive_server {
	struct gateway *gw;
	int fd;
	struct event *ev;
	uint16_t port;
	uint8_t master[MASTER_MAX_LEN];
	size_t master_len;
	struct keepalive_stats stats;
	/* The batch being taken: the session the last lookup found, and the accepted ones. */
	struct store_session_row looked_up;
	struct accepted accepted[KEEPALIVE_BATCH];
	size_t naccepted;
	struct key_slot *keys;
	/* The last port looked up: most keepalives of a batch come from a few ports. */
	char port_name[STORE_IFNAME_LEN];
	uint32_t port_index;
};

/* A new master secret, written so that a crash leaves either none or a whole one. */
static int create_master(const char *path, uint8_t *master, size_t *len, char *err, size_t errlen)
{
	char tmp[CONFIG_PATH_MAX + 8];
	int fd, ret = 0;

	if (RAND_bytes(master, MASTER_NEW_LEN) != 1) {
		snprintf(err, errlen, "keepalive secret: the random number generator failed");
		return -EIO;
	}
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || write(fd, master, MASTER_NEW_LEN) != MASTER_NEW_LEN || fsync(fd) || rename(tmp, path))
		ret = -errno;
	if (fd >= 0)
		close(fd);
	if (ret) {
		unlink(tmp);
		snprintf(err, errlen, "keepalive secret %s: cannot create it: %s", path, strerror(-ret));
		return ret;
	}
	*len = MASTER_NEW_LEN;
	log_info("keepalive secret %s created", path);
	return 0;
}

/* The master secret: raw bytes of a file only its owner may read. */
static int read_master(const char *path, uint8_t *master, size_t *len, char *err, size_t errlen)
{
	struct stat sb;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0 && errno == ENOENT)
		return create_master(path, master, len, err, errlen);
	if (fd < 0) {
		snprintf(err, errlen, "keepalive secret %s: %s", path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || (sb.st_mode & 0077)) {
		snprintf(err, errlen,
			 "keepalive secret %s: must be a regular file only its owner can read "
			 "(chmod 600)",
			 path);
		close(fd);
		return -EPERM;
	}
	n = read(fd, master, MASTER_MAX_LEN);
	close(fd);
	if (n < KEEPALIVE_MASTER_MIN_LEN || sb.st_size > MASTER_MAX_LEN) {
		snprintf(err, errlen,
			 "keepalive secret %s: needs %d to %d bytes, has %lld (make one with: "
			 "head -c 32 /dev/urandom > %s)",
			 path, KEEPALIVE_MASTER_MIN_LEN, MASTER_MAX_LEN, (long long)sb.st_size, path);
		return -EINVAL;
	}
	*len = (size_t)n;
	return 0;
}

/* Every address, IPv6 and IPv4 in one socket; IPv4 alone where IPv6 is off. */
static int open_socket(uint16_t port, uint16_t *bound, char *err, size_t errlen)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct sockaddr_storage got;
	socklen_t gotlen = sizeof(got);
	int off = 0, rcvbuf = SOCKET_RCVBUF, ret;
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd >= 0) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
		ret = bind(fd, (struct sockaddr *)&a6, sizeof(a6));
	} else {
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		ret = fd < 0 ? -1 : bind(fd, (struct sockaddr *)&a4, sizeof(a4));
	}
	if (fd < 0 || ret) {
		ret = -errno;
		snprintf(err, errlen, "keepalive port %u/udp: %s", port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	/*
	 * A larger buffer is a wish, not a need: the default only drops more
	 * in a burst. FORCE goes past net.core.rmem_max, with CAP_NET_ADMIN.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	getsockname(fd, (struct sockaddr *)&got, &gotlen);
	*bound = ntohs(got.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&got)->sin6_port
						 : ((struct sockaddr_in *)&got)->sin_port);
	return fd;
}

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	keepalive_receive(arg);
}

int keepalive_open(struct gateway *gw, const struct wicket_config *cfg, struct keepalive_server **out,
		   char *err, size_t errlen)
{
	struct keepalive_server *ks = calloc(1, sizeof(*ks));
	int ret;

	*out = NULL;
	if (!ks) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ks->gw = gw;
	ks->fd = -1;
	ks->keys = calloc(KEY_CACHE_SIZE, sizeof(*ks->keys));
	if (!ks->keys) {
		free(ks);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = read_master(cfg->keepalive.secret_file, ks->master, &ks->master_len, err, errlen);
	if (!ret) {
		ret = open_socket(cfg->keepalive.port, &ks->port, err, errlen);
		ks->fd = ret;
		ret = ret < 0 ? ret : 0;
	}
	if (!ret) {
		ks->ev = event_new(gw->base, ks->fd, EV_READ | EV_PERSIST, on_readable, ks);
		if (!ks->ev || event_add(ks->ev, NULL)) {
			snprintf(err, errlen, "keepalive socket: cannot watch it");
			ret = -ENOMEM;
		}
	}
	if (ret) {
		keepalive_close(ks);
		return ret;
	}
	*out = ks;
	return 0;
}

void keepalive_close(struct keepalive_server *ks)
{
	if (!ks)
		return;
	if (ks->ev)
		event_free(ks->ev);
	if (ks->fd >= 0)
		close(ks->fd);
	OPENSSL_cleanse(ks->master, sizeof(ks->master));
	if (ks->keys)
		OPENSSL_cleanse(ks->keys, KEY_CACHE_SIZE * sizeof(*ks->keys));
	free(ks->keys);
	free(ks);
}

int keepalive_session_key(const struct keepalive_server *ks, uint64_t session_id,
			  uint8_t key[KEEPALIVE_KEY_LEN])
{
	return keepalive_derive_key(ks->master, ks->master_len, session_id, key);
}

const struct keepalive_stats *keepalive_stats(const struct keepalive_server *ks)
{
	return &ks->stats;
}

uint16_t keepalive_port(const struct keepalive_server *ks)
{
	return ks->port;
}

/* A session's key, from the cache or derived into it. */
static int session_key(struct keepalive_server *ks, uint64_t session_id, uint8_t key[KEEPALIVE_KEY_LEN])
{
	struct key_slot *slot = &ks->keys[session_id % KEY_CACHE_SIZE];

	if (slot->session_id != session_id) {
		if (keepalive_session_key(ks, session_id, slot->key)) {
			slot->session_id = 0;
			return -EIO;
		}
		slot->session_id = session_id;
	}
	memcpy(key, slot->key, KEEPALIVE_KEY_LEN);
	return 0;
}

/*
 * keepalive_verify's lookup: a session that has not ended, with its key
 * and the last counter accepted, in this batch too (the batch's writes
 * are visible in its transaction).
 */
static int lookup(void *arg, uint64_t session_id, uint8_t key[KEEPALIVE_KEY_LEN], uint64_t *last_counter)
{
	struct keepalive_server *ks = arg;
	struct store_session_row *r = &ks->looked_up;
	int ret;

	if (session_id == 0 || session_id > INT64_MAX)
		return -ENOENT;
	ret = store_session_row_get(ks->gw->store, session_id, r);
	if (ret)
		return ret;
	if (strcmp(r->session.state, "ended") == 0)
		return -ENOENT;
	*last_counter = r->session.keepalive_counter;
	return session_key(ks, session_id, key);
}

static uint32_t port_index(struct keepalive_server *ks, const char *name)
{
	if (strcmp(ks->port_name, name) != 0 || !ks->port_index) {
		snprintf(ks->port_name, sizeof(ks->port_name), "%s", name);
		ks->port_index = if_nametoindex(name);
	}
	return ks->port_index;
}

/* The kernel entry of a session just kept alive at now, with its gate's new time. */
static void gate_update(struct keepalive_server *ks, int64_t now, struct accepted *a)
{
	struct store_session s = ks->looked_up.session;
	struct kernel_client *k = &a->gate;
	int64_t closes;

	/* Only an open gate has a deadline to move; a pending session waits for its approval. */
	a->open = strcmp(s.state, "active") == 0 || strcmp(s.state, "provisional") == 0;
	memset(k, 0, sizeof(*k));
	k->port = port_index(ks, ks->looked_up.port);
	if (!k->port || kernel_mac_parse(ks->looked_up.mac, k->mac))
		a->open = 0;
	s.keepalive_at = now;
	closes = session_closes_at(ks->gw->config, &s);
	k->has = KERNEL_CLIENT_HAS_TIMEOUT;
	k->timeout_ms = closes > now ? (uint64_t)(closes - now) : 1;
}

/* One datagram into the open batch. */
static void take(struct keepalive_server *ks, const uint8_t *dgram, size_t len, int64_t now)
{
	struct keepalive_msg msg;
	int r = keepalive_verify(dgram, len, lookup, ks, &msg);

	if (r == KEEPALIVE_OK && store_session_keepalive(ks->gw->store, msg.session_id, msg.counter, now)) {
		log_warn("keepalive of session %llu: store: %s", (unsigned long long)msg.session_id,
			 store_error(ks->gw->store));
		r = KEEPALIVE_ERROR;
	}
	if (r >= 0 && r < KEEPALIVE_RESULT_COUNT)
		ks->stats.results[r]++;
	if (r == KEEPALIVE_OK) {
		struct accepted *a = &ks->accepted[ks->naccepted++];

		a->session_id = msg.session_id;
		gate_update(ks, now, a);
	} else if (r == KEEPALIVE_REPLAY) {
		log_debug("keepalive for session %llu refused: replay", (unsigned long long)msg.session_id);
	}
}

static int by_session(const void *a, const void *b)
{
	const struct accepted *x = a, *y = b;

	return (x->session_id > y->session_id) - (x->session_id < y->session_id);
}

/* The committed batch's gates: one kernel request for all of them. */
static void move_deadlines(struct keepalive_server *ks)
{
	static struct kernel_client k[KEEPALIVE_BATCH];
	size_t n = 0;

	/* Several keepalives of one session in a batch make one update: sorted, the same ones meet. */
	qsort(ks->accepted, ks->naccepted, sizeof(ks->accepted[0]), by_session);
	for (size_t i = 0; i < ks->naccepted; i++) {
		if (i && ks->accepted[i].session_id == ks->accepted[i - 1].session_id)
			continue;
		if (ks->accepted[i].open)
			k[n++] = ks->accepted[i].gate;
	}
	if (!n || !ks->gw->kernel || kernel_client_update(ks->gw->kernel, k, n) == 0)
		return;
	/* wicket.ko refuses a whole batch for one client it lacks: the others one by one. */
	for (size_t i = 0; i < n; i++) {
		char mac[18];

		if (kernel_client_update(ks->gw->kernel, &k[i], 1))
			log_warn("keepalive of %s: wicket.ko: %s",
				 kernel_mac_format(k[i].mac, mac, sizeof(mac)), kernel_error(ks->gw->kernel));
	}
}

/* Up to KEEPALIVE_RECV datagrams; how many, 0 when none is waiting. */
static int receive_some(struct keepalive_server *ks, uint8_t (*buf)[KEEPALIVE_LEN + 1], unsigned int *len)
{
	struct mmsghdr msgs[KEEPALIVE_RECV];
	struct iovec iov[KEEPALIVE_RECV];
	int n;

	for (int i = 0; i < KEEPALIVE_RECV; i++) {
		/* One byte more than a keepalive, so that a longer datagram shows as too long. */
		iov[i] = (struct iovec){ .iov_base = buf[i], .iov_len = KEEPALIVE_LEN + 1 };
		msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
	}
	n = recvmmsg(ks->fd, msgs, KEEPALIVE_RECV, MSG_DONTWAIT, NULL);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn("keepalive socket: %s", strerror(errno));
		return 0;
	}
	for (int i = 0; i < n; i++)
		len[i] = msgs[i].msg_len;
	return n;
}

void keepalive_receive(struct keepalive_server *ks)
{
	static uint8_t buf[KEEPALIVE_RECV][KEEPALIVE_LEN + 1];
	unsigned int len[KEEPALIVE_RECV];
	int64_t now = session_now_ms();
	size_t taken = 0;
	int n = receive_some(ks, buf, len);

	if (n == 0)
		return;
	ks->stats.batches++;
	ks->naccepted = 0;
	if (store_begin(ks->gw->store)) {
		log_err("keepalives: store: %s", store_error(ks->gw->store));
		ks->stats.store_failures++;
		return;
	}
	/* What waits is taken into the same transaction, up to a batch: one fsync for a burst. */
	while (n > 0) {
		for (int i = 0; i < n; i++)
			take(ks, buf[i], len[i], now);
		taken += (size_t)n;
		n = taken + KEEPALIVE_RECV <= KEEPALIVE_BATCH ? receive_some(ks, buf, len) : 0;
	}
	if (store_commit(ks->gw->store)) {
		/* Not durable, so not taken: the client's next keepalive will do. */
		log_err("keepalives: store: %s; %zu keepalives not taken", store_error(ks->gw->store),
			ks->naccepted);
		store_rollback(ks->gw->store);
		ks->stats.results[KEEPALIVE_OK] -= ks->naccepted;
		ks->stats.results[KEEPALIVE_ERROR] += ks->naccepted;
		ks->stats.store_failures++;
		return;
	}
	move_deadlines(ks);
}
