#!/bin/sh
# The same over IPv6 loopback: family and addresses.
. /tcptl/tests/lib.sh
. /tcptl/tests/tl.sh

load_module
tl_reader_start
tl_scenario -6 -p 9016 client-close
tl_reader_stop

assert_eq "$(tl_states "$client_cookie")" \
	"CLOSE>SYN_SENT SYN_SENT>ESTABLISHED ESTABLISHED>FIN_WAIT1 FIN_WAIT1>FIN_WAIT2 FIN_WAIT2>TIME_WAIT" "client"
assert_eq "$(tl_states "$server_cookie")" \
	"LISTEN>SYN_RECV SYN_RECV>ESTABLISHED ESTABLISHED>CLOSE_WAIT CLOSE_WAIT>LAST_ACK LAST_ACK>CLOSE" "server"
assert_eq "$(tl_field "$client_cookie" ESTABLISHED family)" inet6 "family"
assert_eq "$(tl_field "$client_cookie" ESTABLISHED daddr)" ::1 "remote address"
assert_eq "$(tl_field "$server_cookie" SYN_RECV daddr)" ::1 "child remote address"
assert_eq "$(tl_field "$server_cookie" SYN_RECV dport)" "$client_port" "child remote port"
pass
