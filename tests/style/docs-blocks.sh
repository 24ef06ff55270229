#!/bin/bash
# docs/*.md against the tests that run them (run by tests/style/run, via
# docs-sync.sh), one PASS/FAIL line per check:
#   - every fenced block is ```sh (commands: run by a test) or ```text
#     (output shown); every ```sh block has its <!-- test: LABEL --> line,
#     labels unique (tests/style/docs-lib.sh says how blocks are found);
#   - every label is run by a test (doc_run/doc_bg/doc_host NS LABEL, or
#     doc_body LABEL, in
#     tests/kernel/docs-*.sh or here), and every label a test runs is in
#     the docs: docs and tests cannot drift apart;
#   - every docs/examples/*.c is a program of the Makefile, clang-format
#     clean;
# and runs the blocks that build the module, which need the build
# machine's kernel headers rather than the VM: the integration guide's
# `make KVER=` and Kbuild blocks, and the operator guide's DKMS block
# (with dkms itself when installed, else what dkms.conf makes dkms run),
# each in a copy of the tree, for one installed kernel; and make deb, the
# package tests/kernel/docs-operator.sh installs.
# DOCS_BLOCKS_BUILD=0 skips the builds (for a quick look).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
WICKET_TOP=$top
failed=0
log_pass() { echo "PASS: docs: $*"; }
log_fail() {
	echo "FAIL: docs: $*"
	failed=1
}
on_exit() { :; }
# shellcheck source=tests/style/docs-lib.sh
. tests/style/docs-lib.sh

docs=$(find docs -name '*.md' | sort)
tests=$(ls tests/kernel/docs-*.sh tests/style/docs-*.sh 2> /dev/null)

# --- fences and labels
labels=""
for d in $docs; do
	bad=$(awk '
		/^```/ && !open { open = 1; lang = substr($0, 4)
			if (lang != "sh" && lang != "text") print FILENAME ":" NR ": fence \"" $0 "\" (sh or text)"
			else if (lang == "sh" && prev !~ /^<!-- test: [a-z0-9-]+ -->$/)
				print FILENAME ":" NR ": sh block without <!-- test: LABEL --> before it"
			prev = $0; next }
		/^```$/ && open { open = 0 }
		{ prev = $0 }
		END { if (open) print FILENAME ": unclosed fence" }' "$d")
	if [ -z "$bad" ]; then
		log_pass "$d: every fence is sh (labelled) or text"
	else
		log_fail "$d: $(tr '\n' ';' <<< "$bad")"
	fi
	labels+=" $(sed -n 's/^<!-- test: \([a-z0-9-]*\) -->$/\1/p' "$d" | tr '\n' ' ')"
done
dups=$(tr ' ' '\n' <<< "$labels" | sed '/^$/d' | sort | uniq -d)
if [ -z "$dups" ]; then
	log_pass "$(wc -w <<< "$labels") block labels, each once"
else
	log_fail "labels given twice: $dups"
fi

# --- each label run by a test, each test's label in the docs
ran=$({
	grep -hoE '(^|[^a-z_])doc_(run|bg|host)[[:space:]]+("[^"]*"|[^[:space:]]+)[[:space:]]+[a-z0-9-]+([^A-Za-z0-9_-]|$)' $tests
	grep -hoE '(^|[^a-z_])doc_body[[:space:]]+[a-z0-9-]+([^A-Za-z0-9_-]|$)' $tests
} | sed -E 's/[^a-z0-9-]$//' | awk '{ print $NF }' | sort -u)
lack="" extra=""
for l in $labels; do grep -qxF "$l" <<< "$ran" || lack+=" $l"; done
for l in $ran; do grep -qxF "$l" <<< "$(tr ' ' '\n' <<< "$labels")" || extra+=" $l"; done
if [ -z "$lack" ]; then
	log_pass "every docs block is run by a test ($(wc -w <<< "$labels") blocks)"
else
	log_fail "docs blocks no test runs (tests/kernel/docs-*.sh):$lack"
fi
if [ -z "$extra" ]; then
	log_pass "every block the tests run is in the docs"
else
	log_fail "tests run blocks the docs do not have:$extra"
fi

# --- the examples are built by make
lack=""
for c in docs/examples/*.c; do
	[ -e "$c" ] || continue
	grep -qE "^[a-z0-9_-]+_SRCS[[:space:]]*:?=.*$c" Makefile || lack+=" $c"
done
if [ -z "$lack" ]; then
	log_pass "docs/examples/*.c are Makefile programs (-Wall -Wextra -Werror)"
else
	log_fail "not built by the Makefile:$lack"
fi

bad=""
for c in docs/examples/*.c; do
	[ -e "$c" ] || continue
	clang-format --style=file "$c" | cmp -s - "$c" || bad+=" $c"
done
if [ -z "$bad" ]; then
	log_pass "docs/examples/*.c: clang-format clean"
else
	log_fail "clang-format differs for:$bad (clang-format -i FILE)"
fi

[ "${DOCS_BLOCKS_BUILD:-1}" = 1 ] || exit $failed

# --- the builds, on this machine's kernel headers, in copies of the tree.
# The docs name Debian 12's 6.1 kernel; another installed one stands in
# when its headers are missing.
doc_kver=6.1.0-56-amd64
kver=$doc_kver
[ -d "/lib/modules/$kver/build" ] ||
	kver=$(find /lib/modules/*/build -maxdepth 0 2> /dev/null | sed 's|/lib/modules/||; s|/build||' | sort -V | tail -n 1)
