#!/bin/sh
# make bench, in the guest: connection churn (tests/guest/progs/churn.c) in
# phases interleaved over several rounds in one boot: no module (baseline),
# module without reader, module with the cheapest possible reader (floor:
# progs/nldrain receives and counts, decodes and writes nothing), and module
# with the reader in events, timeline and JSON modes, and events with the
# reader at niceness -10 (--nice); and, for comparison, libbpf-tools'
# tcpstates (the inet_sock_set_state tracepoint through BPF, no module
# loaded). Round R runs the phases in the list's order rotated by R - 1, so
# no phase (the baseline included) always runs first or after the same
# neighbour. Each run
# gets a fresh network namespace (its TIME_WAITs die with it, so runs do not
# inherit each other's), tcp_max_tw_buckets raised to
# 1048576 and the port range widened to 1024-65535 so that the workload
# neither overflows TIME_WAIT nor runs out of ports. One "BENCH ..." line per
# run for the host (scripts/bench.sh) to summarise.
. /tcptl/tests/lib.sh
. /tcptl/tests/tl.sh

ROUNDS=${BENCH_ROUNDS:-7}
SECONDS_PER_RUN=${BENCH_SECONDS:-5}
CLIENTS=${BENCH_CLIENTS:-4}
# Which phases each round runs (make bench TCPTL_BENCH=R:S:C:timeline,events
# to chase one; the baseline always runs, the ratios need it).
PHASES=baseline
for p in $(echo "${BENCH_PHASES:-module,floor,events,tcpstates,events_nice,timeline,json,paced}" | tr ',' ' '); do
	[ "$p" = baseline ] || PHASES="$PHASES $p"
done
# libbpf-tools' tcpstates, shipped by the host when it has it (Debian names
# it tcpstates, later ones bpf-tcpstates).
TCPSTATES=$(command -v tcpstates || command -v bpf-tcpstates || true)
# The paced phase: a load the guest sustains with the reader, for latency.
PACED_RATE=${BENCH_PACED_RATE:-300}
run=0

ns_up() {
	ip netns add "$1" && ip netns exec "$1" ip link set lo up &&
	ip netns exec "$1" sh -c 'echo 1048576 >/proc/sys/net/ipv4/tcp_max_tw_buckets &&
		echo "1024 65535" >/proc/sys/net/ipv4/ip_local_port_range'
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# The reader's user and system time, apart: formatting or syscalls.
cpu_split() { awk '{ printf "reader_user_s=%.2f reader_sys_s=%.2f", $14 / 100, $15 / 100 }' "/proc/$1/stat"; }
# Busy jiffies of the whole guest (everything but idle and iowait).
busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }

# caused CONNS LISTENERS: the transitions the workload causes, 5 per
# endpoint and 2 per listener (see count_events_text).
caused() { echo $((10 * $1 + 2 * $2)); }

