#!/bin/sh
# Statistics match the traffic: what the module delivered is what the
# reader got, nothing lost, nothing produced while nobody listened.
. /tcptl/tests/lib.sh
. /tcptl/tests/tl.sh

load_module
tcpscen -p 9024 client-close >/dev/null
before=$(tcptimeline stats --json)
assert_eq "$(echo "$before" | jq .produced)" 0 "nothing produced without a reader"
[ "$(echo "$before" | jq .no_listener)" -ge 12 ] || fail "no_listener should count the 12+ unrecorded events"

tl_reader_start
tl_scenario -p 9024 client-close
tl_reader_stop
after=$(tcptimeline stats --json)
got=$(jq -s '[.[] | select(.type != "summary" and .type != "lost")] | length' "$TL_EVENTS")
# 12 transitions (one record each) and the server's accept.
[ "$got" -ge 13 ] || fail "reader got only $got records"
assert_eq "$(echo "$after" | jq .produced)" "$got" "produced = records the reader got"
assert_eq "$(echo "$after" | jq .delivered)" "$got" "delivered = records the reader got"
assert_eq "$(echo "$after" | jq .lost)" 0 "lost"
assert_eq "$(jq -s '[.[] | select(.type == "summary")][0] | .lost_module + .lost_socket' "$TL_EVENTS")" 0 "reader saw no loss"
assert_eq "$(echo "$after" | jq .hooks_missing)" 0 "every hook attached"
grep -q "warning: this kernel lacks" /tmp/reader.err && fail "reader warned of missing hooks: $(cat /tmp/reader.err)"
assert_eq "$(tcptimeline stats | grep '^hooks missing')" "hooks missing: none" "stats names missing hooks"
assert_eq "$(tcptimeline stats | grep '^hooks attached')" \
	"hooks attached: state transitions, SYN_SENT local port, resets sent, resets received, TIME_WAIT entry, TIME_WAIT exit, TIME_WAIT overflow, accept owner" \
	"stats names attached hooks"
pass
