#!/bin/sh
# top shows a listener whose server stops accepting: its accept queue full
# (backlog 4 holds 5), requests left in SYN_RECV, the namespace's listen
# overflows rising, an alert that fires and resolves once the server
# accepts again, the accept rate and how long the accepted waited.
. /tcptl/tests/lib.sh
. /tcptl/tests/tl.sh

SLOW=${TCPTL_SLOW:-1}
STALL=$((4 * SLOW))
# Kernels from 6.5 retransmit the first SYNs every second, and with 6
# retries give up after 11 s: the clients left in SYN_SENT must outlive the
# stall. The classic 1, 2, 4, 8 s schedule, on every kernel.
trap sysctl_restore EXIT
trap 'exit 143' INT TERM
sysctl_set net.ipv4.tcp_syn_linear_timeouts 0 if-present

load_module
tl_reader_start -p 9043
TOP=/tmp/top43.json
tcptimeline top --json --interval 1 --duration 600 -p 9043 --warn-accept-queue 100 \
	--warn-listen-overflows 1 -o "$TOP" 2>/tmp/top.err &
top=$!
# Its records give the waits and ages: top must have joined first.
tl_wait_started "$TOP" /tmp/top.err "$top"
# The same, as a user watching the text screens.
tcptimeline top --interval 1 --duration 600 -p 9043 -o /tmp/top43-run.txt 2>/tmp/toptext.err &
toptext=$!
wait_for $((30 * SLOW)) tl_joined "$toptext" || fail "text top did not join the events group"
# 12 clients into backlog 4: 5 queued, 3 requests in SYN_RECV, 4 SYNs
# dropped (SYN_SENT); nothing accepted for $STALL s after they connected,
# then everything, kept 3 s.
tcpscen -p 9043 -l 4 -n 12 -s "$STALL" -t $((3 * SLOW)) stall >"$TL_SCEN" 2>/tmp/scen.err &
scen=$!
queue() {
	ss -Hltn '( sport = :9043 )' | awk '{ for (i = 3; i <= NF; i++) if ($i ~ /:9043$/) print $(i - 2) }'
}
stalled() {
	[ "$(queue)" = 5 ] && [ -n "$(ss -Htn state syn-sent '( dport = :9043 )')" ]
}
wait_for $((10 * SLOW)) stalled || fail "the accept queue did not fill: $(queue), $(cat /tmp/scen.err)"
# Once, while the server stalls.
tcptimeline top --once --json -p 9043 >/tmp/once43.json 2>/tmp/once.err ||
	fail "top --once: $(cat /tmp/once.err)"
tcptimeline top --once -p 9043 >/tmp/once43.txt 2>&1 || fail "top --once (text): $(cat /tmp/once43.txt)"
wait $scen || fail "stall scenario: $(cat /tmp/scen.err)"
. "$TL_SCEN"
# A few snapshots after the server has gone, then stop.
sleep $((2 * SLOW))
kill -INT "$top" "$toptext"
wait "$top" || fail "top exited with $?: $(cat /tmp/top.err)"
wait "$toptext" || fail "text top exited with $?: $(cat /tmp/toptext.err)"
tl_reader_stop

assert_eq "$accepted" 12 "the server accepted every client in the end"
snaps() { jq -c 'select(.type == "top")' "$TOP"; }
# The listener's row in every snapshot that has it.
rows() { snaps | jq -c '.listen[] | select(.local == "127.0.0.1:9043")'; }
[ "$(rows | wc -l)" -ge $((STALL + 2)) ] || fail "the listener is in $(rows | wc -l) snapshots only"

# Full: 5 in the queue of backlog 4, owned by the server process; the
# same in every snapshot of the full queue.
want=$(jq -nc --argjson p "$server_pid" \
	'{local: "127.0.0.1:9043", pid: $p, comm: "tcpscen", accept_queue: 5, backlog: 4}')
assert_eq "$(rows | jq -c 'select(.accept_queue == 5) | {local, pid, comm, accept_queue, backlog}' | sort -u)" \
	"$want" "the full listener's row"
[ "$(rows | jq 'select(.accept_queue == 5) | .pid' | wc -l)" -ge 2 ] ||
	fail "fewer than two snapshots of the full accept queue"
assert_eq "$(rows | jq -s -c 'map(.backlog) | unique')" "[4]" "backlog, in every snapshot"
assert_eq "$(rows | jq -s -c 'map(.pid) | unique')" "[$server_pid]" "owner, in every snapshot"
assert_eq "$(rows | jq -s 'map(.accept_queue) | max')" 5 "the queue never holds more than backlog + 1"
# Requests whose ACK found the queue full wait in SYN_RECV.
syn_recv=$(rows | jq -s 'map(.syn_recv) | max')
[ "$syn_recv" -ge 1 ] || fail "no request in SYN_RECV seen (max $syn_recv)"
# Stalled: no accepts, so no waits to tell.
assert_eq "$(rows | jq -c 'select(.accept_queue == 5) | [.accepts_per_s, .accept_wait_p50_s, .accept_wait_p99_s]' | sort -u)" \
	"[0,null,null]" "no accepts while stalled"
