#!/bin/sh
# top and metrics show connects stuck in SYN_SENT towards a remote that
# never answers (a veth whose far side, in a namespace, drops everything it
# sends): by remote and by process, their age and SYN retransmissions,
# alerts; then how they failed (timeout), and a refused connect; the
# CLOSE records say why (error).
. /tcptl/tests/lib.sh
. /tcptl/tests/tl.sh

SLOW=${TCPTL_SLOW:-1}
REMOTE=10.99.0.2:9044
# Two SYN retransmissions (after 1 and 2 more seconds), ETIMEDOUT 4 s after
# the last: 7 s. Kernels from 6.5 retransmit the first SYNs every second:
# the classic schedule, on every kernel.
cleanup() {
	sysctl_restore
	ip netns del tl44 2>/dev/null
}
trap cleanup EXIT
trap 'exit 143' INT TERM

ip netns add tl44 || skip "no ip netns"
ip link add tl44a type veth peer name tl44b || skip "no veth"
mac=$(cat /sys/class/net/tl44b/address)
ip link set tl44b netns tl44 || fail "veth into the namespace"
ip addr add 10.99.0.1/24 dev tl44a && ip link set tl44a up || fail "near side"
ip netns exec tl44 ip addr add 10.99.0.2/24 dev tl44b &&
	ip netns exec tl44 ip link set tl44b up || fail "far side"
ip netns exec tl44 tc qdisc add dev tl44b root netem loss 100% || skip "no netem"
# No ARP (its replies would be dropped too: an unreachable neighbour ends a
# connect with EHOSTUNREACH, not a timeout).
ip neigh replace 10.99.0.2 lladdr "$mac" dev tl44a nud permanent || fail "static neighbour"
sysctl_set net.ipv4.tcp_syn_retries 2
sysctl_set net.ipv4.tcp_syn_linear_timeouts 0 if-present

load_module
tl_reader_start -p 9044
TOP=/tmp/top44.json
tcptimeline top --json --interval 1 --duration 600 -p 9044 --warn-syn-sent 2 \
	--warn-syn-sent-age 3 --warn-connect-failures 1 -o "$TOP" 2>/tmp/top.err &
top=$!
# Its records give the ages and the failures: it must have joined first.
tl_wait_started "$TOP" /tmp/top.err "$top"
tcptimeline metrics --listen 127.0.0.1:9978 -p 9044 2>/tmp/metrics.err &
metrics=$!
URL=http://127.0.0.1:9978/metrics
wait_for $((10 * SLOW)) wget -q -O /tmp/m44.prom "$URL" || fail "no endpoint: $(cat /tmp/metrics.err)"
wait_for $((30 * SLOW)) tl_joined "$metrics" || fail "metrics did not join the events group"

# Three connects into the void.
tcpscen -a 10.99.0.2 -p 9044 -n 3 -s $((20 * SLOW)) connect >/tmp/connect44.out 2>/tmp/connect44.err &
scen=$!
waiting() { [ "$(ss -Htn state syn-sent '( dport = :9044 )' | wc -l)" -eq 3 ]; }
wait_for $((10 * SLOW)) waiting || fail "the connects are not in SYN_SENT: $(cat /tmp/connect44.err)"
tcptimeline top --once -p 9044 >/tmp/once44.txt 2>&1 || fail "top --once: $(cat /tmp/once44.txt)"

