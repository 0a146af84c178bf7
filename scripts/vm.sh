#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boots a matrix kernel under QEMU with the module, the reader, the test
# programs and the guest suite in an initramfs. The module is only ever
# loaded inside this guest.
#
#   vm.sh run ID [GLOB]   run the guest suite (tests matching GLOB), log to $BUILD/ID/console.log
#   vm.sh shell ID        interactive shell in the guest, module loaded
#   vm.sh demo ID         sample traffic and what the reader shows
#   vm.sh bench ID        the benchmark's guest part (TCPTL_BENCH=ROUNDS:SECONDS:CLIENTS)
#
# Environment: TCPTL_BUILD (default ./build), TCPTL_TIMEOUT (guest seconds,
# default 900, times TCPTL_SLOW for a debug kernel), TCPTL_MEM (MiB, default
# 1024), TCPTL_SLOW (time-limit factor on a debug kernel, default 4),
# TCPTL_APPEND (more kernel command line), TCPTL_ACCEL (QEMU -accel),
# TCPTL_EXTRA_TOOLS (more host programs for the guest).
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${TCPTL_CACHE:-/var/cache/tcp-timeline}
BUILD=${TCPTL_BUILD:-$TOP/build}
SLOW=${TCPTL_SLOW:-4}
case "${2:-}" in
*-debug) TIMEOUT=${TCPTL_TIMEOUT:-$((900 * SLOW))} ;;
*) TIMEOUT=${TCPTL_TIMEOUT:-900} ;;
esac
MEM=${TCPTL_MEM:-1024}
# Two vCPUs, run by one host thread. With multi-threaded TCG, a vCPU was seen
# (once, 6.12) to execute the int3 of a static-branch patch after the kernel
# had finished it (tracepoint unregistered under churn): an emulator window
# in cross-modifying code, which the kernel's sync_core IPIs close on
# hardware. Set TCPTL_ACCEL=tcg,thread=multi to run the vCPUs in parallel.
ACCEL="-accel ${TCPTL_ACCEL:-tcg,thread=single}"
# Host programs the tests use, copied with their shared libraries.
HOST_TOOLS="ip ss tc jq setpriv nsenter unshare stat timeout"
# More for one run (make bench adds perf, for its profile).
HOST_TOOLS="$HOST_TOOLS ${TCPTL_EXTRA_TOOLS:-}"

log() { printf '%s\n' "$*" >&2; }

