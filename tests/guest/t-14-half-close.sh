#!/bin/sh
# shutdown(SHUT_WR) by the client, the server still answers, then closes.
. /tcptl/tests/lib.sh
. /tcptl/tests/tl.sh

load_module
tl_reader_start
tl_scenario -p 9014 half-close
tl_reader_stop

assert_eq "$(tl_states "$client_cookie")" \
	"CLOSE>SYN_SENT SYN_SENT>ESTABLISHED ESTABLISHED>FIN_WAIT1 FIN_WAIT1>FIN_WAIT2 FIN_WAIT2>TIME_WAIT" "client"
assert_eq "$(tl_states "$server_cookie")" \
	"LISTEN>SYN_RECV SYN_RECV>ESTABLISHED ESTABLISHED>CLOSE_WAIT CLOSE_WAIT>LAST_ACK LAST_ACK>CLOSE" "server"
# "answer" (6 bytes) and the server's FIN, as tcp_info counts them when the
# timewait socket takes over.
assert_eq "$(tl_field "$client_cookie" TIME_WAIT bytes_received)" 7 "client got the answer"
pass
