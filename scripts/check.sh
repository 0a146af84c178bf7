#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The test command: unit tests, the Prometheus alerting rules' promtool
# tests, then the guest suite on every kernel of the matrix. Ends with
# "N passed, N failed" (and ", N skipped").
#
#   KERNELS="5.10 6.1 6.12 sid"  which kernels (default: these, plus
#                                6.1-debug when its build is cached)
#   TESTS=GLOB[,GLOB]            which guest tests (t-1*, ...; default t-*, the
#                                suite; x-* is the torture, make torture)
#   TORTURE_KERNELS="6.1"        with the default TESTS, these kernels also
#                                run the torture (all four matrix kernels take
#                                about 28 minutes; make check-debug runs it on
#                                the debug kernel)
#   PACKAGES=0                   skip the package tests of a full run
#   DEMO=0                       skip make demo's check (with the default
#                                TESTS, when 6.1 is in KERNELS)
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${TCPTL_BUILD:-$TOP/build}
# The debug kernel joins a full run when it is cached
# (building it takes longer than CI allows; make check-debug builds it and
# also runs the torture there).
debug_note=
debug_joined=0
# The debug kernel's tests when it joins a full run: those that drive the
# module's own code (hooks, filters, loss, unload, TIME_WAIT, the netlink
# fuzzer), not the reader's views of the same records (t-19 timelines, t-4*
# top and metrics), which cost about 150 s there and bring the run closer
# to CI's limit; t-50 sends a fifth of its fuzz requests there (213 s for
# all). make check-debug runs them all, and the torture.
DEBUG_JOINED_TESTS=${DEBUG_JOINED_TESTS:-t-0*,t-1[0-8]*,t-2*,t-3*,t-5*}
if [ -z "${KERNELS:-}" ]; then
	KERNELS="5.10 6.1 6.12 sid"
	if "$TOP/scripts/debug-kernel.sh" cached; then
		KERNELS="$KERNELS 6.1-debug"
		debug_joined=1
	else
		debug_note="debug kernel not cached (make check-debug builds it once, about 30 min cold): not run"
	fi
fi
PACKAGES=${PACKAGES:-1}
default_tests=${TESTS:-}
TESTS=${TESTS:-t-*}
TORTURE_KERNELS=${TORTURE_KERNELS-6.1}
PROMTOOL=${TCPTL_CACHE:-/var/cache/tcp-timeline}/tools/promtool
passed=0 failed=0 skipped=0
failures=()
t0=$SECONDS

note_fail() { failed=$((failed + 1)); failures+=("$1"); }

if [ "${TCPTL_NO_SETUP:-0}" != 1 ]; then
	"$TOP/scripts/setup.sh" || exit 1
fi

echo "== unit tests"
mkdir -p "$BUILD"
if [ -f "$TOP/tests/unit/Makefile" ]; then
	make -s -C "$TOP/tests/unit" check 2>&1 | tee "$BUILD/unit.log"
	line=$(grep -E '^unit: [0-9]+ passed, [0-9]+ failed' "$BUILD/unit.log" | tail -n 1)
	if [ -n "$line" ]; then
		p=$(echo "$line" | sed -E 's/unit: ([0-9]+) passed.*/\1/')
		f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
		passed=$((passed + p))
		failed=$((failed + f))
		[ "$f" -eq 0 ] || failures+=("unit tests: $f failed (log: $BUILD/unit.log)")
	else
		note_fail "unit tests did not run (log: $BUILD/unit.log)"
	fi
fi

# The alerting rules the reader package ships: promtool check rules, and
# promtool test rules, one item per alert's test group. Also with
# TCPTL_NO_SETUP=1; without promtool (setup.sh fetches it) it fails.
echo "== prometheus rules"
if [ ! -x "$PROMTOOL" ]; then
	echo "   no promtool at $PROMTOOL (scripts/setup.sh fetches it)"
	note_fail "prometheus rules: not tested, no promtool at $PROMTOOL (scripts/setup.sh fetches it)"
