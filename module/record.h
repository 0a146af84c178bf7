/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixed-size record a hook fills and the per-CPU buffers carry. It is
 * turned into netlink attributes only by the flush worker, so the hot path
 * never formats anything.
 */
#ifndef _TCPTL_RECORD_H
#define _TCPTL_RECORD_H

#include <linux/in6.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>
#include <linux/types.h>

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

union tcptl_addr {
	__be32 v4;
	struct in6_addr v6;
};

struct tcptl_record {
	u64 seq;
	u64 time_ns;
	u64 cookie;
	u64 ino;
	u64 bytes_acked;
	u64 bytes_received;
	union tcptl_addr saddr;
	union tcptl_addr daddr;
	u32 netns;
	u32 flags;		/* enum tcptl_event_flags */
	u32 pid;
	u32 uid;
	u32 segs_in;
	u32 segs_out;
	u32 total_retrans;
	u32 srtt_us;
	u32 rcv_queue;
	u16 sport;
	u16 dport;
	u8 type;		/* enum tcptl_event_type */
	u8 family;
	u8 oldstate;
	u8 newstate;
	u8 tw_reason;		/* enum tcptl_tw_reason */
	bool has_tcp_info;	/* counters above are valid */
	char comm[TASK_COMM_LEN];
};

#endif /* _TCPTL_RECORD_H */
