#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The Prometheus alerting rules: promtool check rules on
# packaging/tcptimeline.rules.yml, then promtool test rules on
# tcptimeline.rules.test.yml, one item per test group (one group per alert,
# named after it; an alert without its group fails). One line per item,
# "   ITEM: ok" or "   ITEM: FAILED", then "prometheus: N passed, N failed"
# (for scripts/check.sh); exits 1 on any failure.
#
#   PROMTOOL=PATH   promtool (default: the one scripts/setup.sh fetches,
#                   ${TCPTL_CACHE:-/var/cache/tcp-timeline}/tools/promtool)
set -uo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
PROMTOOL=${PROMTOOL:-${TCPTL_CACHE:-/var/cache/tcp-timeline}/tools/promtool}
RULES=packaging/tcptimeline.rules.yml
TESTS=tests/prometheus/tcptimeline.rules.test.yml
passed=0 failed=0

ok() { echo "   $*: ok"; passed=$((passed + 1)); }
bad() { echo "   $*: FAILED"; failed=$((failed + 1)); }
indent() { sed 's/^/   | /'; }
finish() {
	echo "prometheus: $passed passed, $failed failed"
	[ "$failed" -eq 0 ] && exit 0
	exit 1
}

cd "$TOP" || exit 1
if [ ! -x "$PROMTOOL" ]; then
	bad "promtool (none at $PROMTOOL; scripts/setup.sh fetches it)"
	finish
fi

if out=$("$PROMTOOL" check rules "$RULES" 2>&1); then
	ok "promtool check rules $RULES ($(echo "$out" | sed -n 's/^ *SUCCESS: //p'))"
else
	bad "promtool check rules $RULES"
	echo "$out" | indent
fi

# The test groups ("  - name: X" at the top of each entry of tests:) and
# the alerts they are named after.
mapfile -t groups < <(sed -n 's/^  - name: *//p' "$TESTS")
mapfile -t alerts < <(sed -n 's/^ *- alert: *//p' "$RULES")
for a in "${alerts[@]}"; do
	printf '%s\n' "${groups[@]}" | grep -qxF "$a" || bad "$a has a test group named after it in $TESTS"
done
[ "${#groups[@]}" -gt 0 ] || bad "named test groups in $TESTS"

# promtool reports a failing group's errors under "    name: X,"; a run
# that failed without naming any group (a file that does not load) fails
# every group, none having been shown to pass.
out=$("$PROMTOOL" test rules "$TESTS" 2>&1)
rc=$?
mapfile -t failing < <(echo "$out" | sed -n 's/^ *name: \(.*\),$/\1/p' | sort -u)
before=$failed
for g in "${groups[@]}"; do
	if [ "$rc" -ne 0 ] && { [ "${#failing[@]}" -eq 0 ] ||
		printf '%s\n' "${failing[@]}" | grep -qxF "$g"; }; then
		bad "promtool test rules, group $g"
	else
		ok "promtool test rules, group $g"
	fi
done
if [ "$rc" -ne 0 ]; then
	# Failed, but in no group counted above: the run itself fails.
	[ "$failed" -gt "$before" ] || bad "promtool test rules $TESTS"
	echo "$out" | indent
fi
finish
