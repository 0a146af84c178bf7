// SPDX-License-Identifier: GPL-2.0
#include "latency.h"

void tcptl_latency_add(struct tcptl_latency *l, uint64_t ns)
{
	uint64_t b = ns / TCPTL_LAT_STEP_NS;

	l->bucket[b < TCPTL_LAT_BUCKETS ? b : TCPTL_LAT_BUCKETS]++;
	l->count++;
	if (ns > l->max_ns)
		l->max_ns = ns;
}

uint64_t tcptl_latency_quantile(const struct tcptl_latency *l, double q)
{
	uint64_t want, seen = 0;

	if (!l->count)
		return 0;
	want = (uint64_t)(q * (double)l->count + 0.999999);
	if (want < 1)
		want = 1;
	for (unsigned int i = 0; i < TCPTL_LAT_BUCKETS; i++) {
		seen += l->bucket[i];
		if (seen >= want)
			return (i + 1) * TCPTL_LAT_STEP_NS;
	}
	return l->max_ns;
}
