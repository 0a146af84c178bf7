// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "reorder.h"

/* CPU numbers beyond this share the last queue (still correct, just slower). */
#define MAX_QUEUES 4096

void tcptl_reorder_init(struct tcptl_reorder *r)
{
	memset(r, 0, sizeof(*r));
}

void tcptl_reorder_free(struct tcptl_reorder *r)
{
	for (unsigned int i = 0; i < r->nq; i++)
		free(r->q[i].ev);
	free(r->q);
	memset(r, 0, sizeof(*r));
}

static struct tcptl_reorder_queue *queue_of(struct tcptl_reorder *r, uint32_t cpu)
{
	unsigned int i = cpu < MAX_QUEUES ? cpu : MAX_QUEUES - 1;

	if (i >= r->nq) {
		struct tcptl_reorder_queue *q = realloc(r->q, (i + 1) * sizeof(*q));

		if (!q)
			return NULL;
		memset(q + r->nq, 0, (i + 1 - r->nq) * sizeof(*q));
		r->q = q;
		r->nq = i + 1;
	}
	return &r->q[i];
}

int tcptl_reorder_push(struct tcptl_reorder *r, const struct tcptl_event *ev)
{
	struct tcptl_reorder_queue *q = queue_of(r, ev->cpu);
	size_t i;

	if (!q)
		return -1;
	if (q->head && q->head == q->len) {
		q->head = q->len = 0;
	} else if (q->head > q->cap / 2) {
		memmove(q->ev, q->ev + q->head, (q->len - q->head) * sizeof(*q->ev));
		q->len -= q->head;
		q->head = 0;
	}
	if (q->len == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 256;
		struct tcptl_event *n = realloc(q->ev, cap * sizeof(*n));

		if (!n)
			return -1;
		q->ev = n;
		q->cap = cap;
	}
	if (ev->time_ns > q->newest)
		q->newest = ev->time_ns;
	if (ev->time_ns > r->newest)
		r->newest = ev->time_ns;
	i = q->len;
	while (i > q->head && q->ev[i - 1].time_ns > ev->time_ns)
		i--;
	memmove(q->ev + i + 1, q->ev + i, (q->len - i) * sizeof(*q->ev));
	q->ev[i] = *ev;
	q->len++;
	r->count++;
	return 0;
}

/* Has every CPU still sending sent a record lead_ns newer than t? */
static bool all_ahead(const struct tcptl_reorder *r, uint64_t t, uint64_t lead_ns)
{
	for (unsigned int i = 0; i < r->nq; i++) {
		const struct tcptl_reorder_queue *q = &r->q[i];

		if (q->newest && q->newest + TCPTL_REORDER_QUIET_NS >= r->newest &&
		    q->newest < t + lead_ns)
			return false;
	}
	return true;
}

int tcptl_reorder_pop(struct tcptl_reorder *r, uint64_t cutoff_ns, uint64_t lead_ns,
		      struct tcptl_event *out)
{
	struct tcptl_reorder_queue *best = NULL;

	if (!r->count)
		return 0;
	for (unsigned int i = 0; i < r->nq; i++) {
		struct tcptl_reorder_queue *q = &r->q[i];

		if (q->head < q->len &&
		    (!best || q->ev[q->head].time_ns < best->ev[best->head].time_ns))
			best = q;
	}
	if (!best)
		return 0;
	if (cutoff_ns != UINT64_MAX &&
	    (best->ev[best->head].time_ns > cutoff_ns ||
	     (lead_ns && !all_ahead(r, best->ev[best->head].time_ns, lead_ns))))
		return 0;
	*out = best->ev[best->head++];
	r->count--;
	return 1;
}
