#!/bin/sh
# Simultaneous close: both FINs cross (a 50 ms delay on the namespace's
# loopback makes it certain), both ends go through CLOSING to TIME_WAIT.
. /tcptl/tests/lib.sh
. /tcptl/tests/tl.sh

load_module
ip netns add tl18 || fail "ip netns add"
ip netns exec tl18 ip link set lo up
ip netns exec tl18 tc qdisc add dev lo root netem delay 50ms || skip "no netem"
tl_reader_start
ip netns exec tl18 tcpscen -p 9018 simultaneous >"$TL_SCEN" || fail "scenario"
. "$TL_SCEN"
tl_reader_stop
ip netns del tl18

assert_eq "$(tl_states "$client_cookie")" \
	"CLOSE>SYN_SENT SYN_SENT>ESTABLISHED ESTABLISHED>FIN_WAIT1 FIN_WAIT1>CLOSING CLOSING>TIME_WAIT" "client"
assert_eq "$(tl_states "$server_cookie")" \
	"LISTEN>SYN_RECV SYN_RECV>ESTABLISHED ESTABLISHED>FIN_WAIT1 FIN_WAIT1>CLOSING CLOSING>TIME_WAIT" "server"
pass