# The connection transitions the workload causes, 5 per endpoint, and each
# listener's 2, as each output shows them.
count_events_text() {
	grep -cE '(CLOSE +-> SYN_SENT|SYN_SENT +-> ESTABLISHED|ESTABLISHED -> FIN_WAIT1|FIN_WAIT1 +-> FIN_WAIT2|FIN_WAIT2 +-> TIME_WAIT|LISTEN +-> SYN_RECV|SYN_RECV +-> ESTABLISHED|ESTABLISHED -> CLOSE_WAIT|CLOSE_WAIT +-> LAST_ACK|LAST_ACK +-> CLOSE|CLOSE +-> LISTEN|LISTEN +-> CLOSE) ' "$1"
}
count_events_json() {
	jq -s '[.[] | select(.type == "state") | "\(.old_state)>\(.new_state)"
		| select(IN("CLOSE>SYN_SENT", "SYN_SENT>ESTABLISHED", "ESTABLISHED>FIN_WAIT1",
			"FIN_WAIT1>FIN_WAIT2", "FIN_WAIT2>TIME_WAIT", "LISTEN>SYN_RECV",
			"SYN_RECV>ESTABLISHED", "ESTABLISHED>CLOSE_WAIT", "CLOSE_WAIT>LAST_ACK",
			"LAST_ACK>CLOSE", "CLOSE>LISTEN", "LISTEN>CLOSE"))] | length' "$1"
}
# The same transitions as tcpstates prints them: the tracepoint alone never
# shows TIME_WAIT, so the client's last one is FIN_WAIT2 -> CLOSE (the full
# socket's close once the timewait socket took over); as many as caused.
# Only the churn port's: the client's lines have it as the remote port (at
# SYN_SENT the local port is still 0), the server child's and the
# listener's as the local port (the child's first line still shows the
# listener's ports). The columns are counted from the end: COMM is free text.
count_tcpstates() {
	awk -v port="$2" -v mode="${3:-}" '$(NF - 2) == "->" && ($(NF - 6) == port || $(NF - 4) == port) {
		t = $(NF - 3) ">" $(NF - 1)
		if (t ~ /^(CLOSE>SYN_SENT|SYN_SENT>ESTABLISHED|ESTABLISHED>FIN_WAIT1|FIN_WAIT1>FIN_WAIT2|FIN_WAIT2>CLOSE|LISTEN>SYN_RECV|SYN_RECV>ESTABLISHED|ESTABLISHED>CLOSE_WAIT|CLOSE_WAIT>LAST_ACK|LAST_ACK>CLOSE|CLOSE>LISTEN|LISTEN>CLOSE)$/) n++
		else if (t == "SYN_RECV>CLOSE") races++
	}
	END { print (mode == "races" ? races : n) + 0 }' "$1"
}
lost_races_tcpstates() { count_tcpstates "$1" "$2" races; }
# tcpstates_transitions FILE PORT: how many of each transition (the churn
# port's), "COUNT OLD>NEW" a line.
tcpstates_transitions() {
	awk -v port="$2" '$(NF - 2) == "->" && ($(NF - 6) == port || $(NF - 4) == port) { print $(NF - 3) ">" $(NF - 1) }' "$1" |
		sort | uniq -c
}
# tcpstates_attached PID: tcpstates sets its SIGINT handler once its
# programs are attached and its perf buffer is open (the header it prints
# next stays in stdio's buffer until exit when stdout is a file), so from
# then on every transition reaches its perf buffer. SIGINT is bit 1 of
# SigCgt.
tcpstates_attached() {
	awk '/^SigCgt:/ { d = substr($2, length($2), 1); f = index("2367abefABEF", d) > 0 } END { exit !f }' "/proc/$1/status" 2>/dev/null
}
tcpstates_wait_attached() {
	local limit=$((600 * ${TCPTL_SLOW:-1})) i=0
	while [ $i -lt $limit ]; do
		tcpstates_attached "$1" && return 0
		kill -0 "$1" 2>/dev/null || fail "tcpstates exited while starting: $(cat "$2")"
		sleep 0.1
		i=$((i + 1))
	done
	fail "tcpstates did not attach in $((limit / 10)) s: $(cat "$2")"
}

# Timeline steps: every state entered, less the timewait socket's own
# (an orphaned FIN_WAIT2 handed to it, and the end of TIME_WAIT).
count_timeline_steps() {
	grep -E '^  (\+ *[0-9.]+ ms) +[A-Z_0-9]+' "$1" | grep -vcE '(CLOSE|FIN_WAIT2) .*\(timewait\)'
}

