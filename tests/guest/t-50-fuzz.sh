#!/bin/sh
# timeout: 900
# 100,000 random, truncated, oversized and unknown requests as root and
# 20,000 as an unprivileged user: every one answered, the unprivileged ones
# all refused, and the module still works afterwards. (The kernel log is
# scanned for WARN/BUG by the harness.) The debug kernel's pass in a full
# run sends a fifth of them (tcptl.fuzz=20000: 213 s there for all).
. /tcptl/tests/lib.sh
. /tcptl/tests/tl.sh

n=${TCPTL_FUZZ:-100000}
load_module
out=$(nlfuzz -n "$n" -s 1) || fail "root fuzz: $out"
echo "root: $out"
ok=$(echo "$out" | sed -n 's/.* ok=\([0-9]*\).*/\1/p')
errors=$(echo "$out" | sed -n 's/.* errors=\([0-9]*\).*/\1/p')
[ "$errors" -gt $((n / 2)) ] || fail "most random requests should be refused: $out"
[ "$ok" -gt 0 ] || fail "some random requests are valid (stats, filters): $out"
tcptimeline filter clear || fail "filter clear after fuzzing"

out=$(run_as_user 1000 nlfuzz -n $((n / 5)) -s 2) || fail "unprivileged fuzz: $out"
echo "unprivileged: $out"
assert_match "$out" " ok=0 " "nothing accepted from an unprivileged user"
# Refused for permission, as unknown commands, or (a genetlink header cut
# short, checked before anything else) as malformed: nothing else.
assert_eq "$(echo "$out" | tr ' ' '\n' | grep '^errno' | grep -vE '^errno(1|22|95)=' || true)" "" \
	"unprivileged errnos: EPERM, EOPNOTSUPP and EINVAL only"
assert_match "$out" " errno1=[0-9]+" "permission refused"
assert_eq "$(tcptimeline filter show)" "no filter" "filter untouched by the unprivileged user"

# Still working: a connection's records, exactly.
tl_reader_start
tl_scenario -p 9050 client-close
tl_reader_stop
assert_eq "$(tl_states "$server_cookie")" \
	"LISTEN>SYN_RECV SYN_RECV>ESTABLISHED ESTABLISHED>CLOSE_WAIT CLOSE_WAIT>LAST_ACK LAST_ACK>CLOSE" \
	"records after fuzzing"
pass
