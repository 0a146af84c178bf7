#!/bin/sh
# Every record the module produces is accounted for, exactly:
#  1. bursts into a tiny buffer: the loss is announced, and what the reader
#     got plus what it was told it lost is what was produced;
#  2. a reader stopped before the flush interval has passed still gets the
#     records made before its stop (it has the module flush first);
#  3. a reader killed before the flush: the records it left behind are
#     counted as unclaimed, and the module's counters add up.
. /tcptl/tests/lib.sh
. /tcptl/tests/tl.sh

# produced = delivered + lost + delivery_failed + unclaimed (GET_STATS flushes
# before it counts, and nothing is produced without a reader).
module_adds_up() {
	echo "$1" | jq -e '.produced == .delivered + .lost + .delivery_failed + .unclaimed' >/dev/null ||
		fail "$2: module counters do not add up: $1"
}

load_module buffer_size=16 flush_interval_ms=1000
tl_reader_start
# Two bursts at once, again until the buffers have overflowed (the flush
# worker, kicked when a buffer is half full, keeps up with one burst on a
# slow kernel).
i=0
while [ $i -lt 5 ]; do
	tcpscen -p 9025 -n 300 burst >/dev/null & b1=$!
	tcpscen -p 9028 -n 300 burst >/dev/null || fail "burst"
	wait $b1 || fail "burst"
	[ "$(tcptimeline stats --json | jq .lost)" -gt 0 ] && break
	i=$((i + 1))
done
sleep 1.5
tl_reader_stop
stats=$(tcptimeline stats --json)
produced=$(echo "$stats" | jq .produced)
lost=$(echo "$stats" | jq .lost)
unclaimed=$(echo "$stats" | jq .unclaimed)
got=$(jq -s '[.[] | select(.seq != null)] | length' "$TL_EVENTS")
announced=$(jq -s '[.[] | select(.type == "lost") | .lost_count] | add // 0' "$TL_EVENTS")
summary=$(jq -c 'select(.type == "summary")' "$TL_EVENTS")
echo "burst: produced=$produced lost=$lost unclaimed=$unclaimed got=$got announced=$announced summary=$summary"
[ "$lost" -gt 0 ] || fail "a 16-record buffer lost nothing: the test proves nothing"
assert_eq "$announced" "$lost" "LOST records announce every loss"
assert_eq "$(echo "$summary" | jq .lost_module)" "$lost" "reader's count of module loss"
assert_eq "$(echo "$summary" | jq .lost_socket)" 0 "no socket loss"
assert_eq "$((got + lost + unclaimed))" "$produced" "got + lost + unclaimed = produced"
module_adds_up "$stats" burst
unload_module

# 2. One connection, then stop at once: well inside the 1000 ms interval.
load_module flush_interval_ms=1000
tl_reader_start
tl_scenario -p 9026 client-close
kill -INT "$TL_READER"
wait "$TL_READER" || true
stats=$(tcptimeline stats --json)
got=$(jq -s '[.[] | select(.seq != null)] | length' "$TL_EVENTS")
# Earlier tests' TIME_WAITs may expire meanwhile: their records count in
# produced, not in the scenario.
mine=$(jq -s '[.[] | select(.seq != null and (.sport == 9026 or .dport == 9026))] | length' "$TL_EVENTS")
states=$(jq -s '[.[] | select(.type == "state" and (.sport == 9026 or .dport == 9026))] | length' "$TL_EVENTS")
echo "stop: got=$got mine=$mine states=$states stats=$stats"
# 12 transitions, one record each, and the server's accept.
assert_eq "$states" 12 "the scenario's 12 transitions reached the stopped reader"
assert_eq "$mine" 13 "every record of the scenario reached the stopped reader"
assert_eq "$(echo "$stats" | jq .produced)" "$got" "produced = got"
assert_eq "$(echo "$stats" | jq .unclaimed)" 0 "nothing left unclaimed"
module_adds_up "$stats" stop
unload_module

# 3. Killed: no chance to ask for a flush. Only the scenario's port makes
# records: an earlier test's TIME_WAIT expiring a moment before would start
# the flush interval early, and its flush could take the scenario's records
# before the kill (seen on the debug kernel).
load_module flush_interval_ms=1000 filter_ports=9027
tl_reader_start
tcpscen -p 9027 refused >/dev/null || fail "refused"
kill -KILL "$TL_READER"
wait "$TL_READER" 2>/dev/null
stats=$(tcptimeline stats --json)
echo "killed: stats=$stats"
[ "$(echo "$stats" | jq .unclaimed)" -ge 1 ] || fail "a killed reader's records were not counted unclaimed"
module_adds_up "$stats" killed
pass
