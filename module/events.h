/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events messages: batches of buffered records multicast to the events
 * group. The data path's way out; it knows the family only through the
 * pointer the control plane hands it (netlink.c), and calls nothing of the
 * module's.
 */
#ifndef _TCPTL_EVENTS_H
#define _TCPTL_EVENTS_H

#include <linux/skbuff.h>
#include <net/genetlink.h>

#include "tcp_timeline.h"

struct tcptl_events_stats {
	u64 delivered;
	u64 delivery_failed;
	u64 unclaimed;
	u64 messages;
};

/* From registration to unregistration of the family; group is its index. */
void tcptl_events_bind(const struct genl_family *family, unsigned int group);
void tcptl_events_unbind(void);
bool tcptl_events_listening(void);
void tcptl_events_get_stats(struct tcptl_events_stats *st);

struct tcptl_batch {
	struct sk_buff *skb;
	void *hdr;
	struct nlattr *attr;		/* TCPTL_A_RECORDS */
	struct tcptl_records *head;	/* its header */
	unsigned int records;		/* in this message */
	unsigned int expected;		/* still to come in this flush; 0: unknown */
};

void tcptl_batch_init(struct tcptl_batch *batch, unsigned int expected);
/*
 * Copies n records into the message, sending it and starting the next one
 * when it is full. Records no message could be allocated for are counted
 * (delivery_failed); the readers see their sequence gap.
 */
void tcptl_batch_add(struct tcptl_batch *batch,
		     const struct tcptl_record *recs, unsigned int n);
/* The in-band announcement of COUNT records lost on CPU. */
void tcptl_batch_add_lost(struct tcptl_batch *batch, unsigned int cpu,
			  u64 count);
void tcptl_batch_send(struct tcptl_batch *batch);

#endif /* _TCPTL_EVENTS_H */
