/*
 * The guest's side of billing: plans, login, status and logout over the
 * client API (daemon/portal.h has the contract).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "api.h"
#include "dhcp.h"
#include "discover.h"
#include "helper.h"
#include "netconf.h"
#include "session.h"

#define SECRET_MAX 128

static void print_money(json_int_t cents, const char *currency)
{
	printf("%lld.%02lld %s", (long long)(cents / 100), (long long)(cents % 100),
	       currency ? currency : "");
}

static void print_plan(json_t *pl)
{
	json_t *m;
	size_t i;

	printf("%-16s %-8s ", json_string_value(json_object_get(pl, "name")),
	       json_string_value(json_object_get(pl, "kind")));
	print_money(json_integer_value(json_object_get(pl, "price")),
		    json_string_value(json_object_get(pl, "currency")));
	if (json_is_integer(json_object_get(pl, "duration_s")))
		printf("  %lld min", (long long)json_integer_value(json_object_get(pl, "duration_s")) / 60);
	if (json_is_integer(json_object_get(pl, "bytes")))
		printf("  %lld MB", (long long)json_integer_value(json_object_get(pl, "bytes")) / 1000000);
	printf("  pay by:");
	json_array_foreach(json_object_get(pl, "methods"), i, m) printf(" %s", json_string_value(m));
	printf("\n");
}

int cmd_plans(struct helper *h, int argc, char **argv)
{
	struct gateway_info g;
	struct api_response r;
	struct api *a;
	char err[512];
	json_t *list, *pl;
	size_t i;

	(void)argv;
	if (argc > 1)
		return helper_fail("plans takes no arguments");
	if (helper_api(h, &a, &g, err, sizeof(err)))
		return helper_fail("%s", err);
	if (api_get(a, "/api/v1/plans", 1024 * 1024, &r, err, sizeof(err))) {
		api_close(a);
		return helper_fail("%s", err);
	}
	api_close(a);
	list = api_json(&r, "plans", err, sizeof(err));
	api_response_free(&r);
	if (!list || !json_is_array(list)) {
		json_decref(list);
		return helper_fail("%s", list ? "plans: the gateway's answer is not a list" : err);
	}
	json_array_foreach(list, i,
			   pl) if (!json_is_object(pl) || !json_is_string(json_object_get(pl, "name")))
	{
		json_decref(list);
		return helper_fail("plans: the gateway's list holds something that is not a plan");
	}
	if (h->json) {
		json_dumpf(list, stdout, JSON_INDENT(2));
		printf("\n");
	} else if (json_array_size(list) == 0) {
		printf("no plans are offered here: ask the front desk\n");
	} else {
		json_array_foreach(list, i, pl) print_plan(pl);
	}
	json_decref(list);
	return 0;
}

/* A status object, for people. */
static void print_status(json_t *st)
{
	const char *state = json_string_value(json_object_get(st, "state"));
	const char *reason = json_string_value(json_object_get(st, "reason"));
	const char *plan = json_string_value(json_object_get(st, "plan"));
	json_t *paid = json_object_get(st, "paid_seconds_remaining");
	json_t *secs = json_is_integer(paid) ? paid : json_object_get(st, "seconds_remaining");
	json_t *bytes = json_object_get(st, "bytes_remaining");

	if (!state)
		state = "unknown";
	if (!strcmp(state, "active"))
		printf("approved");
	else if (!strcmp(state, "provisional"))
		printf("temporary approval (the payment is being confirmed)");
	else if (!strcmp(state, "pending"))
		printf("waiting for approval by the venue's staff");
	else if (!strcmp(state, "none"))
		printf("no session");
	else
		printf("%s", state);
	if (reason)
		printf(": %s", reason);
	if (plan)
		printf("\n  plan: %s", plan);
	if (json_is_integer(secs))
		printf("\n  time left: %lld min %lld s", (long long)json_integer_value(secs) / 60,
		       (long long)json_integer_value(secs) % 60);
	if (json_is_integer(bytes))
		printf("\n  data left: %lld MB", (long long)json_integer_value(bytes) / 1000000);
	if (json_integer_value(json_object_get(st, "charge")) > 0) {
		printf("\n  charge: ");
		print_money(json_integer_value(json_object_get(st, "charge")),
			    json_string_value(json_object_get(st, "currency")));
	}
	printf("\n");
}

