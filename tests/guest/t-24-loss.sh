#!/bin/sh
# A burst into a tiny buffer: the loss is announced, and counted exactly:
# what the reader got plus what it was told it lost is what was produced.
. /tcptl/tests/lib.sh
. /tcptl/tests/tl.sh

load_module buffer_size=16 flush_interval_ms=1000
tl_reader_start
tcpscen -p 9025 -n 300 burst >/dev/null || fail "burst"
sleep 1.5
tl_reader_stop
stats=$(tcptimeline stats --json)
produced=$(echo "$stats" | jq .produced)
lost=$(echo "$stats" | jq .lost)
got=$(jq -s '[.[] | select(.seq != null)] | length' "$TL_EVENTS")
announced=$(jq -s '[.[] | select(.type == "lost") | .lost_count] | add // 0' "$TL_EVENTS")
summary=$(jq -c 'select(.type == "summary")' "$TL_EVENTS")
echo "produced=$produced lost=$lost got=$got announced=$announced summary=$summary"
[ "$lost" -gt 0 ] || fail "a 16-record buffer lost nothing: the test proves nothing"
assert_eq "$announced" "$lost" "LOST records announce every loss"
assert_eq "$(echo "$summary" | jq .lost_module)" "$lost" "reader's count of module loss"
assert_eq "$(echo "$summary" | jq .lost_socket)" 0 "no socket loss"
assert_eq "$((got + lost))" "$produced" "got + lost = produced"
pass
