#!/bin/sh
# Client closes first: exact transitions, ports and owner on both ends.
. /tcptl/tests/lib.sh
. /tcptl/tests/tl.sh

load_module
tl_reader_start
tl_scenario -p 9010 client-close
tl_reader_stop

assert_eq "$(tl_states "$listener_cookie")" "CLOSE>LISTEN LISTEN>CLOSE" "listener"
assert_eq "$(tl_states "$client_cookie")" \
	"CLOSE>SYN_SENT SYN_SENT>ESTABLISHED ESTABLISHED>FIN_WAIT1 FIN_WAIT1>FIN_WAIT2 FIN_WAIT2>TIME_WAIT" \
	"client (active close, TIME_WAIT entered)"
assert_eq "$(tl_states "$server_cookie")" \
	"LISTEN>SYN_RECV SYN_RECV>ESTABLISHED ESTABLISHED>CLOSE_WAIT CLOSE_WAIT>LAST_ACK LAST_ACK>CLOSE" \
	"server child (passive close)"

# SYN_SENT never shows port 0: its record, made once connect() chose the
# port, carries it; one record per transition, no separate port record.
assert_eq "$(tl_field "$client_cookie" SYN_SENT sport)" "$client_port" "SYN_SENT record with its port"
assert_eq "$(tl_field "$client_cookie" SYN_SENT flags | jq -c .)" '["task"]' "SYN_SENT not port_pending"
assert_eq "$(tl_field "$client_cookie" ESTABLISHED sport)" "$client_port" "client port"
assert_eq "$(jq -c --argjson c "$client_cookie" 'select(.cookie == $c)' "$TL_EVENTS" | wc -l)" 5 \
	"client: 5 records, one per transition (TIME_WAIT ends 60 s later)"
assert_eq "$(tl_field "$client_cookie" ESTABLISHED dport)" 9010 "client remote port"
# The child carries its own identity from its first record on.
assert_eq "$(tl_field "$server_cookie" SYN_RECV daddr)" 127.0.0.1 "child remote address"
assert_eq "$(tl_field "$server_cookie" SYN_RECV dport)" "$client_port" "child remote port"
assert_eq "$(tl_field "$server_cookie" SYN_RECV sport)" 9010 "child local port"
# Owner: the connect() ran in tcpscen; the softirq ESTABLISHED names nobody.
assert_eq "$(tl_field "$client_cookie" SYN_SENT pid)" "$pid" "pid at connect"
assert_eq "$(tl_field "$client_cookie" SYN_SENT comm)" tcpscen "comm at connect"
assert_eq "$(tl_field "$server_cookie" ESTABLISHED pid)" null "no pid in softirq"
# Counters, as tcp_info counts them: "hello" (5 bytes) plus the FIN, which
# takes one sequence number.
assert_eq "$(tl_field "$server_cookie" CLOSE_WAIT bytes_received)" 6 "bytes received"
pass