# Server children that never became a connection: two CPUs took the same
# handshake's final ACK (the client's ACK repeated after a retransmitted
# SYN-ACK, which a slow guest provokes), each made a child, and the loser
# went SYN_RECV -> CLOSE. True transitions the workload's count does not
# foresee: the loser's LISTEN -> SYN_RECV is among the counted ones (and in
# a timeline, its SYN_RECV and CLOSE steps).
lost_races_text() { grep -cE ' SYN_RECV +-> CLOSE ' "$1"; }
lost_races_json() {
	jq -s '[.[] | select(.type == "state" and .old_state == "SYN_RECV" and .new_state == "CLOSE")] | length' "$1"
}
# Each timeline's sequence of states. MODE races: how many are a lost
# handshake race (SYN_RECV CLOSE); odd: how many are neither that nor a
# client's (its socket handed to the timewait machinery in TIME_WAIT, or
# in FIN_WAIT2 when the client closed before its FIN was acknowledged; a
# TIME_WAIT can end early, taken over by a new connect on loopback), a
# server child's or a listener's (a connection's records taken
# out of order would split or bend its timeline, with the count still
# right); report: BENCH-MISMATCH lines, how many of each sequence and the
# first odd ones whole.
timeline_shapes() {
	awk -v mode="$1" -v run="$run" '
	function done_one() {
		if (head == "") return
		n[steps]++
		if (steps == "SYN_RECV CLOSE") {
			races++
		} else if (steps !~ /^(SYN_SENT ESTABLISHED FIN_WAIT1 FIN_WAIT2( FIN_WAIT2)? TIME_WAIT( CLOSE)?|SYN_RECV ESTABLISHED CLOSE_WAIT LAST_ACK CLOSE|LISTEN CLOSE)$/) {
			if (mode == "report" && odd < 4) printf "%s", body
			odd++
		}
	}
	# The end of a TIME_WAIT whose timeline came as it began: no timeline.
	/^[^ ].*  (TIME_WAIT|FIN_WAIT2) ended: / { done_one(); head = ""; next }
	/^[^ ]/ { done_one(); head = $0; steps = ""
		if (mode == "report") body = "BENCH-MISMATCH run=" run " | " $0 "\n"
		next }
	/^  / && mode == "report" { body = body "BENCH-MISMATCH run=" run " | " $0 "\n" }
	/^  (\+ *[0-9.]+ ms) +[A-Z_0-9]+/ {
		for (i = 1; i < NF; i++) if ($i == "ms") break
		steps = steps (steps == "" ? "" : " ") $(i + 1)
	}
	END {
		done_one()
		if (mode == "races") print races + 0
		else if (mode == "odd") print odd + 0
		else for (s in n) printf "BENCH-MISMATCH run=%s timelines=%d steps=%s\n", run, n[s], s
	}' "$2"
}
lost_races_timeline() { timeline_shapes races "$1"; }

# delivered != caused: say what the output holds, on BENCH-MISMATCH lines
# (the host prints them after its table). Events: how many of each
# transition. Timelines: see timeline_shapes.
mismatch_report() {
	case $1 in
	timeline)
		timeline_shapes report "$2"
		;;
	json)
		jq -r 'select(.type == "state") | "\(.old_state)>\(.new_state)"' "$2" | sort | uniq -c |
			awk -v run="$run" '{ printf "BENCH-MISMATCH run=%s transitions=%d %s\n", run, $1, $2 }'
		;;
	*)
		grep -oE '[A-Z_0-9]+ +-> [A-Z_0-9]+' "$2" | tr -s ' ' | sort | uniq -c |
			awk -v run="$run" '{ printf "BENCH-MISMATCH run=%s transitions=%d %s>%s\n", run, $1, $2, $4 }'
		;;
	esac
}

# Phases that run without the module: the baseline, and tcpstates (which
# must see the kernel as the baseline does, whatever ran before).
without_module() { [ "$1" = baseline ] || [ "$1" = tcpstates ]; }

uptime_s() { cut -d' ' -f1 /proc/uptime; }

