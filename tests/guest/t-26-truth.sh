#!/bin/sh
# timeout: 150
# What the timelines say of each way a connection ends, checked as the whole
# JSON object a user reads (less its times, which are checked for adding
# up): states in order, close kind, first closer, owner (the process that
# connected or accepted), accept, TIME_WAIT, local and remote. A client's
# timeline comes within a second of its close, at TIME_WAIT entry; in events
# mode every record of an accepted connection from its accept on names the
# accepting process.
. /tcptl/tests/lib.sh
. /tcptl/tests/tl.sh

SLOW=${TCPTL_SLOW:-1}
NS=$(stat -L -c %i /proc/self/ns/net)
TL=/tmp/truth.json

load_module
# Opened before the reader, still in TIME_WAIT when it stops.
wall_before=$(date +%s)
tl_scenario -p 9269 client-close
wall_after=$(date +%s)
pre_tw=$client_cookie pre_tw_port=$client_port

tcptimeline --json --unfinished -o "$TL" 2>/tmp/truth.err &
reader=$!
tl_wait_started "$TL" /tmp/truth.err "$reader"
tl_reader_start	# events mode beside it, for the owners of every record

shown() { grep -q "\"type\":\"timeline\",\"cookie\":$1," "$TL"; }

# Client closes first: its timeline when it enters TIME_WAIT, within a second.
tl_scenario -p 9260 client-close
cc_client=$client_cookie cc_server=$server_cookie cc_port=$client_port cc_pid=$pid
wait_for "$SLOW" shown "$cc_client" || fail "client-close: no timeline within $SLOW s of the close"
tl_scenario -p 9261 server-close
sc_client=$client_cookie sc_server=$server_cookie sc_port=$client_port sc_pid=$pid
tl_scenario -p 9262 refused
rf_client=$client_cookie rf_pid=$pid
tl_scenario -p 9263 linger0
l0_client=$client_cookie l0_server=$server_cookie l0_port=$client_port l0_pid=$pid
tl_scenario -p 9264 rst-unaccepted
ru_client=$client_cookie ru_server=$server_cookie ru_port=$client_port ru_pid=$pid
tl_scenario -p 9271 unaccepted
un_client=$client_cookie un_port=$client_port un_pid=$pid
tl_scenario -6 -p 9265 client-close
v6_client=$client_cookie v6_server=$server_cookie v6_port=$client_port v6_pid=$pid
tl_scenario -p 9266 -b 9366 reuse
ru1_client=$first_client_cookie ru2_client=$client_cookie ru_pid2=$pid
tl_scenario -p 9267 -n 2 -s 1 leak
leak_pid=$server_pid

# Both FINs cross (a delay on the namespace's loopback): CLOSING on both sides.
ip netns add tl26s || fail "ip netns add"
ip netns exec tl26s ip link set lo up
ip netns exec tl26s tc qdisc add dev lo root netem delay 50ms || fail "netem"
ip netns exec tl26s tcpscen -p 9268 simultaneous >"$TL_SCEN" || fail "simultaneous"
. "$TL_SCEN"
si_client=$client_cookie si_server=$server_cookie si_port=$client_port si_pid=$pid
SI_NS=$(ip netns exec tl26s stat -L -c %i /proc/self/ns/net)
# An orphaned FIN_WAIT2 (the peer never closes) expiring after the
# namespace's tcp_fin_timeout of 2 s.
ip netns add tl26f || fail "ip netns add"
ip netns exec tl26f ip link set lo up
ip netns exec tl26f sh -c 'echo 2 >/proc/sys/net/ipv4/tcp_fin_timeout'
ip netns exec tl26f tcpscen -p 9270 -s 4 close-wait >"$TL_SCEN" || fail "close-wait"
. "$TL_SCEN"
fw_client=$client_cookie fw_server=$server_cookie fw_port=$client_port fw_pid=$pid
FW_NS=$(ip netns exec tl26f stat -L -c %i /proc/self/ns/net)
wait_for $((10 * SLOW)) shown "$fw_client" || fail "orphaned FIN_WAIT2: no timeline after its expiry"
sleep 0.5
tl_reader_stop
kill -INT "$reader"
wait "$reader" || fail "reader exited with $?: $(cat /tmp/truth.err)"
ip netns del tl26s
ip netns del tl26f

# tl_expect COOKIE WHAT EXPR [jq args]: COOKIE's timeline, without its
# times, is the object EXPR builds ($c: the cookie, $ns: this namespace);
# its times add up: durations to the lifetime, start plus lifetime to end.
# Every mismatch is listed (in /tmp/truth.fail), the test fails at the end.
# (close_error is checked on its own where the kernel's errno is certain.)
NORM='del(.start_wall_ns, .end_wall_ns, .lifetime_ns, .accept_wait_ns, .close_error)
	| .states |= map(del(.enter_ns, .duration_ns))'
