#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The debug kernel: Debian's linux-source of the bookworm kernel, built in the
# bookworm chroot over x86_64 defconfig with lockdep, DEBUG_ATOMIC_SLEEP,
# KASAN, KMEMLEAK and DEBUG_OBJECTS (scripts/debug-kernel.config). Cached as
# kernel id 6.1-debug beside the matrix kernels; the build tree stays in the
# chroot as that kernel's headers, so modules build against it the usual way.
#
#   debug-kernel.sh prepare    build it unless the cached one matches the config
#   debug-kernel.sh cached     exit 0 when a matching build is cached
#
# About 30 minutes cold on two cores; nothing when cached.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${TCPTL_CACHE:-/var/cache/tcp-timeline}
ID=6.1-debug
ROOT=$CACHE/chroots/bookworm
IMG=$CACHE/kernels/$ID
FRAGMENT=$TOP/scripts/debug-kernel.config
LOG=$CACHE/logs/debug-kernel.log
# shellcheck source=matrix.sh
. "$TOP/scripts/matrix.sh"

BUILD_DEPS="linux-source-6.1 gcc bc bison flex libelf-dev libssl-dev cpio xz-utils rsync kmod"

fragment_hash() { sha256sum "$FRAGMENT" | cut -d' ' -f1; }

cached() {
	[ -f "$IMG/release" ] && [ -f "$IMG/vmlinuz" ] &&
		[ "$(cat "$IMG/config-hash" 2>/dev/null)" = "$(fragment_hash)" ] &&
		[ -d "$ROOT/usr/src/linux-headers-$(cat "$IMG/release")" ]
}

# Every option of the fragment as it must read in .config.
check_config() {
	local config=$1 line name want missing=0
	while read -r line; do
		case "$line" in
		CONFIG_*=*) name=${line%%=*}; want=$line ;;
		"# CONFIG_"*" is not set") name=${line#\# }; name=${name%% *}; want=$line ;;
		*) continue ;;
		esac
		if [ "$want" = "$line" ] && [[ $line == "# "* ]]; then
			# Off: either "is not set" or absent (its menu is off).
			grep -q "^$name=" "$config" || continue
		else
			grep -qxF "$want" "$config" && continue
		fi
		log "debug kernel: $name did not take: wanted '$want', got '$(grep -E "^(# )?$name[= ]" "$config" || echo absent)'"
		missing=1
	done <"$FRAGMENT"
	return $missing
}

build() {
	local tree=/usr/src/tcptl-debug-build src kver
	in_chroot "$ROOT" apt-get update
	# shellcheck disable=SC2086
	in_chroot "$ROOT" apt-get install -y --no-install-recommends $BUILD_DEPS
	rm -rf "${ROOT:?}$tree"
	mkdir -p "$ROOT$tree"
	src=$(ls "$ROOT"/usr/src/linux-source-6.1.tar.* | head -n 1)
	tar -xf "$src" -C "$ROOT$tree" --strip-components=1
	cp "$FRAGMENT" "$ROOT$tree/tcptl-debug.config"
	mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
	trap 'umount "$ROOT/proc" 2>/dev/null || true' RETURN
	in_chroot "$ROOT" make -C "$tree" defconfig
	in_chroot "$ROOT" sh -c "cd $tree && scripts/kconfig/merge_config.sh -m .config tcptl-debug.config"
	in_chroot "$ROOT" make -C "$tree" olddefconfig
	check_config "$ROOT$tree/.config"
	in_chroot "$ROOT" make -C "$tree" -j"$(nproc)" bzImage modules
	# Known for sure only once built (LOCALVERSION is applied then).
	kver=$(cat "$ROOT$tree/include/config/kernel.release")
	# The tree is this kernel's headers from now on (kernels.sh build-module).
	rm -rf "$ROOT/usr/src/linux-headers-$kver"
	mv "$ROOT$tree" "$ROOT/usr/src/linux-headers-$kver"
	rm -rf "$IMG.partial"
	mkdir -p "$IMG.partial/modules"
	cp "$ROOT/usr/src/linux-headers-$kver/arch/x86/boot/bzImage" "$IMG.partial/vmlinuz"
	: >"$IMG.partial/modules/load-order"
	echo "built in" >"$IMG.partial/modules-wanted"
	in_chroot "$ROOT" dpkg-query -W -f='linux-source-6.1 ${Version} + debug config\n' \
		linux-source-6.1 >"$IMG.partial/package-version"
	fragment_hash >"$IMG.partial/config-hash"
	echo "$kver" >"$IMG.partial/release"
	rm -rf "$IMG"
	mv "$IMG.partial" "$IMG"
}

prepare() {
	local start=$SECONDS
	cached && return 0
	"$TOP/scripts/kernels.sh" prepare 6.1
	log "$ID: building the debug kernel from linux-source-6.1 (about 30 minutes on two cores; log: $LOG)"
	step "debug kernel build" "$LOG" build
	log "$ID: kernel $(cat "$IMG/release") built in $(((SECONDS - start) / 60)) min $(((SECONDS - start) % 60)) s"
}

case "${1:-}" in
prepare) prepare ;;
cached) cached ;;
*) sed -n '4,13p' "$0" >&2; exit 1 ;;
esac