one_run() {
	phase=$1 round=$2
	run=$((run + 1))
	port=$((20000 + run))
	ns=bench$run
	t0=$(uptime_s)
	ns_up "$ns" || fail "netns"
	if without_module "$phase"; then
		[ -d /sys/module/tcp_timeline ] && unload_module
	else
		load_module $MODULE_ARGS
	fi
	reader= odd=
	case $phase in
	tcpstates)
		# Its own stdout buffering, as when a user redirects it to a file.
		"$TCPSTATES" >/tmp/b.out 2>/tmp/b.err & reader=$!
		tcpstates_wait_attached "$reader" /tmp/b.err ;;
	events | paced) tcptimeline events -p "$port" -o /tmp/b.out 2>/tmp/b.err & reader=$! ;;
	events_nice) tcptimeline events --nice -10 -p "$port" -o /tmp/b.out 2>/tmp/b.err & reader=$! ;;
	timeline) tcptimeline --unfinished --no-seed -p "$port" -o /tmp/b.out 2>/tmp/b.err & reader=$! ;;
	json | overflow) tcptimeline events --json -p "$port" -o /tmp/b.out 2>/tmp/b.err & reader=$! ;;
	floor) nldrain >/tmp/b.out 2>/tmp/b.err & reader=$! ;;
	esac
	[ -n "$reader" ] && [ "$phase" != tcpstates ] && tl_wait_started /tmp/b.out /tmp/b.err "$reader"
	b0=$(busy)
	pace=
	[ "$phase" = paced ] && pace="-r $PACED_RATE"
	out=$(ip netns exec "$ns" churn -p "$port" -c "$CLIENTS" -d "$SECONDS_PER_RUN" $pace) ||
		fail "churn failed in $phase: $out"
	b1=$(busy)
	conns=${out#connections=}
	conns=${conns%% *}
	listeners=${out#*listeners=}
	listeners=${listeners%% *}
	rate=${out##*rate=}
	line="BENCH phase=$phase round=$round conns=$conns rate=$rate seconds=$SECONDS_PER_RUN caused=$(caused "$conns" "$listeners") busy_s=$(awk -v b=$((b1 - b0)) 'BEGIN { printf "%.2f", b / 100 }')"
	if [ "$phase" = tcpstates ]; then
		# On SIGINT it leaves its loop without reading what is still in
		# its perf buffer: give it a second, and then as long as it is
		# still busy (when it ran behind the churn).
		sleep 1.2
		i=0
		ticks=$(cpu_ticks "$reader")
		while [ $i -lt 60 ]; do
			sleep 0.5
			[ "$(cpu_ticks "$reader")" = "$ticks" ] && break
			ticks=$(cpu_ticks "$reader")
			i=$((i + 1))
		done
		split=$(cpu_split "$reader")
		kill -INT "$reader"
		wait "$reader" || fail "tcpstates failed: $(cat /tmp/b.err)"
		grep -q '^SKADDR ' /tmp/b.out || fail "tcpstates wrote no header: $(cat /tmp/b.err)"
		delivered=$(count_tcpstates /tmp/b.out "$port")
		races=$(lost_races_tcpstates /tmp/b.out "$port")
		delivered=$((delivered - races))
		# Its perf buffer's losses, per CPU: "lost N events on CPU #C".
		lp=$(awk '/^lost [0-9]+ events on CPU/ { n += $2 } END { print n + 0 }' /tmp/b.err)
		if [ "$delivered" != "$(caused "$conns" "$listeners")" ]; then
			tcpstates_transitions /tmp/b.out "$port" |
				awk -v run="$run" '{ printf "BENCH-MISMATCH run=%s tcpstates transitions=%d %s\n", run, $1, $2 }'
		fi
		line="$line delivered=$delivered lost_races=$races lost_perf=$lp reader_cpu_s=$(awk -v t="$ticks" 'BEGIN { printf "%.2f", t / 100 }') $split"
	elif [ -n "$reader" ]; then
		sleep 1.2	# the flush interval and the reader's reorder window
		[ "$phase" = overflow ] && sleep 1
		stats=$(tcptimeline stats --json)
		ticks=$(cpu_ticks "$reader")
		split=$(cpu_split "$reader")
		kill -INT "$reader"
		wait "$reader"
		case $phase in
		events | events_nice | paced)
			delivered=$(count_events_text /tmp/b.out)
			races=$(lost_races_text /tmp/b.out) ;;
		timeline)
			delivered=$(count_timeline_steps /tmp/b.out)
			races=$(($(lost_races_timeline /tmp/b.out) * 2))
			odd=$(timeline_shapes odd /tmp/b.out) ;;
		floor)
			# Every record the module produced, counted, not decoded.
			delivered=$(sed -n 's/.* records=\([0-9]*\).*/\1/p' /tmp/b.out)
			races=0
			lm=0
			ls=$(sed -n 's/.* enobufs=\([0-9]*\).*/\1/p' /tmp/b.out)
			line=$(echo "$line" | sed "s/ caused=[0-9]*/ caused=$(echo "$stats" | jq .produced)/") ;;
		*)
			delivered=$(count_events_json /tmp/b.out)
			races=$(lost_races_json /tmp/b.out) ;;
		esac
		# The bench compares what the workload's connections caused.
		delivered=$((delivered - races))
		if [ "$phase" != floor ]; then
			lm=$(sed -n 's/.*lost \([0-9]*\) in the module, \([0-9]*\) on the socket.*/\1/p' /tmp/b.err)
			ls=$(sed -n 's/.*lost \([0-9]*\) in the module, \([0-9]*\) on the socket.*/\2/p' /tmp/b.err)
		fi
		lat=$(sed -n 's/.*delivery latency p50 \([0-9.]*\) ms, p99 \([0-9.]*\) ms.*/p50_ms=\1 p99_ms=\2/p' /tmp/b.err)
		if [ "$phase" = json ] || [ "$phase" = overflow ]; then
			summary=$(jq -c 'select(.type == "summary")' /tmp/b.out)
			lm=$(echo "$summary" | jq .lost_module)
			ls=$(echo "$summary" | jq .lost_socket)
			got=$(jq -s '[.[] | select(.seq != null)] | length' /tmp/b.out)
			lat=$(echo "$summary" | jq -r '"p50_ms=\(.delivery_latency_ns.p50 / 1e6) p99_ms=\(.delivery_latency_ns.p99 / 1e6)"')
			line="$line got=$got"
		fi
		# (The overflow run loses records on purpose; its own check is
		# produced = delivered + reported lost.)
		if [ "$phase" != overflow ] && [ "$phase" != floor ] &&
			{ [ "$delivered" != "$(caused "$conns" "$listeners")" ] || [ "${odd:-0}" != 0 ]; }; then
			mismatch_report "$phase" /tmp/b.out
		fi
		[ -n "$odd" ] && line="$line odd_timelines=$odd"
		line="$line delivered=$delivered lost_races=$races lost_module=${lm:-?} lost_socket=${ls:-?} reader_cpu_s=$(awk -v t="$ticks" 'BEGIN { printf "%.2f", t / 100 }') $split $lat"
		line="$line produced=$(echo "$stats" | jq .produced) module_lost=$(echo "$stats" | jq .lost) module_memory=$(echo "$stats" | jq .memory_bytes)"
	fi
	without_module "$phase" || unload_module
	ip netns del "$ns"
	sleep 2		# the namespace's cleanup runs in a worker: let it finish
	echo "$line run_s=$(awk -v a="$t0" -v b="$(uptime_s)" 'BEGIN { printf "%.1f", b - a }')"
}

