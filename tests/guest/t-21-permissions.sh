#!/bin/sh
# Only CAP_NET_ADMIN may read events, statistics or change the filter.
. /tcptl/tests/lib.sh

load_module
out=$(run_as_user 65534 tcptimeline events --duration 1 2>&1)
rc=$?
assert_eq "$rc" 3 "exit code for permission denied (events)"
assert_match "$out" "CAP_NET_ADMIN" "message (events)"

out=$(run_as_user 65534 tcptimeline filter set --lport 80 2>&1)
assert_eq "$?" 3 "exit code for permission denied (filter)"
assert_match "$out" "CAP_NET_ADMIN" "message (filter)"
assert_eq "$(tcptimeline filter show --json | jq -c .)" "{}" "filter unchanged"
pass
