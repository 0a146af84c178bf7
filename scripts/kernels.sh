#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel matrix: for each kernel id, a debootstrap chroot of its Debian
# suite (with the headers and the compiler the kernel was built with), the
# kernel image and the few modules the guest tests need. Cached under
# $TCPTL_CACHE, so only the first run pays for downloads.
#
#   kernels.sh prepare ID...          make the chroot and image (idempotent)
#   kernels.sh build-module ID OUTDIR build tcp_timeline.ko for ID into OUTDIR
#   kernels.sh version ID             the exact kernel release of ID
#   kernels.sh refresh ID...          update a prepared suite to its newest kernel
#
# IDs: 5.10 (bullseye), 6.1 (bookworm), 6.12 (trixie), sid (newest), and
# 6.1-debug (bookworm's source with the kernel's checkers: debug-kernel.sh).
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${TCPTL_CACHE:-/var/cache/tcp-timeline}
MIRROR=${TCPTL_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${TCPTL_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
LOGS=$CACHE/logs
# shellcheck source=matrix.sh
. "$TOP/scripts/matrix.sh"
# Modules the guest loads (with their dependencies, from modules.dep).
GUEST_MODULES="inet_diag tcp_diag veth sch_netem"

# The versioned package a suite's meta package (linux-headers-cloud-amd64)
# points at. The meta packages themselves are sometimes missing from the
# mirror, so the versioned one is installed directly.
resolve_meta() {
	local root=$1 meta=$2
	in_chroot "$root" apt-cache depends "$meta" |
		sed -n 's/^ *Depends: \(linux-[a-z]*-[0-9][^ ]*\)$/\1/p' | head -n 1
}

sources_for() {
	local suite=$1
	echo "deb $MIRROR $suite main"
	case "$suite" in
	sid) ;;
	*)
		echo "deb $MIRROR $suite-updates main"
		echo "deb $SECURITY_MIRROR $suite-security main"
		;;
	esac
}


# A mirror that is a snapshot can serve a Release file past its Valid-Until
# (seen for sid, 17 days late); the signature still holds.
allow_late_release() {
	echo 'Acquire::Check-Valid-Until "false";' >"$1/etc/apt/apt.conf.d/99tcptl-valid-until"
}

make_chroot() {
	local suite=$1 root=$2 tmp=$2.partial
	rm -rf "$tmp"
	mkdir -p "$tmp"
	# sid may be signed by a key newer than the host's keyring; apt in the
	# chroot then uses the suite's own keyring, installed below.
	local keyopt=()
	[ "$suite" = sid ] && keyopt=(--no-check-gpg)
	debootstrap --variant=minbase "${keyopt[@]}" \
		--include=make,libc6-dev,kmod,ca-certificates,debian-archive-keyring \
		"$suite" "$tmp" "$MIRROR"
	sources_for "$suite" >"$tmp/etc/apt/sources.list"
	allow_late_release "$tmp"
	in_chroot "$tmp" apt-get update
	# The headers meta package names the suite's current ABI; installing it
	# pulls in that kernel's compiler.
	local headers
	headers=$(resolve_meta "$tmp" linux-headers-cloud-amd64)
	[ -n "$headers" ]
	in_chroot "$tmp" apt-get install -y --no-install-recommends "$headers"
	mv "$tmp" "$root"
}

kernel_release_in() {
	local root=$1
	# The newest installed cloud headers: the suite's own candidate.
	ls -d "$root"/usr/src/linux-headers-*-cloud-amd64 | sed 's|.*/linux-headers-||' | sort -V | tail -n 1
}

