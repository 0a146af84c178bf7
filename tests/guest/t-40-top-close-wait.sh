#!/bin/sh
# top finds the process that leaks CLOSE_WAIT: a server that never closes
# what it accepted after the peer's FIN. Right process, count, unread bytes,
# ages from the transition records, and an alert that fires and resolves.
. /tcptl/tests/lib.sh
. /tcptl/tests/tl.sh

load_module
tl_reader_start -p 9040
TOP=/tmp/top40.json
tcptimeline top --json --interval 1 --duration 600 -p 9040 --warn-close-wait-age 2 \
	-o "$TOP" 2>/tmp/top.err &
top=$!
# Its records give the ages: top must have joined before the leak.
tl_wait_started "$TOP" /tmp/top.err "$top"
tl_scenario -p 9040 -n 3 -s 5 leak
# The server holds them 5 s, then exits; a few snapshots after it has gone
# (however long that took), then stop.
gone() { [ -z "$(ss -Htn state close-wait '( sport = :9040 )')" ]; }
wait_for $((30 * ${TCPTL_SLOW:-1})) gone || fail "the leaked CLOSE_WAITs did not go"
sleep $((3 * ${TCPTL_SLOW:-1}))
kill -INT "$top"
wait "$top" || fail "top exited with $?: $(cat /tmp/top.err)"
tl_reader_stop

snaps() { jq -c 'select(.type == "top")' "$TOP"; }
[ "$(snaps | wc -l)" -ge 7 ] || fail "top took $(snaps | wc -l) snapshots in 8 s or more"
# The fullest snapshot: leakysrv holds all three.
group=$(snaps | jq -c '.close_wait.by_process[] | select(.comm == "leakysrv")' | jq -sc 'max_by(.count)')
assert_eq "$(echo "$group" | jq -r '"\(.pid) \(.count) \(.unread) \(.accepted) \(.oldest_known)"')" \
	"$server_pid 3 15 true true" "CLOSE_WAIT by process: pid, count, unread bytes"

# Ages are real: the last snapshot with all three shows exactly the time
# since the first of them entered CLOSE_WAIT (from its record).
entered=$(jq -s '[.[] | select(.type == "state" and .new_state == "CLOSE_WAIT" and .sport == 9040) | .time_ns] | min' "$TL_EVENTS")
[ "$entered" != null ] || fail "no CLOSE_WAIT records"
# (While the server exits, its sockets lose their owner a moment before
# they close: the last snapshot that still names it.)
last=$(snaps | jq -c 'select(.close_wait.count == 3 and
	any(.close_wait.by_process[]; .comm == "leakysrv" and .count == 3))' | tail -n 1)
want=$(echo "$last" | jq --argjson e "$entered" '(.time_ns - $e) / 1e9')
got=$(echo "$last" | jq '.close_wait.by_process[0].oldest_s')
assert_eq "$(jq -n --argjson g "$got" --argjson w "$want" '($g - $w) | fabs < 0.002')" true \
	"oldest age $got s, records say $want s"
assert_eq "$(echo "$last" | jq '[.close_wait.oldest[] | select(.pid == '"$server_pid"' and .unread == 5)] | length')" 3 \
	"the oldest connections listed"
assert_eq "$(echo "$last" | jq '.states.CLOSE_WAIT.count')" 3 "CLOSE_WAIT count"
# After the server exits (5 s) they are gone, and the alert resolved.
assert_eq "$(snaps | tail -n 1 | jq '"\(.close_wait.count) \(.states.CLOSE_WAIT.entered)"' -r)" "0 3" \
	"last snapshot: none left, three entered"
assert_eq "$(jq -r 'select(.type == "alert") | "\(.status) \(.alert)"' "$TOP" | grep "pid=$server_pid\$" | tr '\n' ';')" \
	"firing close_wait_age pid=$server_pid;resolved close_wait_age pid=$server_pid;" "the server's alerts"
# A slow kernel may show the sockets for a moment without their owner while
# the server exits (an alert for pid=0): whatever fired has resolved.
assert_eq "$(jq -sr '[.[] | select(.type == "alert")] | group_by(.alert) | map(last.status) | unique | join(" ")' "$TOP")" \
	resolved "every alert resolved at the end"

# Text, once: the same process named in the table.
tcpscen -p 9041 -n 2 -s $((3 * ${TCPTL_SLOW:-1})) leak >/tmp/leak2.out
. /tmp/leak2.out
sleep 0.3
tcptimeline top --once -p 9041 >/tmp/top.txt 2>&1 || fail "top --once: $(cat /tmp/top.txt)"
cat /tmp/top.txt
assert_file_has /tmp/top.txt "^  $server_pid +leakysrv +2 +>[0-9.]+s +10$" "text row (ages unknown before start)"
assert_file_has /tmp/top.txt "^CLOSE_WAIT +2 " "state table"
pass
