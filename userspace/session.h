/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live record stream every reading mode shares: joins the events
 * group, decodes, restores time order across CPUs, accounts losses by
 * sequence number, assembles connections, and hands each record (and the
 * passing time) to the mode.
 */
#ifndef TCPTL_SESSION_H
#define TCPTL_SESSION_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "conn.h"
#include "decode.h"
#include "latency.h"
#include "nl.h"
#include "reorder.h"
#include "rfilter.h"
#include "seqtrack.h"
#include "tally.h"

/* Records wait this long for stragglers from other CPUs before they show. */
#define TCPTL_REORDER_WINDOW_NS	(50 * 1000000ull)
/* A finished connection waits this long for a late RST record. */
#define TCPTL_FINISH_GRACE_NS	(100 * 1000000ull)

struct tcptl_session;

struct tcptl_session_ops {
	/* A record in time order, after the connection table took it. */
	void (*record)(struct tcptl_session *s, struct tcptl_event *ev, struct tcptl_conn *c);
	/* A finished connection (closed, or in TIME_WAIT), before it leaves
	 * the table or waits there for its TIME_WAIT's end (NULL: dropped). */
	void (*finished)(struct tcptl_session *s, struct tcptl_conn *c);
	/* The TIME_WAIT of a connection already handed to finished() ended. */
	void (*timewait_end)(struct tcptl_session *s, struct tcptl_conn *c);
	/* About every poll period, with CLOCK_MONOTONIC now. */
	void (*tick)(struct tcptl_session *s, uint64_t now_ns);
	/* One more descriptor to poll (fd < 0: none) and what to do when ready. */
	int extra_fd;
	void (*extra_ready)(struct tcptl_session *s);
};

struct tcptl_session {
	struct tcptl_nl req, ev;
	struct tcptl_conn_table conns;
	struct tcptl_reorder reorder;
	struct tcptl_seqtrack seq;
	struct tcptl_decode_counts counts;
	struct tcptl_tally tally;
	uint64_t enobufs, finished;
	struct tcptl_latency latency;	/* record to receipt */
	uint64_t recv_ns;		/* when the current message came */
	uint64_t now_ns;		/* CLOCK_MONOTONIC of this loop pass */
	FILE *record;			/* --record: raw messages, see record.h */
	uint64_t start_ns, seeded_ns;	/* subscribed; inet_diag dump taken */
	uint32_t netns;			/* the reader's own namespace */
	uint32_t hooks;			/* enum tcptl_hook: what the module has */
	bool unloaded, have_req, have_ev;
	bool caught_up;			/* the socket was read dry last pass */
	const struct tcptl_session_ops *ops;
	/* Records the tally counts (NULL: all); owner tests are not applied. */
	const struct tcptl_rfilter *tally_filter;
	void *mode;			/* the mode's own state */
};

/* Open the request socket (warns about missing hooks); -errno. */
int tcptl_session_open(struct tcptl_session *s, unsigned int max_conns);
/* Join the events group; -errno. */
int tcptl_session_subscribe(struct tcptl_session *s);
/*
 * Seed the connection table from an inet_diag dump of this namespace
 * (after subscribing, so nothing falls between the two); with procfd,
 * name owners of the seeded sockets. Returns sockets seeded or -errno.
 */
int tcptl_session_seed(struct tcptl_session *s, bool owners);
/* Read until *stop, the deadline (0: none) or the module goes away. 0 or -errno. */
int tcptl_session_run(struct tcptl_session *s, volatile sig_atomic_t *stop, uint64_t deadline_ns);
/* One message as read from the events socket: decoded, sequence numbers
 * counted, records queued for time order. */
void tcptl_session_handle(struct tcptl_session *s, const char *buf, int len);
/* Hand on the queued records older than cutoff (UINT64_MAX: all) in time
 * order, as far as what has come allows (see reorder.h). */
void tcptl_session_drain(struct tcptl_session *s, uint64_t cutoff);
/* Lost records: announced by the module, and missing on this socket. */
uint64_t tcptl_session_lost_module(const struct tcptl_session *s);
uint64_t tcptl_session_lost_socket(const struct tcptl_session *s);
void tcptl_session_close(struct tcptl_session *s);

uint64_t tcptl_now_ns(void);
/* The inode of this process's network namespace (0 if unknown). */
uint32_t tcptl_own_netns(void);

#endif
