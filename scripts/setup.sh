#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Installs what the project needs on a Debian host, as root. Idempotent and
# quiet when everything is there.
set -euo pipefail

PACKAGES="build-essential pkg-config libmnl-dev libcmocka-dev uthash-dev
	libmicrohttpd-dev bc
	qemu-system-x86 busybox-static debootstrap debian-archive-keyring
	ca-certificates kmod cpio gzip xz-utils zstd iproute2 util-linux jq
	sparse linux-headers-cloud-amd64"

CACHE=${TCPTL_CACHE:-/var/cache/tcp-timeline}

# promtool checks the metrics exposition in the tests. It comes from
# Debian's prometheus package, unpacked into the cache rather than
# installed, so no Prometheus server gets started on this machine.
fetch_promtool() {
	local tmp
	[ -x "$CACHE/tools/promtool" ] && return 0
	tmp=$(mktemp -d)
	chmod 755 "$tmp"	# apt downloads as _apt
	(cd "$tmp" && apt-get download -q prometheus >/dev/null) &&
		dpkg-deb -x "$tmp"/prometheus_*.deb "$tmp/root" &&
		mkdir -p "$CACHE/tools" &&
		install -m 0755 "$tmp/root/usr/bin/promtool" "$CACHE/tools/promtool"
	local rc=$?
	rm -rf "$tmp"
	[ $rc -eq 0 ] || echo "setup: could not fetch promtool (Debian package prometheus)" >&2
	return $rc
}

missing=()
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	fetch_promtool
	exit
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "setup: run as root to install: ${missing[*]}" >&2
	exit 1
fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fetch_promtool