copy_elf() {
	local bin=$1 root=$2 dest=${3:-$2/tcptl/bin}
	mkdir -p "$dest"
	cp -L "$bin" "$dest/"
	ldd "$bin" 2>/dev/null | grep -oE '/[^ ]+' | while read -r lib; do
		[ -e "$root$lib" ] || { mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"; }
	done
}

build_initramfs() {
	local id=$1 out=$2 root kimg kver
	kimg=$CACHE/kernels/$id
	kver=$(cat "$kimg/release")
	root=$out/initramfs
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,run,root,var/run,tcptl/bin,tcptl/modules}
	cp /bin/busybox "$root/bin/busybox"
	for applet in $(/bin/busybox --list); do
		[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
	done
	# The initramfs's own tools win over busybox applets of the same name.
	for t in $HOST_TOOLS; do
		copy_elf "$(command -v "$t")" "$root"
	done
	[ -x "$TOP/userspace/tcptimeline" ] && copy_elf "$TOP/userspace/tcptimeline" "$root"
	for p in "$TOP"/tests/guest/progs/*; do
		[ -x "$p" ] && [ -f "$p" ] && copy_elf "$p" "$root"
	done
	# Without debug sections: a tenth of the size, and insmod under
	# emulation takes a fraction of the time (the torture loads it 200 times).
	strip --strip-debug -o "$root/tcptl/tcp_timeline.ko" "$out/tcp_timeline.ko"
	strip --strip-debug -o "$root/tcptl/tcp_timeline-other-version.ko" \
		"$out/tcp_timeline-other-version.ko"
	cp "$kimg"/modules/*.ko "$kimg/modules/load-order" "$root/tcptl/modules/" 2>/dev/null || true
	mkdir -p "$root/tcptl/tests"
	cp "$TOP"/tests/guest/*.sh "$root/tcptl/tests/"
	cp "$TOP/tests/guest/init" "$root/init"
	chmod +x "$root/init"
	echo "$kver" >"$root/tcptl/expected-release"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/initrd.gz"
}

run_guest() {
	local id=$1 mode=$2 glob=${3:-} out=$BUILD/$id append
	append="console=ttyS0 quiet panic=-1 tcptl.mode=$mode"
	[ -n "$glob" ] && append="$append tcptl.tests=$glob"
	# KASAN, lockdep and kmemleak make the debug kernel several times slower.
	# Its log must keep the boot lines that show the checkers are on.
	case "$id" in *-debug) append="$append tcptl.slow=$SLOW log_buf_len=8M" ;; esac
	[ -n "${TCPTL_BENCH:-}" ] && append="$append tcptl.bench=$TCPTL_BENCH"
	[ -n "${TCPTL_APPEND:-}" ] && append="$append $TCPTL_APPEND"
	if [ "$mode" = shell ]; then
		exec qemu-system-x86_64 -nographic -no-reboot -m "$MEM" -smp 2 -cpu max $ACCEL \
			-kernel "$CACHE/kernels/$id/vmlinuz" -initrd "$out/initrd.gz" \
			-append "$append"
	fi
	if [ "$mode" = demo ]; then
		echo "guest console (boot, kernel log): $out/console.log"
		run_qemu "$id" "$append" | tee "$out/console.log" | demo_view &&
			return 0
		if [ "${PIPESTATUS[0]}" = 124 ]; then
			echo "the demo did not finish: the guest timed out after $TIMEOUT s" >&2
		else
			echo "the demo did not finish" >&2
		fi
		echo "the end of the guest's console ($out/console.log):" >&2
		sed 's/\r//g; s/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1b[a-zA-Z]//g' "$out/console.log" | tail -n 40 >&2
		return 1
	fi
	run_qemu "$id" "$append" | tee "$out/console.log" | { [ "$mode" = run ] && cat >/dev/null || cat; }
}

run_qemu() {
	timeout --foreground "$TIMEOUT" qemu-system-x86_64 -nographic -no-reboot \
		-m "$MEM" -smp 2 -cpu max $ACCEL -kernel "$CACHE/kernels/$1/vmlinuz" \
		-initrd "$BUILD/$1/initrd.gz" -append "$2" </dev/null
}

# The demo's own output (between its markers), headings in colour on a
# terminal; fails if the demo did not reach its end.
demo_view() {
	local bold='' off=''
	if [ -t 1 ] && [ "${TERM:-dumb}" != dumb ] && [ -z "${NO_COLOR:-}" ]; then
		bold=$(printf '\033[1;36m') off=$(printf '\033[0m')
	fi
	awk -v bold="$bold" -v off="$off" '
		{ sub(/\r$/, "") }
		/^TCPTL-DEMO-END/ { on = 0; done = 1; next }
		on && /^== / { print bold $0 off; fflush(); next }
		on { print; fflush() }
		/^TCPTL-DEMO-BEGIN/ { on = 1 }
		END { exit !done }'
}

prepare_guest() {
	local id=$1 out=$BUILD/$1
	mkdir -p "$out"
	"$TOP/scripts/kernels.sh" prepare "$id"
	"$TOP/scripts/kernels.sh" build-module "$id" "$out"
	[ -f "$TOP/userspace/Makefile" ] && make -s -C "$TOP/userspace" >/dev/null
	make -s -C "$TOP/tests/guest/progs" >/dev/null
	build_initramfs "$id" "$out"
}

cmd=${1:-}
id=${2:-6.1}
case "$cmd" in
run) prepare_guest "$id"; run_guest "$id" run "${3:-}" ;;
shell) prepare_guest "$id"; run_guest "$id" shell ;;
demo) prepare_guest "$id"; run_guest "$id" demo ;;
bench) prepare_guest "$id"; run_guest "$id" bench ;;
initramfs) prepare_guest "$id" ;;
run-only) run_guest "$id" run "${3:-}" ;;
*) sed -n '4,15p' "$0" >&2; exit 1 ;;
esac
