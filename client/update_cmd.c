/*
 * `wicket-helper update`: update.c's work over the gateway's API, with the
 * local directories from the command line and the helper's configuration
 * (helper_conf.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "discover.h"
#include "helper.h"
#include "helper_conf.h"
#include "update.h"

#define MAX_LOCAL 32

struct local_dirs {
	const char *dirs[MAX_LOCAL];
	size_t n;
	struct helper_conf conf;
};

/* The configured directories after those of the command line. */
static void read_conf(const struct helper *h, struct local_dirs *l)
{
	helper_conf_load(&h->paths, &l->conf);
	for (size_t i = 0; i < l->conf.ndirs && l->n < MAX_LOCAL; i++)
		l->dirs[l->n++] = l->conf.dirs[i];
}

static int source_get(void *arg, const char *path, size_t max, char **body, size_t *len, char *err,
		      size_t errlen)
{
	struct api_response r;
	int ret = api_get(arg, path, max, &r, err, errlen);

	if (ret)
		return ret;
	if (r.status != 200) {
		snprintf(err, errlen, "the gateway answered %ld for %s", r.status, path);
		api_response_free(&r);
		return -EPROTO;
	}
	*body = r.body;
	*len = r.len;
	return 0;
}

static const char *state_name(enum update_state s)
{
	return s == UPDATE_CURRENT ? "current" : s == UPDATE_MISSING ? "missing" : "outdated";
}

static const char *from_name(enum update_from f)
{
	return f == FROM_LOCAL ? "local" : f == FROM_GATEWAY ? "gateway" : "none";
}

static void print_report(const struct helper *h, const struct update_report *rep, int dry_run)
{
	if (h->json) {
		json_t *items = json_array();

		for (size_t i = 0; i < rep->nitems; i++) {
			const struct update_item *it = &rep->items[i];

			json_array_append_new(items,
					      json_pack("{s:s, s:o, s:I, s:s, s:s, s:s, s:I}", "name",
							it->name, "installed_version",
							it->installed_version < 0
								? json_null()
								: json_integer(it->installed_version),
							"version", (json_int_t)it->version, "sha256",
							it->sha256, "state", state_name(it->state), "from",
							from_name(it->from), "size", (json_int_t)it->size));
			if (it->from == FROM_LOCAL)
				json_object_set_new(json_array_get(items, i), "local_path",
						    json_string(it->local_path));
		}
		json_dumpf(json_pack("{s:b, s:s, s:b, s:o}", "dry_run", dry_run, "key", rep->key_hex,
				     "key_pinned_now", rep->key_pinned_now, "components", items),
			   stdout, JSON_INDENT(2));
		printf("\n");
		return;
	}
	if (rep->key_pinned_now)
		printf("pinned the gateway's component key %s\n", rep->key_hex);
	for (size_t i = 0; i < rep->nitems; i++) {
		const struct update_item *it = &rep->items[i];

		if (it->state == UPDATE_CURRENT)
			printf("%-16s version %lld: up to date\n", it->name, (long long)it->version);
		else
			printf("%-16s version %lld: %s, %s %s%s\n", it->name, (long long)it->version,
			       state_name(it->state), dry_run ? "would come from" : "installed from",
			       it->from == FROM_LOCAL ? it->local_path : "the gateway",
			       it->from == FROM_LOCAL ? " (not downloaded)" : "");
	}
}

/* The update over the gateway's API. */
static int helper_update(struct helper *h, const char *key, struct local_dirs *l, int dry_run,
			 struct update_report *rep, char *err, size_t errlen)
{
	struct gateway_info g;
	struct api *a;
	struct update_source src = { .get = source_get };
	struct update_options o = { .paths = &h->paths, .key_hex_or_file = key, .dry_run = dry_run };
	int ret;

	ret = helper_api(h, &a, &g, err, errlen);
	if (ret)
		return ret;
	o.local_dirs = l->dirs;
	o.nlocal = l->n;
	src.arg = a;
	memset(rep, 0, sizeof(*rep));
	ret = update_run(&o, &src, rep, err, errlen);
	api_close(a);
	return ret;
}

int helper_components(struct helper *h, struct update_report *rep, char *err, size_t errlen)
{
	struct local_dirs l = { 0 };
	int ret;

	read_conf(h, &l);
	ret = helper_update(h, NULL, &l, 1, rep, err, errlen);
	helper_conf_free(&l.conf);
	return ret;
}

int cmd_update(struct helper *h, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "local-dir", required_argument, NULL, 'l' },
		{ "rollback", no_argument, NULL, 'r' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct local_dirs l = { 0 };
	struct update_report *rep;
	const char *key = NULL;
	char err[512];
	int c, rollback = 0, dry_run = 0, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			key = optarg;
			break;
		case 'l':
			if (l.n == MAX_LOCAL / 2)
				return helper_fail("at most %d --local-dir", MAX_LOCAL / 2);
			l.dirs[l.n++] = optarg;
			break;
		case 'r':
			rollback = 1;
			break;
		case 'n':
			dry_run = 1;
			break;
		default:
			return helper_fail(
				"usage: update [--key KEY|FILE] [--local-dir DIR]... [--dry-run] | "
				"update --rollback [COMPONENT]");
		}
	}
	if (rollback) {
		if (argc - optind > 1)
			return helper_fail("update --rollback takes at most one component's name");
		if (update_rollback(&h->paths, optind < argc ? argv[optind] : NULL, err, sizeof(err)))
			return helper_fail("%s", err);
		printf("rolled back %s\n",
		       optind < argc ? argv[optind] : "every component with a previous version");
		return 0;
	}
	if (optind < argc)
		return helper_fail("update: unexpected argument '%s'", argv[optind]);
	read_conf(h, &l);
	rep = calloc(1, sizeof(*rep));
	if (!rep)
		return helper_fail("out of memory");
	ret = helper_update(h, key, &l, dry_run, rep, err, sizeof(err));
	if (ret)
		ret = helper_fail("%s", err);
	else
		print_report(h, rep, dry_run);
	free(rep);
	helper_conf_free(&l.conf);
	return ret;
}
