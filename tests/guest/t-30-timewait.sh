#!/bin/sh
# TIME_WAIT: entry, FIN_WAIT2 held by the timewait machinery, and the early
# ends with their reasons (reuse, SYN, RST, namespace exit, ss -K), and overflow;
# in timeline mode, each early end as a timewait_end, the overflow's timeline.
. /tcptl/tests/lib.sh
. /tcptl/tests/tl.sh

tw_exit() {
	jq -r --argjson c "$1" 'select(.cookie == $c and .type == "state" and
		(.flags | index("timewait")) and .new_state == "CLOSE") |
		"\(.old_state)>\(.new_state) \(.tw_reason)"' "$TL_EVENTS"
}

load_module
TL=/tmp/tl30.json
tcptimeline --json -p 9030-9038 -o "$TL" 2>/tmp/tl30.err &
tl_reader=$!
tl_wait_started "$TL" /tmp/tl30.err "$tl_reader"
tl_reader_start

# Reuse: connect() from the same bound port takes over the client's TIME_WAIT.
# (Bound ports below the ephemeral range, which other tests' sockets use.)
tl_scenario -p 9030 -b 25030 reuse
assert_eq "$second_connect_errno" 0 "second connect"
reused=$first_client_cookie

# SYN: the server closed first; a new SYN to its TIME_WAIT ends it.
tl_scenario -p 9031 -b 25031 syn-kill
assert_eq "$second_connect_errno" 0 "second connect (syn-kill)"
syn_killed=$first_server_cookie

# RST: an in-window reset ends the server's TIME_WAIT.
tl_scenario -p 9038 rst-kill
rst_server=$server_cookie

# Namespace exit: TIME_WAIT sockets go with their namespace.
ip netns add tl30 && ip netns exec tl30 ip link set lo up || skip "no netns"
ip netns exec tl30 tcpscen -p 9032 client-close >"$TL_SCEN" || fail "netns scenario"
. "$TL_SCEN"
ns_client=$client_cookie
ip netns del tl30
sleep 3

# Orphaned FIN_WAIT2: the client closed, the peer never does.
echo 2 >/proc/sys/net/ipv4/tcp_fin_timeout
tl_scenario -p 9033 -s 4 close-wait
orphan=$client_cookie
echo 60 >/proc/sys/net/ipv4/tcp_fin_timeout

# ss -K: sock_destroy of a TIME_WAIT socket, on kernels whose tcp_abort
# takes timewait sockets.
tl_scenario -p 9037 client-close
aborted=$client_cookie
ss -K -tan state time-wait '( dport = :9037 )' >/dev/null 2>&1
sleep 0.2
ss_left=$(ss -tan state time-wait '( dport = :9037 )' | grep -c 9037)

# Overflow: no room for TIME_WAIT at all.
old=$(cat /proc/sys/net/ipv4/tcp_max_tw_buckets)
echo 0 >/proc/sys/net/ipv4/tcp_max_tw_buckets
tl_scenario -p 9034 client-close
overflow=$client_cookie
echo "$old" >/proc/sys/net/ipv4/tcp_max_tw_buckets
tl_reader_stop
kill -INT "$tl_reader"
wait "$tl_reader" || fail "timeline reader exited with $?: $(cat /tmp/tl30.err)"

assert_eq "$(tw_exit "$reused")" "TIME_WAIT>CLOSE reused" "reuse"
assert_eq "$(tw_exit "$syn_killed")" "TIME_WAIT>CLOSE syn" "SYN"
assert_eq "$(tw_exit "$rst_server")" "TIME_WAIT>CLOSE reset" "RST"
assert_eq "$(tw_exit "$ns_client")" "TIME_WAIT>CLOSE netns_exit" "netns exit"
if [ "$ss_left" -eq 0 ]; then
	assert_eq "$(tw_exit "$aborted")" "TIME_WAIT>CLOSE aborted" "ss -K"
else
	echo "note: this kernel's ss -K does not destroy TIME_WAIT sockets"
	assert_eq "$(tw_exit "$aborted")" "" "no exit record for a socket still there"
fi
assert_eq "$(tl_states "$orphan")" \
	"CLOSE>SYN_SENT SYN_SENT>ESTABLISHED ESTABLISHED>FIN_WAIT1 FIN_WAIT1>FIN_WAIT2 FIN_WAIT2>FIN_WAIT2 FIN_WAIT2>CLOSE" \
	"orphaned FIN_WAIT2 in the timewait machinery"
assert_eq "$(tw_exit "$orphan")" "FIN_WAIT2>CLOSE expired" "orphan expiry"
assert_eq "$(tl_records "$overflow" tw_overflow | wc -l)" 1 "overflow record"
assert_eq "$(tl_states "$overflow")" \
	"CLOSE>SYN_SENT SYN_SENT>ESTABLISHED ESTABLISHED>FIN_WAIT1 FIN_WAIT1>FIN_WAIT2 FIN_WAIT2>CLOSE" \
	"no TIME_WAIT after overflow"

# Timeline mode: the end of each TIME_WAIT its timeline was shown at.
tw_end() {
	jq -r --argjson c "$1" 'select(.type == "timewait_end" and .cookie == $c) |
		"\(.state) \(.reason)"' "$TL"
}
assert_eq "$(tw_end "$reused")" "TIME_WAIT reused" "timewait_end: reuse"
assert_eq "$(tw_end "$syn_killed")" "TIME_WAIT syn" "timewait_end: SYN"
assert_eq "$(tw_end "$rst_server")" "TIME_WAIT reset" "timewait_end: RST"
assert_eq "$(tw_end "$ns_client")" "TIME_WAIT netns_exit" "timewait_end: netns exit"
assert_eq "$(jq -c --argjson c "$orphan" 'select(.type == "timeline" and .cookie == $c) |
	[.close, .closed_first, .tw_reason, .in_timewait]' "$TL")" '["fin","local","expired",null]' \
	"orphaned FIN_WAIT2: one timeline at its expiry"
assert_eq "$(jq -c --argjson c "$overflow" 'select(.type == "timeline" and .cookie == $c) |
	[.close, .closed_first, (.states | map(.state) | join(" "))]' "$TL")" \
	'["tw-overflow","local","SYN_SENT ESTABLISHED FIN_WAIT1 FIN_WAIT2 CLOSE"]' \
	"overflow: its timeline says TIME_WAIT was skipped"
pass
