// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family: requests (statistics, filter) and the events
 * multicast group. The family exists in the initial network namespace only,
 * so events of every namespace reach only readers there, and only those
 * with CAP_NET_ADMIN may join the group or send a request.
 */

#include <linux/atomic.h>
#include <linux/ktime.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>

#include "compat.h"
#include "filter.h"
#include "netlink.h"
#include "probe.h"
#include "ring.h"
#include "tcp_timeline.h"

/*
 * Payload of one events message: many records, yet with the netlink and
 * skb overhead the buffer still fits a 16 KiB allocation.
 */
#define TCPTL_BATCH_BYTES	(16384 - 1024)

enum tcptl_group {
	TCPTL_GROUP_EVENTS,
};

static atomic64_t tcptl_delivered = ATOMIC64_INIT(0);
static atomic64_t tcptl_delivery_failed = ATOMIC64_INIT(0);
static atomic64_t tcptl_unclaimed = ATOMIC64_INIT(0);
static atomic64_t tcptl_messages = ATOMIC64_INIT(0);

static struct genl_family tcptl_family;

/* Requests carry no attributes but the ones their policy names. */
static const struct nla_policy tcptl_empty_policy[TCPTL_A_MAX + 1] = {
};

static const struct nla_policy tcptl_set_filter_policy[TCPTL_A_MAX + 1] = {
	[TCPTL_A_FILTER] = NLA_POLICY_NESTED(tcptl_filter_policy),
};

bool tcptl_netlink_listening(void)
{
	return genl_has_listeners(&tcptl_family, &init_net, TCPTL_GROUP_EVENTS);
}

static int tcptl_put_stats(struct sk_buff *msg)
{
	struct tcptl_ring_stats st;
	struct nlattr *nest;
	u32 attached, missing;

	tcptl_ring_get_stats(&st);
	tcptl_probe_hooks(&attached, &missing);
	nest = nla_nest_start(msg, TCPTL_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(msg, TCPTL_STATS_A_SEEN, st.seen,
			      TCPTL_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, TCPTL_STATS_A_FILTERED, st.filtered,
			      TCPTL_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, TCPTL_STATS_A_NO_LISTENER, st.no_listener,
			      TCPTL_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, TCPTL_STATS_A_UNCLAIMED,
			      atomic64_read(&tcptl_unclaimed),
			      TCPTL_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, TCPTL_STATS_A_PRODUCED, st.produced,
			      TCPTL_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, TCPTL_STATS_A_LOST, st.lost,
			      TCPTL_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, TCPTL_STATS_A_DELIVERED,
			      atomic64_read(&tcptl_delivered),
			      TCPTL_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, TCPTL_STATS_A_DELIVERY_FAILED,
			      atomic64_read(&tcptl_delivery_failed),
			      TCPTL_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, TCPTL_STATS_A_MESSAGES,
			      atomic64_read(&tcptl_messages),
			      TCPTL_STATS_A_PAD) ||
	    nla_put_u32(msg, TCPTL_STATS_A_BUFFER_SIZE, tcptl_ring_size()) ||
	    nla_put_u32(msg, TCPTL_STATS_A_FLUSH_INTERVAL_MS,
			tcptl_ring_flush_ms()) ||
	    nla_put_u32(msg, TCPTL_STATS_A_HOOKS, attached) ||
	    nla_put_u32(msg, TCPTL_STATS_A_HOOKS_MISSING, missing) ||
	    nla_put_u32(msg, TCPTL_STATS_A_NR_CPUS, st.nr_cpus) ||
	    nla_put_u64_64bit(msg, TCPTL_STATS_A_MEMORY_BYTES, st.memory_bytes,
			      TCPTL_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, TCPTL_STATS_A_PROBE_MISSED,
			      tcptl_probe_missed(), TCPTL_STATS_A_PAD))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int tcptl_reply(struct genl_info *info, u8 cmd,
		       int (*put)(struct sk_buff *msg))
{
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &tcptl_family, 0, cmd);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err_free;
	}
	err = put(msg);
	if (err)
		goto err_free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return err;
}

