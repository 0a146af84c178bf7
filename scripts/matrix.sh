# SPDX-License-Identifier: GPL-2.0
# Sourced by the scripts that work on the kernel matrix's chroots.

# The Debian suite a kernel id comes from.
suite_of() {
	case "$1" in
	5.10) echo bullseye ;;
	6.1 | 6.1-debug) echo bookworm ;;
	6.12) echo trixie ;;
	sid) echo sid ;;
	*) echo "unknown kernel id '$1' (5.10, 6.1, 6.12, sid, 6.1-debug)" >&2; return 1 ;;
	esac
}

# Run a command inside a chroot with a clean environment.
in_chroot() {
	local root=$1
	shift
	chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"
}

log() { printf '%s\n' "$*" >&2; }

# Run a step with its output in a log file; on failure name the step and log.
step() {
	local name=$1 logfile=$2
	shift 2
	mkdir -p "$(dirname "$logfile")"
	# errexit is ignored in functions called from a condition: run the
	# step in a subshell of its own with errexit on, then look at its status.
	set +e
	(set -e; "$@") >"$logfile" 2>&1
	local rc=$?
	set -e
	if [ $rc -ne 0 ]; then
		log "FAILED: $name (log: $logfile)"
		tail -n 20 "$logfile" >&2
		return 1
	fi
}