tl_expect() {
	local cookie=$1 what=$2 expr=$3 obj got want
	shift 3
	obj=$(jq -c --argjson c "$cookie" 'select(.type == "timeline" and .cookie == $c)' "$TL")
	if [ "$(echo "$obj" | grep -c .)" != 1 ]; then
		echo "$what: want one timeline, got: $obj" >>/tmp/truth.fail
		return
	fi
	got=$(echo "$obj" | jq -cS "$NORM")
	want=$(jq -ncS --argjson c "$cookie" --argjson ns "$NS" "$@" "$expr")
	[ "$got" = "$want" ] || echo "$what: got '$got', want '$want'" >>/tmp/truth.fail
	# jq's numbers are doubles: wall-clock nanoseconds (~1.8e18) to 256 ns.
	echo "$obj" | jq -e '([.states[].duration_ns // 0] | add) == .lifetime_ns and
		(.end_wall_ns - .start_wall_ns - .lifetime_ns | fabs) < 1000 and
		.states[0].enter_ns == 0' >/dev/null ||
		echo "$what: times do not add up: $obj" >>/tmp/truth.fail
}
rm -f /tmp/truth.fail
tl_expect "$cc_client" "client-close: client" '{type: "timeline", cookie: $c, netns: $ns,
	family: "inet", local: "127.0.0.1:\($p)", remote: "127.0.0.1:9260", pid: $pid,
	comm: "tcpscen", in_timewait: true,
	states: ((["SYN_SENT", "ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2"] | map({state: .})) +
		[{state: "TIME_WAIT", timewait: true}]),
	close: "fin", closed_first: "local", bytes_acked: 7, bytes_received: 1, total_retrans: 0}' \
	--argjson p "$cc_port" --argjson pid "$cc_pid"
tl_expect "$cc_server" "client-close: server child" '{type: "timeline", cookie: $c,
	netns: $ns, family: "inet", local: "127.0.0.1:9260", remote: "127.0.0.1:\($p)",
	pid: $pid, comm: "tcpscen", accepted: true,
	states: (["SYN_RECV", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSE"] | map({state: .})),
	close: "fin", closed_first: "peer", bytes_acked: 1, bytes_received: 6, total_retrans: 0}' \
	--argjson p "$cc_port" --argjson pid "$cc_pid"
tl_expect "$sc_server" "server-close: server child" '{type: "timeline", cookie: $c,
	netns: $ns, family: "inet", local: "127.0.0.1:9261", remote: "127.0.0.1:\($p)",
	pid: $pid, comm: "tcpscen", accepted: true, in_timewait: true,
	states: ((["SYN_RECV", "ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2"] | map({state: .})) +
		[{state: "TIME_WAIT", timewait: true}]),
	close: "fin", closed_first: "local", bytes_acked: 6, bytes_received: 1, total_retrans: 0}' \
	--argjson p "$sc_port" --argjson pid "$sc_pid"
tl_expect "$sc_client" "server-close: client" '{type: "timeline", cookie: $c, netns: $ns,
	family: "inet", local: "127.0.0.1:\($p)", remote: "127.0.0.1:9261", pid: $pid,
	comm: "tcpscen",
	states: (["SYN_SENT", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSE"] | map({state: .})),
	close: "fin", closed_first: "peer", bytes_acked: 2, bytes_received: 6, total_retrans: 0}' \
	--argjson p "$sc_port" --argjson pid "$sc_pid"

[ -s /tmp/truth.fail ] && fail "$(cat /tmp/truth.fail)"

# Refused: the peer's RST ends the connect; the port it had is shown.
rf_port=$(jq -r --argjson c "$rf_client" 'select(.type == "timeline" and .cookie == $c) | .local' "$TL")
case $rf_port in 127.0.0.1:0 | "") fail "refused: local port not shown: $rf_port" ;; 127.0.0.1:*) ;;
*) fail "refused: local $rf_port" ;; esac
tl_expect "$rf_client" "refused" '{type: "timeline", cookie: $c, netns: $ns, family: "inet",
	local: $l, remote: "127.0.0.1:9262", pid: $pid, comm: "tcpscen",
	states: (["SYN_SENT", "CLOSE"] | map({state: .})), close: "rst-received",
	closed_first: "peer", bytes_acked: 0, bytes_received: 0, total_retrans: 0}' \
	--arg l "$rf_port" --argjson pid "$rf_pid"
