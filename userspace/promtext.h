/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Prometheus text exposition of what the reader knows: socket gauges
 * from a snapshot, counters and histograms from the record tally, the
 * module's own statistics. Pure formatting, for the endpoint, the
 * textfile and the tests.
 */
#ifndef TCPTL_PROMTEXT_H
#define TCPTL_PROMTEXT_H

#include <stdio.h>

#include "decode.h"
#include "tally.h"
#include "top.h"

struct tcptl_prom_input {
	const struct tcptl_snapshot *snap;	/* NULL: no socket gauges */
	const struct tcptl_tally *tally;
	const struct tcptl_stats *module;	/* NULL: module stats unavailable */
	uint64_t lost_module, lost_socket, tracked, evicted;
};

void tcptl_prom_write(FILE *f, const struct tcptl_prom_input *in);

#endif