else
	PROMTOOL="$PROMTOOL" "$TOP/tests/prometheus/run.sh" 2>&1 | tee "$BUILD/prometheus.log"
	line=$(grep -E '^prometheus: [0-9]+ passed, [0-9]+ failed' "$BUILD/prometheus.log" | tail -n 1)
	if [ -n "$line" ]; then
		p=$(echo "$line" | sed -E 's/prometheus: ([0-9]+) passed.*/\1/')
		f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
		passed=$((passed + p))
		failed=$((failed + f))
		[ "$f" -eq 0 ] || failures+=("prometheus rules: $f failed (log: $BUILD/prometheus.log)")
	else
		note_fail "prometheus rules: tests did not run (log: $BUILD/prometheus.log)"
	fi
fi

# Kernel log lines that fail a run whatever the tests said.
# On the debug kernel also the checkers' own reports, and any of them
# switching itself off (its silence would then prove nothing).
BAD_LOG='Oops|BUG:|WARNING:|general protection|possible circular locking|inconsistent lock state|possible recursive locking|KASAN|UBSAN|ODEBUG|suspicious RCU usage|DEBUG_LOCKS_WARN_ON|turning off the locking correctness validator|lockdep is turned off|leak detector disabled|Call Trace|RCU stall|rcu_sched self-detected|scheduling while atomic|sleeping function called from invalid context|Kernel panic'
# The first report of a console log, so that a run whose log is gone (CI)
# still shows what the kernel said.
print_report() { grep -m 1 -A 60 -E "$BAD_LOG" "$1" | sed 's/^/   | /'; }

# Every kernel is prepared and its module and initramfs built first, so
# that the package test (chroots and DKMS builds, much of it waiting on apt)
# can run beside the guests instead of after them.
n=0
total=$(echo "$KERNELS" | wc -w)
built=()
for id in $KERNELS; do
	n=$((n + 1))
	k0=$SECONDS
	out=$BUILD/$id
	mkdir -p "$out"
	echo "== [$n/$total] kernel $id: preparing"
	if ! "$TOP/scripts/kernels.sh" prepare "$id"; then
		note_fail "$id: kernel preparation failed (logs: ${TCPTL_CACHE:-/var/cache/tcp-timeline}/logs)"
		continue
	fi
	kver=$("$TOP/scripts/kernels.sh" version "$id")
	echo "== [$n/$total] $id $kver: building module and initramfs"
	if ! "$TOP/scripts/vm.sh" initramfs "$id" >"$out/prepare.log" 2>&1; then
		tail -n 20 "$out/prepare.log"
		note_fail "$id: build failed (log: $out/prepare.log)"
		continue
	fi
	grep -E "warning:" "$out/build.log" && note_fail "$id: compiler warnings (log: $out/build.log)"
	echo "== [$n/$total] $id $kver: built in $((SECONDS - k0)) s"
	built+=("$id")
done

# Packaging (the full run only): the .debs install in each kernel's chroot
# and DKMS builds the module there. Every chroot is ready by now, and the
# guests only read their built initramfs.
deb_pid=
if [ -z "$default_tests" ] && [ "$PACKAGES" = 1 ]; then
	echo "== packages: make deb, install in the build chroots, DKMS build, purge (beside the guests)"
	d0=$(date +%s)
	DEB_KERNELS=$(echo " $KERNELS " | sed -e 's/ 6\.1 / /g' -e 's/ 6\.1-debug / /g') TCPTL_BUILD=$BUILD \
		"$TOP/scripts/deb-test.sh" >"$BUILD/deb-test.log" 2>&1 &
	deb_pid=$!
fi

