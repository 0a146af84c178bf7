#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Installs what the project needs on a Debian host, as root. Idempotent and
# quiet when everything is there.
set -euo pipefail

PACKAGES="build-essential pkg-config libmnl-dev libcmocka-dev uthash-dev
	qemu-system-x86 busybox-static debootstrap debian-archive-keyring
	ca-certificates kmod cpio gzip xz-utils zstd iproute2 util-linux jq
	sparse linux-headers-cloud-amd64"

missing=()
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "setup: run as root to install: ${missing[*]}" >&2
	exit 1
fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
