// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "seqtrack.h"

void tcptl_seqtrack_init(struct tcptl_seqtrack *st)
{
	memset(st, 0, sizeof(*st));
}

void tcptl_seqtrack_free(struct tcptl_seqtrack *st)
{
	free(st->next);
	free(st->seen);
	memset(st, 0, sizeof(*st));
}

static bool grow(struct tcptl_seqtrack *st, unsigned int cpu)
{
	unsigned int n = st->ncpus ? st->ncpus : 8;
	uint64_t *next;
	bool *seen;

	while (n <= cpu)
		n *= 2;
	next = realloc(st->next, n * sizeof(*next));
	if (!next)
		return false;
	st->next = next;
	seen = realloc(st->seen, n * sizeof(*seen));
	if (!seen)
		return false;
	st->seen = seen;
	memset(st->seen + st->ncpus, 0, (n - st->ncpus) * sizeof(*seen));
	st->ncpus = n;
	return true;
}

void tcptl_seqtrack_record(struct tcptl_seqtrack *st, unsigned int cpu, uint64_t seq)
{
	if (cpu >= st->ncpus && !grow(st, cpu))
		return;
	/* The first record of a CPU is the baseline: earlier ones predate us. */
	if (st->seen[cpu] && seq > st->next[cpu])
		st->gaps += seq - st->next[cpu];
	if (!st->seen[cpu] || seq >= st->next[cpu])
		st->next[cpu] = seq + 1;
	st->seen[cpu] = true;
}

void tcptl_seqtrack_lost(struct tcptl_seqtrack *st, uint64_t count)
{
	st->lost_module += count;
}

uint64_t tcptl_seqtrack_lost_socket(const struct tcptl_seqtrack *st)
{
	return st->gaps > st->lost_module ? st->gaps - st->lost_module : 0;
}
