/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Buildup on the way in, for top and metrics: per listening socket its
 * accept queue against its backlog, its SYN_RECV requests, accepts and
 * their wait in the queue (from ACCEPT records); the namespace's listen
 * drop counters; connections waiting in SYN_SENT by remote endpoint and by
 * process; connect failures by remote and cause (from the CLOSE records'
 * error).
 */
#ifndef TCPTL_INBOUND_H
#define TCPTL_INBOUND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uthash.h>

#include "event.h"
#include "netstat.h"

/* Rows kept per table (listeners, remotes, processes): the fullest; the
 * rest are counted. Also bounds the label sets of the metrics. */
#define TCPTL_INBOUND_MAX_ROWS 100
/* Remote endpoints whose connect failures are counted one by one; later
 * ones are counted together (an endpoint of family 0). */
#define TCPTL_INBOUND_MAX_FAIL_REMOTES 256

/* An endpoint: family, address (zero: any) and port. */
struct tcptl_endpoint {
	uint8_t family;
	union tcptl_ip addr;
	uint16_t port;
};

enum tcptl_connect_failure {
	TCPTL_CONNFAIL_REFUSED,		/* ECONNREFUSED: a RST answered the SYN */
	TCPTL_CONNFAIL_TIMEOUT,		/* ETIMEDOUT: no answer to the SYNs */
	TCPTL_CONNFAIL_UNREACHABLE,	/* an ICMP error (EHOSTUNREACH, ...) */
	TCPTL_CONNFAIL_NO_PORT,		/* EADDRNOTAVAIL: no local port was free */
	TCPTL_CONNFAIL_ABORTED,		/* its process closed it first */
	TCPTL_CONNFAIL_KINDS,
};

extern const char *const tcptl_connfail_names[TCPTL_CONNFAIL_KINDS];

/* What a connect that ended in SYN_SENT -> CLOSE with that errno was
 * (sport 0: connect() found no local port and failed before sending). */
enum tcptl_connect_failure tcptl_connfail_kind(unsigned int err, uint16_t sport);

struct tcptl_listener {
	struct tcptl_endpoint local;
	uint64_t ino;
	uint32_t pid;		/* 0: no process found */
	char comm[16];
	uint32_t accept_queue;	/* established children not yet accepted */
	uint32_t backlog;	/* listen()'s; the queue holds one more */
	uint32_t syn_recv;	/* requests (SYN received, SYN-ACK sent) */
	uint32_t accepts;	/* in the interval */
	double accepts_per_s;
	bool has_wait;		/* accepts with a known wait in the interval */
	double wait_p50_s, wait_p99_s;
	bool has_oldest;	/* a child waits whose arrival records saw */
	double oldest_s;
};

struct tcptl_syn_remote {
	struct tcptl_endpoint remote;
	uint32_t count;		/* in SYN_SENT now */
	uint32_t retrans;	/* their SYN retransmissions, summed */
	double oldest_s;
	bool oldest_known;	/* else: at least this old (before the reader) */
	uint32_t pid;		/* of the oldest, 0: unknown */
	char comm[16];
	uint32_t failed[TCPTL_CONNFAIL_KINDS];	/* in the interval */
};

struct tcptl_syn_proc {
	uint32_t pid;
	char comm[16];
	uint32_t count;		/* in SYN_SENT now */
	uint32_t remotes;	/* towards how many endpoints */
};

struct tcptl_fail_total {
	struct tcptl_endpoint remote;
	uint64_t n[TCPTL_CONNFAIL_KINDS];
};

struct tcptl_inbound_snap {
	struct tcptl_listener *listeners;	/* fullest first */
	unsigned int n_listeners, listeners_omitted;
	bool tcpext_ok;
	uint64_t tcpext[TCPTL_TCPEXT_COUNTERS];		/* the kernel's, now */
	uint64_t tcpext_since[TCPTL_TCPEXT_COUNTERS];	/* since the reader started */
	double tcpext_rate[TCPTL_TCPEXT_COUNTERS];	/* per second, last interval */
	uint32_t syn_sent;
	struct tcptl_syn_remote *syn_remote;	/* most first */
	unsigned int n_syn_remote, syn_remote_omitted;
	struct tcptl_syn_proc *syn_proc;	/* most first */
	unsigned int n_syn_proc, syn_proc_omitted;
	uint64_t failed[TCPTL_CONNFAIL_KINDS];	/* since the reader started */
	struct tcptl_fail_total *fail_totals;	/* by remote, since then */
	unsigned int n_fail_totals;
};

struct tcptl_accept_waits;
struct tcptl_fail_count;

struct tcptl_inbound {
	int netstat_fd;
	bool tcpext_ok;
	uint64_t tcpext_start[TCPTL_TCPEXT_COUNTERS], tcpext_prev[TCPTL_TCPEXT_COUNTERS];
	struct tcptl_accept_waits *accepts;	/* by the children's local endpoint */
	struct tcptl_fail_count *fails;		/* by remote endpoint */
	unsigned int n_fails;
	uint64_t failed[TCPTL_CONNFAIL_KINDS];
};

struct tcptl_sock;
struct tcptl_conn_table;
struct tcptl_owners;
struct tcptl_rfilter;

/* What a snapshot is made of. */
struct tcptl_inbound_input {
	const struct tcptl_sock *socks;		/* the namespace's, from inet_diag */
	size_t n;
	const struct tcptl_conn_table *conns;
	struct tcptl_owners *owners;
	const struct tcptl_rfilter *filter;	/* with its owner tests */
	uint64_t now_ns, start_ns;
	double secs;				/* since the last snapshot */
};

/* In the namespace to watch: opens its /proc/net/netstat. */
void tcptl_inbound_init(struct tcptl_inbound *in);
/* Count a record of the namespace that passed the filter. */
void tcptl_inbound_record(struct tcptl_inbound *in, const struct tcptl_event *ev);
/* Fill snap (freed first) and start the next interval. 0 or -ENOMEM. */
int tcptl_inbound_snapshot(struct tcptl_inbound *in, const struct tcptl_inbound_input *x,
			   struct tcptl_inbound_snap *snap);
void tcptl_inbound_snap_free(struct tcptl_inbound_snap *snap);
void tcptl_inbound_free(struct tcptl_inbound *in);

#endif
