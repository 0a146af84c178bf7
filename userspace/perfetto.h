/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Timelines as Chrome/Perfetto trace-event JSON: one track per connection
 * (grouped under its owning process), one slice per state. Open the file
 * in ui.perfetto.dev or chrome://tracing.
 */
#ifndef TCPTL_PERFETTO_H
#define TCPTL_PERFETTO_H

#include <stdint.h>
#include <stdio.h>

#include "conn.h"

struct tcptl_perfetto {
	FILE *f;
	uint64_t tracks;	/* connections written: each gets its own tid */
};

int tcptl_perfetto_open(struct tcptl_perfetto *p, const char *path);
/* One connection; end_ns closes its last state (0: the last state is its end). */
void tcptl_perfetto_conn(struct tcptl_perfetto *p, const struct tcptl_conn *c, uint64_t end_ns);
/* Finish the JSON; returns 0 or -errno if anything failed to be written. */
int tcptl_perfetto_close(struct tcptl_perfetto *p);

#endif
