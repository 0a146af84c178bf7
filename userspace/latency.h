/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Delivery latency: from a record's timestamp to the reader receiving its
 * message. Linear 50 us buckets up to 200 ms (finer than log2 where the
 * targets are), and the maximum.
 */
#ifndef TCPTL_LATENCY_H
#define TCPTL_LATENCY_H

#include <stdint.h>

#define TCPTL_LAT_STEP_NS	50000ull
#define TCPTL_LAT_BUCKETS	4000

struct tcptl_latency {
	uint64_t bucket[TCPTL_LAT_BUCKETS + 1];	/* the last: 200 ms and more */
	uint64_t count, max_ns;
};

void tcptl_latency_add(struct tcptl_latency *l, uint64_t ns);
/* The value below which this fraction (0..1] of samples fall: the upper
 * bound of its bucket, so never an underestimate. 0 without samples. */
uint64_t tcptl_latency_quantile(const struct tcptl_latency *l, double q);

#endif
