#!/bin/sh
# The module's filter: each field drops what it should, bad requests are
# refused with a message, and "filter show" says what is set.
. /tcptl/tests/lib.sh
. /tcptl/tests/tl.sh

load_module

# filtered SET: run two scenarios, echo "A_client B_client A_server" counts
scenario_pair() {
	tl_reader_start
	tl_scenario -p 9022 client-close
	a_client=$client_cookie a_server=$server_cookie
	tl_scenario -6 -p 9023 client-close
	b_client=$client_cookie
	tl_reader_stop
	echo "$(tl_records "$a_client" state | wc -l) $(tl_records "$b_client" state | wc -l) $(tl_records "$a_server" state | wc -l)"
}

check_filter() {
	want=$1
	shift
	tcptimeline filter set "$@" || fail "filter set $*"
	assert_eq "$(scenario_pair)" "$want" "records with filter $*"
	tcptimeline filter clear || fail "filter clear"
}

# Counts: client of A (to 9022, IPv4; 5 transitions), client of B (to 9023,
# IPv6; 5), server child of A (5).
check_filter "5 0 0" --rport 9022
# A SYN_SENT carries its local port: local-port tests apply to it as to any
# other record.
check_filter "5 0 5" --port 9022
check_filter "0 0 5" --lport 9022
check_filter "5 5 0" --rport 9000-9030
check_filter "0 5 0" -6
check_filter "5 0 5" --laddr 127.0.0.0/8
check_filter "0 5 0" --raddr ::1/128
check_filter "0 0 2" --state CLOSE_WAIT
assert_eq "$(scenario_pair)" "5 5 5" "records without a filter"

tcptimeline filter set --rport 80-90 --laddr 10.1.2.3/8 --state TIME_WAIT -4
assert_eq "$(tcptimeline filter show --json)" \
	'{"rport":"80-90","laddr":"10.0.0.0/8","states":64,"family":2}' "filter show"
tcptimeline filter clear
assert_eq "$(tcptimeline filter show --json)" '{}' "cleared"
[ "$(tcptimeline stats --json | jq .filtered)" -gt 0 ] || fail "filtered count"

# Malformed requests: -EINVAL and a message naming the problem.
assert_eq "$(nlbad short-cidr)" "errno=22 msg=address must be 4 (IPv4) or 16 (IPv6) bytes" "short CIDR"
assert_eq "$(nlbad range-reversed)" "errno=22 msg=port range ends below its start" "reversed range"
assert_eq "$(nlbad bad-family)" "errno=22 msg=family must be AF_INET or AF_INET6" "bad family"
assert_eq "$(nlbad bad-states)" "errno=22 msg=unknown TCP state in state set" "bad states"
assert_match "$(nlbad unknown-attr)" "^errno=22 msg=.+" "unknown attribute"
assert_eq "$(tcptimeline filter show --json)" '{}' "refused requests changed nothing"
pass
