#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: the churn benchmark in a guest (tests/guest/bench.sh),
# summarised as ratios against the baseline of the same boot, then the
# reader's replay benchmark here on the guest's recording of its messages.
# Emulated machines are noisy: only the ratios mean something, absolute
# rates do not.
#
#   KERNEL=6.1                     which matrix kernel boots
#   TCPTL_BENCH=ROUNDS:SECONDS:CLIENTS[:PHASES]   default 7:5:4; PHASES
#                                  (comma-separated, e.g. timeline,events)
#                                  to run only those beside each baseline
#   TCPTL_CLOCKSOURCE=tsc|hpet     the guest's clocksource (default tsc)
#   TCPTL_TIMEOUT=SECONDS          the guest's limit (default: twice the
#                                  expected duration, 1800 at least)
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${TCPTL_BUILD:-$TOP/build}
KERNEL=${KERNEL:-6.1}
export TCPTL_BENCH=${TCPTL_BENCH:-7:5:4}
# The guest's clock. QEMU's TCG guest finds its TSCs "unsynchronized" and
# falls back to the emulated HPET, where every clock read (TCP reads one per
# segment, the module one per record) is a trap into device emulation, a
# cost no server has. tsc=reliable gives the guest the TSC clocksource real
# machines use; TCPTL_CLOCKSOURCE=hpet keeps QEMU's default.
case "${TCPTL_CLOCKSOURCE:-tsc}" in
tsc) export TCPTL_APPEND="${TCPTL_APPEND:+$TCPTL_APPEND }tsc=reliable" ;;
hpet) ;;
*) echo "bench: TCPTL_CLOCKSOURCE is tsc or hpet" >&2; exit 1 ;;
esac

# Two vCPUs that run in parallel, one host thread each, as on a two-CPU
# server: under the suite's single-threaded TCG both share one host thread,
# so the guest has one CPU's worth and every cycle the reader takes comes
# straight out of the workload's. The bench loads and unloads the module
# only while no traffic runs, away from the one emulator window seen with
# parallel vCPUs (scripts/vm.sh). TCPTL_ACCEL=tcg,thread=single for the old
# way.
export TCPTL_ACCEL=${TCPTL_ACCEL:-tcg,thread=multi}

"$TOP/scripts/setup.sh"
# perf in the guest, for the profile of where its CPU goes (optional).
if ! command -v perf >/dev/null && [ "$(id -u)" = 0 ]; then
	apt-get install -y -q --no-install-recommends linux-perf >/dev/null 2>&1 ||
		echo "bench: linux-perf not installed: no profile" >&2
fi
command -v perf >/dev/null && export TCPTL_EXTRA_TOOLS="${TCPTL_EXTRA_TOOLS:+$TCPTL_EXTRA_TOOLS }perf"
# tcpstates (Debian's libbpf-tools), the tracepoint-only tool the readers
# are compared with (the tcpstates phase; optional). Copied into the guest
# with its shared libraries (scripts/vm.sh); CO-RE, it reads the guest
# kernel's BTF (/sys/kernel/btf/vmlinux).
find_tcpstates() {
	local b
	for b in "$(command -v tcpstates)" "$(command -v bpf-tcpstates)" /usr/sbin/tcpstates /usr/sbin/bpf-tcpstates; do
		[ -n "$b" ] && [ -x "$b" ] && { echo "$b"; return; }
	done
	return 0
}
tcpstates=$(find_tcpstates)
if [ -z "$tcpstates" ] && [ "$(id -u)" = 0 ]; then
	apt-get install -y -q --no-install-recommends libbpf-tools >/dev/null 2>&1 || true
	tcpstates=$(find_tcpstates)
fi
if [ -n "$tcpstates" ]; then
	export TCPTL_EXTRA_TOOLS="${TCPTL_EXTRA_TOOLS:+$TCPTL_EXTRA_TOOLS }$tcpstates"
	tcpstates_version=$(dpkg-query -W -f='${Version}' libbpf-tools 2>/dev/null || echo unknown)
else
	echo "bench: tcpstates not installed (Debian package libbpf-tools; as root the bench installs it): no tcpstates phase" >&2
fi

# How long the guest takes, as measured here under emulation (2 host
# cores): a run is its SECONDS of churn plus about 3 s (the namespace, the
# module's load and unload) and about 3 s more per second of churn (the
# reader's stop, counting its output: jq over the JSON phase's takes the
# longest); then the boot, the three profiled runs, the forced overflow and
# the recording. Each run's run_s= says what it took. PHASES: the guest's
# default list (baseline, module, floor, events, tcpstates, events_nice,
# timeline, json, paced).
IFS=: read -r b_rounds b_seconds _ b_phases <<<"$TCPTL_BENCH"
if [ -n "${b_phases:-}" ]; then
	b_nphases=$(($(tr ',' '\n' <<<"$b_phases" | grep -cvx baseline) + 1))
