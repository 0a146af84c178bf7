#!/bin/sh
# top groups TIME_WAIT by remote endpoint and local port, with headroom
# against tcp_max_tw_buckets and the port range, and counts overflows; in
# a second network namespace named with --netns.
. /tcptl/tests/lib.sh
. /tcptl/tests/tl.sh

load_module
ip netns add tl41 && ip netns exec tl41 ip link set lo up || skip "no netns"
ip netns exec tl41 sh -c 'echo 45 >/proc/sys/net/ipv4/tcp_max_tw_buckets'
TOP=/tmp/top41.json
tcptimeline top --json --netns tl41 --interval 1 --duration 600 --warn-time-wait 40 \
	-o "$TOP" 2>/tmp/top.err &
top=$!
tl_wait_started "$TOP" /tmp/top.err "$top"
ip netns exec tl41 tcpscen -p 9410 -n 20 burst >/dev/null || fail "burst to 9410"
ip netns exec tl41 tcpscen -p 9411 -n 30 burst >/dev/null || fail "burst to 9411"
# A few snapshots after the bursts (however long they took), then stop.
sleep $((3 * ${TCPTL_SLOW:-1}))
kill -INT "$top"
wait "$top" || fail "top exited with $?: $(cat /tmp/top.err)"
range=$(ip netns exec tl41 cat /proc/sys/net/ipv4/ip_local_port_range | awk '{print $2 - $1 + 1}')
ip netns del tl41

last=$(jq -c 'select(.type == "top")' "$TOP" | tail -n 1)
ns=$(echo "$last" | jq .netns)
[ "$ns" != "$(stat -L -c %i /proc/self/ns/net)" ] || fail "top looked at the wrong namespace"
# 50 client-side TIME_WAITs wanted, 45 allowed: the last 5 overflowed.
assert_eq "$(echo "$last" | jq -r '.time_wait | "\(.count) \(.max) \(.overflows)"')" "45 45 5" \
	"TIME_WAIT count, limit, overflows"
assert_eq "$(echo "$last" | jq -r '.states.TIME_WAIT | "\(.count) \(.entered)"')" "45 45" "entered TIME_WAIT"
assert_eq "$(echo "$last" | jq -r '[.time_wait.by_remote[] | "\(.remote)=\(.count)/\(.ports_in_use)"] | join(" ")')" \
	"127.0.0.1:9411=25/25 127.0.0.1:9410=20/20" "by remote endpoint, busiest first"
assert_eq "$(echo "$last" | jq -r '[.time_wait.by_local_port[].count] | "\(length) \(add)"')" "45 45" \
	"by local port: one each"
assert_eq "$(echo "$last" | jq -r '.time_wait.port_range | .[1] - .[0] + 1')" "$range" "port range"
# Entries per second were seen while the bursts ran.
assert_eq "$(jq -s '[.[] | select(.type == "top") | .time_wait.entered_per_s] | max > 0' "$TOP")" true "entry rate"
assert_eq "$(jq -r 'select(.type == "alert") | "\(.status) \(.alert)"' "$TOP" | head -n 1)" "firing time_wait" "alert"
pass