n=0
for id in "${built[@]}"; do
	n=$((n + 1))
	out=$BUILD/$id
	kver=$("$TOP/scripts/kernels.sh" version "$id")
	echo "== [$n/${#built[@]}] $id $kver: running the guest suite"
	g0=$SECONDS
	tests=$TESTS
	append=${TCPTL_APPEND:-}
	if [ -z "$default_tests" ] && [[ " $TORTURE_KERNELS " == *" $id "* ]]; then
		tests="$TESTS,x-*"
	elif [ -z "$default_tests" ] && [ "$debug_joined" = 1 ] && [[ $id == *-debug ]]; then
		tests=$DEBUG_JOINED_TESTS
		append="$append tcptl.fuzz=20000"
		echo "   (the module's tests, t-50 with 20,000 fuzz requests for 100,000: $tests; make check-debug runs all and the torture)"
	fi
	log=$out/console.log
	# A guest whose kernel reported a problem while booting, before the
	# module was loaded, stops at once (tests/guest/init): the report is
	# printed here and the guest boots again, three boots at most.
	rm -f "$out"/console.boot-report-*.log
	for boot in 1 2 3; do
		TCPTL_APPEND=$append TCPTL_SKIP_PREPARE=1 "$TOP/scripts/vm.sh" run-only "$id" "$tests" >/dev/null 2>&1
		grep -q 'TCPTL-BOOT-REPORT' "$log" || break
		mv "$log" "$out/console.boot-report-$boot.log"
		echo "   note: boot $boot: the kernel reported a problem while booting, before the module was loaded ($(grep -o -m 1 'TCPTL-BOOT-REPORT.*' "$out/console.boot-report-$boot.log" | tr -d '\r'); log: $out/console.boot-report-$boot.log):"
		print_report "$out/console.boot-report-$boot.log"
		[ "$boot" -lt 3 ] || note_fail "$id: the kernel reported a problem while booting in three boots out of three (logs: $out/console.boot-report-*.log)"
	done
	[ -e "$log" ] || { echo "== [$n/$total] $id $kver: not run"; continue; }
	grep -E '^(\[t-[^]]*\] (FAIL|SKIP):|TCPTL-RESULT)' "$log" | sed 's/^/   /'
	p=$(grep -c '^TCPTL-RESULT PASS' "$log")
	f=$(grep -c '^TCPTL-RESULT FAIL' "$log")
	s=$(grep -c '^TCPTL-RESULT SKIP' "$log")
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	while read -r line; do failures+=("$id: ${line#TCPTL-RESULT FAIL } (log: $log)"); done \
		< <(grep '^TCPTL-RESULT FAIL' "$log")
	# Files the tests printed for the host to check, between
	# "TCPTL-FILE-BEGIN NAME" and "TCPTL-FILE-END": metrics go to promtool.
	rm -rf "$out/files"
	mkdir -p "$out/files"
	tr -d '\r' <"$log" | awk -v dir="$out/files" '
		{ sub(/^\[[^]]*\] /, "") }
		/^TCPTL-FILE-BEGIN / { f = dir "/" $2; printf "" >f; next }
		/^TCPTL-FILE-END/ { close(f); f = ""; next }
		f != "" { print >>f }'
	for prom in "$out"/files/*.prom; do
		[ -e "$prom" ] || continue
		if "$PROMTOOL" check metrics <"$prom" >"$prom.promtool" 2>&1; then
			passed=$((passed + 1))
			echo "   promtool check metrics $(basename "$prom"): ok"
		else
			note_fail "$id: promtool check metrics $(basename "$prom"): $(head -n 1 "$prom.promtool")"
		fi
	done
	case "$id" in *-debug)
		# The checkers were on, and kmemleak found nothing after the run.
		for on in KernelAddressSanitizer 'Lock dependency validator' 'memory leak detector initialized'; do
			grep -q "$on" "$log" || note_fail "$id: kernel log lacks '$on': a checker is off (log: $log)"
		done
		leaks=$(sed -n 's/^TCPTL-KMEMLEAK \([0-9]*\).*/\1/p' "$log")
		if [ "${leaks:-x}" = 0 ]; then
			passed=$((passed + 1))
			echo "   kmemleak after the run: no leaks"
		else
			note_fail "$id: kmemleak after the run: ${leaks:-no report} (log: $log)"
		fi
		;;
	esac
	if ! grep -q '==== TCPTL-GUEST-DONE ====' "$log"; then
		note_fail "$id: guest did not finish (timeout or crash; log: $log)"
	fi
	# The whole console counts: an oops can happen outside any test.
	bad=$(grep -E "$BAD_LOG" "$log" | head -n 5)
	taint=$(sed -n 's/^TCPTL-TAINTED \([0-9]*\).*/\1/p' "$log")
	# Allowed taints: O (out-of-tree, 4096) and E (unsigned, 8192).
	if [ -n "$bad" ]; then
		echo "   kernel log, first report:"
		print_report "$log"
		note_fail "$id: kernel log: $(echo "$bad" | head -n 1) (log: $log)"
	elif [ -z "$taint" ] || [ $((taint & ~(4096 | 8192))) -ne 0 ]; then
		note_fail "$id: kernel tainted '${taint:-unknown}' (log: $log)"
	else
		passed=$((passed + 1))
	fi
	echo "== [$n/${#built[@]}] $id $kver: $p passed, $f failed, $s skipped; guest $((SECONDS - g0)) s"