# The RST answering a SYN: the kernel closed the connect with ECONNREFUSED.
assert_eq "$(jq -r --argjson c "$rf_client" 'select(.type == "timeline" and .cookie == $c) | .close_error' "$TL")" \
	ECONNREFUSED "refused: close_error"

# Byte counts are tcp_info's: an active opener's SYN counts as acked, a
# passive child's SYN-ACK does not; a FIN counts both ways.

# SO_LINGER 0 after accept, and before it.
tl_expect "$l0_client" "linger0: client" '{type: "timeline", cookie: $c, netns: $ns,
	family: "inet", local: "127.0.0.1:\($p)", remote: "127.0.0.1:9263", pid: $pid,
	comm: "tcpscen", states: (["SYN_SENT", "ESTABLISHED", "CLOSE"] | map({state: .})),
	close: "rst-sent", closed_first: "local", bytes_acked: 1, bytes_received: 0,
	total_retrans: 0}' --argjson p "$l0_port" --argjson pid "$l0_pid"
tl_expect "$l0_server" "linger0: server child" '{type: "timeline", cookie: $c, netns: $ns,
	family: "inet", local: "127.0.0.1:9263", remote: "127.0.0.1:\($p)", pid: $pid,
	comm: "tcpscen", accepted: true,
	states: (["SYN_RECV", "ESTABLISHED", "CLOSE"] | map({state: .})),
	close: "rst-received", closed_first: "peer", bytes_acked: 0, bytes_received: 0, total_retrans: 0}' --argjson p "$l0_port" --argjson pid "$l0_pid"
tl_expect "$ru_server" "reset before accept: server child" '{type: "timeline", cookie: $c,
	netns: $ns, family: "inet", local: "127.0.0.1:9264", remote: "127.0.0.1:\($p)",
	pid: $pid, comm: "tcpscen", accepted: true,
	states: (["SYN_RECV", "ESTABLISHED", "CLOSE"] | map({state: .})),
	close: "rst-received", closed_first: "peer", bytes_acked: 0, bytes_received: 0, total_retrans: 0}' --argjson p "$ru_port" --argjson pid "$ru_pid"
tl_expect "$ru_client" "reset before accept: client" '{type: "timeline", cookie: $c,
	netns: $ns, family: "inet", local: "127.0.0.1:\($p)", remote: "127.0.0.1:9264",
	pid: $pid, comm: "tcpscen", states: (["SYN_SENT", "ESTABLISHED", "CLOSE"] | map({state: .})),
	close: "rst-sent", closed_first: "local", bytes_acked: 1, bytes_received: 0,
	total_retrans: 0}' --argjson p "$ru_port" --argjson pid "$ru_pid"

# Never accepted: the listener closed with the child in its queue (the
# close, in the server's task, names it), which resets it.
un_server=$(jq --argjson p "$un_port" 'select(.type == "timeline" and
	.local == "127.0.0.1:9271" and .remote == "127.0.0.1:\($p)") | .cookie' "$TL")
tl_expect "${un_server:-0}" "never accepted: server child" '{type: "timeline", cookie: $c,
	netns: $ns, family: "inet", local: "127.0.0.1:9271", remote: "127.0.0.1:\($p)",
	pid: $pid, comm: "tcpscen", accepted: false,
	states: (["SYN_RECV", "ESTABLISHED", "CLOSE"] | map({state: .})),
	close: "rst-sent", closed_first: "local", bytes_acked: 0, bytes_received: 0,
	total_retrans: 0}' --argjson p "$un_port" --argjson pid "$un_pid"
tl_expect "$un_client" "never accepted: client" '{type: "timeline", cookie: $c, netns: $ns,
	family: "inet", local: "127.0.0.1:\($p)", remote: "127.0.0.1:9271", pid: $pid,
	comm: "tcpscen", states: (["SYN_SENT", "ESTABLISHED", "CLOSE"] | map({state: .})),
	close: "rst-received", closed_first: "peer", bytes_acked: 1, bytes_received: 0,
	total_retrans: 0}' --argjson p "$un_port" --argjson pid "$un_pid"

tl_expect "$v6_client" "IPv6 client" '{type: "timeline", cookie: $c, netns: $ns,
	family: "inet6", local: "[::1]:\($p)", remote: "[::1]:9265", pid: $pid, comm: "tcpscen",
	in_timewait: true,
	states: ((["SYN_SENT", "ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2"] | map({state: .})) +
		[{state: "TIME_WAIT", timewait: true}]),
	close: "fin", closed_first: "local", bytes_acked: 7, bytes_received: 1, total_retrans: 0}' \
	--argjson p "$v6_port" --argjson pid "$v6_pid"
