# wicket: the module for every installed Debian kernel, the userspace
# programs, the tests. `make help` lists the targets.

VERSION := $(shell cat VERSION)
BUILD   := build
BIN     := $(BUILD)/bin
OBJ     := $(BUILD)/obj

# Kernels to build wicket.ko for: KVER=... or every kernel with headers.
KVER    ?= $(patsubst /lib/modules/%/build,%,$(wildcard /lib/modules/*/build))

ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-8s %s\n' $(1) $(2);
endif

CC       ?= cc
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Werror -MMD -MP -D_GNU_SOURCE \
	    -fstack-protector-strong -D_FORTIFY_SOURCE=2 \
	    -DWICKET_RELEASE='"$(VERSION)"' -Ikmod -Idaemon -Iclient
pkgcflags = $(if $(1),$(shell pkg-config --cflags $(1)))
pkglibs   = $(if $(1),$(shell pkg-config --libs $(1)))

# Each program: its sources and the pkg-config packages it links against.
# The store: its core, billing and the accounting outbox (libcrypto: voucher codes).
STORE_SRCS         := daemon/store.c daemon/store_billing.c daemon/store_outbox.c
STORE_PKGS         := sqlite3 libcrypto
wicketd_SRCS       := daemon/main.c daemon/gateway.c daemon/commands.c daemon/session.c daemon/reconcile.c \
		      daemon/config.c \
		      $(STORE_SRCS) daemon/firewall.c daemon/neigh.c daemon/control.c daemon/kernel.c daemon/log.c \
		      daemon/keepalive.c daemon/keepalive_proto.c daemon/workers.c \
		      daemon/billing.c daemon/approve_remote.c daemon/accounting.c daemon/commands_billing.c \
		      daemon/radius.c daemon/tls.c daemon/portal.c daemon/portal_api.c \
		      daemon/components.c
wicketd_PKGS       := libmnl libevent libevent_openssl libssl jansson inih libnftables libnl-3.0 libnl-route-3.0 \
		      radcli $(STORE_PKGS)
# wicketctl without its main() (ctl_main.c), for test_wicketctl too.
wicketctl_LIB      := daemon/wicketctl.c daemon/ctl_util.c daemon/ctl_table.c daemon/ctl_clients.c \
		      daemon/ctl_ports.c daemon/ctl_sessions.c daemon/ctl_version.c daemon/control.c \
		      daemon/ctl_units.c daemon/ctl_csv.c daemon/ctl_plans.c daemon/ctl_vouchers.c \
		      daemon/ctl_guests.c daemon/ctl_pending.c daemon/ctl_report.c daemon/kernel.c daemon/log.c
wicketctl_SRCS     := daemon/ctl_main.c $(wicketctl_LIB)
wicketctl_PKGS     := libmnl jansson libevent
# The helper (client/): every client/*.c, with the keepalive protocol it shares with wicketd.
wicket-helper_SRCS := $(wildcard client/*.c) daemon/keepalive_proto.c
wicket-helper_PKGS := libcurl jansson libcrypto inih libnl-3.0 libnl-route-3.0
# wicket-nl: the low-level netlink tool of the kernel tests and vendors.
wicket-nl_SRCS     := tests/tools/wicket-nl.c tests/tools/nl-client.c tests/tools/nl-raw.c \
		      tests/tools/nl-text.c tests/tools/raw-attrs.c daemon/kernel.c daemon/log.c
wicket-nl_PKGS     := libmnl
# wicket-ka: keepalives made by hand (good, forged, replayed) for the daemon tests.
wicket-ka_SRCS     := tests/tools/wicket-ka.c daemon/keepalive_proto.c
wicket-ka_PKGS     := libcrypto
# store-fill: a store with N active sessions, for bench/daemon-scale.sh.
store-fill_SRCS    := bench/tools/store-fill.c $(STORE_SRCS) daemon/log.c
store-fill_PKGS    := $(STORE_PKGS)
# keepalive-rate: the daemon's keepalive server on the host, for make bench.
keepalive-rate_SRCS := bench/tools/keepalive-rate.c daemon/keepalive.c daemon/keepalive_proto.c \
		       daemon/session.c daemon/kernel.c $(STORE_SRCS) daemon/config.c daemon/log.c
keepalive-rate_PKGS := libmnl libevent inih $(STORE_PKGS)
PROGRAMS := wicketd wicketctl wicket-helper wicket-nl wicket-ka store-fill keepalive-rate
# wicket-dnsmasq-conf: dnsmasq's configuration for the access ports (scripts/wicket-dnsmasq).
wicket-dnsmasq-conf_SRCS := daemon/dnsmasq_cli.c daemon/dnsmasq.c daemon/config.c daemon/log.c
wicket-dnsmasq-conf_PKGS := inih libnl-3.0 libnl-route-3.0
PROGRAMS += wicket-dnsmasq-conf

# Unit tests: tests/unit/test_X.c with the sources it exercises.
test_kernel_SRCS := tests/unit/test_kernel.c daemon/kernel.c daemon/log.c
test_kernel_PKGS := libmnl cmocka
test_kernel_msgs_SRCS := tests/unit/test_kernel_msgs.c daemon/kernel.c daemon/log.c
test_kernel_msgs_PKGS := libmnl cmocka
test_wicket_nl_SRCS := tests/unit/test_wicket_nl.c tests/tools/raw-attrs.c tests/tools/nl-text.c
test_wicket_nl_PKGS := libmnl cmocka
UNIT_TESTS := test_kernel test_kernel_msgs test_wicket_nl
# The daemon's parts, each with its own test, as they land.
test_config_SRCS := tests/unit/test_config.c daemon/config.c daemon/log.c
test_config_PKGS := inih cmocka
test_store_SRCS := tests/unit/test_store.c tests/unit/store_fixture.c $(STORE_SRCS) daemon/log.c
test_store_PKGS := $(STORE_PKGS) cmocka
test_store_billing_SRCS := tests/unit/test_store_billing.c tests/unit/store_fixture.c $(STORE_SRCS) daemon/log.c
test_store_billing_PKGS := $(STORE_PKGS) cmocka
UNIT_TESTS += test_store_billing
test_keepalive_SRCS := tests/unit/test_keepalive.c daemon/keepalive_proto.c
test_keepalive_PKGS := libcrypto cmocka
test_firewall_SRCS := tests/unit/test_firewall.c daemon/firewall.c
test_firewall_PKGS := libnftables libmnl cmocka
UNIT_TESTS += test_firewall
test_control_SRCS := tests/unit/test_control.c daemon/control.c
test_control_PKGS := libevent libevent_pthreads jansson cmocka
UNIT_TESTS += test_control
test_wicketctl_SRCS := tests/unit/test_wicketctl.c $(wicketctl_LIB)
test_wicketctl_PKGS := libmnl libevent libevent_pthreads jansson cmocka
UNIT_TESTS += test_wicketctl
test_neigh_SRCS := tests/unit/test_neigh.c daemon/neigh.c
test_neigh_PKGS := libnl-3.0 libnl-route-3.0 cmocka
UNIT_TESTS += test_neigh
test_workers_SRCS := tests/unit/test_workers.c daemon/workers.c
test_workers_PKGS := libevent cmocka
UNIT_TESTS += test_workers
# Against a real FreeRADIUS that the test starts (tests/radius/).
test_radius_SRCS := tests/unit/test_radius.c daemon/radius.c
test_radius_PKGS := radcli libcrypto sqlite3 cmocka
UNIT_TESTS += test_radius
test_tls_SRCS := tests/unit/test_tls.c daemon/tls.c daemon/log.c
test_tls_PKGS := libssl libcrypto cmocka
UNIT_TESTS += test_tls
UNIT_TESTS += $(foreach t,test_config test_store test_keepalive,$(if $(wildcard tests/unit/$(t).c),$(t)))
# The dnsmasq configuration; its address reader in a private network namespace (root).
test_dnsmasq_SRCS := tests/unit/test_dnsmasq.c daemon/dnsmasq.c daemon/config.c daemon/log.c
test_dnsmasq_PKGS := inih libnl-3.0 libnl-route-3.0 cmocka
UNIT_TESTS += test_dnsmasq
# The helper's components: signed by wicketd, verified and installed by wicket-helper.
test_components_SRCS := tests/unit/test_components.c daemon/components.c daemon/log.c
test_components_PKGS := libcrypto jansson cmocka
test_update_SRCS := tests/unit/test_update.c client/update.c client/update_fs.c client/manifest.c client/paths.c
test_update_PKGS := libcrypto jansson cmocka
# The helper's network settings, in a private network namespace (root).
test_netconf_SRCS := tests/unit/test_netconf.c client/netconf.c client/netconf_change.c client/netconf_lease.c \
		     client/netconf_save.c client/netconf_load.c client/netconf_restore.c \
		     client/netconf_resolv.c client/netconf_proxy.c client/paths.c
test_netconf_PKGS := libnl-3.0 libnl-route-3.0 jansson cmocka
# The helper's session, gateway origin and DHCP script (the script in a private network namespace, root).
test_helper_SRCS := tests/unit/test_helper.c client/session.c client/discover.c client/dhcp.c client/api.c \
		    client/paths.c $(wildcard client/netconf*.c) daemon/keepalive_proto.c \
		    $(wildcard client/helper_conf.c) client/update.c client/update_fs.c client/manifest.c
test_helper_PKGS := libcurl jansson libcrypto inih libnl-3.0 libnl-route-3.0 cmocka
UNIT_TESTS += $(foreach t,test_components test_update test_netconf test_helper,$(if $(wildcard tests/unit/$(t).c),$(t)))

obj = $(patsubst %.c,$(OBJ)/%.o,$(1))

.PHONY: all modules test-modules programs unit-tests check style clean help demo bench
all: modules programs

help:
	@echo "make            build wicket.ko for $(or $(KVER),no kernel) and the programs"
	@echo "make check      install deps, build, run every test (unit, style, VM)"
	@echo "make style      checkpatch on kmod/, clang-format check on the rest"
	@echo "make bench      the gate's cost per packet, in deterministic VM boots"
	@echo "make KVER=x     build the module for kernel x only"
	@echo "make V=1        show the commands"

# --- the module, once per kernel, each in its own shadow tree so the
# --- kernels' objects never mix (build/<kver>/kmod/wicket.ko).
KMOD_SRCS := $(wildcard kmod/*.c kmod/*.h kmod/uapi/*.h) kmod/Kbuild Kbuild VERSION

define kmod_rules
$(BUILD)/$(1)/kmod/wicket.ko: $(KMOD_SRCS)
	$$(call say,KMOD,$$@)
	$(Q)scripts/shadow-tree $(BUILD)/$(1) Kbuild VERSION kmod
	$(Q)$$(MAKE) -s -C /lib/modules/$(1)/build M=$(CURDIR)/$(BUILD)/$(1) modules \
		$(if $(filter 1,$(V)),,>$(BUILD)/$(1)/kbuild.log 2>&1 || { cat $(BUILD)/$(1)/kbuild.log; exit 1; })
modules: $(BUILD)/$(1)/kmod/wicket.ko

# The VM harness's self-test module (WARNs on load).
$(BUILD)/$(1)/tests/vm/selftest/warn_on_load.ko: tests/vm/selftest/warn_on_load.c tests/vm/selftest/Kbuild
	$$(call say,KMOD,$$@)
	$(Q)scripts/shadow-tree $(BUILD)/$(1) tests/vm/selftest
	$(Q)$$(MAKE) -s -C /lib/modules/$(1)/build M=$(CURDIR)/$(BUILD)/$(1)/tests/vm/selftest modules \
		$(if $(filter 1,$(V)),,>$(BUILD)/$(1)/kbuild-selftest.log 2>&1 || { cat $(BUILD)/$(1)/kbuild-selftest.log; exit 1; })
test-modules: $(BUILD)/$(1)/tests/vm/selftest/warn_on_load.ko
endef
$(foreach k,$(KVER),$(eval $(call kmod_rules,$(k))))
modules:
	$(if $(KVER),,@echo "no kernel headers installed: run scripts/deps" >&2; exit 1)

# --- userspace
define program_rules
$(BIN)/$(1): $(call obj,$($(1)_SRCS))
	$$(call say,LD,$$@)
	@mkdir -p $$(@D)
	$(Q)$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(call pkglibs,$($(1)_PKGS)) -lpthread
$(call obj,$($(1)_SRCS)): PKG_CFLAGS := $(call pkgcflags,$($(1)_PKGS))
endef
$(foreach p,$(PROGRAMS) $(UNIT_TESTS),$(eval $(call program_rules,$(p))))

$(OBJ)/%.o: %.c
	$(call say,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

programs: $(addprefix $(BIN)/,$(PROGRAMS))
unit-tests: $(addprefix $(BIN)/,$(UNIT_TESTS))

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)

# --- checks
# Installs what is missing, builds everything, runs every suite.
check:
	@scripts/deps
	@$(MAKE) --no-print-directory all unit-tests test-modules
	@tests/check

style: programs
	@tests/style/run

# Benchmarks in deterministic VM boots (bench/run); not part of check.
bench:
	@scripts/deps
	@$(MAKE) --no-print-directory all
	@bench/run

clean:
	rm -rf $(BUILD)

demo:
	@scripts/demo
