/*
 * wicketctl version: asks wicket.ko itself over generic netlink, so that
 * it works without wicketd (and tells whether the module takes this
 * wicketctl's protocol).
 */
#include <errno.h>
#include <string.h>

#include "ctl.h"
#include "kernel.h"
#include "uapi/wicket.h"

int ctl_version(struct ctl *ctl, int argc, char **argv)
{
	struct kernel_version v;
	struct kernel *k;
	int err;

	if (ctl_no_args(ctl, argc, argv, &err))
		return err;
	err = kernel_open(&k);
	if (err) {
		fprintf(ctl->err, "wicketctl: cannot open a netlink socket: %s\n", strerror(-err));
		return CTL_FAILED;
	}
	err = kernel_get_version(k, &v);
	if (ctl->json) {
		json_t *o = json_pack("{s:s}", "wicketctl", WICKET_RELEASE);

		if (err)
			json_object_set_new(o, "module", json_pack("{s:s}", "error", kernel_error(k)));
		else
			json_object_set_new(o, "module",
					    json_pack("{s:s, s:I, s:I}", "release", v.release, "protocol",
						      (json_int_t)v.protocol, "protocol_min",
						      (json_int_t)v.protocol_min));
		ctl_print_json(ctl, o);
		json_decref(o);
	} else {
		fprintf(ctl->out, "wicketctl %s (protocol %d)\n", WICKET_RELEASE, WICKET_PROTOCOL);
		if (!err)
			fprintf(ctl->out, "wicket.ko %s (protocol %u, accepts %u..%u)\n", v.release,
				v.protocol, v.protocol_min, v.protocol);
	}
	if (err)
		fprintf(ctl->err, "wicketctl: %s\n", kernel_error(k));
	else if (WICKET_PROTOCOL < v.protocol_min || WICKET_PROTOCOL > v.protocol) {
		fprintf(ctl->err, "wicketctl: wicket.ko does not accept this wicketctl's protocol %d\n",
			WICKET_PROTOCOL);
		err = -EPROTO;
	}
	kernel_close(k);
	return err ? CTL_FAILED : CTL_OK;
}
