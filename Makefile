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
STORE_SRCS         := daemon/store.c daemon/store_billing.c daemon/store_outbox.c daemon/store_counts.c \
		      daemon/store_carry.c
STORE_PKGS         := sqlite3 libcrypto
wicketd_SRCS       := daemon/main.c daemon/gateway.c daemon/commands.c daemon/session.c daemon/reconcile.c \
		      daemon/config.c \
		      $(STORE_SRCS) daemon/firewall.c daemon/neigh.c daemon/control.c daemon/kernel.c daemon/log.c \
		      daemon/keepalive.c daemon/keepalive_proto.c daemon/workers.c \
		      daemon/billing.c daemon/approve_remote.c daemon/accounting.c daemon/commands_billing.c \
		      daemon/radius.c daemon/tls.c daemon/portal.c daemon/portal_api.c daemon/privileges.c \
		      daemon/components.c daemon/metrics.c daemon/metrics_http.c
wicketd_PKGS       := libmnl libevent libevent_openssl libssl jansson inih libnftables libnl-3.0 libnl-route-3.0 \
		      radcli libcap $(STORE_PKGS)
# wicketctl without its main() (ctl_main.c), for test_wicketctl too.
wicketctl_LIB      := daemon/wicketctl.c daemon/ctl_util.c daemon/ctl_table.c daemon/ctl_clients.c \
		      daemon/ctl_ports.c daemon/ctl_sessions.c daemon/ctl_version.c daemon/control.c \
		      daemon/ctl_units.c daemon/ctl_csv.c daemon/ctl_plans.c daemon/ctl_vouchers.c \
		      daemon/ctl_guests.c daemon/ctl_pending.c daemon/ctl_report.c daemon/ctl_top.c daemon/kernel.c daemon/log.c
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
# wicket-pump: many simulated guests' keepalives and traffic from one process (tests/kernel/soak.sh).
wicket-pump_SRCS   := tests/tools/wicket-pump.c daemon/keepalive_proto.c
wicket-pump_PKGS   := libcrypto
# wicket-api: many simulated guests' client API requests from one process (tests/kernel/soak.sh).
wicket-api_SRCS    := tests/tools/wicket-api.c
wicket-api_PKGS    := libcurl
# nl-fuzz: random and mutated requests to wicket.ko (tests/kernel/netlink-fuzz.sh).
nl-fuzz_SRCS       := tests/tools/nl-fuzz.c daemon/kernel.c daemon/log.c
nl-fuzz_PKGS       := libmnl
# store-fill: a store with N active sessions, for bench/daemon-scale.sh.
store-fill_SRCS    := bench/tools/store-fill.c $(STORE_SRCS) daemon/log.c
store-fill_PKGS    := $(STORE_PKGS)
# accounting-rate: accounting records the store commits per second, for make bench.
accounting-rate_SRCS := bench/tools/accounting-rate.c $(STORE_SRCS) daemon/log.c
accounting-rate_PKGS := $(STORE_PKGS)
# keepalive-rate: the daemon's keepalive server on the host, for make bench.
keepalive-rate_SRCS := bench/tools/keepalive-rate.c daemon/keepalive.c daemon/keepalive_proto.c \
		       daemon/session.c daemon/kernel.c $(STORE_SRCS) daemon/config.c daemon/log.c
