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
 */
#ifndef TCPTL_REORDER_H
#define TCPTL_REORDER_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

struct tcptl_reorder_queue {
	struct tcptl_event *ev;
	size_t len, cap, head;
};

struct tcptl_reorder {
	struct tcptl_reorder_queue *q;
	unsigned int nq;
	size_t count;
};

void tcptl_reorder_init(struct tcptl_reorder *r);
void tcptl_reorder_free(struct tcptl_reorder *r);
/* Insert; returns -1 (and takes nothing) if memory runs out. */
int tcptl_reorder_push(struct tcptl_reorder *r, const struct tcptl_event *ev);
/* Pop the oldest record if it is older than cutoff_ns (all if cutoff is UINT64_MAX). */
int tcptl_reorder_pop(struct tcptl_reorder *r, uint64_t cutoff_ns, struct tcptl_event *out);

#endif