# A scrape while they wait.
val() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
scraped() {
	wget -q -O /tmp/m44-syn.prom "$URL" &&
		[ "$(val /tmp/m44-syn.prom "tcptimeline_syn_sent_sockets{remote=\"$REMOTE\"}")" = 3 ]
}
wait_for $((5 * SLOW)) scraped || fail "metrics: no tcptimeline_syn_sent_sockets{remote=\"$REMOTE\"} 3"
assert_match "$(val /tmp/m44-syn.prom "tcptimeline_syn_sent_oldest_seconds{remote=\"$REMOTE\"}")" \
	'^[0-9]+(\.[0-9]+)?$' "metrics: the oldest connect's age"
assert_match "$(val /tmp/m44-syn.prom "tcptimeline_syn_sent_retransmits{remote=\"$REMOTE\"}")" \
	'^[0-6]$' "metrics: SYN retransmissions"
for m in listen_overflows_total listen_drops_total syncookies_sent_total request_queue_full_drops_total; do
	assert_match "$(val /tmp/m44-syn.prom "tcptimeline_$m")" '^[0-9]+$' "metrics: tcptimeline_$m"
done

wait $scen || fail "connect scenario: $(cat /tmp/connect44.err)"
. /tmp/connect44.out
assert_eq "$connected $failed_etimedout $failed" "0 3 3" "connects: all three timed out"
timed_out=$client_cookies client=$pid

# A closed port on loopback: refused at once.
tcpscen -p 9044 -n 1 -s $((5 * SLOW)) connect >/tmp/refused44.out || fail "refused connect"
. /tmp/refused44.out
assert_eq "$failed_econnrefused" 1 "the loopback connect was refused"
refused=$client_cookies

counted() {
	wget -q -O /tmp/m44-fail.prom "$URL" &&
		[ "$(val /tmp/m44-fail.prom 'tcptimeline_connect_failures_total{remote="127.0.0.1:9044",reason="refused"}')" = 1 ]
}
wait_for $((5 * SLOW)) counted || fail "metrics: the refused connect was not counted"
assert_eq "$(val /tmp/m44-fail.prom "tcptimeline_connect_failures_total{remote=\"$REMOTE\",reason=\"timeout\"}")" 3 \
	"metrics: connects that timed out"
assert_eq "$(grep -c "^tcptimeline_connect_failures_total{remote=\"$REMOTE\"" /tmp/m44-fail.prom)" 1 \
	"metrics: no other failure towards $REMOTE"
assert_eq "$(val /tmp/m44-fail.prom "tcptimeline_syn_sent_sockets{remote=\"$REMOTE\"}")" "" \
	"metrics: none waiting any more"
# A few snapshots after the last failure (its alert may fire and resolve),
# then stop.
sleep $((3 * SLOW))
kill -INT "$top"
wait "$top" || fail "top exited with $?: $(cat /tmp/top.err)"
kill -INT "$metrics"
wait "$metrics" || fail "metrics exited with $?: $(cat /tmp/metrics.err)"
tl_reader_stop

echo "TCPTL-FILE-BEGIN metrics44-syn-sent.prom"
cat /tmp/m44-syn.prom
echo "TCPTL-FILE-END"
echo "TCPTL-FILE-BEGIN top44.txt"
cat /tmp/once44.txt
echo "TCPTL-FILE-END"
assert_file_has /tmp/once44.txt "^  10\.99\.0\.2:9044 +3 +>?[0-9.]+s +[0-9]+ +$client +tcpscen +- *$" \
	"text: the remote's row while they wait"
assert_file_has /tmp/once44.txt "^SYN_SENT 3: " "text: the SYN_SENT heading"
echo "TCPTL-FILE-BEGIN metrics44-failures.prom"
cat /tmp/m44-fail.prom
echo "TCPTL-FILE-END"

snaps() { jq -c 'select(.type == "top")' "$TOP"; }
# The remote's row in every snapshot that has it.
row() { snaps | jq -c --arg r "$1" '.syn_sent.by_remote[] | select(.remote == $r)'; }
waiting3=$(row "$REMOTE" | jq -c 'select(.count == 3)')
[ "$(echo "$waiting3" | grep -c .)" -ge 3 ] || fail "three waiting in $(echo "$waiting3" | grep -c .) snapshots only"
assert_eq "$(echo "$waiting3" | jq -c '{remote, count, pid, comm, oldest_known}' | sort -u)" \
	"$(jq -nc --arg r "$REMOTE" --argjson p "$client" '{remote: $r, count: 3, pid: $p, comm: "tcpscen", oldest_known: true}')" \
	"the remote's row while they wait"
assert_eq "$(row "$REMOTE" | jq -s 'map(.count) | max')" 3 "never more than three"
# Each retransmitted its SYN (twice at most, as tcp_syn_retries says).
retrans=$(row "$REMOTE" | jq -s 'map(.retrans) | max')
[ "$retrans" -ge 3 ] && [ "$retrans" -le 6 ] || fail "SYN retransmissions: $retrans, want 3 to 6"
# and the count grew while they waited, never back.
assert_eq "$(echo "$waiting3" | jq -s '[.[].retrans] | . == sort and (unique | length) >= 2')" true \
	"SYN retransmissions growing: $(echo "$waiting3" | jq -s -c '[.[].retrans]')"
# Ages: they waited about 7 s, top saw them enter SYN_SENT.
oldest=$(echo "$waiting3" | jq -s 'map(.oldest_s) | max')
assert_eq "$(jq -n --argjson o "$oldest" '$o >= 4 and $o < 9')" true "the oldest waited $oldest s, want about 7"
assert_eq "$(snaps | jq -c --argjson p "$client" '.syn_sent.by_process[] | select(.pid == $p and .count == 3)
	| {pid, comm, count, remotes}' | sort -u)" \
	"$(jq -nc --argjson p "$client" '{pid: $p, comm: "tcpscen", count: 3, remotes: 1}')" "by process"
assert_eq "$(snaps | jq -s 'map(.syn_sent.count) | max')" 3 "SYN_SENT count"

# The failures: in the interval they happened (one row each time), and in
# all since the start.
sum() { row "$1" | jq -s --arg k "$2" 'map(.[$k]) | add'; }
assert_eq "$(sum "$REMOTE" failed_timeout) $(sum "$REMOTE" failed_refused) $(sum "$REMOTE" failed_unreachable) $(sum "$REMOTE" failed_aborted)" \
	"3 0 0 0" "the remote's failures, interval by interval"
assert_eq "$(sum 127.0.0.1:9044 failed_refused) $(sum 127.0.0.1:9044 failed_timeout)" "1 0" \
	"the refused connect, in its interval"
last=$(snaps | tail -n 1)
assert_eq "$(echo "$last" | jq -c '.syn_sent.failed | [.refused, .timeout, .unreachable, .aborted]')" \
	"[1,3,0,0]" "failures since the start"
assert_eq "$(echo "$last" | jq -c '[.syn_sent.count, ([.syn_sent.by_remote[].count] | add // 0)]')" "[0,0]" \
	"none waiting at the end"

# Alerts: more than 2 waiting, one waiting over 3 s, failures over 1/s.
for key in "syn_sent remote=$REMOTE" "syn_sent_age remote=$REMOTE" "connect_failures remote=$REMOTE"; do
	assert_eq "$(jq -r --arg k "$key" 'select(.type == "alert" and .alert == $k) | .status' "$TOP" | tr '\n' ';')" \
		"firing;resolved;" "alert $key"
done
assert_eq "$(jq -sr '[.[] | select(.type == "alert")] | group_by(.alert) | map(last.status) | unique | join(" ")' "$TOP")" \
	resolved "every alert resolved at the end"

# The records: SYN_SENT, then CLOSE with the socket's error.
for c in $timed_out; do
	assert_eq "$(tl_states "$c")" "CLOSE>SYN_SENT SYN_SENT>CLOSE" "timed out connect $c"
	assert_eq "$(tl_field "$c" CLOSE error) $(tl_field "$c" CLOSE daddr):$(tl_field "$c" CLOSE dport)" \
		"ETIMEDOUT $REMOTE" "CLOSE record of $c"
	assert_eq "$(tl_field "$c" SYN_SENT error)" null "no error entering SYN_SENT ($c)"
done
assert_eq "$(tl_states "$refused")" "CLOSE>SYN_SENT SYN_SENT>CLOSE" "refused connect"
assert_eq "$(tl_field "$refused" CLOSE error)" ECONNREFUSED "CLOSE record of the refused connect"
pass
