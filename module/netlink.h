/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink family and its requests: the control plane. It calls
 * into the data path (buffers, hooks, filter, events), never the reverse.
 */
#ifndef _TCPTL_NETLINK_H
#define _TCPTL_NETLINK_H

int tcptl_netlink_init(void);
void tcptl_netlink_exit(void);

#endif /* _TCPTL_NETLINK_H */
