/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Making records: the hooks fill a struct tcptl_record (the wire layout of
 * the uapi header, which the per-CPU buffers hold as it is) and hand it to
 * tcptl_emit(). Formatting never happens here: the flush worker copies the
 * buffer slots into messages.
 */
#ifndef _TCPTL_RECORD_H
#define _TCPTL_RECORD_H

#include <linux/in6.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>
#include <linux/types.h>
#include <net/sock.h>

#include "tcp_timeline.h"

/*
 * The records' clock: CLOCK_MONOTONIC, read NMI-safely. A kprobe on a kernel
 * without FUNCTION_TRACER fires through int3, an NMI-like context where
 * ktime_get() may not be used (lockdep on the debug kernel said so). It is
 * the clock bpf_ktime_get_ns() reads.
 */
static inline u64 tcptl_clock_ns(void)
{
	return ktime_get_mono_fast_ns();
}

/* First steps of every hook: count, and do nothing more while nobody listens. */
bool tcptl_want_record(void);

/* Time, type and states; the rest of the record zeroed. */
void tcptl_record_start(struct tcptl_record *rec, u8 type, int oldstate,
			int newstate);
void tcptl_fill_addrs(struct tcptl_record *rec, unsigned short family,
		      const struct in6_addr *s6, const struct in6_addr *d6,
		      __be32 s4, __be32 d4);
void tcptl_fill_identity(struct tcptl_record *rec, const struct sock *sk);
void tcptl_fill_task(struct tcptl_record *rec);
void tcptl_fill_owner(struct tcptl_record *rec, const struct sock *sk);
void tcptl_fill_counters(struct tcptl_record *rec, const struct sock *sk);
u64 tcptl_cookie(const struct sock *sk);
/* Once the filter let it pass: cookie, task, owner, counters if asked. */
void tcptl_fill_rest(struct tcptl_record *rec, const struct sock *sk,
		     bool counters);

/* The filter, then into this CPU's buffer; false if the filter dropped it. */
bool tcptl_emit(struct tcptl_record *rec);
/*
 * The filter alone, counting what it drops: for records whose owner and
 * counters are read only once they pass (then tcptl_ring_push()).
 */
bool tcptl_record_passes(const struct tcptl_record *rec);

#endif /* _TCPTL_RECORD_H */