fetch_image() {
	local root=$1 kver=$2 dest=$3 dl
	dl=$root/tmp/tcptl-image
	rm -rf "$dl" "$dest.partial"
	mkdir -p "$dl" "$dest.partial"
	# In sid the image package is split: vmlinuz and modules come in
	# linux-binary-*; download whatever the image package depends on.
	local pkgs="linux-image-$kver"
	local deps
	# Signed images may be missing from the mirror: the unsigned build
	# of the same kernel boots the same way under QEMU.
	if ! (in_chroot "$root" sh -c "cd /tmp/tcptl-image && apt-get download $pkgs"); then
		pkgs="linux-image-$kver-unsigned"
	fi
	rm -f "$dl"/*.deb
	deps=$(in_chroot "$root" apt-cache depends "$pkgs" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-binary-[^ ]*\|linux-modules-[^ ]*\)$/\1/p' | tr '\n' ' ' || true)
	pkgs="$pkgs $deps"
	# shellcheck disable=SC2086
	(cd "$dl" && in_chroot "$root" sh -c "cd /tmp/tcptl-image && apt-get download $pkgs")
	for deb in "$dl"/*.deb; do
		dpkg-deb -x "$deb" "$dest.partial/root"
	done
	local vmlinuz
	vmlinuz=$(find "$dest.partial/root" -name "vmlinuz*" -type f | head -n 1)
	[ -n "$vmlinuz" ] || { log "no vmlinuz in $pkgs"; return 1; }
	cp "$vmlinuz" "$dest.partial/vmlinuz"
	local moddir
	moddir=$(find "$dest.partial/root" -type d -path "*/lib/modules/$kver" | head -n 1)
	# The packages ship no modules.dep (their postinst runs depmod): make it.
	mkdir -p "$dest.partial/depmod/lib/modules"
	ln -s "$moddir" "$dest.partial/depmod/lib/modules/$kver"
	depmod -b "$dest.partial/depmod" "$kver"
	[ -s "$moddir/modules.dep" ]
	mkdir -p "$dest.partial/modules"
	: >"$dest.partial/modules/load-order"
	local m
	for m in $GUEST_MODULES; do
		add_module "$moddir" "$m" "$dest.partial/modules"
	done
	in_chroot "$root" dpkg-query -W -f='${Version}\n' "linux-headers-$kver" >"$dest.partial/package-version"
	echo "$GUEST_MODULES depmod" >"$dest.partial/modules-wanted"
	echo "$kver" >"$dest.partial/release"
	rm -rf "$dest.partial/root" "$dest.partial/depmod" "$dl"
	rm -rf "$dest"
	mv "$dest.partial" "$dest"
}

# Copy module NAME and its dependencies (first) into OUT, decompressed.
add_module() {
	local moddir=$1 name=$2 out=$3 line path dep
	grep -qx "$name" "$out/load-order" && return 0
	line=$(grep -E "(^|/)${name}\.ko(\.xz|\.zst|\.gz)?:" "$moddir/modules.dep" || true)
	if [ -z "$line" ]; then
		# Built in (or absent): nothing to load.
		return 0
	fi
	path=${line%%:*}
	for dep in ${line#*:}; do
		dep=$(basename "$dep")
		add_module "$moddir" "${dep%%.ko*}" "$out"
	done
	case "$path" in
	*.xz) xz -dc "$moddir/$path" >"$out/$name.ko" ;;
	*.zst) zstd -qdc "$moddir/$path" >"$out/$name.ko" ;;
	*.gz) gzip -dc "$moddir/$path" >"$out/$name.ko" ;;
	*) cp "$moddir/$path" "$out/$name.ko" ;;
	esac
	echo "$name" >>"$out/load-order"
}

