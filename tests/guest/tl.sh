# Helpers for scenario tests: run the reader around a scenario and query
# what it recorded. Sourced after lib.sh.

TL_EVENTS=/tmp/events.json
TL_SCEN=/tmp/scen.out

# tl_wait_started FILE ERRFILE PID: the reader PID, started in the
# background, has opened FILE and joined the events group, so it misses
# nothing that happens after this returns (however slow the kernel).
tl_wait_started() {
	local limit=$((300 * ${TCPTL_SLOW:-1})) i=0
	while [ $i -lt $limit ]; do
		[ -e "$1" ] && tl_joined "$3" && return 0
		kill -0 "$3" 2>/dev/null || fail "reader exited while starting: $(cat "$2")"
		sleep 0.1
		i=$((i + 1))
	done
	fail "reader did not join the events group in $((limit / 10)) s: $(cat "$2")"
}

# tl_joined PID: one of the reader's generic netlink sockets (protocol 16)
# is in a multicast group, i.e. it has joined the events group. The file
# shows a socket's first 32 groups only.
tl_joined() {
	ls -l "/proc/$1/fd" 2>/dev/null | sed -n 's/.*socket:\[\([0-9]*\)\].*/\1/p' >/tmp/joined.inodes
	awk 'NR == FNR { mine[$1] = 1; next } $2 == 16 && $4 != "00000000" && ($10 in mine) { f = 1 } END { exit !f }' \
		/tmp/joined.inodes /proc/net/netlink
}

# Start "tcptimeline events --json" in the background and wait until it has
# joined the events group.
tl_reader_start() {
	rm -f "$TL_EVENTS"
	tcptimeline events --json -o "$TL_EVENTS" "$@" 2>/tmp/reader.err &
	TL_READER=$!
	tl_wait_started "$TL_EVENTS" /tmp/reader.err "$TL_READER"
}

# Stop the reader after the module's flush interval has passed.
# Every record the module sent must have decoded: the summary's "invalid"
# counts records the reader dropped as malformed.
tl_reader_stop() {
	local invalid
	sleep 0.3
	kill -INT "$TL_READER" 2>/dev/null
	wait "$TL_READER" || true
	invalid=$(jq -s '[.[] | select(.type == "summary")][0].invalid' "$TL_EVENTS")
	[ "$invalid" = 0 ] || [ "$invalid" = null ] ||
		fail "the reader dropped $invalid malformed records"
}

# Run a scenario and load its key=value output as shell variables.
tl_scenario() {
	tcpscen "$@" >"$TL_SCEN" || fail "tcpscen $* failed"
	. "$TL_SCEN"
}

# "OLD>NEW ..." of the state records of one cookie, in time order.
tl_states() {
	jq -rs --argjson c "$1" '[.[] | select(.type == "state" and .cookie == $c)]
		| sort_by(.time_ns) | map("\(.old_state)>\(.new_state)") | join(" ")' "$TL_EVENTS"
}

# Records of one cookie and type, as JSON lines.
tl_records() {
	jq -c --argjson c "$1" --arg t "$2" 'select(.cookie == $c and .type == $t)' "$TL_EVENTS"
}

# One field of the first state record of a cookie entering NEW.
tl_field() {
	jq -rs --argjson c "$1" --arg s "$2" --arg f "$3" \
		'[.[] | select(.type == "state" and .cookie == $c and .new_state == $s)][0][$f]' "$TL_EVENTS"
}
