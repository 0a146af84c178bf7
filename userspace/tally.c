// SPDX-License-Identifier: GPL-2.0
#include "tally.h"

void tcptl_tally_record(struct tcptl_tally *t, const struct tcptl_event *ev)
{
	if (ev->type <= TCPTL_EVENT_MAX)
		t->by_type[ev->type]++;
	if (ev->type == TCPTL_EVENT_LOST) {
		t->lost_announced += ev->lost_count;
		return;
	}
	if (ev->type == TCPTL_EVENT_ACCEPT && ev->has_prev_ns)
		tcptl_hist_add(&t->accept_wait, ev->prev_state_ns);
	/* The full socket's hand-over to its timewait socket is not a
	 * transition of the connection (the connection table tells). */
	if (ev->type != TCPTL_EVENT_STATE || ev->superseded ||
	    ev->oldstate > TCPTL_STATE_MAX || ev->newstate > TCPTL_STATE_MAX)
		return;
	t->transitions[ev->oldstate][ev->newstate]++;
	t->entered[ev->newstate]++;
	if (ev->has_prev_ns) {
		tcptl_hist_add(&t->in_state[ev->oldstate], ev->prev_state_ns);
		if (ev->oldstate == TCPTL_STATE_SYN_SENT &&
		    ev->newstate == TCPTL_STATE_ESTABLISHED)
			tcptl_hist_add(&t->connect, ev->prev_state_ns);
	}
	if ((ev->flags & TCPTL_EVF_TIMEWAIT) && ev->newstate == TCPTL_STATE_CLOSE &&
	    ev->tw_reason <= TCPTL_TW_REASON_MAX)
		t->tw_end[ev->tw_reason]++;
}
