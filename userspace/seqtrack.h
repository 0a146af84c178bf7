/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loss accounting from per-CPU sequence numbers: every record the module
 * produces takes one, lost or not, so gaps count losses exactly. LOST
 * records say how many of them the module's buffers dropped; the rest of
 * the gap was lost on the way to this socket.
 */
#ifndef TCPTL_SEQTRACK_H
#define TCPTL_SEQTRACK_H

#include <stdbool.h>
#include <stdint.h>

struct tcptl_seqtrack {
	uint64_t *next;		/* per CPU: next expected sequence number */
	bool *seen;
	unsigned int ncpus;
	uint64_t gaps;		/* records missing from the sequence */
	uint64_t lost_module;	/* announced by LOST records */
};

void tcptl_seqtrack_init(struct tcptl_seqtrack *st);
void tcptl_seqtrack_free(struct tcptl_seqtrack *st);
/* A record with a sequence number arrived. */
void tcptl_seqtrack_record(struct tcptl_seqtrack *st, unsigned int cpu, uint64_t seq);
/* A LOST record arrived. */
void tcptl_seqtrack_lost(struct tcptl_seqtrack *st, uint64_t count);
/* Missing records not explained by LOST records: lost on the socket. */
uint64_t tcptl_seqtrack_lost_socket(const struct tcptl_seqtrack *st);

#endif
