/*
 * libFuzzer: the DHCP lease values wicket-helper takes (client/dhcp.c).
 * The DHCP server is the venue's, or whoever answers on the guest's link:
 *   - lease_from_env(), the script's check of what dhclient or udhcpc
 *     hands over in its environment (address, mask, routers, DNS, MTU,
 *     lease time, search list, option 114 in text or udhcpc's hex); then,
 *     for a lease it takes, write_lease() and dhcp_lease_read() must give
 *     the same values back;
 *   - dhcp_lease_read() on any lease file.
 * dhcp.c is #included for its static functions, with its getenv()
 * pointed at the harness's table (the process's environment is never
 * touched); the lease file is in a directory of its own under
 * /dev/shm (or $TMPDIR), removed at exit. Nothing is applied to any
 * interface.
 *
 * Input: one control byte, then
 *   bit 0 clear: a lease file's bytes;
 *   bit 0 set:   the client's environment, "NAME=VALUE" lines; bit 1 set
 *                for udhcpc's names (ip, subnet, router, dns, mtu, lease,
 *                search, opt114), clear for dhclient's (new_ip_address...).
 *
 * Checked, besides what ASan and UBSan see: a lease taken has a valid
 * address and router, a mask of 1-32, at most 4 valid DNS servers, an MTU
 * of 0 or 576-65535, a search list of name characters and an https://
 * captive URL without spaces, quotes or control characters (or none); it
 * is read back from the file as it was written.
 */
#include <stdlib.h>

static const char *fuzz_getenv(const char *name);
#define getenv fuzz_getenv
#include "dhcp.c"
#undef getenv

#include <dirent.h>
#include <stdint.h>

#define VARS_MAX 64

static struct {
	char *name, *value;
} vars[VARS_MAX];
static size_t nvars;
static char *env_text;
static struct helper_paths paths;

static const char *fuzz_getenv(const char *name)
{
	for (size_t i = 0; i < nvars; i++)
		if (!strcmp(vars[i].name, name))
			return vars[i].value;
	return NULL;
}

static void remove_dir(void)
{
	DIR *d = opendir(paths.run_dir);
	struct dirent *e;
	char path[HELPER_PATH_MAX + 300];

	if (d) {
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
				snprintf(path, sizeof(path), "%s/%s", paths.run_dir, e->d_name);
				unlink(path);
			}
		closedir(d);
	}
	rmdir(paths.run_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	memset(&paths, 0, sizeof(paths));
	if (!tmp || !*tmp)
		tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(paths.run_dir, sizeof(paths.run_dir), "%s/wicket-fuzz-dhcp.XXXXXX", tmp);
	if (!mkdtemp(paths.run_dir)) {
		perror("mkdtemp");
		abort();
	}
	atexit(remove_dir);
	return 0;
}

/* "NAME=VALUE" lines into vars (the text is kept until the next input). */
static void parse_env(const uint8_t *data, size_t size)
{
	char *line, *save = NULL;

	free(env_text);
	nvars = 0;
	env_text = malloc(size + 1);
	if (!env_text)
		abort();
	memcpy(env_text, data, size);
	env_text[size] = '\0';
	for (line = strtok_r(env_text, "\n", &save); line && nvars < VARS_MAX;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		if (!eq)
			continue;
		*eq = '\0';
		vars[nvars].name = line;
		vars[nvars].value = eq + 1;
		nvars++;
	}
}

static int only(const char *s, const char *allowed)
{
	return strspn(s, allowed) == strlen(s);
}

static void check_lease(const struct netconf_lease *l, const char *captive)
{
	if (!ipv4_ok(l->addr) || l->prefixlen < 1 || l->prefixlen > 32 ||
	    (l->router[0] && !ipv4_ok(l->router)) || l->ndns > 4 ||
	    (l->mtu && (l->mtu < 576 || l->mtu > 65535)))
		abort();
	for (size_t i = 0; i < l->ndns; i++)
		if (!ipv4_ok(l->dns[i]))
			abort();
	if (!only(l->search, ".- 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"))
		abort();
	if (captive[0] && !url_ok(captive))
		abort();
}

static void round_trip(const char *client, const struct netconf_lease *l, const char *captive)
{
	struct dhcp_lease_info li;
	char dns[128] = "";

	if (write_lease(&paths, "eth0", client, l, captive))
		abort();
	if (dhcp_lease_read(&paths, &li))
		abort();
	for (size_t i = 0; i < l->ndns; i++)
		snprintf(dns + strlen(dns), sizeof(dns) - strlen(dns), "%s%s", i ? " " : "", l->dns[i]);
	if (strcmp(li.iface, "eth0") || strcmp(li.client, client) || strcmp(li.addr, l->addr) ||
	    li.prefixlen != l->prefixlen || strcmp(li.router, l->router) || strcmp(li.dns, dns) ||
	    strcmp(li.captive_url, captive))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netconf_lease l;
	struct dhcp_lease_info li;
	char captive[256], err[1024], path[HELPER_PATH_MAX + 16];

	if (size < 1)
		return 0;
	if (!(data[0] & 1)) {
		FILE *f;
		int ret;

		snprintf(path, sizeof(path), "%s/" DHCP_LEASE_FILE, paths.run_dir);
		f = fopen(path, "we");
		if (!f || fwrite(data + 1, 1, size - 1, f) != size - 1 || fclose(f))
			abort();
		ret = dhcp_lease_read(&paths, &li);
		if (ret != 0 && ret != -EINVAL)
			abort();
		if (strnlen(li.iface, sizeof(li.iface)) == sizeof(li.iface) ||
		    strnlen(li.addr, sizeof(li.addr)) == sizeof(li.addr) ||
		    strnlen(li.captive_url, sizeof(li.captive_url)) == sizeof(li.captive_url))
			abort();
		return 0;
	}

	const char *client = (data[0] & 2) ? "udhcpc" : "dhclient";

	parse_env(data + 1, size - 1);
	err[0] = '\0';
	if (lease_from_env(client, &l, captive, sizeof(captive), err, sizeof(err))) {
		if (!err[0])
			abort();
		return 0;
	}
	check_lease(&l, captive);
	round_trip(client, &l, captive);
	return 0;
}