tl_expect "$v6_server" "IPv6 server child" '{type: "timeline", cookie: $c, netns: $ns,
	family: "inet6", local: "[::1]:9265", remote: "[::1]:\($p)", pid: $pid, comm: "tcpscen",
	accepted: true,
	states: (["SYN_RECV", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSE"] | map({state: .})),
	close: "fin", closed_first: "peer", bytes_acked: 1, bytes_received: 6, total_retrans: 0}' \
	--argjson p "$v6_port" --argjson pid "$v6_pid"

# Both FINs crossed: each side closed first, "both".
for side in client server; do
	if [ $side = client ]; then c=$si_client l="127.0.0.1:$si_port" r=127.0.0.1:9268
	else c=$si_server l=127.0.0.1:9268 r="127.0.0.1:$si_port"; fi
	tl_expect "$c" "simultaneous: $side" '{type: "timeline", cookie: $c, netns: $sns,
		family: "inet", local: $l, remote: $r, pid: $pid, comm: "tcpscen", in_timewait: true,
		states: (((if $side == "server" then ["SYN_RECV"] else ["SYN_SENT"] end) +
			["ESTABLISHED", "FIN_WAIT1", "CLOSING"] | map({state: .})) +
			[{state: "TIME_WAIT", timewait: true}]),
		close: "fin", closed_first: "both", bytes_received: 1, total_retrans: 0,
		bytes_acked: (if $side == "server" then 1 else 2 end)} + (if $side == "server" then {accepted: true} else {} end)' \
		--arg l "$l" --arg r "$r" --arg side $side --argjson pid "$si_pid" --argjson sns "$SI_NS"
done

# The orphaned FIN_WAIT2 expired: a FIN one way only, then the timer.
tl_expect "$fw_client" "orphaned FIN_WAIT2: client" '{type: "timeline", cookie: $c,
	netns: $fns, family: "inet", local: "127.0.0.1:\($p)", remote: "127.0.0.1:9270",
	pid: $pid, comm: "tcpscen",
	states: ((["SYN_SENT", "ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2"] | map({state: .})) +
		[{state: "FIN_WAIT2", timewait: true}, {state: "CLOSE", timewait: true}]),
	close: "fin", closed_first: "local", bytes_acked: 2, bytes_received: 0, total_retrans: 0,
	tw_reason: "expired"}' --argjson p "$fw_port" --argjson pid "$fw_pid" --argjson fns "$FW_NS"
# Its server closed after 4 s into a peer that was gone: reset.
tl_expect "$fw_server" "orphaned FIN_WAIT2: server child" '{type: "timeline", cookie: $c,
	netns: $fns, family: "inet", local: "127.0.0.1:9270", remote: "127.0.0.1:\($p)",
	pid: $pid, comm: "tcpscen", accepted: true,
	states: (["SYN_RECV", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSE"] | map({state: .})),
	close: "rst-received", closed_first: "peer", bytes_acked: 0, bytes_received: 1, total_retrans: 0}' --argjson p "$fw_port" --argjson pid "$fw_pid" --argjson fns "$FW_NS"
fw_fin2=$(jq -r --argjson c "$fw_client" 'select(.type == "timeline" and .cookie == $c)
	| .states[4].duration_ns / 1000000000 | floor' "$TL")
[ "$fw_fin2" -ge 2 ] && [ "$fw_fin2" -le 4 ] || fail "orphaned FIN_WAIT2 lasted $fw_fin2 s, want 2 (to 4)"

[ -s /tmp/truth.fail ] && fail "$(cat /tmp/truth.fail)"

# TIME_WAIT taken over by a new connect from the same port: its end, tied
# to the first connection, with the reason.
tl_expect "$ru1_client" "reuse: first client" '{type: "timeline", cookie: $c, netns: $ns,
	family: "inet", local: "127.0.0.1:9366", remote: "127.0.0.1:9266", pid: $pid,
	comm: "tcpscen", in_timewait: true,
	states: ((["SYN_SENT", "ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2"] | map({state: .})) +
		[{state: "TIME_WAIT", timewait: true}]),
	close: "fin", closed_first: "local", bytes_acked: 2, bytes_received: 1, total_retrans: 0}' \
	--argjson pid "$ru_pid2"
assert_eq "$(jq -cS --argjson c "$ru1_client" 'select(.type == "timewait_end" and .cookie == $c)
	| del(.duration_ns, .end_wall_ns)' "$TL")" \
	"$(jq -ncS --argjson c "$ru1_client" --argjson ns "$NS" --argjson pid "$ru_pid2" '{type:
	"timewait_end", cookie: $c, netns: $ns, family: "inet", local: "127.0.0.1:9366",
	remote: "127.0.0.1:9266", pid: $pid, comm: "tcpscen", state: "TIME_WAIT",
	reason: "reused"}')" "reuse: the TIME_WAIT's end"
assert_eq "$(jq -r --argjson c "$ru2_client" 'select(.type == "timeline" and .cookie == $c)
	| "\(.local) \(.close) \(.closed_first)"' "$TL")" "127.0.0.1:9366 fin local" "reuse: second client"

# Opened before the reader, in TIME_WAIT at its exit: not finished, dated
# from its timer on the wall clock.
NORM='del(.start_wall_ns, .end_wall_ns)'
tl_expect "$pre_tw" "pre-existing TIME_WAIT" '{type: "timeline", cookie: $c, netns: $ns,
	family: "inet", local: "127.0.0.1:\($p)", remote: "127.0.0.1:9269", preexisting: true,
	unfinished: true, states: ([{state: "TIME_WAIT", enter_ns: 0, timewait: true}]),
	close: null, closed_first: "local", bytes_acked: 0, bytes_received: 0, total_retrans: 0,
	lifetime_ns: 0}' --argjson p "$pre_tw_port"
