#!/bin/sh
# Timeline mode: one JSON timeline per connection as it ends, unfinished ones
# at exit, a connection opened before the reader merged from inet_diag, the
# summary's histograms, and the same timelines as a Perfetto trace.
. /tcptl/tests/lib.sh
. /tcptl/tests/tl.sh

load_module
# Opened before the reader: its server side sits in CLOSE_WAIT for 3 s (more
# on a slow debug kernel), long enough for the reader to start and list it.
tcpscen -p 9019 -s $((3 * ${TCPTL_SLOW:-1})) close-wait >/tmp/pre.out &
pre_job=$!
wait_for 5 grep -q '^server_cookie=' /tmp/pre.out || fail "pre-existing scenario did not start"
. /tmp/pre.out
pre_server=$server_cookie
pre_client=$client_cookie
pre_pid=$pid

TL=/tmp/timelines.json
tcptimeline --json --unfinished -o "$TL" --perfetto /tmp/trace.json 2>/tmp/tl.err &
reader=$!
tl_wait_started "$TL" /tmp/tl.err "$reader"
tl_scenario -p 9119 server-close
sc_client=$client_cookie sc_server=$server_cookie sc_port=$client_port sc_pid=$pid
tl_scenario -p 9219 linger0
l0_client=$client_cookie l0_server=$server_cookie
wait "$pre_job"
sleep 0.5
kill -INT "$reader"
wait "$reader" || fail "reader exited with $?: $(cat /tmp/tl.err)"

tl() { jq -c --argjson c "$1" 'select(.type == "timeline" and .cookie == $c)' "$TL"; }
states() { tl "$1" | jq -r '[.states[].state] | join(" ")'; }

assert_eq "$(states "$sc_client")" "SYN_SENT ESTABLISHED CLOSE_WAIT LAST_ACK CLOSE" "server-close: client"
# Byte counters as tcp_info has them: the SYN and FIN take a sequence number
# each (acked: SYN + FIN; received: "hello" + FIN).
assert_eq "$(tl "$sc_client" | jq -r '"\(.close) \(.closed_first) \(.comm) \(.pid) \(.bytes_acked) \(.bytes_received)"')" \
	"fin peer tcpscen $sc_pid 2 6" "server-close: client's close, owner and bytes"
assert_eq "$(tl "$sc_client" | jq -r '.local')" "127.0.0.1:$sc_port" "client's real local port"
assert_eq "$(tl "$sc_client" | jq -r '[.states[0].enter_ns, (.states[1:4][] | .duration_ns > 0)] | map(tostring) | join(" ")')" \
	"0 true true true" "relative entry times and durations"
assert_eq "$(tl "$sc_client" | jq -r '.preexisting // false, .unfinished // false' | tr '\n' ' ')" "false false " "a whole life"
# The server child entered TIME_WAIT: its timeline came then, once.
assert_eq "$(states "$sc_server")" "SYN_RECV ESTABLISHED FIN_WAIT1 FIN_WAIT2 TIME_WAIT" "server-close: server child"
assert_eq "$(tl "$sc_server" | jq -r '"\(.in_timewait) \(.unfinished) \(.close) \(.closed_first)"')" \
	"true null fin local" "in TIME_WAIT, closed first"

assert_eq "$(states "$l0_client")" "SYN_SENT ESTABLISHED CLOSE" "linger0: client"
assert_eq "$(tl "$l0_client" | jq -r .close)" "rst-sent" "linger0: client sent the RST"
assert_eq "$(tl "$l0_server" | jq -r .close)" "rst-received" "linger0: server got it"

# Opened before the reader: merged from the socket dump, marked, and its
# first state is the one it was in, with no invented start time.
assert_eq "$(states "$pre_server")" "CLOSE_WAIT LAST_ACK CLOSE" "pre-existing server child"
assert_eq "$(tl "$pre_server" | jq -r '"\(.preexisting) \(.states[0].before_start) \(.states[0].enter_ns) \(.closed_first) \(.pid)"')" \
	"true true null peer $pre_pid" "pre-existing: marked, owner known"
assert_eq "$(tl "$pre_client" | jq -r '.preexisting')" "true" "pre-existing client listed at exit"

# The summary: two active opens while the reader ran.
summary=$(jq -c 'select(.type == "summary")' "$TL")
assert_eq "$(echo "$summary" | jq '.connect_latency.count')" 2 "connect latency samples"
assert_eq "$(echo "$summary" | jq '.time_in_state.SYN_SENT.count')" 2 "time in SYN_SENT samples"
assert_eq "$(echo "$summary" | jq '.lost_module + .lost_socket')" 0 "no loss"

# Perfetto: valid trace JSON, the client's track with its four slices.
jq -e . /tmp/trace.json >/dev/null || fail "trace is not JSON"
tid=$(jq --arg n "127.0.0.1:$sc_port -> 127.0.0.1:9119" \
	'.traceEvents[] | select(.name == "thread_name" and .args.name == $n) | .tid' /tmp/trace.json)
[ -n "$tid" ] || fail "no track for the server-close client"
assert_eq "$(jq -r --argjson t "$tid" '[.traceEvents[] | select(.ph == "X" and .tid == $t) | .name] | join(" ")' /tmp/trace.json)" \
	"SYN_SENT ESTABLISHED CLOSE_WAIT LAST_ACK" "trace slices"
assert_eq "$(jq -r --argjson t "$tid" '[.traceEvents[] | select(.ph == "X" and .tid == $t)][0].pid' /tmp/trace.json)" \
	"$sc_pid" "the track sits under its process"

# Text mode prints the same life, aligned, and histograms on stderr.
tcptimeline --duration $((3 * ${TCPTL_SLOW:-1})) -o /tmp/tl.txt 2>/tmp/tl.txt.err &
reader=$!
tl_wait_started /tmp/tl.txt /tmp/tl.txt.err "$reader"
tl_scenario -p 9319 server-close
wait "$reader"
assert_file_has /tmp/tl.txt "^127\.0\.0\.1:$client_port -> 127\.0\.0\.1:9319  cookie $client_cookie  netns [0-9]+  owner tcpscen/$pid$" "text header"
assert_file_has /tmp/tl.txt "^  closed: fin, first by peer; bytes acked 2, received 6, retransmits 0; lifetime [0-9.]+ ms$" "text close line"
assert_file_has /tmp/tl.txt.err "^connect latency, SYN_SENT to ESTABLISHED \(1 connects, mean [0-9.]+ ms\):$" "histogram title"
assert_file_has /tmp/tl.txt.err "usecs +: count +distribution" "histogram header"
pass
