#!/bin/sh
# A listener alone: opened and closed, by this process.
. /tcptl/tests/lib.sh
. /tcptl/tests/tl.sh

load_module
tl_reader_start
tl_scenario -p 9015 listen
tl_reader_stop

assert_eq "$(tl_states "$listener_cookie")" "CLOSE>LISTEN LISTEN>CLOSE" "listener"
assert_eq "$(tl_field "$listener_cookie" LISTEN sport)" 9015 "port"
assert_eq "$(tl_field "$listener_cookie" LISTEN pid)" "$pid" "owner"
pass
