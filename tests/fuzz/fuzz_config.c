/*
 * libFuzzer: wicketd's configuration file (daemon/config.c), read with
 * config_load_file() as wicketd and `wicketd --check-config` read it. The
 * input is the file's bytes, written to a memfd and read back through
 * /proc/self/fd/N: nothing is written to any file system.
 *
 * Checked, besides what ASan and UBSan see: a refused file has a one-line
 * message; an accepted one has its required values, ports sorted by name
 * and unique, each found by config_port(); and config_load_string() gives
 * the very same answer (config and message) for a text without NUL bytes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"

static int fd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fd = memfd_create("wicketd.conf", MFD_CLOEXEC);
	if (fd < 0) {
		perror("memfd_create");
		abort();
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return 0;
}

static void check_config(const struct wicket_config *c)
{
	if (!c->gateway.portal.host[0] || !c->gateway.portal.port || !c->gateway.upstream[0] ||
	    !c->keepalive.secret_file[0] || c->nports == 0 || c->nports > CONFIG_MAX_PORTS ||
	    !c->gateway.mark_mask || (c->gateway.mark & ~c->gateway.mark_mask))
		abort();
	for (size_t i = 0; i < c->nports; i++) {
		const struct wicket_config_port *p = &c->ports[i];

		if (strnlen(p->ifname, sizeof(p->ifname)) == sizeof(p->ifname) ||
		    strnlen(p->room, sizeof(p->room)) == sizeof(p->room))
			abort();
		if (i && strcmp(c->ports[i - 1].ifname, p->ifname) >= 0)
			abort();
		if (config_port(c, p->ifname) != p || !strcmp(p->ifname, c->gateway.upstream))
			abort();
	}
}

/* Two configs from the same text: equal in every field. */
static void check_same(const struct wicket_config *a, const struct wicket_config *b)
{
	struct wicket_config x = *a, y = *b;

	x.ports = y.ports = NULL;
	if (memcmp(&x, &y, sizeof(x)) || a->nports != b->nports ||
	    memcmp(a->ports, b->ports, a->nports * sizeof(a->ports[0])))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wicket_config *cfg = NULL, *cfg2 = NULL;
	char err[512], err2[512];
	int ret, ret2;

	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	memset(err, 0x5a, sizeof(err));
	ret = config_load_file(path, &cfg, err, sizeof(err));
	if (ret) {
		size_t n = strnlen(err, sizeof(err));

		if (cfg || n == 0 || n == sizeof(err) || memchr(err, '\n', n))
			abort();
		if (ret != -EINVAL && ret != -ENOMEM)
			abort();
	} else {
		if (!cfg)
			abort();
		check_config(cfg);
	}

	/* The same text as a string, where it can be one. */
	if (!memchr(data, '\0', size)) {
		char *text = malloc(size + 1);

		if (!text)
			abort();
		memcpy(text, data, size);
		text[size] = '\0';
		ret2 = config_load_string(text, path, &cfg2, err2, sizeof(err2));
		if (ret2 != ret || (ret && strcmp(err, err2)))
			abort();
		if (!ret)
			check_same(cfg, cfg2);
		config_free(cfg2);
		free(text);
	}
	config_free(cfg);
	return 0;
}
