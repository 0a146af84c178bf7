#!/bin/sh
# Bad module parameters refuse the load, with a line in dmesg saying why.
. /tcptl/tests/lib.sh

try_bad() {
	if insmod /tcptl/tcp_timeline.ko "$1" 2>/dev/null; then
		rmmod tcp_timeline
		fail "loaded with $1"
	fi
	dmesg | tail -n 5 | grep -qF "$2" || fail "no dmesg line for $1 (want: $2)"
}

try_bad buffer_size=1000 "buffer_size=1000: must be a power of two"
try_bad buffer_size=8 "buffer_size=8: must be a power of two in 16..1048576"
try_bad flush_interval_ms=0 "flush_interval_ms=0: must be in 1..1000"
try_bad flush_interval_ms=5000 "flush_interval_ms=5000: must be in 1..1000"
try_bad filter_ports=80-20 'filter_ports="80-20"'
try_bad filter_ports=http 'filter_ports="http"'
lsmod | grep -q '^tcp_timeline' && fail "module loaded after refusals"

load_module buffer_size=64 flush_interval_ms=20 filter_ports=80,8000-8100
assert_eq "$(tcptimeline stats --json | jq .buffer_size)" 64 "buffer_size taken"
assert_eq "$(tcptimeline stats --json | jq .flush_interval_ms)" 20 "flush interval taken"
pass