static int read_secret_file(const char *file, char *out, size_t len, char *err, size_t errlen)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "re") : stdin;

	if (!f) {
		snprintf(err, errlen, "cannot read the secret from %s: %s", file, strerror(errno));
		return -errno;
	}
	if (!fgets(out, (int)len, f))
		out[0] = '\0';
	if (f != stdin)
		fclose(f);
	out[strcspn(out, "\r\n")] = '\0';
	if (!out[0]) {
		snprintf(err, errlen, "the secret in %s is empty", file);
		return -EINVAL;
	}
	return 0;
}

/* The session from a login answer, kept for keepalive, status and logout. */
static int keep_session(struct helper *h, const struct gateway_info *g, json_t *st, char *err, size_t errlen)
{
	struct helper_session s = { 0 };
	const char *token = json_string_value(json_object_get(st, "token"));
	json_t *ka = json_object_get(st, "keepalive");
	json_int_t id = json_integer_value(json_object_get(st, "session"));
	const char *key = json_string_value(json_object_get(ka, "key"));
	json_int_t port = json_integer_value(json_object_get(ka, "port"));
	json_int_t interval = json_integer_value(json_object_get(ka, "interval_s"));
	const char *host = g->origin + strlen("https://");
	int ret;

	if (!session_token_valid(token) || id <= 0 || port <= 0 || port > 65535 || interval <= 0 ||
	    session_unhex(key, s.ka_key, KEEPALIVE_KEY_LEN)) {
		snprintf(err, errlen, "the gateway's login answer lacks the session's token or keys");
		return -EPROTO;
	}
	snprintf(s.origin, sizeof(s.origin), "%s", g->origin);
	snprintf(s.token, sizeof(s.token), "%s", token);
	s.id = (uint64_t)id;
	s.ka_port = (int)port;
	s.ka_interval_s = (int)interval;
	/* The keepalive goes to the portal's host: "10.0.1.1:8443" or "[fd00::1]:8443". */
	if (*host == '[')
		snprintf(s.ka_host, sizeof(s.ka_host), "%.*s", (int)strcspn(host + 1, "]"), host + 1);
	else
		snprintf(s.ka_host, sizeof(s.ka_host), "%.*s", (int)strcspn(host, ":/"), host);
	ret = session_save(&h->paths, &s);
	OPENSSL_cleanse(&s, sizeof(s));
	if (ret)
		snprintf(err, errlen, "cannot keep the session in %s: %s", h->paths.run_dir, strerror(-ret));
	return ret;
}

int cmd_login(struct helper *h, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "plan", required_argument, NULL, 'p' },
		{ "method", required_argument, NULL, 'm' },
		{ "voucher", required_argument, NULL, 'v' },
		{ "room", required_argument, NULL, 'r' },
		{ "surname", required_argument, NULL, 's' },
		{ "account", required_argument, NULL, 'a' },
		{ "secret-file", required_argument, NULL, 'S' },
		{ "stay", no_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	const char *plan = NULL, *method = NULL, *voucher = NULL, *room = NULL, *surname = NULL,
		   *account = NULL, *secret_file = NULL;
	char err[512], secret[SECRET_MAX] = "";
	struct gateway_info g;
	struct api_response r;
	struct api *a;
	json_t *body, *st;
	const char *state;
	int c, stay = 0, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			plan = optarg;
			break;
		case 'm':
			method = optarg;
			break;
		case 'v':
			voucher = optarg;
			break;
		case 'r':
			room = optarg;
			break;
		case 's':
			surname = optarg;
			break;
		case 'a':
			account = optarg;
			break;
		case 'S':
			secret_file = optarg;
			break;
		case 'k':
			stay = 1;
			break;
		default:
			return helper_fail("usage: login --plan PLAN --method METHOD [--voucher CODE | "
					   "--room ROOM --surname NAME | --account ID --secret-file FILE] "
					   "[--stay]");
		}
	}
	if (optind < argc)
		return helper_fail("login: unexpected argument '%s'", argv[optind]);
	if (!plan || !method)
		return helper_fail("login needs --plan and --method: `wicket-helper plans` lists them");
	if (secret_file && read_secret_file(secret_file, secret, sizeof(secret), err, sizeof(err)))
		return helper_fail("%s", err);
	body = json_pack("{s:s, s:s}", "plan", plan, "method", method);
	if (voucher)
		json_object_set_new(body, "voucher", json_string(voucher));
	if (room)
		json_object_set_new(body, "room", json_string(room));
	if (surname)
		json_object_set_new(body, "surname", json_string(surname));
	if (account)
		json_object_set_new(body, "account", json_string(account));
	if (secret[0])
		json_object_set_new(body, "secret", json_string(secret));
	OPENSSL_cleanse(secret, sizeof(secret));
	if (helper_api(h, &a, &g, err, sizeof(err))) {
		json_decref(body);
		return helper_fail("%s", err);
	}
	ret = api_post_json(a, "/api/v1/login", body, &r, err, sizeof(err));
	json_decref(body);
	api_close(a);
	if (ret)
		return helper_fail("%s", err);
	st = api_json(&r, "login", err, sizeof(err));
	api_response_free(&r);
	if (!st || !json_is_object(st)) {
		json_decref(st);
		return helper_fail("%s", st ? "login: the gateway's answer is not an object" : err);
	}
	state = json_string_value(json_object_get(st, "state"));
	if (!state) {
		json_decref(st);
		return helper_fail("login: the gateway's answer has no state");
	}
	if (strcmp(state, "rejected") && keep_session(h, &g, st, err, sizeof(err))) {
		json_decref(st);
		return helper_fail("%s", err);
	}
	json_object_del(st, "token");
	json_object_del(json_object_get(st, "keepalive"), "key");
	if (h->json) {
		json_dumpf(st, stdout, JSON_INDENT(2));
		printf("\n");
	} else {
		print_status(st);
	}
	ret = !strcmp(state, "rejected") ? 3 : 0;
	if (ret && !h->json)
		printf("You may send other billing information: run `wicket-helper login` again "
		       "with another --method or corrected details.\n");
	json_decref(st);
	fflush(stdout);
	if (!ret && stay)
		return cmd_keepalive(h, 1, (char *[]){ "keepalive", NULL });
	return ret;
}

