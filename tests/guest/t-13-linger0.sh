#!/bin/sh
# SO_LINGER {1,0}: the client aborts with a RST, the server sees it.
. /tcptl/tests/lib.sh
. /tcptl/tests/tl.sh

load_module
tl_reader_start
tl_scenario -p 9013 linger0
tl_reader_stop

assert_eq "$(tl_states "$client_cookie")" \
	"CLOSE>SYN_SENT SYN_SENT>ESTABLISHED ESTABLISHED>CLOSE" "client"
assert_eq "$(tl_states "$server_cookie")" \
	"LISTEN>SYN_RECV SYN_RECV>ESTABLISHED ESTABLISHED>CLOSE" "server"
assert_eq "$(tl_records "$client_cookie" reset_sent | wc -l)" 1 "client sent RST"
assert_eq "$(tl_records "$server_cookie" reset_received | wc -l)" 1 "server received RST"
pass
