#!/bin/sh
# The guest itself: right kernel, loopback up, inet_diag answering.
. /tcptl/tests/lib.sh
assert_eq "$(uname -r)" "$(cat /tcptl/expected-release)" "kernel release"
ip link show lo | grep -q 'UP' || fail "lo is down"
ss -tln >/dev/null 2>&1 || fail "ss (inet_diag) does not work"
pass