else
	b_nphases=9
fi
expected=$((b_rounds * b_nphases * (3 + 4 * b_seconds) + 40 + 15 * b_seconds))
TIMEOUT=${TCPTL_TIMEOUT:-$((2 * expected > 1800 ? 2 * expected : 1800))}
echo "== churn benchmark in the guest (kernel $KERNEL, rounds:seconds:clients $TCPTL_BENCH, accel $TCPTL_ACCEL)"
echo "   $b_rounds rounds of $b_nphases phases: about $(((expected + 59) / 60)) min expected, guest time limit $((TIMEOUT / 60)) min"
"$TOP/scripts/kernels.sh" prepare "$KERNEL"
started=$SECONDS
TCPTL_TIMEOUT=$TIMEOUT "$TOP/scripts/vm.sh" bench "$KERNEL" |
	grep -E '^(BENCH|\[|FAIL)' || true
log=$BUILD/$KERNEL/console.log
grep -q '^BENCH-DONE' "$log" || { echo "bench: the guest did not finish (log: $log)" >&2; exit 1; }
echo "   the guest part took $(((SECONDS - started) / 60)) min $(((SECONDS - started) % 60)) s (expected about $(((expected + 59) / 60)) min)"
tr -d '\r' <"$log" | grep '^BENCH ' >"$BUILD/bench-$KERNEL.txt"
tr -d '\r' <"$log" | awk '/^TCPTL-FILE-BEGIN churn.rec.gz.b64/ { on = 1; next }
	/^TCPTL-FILE-END/ { on = 0 } on' | base64 -d | gunzip >"$BUILD/churn.rec"