# The last stalled snapshot: every client is queued (5), a request (SYN_RECV)
# or waiting in SYN_SENT; the oldest in the queue has waited most of the stall.
last_full=$(snaps | jq -c 'select(any(.listen[]; .local == "127.0.0.1:9043" and .accept_queue == 5))' | tail -n 1)
assert_eq "$(echo "$last_full" | jq '(.listen[] | select(.local == "127.0.0.1:9043") | .syn_recv)
	+ ([.syn_sent.by_remote[] | select(.remote == "127.0.0.1:9043") | .count] | add // 0)')" 7 \
	"SYN_RECV and SYN_SENT of the 7 clients beyond the queue"
oldest=$(echo "$last_full" | jq '.listen[] | select(.local == "127.0.0.1:9043") | .accept_queue_oldest_s')
assert_eq "$(jq -n --argjson o "$oldest" --argjson s "$STALL" '$o != null and $o >= $s - 1.5 and $o < $s + 2')" \
	true "the oldest queued connection's age, $oldest s, at the stall's end ($STALL s)"

# The namespace's overflow counter rises while the queue is full (the
# SYNs dropped and retransmitted, the requests' ACKs dropped): between two
# snapshots at least, already counting.
assert_eq "$(snaps | jq -s '[.[].listen_drops.overflows] as $o
	| any(range(1; $o | length); $o[. - 1] > 0 and $o[.] > $o[. - 1])')" true "overflows rising"
assert_eq "$(snaps | tail -n 1 | jq '.listen_drops | .drops >= .overflows and .overflows > 0')" true \
	"every overflow is a listen drop"
assert_eq "$(snaps | tail -n 1 | jq '.listen_drops | .overflows_total >= .overflows and .drops_total >= .drops')" true \
	"the namespace's totals hold what the reader counted"

# Then the server accepted: a rate, and the longest wait is the stall's.
assert_eq "$(rows | jq -s 'map(.accepts_per_s) | max > 0')" true "accepts per second after the stall"
p99=$(rows | jq -s '[.[].accept_wait_p99_s | select(. != null)] | max')
assert_eq "$(jq -n --argjson p "$p99" --argjson s "$STALL" '$p != null and $p >= $s - 0.01 and $p < $s + 3')" \
	true "accept wait p99 $p99 s, the stall $STALL s"
# The records agree: the 5 queued waited through the stall, the others not.
waits=$(jq -c 'select(.type == "accept" and .sport == 9043) | [.pid, .accept_wait_ns]' "$TL_EVENTS")
assert_eq "$(echo "$waits" | grep -c .)" 12 "accept records"
assert_eq "$(echo "$waits" | jq -s -c 'map(.[0]) | unique')" "[$server_pid]" "the server accepted"
assert_eq "$(echo "$waits" | jq -s --argjson s "$STALL" 'map(select(.[1] >= $s * 1e9)) | length')" 5 \
	"accepts that waited the stall"
# At the end, until the server closed: empty, nothing pending.
assert_eq "$(rows | tail -n 1 | jq -c '[.accept_queue, .syn_recv, .backlog]')" "[0,0,4]" \
	"the listener's last row: queue empty"
assert_eq "$(snaps | tail -n 1 | jq '.listen_omitted')" 0 "no listener omitted"

# The alert: fired while full, resolved after.
alerts=$(jq -r 'select(.type == "alert" and .alert == "accept_queue local=127.0.0.1:9043") | .status' "$TOP")
assert_eq "$(echo "$alerts" | head -n 1) $(echo "$alerts" | tail -n 1)" "firing resolved" \
	"the accept queue alert"
assert_match "$(jq -r 'select(.type == "alert" and .alert == "accept_queue local=127.0.0.1:9043" and .status == "firing") | .text' "$TOP" | head -n 1)" \
	'127\.0\.0\.1:9043' "the alert's text names the listener"
assert_eq "$(jq -r 'select(.type == "alert" and .alert == "listen_overflows") | .status' "$TOP" | head -n 1)" \
	firing "the listen overflow alert"
assert_eq "$(jq -sr '[.[] | select(.type == "alert")] | group_by(.alert) | map(last.status) | unique | join(" ")' "$TOP")" \
	resolved "every alert resolved at the end"

# The one snapshot taken while stalled.
assert_eq "$(jq -c 'select(.type == "top") | .listen[] | select(.local == "127.0.0.1:9043")
	| {local, pid, comm, accept_queue, backlog}' /tmp/once43.json)" "$want" "top --once: the full listener"
# The text screens: the full queue with its oldest child's age, then the
# accepts with their waits.
echo "TCPTL-FILE-BEGIN top43-run.txt"
cat /tmp/top43-run.txt
echo "TCPTL-FILE-END"
assert_file_has /tmp/top43-run.txt "^  127\.0\.0\.1:9043 +$server_pid +tcpscen +5/4 +[1-9] +0\.0 +- +- +[1-9][0-9.]*s$" \
	"text: the full listener, its oldest child's age"
assert_file_has /tmp/top43-run.txt "^  127\.0\.0\.1:9043 +$server_pid +tcpscen +[0-5]/4 +[0-9]+ +[1-9][0-9.]* +[0-9.]+m?s +[1-9][0-9.]*s " \
	"text: the accepts and their waits"
echo "TCPTL-FILE-BEGIN top43.txt"
cat /tmp/once43.txt
echo "TCPTL-FILE-END"
assert_file_has /tmp/once43.txt "^  127\.0\.0\.1:9043 +$server_pid +tcpscen +5/4 +[1-9] " "text: the full listener's row"
assert_file_has /tmp/once43.txt "^  namespace, in all: listen overflows [1-9][0-9]*, " "text: the namespace's totals (one snapshot)"
pass
