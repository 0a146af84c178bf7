/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * tcp-timeline: the generic netlink contract between tcp_timeline.ko and its
 * readers. This header is the single source of truth for both sides.
 *
 * Family "tcp_timeline", version 4 (the family's version in the controller's
 * reply; a reader refuses a module of another version), visible in the
 * initial network namespace only. Every request needs CAP_NET_ADMIN; so does
 * joining the multicast group "events" (GENL_MCAST_CAP_NET_ADMIN or
 * GENL_UNS_ADMIN_PERM, whichever the kernel has; the module refuses to build
 * without either).
 *
 * Requests (all with NLM_F_REQUEST; errors come back as -errno with an
 * extack message):
 *
 *   TCPTL_CMD_GET_STATS   reply: TCPTL_A_STATS (nested, TCPTL_STATS_A_*);
 *                         the module first flushes its buffers, so every
 *                         record produced before the request has been sent
 *                         to the events group when the reply comes
 *   TCPTL_CMD_GET_FILTER  reply: TCPTL_A_FILTER (nested, TCPTL_FILTER_A_*)
 *   TCPTL_CMD_SET_FILTER  TCPTL_A_FILTER; an empty or absent nest clears it
 *
 * Notifications, on the "events" group only:
 *
 *   TCPTL_CMD_EVENTS      TCPTL_A_CLOCK_OFFSET_NS, then TCPTL_A_RECORDS: a
 *                         struct tcptl_records header and COUNT records of
 *                         RECORD_SIZE bytes each (struct tcptl_record), the
 *                         module's buffer slots copied as they are
 *
 * Records are fixed-layout: explicit sizes, no implicit padding, host byte
 * order except the addresses. A newer module may append fields to struct
 * tcptl_record (RECORD_SIZE grows); a reader takes the prefix it knows and
 * skips the rest. A RECORD_SIZE below TCPTL_RECORD_SIZE, or COUNT records
 * that do not fit in the attribute, make the array malformed. Requests and
 * replies stay attribute based.
 *
 * Sequencing and loss. Records are produced into per-CPU buffers. Every
 * record a CPU produces while a reader is subscribed takes the next value of
 * that CPU's sequence counter (CPU, SEQ), including the records that are
 * then lost because the buffer was full. So a reader that tracks, per CPU,
 * the last sequence number it saw knows exactly how many records it missed.
 * Losses inside the module are announced in band by a TCPTL_EVENT_LOST
 * record (LOST_COUNT since the previous one, per CPU; its SEQ means
 * nothing); a gap that no LOST record explains was lost on the way to this
 * reader's socket (ENOBUFS). With no subscriber at all, records are not
 * produced and take no sequence numbers (TCPTL_STATS_A_NO_LISTENER counts
 * them). Records produced while a reader was subscribed but still buffered
 * when the last one left are counted in TCPTL_STATS_A_UNCLAIMED; a reader
 * that wants everything up to its stop asks for GET_STATS before it leaves
 * the group.
 *
 * Order. Records of one CPU arrive in sequence order. Records of one
 * connection can come from different CPUs; order them by TIME_NS
 * (CLOCK_MONOTONIC), which is taken under the socket's own serialisation.
 *
 * One record per transition. Identity: COOKIE is the socket cookie (the
 * value SO_COOKIE, inet_diag and "ss -e" show), the id of a connection for
 * its whole life, TIME_WAIT included. Kernel addresses are never sent.
 *
 *  - An active open's CLOSE->SYN_SENT record is made when tcp_connect()
 *    starts, once connect() has chosen the local port, so it carries that
 *    port. A connect() that fails before (EADDRNOTAVAIL: no port) shows only
 *    its SYN_SENT->CLOSE. Without the tcp_connect probe (TCPTL_HOOK_CONNECT
 *    missing) the record comes from the tracepoint, before the port is
 *    chosen: TCPTL_EVF_PORT_PENDING, local port 0.
 *  - A passive child's LISTEN->SYN_RECV record carries the child's own
 *    identity (the module takes it from the child's next transition: up to
 *    Linux 6.14 the tracepoint reports the listener's addresses there).
 *  - The full socket's own X->CLOSE, when its timewait socket takes over,
 *    is not sent: the TCPTL_EVF_TIMEWAIT record of the same moment (e.g.
 *    FIN_WAIT2->TIME_WAIT) is the transition. The module recognises that
 *    CLOSE on the CPU that made the timewait socket; one it misses (the
 *    task migrated in between, or no TCPTL_HOOK_TW_ENTER) is sent, and a
 *    reader treats a full socket's CLOSE after its TIME_WAIT entry record
 *    as part of it.
 *
 * Owner. UID and INO (TCPTL_EVF_OWNER) describe the socket (its owner uid
 * and its socket inode, 0 once orphaned); every record made on a full
 * socket has them. PID and COMM are valid only when the transition ran in the context
 * of a task working on the socket (TCPTL_EVF_TASK_CONTEXT); packet- and
 * timer-driven transitions run in softirq, where the interrupted task has
 * nothing to do with the socket. A passive connection's transitions all run
 * in softirq: its owner comes with its TCPTL_EVENT_ACCEPT record, made in
 * the accepting task when accept() hands the child over (OLDSTATE =
 * NEWSTATE = its state then, usually ESTABLISHED or CLOSE_WAIT). A child
 * that is never accepted has no ACCEPT record.
 *
 * Counters (BYTES_ACKED .. RCV_QUEUE, TCPTL_EVF_COUNTERS): the socket's
 * tcp_info values at the record, on the STATE and ACCEPT records of
 * connections, the TIME_WAIT entry included (made on the full socket as it
 * hands over): not of listeners, not a child's LISTEN->SYN_RECV, not the
 * timewait socket's later records (it keeps none). Reset and TW_OVERFLOW
 * records have none: the transition that follows has them. Without the
 * flag the counter fields are 0.
 *
 * Error: a STATE record to CLOSE carries the socket's pending error, set
 * just before the kernel closed it: ECONNREFUSED (a RST answered the SYN),
 * ETIMEDOUT (retransmissions gave up; an ICMP error seen meanwhile, such as
 * EHOSTUNREACH, takes its place), ECONNRESET or EPIPE (a RST later), or 0
 * when the socket's own process closed it.
 *
 * Attribute numbering starts at 1; unknown attributes must be ignored by
 * readers so that new ones can be added without a version bump.
 */
#ifndef _UAPI_TCP_TIMELINE_H
#define _UAPI_TCP_TIMELINE_H

#include <linux/types.h>

#define TCPTL_GENL_NAME		"tcp_timeline"
#define TCPTL_GENL_VERSION	4
#define TCPTL_MCGRP_EVENTS	"events"

enum tcptl_cmd {
	TCPTL_CMD_UNSPEC,
	TCPTL_CMD_GET_STATS,
	TCPTL_CMD_GET_FILTER,
	TCPTL_CMD_SET_FILTER,
	TCPTL_CMD_EVENTS,	/* notification only */
	__TCPTL_CMD_MAX,
};
#define TCPTL_CMD_MAX (__TCPTL_CMD_MAX - 1)

/* Top-level attributes. */
enum tcptl_attr {
	TCPTL_A_UNSPEC,
	TCPTL_A_RECORDS,		/* binary: struct tcptl_records, then
					 * COUNT records */
	TCPTL_A_STATS,			/* nest: TCPTL_STATS_A_* */
	TCPTL_A_FILTER,			/* nest: TCPTL_FILTER_A_* */
	TCPTL_A_CLOCK_OFFSET_NS,	/* s64 as u64: CLOCK_REALTIME minus
					 * CLOCK_MONOTONIC when the message was
					 * built; wall time = TIME_NS + offset */
	TCPTL_A_PAD,
	__TCPTL_A_MAX,
};
#define TCPTL_A_MAX (__TCPTL_A_MAX - 1)

/* What a record is about. */
enum tcptl_event_type {
	TCPTL_EVENT_UNSPEC,
	TCPTL_EVENT_STATE,	/* a state transition: OLDSTATE -> NEWSTATE */
	TCPTL_EVENT_RESET_SENT,	/* this socket sent a RST */
	TCPTL_EVENT_RESET_RECEIVED, /* this socket received a RST */
	TCPTL_EVENT_LOST,	/* LOST_COUNT records lost on CPU (buffer full) */
	TCPTL_EVENT_TW_OVERFLOW, /* tcp_max_tw_buckets reached: this connection
				  * closes without a TIME_WAIT */
	TCPTL_EVENT_ACCEPT,	/* accept() handed this child to PID/COMM */
	__TCPTL_EVENT_MAX,
};
#define TCPTL_EVENT_MAX (__TCPTL_EVENT_MAX - 1)

/*
 * TCP states: the kernel's own numbering (include/net/tcp_states.h), which
 * /proc/net/tcp and inet_diag also expose.
 */
enum tcptl_state {
	TCPTL_STATE_ESTABLISHED = 1,
	TCPTL_STATE_SYN_SENT,
	TCPTL_STATE_SYN_RECV,
	TCPTL_STATE_FIN_WAIT1,
	TCPTL_STATE_FIN_WAIT2,
	TCPTL_STATE_TIME_WAIT,
	TCPTL_STATE_CLOSE,
	TCPTL_STATE_CLOSE_WAIT,
	TCPTL_STATE_LAST_ACK,
	TCPTL_STATE_LISTEN,
	TCPTL_STATE_CLOSING,
	TCPTL_STATE_NEW_SYN_RECV,
	__TCPTL_STATE_MAX,
};
#define TCPTL_STATE_MAX (__TCPTL_STATE_MAX - 1)

/* struct tcptl_record's FLAGS */
enum tcptl_event_flags {
	/* PID/COMM name the task whose system call made the transition */
	TCPTL_EVF_TASK_CONTEXT		= 1 << 0,
	/* SYN_SENT before the local port was chosen (no tcp_connect probe) */
	TCPTL_EVF_PORT_PENDING		= 1 << 1,
	/* the record is about the timewait socket of this connection */
	TCPTL_EVF_TIMEWAIT		= 1 << 2,
	/* an IPv6 socket talking IPv4 (v4-mapped); addresses shown as IPv4 */
	TCPTL_EVF_V4MAPPED		= 1 << 3,
	/* a passive child whose identity was taken from its next transition */
	TCPTL_EVF_CHILD_IDENTITY	= 1 << 4,
	/* UID and INO are valid (a full socket's record) */
	TCPTL_EVF_OWNER			= 1 << 5,
	/* BYTES_ACKED .. RCV_QUEUE are valid */
	TCPTL_EVF_COUNTERS		= 1 << 6,
};

/* TIME_WAIT end reasons (TW_REASON). */
enum tcptl_tw_reason {
	TCPTL_TW_REASON_UNSPEC,
	TCPTL_TW_REASON_EXPIRED,	/* the timer ran out */
	TCPTL_TW_REASON_REUSED,		/* taken over by a new connection */
	TCPTL_TW_REASON_RESET,		/* killed by an incoming RST */
	TCPTL_TW_REASON_SYN,		/* killed by an incoming SYN */
	TCPTL_TW_REASON_ABORTED,	/* ss -K / sock_destroy */
	TCPTL_TW_REASON_NETNS_EXIT,	/* its namespace went away */
	TCPTL_TW_REASON_SEGMENT,	/* an unacceptable segment, answered
					 * with a RST */
	__TCPTL_TW_REASON_MAX,
};
#define TCPTL_TW_REASON_MAX (__TCPTL_TW_REASON_MAX - 1)

/*
 * TCPTL_A_RECORDS: this header, then COUNT records of RECORD_SIZE bytes
 * each, back to back. RECORD_SIZE is at least TCPTL_RECORD_SIZE and a
 * multiple of 8.
 */
struct tcptl_records {
	__u16 record_size;
	__u16 count;
	__u32 reserved;		/* 0 */
};

union tcptl_record_addr {
	__be32 v4;		/* AF_INET */
	__u8 v6[16];		/* AF_INET6 */
};

/*
 * One record: what a hook saw, as the module's buffers hold it. Fields are
 * ordered by size so that none needs padding.
 */
struct tcptl_record {
	__u64 seq;		/* per CPU */
	__u64 time_ns;		/* CLOCK_MONOTONIC */
	__u64 cookie;		/* socket cookie */
	__u64 ino;		/* socket inode, 0 once orphaned (OWNER) */
	union {
		__u64 bytes_acked;	/* COUNTERS */
		__u64 lost_count;	/* TCPTL_EVENT_LOST only */
	};
	__u64 bytes_received;	/* COUNTERS */
	union tcptl_record_addr saddr;	/* network order */
	union tcptl_record_addr daddr;	/* network order */
	__u32 cpu;		/* the CPU whose buffer it came from */
	__u32 netns;		/* network namespace inode */
	__u32 flags;		/* enum tcptl_event_flags */
	__u32 pid;		/* tgid (TASK_CONTEXT) */
	__u32 uid;		/* socket owner uid (OWNER) */
	__u32 segs_in;		/* COUNTERS, and the four below */
	__u32 segs_out;
	__u32 total_retrans;
	__u32 srtt_us;		/* smoothed RTT */
	__u32 rcv_queue;	/* bytes received, not yet read */
	__u16 sport;		/* host order */
	__u16 dport;		/* host order */
	__u8 type;		/* enum tcptl_event_type */
	__u8 family;		/* AF_INET or AF_INET6 */
	__u8 oldstate;		/* enum tcptl_state */
	__u8 newstate;		/* enum tcptl_state */
	__u8 tw_reason;		/* enum tcptl_tw_reason */
	__u8 error;		/* sk_err of a STATE record to CLOSE (Error) */
	__u8 reserved[2];	/* 0 */
	char comm[16];		/* NUL-terminated (TASK_CONTEXT) */
	__u32 reserved2;	/* 0 */
};

/* The record this header describes; RECORD_SIZE is at least this. */
#define TCPTL_RECORD_SIZE	152

/* Bits of TCPTL_STATS_A_HOOKS: which probes are attached. */
enum tcptl_hook {
	TCPTL_HOOK_SET_STATE	= 1 << 0, /* tracepoint inet_sock_set_state */
	TCPTL_HOOK_CONNECT	= 1 << 1, /* kprobe tcp_connect (SYN_SENT port) */
	TCPTL_HOOK_SEND_RESET	= 1 << 2, /* tracepoint tcp_send_reset */
	TCPTL_HOOK_RECV_RESET	= 1 << 3, /* tracepoint tcp_receive_reset */
	TCPTL_HOOK_TW_ENTER	= 1 << 4, /* kprobe inet_twsk_hashdance* */
	TCPTL_HOOK_TW_EXIT	= 1 << 5, /* kprobe inet_twsk_kill */
	TCPTL_HOOK_TW_OVERFLOW	= 1 << 6, /* kretprobe inet_twsk_alloc */
	TCPTL_HOOK_ACCEPT	= 1 << 7, /* kretprobe inet_csk_accept */
};

/* Module statistics, nested in TCPTL_A_STATS. Counters are since load. */
enum tcptl_stats_attr {
	TCPTL_STATS_A_UNSPEC,
	TCPTL_STATS_A_SEEN,		/* u64, TCP events the hooks saw */
	TCPTL_STATS_A_FILTERED,		/* u64, dropped by the filter */
	TCPTL_STATS_A_NO_LISTENER,	/* u64, not produced: nobody listening */
	TCPTL_STATS_A_PRODUCED,		/* u64, records given a sequence no. */
	TCPTL_STATS_A_LOST,		/* u64, produced but lost: buffer full */
	TCPTL_STATS_A_DELIVERED,	/* u64, records multicast */
	TCPTL_STATS_A_DELIVERY_FAILED,	/* u64, records in messages netlink
					 * could not queue to some reader */
	TCPTL_STATS_A_MESSAGES,		/* u64, netlink messages sent */
	TCPTL_STATS_A_BUFFER_SIZE,	/* u32, records per CPU buffer */
	TCPTL_STATS_A_FLUSH_INTERVAL_MS, /* u32 */
	TCPTL_STATS_A_HOOKS,		/* u32, enum tcptl_hook: attached */
	TCPTL_STATS_A_HOOKS_MISSING,	/* u32, enum tcptl_hook: unavailable */
	TCPTL_STATS_A_NR_CPUS,		/* u32, buffers allocated */
	TCPTL_STATS_A_MEMORY_BYTES,	/* u64, buffer memory */
	TCPTL_STATS_A_PAD,
	TCPTL_STATS_A_UNCLAIMED,	/* u64, produced, but no reader was left
					 * when they were flushed */
	TCPTL_STATS_A_PROBE_MISSED,	/* u64, return probes (accept, TIME_WAIT
					 * segment and overflow) that could not
					 * run: more tasks inside the function
					 * than the probe has instances */
	__TCPTL_STATS_A_MAX,
};
#define TCPTL_STATS_A_MAX (__TCPTL_STATS_A_MAX - 1)

/*
 * The filter, nested in TCPTL_A_FILTER. A record passes when every field
 * that is set matches; a field given several times (ports, CIDRs) matches if
 * any of its values does. Ports and CIDRs are inclusive ranges/prefixes.
 * A PORT_PENDING SYN_SENT record passes local-port tests (its port is not
 * known yet); its PORT record is tested when it comes.
 */
enum tcptl_filter_attr {
	TCPTL_FILTER_A_UNSPEC,
	TCPTL_FILTER_A_PORT,		/* nest TCPTL_RANGE_A_*: either side */
	TCPTL_FILTER_A_LPORT,		/* nest TCPTL_RANGE_A_*: local port */
	TCPTL_FILTER_A_RPORT,		/* nest TCPTL_RANGE_A_*: remote port */
	TCPTL_FILTER_A_LADDR,		/* nest TCPTL_CIDR_A_*: local address */
	TCPTL_FILTER_A_RADDR,		/* nest TCPTL_CIDR_A_*: remote address */
	TCPTL_FILTER_A_STATES,		/* u32, bit (1 << state): old or new */
	TCPTL_FILTER_A_NETNS,		/* u32, network namespace inode */
	TCPTL_FILTER_A_FAMILY,		/* u8, AF_INET or AF_INET6 */
	__TCPTL_FILTER_A_MAX,
};
#define TCPTL_FILTER_A_MAX (__TCPTL_FILTER_A_MAX - 1)

/* At most this many ranges per port field and prefixes per address field. */
#define TCPTL_FILTER_MAX_VALUES	8

enum tcptl_range_attr {
	TCPTL_RANGE_A_UNSPEC,
	TCPTL_RANGE_A_LO,		/* u16 */
	TCPTL_RANGE_A_HI,		/* u16, >= LO; LO alone means LO..LO */
	__TCPTL_RANGE_A_MAX,
};
#define TCPTL_RANGE_A_MAX (__TCPTL_RANGE_A_MAX - 1)

enum tcptl_cidr_attr {
	TCPTL_CIDR_A_UNSPEC,
	TCPTL_CIDR_A_ADDR,		/* binary, 4 (IPv4) or 16 (IPv6) bytes */
	TCPTL_CIDR_A_PREFIX,		/* u8, at most 32 or 128 */
	__TCPTL_CIDR_A_MAX,
};
#define TCPTL_CIDR_A_MAX (__TCPTL_CIDR_A_MAX - 1)

#endif /* _UAPI_TCP_TIMELINE_H */