prepare() {
	local id=$1 n=${2:-1} total=${3:-1} suite root kver img start
	if [ "$id" = 6.1-debug ]; then
		"$TOP/scripts/debug-kernel.sh" prepare
		log "[$n/$total] $id: kernel $(cat "$CACHE/kernels/$id/release") ($(cat "$CACHE/kernels/$id/package-version")) ready"
		return
	fi
	suite=$(suite_of "$id")
	root=$CACHE/chroots/$suite
	img=$CACHE/kernels/$id
	start=$SECONDS
	if [ ! -d "$root" ]; then
		log "[$n/$total] $suite: creating build chroot (debootstrap, a few minutes the first time)"
		step "$suite: debootstrap and headers" "$LOGS/chroot-$suite.log" make_chroot "$suite" "$root"
	fi
	kver=$(kernel_release_in "$root")
	if [ ! -f "$img/release" ] || [ "$(cat "$img/release")" != "$kver" ] ||
	   [ "$(cat "$img/modules-wanted" 2>/dev/null)" != "$GUEST_MODULES depmod" ]; then
		log "[$n/$total] $suite $kver: fetching kernel image"
		step "$suite: kernel image" "$LOGS/image-$id.log" fetch_image "$root" "$kver" "$img"
	fi
	log "[$n/$total] $suite: kernel $kver (package $(cat "$img/package-version")) ready ($((SECONDS - start)) s)"
}

refresh_headers() {
	local root=$1
	allow_late_release "$root"
	in_chroot "$root" apt-get update
	in_chroot "$root" apt-get install -y --no-install-recommends \
		"$(resolve_meta "$root" linux-headers-cloud-amd64)"
}

refresh() {
	local id=$1 suite root
	suite=$(suite_of "$id")
	root=$CACHE/chroots/$suite
	[ -d "$root" ] || { prepare "$id"; return; }
	step "$suite: refresh" "$LOGS/refresh-$suite.log" refresh_headers "$root"
	prepare "$id"
}

build_module() {
	local id=$1 out=$2 suite root kver src rc=0
	suite=$(suite_of "$id")
	root=$CACHE/chroots/$suite
	kver=$(cat "$CACHE/kernels/$id/release")
	src=$root/build/tcp_timeline
	# Two runs on one machine share the chroot: one build at a time.
	exec 9>"$root/.tcptl-build.lock"
	flock 9
	rm -rf "$src"
	mkdir -p "$src" "$out"
	cp -r "$TOP/Kbuild" "$TOP/module" "$src/"
	mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
	in_chroot "$root" make -C "/usr/src/linux-headers-$kver" M=/build/tcp_timeline \
		${EXTRA_MAKEFLAGS:-} modules >"$out/build.log" 2>&1 || rc=$?
	umount "$root/proc" 2>/dev/null || true
	if [ $rc -ne 0 ]; then
		log "FAILED: building tcp_timeline.ko for $kver (log: $out/build.log)"
		grep -E "error|warning" "$out/build.log" | head -n 20 >&2
		return 1
	fi
	if grep -qE "warning:" "$out/build.log"; then
		log "warnings building for $kver:"
		grep -E "warning:" "$out/build.log" >&2
	fi
	cp "$src/tcp_timeline.ko" "$out/"
	# The module of the contract before this one, for the version-mismatch
	# test: the same code, its family claiming version N-1.
	local v
	v=$(sed -n 's/^#define TCPTL_GENL_VERSION[[:space:]]*\([0-9]*\).*/\1/p' \
		"$TOP/module/uapi/tcp_timeline.h")
	mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
	in_chroot "$root" make -C "/usr/src/linux-headers-$kver" M=/build/tcp_timeline \
		TCPTL_FAMILY_VERSION=$((v - 1)) ${EXTRA_MAKEFLAGS:-} modules \
		>"$out/build-other-version.log" 2>&1 || rc=$?
	umount "$root/proc" 2>/dev/null || true
	if [ $rc -ne 0 ]; then
		log "FAILED: building the version $((v - 1)) module (log: $out/build-other-version.log)"
		return 1
	fi
	cp "$src/tcp_timeline.ko" "$out/tcp_timeline-other-version.ko"
}

cmd=${1:-}
shift || true
case "$cmd" in
prepare)
	total=$#; n=0
	for id in "$@"; do n=$((n + 1)); prepare "$id" "$n" "$total"; done ;;
refresh)
	for id in "$@"; do refresh "$id"; done ;;
build-module)
	build_module "$1" "$2" ;;
version)
	cat "$CACHE/kernels/$1/release" ;;
*)
	sed -n '4,15p' "$0" >&2; exit 1 ;;
esac
