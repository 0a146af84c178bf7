// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <string.h>

#include "hist.h"

unsigned int tcptl_hist_bucket(uint64_t ns)
{
	return ns ? 63 - (unsigned int)__builtin_clzll(ns) : 0;
}

void tcptl_hist_add(struct tcptl_hist *h, uint64_t ns)
{
	h->bucket[tcptl_hist_bucket(ns)]++;
	h->count++;
	h->sum_ns += ns;
}

static void used_range(const struct tcptl_hist *h, unsigned int *lo, unsigned int *hi)
{
	*lo = TCPTL_HIST_BUCKETS;
	*hi = 0;
	for (unsigned int i = 0; i < TCPTL_HIST_BUCKETS; i++) {
		if (!h->bucket[i])
			continue;
		if (*lo == TCPTL_HIST_BUCKETS)
			*lo = i;
		*hi = i;
	}
}

/* Bounds in microseconds, as the eye reads them: [2^k, 2^(k+1)) ns. */
static void bound(char *buf, size_t len, unsigned int k)
{
	double us = (double)(1ull << k) / 1000.0;

	if (us < 1.0)
		snprintf(buf, len, "%.3f", us);
	else
		snprintf(buf, len, "%.0f", us);
}

void tcptl_hist_print(FILE *f, const struct tcptl_hist *h, const char *indent)
{
	unsigned int lo, hi;
	uint64_t max = 0;

	used_range(h, &lo, &hi);
	if (lo == TCPTL_HIST_BUCKETS)
		return;
	for (unsigned int i = lo; i <= hi; i++)
		if (h->bucket[i] > max)
			max = h->bucket[i];
	fprintf(f, "%s%27s : %-8s distribution\n", indent, "usecs", "count");
	for (unsigned int i = lo; i <= hi; i++) {
		char a[24], b[24], bar[41];
		unsigned int n = (unsigned int)(h->bucket[i] * 40 / max);

		bound(a, sizeof(a), i);
		bound(b, sizeof(b), i + 1);
		memset(bar, '*', n);
		bar[n] = '\0';
		fprintf(f, "%s%12s -> %-12s : %-8" PRIu64 " |%-40s|\n", indent, a, b,
			h->bucket[i], bar);
	}
}

void tcptl_hist_json(FILE *f, const struct tcptl_hist *h)
{
	bool first = true;

	fprintf(f, "{\"count\":%" PRIu64 ",\"sum_ns\":%" PRIu64 ",\"buckets\":[", h->count,
		h->sum_ns);
	for (unsigned int i = 0; i < TCPTL_HIST_BUCKETS; i++) {
		if (!h->bucket[i])
			continue;
		/* The upper bound: values in this bucket are below 2^(i+1) ns. */
		fprintf(f, "%s{\"lt_ns\":%" PRIu64 ",\"count\":%" PRIu64 "}", first ? "" : ",",
			i == 63 ? UINT64_MAX : (uint64_t)1 << (i + 1), h->bucket[i]);
		first = false;
	}
	fputs("]}", f);
}