done

# make demo as a newcomer sees it: its steps in order, no boot output, and
# the closing paragraph names the process that top shows leaking CLOSE_WAIT.
if [ -z "$default_tests" ] && [ "${DEMO:-1}" != 0 ] && [[ " ${built[*]} " == *" 6.1 "* ]]; then
	echo "== demo (make demo, 6.1)"
	demo0=$SECONDS
	# Its own build directory: the suite's console logs stay.
	mkdir -p "$BUILD/demo"
	out=$BUILD/demo/demo.out
	if ! TCPTL_BUILD=$BUILD/demo "$TOP/scripts/vm.sh" demo 6.1 >"$out" 2>&1; then
		note_fail "demo: make demo failed (output: $out)"
	else
		steps=$(grep -E '^== ([0-9]\.|What)' "$out" | sed -E 's/^== ([0-9]\.|What).*/\1/' | tr -d '\n')
		row_pid=$(awk '/^CLOSE_WAIT [0-9]+: / { on = 1; next } on && $2 == "leakysrv" { print $1; exit }' "$out")
		told_pid=$(sed -nE 's/^- The leak: leakysrv \(pid ([0-9]+)\).*/\1/p' "$out")
		if [ "$steps" != "1.2.3.4.5.6.What" ]; then
			note_fail "demo: steps '$steps', want 1. to 6. then 'What to look at' (output: $out)"
		elif grep -qE 'SeaBIOS|iPXE|TCPTL-|Linux version' "$out" || grep -q $'\x1b' "$out"; then
			note_fail "demo: boot or harness output shown: $(grep -m 1 -E 'SeaBIOS|iPXE|TCPTL-|Linux version' "$out") (output: $out)"
		elif [ -z "$row_pid" ] || [ "$row_pid" != "$told_pid" ]; then
			note_fail "demo: top's CLOSE_WAIT row has leakysrv pid '$row_pid', the closing paragraph '$told_pid' (output: $out)"
		elif ! grep -qE '^lost 0$' "$out" || ! grep -q "ALERT firing close_wait_age pid=$row_pid:" "$out"; then
			note_fail "demo: no 'lost 0' or no close_wait_age alert for pid $row_pid (output: $out)"
		else
			passed=$((passed + 1))
			echo "   $(wc -l <"$out") lines; leakysrv pid $row_pid in top and in the closing paragraph: ok ($((SECONDS - demo0)) s)"
		fi
	fi
fi

if [ -n "$debug_note" ]; then
	echo "== 6.1-debug: $debug_note"
	skipped=$((skipped + 1))
fi

if [ -n "$deb_pid" ]; then
	wait "$deb_pid"
	grep -E '^(deb-test: ok|FAIL:)' "$BUILD/deb-test.log" | sed 's/^/   /'
	p=$(grep -c '^deb-test: ok' "$BUILD/deb-test.log")
	passed=$((passed + p))
	if grep -q '^FAIL:' "$BUILD/deb-test.log" || [ "$p" -eq 0 ]; then
		note_fail "packages: $(grep '^FAIL:' "$BUILD/deb-test.log" | head -n 1) (log: $BUILD/deb-test.log)"
	fi
	# Its log's last write is when it finished (the guests may end later).
	echo "== packages: $p kernels ok in $(($(stat -c %Y "$BUILD/deb-test.log") - d0)) s, beside the guests"
fi

echo
if [ ${#failures[@]} -gt 0 ]; then
	echo "Failures:"
	printf '  %s\n' "${failures[@]}"
fi
echo "Total time: $((SECONDS - t0)) s"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
