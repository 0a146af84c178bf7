// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "reorder.h"

void tcptl_reorder_init(struct tcptl_reorder *r)
{
	memset(r, 0, sizeof(*r));
}

void tcptl_reorder_free(struct tcptl_reorder *r)
{
	free(r->ev);
	memset(r, 0, sizeof(*r));
}

/* A sorted array: records arrive almost in order, so inserting from the back is cheap. */
int tcptl_reorder_push(struct tcptl_reorder *r, const struct tcptl_event *ev)
{
	size_t i;

	if (r->head && r->head == r->len) {
		r->head = r->len = 0;
	} else if (r->head > r->cap / 2) {
		memmove(r->ev, r->ev + r->head, (r->len - r->head) * sizeof(*r->ev));
		r->len -= r->head;
		r->head = 0;
	}
	if (r->len == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 1024;
		struct tcptl_event *n = realloc(r->ev, cap * sizeof(*n));

		if (!n)
			return -1;
		r->ev = n;
		r->cap = cap;
	}
	i = r->len;
	while (i > r->head && r->ev[i - 1].time_ns > ev->time_ns)
		i--;
	memmove(r->ev + i + 1, r->ev + i, (r->len - i) * sizeof(*r->ev));
	r->ev[i] = *ev;
	r->len++;
	return 0;
}

int tcptl_reorder_pop(struct tcptl_reorder *r, uint64_t cutoff_ns, struct tcptl_event *out)
{
	if (r->head == r->len)
		return 0;
	if (cutoff_ns != UINT64_MAX && r->ev[r->head].time_ns > cutoff_ns)
		return 0;
	*out = r->ev[r->head++];
	return 1;
}
