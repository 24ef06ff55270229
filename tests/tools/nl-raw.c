/*
 * wicket-nl raw CMD [flags dump|ack] ATTR...: a request with exactly the
 * attributes described (raw-attrs.h), for testing how the module refuses
 * what no honest sender would build. CMD is a number.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "raw-attrs.h"
#include "wicket-nl.h"

#define USAGE_RAW                                                                                            \
	"raw CMD [flags dump|ack] ATTR...\n"                                                                 \
	"  ATTR: TYPE:u8|u16|u32|u64|str|strz|hex:VALUE, TYPE:nest{ ... }, hexrep:TYPE:BYTE:COUNT"

static int parse_flags(const char *s, uint16_t *flags)
{
	char copy[32], *save = NULL, *w;

	if (strlen(s) >= sizeof(copy))
		return -1;
	strcpy(copy, s);
	for (w = strtok_r(copy, ",|", &save); w; w = strtok_r(NULL, ",|", &save)) {
		if (strcmp(w, "dump") == 0)
			*flags |= NLM_F_DUMP;
		else if (strcmp(w, "ack") == 0)
			*flags |= NLM_F_ACK;
		else
			return -1;
	}
	return 0;
}

int nl_raw(int argc, char **argv)
{
	struct raw_attrs *r;
	char why[WHY_LEN];
	uint16_t flags = 0;
	uint64_t cmd;
	int i = 2, ret;

	if (argc < 2 || nl_parse_number(argv[1], UINT8_MAX, &cmd))
		return nl_usage(USAGE_RAW, "raw needs a command number");
	if (argc > 3 && strcmp(argv[2], "flags") == 0) {
		if (parse_flags(argv[3], &flags))
			return nl_usage(USAGE_RAW, "bad flags '%s' (dump, ack)", argv[3]);
		i = 4;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		fprintf(stderr, "wicket-nl: %s\n", strerror(ENOMEM));
		return EXIT_KERNEL;
	}
	for (; i < argc; i++)
		if (raw_attrs_add(r, argv[i], why))
			break;
	if (i < argc || raw_attrs_finish(r, why)) {
		free(r);
		return nl_usage(USAGE_RAW, "%s", why);
	}
	ret = kernel_raw(nl_kernel(), (uint8_t)cmd, flags, r->data, r->len) ? nl_kernel_failed() : 0;
	free(r);
	return ret;
}