static int tcptl_nl_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	/*
	 * Flush first: the requester has then been sent every record produced
	 * before its request, and the counters add up (produced = delivered +
	 * lost + delivery_failed + unclaimed) whenever nothing is produced
	 * meanwhile.
	 */
	tcptl_ring_flush_now();
	return tcptl_reply(info, TCPTL_CMD_GET_STATS, tcptl_put_stats);
}

static int tcptl_nl_get_filter(struct sk_buff *skb, struct genl_info *info)
{
	return tcptl_reply(info, TCPTL_CMD_GET_FILTER, tcptl_filter_put);
}

static int tcptl_nl_set_filter(struct sk_buff *skb, struct genl_info *info)
{
	return tcptl_filter_set(info->attrs[TCPTL_A_FILTER], info->extack);
}

static const struct genl_ops tcptl_ops[] = {
	{
		.cmd	= TCPTL_CMD_GET_STATS,
		.doit	= tcptl_nl_get_stats,
		.policy	= tcptl_empty_policy,
		.maxattr = TCPTL_A_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= TCPTL_CMD_GET_FILTER,
		.doit	= tcptl_nl_get_filter,
		.policy	= tcptl_empty_policy,
		.maxattr = TCPTL_A_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= TCPTL_CMD_SET_FILTER,
		.doit	= tcptl_nl_set_filter,
		.policy	= tcptl_set_filter_policy,
		.maxattr = TCPTL_A_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group tcptl_mcgrps[] = {
	[TCPTL_GROUP_EVENTS] = {
		.name	= TCPTL_MCGRP_EVENTS,
		.flags	= TCPTL_MCGRP_FLAGS,
	},
};

static struct genl_family tcptl_family __ro_after_init = {
	.name		= TCPTL_GENL_NAME,
	.version	= TCPTL_GENL_VERSION,
	.module		= THIS_MODULE,
	.netnsok	= false,
	.ops		= tcptl_ops,
	.n_ops		= ARRAY_SIZE(tcptl_ops),
	.mcgrps		= tcptl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(tcptl_mcgrps),
};

void tcptl_batch_init(struct tcptl_batch *batch, unsigned int expected)
{
	batch->skb = NULL;
	batch->hdr = NULL;
	batch->records = 0;
	batch->expected = expected;
}

static int tcptl_record_max_bytes(void);

/*
 * A message as large as the records still to come need, up to the batch
 * size: every byte allocated is zeroed (init_on_alloc, on in Debian's
 * kernels) and counts against the reader's receive buffer, and at low
 * rates a flush carries a record or two.
 */
static size_t tcptl_batch_bytes(const struct tcptl_batch *batch)
{
	size_t want = nla_total_size_64bit(sizeof(u64)) +
		      (size_t)batch->expected * tcptl_record_max_bytes();

	return batch->expected && want < TCPTL_BATCH_BYTES ? want :
							     TCPTL_BATCH_BYTES;
}

static int tcptl_batch_start(struct tcptl_batch *batch)
{
	s64 offset = ktime_get_real_ns() - tcptl_clock_ns();

	batch->skb = genlmsg_new(tcptl_batch_bytes(batch), GFP_KERNEL);
	if (!batch->skb)
		return -ENOMEM;
	batch->hdr = genlmsg_put(batch->skb, 0, 0, &tcptl_family, 0,
				 TCPTL_CMD_EVENTS);
	if (!batch->hdr ||
	    nla_put_u64_64bit(batch->skb, TCPTL_A_CLOCK_OFFSET_NS, (u64)offset,
			      TCPTL_A_PAD)) {
		nlmsg_free(batch->skb);
		batch->skb = NULL;
		return -EMSGSIZE;
	}
	batch->records = 0;
	return 0;
}

void tcptl_batch_send(struct tcptl_batch *batch)
{
	unsigned int n = batch->records;
	int err;

	if (!batch->skb)
		return;
	genlmsg_end(batch->skb, batch->hdr);
	err = genlmsg_multicast_netns(&tcptl_family, &init_net, batch->skb, 0,
				      TCPTL_GROUP_EVENTS, GFP_KERNEL);
	atomic64_inc(&tcptl_messages);
	if (!err)
		atomic64_add(n, &tcptl_delivered);
	else if (err == -ESRCH)
		atomic64_add(n, &tcptl_unclaimed);
	else
		atomic64_add(n, &tcptl_delivery_failed);
	batch->skb = NULL;
	batch->hdr = NULL;
	batch->records = 0;
}

/*
 * The flush worker writes about 25 attributes per record, tens of thousands
 * of records a second. An nla_put_*() call per attribute, each checking the
 * room left, was most of the worker's time; instead the room for the
 * largest record is checked once and the attributes are written in place,
 * byte for byte what nla_put_*() writes (padding included).
 */
struct tcptl_attr_writer {
	char *pos;
};

static __always_inline void tcptl_w_put(struct tcptl_attr_writer *w, int type,
					const void *data, int len)
{
	struct nlattr *nla = (struct nlattr *)w->pos;

	nla->nla_type = type;
	nla->nla_len = nla_attr_size(len);
	memcpy(nla_data(nla), data, len);
	memset((char *)nla_data(nla) + len, 0, nla_padlen(len));
	w->pos += nla_total_size(len);
}

static __always_inline void tcptl_w_u8(struct tcptl_attr_writer *w, int type,
				       u8 v)
{
	tcptl_w_put(w, type, &v, sizeof(v));
}

static __always_inline void tcptl_w_u16(struct tcptl_attr_writer *w, int type,
					u16 v)
{
	tcptl_w_put(w, type, &v, sizeof(v));
}

static __always_inline void tcptl_w_u32(struct tcptl_attr_writer *w, int type,
					u32 v)
{
	tcptl_w_put(w, type, &v, sizeof(v));
}

static __always_inline void tcptl_w_u64(struct tcptl_attr_writer *w, int type,
					u64 v)
{
	/* nla_put_u64_64bit()'s pad, where unaligned access is slow */
	if (!IS_ENABLED(CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS) &&
	    IS_ALIGNED((unsigned long)w->pos, 8)) {
		struct nlattr *pad = (struct nlattr *)w->pos;

		pad->nla_type = TCPTL_EV_A_PAD;
		pad->nla_len = nla_attr_size(0);
		w->pos += nla_total_size(0);
	}
	tcptl_w_put(w, type, &v, sizeof(v));
}

/* The largest record tcptl_put_record() writes. */
static int tcptl_record_max_bytes(void)
{
	return nla_total_size(0) +				/* nest */
	       5 * nla_total_size(sizeof(u8)) +
	       2 * nla_total_size(sizeof(u16)) +
	       10 * nla_total_size(sizeof(u32)) +
	       6 * nla_total_size_64bit(sizeof(u64)) +
	       2 * nla_total_size(sizeof(struct in6_addr)) +
	       nla_total_size(TASK_COMM_LEN);
}

static int tcptl_put_record(struct sk_buff *skb, const void *arg,
			    unsigned int cpu)
{
	const struct tcptl_record *r = arg;
	int addr_len = r->family == AF_INET ? sizeof(r->saddr.v4) :
					      sizeof(r->saddr.v6);
	struct tcptl_attr_writer w;
	struct nlattr *ev;

	if (skb_tailroom(skb) < tcptl_record_max_bytes())
		return -EMSGSIZE;
	ev = (struct nlattr *)skb_tail_pointer(skb);
	w.pos = nla_data(ev);
	tcptl_w_u8(&w, TCPTL_EV_A_TYPE, r->type);
	tcptl_w_u32(&w, TCPTL_EV_A_CPU, cpu);
	tcptl_w_u64(&w, TCPTL_EV_A_SEQ, r->seq);
	tcptl_w_u64(&w, TCPTL_EV_A_TIME_NS, r->time_ns);
	tcptl_w_u64(&w, TCPTL_EV_A_COOKIE, r->cookie);
	tcptl_w_u32(&w, TCPTL_EV_A_NETNS, r->netns);
	tcptl_w_u8(&w, TCPTL_EV_A_FAMILY, r->family);
	tcptl_w_put(&w, TCPTL_EV_A_SADDR, &r->saddr, addr_len);
	tcptl_w_put(&w, TCPTL_EV_A_DADDR, &r->daddr, addr_len);
	tcptl_w_u16(&w, TCPTL_EV_A_SPORT, r->sport);
	tcptl_w_u16(&w, TCPTL_EV_A_DPORT, r->dport);
	tcptl_w_u8(&w, TCPTL_EV_A_OLDSTATE, r->oldstate);
	tcptl_w_u8(&w, TCPTL_EV_A_NEWSTATE, r->newstate);
	tcptl_w_u32(&w, TCPTL_EV_A_FLAGS, r->flags);
	if (r->flags & TCPTL_EVF_TASK_CONTEXT) {
		tcptl_w_u32(&w, TCPTL_EV_A_PID, r->pid);
		/* the hooks end comm with a NUL */
		tcptl_w_put(&w, TCPTL_EV_A_COMM, r->comm,
			    strnlen(r->comm, sizeof(r->comm) - 1) + 1);
	}
	if (r->has_tcp_info) {
		tcptl_w_u32(&w, TCPTL_EV_A_UID, r->uid);
		tcptl_w_u64(&w, TCPTL_EV_A_INO, r->ino);
		tcptl_w_u64(&w, TCPTL_EV_A_BYTES_ACKED, r->bytes_acked);
		tcptl_w_u64(&w, TCPTL_EV_A_BYTES_RECEIVED, r->bytes_received);
		tcptl_w_u32(&w, TCPTL_EV_A_SEGS_IN, r->segs_in);
		tcptl_w_u32(&w, TCPTL_EV_A_SEGS_OUT, r->segs_out);
		tcptl_w_u32(&w, TCPTL_EV_A_TOTAL_RETRANS, r->total_retrans);
		tcptl_w_u32(&w, TCPTL_EV_A_SRTT_US, r->srtt_us);
		tcptl_w_u32(&w, TCPTL_EV_A_RCV_QUEUE, r->rcv_queue);
	}
	if (r->tw_reason)
		tcptl_w_u8(&w, TCPTL_EV_A_TW_REASON, r->tw_reason);
	/* what nla_nest_start() and nla_nest_end() write */
	ev->nla_type = TCPTL_A_EVENT | NLA_F_NESTED;
	ev->nla_len = w.pos - (char *)ev;
	skb_put(skb, ev->nla_len);
	return 0;
}

static int tcptl_put_lost(struct sk_buff *skb, const void *arg,
			  unsigned int cpu)
{
	const u64 *count = arg;
	struct nlattr *ev = nla_nest_start(skb, TCPTL_A_EVENT);

	if (!ev)
		return -EMSGSIZE;
	if (nla_put_u8(skb, TCPTL_EV_A_TYPE, TCPTL_EVENT_LOST) ||
	    nla_put_u32(skb, TCPTL_EV_A_CPU, cpu) ||
	    nla_put_u64_64bit(skb, TCPTL_EV_A_TIME_NS, tcptl_clock_ns(),
			      TCPTL_EV_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPTL_EV_A_LOST_COUNT, *count,
			      TCPTL_EV_A_PAD)) {
		nla_nest_cancel(skb, ev);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, ev);
	return 0;
}

/* Append to the message, or send it when full and start the next one. */
static bool tcptl_batch_put(struct tcptl_batch *batch,
			    int (*put)(struct sk_buff *skb, const void *arg,
				       unsigned int cpu),
			    const void *arg, unsigned int cpu)
{
	bool ok = batch->skb && put(batch->skb, arg, cpu) == 0;

	if (!ok) {
		tcptl_batch_send(batch);
		ok = tcptl_batch_start(batch) == 0 &&
		     put(batch->skb, arg, cpu) == 0;
	}
	if (batch->expected)
		batch->expected--;
	return ok;
}

void tcptl_batch_add(struct tcptl_batch *batch,
		     const struct tcptl_record *rec, unsigned int cpu)
{
	if (tcptl_batch_put(batch, tcptl_put_record, rec, cpu))
		batch->records++;
	else	/* never sent: the reader sees the sequence gap */
		atomic64_inc(&tcptl_delivery_failed);
}

void tcptl_batch_add_lost(struct tcptl_batch *batch, unsigned int cpu,
			  u64 count)
{
	tcptl_batch_put(batch, tcptl_put_lost, &count, cpu);
}

int tcptl_netlink_init(void)
{
	return genl_register_family(&tcptl_family);
}

void tcptl_netlink_exit(void)
{
	genl_unregister_family(&tcptl_family);
}
