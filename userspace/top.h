/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The buildup diagnosis behind "top" and "metrics": a snapshot of the
 * sockets of one namespace (inet_diag), joined with what the record stream
 * knows (when each socket entered its state, entry rates) and with owners
 * (/proc/PID/fd): CLOSE_WAIT by process with real ages, TIME_WAIT by
 * remote endpoint and by local port with headroom, and the buildup on the
 * way in (inbound.h): listen queues, SYN_SENT, connect failures.
 */
#ifndef TCPTL_TOP_H
#define TCPTL_TOP_H

#include <stdbool.h>
#include <stdint.h>
#include <uthash.h>

#include "inbound.h"
#include "session.h"
#include "sockdiag.h"

#define TCPTL_TOP_HISTORY 30

/* TIME_WAIT entries by remote endpoint or by local port, from records. */
struct tcptl_tw_key {
	uint8_t family;
	union tcptl_ip addr;	/* zero for local-port keys */
	uint16_t port;
};

struct tcptl_tw_rate {
	struct tcptl_tw_key key;
	uint64_t entered, entered_prev;
	UT_hash_handle hh;
};

/* One group of CLOSE_WAIT sockets: one owning process. */
struct tcptl_cw_group {
	uint32_t pid;		/* 0: no process holds them */
	char comm[16];
	bool accepted;		/* false: still in a listener's accept queue */
	uint32_t count;
	uint64_t unread;	/* bytes the owner has not read, over the group */
	double oldest_s;
	bool oldest_known;	/* else: at least this old (before the reader) */
};

/* Its process's comm, or what holds them when no process does. */
const char *tcptl_cw_group_name(const struct tcptl_cw_group *g);

struct tcptl_cw_sock {
	struct tcptl_sock sk;
	uint32_t pid;
	char comm[16];
	double age_s;
	bool age_known;
	uint32_t unread;	/* data bytes not read (Recv-Q less the FIN) */
};

struct tcptl_tw_group {
	struct tcptl_tw_key key;
	uint32_t count;		/* TIME_WAIT now */
	uint32_t in_use;	/* sockets to it on ephemeral local ports, any state */
	double rate;		/* TIME_WAIT entries per second */
};

struct tcptl_snapshot {
	uint64_t time_ns;
	double interval_s;
	uint32_t count[TCPTL_STATE_MAX + 1];
	double rate[TCPTL_STATE_MAX + 1];
	uint32_t history[TCPTL_STATE_MAX + 1][TCPTL_TOP_HISTORY];
	unsigned int history_len;
	struct tcptl_cw_group *cw_groups;
	unsigned int n_cw_groups;
	struct tcptl_cw_sock *cw_socks;	/* oldest first */
	unsigned int n_cw_socks;
	struct tcptl_tw_group *tw_remote, *tw_lport;	/* by count, descending */
	unsigned int n_tw_remote, n_tw_lport;
	uint64_t tw_max;		/* net.ipv4.tcp_max_tw_buckets */
	uint32_t port_lo, port_hi;	/* net.ipv4.ip_local_port_range */
	uint64_t tw_overflows;		/* since start, from records */
	double tw_overflow_rate;
	struct tcptl_inbound_snap in;	/* listeners, SYN_SENT, connect failures */
};

struct tcptl_top {
	const struct tcptl_rfilter *filter;
	struct tcptl_rfilter sock_filter;	/* without the owner tests */
	uint32_t netns;
	struct mnl_socket *diag;
	int max_tw_fd, port_range_fd;
	struct tcptl_tw_rate *tw_by_remote, *tw_by_lport;
	struct tcptl_inbound inbound;
	uint64_t entered_prev[TCPTL_STATE_MAX + 1];
	uint64_t overflows_prev;
	uint64_t last_ns;
	uint32_t history[TCPTL_STATE_MAX + 1][TCPTL_TOP_HISTORY];
	unsigned int history_len;
	struct tcptl_snapshot snap;
	bool inited;		/* by tcptl_top_init: there is something to free */
};

struct tcptl_options;

/*
 * What top and metrics share. Their mode state begins with a struct
 * tcptl_top. Open the snapshot for o's --netns (else ours) and a session
 * that counts only that namespace's records; 0, or an exit code after a
 * message.
 */
int tcptl_top_open(struct tcptl_top *t, struct tcptl_session *s, struct tcptl_options *o);
/* The session's record callback for such modes. */
void tcptl_top_on_record(struct tcptl_session *s, struct tcptl_event *ev, struct tcptl_conn *c);
/* Read until stopped or --duration; the exit code. */
int tcptl_top_run(struct tcptl_session *s, const struct tcptl_options *o);

/* Open the sock_diag socket and sysctls in netns (0: ours); -errno. */
int tcptl_top_init(struct tcptl_top *t, const struct tcptl_rfilter *filter, uint32_t netns);
/* Count a record (TIME_WAIT entries by endpoint, accepts, connect failures). */
void tcptl_top_record(struct tcptl_top *t, const struct tcptl_event *ev);
/* Take a snapshot now; t->snap holds it until the next. 0 or -errno. */
int tcptl_top_snapshot(struct tcptl_top *t, const struct tcptl_session *s, uint64_t now_ns);
void tcptl_top_free(struct tcptl_top *t);

#endif
