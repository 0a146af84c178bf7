#!/bin/sh
# timeout: 150
# The real TIME_WAIT timer: 60 seconds, then an exit with reason "expired";
# and an orphaned FIN_WAIT2 that the peer's FIN moves on to TIME_WAIT. In
# timeline mode, each connection's timeline comes as TIME_WAIT begins and
# a timewait_end object as it ends.
. /tcptl/tests/lib.sh
. /tcptl/tests/tl.sh

load_module
TL=/tmp/tl31.json
tcptimeline --json -p 9035-9036 -o "$TL" 2>/tmp/tl31.err &
tl_reader=$!
tl_wait_started "$TL" /tmp/tl31.err "$tl_reader"
tl_reader_start
tl_scenario -p 9035 client-close
expiring=$client_cookie
echo 30 >/proc/sys/net/ipv4/tcp_fin_timeout
tl_scenario -p 9036 -s 1 close-wait
moved_on=$client_cookie
echo 60 >/proc/sys/net/ipv4/tcp_fin_timeout

# A 60 s timer sits in a coarse timer-wheel level: it may fire up to 2 s (HZ=250)
# or 4 s (HZ=1000) late, and the second connection entered TIME_WAIT a second
# after the first.
expired() {
	jq -se --argjson c "$1" 'any(.[]; .cookie == $c and .old_state == "TIME_WAIT" and .new_state == "CLOSE")' \
		"$TL_EVENTS" >/dev/null 2>&1
}
both_expired() { expired "$expiring" && expired "$moved_on"; }
sleep 58
wait_for 30 both_expired || echo "no expiry seen within 88 s"
tl_reader_stop
kill -INT "$tl_reader"
wait "$tl_reader" || fail "timeline reader exited with $?: $(cat /tmp/tl31.err)"

exit_rec=$(jq -c --argjson c "$expiring" 'select(.cookie == $c and .old_state == "TIME_WAIT" and .new_state == "CLOSE")' "$TL_EVENTS")
assert_eq "$(echo "$exit_rec" | jq -r .tw_reason)" expired "reason"
enter_ns=$(jq --argjson c "$expiring" 'select(.cookie == $c and .new_state == "TIME_WAIT") | .time_ns' "$TL_EVENTS")
secs=$((($(echo "$exit_rec" | jq .time_ns) - enter_ns) / 1000000000))
# The timer wheel fires a 60 s timer up to one granule late: 2 s at HZ=250
# (Debian), 4 s at HZ=1000 (the debug kernel's defconfig).
[ "$secs" -ge 59 ] && [ "$secs" -le 64 ] || fail "TIME_WAIT lasted $secs s, want 60 (to 64)"

assert_eq "$(tl_states "$moved_on")" \
	"CLOSE>SYN_SENT SYN_SENT>ESTABLISHED ESTABLISHED>FIN_WAIT1 FIN_WAIT1>FIN_WAIT2 FIN_WAIT2>FIN_WAIT2 FIN_WAIT2>TIME_WAIT TIME_WAIT>CLOSE" \
	"FIN_WAIT2 (timewait) moved on to TIME_WAIT, then expired"

# Timelines: one each, as TIME_WAIT began; then the end of that TIME_WAIT.
tl() { jq -c --argjson c "$1" --arg t "$2" 'select(.type == $t and .cookie == $c)' "$TL"; }
assert_eq "$(tl "$expiring" timeline | jq -r '[.in_timewait, .close, .closed_first,
	(.states | map(.state) | join(" "))] | join(" ")')" \
	"true fin local SYN_SENT ESTABLISHED FIN_WAIT1 FIN_WAIT2 TIME_WAIT" "timeline at TIME_WAIT entry"
assert_eq "$(tl "$moved_on" timeline | jq -r '[.in_timewait, .close, .closed_first,
	(.states | map(.state + (if .timewait then "(tw)" else "" end)) | join(" "))] | join(" ")')" \
	"true fin local SYN_SENT ESTABLISHED FIN_WAIT1 FIN_WAIT2 FIN_WAIT2(tw) TIME_WAIT(tw)" \
	"orphan's timeline once its TIME_WAIT began"
for c in "$expiring" "$moved_on"; do
	end=$(tl "$c" timewait_end)
	assert_eq "$(echo "$end" | jq -r '"\(.state) \(.reason) \(.comm)"')" "TIME_WAIT expired tcpscen" \
		"timewait_end of $c"
	secs=$(echo "$end" | jq '.duration_ns / 1000000000 | floor')
	[ "$secs" -ge 59 ] && [ "$secs" -le 64 ] || fail "timewait_end of $c: $secs s, want 60 (to 64)"
	# The wall clock of each message is its own (CLOCK_REALTIME moves
	# against CLOCK_MONOTONIC): a few ms apart over a minute at most.
	start=$(tl "$c" timeline | jq '.end_wall_ns')
	[ "$(echo "$end" | jq --argjson s "$start" '(.end_wall_ns - $s - .duration_ns) | fabs < 50000000')" = true ] ||
		fail "timewait_end of $c: does not end its timeline's TIME_WAIT (begun at $start): $end"
done
pass