if [ -z "$TCPSTATES" ]; then
	case " $PHASES " in
	*" tcpstates "*)
		echo "BENCH-TCPSTATES unavailable: no tcpstates in the guest (install libbpf-tools on the host)"
		PHASES=$(echo $PHASES | tr ' ' '\n' | grep -vx tcpstates | tr '\n' ' ') ;;
	esac
elif [ ! -e /sys/kernel/tracing/events ]; then
	# libbpf finds the tracepoint's id in tracefs.
	mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
fi
echo "BENCH-CONFIG rounds=$ROUNDS seconds=$SECONDS_PER_RUN clients=$CLIENTS cpus=$(nproc) kernel=$(uname -r) clocksource=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource) phases=$(echo $PHASES | tr ' ' ',')"
# rotated N: the phases, starting at the Nth (from 0), the ones before it
# after the rest.
rotated() {
	local i=0 head= tail=
	for p in $PHASES; do
		if [ $i -lt "$1" ]; then tail="$tail $p"; else head="$head $p"; fi
		i=$((i + 1))
	done
	echo $head $tail
}
nphases=$(echo $PHASES | wc -w)
r=1
while [ $r -le "$ROUNDS" ]; do
	for phase in $(rotated $(((r - 1) % nphases))); do
		one_run $phase $r
	done
	r=$((r + 1))
