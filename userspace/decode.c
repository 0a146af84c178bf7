// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "decode.h"
#include "tcp_timeline.h"

/* The layout the uapi header documents (the module asserts the same). */
_Static_assert(sizeof(struct tcptl_record) == TCPTL_RECORD_SIZE, "record size");
_Static_assert(sizeof(struct tcptl_record) % 8 == 0, "record alignment");
_Static_assert(offsetof(struct tcptl_record, saddr) == 48, "record layout");
_Static_assert(offsetof(struct tcptl_record, cpu) == 80, "record layout");
_Static_assert(offsetof(struct tcptl_record, sport) == 120, "record layout");
_Static_assert(offsetof(struct tcptl_record, type) == 124, "record layout");
_Static_assert(offsetof(struct tcptl_record, comm) == 132, "record layout");
_Static_assert(sizeof(struct tcptl_records) == 8, "records header");

/*
 * The checks of libmnl's mnl_attr_ok/mnl_attr_next, inline: the top-level
 * walk runs for every message, thousands a second.
 */
static inline bool attr_ok(const struct nlattr *a, const char *end)
{
	ptrdiff_t left = end - (const char *)a;

	return left >= (ptrdiff_t)sizeof(*a) && a->nla_len >= sizeof(*a) &&
	       (ptrdiff_t)a->nla_len <= left;
}

static inline const struct nlattr *attr_next(const struct nlattr *a)
{
	return (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len));
}

static inline uint16_t attr_type(const struct nlattr *a)
{
	return a->nla_type & NLA_TYPE_MASK;
}

