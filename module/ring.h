/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPTL_RING_H
#define _TCPTL_RING_H

#include "record.h"

/* Hot-path counters summed over CPUs, for TCPTL_CMD_GET_STATS. */
struct tcptl_ring_stats {
	u64 seen;
	u64 filtered;
	u64 no_listener;
	u64 produced;
	u64 lost;
	u64 memory_bytes;
	u32 nr_cpus;
};

int tcptl_ring_init(unsigned int records_per_cpu, unsigned int flush_ms);
void tcptl_ring_exit(void);

/* Hot path; callable from any context. */
void tcptl_ring_count_seen(void);
void tcptl_ring_count_filtered(void);
void tcptl_ring_count_no_listener(void);
void tcptl_ring_push(const struct tcptl_record *rec);

/* Hand everything buffered so far to readers before returning; may sleep. */
void tcptl_ring_flush_now(void);

/* Stop the flush worker and hand everything still buffered to readers. */
void tcptl_ring_drain(void);

void tcptl_ring_get_stats(struct tcptl_ring_stats *st);
unsigned int tcptl_ring_size(void);
unsigned int tcptl_ring_flush_ms(void);

#endif /* _TCPTL_RING_H */
