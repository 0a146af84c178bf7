/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How a connection ended and which side closed first, read off what the
 * connection table gathered from its records. The rules depend on the
 * facts and their record times, not on the order the records came in
 * (a reset record can follow the CLOSE it caused). tcptl_closing.8's
 * "CLOSE KINDS" section lists them one line each.
 */
#ifndef TCPTL_CLOSING_H
#define TCPTL_CLOSING_H

#include "conn.h"

enum tcptl_close_kind {
	TCPTL_CLOSE_NONE,	/* not finished: no close kind yet */
	TCPTL_CLOSE_FIN,	/* FINs both ways */
	TCPTL_CLOSE_RST_SENT,	/* ended by a reset this host sent */
	TCPTL_CLOSE_RST_RECEIVED, /* ended by a reset from the peer */
	TCPTL_CLOSE_LISTENER,	/* a listening socket closed */
	TCPTL_CLOSE_ABORTED,	/* no FIN and no reset: connect or
				 * retransmission timeout, abandoned connect */
	TCPTL_CLOSE_TW_OVERFLOW, /* FINs, but no TIME_WAIT: tcp_max_tw_buckets */
};

enum tcptl_closer {
	TCPTL_CLOSER_UNKNOWN,
	TCPTL_CLOSER_LOCAL,
	TCPTL_CLOSER_PEER,
	TCPTL_CLOSER_BOTH,	/* simultaneous close: the FINs crossed */
};

enum tcptl_close_kind tcptl_close_kind(const struct tcptl_conn *c);
enum tcptl_closer tcptl_first_closer(const struct tcptl_conn *c);
/* "fin", "rst-sent", ...; NULL for TCPTL_CLOSE_NONE. */
const char *tcptl_close_kind_name(enum tcptl_close_kind k);
/* "local", "peer", "both"; NULL for TCPTL_CLOSER_UNKNOWN. */
const char *tcptl_closer_name(enum tcptl_closer w);

#endif