awk -v tcpstates_version="${tcpstates_version:-}" -f - "$BUILD/bench-$KERNEL.txt" <<'AWK'
function kv(line, key,    m) { return match(line, " " key "=[^ ]*") ? substr(line, RSTART + length(key) + 2, RLENGTH - length(key) - 2) : "" }
# A number: awk compares two strings as strings ("8.35" > "10.70").
function num(line, key) { return kv(line, key) + 0 }
function median(arr, n,    i, j, t) {
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (arr[j] < arr[i]) { t = arr[i]; arr[i] = arr[j]; arr[j] = t }
	return n % 2 ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2
}
# The quartile Q (0.25, 0.75) of arr[1..n], sorted (by median()): linear
# between the two closest ranks.
function quartile(arr, n, q,    pos, lo) {
	pos = 1 + (n - 1) * q; lo = int(pos)
	return lo < n ? arr[lo] + (pos - lo) * (arr[lo + 1] - arr[lo]) : arr[n]
}
function pct(x) { return sprintf("%.1f%%", 100 * x) }
{
	p = kv($0, "phase"); r = kv($0, "round") + 0
	rate[p, r] = num($0, "rate"); rounds[r] = 1; phases[p] = 1
	if (r > maxr) maxr = r
	if (kv($0, "conns") > 0) cpc[p, r] = kv($0, "busy_s") / kv($0, "conns") * 1e6
	if (kv($0, "delivered") != "") {
		n[p]++
		dl[p] += kv($0, "delivered"); ca[p] += kv($0, "caused"); secs[p] += kv($0, "seconds")
		lost[p] += kv($0, "lost_module") + kv($0, "lost_socket") + kv($0, "lost_perf")
		cpu[p] += kv($0, "reader_cpu_s")
		if (kv($0, "delivered") != kv($0, "caused")) miss[p]++
		races += kv($0, "lost_races")
		odd += kv($0, "odd_timelines")
		if (kv($0, "p50_ms") != "") lat[p] = 1
		p50[p, n[p]] = num($0, "p50_ms"); if (num($0, "p99_ms") > p99[p] + 0) p99[p] = num($0, "p99_ms")
		mem[p] = kv($0, "module_memory")
		if (p == "overflow") {
			prod = kv($0, "produced"); got = kv($0, "got"); olm = kv($0, "lost_module"); ols = kv($0, "lost_socket")
		}
		if (p == "tcpstates") {
			ts_lost_perf += num($0, "lost_perf")
			if (num($0, "delivered") < num($0, "caused")) ts_short += num($0, "caused") - num($0, "delivered")
			else ts_over += num($0, "delivered") - num($0, "caused")
		}
	}
}
END {
	n_order = split("baseline module floor events tcpstates events_nice timeline json paced", order, " ")
	printf "%-12s %10s %9s %10s %10s %9s %12s %11s %12s %8s %14s %8s %8s %10s\n", "phase", "conns/s", "vs base", "rounds", "Q1-Q3", "vs tcpst", "cpu us/conn", "events/s", "exact", "lost", "cpu s/M events", "p50 ms", "p99 ms", "module mem"
	for (i = 1; i <= n_order; i++) {
		p = order[i]; k = 0; m = 0; kt = 0
		kc = 0
		for (r in rounds) if ((p, r) in cpc) w[++kc] = cpc[p, r]
		cu = kc ? median(w, kc) : 0
		for (r in rounds) { if ((p, r) in rate) { v[++k] = rate[p, r] }
			if ((p, r) in rate && ("baseline", r) in rate) ratio[++m] = rate[p, r] / rate["baseline", r]
			if ((p, r) in rate && ("tcpstates", r) in rate && rate["tcpstates", r] > 0) tsr[++kt] = rate[p, r] / rate["tcpstates", r] }
		if (!k) continue
		med = median(v, k); mr = median(ratio, m)
		# median() sorted them: the lowest and the highest round, the
		# quartiles.
		spread = sprintf("%.0f-%.0f%%", 100 * ratio[1], 100 * ratio[m])
		iqr = sprintf("%.0f-%.0f%%", 100 * quartile(ratio, m, 0.25), 100 * quartile(ratio, m, 0.75))
		vts = kt && p != "tcpstates" && p != "baseline" ? pct(median(tsr, kt)) : ""
		if (p == "paced") { mr = -1; spread = ""; iqr = ""; vts = "" }	# a fixed rate: no ratio
		if (n[p]) {
			for (j = 1; j <= n[p]; j++) q[j] = p50[p, j]
			printf "%-12s %10.0f %9s %10s %10s %9s %12.0f %11.0f %12s %8d %14.2f %8s %8s %10s\n", p, med,
				mr < 0 ? "fixed" : pct(mr), spread, iqr, vts, cu,
				dl[p] / secs[p], miss[p] ? miss[p] " MISSED" : dl[p] "/" ca[p], lost[p],
				dl[p] ? cpu[p] / dl[p] * 1e6 : 0,
				lat[p] ? sprintf("%.2f", median(q, n[p])) : "-", lat[p] ? sprintf("%.2f", p99[p]) : "-", mem[p]
		} else {
			printf "%-12s %10.0f %9s %10s %10s %9s %12.0f\n", p, med, pct(mr), spread, iqr, vts, cu
		}
	}
	if (n["tcpstates"]) {
		printf "\ntcpstates (libbpf-tools %s: the inet_sock_set_state tracepoint through BPF, no module loaded): delivered %d of the %d transitions it can see over %d rounds: ",
			tcpstates_version, dl["tcpstates"], ca["tcpstates"], n["tcpstates"]
		if (!miss["tcpstates"]) print "exact"
		else {
			printf "MISSED in %d of %d rounds (%d short, %d over; its perf buffer reported %d lost)\n", miss["tcpstates"], n["tcpstates"], ts_short, ts_over, ts_lost_perf
			print "  (a finding about tcpstates under this load, not a failure of the bench)"
		}
	}
	# Each reader phase against tcpstates, round by round: its throughput
	# over tcpstates' in the same round, which is its ratio to that
	# round's baseline over tcpstates' ratio to it.
	if (n["tcpstates"]) {
		n_cmp = split("module floor events events_nice timeline json", cmp, " ")
		printf "\nagainst tcpstates, round by round (phase conns/s / tcpstates conns/s in the same round):\n"
		printf "%-12s", "phase"
		for (r = 1; r <= maxr; r++) printf " %7s", "r" r
		printf " %8s %12s\n", "median", "Q1-Q3"
		for (i = 1; i <= n_cmp; i++) {
			p = cmp[i]; kt = 0; row = ""
			for (r = 1; r <= maxr; r++) {
				if ((p, r) in rate && ("tcpstates", r) in rate && rate["tcpstates", r] > 0) {
					tsr[++kt] = rate[p, r] / rate["tcpstates", r]
					row = row sprintf(" %7s", pct(tsr[kt]))
				} else row = row sprintf(" %7s", "-")
			}
			if (!kt) continue
			mt = median(tsr, kt)
			printf "%-12s%s %8s %12s\n", p, row, pct(mt),
				sprintf("%.1f-%.1f%%", 100 * quartile(tsr, kt, 0.25), 100 * quartile(tsr, kt, 0.75))
		}
	}
	if (prod != "")
		printf "\nforced overflow (buffer_size=16, flush 1000 ms): produced %d, delivered %d, reported lost %d (module %d, socket %d): %s\n",
			prod, got, olm + ols, olm, ols, (got + olm + ols == prod && olm + ols > 0) ? "exact" : "MISMATCH"
	if (odd)
		printf "\n%d timelines out of the usual shape (records out of order?): see below\n", odd
	if (races)
		printf "\n%d server children lost the handshake race (SYN_RECV -> CLOSE; a repeated final ACK taken on two CPUs): true transitions, counted apart\n", races
	print "\n(conns/s: median over rounds; vs base: median of each round's ratio to the baseline of the same round;"
	print " rounds: the lowest and the highest of those ratios, how far one round can be off;"
	print " Q1-Q3: their interquartile range (linear between ranks), where the middle half of the rounds fall;"
	print " vs tcpst: median of each round's throughput against tcpstates' in the same round;"
	print " cpu us/conn: busy CPU time of the whole guest per connection, workload, module and reader together;"
	print " exact: transitions delivered/caused over all rounds, 10 per connection plus 2 per listener;"
	print " floor: the cheapest possible reader (tests/guest/progs/nldrain: receives and counts every message,"
	print "  decodes nothing, writes nothing); its exact column is records received/produced;"
	print " tcpstates: libbpf-tools' tcpstates, no module, its output to a file; it sees the same 10 per"
	print "  connection (the client's FIN_WAIT2 -> CLOSE for FIN_WAIT2 -> TIME_WAIT) and 2 per listener;"
	print "  lost: what its perf buffer reported lost; cpu s/M events: its own process, like the readers';"
	print " events_nice: events mode with the reader at niceness -10 (--nice -10);"
	print " paced: events mode at a fixed rate the guest sustains, for the delivery latency)"
}
AWK
tr -d '\r' <"$log" | sed -n 's/^BENCH-TCPSTATES unavailable: /\ntcpstates not run: /p'
# What the output held where delivered != caused (tests/guest/bench.sh).
# (grep -q on the log itself: ending a pipe early fails it under pipefail.)
if grep -q '^BENCH-MISMATCH ' "$log"; then
	echo
	echo "== runs where delivered != caused: what their output held"
	tr -d '\r' <"$log" | sed -n 's/^BENCH-MISMATCH /  /p'
