#!/bin/sh
# A reader meeting a module of another contract version (the same module
# built to claim the version before this one) says so in one line and exits
# 6 in every mode, before reading anything; with the module of its own
# version it works.
. /tcptl/tests/lib.sh

insmod /tcptl/tcp_timeline-other-version.ko || fail "insmod of the other version's module: $(dmesg | tail -n 3)"
first=
for mode in "timeline --duration 2" "events --duration 2" "events --json --duration 2" \
	"top --once" "stats" "stats --json" "filter show"; do
	# shellcheck disable=SC2086
	out=$(timeout 20 tcptimeline $mode 2>&1 >/tmp/version.out)
	rc=$?
	assert_eq "$rc" 6 "exit code of 'tcptimeline $mode'"
	assert_match "$out" '^tcptimeline: the tcp_timeline module speaks contract version [0-9]+, this reader version [0-9]+: install a reader and module of one release$' \
		"one line from 'tcptimeline $mode'"
	assert_eq "$(wc -c </tmp/version.out)" 0 "'tcptimeline $mode' wrote nothing else"
	[ -n "$first" ] || first=$out
	assert_eq "$out" "$first" "the same line in every mode"
done
module_v=$(echo "$first" | sed 's/.*module speaks contract version \([0-9]*\),.*/\1/')
reader_v=$(echo "$first" | sed 's/.*this reader version \([0-9]*\):.*/\1/')
assert_eq "$module_v" "$((reader_v - 1))" "the module claims the version before the reader's"
rmmod tcp_timeline || fail "rmmod of the other version's module"

load_module
assert_eq "$(tcptimeline stats --json | jq -r 'has("produced")')" true "the reader works with its own version"
unload_module
pass
