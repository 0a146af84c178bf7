# Assertions and helpers for guest tests (busybox sh).

# busybox sh runs its own applet for any name it knows, whatever PATH says;
# these functions reach the full tools copied from the host instead.
ip() { /tcptl/bin/ip "$@"; }
ss() { /tcptl/bin/ss "$@"; }
tc() { /tcptl/bin/tc "$@"; }
setpriv() { /tcptl/bin/setpriv "$@"; }
stat() { /tcptl/bin/stat "$@"; }
nsenter() { /tcptl/bin/nsenter "$@"; }
unshare() { /tcptl/bin/unshare "$@"; }

fail() {
	# What the reader recorded last helps to see why.
	if [ -s /tmp/events.json ]; then
		echo "--- last records of /tmp/events.json:"
		tail -n 30 /tmp/events.json | cut -c1-400
	fi
	echo "FAIL: $*"
	exit 1
}
skip() { echo "SKIP: $*"; exit 77; }
pass() { echo "PASS"; exit 0; }

assert_eq() {
	[ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"
}

assert_match() {
	printf '%s\n' "$1" | grep -qE -- "$2" || fail "$3: '$1' does not match /$2/"
}

assert_file_has() {
	grep -qE -- "$2" "$1" || fail "$3: $1 has no line matching /$2/"
}

assert_count() {
	n=$(grep -cE -- "$2" "$1")
	[ "$n" -eq "$3" ] || fail "$4: $n lines match /$2/ in $1, want $3"
}

load_module() {
	insmod /tcptl/tcp_timeline.ko "$@" || fail "insmod $*: $(dmesg | tail -n 3)"
}

unload_module() {
	rmmod tcp_timeline || fail "rmmod failed"
}

# wait_for SECONDS COMMAND...: poll until COMMAND succeeds.
# Its variables are its own: callers loop on i too.
wait_for() {
	local limit=$1 i=0
	shift
	while [ $i -lt $((limit * 10)) ]; do
		"$@" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# run_as_user UID COMMAND...: without any capability.
run_as_user() {
	u=$1
	shift
	setpriv --reuid "$u" --regid "$u" --clear-groups --inh-caps=-all -- "$@"
}

kernel_at_least() {
	v=$(uname -r)
	maj=${v%%.*}
	rest=${v#*.}
	min=${rest%%[.-]*}
	[ "$maj" -gt "$1" ] || { [ "$maj" -eq "$1" ] && [ "$min" -ge "$2" ]; }
}

# has_records FILE: a reader writing JSON into FILE has written a record.
has_records() { grep -q '"seq"' "$1" 2>/dev/null; }

# cycle_module N OUT: N times, load the module (small buffers), start an
# events reader into OUT, unload under it (at once every other cycle, after
# 0.3 s otherwise; the last cycle once the reader has written a record, so
# OUT ends with records however slow the kernel): each rmmod must work and
# each reader must exit with 4 (module went away) or 2 (it went before the
# reader found it).
cycle_module() {
	local n=$1 out=$2 i=0 reader_limit r rc
	while [ $i -lt "$n" ]; do
		load_module buffer_size=64
		# Bounded: a reader that misses the unload waits for ever.
		reader_limit=$((60 * ${TCPTL_SLOW:-1}))
		rm -f "$out"
		timeout "$reader_limit" tcptimeline events --json -o "$out" 2>/tmp/cycle.err &
		r=$!
		if [ $((i + 1)) -eq "$n" ]; then
			wait_for $((30 * ${TCPTL_SLOW:-1})) has_records "$out" ||
				fail "cycle $i: the reader wrote no record under churn: $(cat /tmp/cycle.err)"
		elif [ $(((n - i) % 2)) -eq 1 ]; then
			sleep 0.3
		fi
		rmmod tcp_timeline || fail "rmmod under churn, cycle $i"
		wait $r
		rc=$?
		case $rc in
		2 | 4) ;;
		124 | 143) fail "cycle $i: the reader did not see the unload in $reader_limit s: $(cat /tmp/cycle.err)" ;;
		*) fail "reader exit code $rc in cycle $i: $(cat /tmp/cycle.err)" ;;
		esac
		i=$((i + 1))
	done
}

# Set a sysctl for the rest of the test (net.ipv4.x or its /proc/sys path
# below net/) and remember the old value: sysctl_restore, from the test's
# EXIT trap, puts every one back for the tests that follow in this guest.
# With "if-present", a sysctl this kernel lacks is left alone.
TL_SYSCTLS=
sysctl_set() {
	local f=/proc/sys/$(echo "$1" | tr . /)
	if [ ! -e "$f" ]; then
		[ "$3" = if-present ] && return 0
		fail "no sysctl $1"
	fi
	TL_SYSCTLS="$TL_SYSCTLS $1=$(cat "$f")"
	echo "$2" >"$f" || fail "sysctl $1=$2"
}
sysctl_restore() {
	local kv
	for kv in $TL_SYSCTLS; do
		echo "${kv#*=}" >"/proc/sys/$(echo "${kv%%=*}" | tr . /)"
	done
	TL_SYSCTLS=
}
