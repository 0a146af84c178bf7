/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running totals over the record stream: transitions by (old, new) state,
 * time spent in each state, connect latency, resets, TIME_WAIT ends by
 * reason and overflows. The exit summary and the metrics endpoint both
 * read them.
 */
#ifndef TCPTL_TALLY_H
#define TCPTL_TALLY_H

#include <stdint.h>
#include <stdio.h>

#include "event.h"
#include "hist.h"
#include "tcp_timeline.h"

struct tcptl_tally {
	uint64_t by_type[TCPTL_EVENT_MAX + 1];
	uint64_t transitions[TCPTL_STATE_MAX + 1][TCPTL_STATE_MAX + 1];
	uint64_t entered[TCPTL_STATE_MAX + 1];
	/* Time in a state, measured when the connection leaves it. */
	struct tcptl_hist in_state[TCPTL_STATE_MAX + 1];
	/* SYN_SENT to ESTABLISHED of active opens. */
	struct tcptl_hist connect;
	/* ESTABLISHED to accept() of passive ones: time in the accept queue. */
	struct tcptl_hist accept_wait;
	uint64_t tw_end[TCPTL_TW_REASON_MAX + 1];
	uint64_t lost_announced;	/* by LOST records */
};

/* Count a record; ev->prev_state_ns must be filled (tcptl_conn_apply:
 * for an ACCEPT record, its time in the accept queue). */
void tcptl_tally_record(struct tcptl_tally *t, const struct tcptl_event *ev);

#endif
