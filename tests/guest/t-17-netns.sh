#!/bin/sh
# A connection inside a second network namespace is tagged with it.
. /tcptl/tests/lib.sh
. /tcptl/tests/tl.sh

load_module
ip netns add tl17 || skip "no ip netns"
ip netns exec tl17 ip link set lo up
ns=$(ip netns exec tl17 stat -L -c %i /proc/self/ns/net)
init_ns=$(stat -L -c %i /proc/self/ns/net)
[ "$ns" != "$init_ns" ] || fail "namespace not created"

tl_reader_start
tcpscen -p 9017 client-close >"$TL_SCEN" && . "$TL_SCEN"
init_client=$client_cookie
ip netns exec tl17 tcpscen -p 9017 client-close >"$TL_SCEN" || fail "scenario in netns"
. "$TL_SCEN"
tl_reader_stop
ip netns del tl17

assert_eq "$(tl_states "$client_cookie")" \
	"CLOSE>SYN_SENT SYN_SENT>ESTABLISHED ESTABLISHED>FIN_WAIT1 FIN_WAIT1>FIN_WAIT2 FIN_WAIT2>TIME_WAIT" "client in netns"
assert_eq "$(tl_field "$client_cookie" ESTABLISHED netns)" "$ns" "netns of the namespaced client"
assert_eq "$(tl_field "$server_cookie" ESTABLISHED netns)" "$ns" "netns of the namespaced server"
assert_eq "$(tl_field "$init_client" ESTABLISHED netns)" "$init_ns" "netns of the initial client"
pass