static inline const void *attr_data(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static inline uint16_t attr_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

static inline uint64_t get_u64(const struct nlattr *a)
{
	uint64_t v;

	memcpy(&v, attr_data(a), sizeof(v));
	return v;
}

int tcptl_decode_record(const struct tcptl_record *r, struct tcptl_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = r->type;
	ev->cpu = r->cpu;
	ev->time_ns = r->time_ns;
	if (r->type == TCPTL_EVENT_LOST) {
		ev->lost_count = r->lost_count;
		return 0;
	}
	if (!r->type || (r->family != AF_INET && r->family != AF_INET6))
		return -EINVAL;
	ev->seq = r->seq;
	ev->has_seq = true;
	ev->cookie = r->cookie;
	ev->netns = r->netns;
	ev->family = r->family;
	memcpy(&ev->saddr, &r->saddr, r->family == AF_INET ? 4 : 16);
	memcpy(&ev->daddr, &r->daddr, r->family == AF_INET ? 4 : 16);
	ev->sport = r->sport;
	ev->dport = r->dport;
	ev->oldstate = r->oldstate;
	ev->newstate = r->newstate;
	ev->flags = r->flags;
	ev->tw_reason = r->tw_reason;
	ev->error = r->error;
	if (r->flags & TCPTL_EVF_TASK_CONTEXT) {
		ev->has_pid = true;
		ev->pid = r->pid;
		memcpy(ev->comm, r->comm, sizeof(ev->comm));
		ev->comm[sizeof(ev->comm) - 1] = '\0';
	}
	if (r->flags & TCPTL_EVF_OWNER) {
		ev->has_owner = true;
		ev->uid = r->uid;
		ev->ino = r->ino;
	}
	if (r->flags & TCPTL_EVF_COUNTERS) {
		ev->has_counters = true;
		ev->bytes_acked = r->bytes_acked;
		ev->bytes_received = r->bytes_received;
		ev->segs_in = r->segs_in;
		ev->segs_out = r->segs_out;
		ev->total_retrans = r->total_retrans;
		ev->srtt_us = r->srtt_us;
		ev->rcv_queue = r->rcv_queue;
	}
	return 0;
}

int tcptl_decode_records(const void *payload, size_t len, int64_t offset,
			 tcptl_event_cb cb, void *arg,
			 struct tcptl_decode_counts *counts)
{
	const char *p = payload;
	struct tcptl_records head;
	size_t fit, take, i;
	int ret = 0;

	if (len < sizeof(head)) {
		counts->invalid++;
		return -EINVAL;
	}
	memcpy(&head, p, sizeof(head));
	p += sizeof(head);
	len -= sizeof(head);
	/* A record smaller than this reader's, or not 8-aligned: unreadable. */
	if (head.record_size < sizeof(struct tcptl_record) || head.record_size % 8) {
		counts->invalid += head.count ? head.count : 1;
		return -EINVAL;
	}
	fit = len / head.record_size;
	take = head.count < fit ? head.count : fit;
	if (head.count > fit) {		/* COUNT beyond the attribute */
		counts->invalid += head.count - fit;
		ret = -EINVAL;
	} else if (len != (size_t)head.count * head.record_size) {
		counts->invalid++;	/* bytes no record accounts for */
		ret = -EINVAL;
	}
	for (i = 0; i < take; i++, p += head.record_size) {
		struct tcptl_record r;
		struct tcptl_event ev;

		/* the prefix this reader knows; a newer module's fields skipped */
		memcpy(&r, p, sizeof(r));
		if (tcptl_decode_record(&r, &ev)) {
			counts->invalid++;
			ret = -EINVAL;
			continue;
		}
		ev.clock_offset_ns = offset;
		counts->records++;
		cb(&ev, arg);
	}
	return ret;
}

int tcptl_decode_events(const struct nlmsghdr *nlh, tcptl_event_cb cb,
			void *arg, struct tcptl_decode_counts *counts)
{
	const char *start = (const char *)nlh + NLMSG_HDRLEN + NLMSG_ALIGN(GENL_HDRLEN);
	const char *end = (const char *)nlh + nlh->nlmsg_len;
	const struct nlattr *a;
	int64_t offset = 0;
	int ret = 0;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return -EINVAL;
	for (a = (const void *)start; attr_ok(a, end); a = attr_next(a)) {
		if (attr_type(a) == TCPTL_A_CLOCK_OFFSET_NS && attr_len(a) == 8)
			offset = (int64_t)get_u64(a);
	}
	for (a = (const void *)start; attr_ok(a, end); a = attr_next(a)) {
		if (attr_type(a) != TCPTL_A_RECORDS)
			continue;
		if (tcptl_decode_records(attr_data(a), attr_len(a), offset, cb, arg, counts))
			ret = -EINVAL;
	}
	/* A truncated attribute leaves bytes the walk did not take. */
	if (end - (const char *)a > 0) {
		counts->invalid++;
		ret = -EINVAL;
	}
	return ret;
}

int tcptl_decode_stats(const struct nlmsghdr *nlh, struct tcptl_stats *st)
{
	const struct nlattr *a, *n;

	memset(st, 0, sizeof(*st));
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) != TCPTL_A_STATS)
			continue;
		mnl_attr_for_each_nested(n, a) {
			uint16_t len = mnl_attr_get_payload_len(n);
			uint64_t v = len == 8 ? get_u64(n) : len == 4 ? mnl_attr_get_u32(n) : 0;

			switch (mnl_attr_get_type(n)) {
			case TCPTL_STATS_A_SEEN: st->seen = v; break;
			case TCPTL_STATS_A_FILTERED: st->filtered = v; break;
			case TCPTL_STATS_A_NO_LISTENER: st->no_listener = v; break;
			case TCPTL_STATS_A_PRODUCED: st->produced = v; break;
			case TCPTL_STATS_A_LOST: st->lost = v; break;
			case TCPTL_STATS_A_DELIVERED: st->delivered = v; break;
			case TCPTL_STATS_A_DELIVERY_FAILED: st->delivery_failed = v; break;
			case TCPTL_STATS_A_UNCLAIMED: st->unclaimed = v; break;
			case TCPTL_STATS_A_MESSAGES: st->messages = v; break;
			case TCPTL_STATS_A_MEMORY_BYTES: st->memory_bytes = v; break;
			case TCPTL_STATS_A_PROBE_MISSED: st->probe_missed = v; break;
			case TCPTL_STATS_A_BUFFER_SIZE: st->buffer_size = (uint32_t)v; break;
			case TCPTL_STATS_A_FLUSH_INTERVAL_MS: st->flush_interval_ms = (uint32_t)v; break;
			case TCPTL_STATS_A_HOOKS: st->hooks = (uint32_t)v; break;
			case TCPTL_STATS_A_HOOKS_MISSING: st->hooks_missing = (uint32_t)v; break;
			case TCPTL_STATS_A_NR_CPUS: st->nr_cpus = (uint32_t)v; break;
			default: break;
			}
		}
		return 0;
	}
	return -EINVAL;
}
