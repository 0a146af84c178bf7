// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family: requests (statistics, filter) and the events
 * multicast group. The family exists in the initial network namespace only,
 * so events of every namespace reach only readers there, and only those
 * with CAP_NET_ADMIN may join the group or send a request.
 */

#include <net/genetlink.h>

#include "compat.h"
#include "events.h"
#include "filter.h"
#include "netlink.h"
#include "probe.h"
#include "ring.h"
#include "tcp_timeline.h"
#include "timewait.h"

/* Another version only in the build for the contract-mismatch test. */
#ifndef TCPTL_FAMILY_VERSION
#define TCPTL_FAMILY_VERSION	TCPTL_GENL_VERSION
#endif

enum tcptl_group {
	TCPTL_GROUP_EVENTS,
};

static struct genl_family tcptl_family;

/* Requests carry no attributes but the ones their policy names. */
static const struct nla_policy tcptl_empty_policy[TCPTL_A_MAX + 1] = {
};

static const struct nla_policy tcptl_set_filter_policy[TCPTL_A_MAX + 1] = {
	[TCPTL_A_FILTER] = NLA_POLICY_NESTED(tcptl_filter_policy),
};

static int tcptl_put_stats(struct sk_buff *msg)
{
	struct tcptl_events_stats ev;
	struct tcptl_ring_stats st;
	struct nlattr *nest;
	u32 attached, missing;

	tcptl_ring_get_stats(&st);
	tcptl_events_get_stats(&ev);
	attached = tcptl_probe_hooks() | tcptl_timewait_hooks();
	missing = TCPTL_HOOKS_ALL & ~attached;
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
			      ev.unclaimed,
			      TCPTL_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, TCPTL_STATS_A_PRODUCED, st.produced,
			      TCPTL_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, TCPTL_STATS_A_LOST, st.lost,
			      TCPTL_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, TCPTL_STATS_A_DELIVERED,
			      ev.delivered,
			      TCPTL_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, TCPTL_STATS_A_DELIVERY_FAILED,
			      ev.delivery_failed,
			      TCPTL_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, TCPTL_STATS_A_MESSAGES,
			      ev.messages,
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
			      tcptl_probe_missed() + tcptl_timewait_missed(),
			      TCPTL_STATS_A_PAD))
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
	.version	= TCPTL_FAMILY_VERSION,
	.module		= THIS_MODULE,
	.netnsok	= false,
	.ops		= tcptl_ops,
	.n_ops		= ARRAY_SIZE(tcptl_ops),
	.mcgrps		= tcptl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(tcptl_mcgrps),
};

int tcptl_netlink_init(void)
{
	int err = genl_register_family(&tcptl_family);

	if (err)
		return err;
	tcptl_events_bind(&tcptl_family, TCPTL_GROUP_EVENTS);
	return 0;
}

void tcptl_netlink_exit(void)
{
	tcptl_events_unbind();
	genl_unregister_family(&tcptl_family);
}
