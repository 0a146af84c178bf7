#!/bin/sh
# Runs every t-*.sh (the suite) and x-*.sh (torture, make torture) test
# matching the glob (default: the suite; several: t-*,x-*), one result line each:
#   TCPTL-RESULT PASS|FAIL|SKIP name[: reason]
# A test exits 0 (pass), 77 (skip) or anything else (fail). "# timeout: N"
# in a test raises its time limit from the default 120 s; TCPTL_SLOW (the
# debug kernel's tcptl.slow=N) multiplies every limit.
glob=${1:-t-*}
cd /tcptl/tests || exit 1
for t in t-*.sh x-*.sh; do
	name=${t%.sh}
	# GLOB may be several, comma-separated: t-*,x-*
	match=
	set -f	# the globs are patterns for case, not for file names
	for g in $(echo "$glob" | tr ',' ' '); do
		case "$name" in $g) match=1 ;; esac
	done
	set +f
	[ -n "$match" ] || continue
	limit=$(sed -n 's/^# timeout: *\([0-9]*\).*/\1/p' "$t")
	limit=$(( ${limit:-120} * ${TCPTL_SLOW:-1} ))
	start=$(date +%s)
	rm -f /tmp/events.json	# fail() shows this test's records, not the last one's
	timeout "$limit" sh "$t" >/tmp/test.out 2>&1
	rc=$?
	sed "s/^/[$name] /" /tmp/test.out
	reason=$(grep '^FAIL: ' /tmp/test.out | tail -n 1 | sed 's/^FAIL: //')
	[ $rc -eq 124 ] || [ $rc -eq 143 ] && reason="timed out after ${limit}s"
	if lsmod | grep -q '^tcp_timeline'; then
		pkill tcptimeline 2>/dev/null
		sleep 0.2
		if ! rmmod tcp_timeline; then
			rc=1
			reason="${reason:+$reason; }rmmod tcp_timeline failed"
		fi
	fi
	secs=$(($(date +%s) - start))
	case $rc in
	0) echo "TCPTL-RESULT PASS $name (${secs}s)" ;;
	77) echo "TCPTL-RESULT SKIP $name: $(grep '^SKIP: ' /tmp/test.out | tail -n 1 | sed 's/^SKIP: //')" ;;
	*) echo "TCPTL-RESULT FAIL $name: ${reason:-exit code $rc}" ;;
	esac
done