done
# Where the guest's CPU goes: every CPU sampled (perf record -a, call
# graphs, cpu-clock at a fixed rate, so samples are CPU time) through one
# more run of each KIND: baseline (no module), floor (nldrain) and events.
# Each sample is charged to the workload, the reader (its own code or the
# kernel on its behalf), the module (any frame of it: the hooks in the
# workload's context, the flush worker), or the rest; per thousand
# connections, the kinds compare directly: what the workload's own work costs
# with the module busy, against the baseline's. Only where perf samples the
# guest (the host has perf; needs parallel vCPUs: under single-threaded TCG
# most samples land in the idle task).
profile_run() {
	local kind=$1 ns=benchprof$1 port=19998 reader= out conns
	if ! command -v perf >/dev/null; then
		echo "BENCH-PROFILE unavailable: no perf in the guest (install linux-perf on the host)"
		return
	fi
	ns_up "$ns" || fail "netns"
	echo 0 >/proc/sys/kernel/kptr_restrict
	echo -1 >/proc/sys/kernel/perf_event_paranoid
	[ "$kind" = baseline ] || load_module
	case $kind in
	floor) nldrain >/tmp/b.out 2>/tmp/b.err & reader=$! ;;
	events) tcptimeline events -p "$port" -o /tmp/b.out 2>/tmp/b.err & reader=$! ;;
	esac
	[ -n "$reader" ] && tl_wait_started /tmp/b.out /tmp/b.err "$reader"
	out=$(perf record -q -a -g -e cpu-clock -F 499 -o /tmp/prof.data -- \
		ip netns exec "$ns" churn -p "$port" -c "$CLIENTS" -d "$SECONDS_PER_RUN" 2>/tmp/perf.err) ||
		{ echo "BENCH-PROFILE unavailable: perf record failed: $(tail -n 1 /tmp/perf.err)"; [ -n "$reader" ] && { kill -INT "$reader"; wait "$reader"; }; [ "$kind" = baseline ] || unload_module; ip netns del "$ns"; return; }
	conns=${out#connections=}
	conns=${conns%% *}
	if [ -n "$reader" ]; then
		sleep 1.2
		kill -INT "$reader"
		wait "$reader"
	fi
	# perf script names the module's functions from /proc/kallsyms: before
	# the unload
	perf script -i /tmp/prof.data -F comm,ip,sym,dso 2>/dev/null | awk -v kind="$kind" -v conns="$conns" '
		function leaf_kernel() { return first_dso ~ /^\[(kernel\.kallsyms|tcp_timeline)\]$/ }
		function done_sample() {
			if (comm == "") return
			if (comm == "swapper") idle++
			else {
				busy++
				if (comm == "tcptimeline" || comm == "nldrain") {
					what = "reader"; if (leaf_kernel()) reader_k++
				} else if (mod) what = comm ~ /^kworker/ ? "module_worker" : "module_hooks"
				else if (comm == "churn") what = "workload"
				else what = "other"
				n[what]++
				if (first_sym == "[unknown]") first_sym = "(" first_dso ")"
				top[what " " first_sym]++
			}
			comm = ""; mod = 0; first_sym = ""; first_dso = ""
		}
		/^[^\t]/ { done_sample(); comm = $1; next }
		/^\t/ {
			sym = $2; dso = $NF; gsub(/[()]/, "", dso)
			if (first_sym == "") { first_sym = sym; first_dso = dso }
			if (sym ~ /^tcptl_/ || dso == "[tcp_timeline]") mod = 1
			next
		}
		/^$/ { done_sample() }
		END {
			done_sample()
			if (!busy || !conns) { print "BENCH-PROFILE unavailable: no busy samples"; exit }
			printf "BENCH-PROFILE kind=%s conns=%d busy_samples=%d idle_samples=%d", kind, conns, busy, idle
			split("workload reader module_hooks module_worker other", k, " ")
			for (i = 1; i <= 5; i++) printf " %s=%d", k[i], n[k[i]]
			printf " reader_kernel=%d\n", reader_k
			fflush()
			# Functions, per thousand connections, for the host to compare
			# between kinds.
			sorted = "sort -k3,3 -rn"
			for (t in top) if (top[t] / busy >= 0.003) printf "BENCH-PROFILE-TOP %s %.1f %s\n", kind, 1000 * top[t] / conns, t | sorted
			close(sorted)
		}'
	[ "$kind" = baseline ] || unload_module
	ip netns del "$ns"
	sleep 2
}
for kind in baseline floor events; do
	profile_run $kind
done

# Forced overflow: a 16-record buffer flushed once a second.
MODULE_ARGS="buffer_size=16 flush_interval_ms=1000"
one_run overflow 1

# A recording of the reader's messages under churn, for the replay benchmark
# on the host (base64 of gzip on the console).
unset MODULE_ARGS
ns_up benchrec || fail "netns"
load_module
tcptimeline events --record /tmp/churn.rec -o /dev/null 2>/tmp/rec.err &
reader=$!
tl_wait_started /tmp/churn.rec /tmp/rec.err "$reader"
ip netns exec benchrec churn -p 19999 -c "$CLIENTS" -d 2 >/dev/null || fail "churn for the recording"
sleep 1
kill -INT "$reader"
wait "$reader"
unload_module
ip netns del benchrec
echo "TCPTL-FILE-BEGIN churn.rec.gz.b64"
gzip -c /tmp/churn.rec | base64
echo "TCPTL-FILE-END"
echo "BENCH-DONE uptime_s=$(uptime_s)"