fi

echo
echo "== where the guest's CPU went (perf, every CPU sampled: samples of CPU time per thousand connections)"
tr -d '\r' <"$log" | awk '
	/^BENCH-PROFILE unavailable/ { sub(/^BENCH-PROFILE /, ""); print; next }
	/^BENCH-PROFILE / {
		delete v
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		k = v["kind"]; kinds[++nk] = k; c = v["conns"] / 1000
		split("workload reader module_hooks module_worker other", cat, " ")
		for (i = 1; i <= 5; i++) per[k, cat[i]] = v[cat[i]] / c
		per[k, "reader_kernel"] = v["reader_kernel"] / c
		per[k, "total"] = v["busy_samples"] / c
		next
	}
	END {
		if (!nk) exit
		printf "%-10s %8s %9s %9s %15s %14s %8s %10s\n", "run", "total", "vs base", "workload", "reader (kernel)", "module hooks", "worker", "other"
		for (j = 1; j <= nk; j++) {
			k = kinds[j]
			printf "%-10s %8.0f %8.1f%% %9.0f %8.0f (%4.0f) %14.0f %8.0f %10.0f\n", k, per[k, "total"],
				("baseline", "total") in per ? 100 * per[k, "total"] / per["baseline", "total"] : 0,
				per[k, "workload"], per[k, "reader"], per[k, "reader_kernel"], per[k, "module_hooks"], per[k, "module_worker"], per[k, "other"]
		}
		print "(vs base: CPU per connection against the baseline run: 100/that is the throughput the CPU allows)"
	}'
echo
echo "== the top functions (samples per thousand connections; whose: the category above)"
tr -d '\r' <"$log" | awk '
	/^BENCH-PROFILE-TOP / { t = $4 " " $5; val[$2, t] = $3; if ($3 + 0 > top[t] + 0) top[t] = $3; next }
	END {
		printf "  %8s %8s %8s  %s\n", "baseline", "floor", "events", "whose / function"
		# Sorted by the largest of the three, which is then cut off.
		cmd = "sort -rn | head -n 40 | cut -d\" \" -f2-"
		for (t in top) printf "%s   %8.1f %8.1f %8.1f  %s\n", top[t], val["baseline", t], val["floor", t], val["events", t], t | cmd
		close(cmd)
	}'

echo
echo "== replay benchmark: the guest's recording through the reader's own code, on this machine"
make -s -C "$TOP/userspace" bench-replay >/dev/null
"$TOP/userspace/bench-replay" "$BUILD/churn.rec"
