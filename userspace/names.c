// SPDX-License-Identifier: GPL-2.0
/* Names for the numbers of the wire contract, as users see them. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "event.h"
#include "tcp_timeline.h"

static const char *const state_names[] = {
	[TCPTL_STATE_ESTABLISHED] = "ESTABLISHED",
	[TCPTL_STATE_SYN_SENT] = "SYN_SENT",
	[TCPTL_STATE_SYN_RECV] = "SYN_RECV",
	[TCPTL_STATE_FIN_WAIT1] = "FIN_WAIT1",
	[TCPTL_STATE_FIN_WAIT2] = "FIN_WAIT2",
	[TCPTL_STATE_TIME_WAIT] = "TIME_WAIT",
	[TCPTL_STATE_CLOSE] = "CLOSE",
	[TCPTL_STATE_CLOSE_WAIT] = "CLOSE_WAIT",
	[TCPTL_STATE_LAST_ACK] = "LAST_ACK",
	[TCPTL_STATE_LISTEN] = "LISTEN",
	[TCPTL_STATE_CLOSING] = "CLOSING",
	[TCPTL_STATE_NEW_SYN_RECV] = "NEW_SYN_RECV",
};

static const char *const type_names[] = {
	[TCPTL_EVENT_STATE] = "state",
	[TCPTL_EVENT_RESET_SENT] = "reset_sent",
	[TCPTL_EVENT_RESET_RECEIVED] = "reset_received",
	[TCPTL_EVENT_LOST] = "lost",
	[TCPTL_EVENT_TW_OVERFLOW] = "tw_overflow",
	[TCPTL_EVENT_ACCEPT] = "accept",
};

static const char *const tw_reason_names[] = {
	[TCPTL_TW_REASON_EXPIRED] = "expired",
	[TCPTL_TW_REASON_REUSED] = "reused",
	[TCPTL_TW_REASON_RESET] = "reset",
	[TCPTL_TW_REASON_SYN] = "syn",
	[TCPTL_TW_REASON_ABORTED] = "aborted",
	[TCPTL_TW_REASON_NETNS_EXIT] = "netns_exit",
	[TCPTL_TW_REASON_SEGMENT] = "segment",
};

#define NAME_OR(table, i, dflt) \
	((i) < sizeof(table) / sizeof(table[0]) && table[i] ? table[i] : (dflt))

const char *tcptl_state_name(unsigned int state)
{
	return NAME_OR(state_names, state, "UNKNOWN");
}

int tcptl_state_from_name(const char *name)
{
	for (unsigned int i = 0; i < sizeof(state_names) / sizeof(state_names[0]); i++)
		if (state_names[i] && !strcasecmp(name, state_names[i]))
			return (int)i;
	return -1;
}

const char *tcptl_type_name(unsigned int type)
{
	return NAME_OR(type_names, type, "unknown");
}

const char *tcptl_tw_reason_name(unsigned int reason)
{
	return NAME_OR(tw_reason_names, reason, "unknown");
}

static const char *const hook_names[] = {
	"state transitions", "SYN_SENT local port", "resets sent",
	"resets received", "TIME_WAIT entry", "TIME_WAIT exit",
	"TIME_WAIT overflow", "accept owner",
};

void tcptl_hook_names(uint32_t hooks, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < sizeof(hook_names) / sizeof(hook_names[0]); i++) {
		if (!(hooks & (1u << i)) || used >= len)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
					 hook_names[i]);
	}
	if (!buf[0])
		snprintf(buf, len, "none");
}

const char *tcptl_errno_name(unsigned int err, char *buf, size_t len)
{
	const char *name = strerrorname_np((int)err);

	if (name)
		return name;
	snprintf(buf, len, "%u", err);
	return buf;
}
