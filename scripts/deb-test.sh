#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The packages install cleanly: make deb, then in an overlay of each cached
# build chroot of the kernel matrix (the cache is left as it was): apt
# installs the DKMS package (and on bookworm, where the reader was built,
# the reader too) with their dependencies, DKMS builds and installs the
# module for that chroot's kernel headers, the reader runs, its man page
# and Prometheus alerting rules are installed, the units pass
# systemd-analyze verify (on this machine), and a purge removes everything
# DKMS installed. Prints "deb-test: ok ..." per kernel or "FAIL: ...".
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${TCPTL_CACHE:-/var/cache/tcp-timeline}
BUILD=${TCPTL_BUILD:-$TOP/build}
VERSION=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$TOP/dkms.conf")
ov=
root=

fail() { echo "FAIL: $*"; exit 1; }
cleanup() {
	[ -n "$ov" ] || return 0
	for m in "$root/proc" "$root/dev" "$root"; do
		mountpoint -q "$m" && umount -l "$m"
	done
	rm -rf "$ov"
	ov=
}
trap cleanup EXIT
# shellcheck source=matrix.sh
. "$TOP/scripts/matrix.sh"
in_root() { in_chroot "$root" "$@"; }


# test_kernel ID SUITE WITH_READER
test_kernel() {
	local id=$1 suite=$2 reader=$3 lower kver debs status ko modinfo_ver unit out
	"$TOP/scripts/kernels.sh" prepare "$id" >&2
	lower=$CACHE/chroots/$suite
	kver=$(cat "$CACHE/kernels/$id/release")
	ov=$(mktemp -d /tmp/tcptl-deb-XXXXXX)
	root=$ov/merged
	mkdir -p "$ov/upper" "$ov/work" "$root"
	mount -t overlay overlay -o "lowerdir=$lower,upperdir=$ov/upper,workdir=$ov/work" "$root"
	mount -t proc proc "$root/proc"
	mount --bind /dev "$root/dev"
	cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
	mkdir -p "$root/tmp/debs"
	cp "$BUILD"/deb/*.deb "$root/tmp/debs/"
	debs=/tmp/debs/tcp-timeline-dkms_${VERSION}_all.deb
	[ "$reader" = yes ] && debs="$debs /tmp/debs/tcptimeline_${VERSION}_amd64.deb"

	in_root apt-get update -q >/dev/null || fail "$id: apt-get update in the chroot"
	# shellcheck disable=SC2086
	in_root apt-get install -y -q --no-install-recommends $debs >"$ov/install.log" 2>&1 ||
		{ tail -n 20 "$ov/install.log"; fail "$id: apt-get install of the packages"; }
	status=$(in_root dkms status tcp-timeline)
	# "tcp-timeline/V, K, x86_64: installed" (dkms 3) or "tcp-timeline, V, K, ..." (dkms 2)
	echo "$status" | grep -F ", $kver, x86_64: installed" | grep -qE "^tcp-timeline(/|, )$VERSION," ||
		{ tail -n 30 "$ov/install.log"; fail "$id: DKMS did not install the module for $kver: $status"; }
	ko=$(find "$root/lib/modules/$kver/updates/dkms" -name 'tcp_timeline.ko*' | head -n 1)
	[ -n "$ko" ] || fail "$id: no module under /lib/modules/$kver/updates/dkms"
	# Built for that kernel (never loaded here).
	modinfo_ver=$(in_root modinfo -F vermagic "${ko#"$root"}" | cut -d' ' -f1)
	[ "$modinfo_ver" = "$kver" ] || fail "$id: vermagic $modinfo_ver, want $kver"
	if [ "$reader" = yes ]; then
		in_root tcptimeline --help | grep -q '^usage: tcptimeline' || fail "reader does not run"
		[ -e "$root/usr/share/man/man8/tcptimeline.8.gz" ] || fail "no man page"
		[ -s "$root/usr/share/doc/tcptimeline/examples/prometheus/tcptimeline.rules.yml" ] ||
			fail "no /usr/share/doc/tcptimeline/examples/prometheus/tcptimeline.rules.yml"
		for unit in "$root"/lib/systemd/system/tcptimeline-*.service; do
			# The binary is in the chroot, not here: that one complaint is expected.
			out=$(systemd-analyze verify --man=no "$unit" 2>&1 | grep -v '/usr/sbin/tcptimeline' || true)
			[ -z "$out" ] || fail "systemd-analyze verify $(basename "$unit"): $out"
		done
	fi
	in_root dpkg --purge tcptimeline tcp-timeline-dkms >>"$ov/install.log" 2>&1 || fail "$id: purge"
	[ -z "$(in_root dkms status tcp-timeline)" ] || fail "$id: dkms still lists the module after purge"
	[ -z "$(find "$root/lib/modules/$kver" -name 'tcp_timeline.ko*')" ] || fail "$id: module left after purge"
	local what=tcp-timeline-dkms
	[ "$reader" = yes ] && what="$what and tcptimeline"
	echo "deb-test: ok: $id ($kver): $what $VERSION installed, DKMS built the module, purged"
	cleanup
}

"$TOP/scripts/deb.sh" >/dev/null
# The reader package is built here, on bookworm: it installs there.
test_kernel 6.1 "$(suite_of 6.1)" yes
for id in ${DEB_KERNELS:-5.10 6.12 sid}; do
	test_kernel "$id" "$(suite_of "$id")" no
done