keepalive-rate_PKGS := libmnl libevent inih $(STORE_PKGS)
PROGRAMS := wicketd wicketctl wicket-helper wicket-nl wicket-ka store-fill keepalive-rate
# wicket-dnsmasq-conf: dnsmasq's configuration for the access ports (scripts/wicket-dnsmasq).
wicket-dnsmasq-conf_SRCS := daemon/dnsmasq_cli.c daemon/dnsmasq.c daemon/config.c daemon/log.c
wicket-dnsmasq-conf_PKGS := inih libnl-3.0 libnl-route-3.0
PROGRAMS += wicket-dnsmasq-conf accounting-rate
PROGRAMS += nl-fuzz wicket-pump wicket-api
# wicket-gate-example: docs/integration-guide.md's libmnl example of the netlink API.
wicket-gate-example_SRCS := docs/examples/wicket-gate.c
wicket-gate-example_PKGS := libmnl
PROGRAMS += wicket-gate-example

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
test_neigh_SRCS := tests/unit/test_neigh.c tests/unit/nl_links.c daemon/neigh.c
test_neigh_PKGS := libnl-3.0 libnl-route-3.0 cmocka
UNIT_TESTS += test_neigh
test_workers_SRCS := tests/unit/test_workers.c daemon/workers.c
test_workers_PKGS := libevent cmocka
UNIT_TESTS += test_workers
# Against a real FreeRADIUS that the test starts (tests/radius/).
test_radius_SRCS := tests/unit/test_radius.c tests/unit/tmp_tree.c daemon/radius.c
test_radius_PKGS := radcli libcrypto sqlite3 cmocka
UNIT_TESTS += test_radius
test_tls_SRCS := tests/unit/test_tls.c tests/unit/tmp_tree.c daemon/tls.c daemon/log.c
test_tls_PKGS := libssl libcrypto cmocka
UNIT_TESTS += test_tls
UNIT_TESTS += $(foreach t,test_config test_store test_keepalive,$(if $(wildcard tests/unit/$(t).c),$(t)))
# The dnsmasq configuration; its address reader in a private network namespace (root).
test_dnsmasq_SRCS := tests/unit/test_dnsmasq.c tests/unit/nl_links.c daemon/dnsmasq.c daemon/config.c daemon/log.c
test_dnsmasq_PKGS := inih libnl-3.0 libnl-route-3.0 cmocka
UNIT_TESTS += test_dnsmasq
# The helper's components: signed by wicketd, verified and installed by wicket-helper.
test_components_SRCS := tests/unit/test_components.c tests/unit/tmp_tree.c daemon/components.c daemon/log.c
test_components_PKGS := libcrypto jansson cmocka
test_update_SRCS := tests/unit/test_update.c tests/unit/tmp_tree.c client/update.c client/update_fs.c client/manifest.c client/paths.c
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
# The metrics: their text and JSON forms, the allow list, the store's session counts.
test_metrics_SRCS := tests/unit/test_metrics.c tests/unit/store_fixture.c $(filter-out daemon/main.c,$(wicketd_SRCS))
test_metrics_PKGS := $(wicketd_PKGS) cmocka
UNIT_TESTS += test_metrics
# A store whose disk fills up: the client lookup, the errors, the counters held.
test_full_disk_SRCS := tests/unit/test_full_disk.c tests/unit/store_fixture.c $(filter-out daemon/main.c,$(wicketd_SRCS))
test_full_disk_PKGS := $(wicketd_PKGS) cmocka
UNIT_TESTS += test_full_disk

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
	@$(MAKE) --no-print-directory all unit-tests test-modules deb
	@tests/check

style: programs
	@tests/style/run

# Benchmarks in deterministic VM boots (bench/run); not part of check.
bench:
	@scripts/deps
	@$(MAKE) --no-print-directory all
	@bench/run

