/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPTL_FILTER_H
#define _TCPTL_FILTER_H

#include <net/netlink.h>
#include "record.h"
#include "tcp_timeline.h"

extern const struct nla_policy tcptl_filter_policy[TCPTL_FILTER_A_MAX + 1];

/* ports: the filter_ports module parameter ("80,443,8000-8100"), or NULL */
int tcptl_filter_init(const char *ports);
void tcptl_filter_exit(void);

/* Hot path; lock-free (RCU). */
bool tcptl_filter_match(const struct tcptl_record *rec);

/* Replace the filter with the one in a TCPTL_A_FILTER nest (NULL clears). */
int tcptl_filter_set(const struct nlattr *nest, struct netlink_ext_ack *extack);
/* Put the current filter as a TCPTL_A_FILTER nest. */
int tcptl_filter_put(struct sk_buff *skb);

#endif /* _TCPTL_FILTER_H */
