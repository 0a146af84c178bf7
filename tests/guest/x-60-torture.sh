#!/bin/sh
# timeout: 1500
# make torture: 200 load/unload cycles under connection churn with a reader
# attached; a reader killed and another started under load; two readers at
# once getting the same records; the module unloaded under a stopped reader.
# (The kernel log is scanned for WARN/BUG/lockdep by the harness.)
. /tcptl/tests/lib.sh
. /tcptl/tests/tl.sh

CYCLES=${TORTURE_CYCLES:-200}
ip netns add tl60 && ip netns exec tl60 ip link set lo up || fail "netns"
ip netns exec tl60 sh -c 'echo 1048576 >/proc/sys/net/ipv4/tcp_max_tw_buckets'
rm -f /tmp/stop-churn
(while [ ! -e /tmp/stop-churn ]; do ip netns exec tl60 churn -p 9060 -c 2 -d 2 >/dev/null 2>&1; done) &
churn=$!

cycle_module "$CYCLES" /tmp/t.json
echo "cycles: $CYCLES"

# A reader killed under load, another started: the second gets records and
# loses none.
load_module
tcptimeline events --json -o /tmp/a.json 2>/dev/null &
a=$!
sleep 1
kill -9 $a
wait $a 2>/dev/null
tl_reader_start
sleep 2
tl_reader_stop
n=$(jq -s '[.[] | select(.type == "state")] | length' "$TL_EVENTS")
[ "$n" -gt 0 ] || fail "no records after a reader was killed"
assert_eq "$(jq -s '[.[] | select(.type == "summary")][0] | .lost_module + .lost_socket' "$TL_EVENTS")" 0 \
	"the new reader lost nothing"

# Two readers at once get the same records (cpu, seq), whatever their filters.
# Each has joined once it has written a record (the churn makes them): the
# first has joined before the second starts.
tcptimeline events --json -o /tmp/r1.json 2>/dev/null &
r1=$!
wait_for $((30 * ${TCPTL_SLOW:-1})) has_records /tmp/r1.json || fail "first reader wrote no record"
tcptimeline events --json -p 1-65535 -o /tmp/r2.json 2>/dev/null &
r2=$!
wait_for $((30 * ${TCPTL_SLOW:-1})) has_records /tmp/r2.json || fail "second reader wrote no record"
touch /tmp/stop-churn
wait $churn
sleep 0.5
# The second leaves first: records keep coming (the churn's TIME_WAITs
# expire), and whichever reader leaves last gets some the other does not.
kill -INT $r2
wait $r2
kill -INT $r1
wait $r1
ids() { jq -r 'select(.seq != null) | "\(.cpu):\(.seq)"' "$1"; }
ids /tmp/r1.json >/tmp/r1.ids
ids /tmp/r2.json >/tmp/r2.ids
[ -s /tmp/r1.ids ] || fail "two readers: no records"
# The second joined later and left earlier: the first has every record it
# has, but those the first reported lost on its own socket.
missing=$(awk 'NR == FNR { first[$0] = 1; next } !($0 in first)' /tmp/r1.ids /tmp/r2.ids | wc -l)
r1_lost=$(jq -s '[.[] | select(.type == "summary")][0].lost_socket' /tmp/r1.json)
echo "two readers: $(wc -l </tmp/r1.ids) and $(wc -l </tmp/r2.ids) records; the first lost $r1_lost on its socket"
[ "$missing" -le "$r1_lost" ] ||
	fail "records the second reader got and the first did not: $missing, the first reported $r1_lost lost"

# Unload under a stopped reader: rmmod does not wait for it; on resuming it
# says the module went away.
tcptimeline events -o /tmp/s.out 2>/tmp/s.err &
s=$!
# Stopped only once it has joined the events group, not while starting.
tl_wait_started /tmp/s.out /tmp/s.err "$s"
kill -STOP $s
ip netns exec tl60 tcpscen -p 9061 -n 50 burst >/dev/null
rmmod tcp_timeline || fail "rmmod with a stopped reader"
kill -CONT $s
wait $s
assert_eq "$?" 4 "stopped reader's exit code after unload"
ip netns del tl60
pass
