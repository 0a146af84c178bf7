/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Log2 histograms of durations in nanoseconds: bucket k counts values in
 * [2^k, 2^(k+1)) ns (bucket 0 also takes 0). Fixed size, no allocation,
 * cheap enough for every record.
 */
#ifndef TCPTL_HIST_H
#define TCPTL_HIST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define TCPTL_HIST_BUCKETS 64

struct tcptl_hist {
	uint64_t bucket[TCPTL_HIST_BUCKETS];
	uint64_t count;
	uint64_t sum_ns;
};

void tcptl_hist_add(struct tcptl_hist *h, uint64_t ns);
unsigned int tcptl_hist_bucket(uint64_t ns);
/* Text, as bcc's print_log2_hist, in microseconds: only the used range. */
void tcptl_hist_print(FILE *f, const struct tcptl_hist *h, const char *indent);
/* {"count":N,"sum_ns":N,"buckets":[{"lt_ns":N,"count":N},...]} of used buckets. */
void tcptl_hist_json(FILE *f, const struct tcptl_hist *h);

#endif