# --- install: `make install DESTDIR=/tmp/root PREFIX=/usr` (FHS; PREFIX
# --- defaults to /usr/local). The programs, man pages, bash completion,
# --- the portal page, the RADIUS dictionary, the systemd units and the
# --- sysusers.d file of wicketd's user, the example config, wicket-dnsmasq
# --- (dnsmasq for the access ports) with its unit, and the module's source
# --- for DKMS in /usr/src/wicket-VERSION (never built, nor depmod or
# --- systemctl run, here). tests/style/install.sh checks the file list.
# --- `make uninstall` removes the same files. `make deb` packages them
# --- (packaging/debian/build-deb) in build/deb/.
PREFIX      ?= /usr/local
sbindir     := $(PREFIX)/sbin
bindir      := $(PREFIX)/bin
datadir     := $(PREFIX)/share
mandir      := $(datadir)/man
docdir      := $(datadir)/doc/wicket
bashcompdir := $(datadir)/bash-completion/completions
unitdir     := $(PREFIX)/lib/systemd/system
userunitdir := $(PREFIX)/lib/systemd/user
dkmsdir     := /usr/src/wicket-$(VERSION)
# SOURCE:DESTINATION:MODE, one a file (no spaces in names).
INSTALL_FILES := $(BIN)/wicketd:$(sbindir)/wicketd:755 \
	$(BIN)/wicketctl:$(sbindir)/wicketctl:755 \
	$(BIN)/wicket-helper:$(bindir)/wicket-helper:755 \
	scripts/wicket-dnsmasq:$(sbindir)/wicket-dnsmasq:755 \
	$(BIN)/wicket-dnsmasq-conf:$(sbindir)/wicket-dnsmasq-conf:755 \
	man/wicket-helper.1:$(mandir)/man1/wicket-helper.1:644 \
	man/wicketd.conf.5:$(mandir)/man5/wicketd.conf.5:644 \
	man/wicketd.8:$(mandir)/man8/wicketd.8:644 \
	man/wicketctl.8:$(mandir)/man8/wicketctl.8:644 \
	completions/wicketctl:$(bashcompdir)/wicketctl:644 \
	completions/wicket-helper:$(bashcompdir)/wicket-helper:644 \
	$(foreach f,$(wildcard portal/*),$(f):$(datadir)/wicket/$(f):644) \
	packaging/radius/dictionary.radcli:$(datadir)/wicket/radius/dictionary.radcli:644 \
	packaging/radius/dictionary.wicket:$(datadir)/wicket/radius/dictionary.wicket:644 \
	packaging/wicketd.conf.example:$(docdir)/wicketd.conf.example:644 \
	$(foreach f,$(wildcard packaging/wicket.sysusers),$(f):$(PREFIX)/lib/sysusers.d/wicket.conf:644) \
	$(foreach f,$(KMOD_SRCS),$(f):$(dkmsdir)/$(f):644)
# Units and dkms.conf are edited on the way: the binaries' paths, the version.
INSTALL_EDITED := packaging/wicketd.service:$(unitdir)/wicketd.service \
	packaging/wicket-dnsmasq.service:$(unitdir)/wicket-dnsmasq.service \
	packaging/wicket-helper-keepalive.service:$(userunitdir)/wicket-helper-keepalive.service \
	packaging/dkms.conf:$(dkmsdir)/dkms.conf
inst_src = $(word 1,$(subst :, ,$(1)))
inst_dst = $(DESTDIR)$(word 2,$(subst :, ,$(1)))

.PHONY: install uninstall
INSTALL_BINS := $(BIN)/wicketd $(BIN)/wicketctl $(BIN)/wicket-helper $(BIN)/wicket-dnsmasq-conf
install: $(INSTALL_BINS)
	$(call say,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)$(foreach f,$(INSTALL_FILES),install -D -m $(word 3,$(subst :, ,$(f))) $(call inst_src,$(f)) \
		$(call inst_dst,$(f)) &&) true
	$(Q)$(foreach f,$(INSTALL_EDITED),install -d $(dir $(call inst_dst,$(f))) && \
		sed -e 's|/usr/sbin/|$(sbindir)/|g; s|/usr/bin/wicket|$(bindir)/wicket|g; s|@VERSION@|$(VERSION)|g' \
		$(call inst_src,$(f)) > $(call inst_dst,$(f)) && chmod 644 $(call inst_dst,$(f)) &&) true

uninstall:
	$(Q)rm -f $(foreach f,$(INSTALL_FILES) $(INSTALL_EDITED),$(call inst_dst,$(f)))
	$(Q)rm -rf $(DESTDIR)$(dkmsdir)
	$(Q)-rmdir $(DESTDIR)$(datadir)/wicket/portal $(DESTDIR)$(datadir)/wicket/radius \
		$(DESTDIR)$(datadir)/wicket $(DESTDIR)$(docdir) 2>/dev/null

# The Debian packages: wicket (the gateway) and wicket-helper (the guests'
# client), rebuilt when anything they hold changes.
DEB_ARCH = $(shell dpkg --print-architecture)
DEBS      = $(BUILD)/deb/wicket_$(VERSION)_$(DEB_ARCH).deb $(BUILD)/deb/wicket-helper_$(VERSION)_$(DEB_ARCH).deb
.PHONY: deb
deb: $(DEBS)
$(DEBS) &: $(INSTALL_BINS) $(foreach f,$(INSTALL_FILES) $(INSTALL_EDITED),$(call inst_src,$(f))) \
	    $(wildcard packaging/debian/* packaging/debian/*/*) Makefile
	$(call say,DEB,$(BUILD)/deb)
	$(Q)MAKE="$(MAKE)" packaging/debian/build-deb $(BUILD)/deb
# --- end of install

# --- fuzzing: tests/fuzz/fuzz_NAME.c, libFuzzer harnesses of the parsers
# --- that take outside input, built with clang, ASan and UBSan into
# --- build/fuzz/fuzz_NAME (objects of their own in build/fuzz/obj).
# --- `make fuzz` builds them; tests/check's suite fuzz runs each for
# --- FUZZ_SECONDS on a copy of tests/fuzz/corpus/NAME; see tests/fuzz/README.md.
FUZZ_CC     ?= clang
FUZZ_DIR    := $(BUILD)/fuzz
FUZZ_OBJ    := $(FUZZ_DIR)/obj
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Werror -MMD -MP -D_GNU_SOURCE \
	       -DWICKET_RELEASE='"$(VERSION)"' -Ikmod -Idaemon -Iclient \
	       -fsanitize=address,undefined -fno-sanitize-recover=all
# Each harness: its sources and pkg-config packages, those of the unit test
# (or program) of the same code but the test's own file and the files the
# harness #includes for their static functions.
fuzz_srcs = tests/fuzz/$(1).c $(filter-out tests/unit/% daemon/main.c $(3),$($(2)_SRCS))
fuzz_pkgs = $(filter-out cmocka,$($(1)_PKGS))
fuzz_keepalive_SRCS   := $(call fuzz_srcs,fuzz_keepalive,test_keepalive)
fuzz_keepalive_PKGS   := $(call fuzz_pkgs,test_keepalive)
# The client API's JSON bodies: portal_api.c needs the whole daemon but main().
fuzz_portal_api_SRCS  := $(call fuzz_srcs,fuzz_portal_api,wicketd)
fuzz_portal_api_PKGS  := $(call fuzz_pkgs,wicketd)
fuzz_config_SRCS      := $(call fuzz_srcs,fuzz_config,test_config)
fuzz_config_PKGS      := $(call fuzz_pkgs,test_config)
fuzz_control_SRCS     := $(call fuzz_srcs,fuzz_control,test_control,daemon/control.c)
fuzz_control_PKGS     := $(call fuzz_pkgs,test_control)
fuzz_radius_SRCS      := $(call fuzz_srcs,fuzz_radius,test_radius,daemon/radius.c)
fuzz_radius_PKGS      := $(call fuzz_pkgs,test_radius)
fuzz_manifest_SRCS    := tests/fuzz/fuzz_manifest.c client/manifest.c
fuzz_manifest_PKGS    := jansson libcrypto
fuzz_dhcp_SRCS        := $(call fuzz_srcs,fuzz_dhcp,test_helper,client/dhcp.c)
fuzz_dhcp_PKGS        := $(call fuzz_pkgs,test_helper)
fuzz_kernel_SRCS      := $(call fuzz_srcs,fuzz_kernel,test_kernel_msgs)
fuzz_kernel_PKGS      := $(call fuzz_pkgs,test_kernel_msgs)
FUZZERS := fuzz_keepalive fuzz_portal_api fuzz_config fuzz_control fuzz_radius fuzz_manifest fuzz_dhcp \
	   fuzz_kernel

fuzz_obj = $(patsubst %.c,$(FUZZ_OBJ)/%.o,$(1))

define fuzz_rules
$(FUZZ_DIR)/$(1): $(call fuzz_obj,$($(1)_SRCS))
	$$(call say,FUZZLD,$$@)
	$(Q)$$(FUZZ_CC) $$(FUZZ_CFLAGS) -fsanitize=fuzzer -o $$@ $$^ $$(call pkglibs,$($(1)_PKGS)) -lpthread
$(call fuzz_obj,$($(1)_SRCS)): PKG_CFLAGS := $(call pkgcflags,$($(1)_PKGS))
endef
$(foreach f,$(FUZZERS),$(eval $(call fuzz_rules,$(f))))

$(FUZZ_OBJ)/%.o: %.c
	$(call say,FUZZCC,$<)
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(PKG_CFLAGS) -c -o $@ $<

-include $(shell find $(FUZZ_OBJ) -name '*.d' 2>/dev/null)

.PHONY: fuzz torture
fuzz: $(addprefix $(FUZZ_DIR)/,$(FUZZERS))

# The long forms of the tests, not part of check: one step a line.
torture: fuzz
	FUZZ_SECONDS=600 tests/fuzz/run
	WICKET_TORTURE=1 tests/vm/run -k newest -t 3600 -T 4000 tests/kernel/fault-kill-storm.sh
	WICKET_TORTURE=1 tests/vm/run -k newest -t 3600 -T 4000 tests/kernel/fault-power-cut.sh
	tests/vm/selftest-power.sh
# The netlink fuzzer's long form on every kernel: 100000 rejected and 100000 random requests.
	WICKET_TORTURE=1 tests/vm/run -k all -t 1800 -T 4000 tests/kernel/netlink-fuzz.sh
# The soak ("# vm: torture only": never in make check): 10000 guests through 30 minutes.
	WICKET_TORTURE=1 tests/vm/run -k newest -t 2700 -T 3300 tests/kernel/soak.sh
# --- end of fuzzing

clean:
	rm -rf $(BUILD)

demo:
	@scripts/demo
