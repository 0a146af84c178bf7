/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The connection table, keyed by socket cookie: what the reader knows of
 * each connection, assembled from its records in time order.
 */
#ifndef TCPTL_CONN_H
#define TCPTL_CONN_H

#include <stdbool.h>
#include <stdint.h>
#include <uthash.h>

#include "event.h"

#define TCPTL_MAX_STEPS 16

struct tcptl_step {
	uint8_t state;
	uint64_t enter_ns;
	uint32_t flags;		/* of the record that entered it */
};

/* A closing act seen only as a state in the start-up dump: before the reader
 * (and + 1 for the second of two acts whose order the state tells). */
#define TCPTL_BEFORE_START_NS 1

struct tcptl_conn {
	uint64_t cookie;
	struct tcptl_event id;	/* the latest record with full identity */
	bool has_owner;
	uint32_t pid;
	char comm[16];
	struct tcptl_step steps[TCPTL_MAX_STEPS];
	unsigned int nsteps;
	uint8_t state;
	uint64_t state_ns;	/* when the current state was entered */
	bool tw_overflow, in_timewait;
	/* Its timeline is due: it closed, or entered TIME_WAIT (see
	 * tcptl_conn_table.report_at_timewait). */
	bool finished;
	bool closed;		/* the socket is gone (its timewait socket too) */
	bool reported;		/* timeline shown at TIME_WAIT entry; its end is due */
	/* Due at TIME_WAIT entry: its timeline shows the first tw_steps
	 * steps, however much more has come before it is handed out. */
	bool due_at_timewait;
	unsigned int tw_steps;
	/* The closing acts, by record time (0: not seen; TCPTL_BEFORE_START_NS:
	 * implied by the state the start-up dump showed), so that the first
	 * closer does not depend on the order records arrive in. */
	uint64_t local_fin_ns, peer_fin_ns, rst_sent_ns, rst_received_ns;
	bool fins_crossed;	/* FIN_WAIT1 -> CLOSING: both sent FIN first */
	bool listener;		/* a listening socket, not a connection */
	bool passive;		/* a child of a listener */
	bool accepted;		/* an ACCEPT record named its owner */
	uint64_t established_ns, accept_ns;
	uint64_t tw_enter_ns;	/* its timewait socket took over */
	/* Seen in the start-up socket dump: opened before the reader. */
	bool preexisting;
	uint64_t ino;		/* socket inode, as last known */
	uint8_t tw_reason;
	uint8_t close_error;	/* the errno its CLOSE record carried, 0: none */
	uint8_t tw_state;	/* TIME_WAIT or FIN_WAIT2: the timewait socket's */
	uint64_t bytes_acked, bytes_received;
	uint32_t total_retrans;
	uint64_t finished_at;	/* reader's monotonic time */
	struct tcptl_conn *fin_prev, *fin_next;	/* the finished list, oldest first */
	bool on_fin_list;
	UT_hash_handle hh;
};

struct tcptl_conn_table {
	struct tcptl_conn *by_cookie;
	/* Finished connections in the order they finished, so that handing
	 * them out costs nothing for the many still open. */
	struct tcptl_conn *fin_head, *fin_tail;
	unsigned int count, max;
	uint64_t evicted;
	/* A connection's timeline is due when it enters TIME_WAIT (true, the
	 * default) or only when its TIME_WAIT ends. */
	bool report_at_timewait;
};

void tcptl_conn_table_init(struct tcptl_conn_table *t, unsigned int max);
void tcptl_conn_table_free(struct tcptl_conn_table *t);

/*
 * Take a record into its connection (records must come in time order).
 * Fills ev->prev_state_ns, and the owner and local port the reader knows.
 * Returns the connection (NULL for records of no connection).
 */
struct tcptl_conn *tcptl_conn_apply(struct tcptl_conn_table *t, struct tcptl_event *ev,
				    uint64_t now_ns);
void tcptl_conn_remove(struct tcptl_conn_table *t, struct tcptl_conn *c);
/*
 * Hand out a due connection (the head of the finished list): its timeline,
 * unless it was shown at TIME_WAIT entry already, then the end of its
 * TIME_WAIT if the timeline was due at TIME_WAIT entry and the end has come
 * (in the same pass when it came within the grace). A connection that
 * closed leaves the table; one still in TIME_WAIT stays, marked reported.
 * Returns whether a timeline was handed out.
 */
struct tcptl_conn_sink {
	void (*timeline)(void *arg, struct tcptl_conn *c);
	void (*timewait_end)(void *arg, struct tcptl_conn *c);
	void *arg;
};
bool tcptl_conn_hand_out(struct tcptl_conn_table *t, struct tcptl_conn *c,
			 const struct tcptl_conn_sink *sink);
/* The steps a timeline shows: up to TIME_WAIT entry when it was due then. */
static inline unsigned int tcptl_conn_shown_steps(const struct tcptl_conn *c)
{
	return c->due_at_timewait && c->tw_steps ? c->tw_steps : c->nsteps;
}
/* The tracked connection of that cookie, or NULL. */
struct tcptl_conn *tcptl_conn_find(const struct tcptl_conn_table *t, uint64_t cookie);

/*
 * A socket that existed before the reader started (from inet_diag): id
 * holds its identity and newstate its state; enter_ns is when it entered
 * that state if known (a timewait socket, from its timer), else 0;
 * timewait: it is a timewait socket (TIME_WAIT or FIN_WAIT2). Records that
 * come later for the same cookie extend it; a record that shows the
 * connection began after all (CLOSE -> ...) replaces the seed.
 */
struct tcptl_conn *tcptl_conn_seed(struct tcptl_conn_table *t, const struct tcptl_event *id,
				   uint64_t enter_ns, bool timewait);

#endif