if [ -z "$kver" ]; then
	echo "SKIP: docs: no kernel headers for the module builds (scripts/deps)"
	exit $failed
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The tree as a vendor gets it: sources, and the programs already built.
copy_tree() {
	mkdir -p "$1"
	tar -c --exclude=./build --exclude=./.git . | tar -x -C "$1"
	mkdir -p "$1/build" && cp -a build/bin build/obj "$1/build/" 2> /dev/null
}
doc_path=$PATH
doc_host() { doc_run "$@"; }
# The .ko's vermagic names the kernel it was built for.
built_for() { [ "$(modinfo -F vermagic "$1" 2> /dev/null | cut -d' ' -f1)" = "$kver" ]; }

doc=docs/integration-guide.md
doc_dir=$tmp/tree
copy_tree "$doc_dir"
doc_host - in-build "$doc_kver=$kver" || failed=1
if built_for "$doc_dir/build/$kver/kmod/wicket.ko"; then
	log_pass "$doc: make KVER=$kver builds build/$kver/kmod/wicket.ko for $kver"
else
	log_fail "$doc: make KVER=$kver: no wicket.ko for $kver"
fi
doc_host - in-kbuild "$doc_kver=$kver" || failed=1
if built_for "$doc_dir/kmod/wicket.ko" && grep -qx "$(cat VERSION)" <<< "$doc_out"; then
	log_pass "$doc: Kbuild from the top of the tree builds kmod/wicket.ko $(cat VERSION) for $kver"
else
	log_fail "$doc: Kbuild: no kmod/wicket.ko $(cat VERSION) for $kver"
fi

# The libmnl example, by the guide's own cc line.
doc_dir=$tmp/example
mkdir -p "$doc_dir/docs/examples" && ln -s "$top/kmod" "$doc_dir/kmod" &&
	cp docs/examples/wicket-gate.c "$doc_dir/docs/examples/"
doc_host - in-example-build || failed=1
if [ -x "$doc_dir/wicket-gate" ]; then
	log_pass "$doc: the example builds with -Wall -Wextra -Werror"
else
	log_fail "$doc: the example did not build"
fi

