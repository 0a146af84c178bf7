/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's counters of connections dropped on the way in (TcpExt in
 * /proc/net/netstat, what nstat reads): per network namespace, not per
 * listener, because the kernel keeps them so.
 */
#ifndef TCPTL_NETSTAT_H
#define TCPTL_NETSTAT_H

#include <stddef.h>
#include <stdint.h>

enum tcptl_tcpext {
	TCPTL_TCPEXT_OVERFLOWS,		/* ListenOverflows: accept queue full */
	TCPTL_TCPEXT_DROPS,		/* ListenDrops: every drop at a listener */
	TCPTL_TCPEXT_SYNCOOKIES,	/* SyncookiesSent: SYN queue full */
	TCPTL_TCPEXT_REQQ_FULL,		/* TCPReqQFullDrop: SYN queue full, no cookies */
	TCPTL_TCPEXT_COUNTERS,
};

/* The counter's name in /proc/net/netstat. */
extern const char *const tcptl_tcpext_names[TCPTL_TCPEXT_COUNTERS];

/*
 * Parse the text of /proc/net/netstat into v (counters absent stay 0).
 * 0, or -EINVAL when it has no TcpExt lines.
 */
int tcptl_netstat_parse(const char *text, uint64_t v[TCPTL_TCPEXT_COUNTERS]);
/* Read the open /proc/net/netstat from its start; 0 or -errno. */
int tcptl_netstat_read(int fd, uint64_t v[TCPTL_TCPEXT_COUNTERS]);

#endif
