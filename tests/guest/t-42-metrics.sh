#!/bin/sh
# The metrics endpoint: a scrape after known traffic in a namespace shows
# the right gauges, counters and histograms; the textfile says the same;
# the exposition goes to the host for promtool (TCPTL-FILE).
. /tcptl/tests/lib.sh
. /tcptl/tests/tl.sh

load_module
ip netns add tl42 && ip netns exec tl42 ip link set lo up || skip "no netns"
tcptimeline metrics --listen 127.0.0.1:9977 --textfile /tmp/node.prom --interval 1 \
	--netns tl42 2>/tmp/metrics.err &
reader=$!
URL=http://127.0.0.1:9977/metrics
wait_for 10 wget -q -O /tmp/m0.prom "$URL" || fail "no endpoint: $(cat /tmp/metrics.err)"
sleep 0.3
for p in 9421 9422 9423; do
	ip netns exec tl42 tcpscen -p $p client-close >/dev/null || fail "client-close $p"
done
ip netns exec tl42 tcpscen -p 9425 linger0 >/dev/null || fail "linger0"
sleep 1.5	# the reorder window, and one textfile interval
wget -q -O /tmp/m.prom "$URL" || fail "scrape failed"

val() { awk -v k="$1" '$1 == k { print $2 }' /tmp/m.prom; }
assert_eq "$(val 'tcptimeline_transitions_total{from="SYN_SENT",to="ESTABLISHED"}')" 4 "active opens"
assert_eq "$(val 'tcptimeline_transitions_total{from="LISTEN",to="SYN_RECV"}')" 4 "passive opens"
assert_eq "$(val 'tcptimeline_transitions_total{from="ESTABLISHED",to="FIN_WAIT1"}')" 3 "active closes"
assert_eq "$(val 'tcptimeline_transitions_total{from="FIN_WAIT2",to="TIME_WAIT"}')" 3 "into TIME_WAIT"
assert_eq "$(val 'tcptimeline_transitions_total{from="FIN_WAIT2",to="CLOSE"}')" "" "hand-over to timewait not counted"
assert_eq "$(val 'tcptimeline_sockets{state="TIME_WAIT"}')" 3 "TIME_WAIT gauge"
assert_eq "$(val 'tcptimeline_sockets{state="LISTEN"}')" 0 "listeners gone"
assert_eq "$(val 'tcptimeline_connect_latency_seconds_count')" 4 "connect latency count"
assert_eq "$(val 'tcptimeline_connect_latency_seconds_bucket{le="+Inf"}')" 4 "histogram +Inf bucket"
assert_eq "$(val 'tcptimeline_state_duration_seconds_count{state="SYN_SENT"}')" 4 "time in SYN_SENT count"
assert_eq "$(val 'tcptimeline_accept_wait_seconds_count')" 4 "accept waits (one per passive open)"
assert_eq "$(val 'tcptimeline_accept_wait_seconds_bucket{le="+Inf"}')" 4 "accept wait +Inf bucket"
assert_eq "$(val 'tcptimeline_resets_total{direction="sent"}')" 1 "RST sent"
assert_eq "$(val 'tcptimeline_resets_total{direction="received"}')" 1 "RST received"
assert_eq "$(val 'tcptimeline_time_wait_ended_total{reason="expired"}')" 0 "no TIME_WAIT ended yet"
assert_eq "$(val 'tcptimeline_records_lost_total{where="module"}')" 0 "no loss"
assert_eq "$(val 'tcptimeline_time_wait_max')" \
	"$(ip netns exec tl42 cat /proc/sys/net/ipv4/tcp_max_tw_buckets)" "the namespace's limit"
produced=$(val tcptimeline_module_produced_total)
[ "${produced:-0}" -gt 0 ] || fail "module statistics missing"
# Buckets are cumulative.
awk -F'[{} ]' '/^tcptimeline_connect_latency_seconds_bucket/ { if ($NF < prev) bad = 1; prev = $NF }
	END { exit bad }' /tmp/m.prom || fail "buckets not cumulative"
# The textfile, rewritten every second, agrees.
assert_eq "$(awk '$1 == "tcptimeline_transitions_total{from=\"SYN_SENT\",to=\"ESTABLISHED\"}" { print $2 }' /tmp/node.prom)" 4 "textfile"
# Anything but /metrics is a 404.
wget -q -O /dev/null http://127.0.0.1:9977/other && fail "/other answered"

echo "TCPTL-FILE-BEGIN metrics.prom"
cat /tmp/m.prom
echo "TCPTL-FILE-END"
kill -INT "$reader"
wait "$reader" || fail "metrics exited with $?: $(cat /tmp/metrics.err)"
ip netns del tl42
# A bad address is a usage error, before anything else.
tcptimeline metrics --listen 127.0.0.1:99999 2>/tmp/bad.err
assert_eq "$?" 1 "bad --listen exit code"
assert_file_has /tmp/bad.err "bad --listen '127.0.0.1:99999'" "bad --listen message"
pass