# The package the operator guide installs (tests/kernel/docs-operator.sh
# installs it in the VM, where dpkg-shlibdeps would take minutes): made
# here, in build/deb/, when missing or older than the tree.
doc=docs/operator-guide.md
if command -v dpkg-shlibdeps > /dev/null; then
	deb=build/deb/wicket_$(cat VERSION)_$(dpkg --print-architecture).deb
	if make -s deb > "$tmp/deb.log" 2>&1 && dpkg-deb -c "$deb" | grep ' ./usr/sbin/wicketd$' > /dev/null &&
		dpkg-deb -c "$deb" | grep " ./usr/src/wicket-$(cat VERSION)/dkms.conf$" > /dev/null; then
		log_pass "$doc: make deb: $deb with wicketd and the module's DKMS source, for the VM test"
	else
		log_fail "$doc: make deb: $(tail -n 5 "$tmp/deb.log")"
	fi
else
	echo "SKIP: docs: make deb (no dpkg-shlibdeps: scripts/deps installs dpkg-dev)"
fi

# DKMS: what make install puts in /usr/src/wicket-VERSION, built the way
# its dkms.conf says.
doc=docs/operator-guide.md
root=$tmp/root
make -s install DESTDIR="$root" PREFIX=/usr > "$tmp/install.log" 2>&1 || {
	log_fail "make install DESTDIR=$root for DKMS: $(tail -n 3 "$tmp/install.log")"
	exit 1
}
src=$(ls -d "$root"/usr/src/wicket-* | head -n 1)
v=$(cat "$src/VERSION")
if command -v dkms > /dev/null; then
	# The block as written, with dkms's trees in $tmp instead of /var/lib/dkms and /lib/modules.
	mkdir -p "$tmp/dkms" "$tmp/modules"
	cat > "$tmp/dkms.sh" <<-EOF
		dkms() { command dkms --sourcetree "$root/usr/src" --dkmstree "$tmp/dkms" --installtree "$tmp/modules" -k "$kver" "\$@"; }
	EOF
	body=$(doc_body op-dkms "/usr/src/=$root/usr/src/") || exit 1
	if out=$(bash -e -c ". $tmp/dkms.sh; $body" 2>&1); then
		log_pass "$doc: block op-dkms runs as written (dkms's trees in a temporary directory)"
	else
		log_fail "$doc: block op-dkms: $(tail -n 5 <<< "$out")"
	fi
	ko=$(find "$tmp/modules" -name 'wicket.ko*' | head -n 1)
else
	# The block's variable and what dkms runs: dkms.conf's MAKE[0] with
	# its variables, in dkms's build directory.
	body=$(doc_body op-dkms "/usr/src/=$root/usr/src/") || exit 1
	# shellcheck disable=SC2016
	if [ "$(bash -c "$(head -n 1 <<< "$body"); echo \$v")" = "$v" ]; then
		log_pass "$doc: block op-dkms: the version it finds in /usr/src/wicket-*/VERSION is $v"
	else
		log_fail "$doc: block op-dkms: the version it finds is not $v"
	fi
	echo "SKIP: docs: block op-dkms's dkms commands (no dkms here: its dkms.conf build instead)"
	build=$tmp/dkms/wicket/$v/build
	mkdir -p "$build" && cp -a "$src/." "$build/"
	# dkms.conf's MAKE[0] with dkms's variables, and where it leaves the module.
	conf=$(
		# shellcheck disable=SC1090,SC2034
		kernel_source_dir=/lib/modules/$kver/build dkms_tree=$tmp/dkms
		. "$src/dkms.conf"
		eval "echo ${MAKE[0]}"
		echo "${BUILT_MODULE_LOCATION[0]}${BUILT_MODULE_NAME[0]}.ko"
	)
	make=$(head -n 1 <<< "$conf")
	echo "    dkms.conf: $make"
	(cd "$build" && $make > "$tmp/dkms.log" 2>&1) || tail -n 20 "$tmp/dkms.log"
	ko=$build/$(tail -n 1 <<< "$conf")
fi
if [ -n "$ko" ] && built_for "$ko" && [ "$(modinfo -F version "$ko")" = "$v" ]; then
	log_pass "$doc: DKMS builds wicket.ko $v for $kver from /usr/src/wicket-$v"
else
	log_fail "$doc: DKMS: no wicket.ko $v for $kver (${ko:-none})"
fi
exit $failed
