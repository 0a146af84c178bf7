/* SPDX-License-Identifier: GPL-2.0 */
/* One decoded record of the module, the reader's unit of data. */
#ifndef TCPTL_EVENT_H
#define TCPTL_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

union tcptl_ip {
	struct in_addr v4;
	struct in6_addr v6;
};

/*
 * Ordered by size, without holes: every record is copied a few times on its
 * way through the reader (decoding, ordering, held SYN_SENTs).
 */
struct tcptl_event {
	uint64_t seq;
	uint64_t time_ns;	/* CLOCK_MONOTONIC */
	int64_t clock_offset_ns; /* of the message: wall = time_ns + offset */
	uint64_t cookie;
	uint64_t ino;
	uint64_t bytes_acked, bytes_received;
	uint64_t lost_count;
	/* Filled by the reader: time in the previous state, when known. */
	uint64_t prev_state_ns;
	union tcptl_ip saddr, daddr;
	char comm[16];
	uint32_t cpu;
	uint32_t netns;
	uint32_t flags;
	uint32_t pid;
	uint32_t uid;
	uint32_t segs_in, segs_out, total_retrans, srtt_us, rcv_queue;
	uint16_t sport, dport;
	uint8_t type;		/* enum tcptl_event_type */
	uint8_t family;
	uint8_t oldstate, newstate;
	uint8_t tw_reason;
	uint8_t error;		/* errno the socket closed with, 0: none */
	bool has_seq;
	bool has_pid;
	bool has_owner;		/* uid and ino are present */
	bool has_counters;	/* bytes_acked .. rcv_queue are present */
	bool has_prev_ns;
	/* The full socket's CLOSE after its timewait socket took over: a
	 * kernel transition, not one of the connection. */
	bool superseded;
};

const char *tcptl_state_name(unsigned int state);
int tcptl_state_from_name(const char *name);
const char *tcptl_type_name(unsigned int type);
const char *tcptl_tw_reason_name(unsigned int reason);
/* "ETIMEDOUT" for an errno the kernel closed a socket with. */
const char *tcptl_errno_name(unsigned int err, char *buf, size_t len);
/* "TIME_WAIT entry, ..." for a mask of enum tcptl_hook; "none" if 0. */
void tcptl_hook_names(uint32_t hooks, char *buf, size_t len);

#endif
