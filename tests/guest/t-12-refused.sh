#!/bin/sh
# connect() to a closed port: SYN_SENT then CLOSE, and a received RST.
. /tcptl/tests/lib.sh
. /tcptl/tests/tl.sh

load_module
tl_reader_start
tl_scenario -p 9012 refused
tl_reader_stop

assert_eq "$connect_errno" 111 "ECONNREFUSED"
assert_eq "$(tl_states "$client_cookie")" "CLOSE>SYN_SENT SYN_SENT>CLOSE" "client"
assert_eq "$(tl_records "$client_cookie" reset_received | wc -l)" 1 "one RST received"
port=$(tl_field "$client_cookie" SYN_SENT sport)
[ "$port" -gt 0 ] || fail "refused connect's SYN_SENT has no local port"
assert_eq "$(tl_field "$client_cookie" CLOSE sport)" "$port" "the same port at CLOSE"
pass
