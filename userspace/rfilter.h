/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reader's filter: parsed from the command line, applied to every
 * record here, and, with --kernel-filter, also handed to the module.
 */
#ifndef TCPTL_RFILTER_H
#define TCPTL_RFILTER_H

#include <stdbool.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

#include "event.h"
#include "tcp_timeline.h"

struct tcptl_range { uint16_t lo, hi; };
struct tcptl_cidr { uint8_t family, prefix; union tcptl_ip addr; };

struct tcptl_ranges { unsigned int n; struct tcptl_range r[TCPTL_FILTER_MAX_VALUES]; };
struct tcptl_cidrs { unsigned int n; struct tcptl_cidr c[TCPTL_FILTER_MAX_VALUES]; };

struct tcptl_rfilter {
	struct tcptl_ranges port, lport, rport;
	struct tcptl_cidrs laddr, raddr;
	uint32_t states;	/* bit per state; 0: any */
	bool has_netns;
	uint32_t netns;
	uint8_t family;
	bool has_pid;
	uint32_t pid;
	const char *comm;
};

/* Parsers: 0, or -1 with a message in err. */
int tcptl_parse_range(const char *s, struct tcptl_ranges *r, char *err, size_t errlen);
int tcptl_parse_cidr(const char *s, struct tcptl_cidrs *c, char *err, size_t errlen);

/* Does a record pass? Owner tests use the owner the reader knows of. */
bool tcptl_rfilter_match(const struct tcptl_rfilter *f, const struct tcptl_event *ev,
			 bool has_pid, uint32_t pid, const char *comm);
bool tcptl_rfilter_empty_for_kernel(const struct tcptl_rfilter *f);
/* Put the kernel part as a TCPTL_A_FILTER nest. */
void tcptl_rfilter_put(struct nlmsghdr *nlh, const struct tcptl_rfilter *f);

#endif
