#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The shipped Prometheus alerting rules: promtool check rules, then their
# unit tests (series in, alerts out). Ends with "prometheus: N passed, N failed".
set -uo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
PROMTOOL=${PROMTOOL:-${TCPTL_CACHE:-/var/cache/tcp-timeline}/tools/promtool}
passed=0 failed=0

check() {
	local what=$1 log
	shift
	if log=$("$@" 2>&1); then
		echo "   $what: ok"
		passed=$((passed + 1))
	else
		echo "   $what: FAILED"
		echo "$log" | sed 's/^/   | /'
		failed=$((failed + 1))
	fi
}

if [ ! -x "$PROMTOOL" ]; then
	echo "   promtool not found at $PROMTOOL (scripts/setup.sh fetches it)"
	echo "prometheus: 0 passed, 1 failed"
	exit 1
fi
check "promtool check rules packaging/tcptimeline.rules.yml" \
	"$PROMTOOL" check rules "$TOP/packaging/tcptimeline.rules.yml"
check "promtool test rules tests/prometheus/tcptimeline.rules.test.yml" \
	bash -c "cd '$TOP/tests/prometheus' && '$PROMTOOL' test rules tcptimeline.rules.test.yml"
echo "prometheus: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
