// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "decode.h"
#include "tcp_timeline.h"

/* Expected payload size of each attribute; 0: variable, checked apart. */
static const uint8_t ev_attr_len[TCPTL_EV_A_MAX + 1] = {
	[TCPTL_EV_A_TYPE] = 1, [TCPTL_EV_A_CPU] = 4, [TCPTL_EV_A_SEQ] = 8,
	[TCPTL_EV_A_TIME_NS] = 8, [TCPTL_EV_A_COOKIE] = 8,
	[TCPTL_EV_A_NETNS] = 4, [TCPTL_EV_A_FAMILY] = 1,
	[TCPTL_EV_A_SPORT] = 2, [TCPTL_EV_A_DPORT] = 2,
	[TCPTL_EV_A_OLDSTATE] = 1, [TCPTL_EV_A_NEWSTATE] = 1,
	[TCPTL_EV_A_FLAGS] = 4, [TCPTL_EV_A_PID] = 4, [TCPTL_EV_A_UID] = 4,
	[TCPTL_EV_A_INO] = 8, [TCPTL_EV_A_BYTES_ACKED] = 8,
	[TCPTL_EV_A_BYTES_RECEIVED] = 8, [TCPTL_EV_A_SEGS_IN] = 4,
	[TCPTL_EV_A_SEGS_OUT] = 4, [TCPTL_EV_A_TOTAL_RETRANS] = 4,
	[TCPTL_EV_A_SRTT_US] = 4, [TCPTL_EV_A_RCV_QUEUE] = 4,
	[TCPTL_EV_A_LOST_COUNT] = 8, [TCPTL_EV_A_TW_REASON] = 1,
};

/*
 * The record walk below runs for every attribute of every record: about 25
 * per record, millions of records a second. libmnl's accessors are calls
 * into a shared library (six per attribute), which took half the replay
 * benchmark's time; these inline ones do the same checks (mnl_attr_ok,
 * mnl_attr_next) on struct nlattr directly.
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

/* The lengths were checked against ev_attr_len: copy exactly that much. */
static inline uint8_t get_u8(const struct nlattr *a)
{
	return *(const uint8_t *)attr_data(a);
}

static inline uint16_t get_u16(const struct nlattr *a)
{
	uint16_t v;

	memcpy(&v, attr_data(a), sizeof(v));
	return v;
}

static inline uint32_t get_u32(const struct nlattr *a)
{
	uint32_t v;

	memcpy(&v, attr_data(a), sizeof(v));
	return v;
}

static inline uint64_t get_u64(const struct nlattr *a)
{
	uint64_t v;

	memcpy(&v, attr_data(a), sizeof(v));
	return v;
}

static int put_addr(const struct nlattr *a, union tcptl_ip *ip, uint8_t *len)
{
	uint16_t n = attr_len(a);

	if (n != 4 && n != 16)
		return -EINVAL;
	memcpy(ip, attr_data(a), n);
	*len = (uint8_t)n;
	return 0;
}

int tcptl_decode_event_attrs(const void *payload, size_t len,
			     struct tcptl_event *ev)
{
	const char *end = (const char *)payload + len;
	const struct nlattr *a;
	uint8_t slen = 0, dlen = 0;
	bool has_type = false;

	memset(ev, 0, sizeof(*ev));
	for (a = payload; attr_ok(a, end); a = attr_next(a)) {
		uint16_t type = attr_type(a);
		uint16_t plen = attr_len(a);

		if (type > TCPTL_EV_A_MAX)
			continue;	/* newer module: ignore what we don't know */
		if (ev_attr_len[type] && plen != ev_attr_len[type])
			return -EINVAL;
		switch (type) {
		case TCPTL_EV_A_TYPE: ev->type = get_u8(a); has_type = true; break;
		case TCPTL_EV_A_CPU: ev->cpu = get_u32(a); break;
		case TCPTL_EV_A_SEQ: ev->seq = get_u64(a); ev->has_seq = true; break;
		case TCPTL_EV_A_TIME_NS: ev->time_ns = get_u64(a); break;
		case TCPTL_EV_A_COOKIE: ev->cookie = get_u64(a); break;
		case TCPTL_EV_A_NETNS: ev->netns = get_u32(a); break;
		case TCPTL_EV_A_FAMILY: ev->family = get_u8(a); break;
		case TCPTL_EV_A_SADDR: if (put_addr(a, &ev->saddr, &slen)) return -EINVAL; break;
		case TCPTL_EV_A_DADDR: if (put_addr(a, &ev->daddr, &dlen)) return -EINVAL; break;
		case TCPTL_EV_A_SPORT: ev->sport = get_u16(a); break;
		case TCPTL_EV_A_DPORT: ev->dport = get_u16(a); break;
		case TCPTL_EV_A_OLDSTATE: ev->oldstate = get_u8(a); break;
		case TCPTL_EV_A_NEWSTATE: ev->newstate = get_u8(a); break;
		case TCPTL_EV_A_FLAGS: ev->flags = get_u32(a); break;
		case TCPTL_EV_A_PID: ev->pid = get_u32(a); ev->has_pid = true; break;
		case TCPTL_EV_A_COMM:
			if (plen == 0 || plen > sizeof(ev->comm))
				return -EINVAL;
			memcpy(ev->comm, attr_data(a), plen);
			ev->comm[plen - 1] = '\0';
			break;
		case TCPTL_EV_A_UID: ev->uid = get_u32(a); ev->has_sock = true; break;
		case TCPTL_EV_A_INO: ev->ino = get_u64(a); break;
		case TCPTL_EV_A_BYTES_ACKED: ev->bytes_acked = get_u64(a); break;
		case TCPTL_EV_A_BYTES_RECEIVED: ev->bytes_received = get_u64(a); break;
		case TCPTL_EV_A_SEGS_IN: ev->segs_in = get_u32(a); break;
		case TCPTL_EV_A_SEGS_OUT: ev->segs_out = get_u32(a); break;
		case TCPTL_EV_A_TOTAL_RETRANS: ev->total_retrans = get_u32(a); break;
		case TCPTL_EV_A_SRTT_US: ev->srtt_us = get_u32(a); break;
		case TCPTL_EV_A_RCV_QUEUE: ev->rcv_queue = get_u32(a); break;
		case TCPTL_EV_A_LOST_COUNT: ev->lost_count = get_u64(a); break;
		case TCPTL_EV_A_TW_REASON: ev->tw_reason = get_u8(a); break;
		default: break;
		}
	}
	/* A truncated or overlong attribute leaves bytes the loop did not take. */
	if (end - (const char *)a > 0)
		return -EINVAL;
	if (!has_type)
		return -EINVAL;
	if (ev->type == TCPTL_EVENT_LOST)
		return 0;
	if (!ev->has_seq)
		return -EINVAL;
	if ((ev->family == AF_INET && (slen != 4 || dlen != 4)) ||
	    (ev->family == AF_INET6 && (slen != 16 || dlen != 16)) ||
	    (ev->family != AF_INET && ev->family != AF_INET6))
		return -EINVAL;
	return 0;
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
		struct tcptl_event ev;

		if (attr_type(a) != TCPTL_A_EVENT)
			continue;
		if (tcptl_decode_event_attrs(attr_data(a), attr_len(a), &ev)) {
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
