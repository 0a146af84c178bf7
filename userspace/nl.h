/* SPDX-License-Identifier: GPL-2.0 */
/* Small libmnl helpers: resolve the family, subscribe, send requests. */
#ifndef TCPTL_NL_H
#define TCPTL_NL_H

#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

/* Messages from the module are at most 16 KiB; leave room. */
#define TCPTL_NL_BUFSIZE (64 * 1024)

struct tcptl_nl {
	struct mnl_socket *sock;
	uint16_t family;	/* tcp_timeline's id */
	uint32_t events_group;
	uint32_t ctrl_notify_group;
	uint32_t seq;
	uint32_t version;	/* the module's contract version */
	char errmsg[256];	/* the kernel's extack message of the last error */
};

/* Open a socket and resolve the family: -ENOENT when it is not loaded,
 * -EPROTO when it speaks another contract version (nl->version says which). */
int tcptl_nl_open(struct tcptl_nl *nl);
void tcptl_nl_close(struct tcptl_nl *nl);
/* The version of the last module refused for speaking another contract. */
extern uint32_t tcptl_nl_module_version;

/*
 * 0 if the family is still the one with this id, -ENOENT if it went away
 * (or came back as another). On a socket that has joined no group: a
 * multicast message would be taken for the reply.
 */
int tcptl_nl_check_family(struct tcptl_nl *nl, uint16_t id);

/* Join the events group (and nlctrl's notify, to see the module go). */
int tcptl_nl_subscribe(struct tcptl_nl *nl, int rcvbuf);

/* Leave the events group: nothing more is queued for this socket. */
int tcptl_nl_unsubscribe(struct tcptl_nl *nl);

typedef void (*tcptl_nl_build)(struct nlmsghdr *nlh, void *arg);
typedef int (*tcptl_nl_reply)(const struct nlmsghdr *nlh, void *arg);

/* Send one request and wait for its reply/ack; -errno on failure. */
int tcptl_nl_request(struct tcptl_nl *nl, uint8_t cmd, tcptl_nl_build build,
		     void *build_arg, tcptl_nl_reply reply, void *reply_arg);

struct tcptl_stats;

/* TCPTL_CMD_GET_STATS, decoded; -errno. */
int tcptl_nl_get_stats(struct tcptl_nl *nl, struct tcptl_stats *st);

#endif
