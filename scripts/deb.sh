#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make deb: two Debian packages in $BUILD/deb, built with dpkg-deb:
#   tcp-timeline-dkms_VERSION_all.deb  the module's source for DKMS, which
#                                      builds it for every installed kernel
#                                      (and every kernel installed later)
#   tcptimeline_VERSION_ARCH.deb       the reader, its man page, the
#                                      systemd units, the modprobe.d example
#                                      and the Prometheus alerting rules
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${TCPTL_BUILD:-$TOP/build}
VERSION=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$TOP/dkms.conf")
ARCH=$(dpkg --print-architecture)
OUT=$BUILD/deb
MAINT="tcp-timeline developers <tcp-timeline@localhost>"
rm -rf "$OUT"
mkdir -p "$OUT"

# The DKMS package: the module's sources as the Kbuild expects them.
d=$OUT/dkms
src=$d/usr/src/tcp-timeline-$VERSION
mkdir -p "$src/module/uapi" "$d/DEBIAN" "$d/usr/share/doc/tcp-timeline-dkms"
cp "$TOP/Kbuild" "$TOP/dkms.conf" "$src/"
cp "$TOP"/module/*.c "$TOP"/module/*.h "$src/module/"
cp "$TOP"/module/uapi/*.h "$src/module/uapi/"
printf 'tcp_timeline.ko sources for DKMS. See tcptimeline(8) and the project README.\n' \
	>"$d/usr/share/doc/tcp-timeline-dkms/README"
cat >"$d/DEBIAN/control" <<CTRL
Package: tcp-timeline-dkms
Version: $VERSION
Architecture: all
Maintainer: $MAINT
Depends: dkms (>= 2.1.0.0), make, gcc | c-compiler
Recommends: tcptimeline (= $VERSION)
Section: kernel
Priority: optional
Description: TCP state transitions and TIME_WAIT as timelines (kernel module, DKMS)
 tcp_timeline.ko hooks the kernel's TCP state changes, TIME_WAIT entry and
 exit included, and streams them over generic netlink to tcptimeline. DKMS
 builds it for each installed kernel (Linux 5.10 or newer) with headers.
CTRL
cat >"$d/DEBIAN/postinst" <<'SH'
#!/bin/sh
set -e
# Build for every kernel that has headers, as dh_dkms does; a kernel
# without headers (or outside BUILD_EXCLUSIVE_KERNEL) is skipped, not fatal.
if [ "$1" = configure ]; then
	dkms add -m tcp-timeline -v VERSION >/dev/null 2>&1 || true
	for build in /lib/modules/*/build; do
		[ -e "$build" ] || continue
		k=$(basename "$(dirname "$build")")
		dkms install -m tcp-timeline -v VERSION -k "$k" ||
			echo "tcp-timeline-dkms: not built for $k (see above)" >&2
	done
fi
SH
cat >"$d/DEBIAN/prerm" <<'SH'
#!/bin/sh
set -e
if [ "$1" = remove ] || [ "$1" = upgrade ] || [ "$1" = deconfigure ]; then
	dkms remove -m tcp-timeline -v VERSION --all >/dev/null 2>&1 || true
fi
SH
sed -i "s/VERSION/$VERSION/g" "$d/DEBIAN/postinst" "$d/DEBIAN/prerm"
chmod 0755 "$d/DEBIAN/postinst" "$d/DEBIAN/prerm"
dpkg-deb --root-owner-group -Zxz --build "$d" "$OUT/tcp-timeline-dkms_${VERSION}_all.deb" >/dev/null

# The reader.
r=$OUT/reader
make -s -C "$TOP/userspace" tcptimeline >/dev/null
mkdir -p "$r/DEBIAN" "$r/usr/sbin" "$r/usr/share/man/man8" "$r/lib/systemd/system" \
	"$r/usr/share/doc/tcptimeline/examples"
install -m 0755 -s "$TOP/userspace/tcptimeline" "$r/usr/sbin/tcptimeline"
gzip -9n -c "$TOP/userspace/tcptimeline.8" >"$r/usr/share/man/man8/tcptimeline.8.gz"
install -m 0644 "$TOP"/packaging/*.service "$r/lib/systemd/system/"
install -m 0644 "$TOP/packaging/tcp_timeline.modprobe.conf" \
	"$r/usr/share/doc/tcptimeline/examples/tcp_timeline.conf"
# Example configuration, as Debian keeps it: prometheus.yml's rule_files:
# lists it (or a copy).
install -D -m 0644 "$TOP/packaging/tcptimeline.rules.yml" \
	"$r/usr/share/doc/tcptimeline/examples/prometheus/tcptimeline.rules.yml"
# Library dependencies as dpkg-shlibdeps finds them.
mkdir -p "$r/debian"
echo "Source: tcp-timeline" >"$r/debian/control"
deps=$(cd "$r" && dpkg-shlibdeps -O usr/sbin/tcptimeline 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
rm -rf "$r/debian"
cat >"$r/DEBIAN/control" <<CTRL
Package: tcptimeline
Version: $VERSION
Architecture: $ARCH
Maintainer: $MAINT
Depends: $deps
Recommends: tcp-timeline-dkms (= $VERSION)
Section: net
Priority: optional
Description: TCP connection timelines, CLOSE_WAIT and TIME_WAIT diagnosis
 tcptimeline reads tcp_timeline.ko's records: per-connection timelines,
 live transitions, "top" for CLOSE_WAIT by process and TIME_WAIT by peer,
 and Prometheus metrics. Ships systemd units for the metrics endpoint and
 for unattended alerts (not enabled by default), and Prometheus alerting
 rules for the metrics (in /usr/share/doc/tcptimeline/examples/prometheus).
CTRL
dpkg-deb --root-owner-group -Zxz --build "$r" "$OUT/tcptimeline_${VERSION}_${ARCH}.deb" >/dev/null
rm -rf "$d" "$r"
ls -1 "$OUT"/*.deb
