#!/bin/sh
# Server closes first: the accepted socket goes through TIME_WAIT.
. /tcptl/tests/lib.sh
. /tcptl/tests/tl.sh

load_module
tl_reader_start
tl_scenario -p 9011 server-close
tl_reader_stop

assert_eq "$(tl_states "$client_cookie")" \
	"CLOSE>SYN_SENT SYN_SENT>ESTABLISHED ESTABLISHED>CLOSE_WAIT CLOSE_WAIT>LAST_ACK LAST_ACK>CLOSE" "client"
assert_eq "$(tl_states "$server_cookie")" \
	"LISTEN>SYN_RECV SYN_RECV>ESTABLISHED ESTABLISHED>FIN_WAIT1 FIN_WAIT1>FIN_WAIT2 FIN_WAIT2>TIME_WAIT" "server"
assert_eq "$(tl_field "$server_cookie" TIME_WAIT dport)" "$client_port" "TIME_WAIT identity"
assert_match "$(tl_records "$server_cookie" state | jq -c 'select(.new_state == "TIME_WAIT") | .flags')" timewait "timewait flag"
pass