int login_status(struct helper *h, const struct helper_session *s, long timeout_s, json_t **out, char *err,
		 size_t errlen)
{
	struct api_response r;
	struct api *a;
	int ret = api_open(&a, &h->paths, s->origin, h->ca_file, err, errlen);

	*out = NULL;
	if (ret)
		return ret;
	api_set_token(a, s->token);
	api_set_timeout(a, timeout_s);
	ret = api_get(a, "/api/v1/status", 64 * 1024, &r, err, errlen);
	api_close(a);
	if (ret)
		return ret;
	*out = api_json(&r, "status", err, errlen);
	api_response_free(&r);
	if (*out && !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		snprintf(err, errlen, "status: the gateway's answer is not an object");
	}
	return *out ? 0 : -EPROTO;
}

int cmd_status(struct helper *h, int argc, char **argv)
{
	struct helper_session s;
	char err[512];
	json_t *st;
	int ret;

	(void)argv;
	if (argc > 1)
		return helper_fail("status takes no arguments");
	ret = session_load(&h->paths, &s);
	if (ret == -ENOENT) {
		if (h->json)
			printf("{\"state\": \"none\", \"session\": null}\n");
		else
			printf("no session: `wicket-helper plans`, then `wicket-helper login`\n");
		return 0;
	}
	if (ret)
		return helper_fail("the session file in %s is damaged: log in again", h->paths.run_dir);
	ret = login_status(h, &s, 0, &st, err, sizeof(err));
	OPENSSL_cleanse(&s, sizeof(s));
	if (ret)
		return helper_fail("%s", err);
	if (h->json) {
		json_dumpf(st, stdout, JSON_INDENT(2));
		printf("\n");
	} else {
		print_status(st);
	}
	json_decref(st);
	return 0;
}

int cmd_logout(struct helper *h, int argc, char **argv)
{
	struct helper_session s;
	struct api_response r;
	struct api *a;
	char err[512];
	json_t *body, *st = NULL;
	int ret, failed = 0;

	(void)argv;
	if (argc > 1)
		return helper_fail("logout takes no arguments");
	keepalive_stop(&h->paths);
	ret = session_load(&h->paths, &s);
	if (ret == 0) {
		body = json_object();
		ret = api_open(&a, &h->paths, s.origin, h->ca_file, err, sizeof(err));
		if (!ret) {
			api_set_token(a, s.token);
			ret = api_post_json(a, "/api/v1/logout", body, &r, err, sizeof(err));
			api_close(a);
		}
		json_decref(body);
		OPENSSL_cleanse(&s, sizeof(s));
		if (!ret) {
			st = api_json(&r, "logout", err, sizeof(err));
			api_response_free(&r);
		}
		if (!st) {
			fprintf(stderr, "wicket-helper: %s\n", err);
			failed = 1;
		} else {
			if (!h->json)
				printf("logged out\n");
			json_decref(st);
		}
		session_forget(&h->paths);
	} else if (!h->json) {
		printf("no session to end\n");
	}
	/* The guest's own settings come back whether or not the gateway answered. */
	ret = cmd_restore(h, 1, (char *[]){ "restore", NULL });
	return failed || ret ? 1 : 0;
}