[ -s /tmp/truth.fail ] && fail "$(cat /tmp/truth.fail)"
start=$(jq --argjson c "$pre_tw" 'select(.type == "timeline" and .cookie == $c)
	| .start_wall_ns / 1000000000 | floor' "$TL")
[ "$start" -ge $((wall_before - 2)) ] && [ "$start" -le $((wall_after + 2)) ] ||
	fail "pre-existing TIME_WAIT dated $start, want $wall_before..$wall_after (wall clock)"

# The leaking server is another process (leakysrv): it accepted both, and
# closed them at last with "hello" unread: a reset; then its listener.
assert_eq "$(jq -sc --argjson p "$leak_pid" '[.[] | select(.type == "timeline" and .pid == $p
	and .local == "127.0.0.1:9267") | [.comm, .accepted, .close, .closed_first]]' "$TL")" \
	'[["leakysrv",true,"rst-sent","peer"],["leakysrv",true,"rst-sent","peer"],["leakysrv",null,"listener","-"]]' \
	"leak: the acceptor owns the server sockets"

# Events mode: the accept record names the acceptor, and so does every
# record of the connection from then on.
accepts=$(jq -c --argjson p "$leak_pid" 'select(.type == "accept" and .pid == $p)' "$TL_EVENTS")
assert_eq "$(echo "$accepts" | jq -sc 'map([.comm, .new_state, "\(.saddr):\(.sport)"])')" \
	'[["leakysrv","ESTABLISHED","127.0.0.1:9267"],["leakysrv","ESTABLISHED","127.0.0.1:9267"]]' \
	"leak: accept records"
for cookie in $(echo "$accepts" | jq .cookie) $(jq -r --argjson c "$cc_server" 'select(.type == "accept" and .cookie == $c) | .cookie' "$TL_EVENTS"); do
	at=$(jq --argjson c "$cookie" 'select(.type == "accept" and .cookie == $c) | .time_ns' "$TL_EVENTS")
	owner=$(jq --argjson c "$cookie" 'select(.type == "accept" and .cookie == $c) | .pid' "$TL_EVENTS")
	odd=$(jq -c --argjson c "$cookie" --argjson t "$at" --argjson p "$owner" \
		'select(.cookie == $c and .time_ns >= $t and (.pid // .owner_pid) != $p)' "$TL_EVENTS")
	[ -z "$odd" ] || fail "a record after the accept does not name the acceptor $owner: $odd"
	assert_match "$(jq -c --argjson c "$cookie" --argjson t "$at" 'select(.cookie == $c and .time_ns > $t)' "$TL_EVENTS" | wc -l)" \
		'^[1-9]' "records after the accept of $cookie"
done
assert_eq "$(jq -r --argjson c "$cc_server" 'select(.type == "accept" and .cookie == $c) | "\(.pid) \(.comm)"' "$TL_EVENTS")" \
	"$cc_pid tcpscen" "client-close: accept record"

# The summary's accept-wait histogram counted every accept of this test.
# 9260, 9261, 9263, 9264, 9265, 9266 (two), 9267 (two), 9268, 9270.
assert_eq "$(jq 'select(.type == "summary") | .accept_wait.count' "$TL")" 11 \
	"accept waits in the summary"
pass
