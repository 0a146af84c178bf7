/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPTL_NETLINK_H
#define _TCPTL_NETLINK_H

#include <linux/skbuff.h>
#include "record.h"

int tcptl_netlink_init(void);
void tcptl_netlink_exit(void);

/* Hot path: is any reader subscribed to the events group? */
bool tcptl_netlink_listening(void);

/* Many records per multicast message; used by the flush worker only. */
struct tcptl_batch {
	struct sk_buff *skb;
	void *hdr;
	unsigned int records;	/* in this message */
	unsigned int expected;	/* still to come in this flush; 0: unknown */
};

void tcptl_batch_init(struct tcptl_batch *batch, unsigned int expected);
void tcptl_batch_add(struct tcptl_batch *batch,
		     const struct tcptl_record *rec, unsigned int cpu);
void tcptl_batch_add_lost(struct tcptl_batch *batch, unsigned int cpu,
			  u64 count);
void tcptl_batch_send(struct tcptl_batch *batch);

#endif /* _TCPTL_NETLINK_H */
