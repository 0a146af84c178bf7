#!/bin/sh
# timeout: 200
# Unload while a reader waits in recv: it exits cleanly with code 4. Then
# load/unload cycles under connection churn with a reader attached.
. /tcptl/tests/lib.sh

load_module
tcptimeline events >/tmp/u.out 2>/tmp/u.err &
reader=$!
sleep 1
rmmod tcp_timeline || fail "rmmod with a reader attached"
wait $reader
assert_eq "$?" 4 "reader exit code when the module goes away"
assert_file_has /tmp/u.err "module was unloaded" "reader message"

# Churn in the background while the module comes and goes 20 times. In a
# namespace of its own: its TIME_WAITs go with it instead of filling the
# guest's tcp_max_tw_buckets for the tests that follow.
ip netns add tl25 && ip netns exec tl25 ip link set lo up || fail "netns"
(while [ ! -e /tmp/stop-churn ]; do ip netns exec tl25 tcpscen -p 9050 -n 20 burst >/dev/null 2>&1; done) &
churn=$!
cycle_module 20 /tmp/u.json
touch /tmp/stop-churn
wait $churn
ip netns del tl25
# The last reader saw the churn's transitions before the module went.
[ "$(jq -s '[.[] | select(.type == "state")] | length' /tmp/u.json)" -gt 0 ] ||
	fail "no state records under churn"
load_module
assert_eq "$(tcptimeline stats --json | jq .lost)" 0 "fresh load after cycles"
pass
