/* SPDX-License-Identifier: GPL-2.0 */
/* Validated decoding of the module's messages. Never trusts a length. */
#ifndef TCPTL_DECODE_H
#define TCPTL_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

#include "event.h"
#include "tcp_timeline.h"

struct tcptl_decode_counts {
	uint64_t records;	/* valid records handed to the callback */
	uint64_t invalid;	/* records skipped: malformed */
};

typedef void (*tcptl_event_cb)(const struct tcptl_event *ev, void *arg);

/*
 * Decode one TCPTL_CMD_EVENTS message (nlh points at the netlink header,
 * the buffer holds nlh->nlmsg_len bytes). Returns 0, or -EINVAL if the
 * message itself is malformed (its valid records were still delivered).
 */
int tcptl_decode_events(const struct nlmsghdr *nlh, tcptl_event_cb cb,
			void *arg, struct tcptl_decode_counts *counts);

/*
 * Decode one TCPTL_A_RECORDS payload (struct tcptl_records and its array),
 * handing every valid record to cb. Returns 0, or -EINVAL if anything in it
 * was malformed: records that do not fit, a record size below this reader's
 * or a record with no type or family count as invalid.
 */
int tcptl_decode_records(const void *payload, size_t len, int64_t clock_offset_ns,
			 tcptl_event_cb cb, void *arg, struct tcptl_decode_counts *counts);

/* One record of the array into ev; -EINVAL if it is not a valid record. */
int tcptl_decode_record(const struct tcptl_record *r, struct tcptl_event *ev);

struct tcptl_stats {
	uint64_t seen, filtered, no_listener, produced, lost, delivered;
	uint64_t delivery_failed, unclaimed, messages, memory_bytes, probe_missed;
	uint32_t buffer_size, flush_interval_ms, hooks, hooks_missing, nr_cpus;
};

int tcptl_decode_stats(const struct nlmsghdr *nlh, struct tcptl_stats *st);

#endif
