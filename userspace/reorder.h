/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Records of one connection can come from different CPUs, whose buffers
 * are flushed one after the other. Holding every record for a short window
 * and releasing them in timestamp order shows each connection in order.
 *
 * One queue per CPU: a CPU's records come nearly in time order already
 * (a softirq can stamp a record between another's timestamp and its push),
 * so each is inserted from the back of its own queue, and popping merges
 * the queues' heads. No record moves more than the few out of order.
 *
 * A flush pass carries each CPU's records one CPU after the other, so a
 * CPU's records can reach the socket well after newer ones of another
 * CPU: a whole pass later when the module's buffers run long. Caught up
 * with the socket, the clock bounds that (a record older than the window
 * has come); behind, only what has come does: a record waits until every
 * CPU still sending has sent records lead_ns newer than it.
 */
#ifndef TCPTL_REORDER_H
#define TCPTL_REORDER_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

struct tcptl_reorder_queue {
	struct tcptl_event *ev;
	size_t len, cap, head;
	uint64_t newest;	/* the newest record time this CPU sent */
};

struct tcptl_reorder {
	struct tcptl_reorder_queue *q;
	unsigned int nq;
	size_t count;
	uint64_t newest;	/* over all CPUs */
};

/*
 * A CPU whose newest record is this much older than the newest of all has
 * gone quiet (the module flushes every CPU every few milliseconds): it does
 * not hold the others back.
 */
#define TCPTL_REORDER_QUIET_NS	(1000 * 1000000ull)

void tcptl_reorder_init(struct tcptl_reorder *r);
void tcptl_reorder_free(struct tcptl_reorder *r);
/* Insert; returns -1 (and takes nothing) if memory runs out. */
int tcptl_reorder_push(struct tcptl_reorder *r, const struct tcptl_event *ev);
/*
 * Pop the oldest record if it is older than cutoff_ns and, with lead_ns,
 * every CPU still sending has sent one at least lead_ns newer. A cutoff
 * of UINT64_MAX pops everything.
 */
int tcptl_reorder_pop(struct tcptl_reorder *r, uint64_t cutoff_ns, uint64_t lead_ns,
		      struct tcptl_event *out);

#endif
