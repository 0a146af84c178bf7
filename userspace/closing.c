// SPDX-License-Identifier: GPL-2.0
#include "closing.h"

/* The earlier of two record times, 0 standing for "never". */
static uint64_t earliest(uint64_t a, uint64_t b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return a < b ? a : b;
}

/* The reset that ended it: the first one (one side rarely has both). */
static enum tcptl_close_kind reset_kind(const struct tcptl_conn *c)
{
	if (!c->rst_sent_ns && !c->rst_received_ns)
		return TCPTL_CLOSE_NONE;
	if (c->rst_sent_ns && (!c->rst_received_ns || c->rst_sent_ns <= c->rst_received_ns))
		return TCPTL_CLOSE_RST_SENT;
	return TCPTL_CLOSE_RST_RECEIVED;
}

enum tcptl_close_kind tcptl_close_kind(const struct tcptl_conn *c)
{
	enum tcptl_close_kind rst;

	if (!c->finished && !c->reported)
		return TCPTL_CLOSE_NONE;
	/* A listener sends resets for stray segments: still a listener. */
	if (c->listener)
		return TCPTL_CLOSE_LISTENER;
	rst = reset_kind(c);
	if (rst != TCPTL_CLOSE_NONE)
		return rst;
	if (c->tw_overflow)
		return TCPTL_CLOSE_TW_OVERFLOW;
	/* One FIN is enough: an orphaned FIN_WAIT2 whose peer never answered
	 * closed with a FIN and expired. */
	if (c->local_fin_ns || c->peer_fin_ns)
		return TCPTL_CLOSE_FIN;
	return TCPTL_CLOSE_ABORTED;
}

enum tcptl_closer tcptl_first_closer(const struct tcptl_conn *c)
{
	uint64_t local = earliest(c->local_fin_ns, c->rst_sent_ns);
	uint64_t peer = earliest(c->peer_fin_ns, c->rst_received_ns);

	if (c->listener)
		return TCPTL_CLOSER_UNKNOWN;
	if (c->fins_crossed && !c->rst_sent_ns && !c->rst_received_ns)
		return TCPTL_CLOSER_BOTH;
	if (local && (!peer || local < peer))
		return TCPTL_CLOSER_LOCAL;
	if (peer && (!local || peer < local))
		return TCPTL_CLOSER_PEER;
	if (local)	/* the same instant: only "before start" can tie */
		return TCPTL_CLOSER_UNKNOWN;
	/* Closed without FIN or reset: this host gave up (connect() timed out
	 * or was abandoned, retransmissions ran out). A child of a listener
	 * that never got established ended in the kernel's own handshake. */
	if (c->closed && !c->passive && !c->preexisting)
		return TCPTL_CLOSER_LOCAL;
	return TCPTL_CLOSER_UNKNOWN;
}

const char *tcptl_close_kind_name(enum tcptl_close_kind k)
{
	static const char *const names[] = {
		[TCPTL_CLOSE_FIN] = "fin",
		[TCPTL_CLOSE_RST_SENT] = "rst-sent",
		[TCPTL_CLOSE_RST_RECEIVED] = "rst-received",
		[TCPTL_CLOSE_LISTENER] = "listener",
		[TCPTL_CLOSE_ABORTED] = "aborted",
		[TCPTL_CLOSE_TW_OVERFLOW] = "tw-overflow",
	};

	return (unsigned int)k < sizeof(names) / sizeof(names[0]) ? names[k] : NULL;
}

const char *tcptl_closer_name(enum tcptl_closer w)
{
	static const char *const names[] = {
		[TCPTL_CLOSER_LOCAL] = "local",
		[TCPTL_CLOSER_PEER] = "peer",
		[TCPTL_CLOSER_BOTH] = "both",
	};

	return (unsigned int)w < sizeof(names) / sizeof(names[0]) ? names[w] : NULL;
}
