/* SPDX-License-Identifier: GPL-2.0 */
/* Text and JSON renderings of records, timelines and the exit summary. */
#ifndef TCPTL_OUTPUT_H
#define TCPTL_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "conn.h"
#include "decode.h"
#include "event.h"
#include "tally.h"

struct tcptl_out {
	FILE *f;
	bool json;
	bool color;
	bool wall_clock;	/* -T */
	bool accept_hook;	/* the module reports accepts: "never accepted" is known */
	uint64_t start_ns;	/* relative times count from here */
};

struct tcptl_line;

struct tcptl_summary {
	const struct tcptl_tally *tally;
	uint64_t finished, lost_module, lost_socket, invalid, evicted, enobufs;
	bool histograms;	/* text: time-in-state and connect latency too */
	uint64_t latency_p50_ns, latency_p99_ns, latency_max_ns;	/* delivery */
};

/* JSON string with every byte that needs it escaped (control bytes as \u00XX). */
void tcptl_json_string(FILE *f, const char *s);
void tcptl_format_addr(char *buf, size_t len, uint8_t family, const union tcptl_ip *a);
/* "1.2.3.4:80" or "[::1]:80" */
void tcptl_format_endpoint(char *buf, size_t len, uint8_t family, const union tcptl_ip *a,
			   uint16_t port);

void tcptl_print_event(const struct tcptl_out *o, const struct tcptl_event *ev,
		       bool has_pid, uint32_t pid, const char *comm);
/* A record's time, wall clock (-T) or since start_ns, as the text modes show it. */
void tcptl_format_time(const struct tcptl_out *o, uint64_t ns, int64_t offset,
		       struct tcptl_line *l);
/* timeline.c: a connection's timeline, and the end of its TIME_WAIT when
 * the timeline was shown at its start. */
void tcptl_print_timeline(const struct tcptl_out *o, const struct tcptl_conn *c);
void tcptl_print_timewait_end(const struct tcptl_out *o, const struct tcptl_conn *c);
void tcptl_print_summary(const struct tcptl_out *o, FILE *f, const struct tcptl_summary *s);
void tcptl_print_stats(const struct tcptl_out *o, const struct tcptl_stats *st);

#endif
