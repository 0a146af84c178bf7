/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TCP sockets that exist now, from an inet_diag dump (what ss reads):
 * to seed timelines and counts with connections opened before the reader,
 * and to count sockets per state, queues and owners' inodes for top and
 * metrics. Covers the network namespace the socket was opened in.
 */
#ifndef TCPTL_SOCKDIAG_H
#define TCPTL_SOCKDIAG_H

#include <stdint.h>

#include "event.h"

/* inet_diag's idiag_timer of a timewait socket (TIME_WAIT, orphaned FIN_WAIT2). */
#define TCPTL_DIAG_TIMER_TIMEWAIT 3

struct tcptl_sock {
	struct tcptl_event id;	/* cookie, family, addresses, ports; newstate = state */
	uint32_t rqueue, wqueue;	/* unread and unsent bytes (LISTEN: backlog) */
	uint32_t expires_ms;	/* the running timer: for TIME_WAIT, time left */
	uint8_t timer;		/* which timer (3: a timewait socket's) */
	uint8_t retrans;	/* SYN_SENT: SYNs retransmitted; SYN_RECV: SYN-ACKs */
	uint32_t uid;
	uint64_t ino;
};

typedef void (*tcptl_sock_cb)(const struct tcptl_sock *s, void *arg);

struct mnl_socket;

/* A sock_diag socket of the namespace we are in. NULL with errno set. */
struct mnl_socket *tcptl_sockdiag_open(void);
void tcptl_sockdiag_close(struct mnl_socket *sock);
/*
 * Dump the TCP sockets of both families in every state; request sockets
 * come as SYN_RECV without an inode. netns is put in each id. Returns 0 or
 * -errno.
 */
int tcptl_sockdiag_dump(struct mnl_socket *sock, uint32_t netns, tcptl_sock_cb cb, void *arg);

/* Parse one inet_diag_msg reply (for tests): 0 or -EINVAL. */
int tcptl_sockdiag_parse(const void *msg, size_t len, uint32_t netns, struct tcptl_sock *s);

#endif
