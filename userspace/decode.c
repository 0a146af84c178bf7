// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
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

static uint64_t get_u64(const struct nlattr *a)
{
	uint64_t v;

	memcpy(&v, mnl_attr_get_payload(a), sizeof(v));
	return v;
}

static int put_addr(const struct nlattr *a, union tcptl_ip *ip, uint8_t *len)
{
	uint16_t n = mnl_attr_get_payload_len(a);

	if (n != 4 && n != 16)
		return -EINVAL;
	memcpy(ip, mnl_attr_get_payload(a), n);
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
	for (a = payload; mnl_attr_ok(a, (int)(end - (const char *)a));
	     a = mnl_attr_next(a)) {
		uint16_t type = mnl_attr_get_type(a);
		uint16_t plen = mnl_attr_get_payload_len(a);

		if (mnl_attr_type_valid(a, TCPTL_EV_A_MAX) < 0)
			continue;	/* newer module: ignore what we don't know */
		if (ev_attr_len[type] && plen != ev_attr_len[type])
			return -EINVAL;
		switch (type) {
		case TCPTL_EV_A_TYPE: ev->type = mnl_attr_get_u8(a); has_type = true; break;
		case TCPTL_EV_A_CPU: ev->cpu = mnl_attr_get_u32(a); break;
		case TCPTL_EV_A_SEQ: ev->seq = get_u64(a); ev->has_seq = true; break;
		case TCPTL_EV_A_TIME_NS: ev->time_ns = get_u64(a); break;
		case TCPTL_EV_A_COOKIE: ev->cookie = get_u64(a); break;
		case TCPTL_EV_A_NETNS: ev->netns = mnl_attr_get_u32(a); break;
		case TCPTL_EV_A_FAMILY: ev->family = mnl_attr_get_u8(a); break;
		case TCPTL_EV_A_SADDR: if (put_addr(a, &ev->saddr, &slen)) return -EINVAL; break;
		case TCPTL_EV_A_DADDR: if (put_addr(a, &ev->daddr, &dlen)) return -EINVAL; break;
		case TCPTL_EV_A_SPORT: ev->sport = mnl_attr_get_u16(a); break;
		case TCPTL_EV_A_DPORT: ev->dport = mnl_attr_get_u16(a); break;
		case TCPTL_EV_A_OLDSTATE: ev->oldstate = mnl_attr_get_u8(a); break;
		case TCPTL_EV_A_NEWSTATE: ev->newstate = mnl_attr_get_u8(a); break;
		case TCPTL_EV_A_FLAGS: ev->flags = mnl_attr_get_u32(a); break;
		case TCPTL_EV_A_PID: ev->pid = mnl_attr_get_u32(a); ev->has_pid = true; break;
		case TCPTL_EV_A_COMM:
			if (plen == 0 || plen > sizeof(ev->comm))
				return -EINVAL;
			memcpy(ev->comm, mnl_attr_get_payload(a), plen);
			ev->comm[plen - 1] = '\0';
			break;
		case TCPTL_EV_A_UID: ev->uid = mnl_attr_get_u32(a); ev->has_sock = true; break;
		case TCPTL_EV_A_INO: ev->ino = get_u64(a); break;
		case TCPTL_EV_A_BYTES_ACKED: ev->bytes_acked = get_u64(a); break;
		case TCPTL_EV_A_BYTES_RECEIVED: ev->bytes_received = get_u64(a); break;
		case TCPTL_EV_A_SEGS_IN: ev->segs_in = mnl_attr_get_u32(a); break;
		case TCPTL_EV_A_SEGS_OUT: ev->segs_out = mnl_attr_get_u32(a); break;
		case TCPTL_EV_A_TOTAL_RETRANS: ev->total_retrans = mnl_attr_get_u32(a); break;
		case TCPTL_EV_A_SRTT_US: ev->srtt_us = mnl_attr_get_u32(a); break;
		case TCPTL_EV_A_RCV_QUEUE: ev->rcv_queue = mnl_attr_get_u32(a); break;
		case TCPTL_EV_A_LOST_COUNT: ev->lost_count = get_u64(a); break;
		case TCPTL_EV_A_TW_REASON: ev->tw_reason = mnl_attr_get_u8(a); break;
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
	const struct nlattr *a;
	int64_t offset = 0;
	int ret = 0;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return -EINVAL;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) == TCPTL_A_CLOCK_OFFSET_NS &&
		    mnl_attr_get_payload_len(a) == 8)
			offset = (int64_t)get_u64(a);
	}
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		struct tcptl_event ev;

		if (mnl_attr_get_type(a) != TCPTL_A_EVENT)
			continue;
		if (tcptl_decode_event_attrs(mnl_attr_get_payload(a),
					     mnl_attr_get_payload_len(a), &ev)) {
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
