// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel filter: ports, port ranges, CIDRs, states, namespace and
 * family. Hooks read it under RCU without taking any lock; a new filter is
 * built aside and published with one pointer swap.
 */

#include <linux/in.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/inetdevice.h>
#include <net/ipv6.h>

#include "filter.h"

struct tcptl_port_range {
	u16 lo;
	u16 hi;
};

struct tcptl_cidr {
	u8 family;
	u8 prefix;
	union tcptl_record_addr addr;	/* host bits cleared */
};

struct tcptl_ports {
	unsigned int n;
	struct tcptl_port_range r[TCPTL_FILTER_MAX_VALUES];
};

struct tcptl_cidrs {
	unsigned int n;
	struct tcptl_cidr c[TCPTL_FILTER_MAX_VALUES];
};

struct tcptl_filter {
	struct rcu_head rcu;
	struct tcptl_ports port, lport, rport;
	struct tcptl_cidrs laddr, raddr;
	u32 states;		/* 0: any */
	u32 netns;
	bool has_netns;
	u8 family;		/* 0: any */
};

static struct tcptl_filter __rcu *tcptl_filter;
static DEFINE_MUTEX(tcptl_filter_lock);

static const struct nla_policy tcptl_range_policy[TCPTL_RANGE_A_MAX + 1] = {
	[TCPTL_RANGE_A_LO]	= { .type = NLA_U16 },
	[TCPTL_RANGE_A_HI]	= { .type = NLA_U16 },
};

static const struct nla_policy tcptl_cidr_policy[TCPTL_CIDR_A_MAX + 1] = {
	[TCPTL_CIDR_A_ADDR]	= { .type = NLA_BINARY,
				    .len = sizeof(struct in6_addr) },
	[TCPTL_CIDR_A_PREFIX]	= NLA_POLICY_MAX(NLA_U8, 128),
};

const struct nla_policy tcptl_filter_policy[TCPTL_FILTER_A_MAX + 1] = {
	[TCPTL_FILTER_A_PORT]	= NLA_POLICY_NESTED(tcptl_range_policy),
	[TCPTL_FILTER_A_LPORT]	= NLA_POLICY_NESTED(tcptl_range_policy),
	[TCPTL_FILTER_A_RPORT]	= NLA_POLICY_NESTED(tcptl_range_policy),
	[TCPTL_FILTER_A_LADDR]	= NLA_POLICY_NESTED(tcptl_cidr_policy),
	[TCPTL_FILTER_A_RADDR]	= NLA_POLICY_NESTED(tcptl_cidr_policy),
	[TCPTL_FILTER_A_STATES]	= { .type = NLA_U32 },
	[TCPTL_FILTER_A_NETNS]	= { .type = NLA_U32 },
	[TCPTL_FILTER_A_FAMILY]	= { .type = NLA_U8 },
};

#define TCPTL_VALID_STATES GENMASK(TCPTL_STATE_MAX, TCPTL_STATE_ESTABLISHED)

static bool tcptl_port_in(const struct tcptl_ports *p, u16 port)
{
	unsigned int i;

	for (i = 0; i < p->n; i++)
		if (port >= p->r[i].lo && port <= p->r[i].hi)
			return true;
	return false;
}

static bool tcptl_cidr_has(const struct tcptl_cidr *c, u8 family,
			   const union tcptl_record_addr *a)
{
	if (c->family != family)
		return false;
	if (family == AF_INET)
		return !((a->v4 ^ c->addr.v4) &
			 inet_make_mask(c->prefix));
	return ipv6_prefix_equal((const struct in6_addr *)a->v6,
				 (const struct in6_addr *)c->addr.v6, c->prefix);
}

static bool tcptl_addr_in(const struct tcptl_cidrs *cs, u8 family,
			  const union tcptl_record_addr *a)
{
	unsigned int i;

	for (i = 0; i < cs->n; i++)
		if (tcptl_cidr_has(&cs->c[i], family, a))
			return true;
	return false;
}

static bool tcptl_filter_match_one(const struct tcptl_filter *f,
				   const struct tcptl_record *rec)
{
	/* A SYN_SENT taken before the port was chosen cannot fail on it. */
	bool lport_known = !(rec->flags & TCPTL_EVF_PORT_PENDING);

	if (f->family && rec->family != f->family)
		return false;
	if (f->has_netns && rec->netns != f->netns)
		return false;
	if (f->states &&
	    !(f->states & (BIT(rec->oldstate) | BIT(rec->newstate))))
		return false;
	if (f->lport.n && lport_known && !tcptl_port_in(&f->lport, rec->sport))
		return false;
	if (f->rport.n && !tcptl_port_in(&f->rport, rec->dport))
		return false;
	if (f->port.n && lport_known &&
	    !tcptl_port_in(&f->port, rec->sport) &&
	    !tcptl_port_in(&f->port, rec->dport))
		return false;
	if (f->laddr.n && !tcptl_addr_in(&f->laddr, rec->family, &rec->saddr))
		return false;
	if (f->raddr.n && !tcptl_addr_in(&f->raddr, rec->family, &rec->daddr))
		return false;
	return true;
}

bool tcptl_filter_match(const struct tcptl_record *rec)
{
	const struct tcptl_filter *f;
	bool pass = true;

	rcu_read_lock();
	f = rcu_dereference(tcptl_filter);
	if (f)
		pass = tcptl_filter_match_one(f, rec);
	rcu_read_unlock();
	return pass;
}

static void tcptl_filter_install(struct tcptl_filter *f)
{
	struct tcptl_filter *old;

	mutex_lock(&tcptl_filter_lock);
	old = rcu_replace_pointer(tcptl_filter, f,
				  lockdep_is_held(&tcptl_filter_lock));
	mutex_unlock(&tcptl_filter_lock);
	if (old)
		kfree_rcu(old, rcu);
}

static int tcptl_parse_range(const struct nlattr *attr, struct tcptl_ports *p,
			     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[TCPTL_RANGE_A_MAX + 1];
	struct tcptl_port_range *r;
	int err;

	if (p->n == TCPTL_FILTER_MAX_VALUES) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "too many port ranges");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, TCPTL_RANGE_A_MAX, attr, tcptl_range_policy,
			       extack);
	if (err)
		return err;
	if (!tb[TCPTL_RANGE_A_LO]) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "port range without a low port");
		return -EINVAL;
	}
	r = &p->r[p->n];
	r->lo = nla_get_u16(tb[TCPTL_RANGE_A_LO]);
	r->hi = tb[TCPTL_RANGE_A_HI] ? nla_get_u16(tb[TCPTL_RANGE_A_HI]) : r->lo;
	if (r->hi < r->lo) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TCPTL_RANGE_A_HI],
				    "port range ends below its start");
		return -EINVAL;
	}
	p->n++;
	return 0;
}

static void tcptl_cidr_clear_host_bits(struct tcptl_cidr *c)
{
	unsigned int i;

	if (c->family == AF_INET) {
		c->addr.v4 &= inet_make_mask(c->prefix);
		return;
	}
	for (i = 0; i < 16; i++) {
		int keep = (int)c->prefix - (int)i * 8;

		if (keep <= 0)
			c->addr.v6[i] = 0;
		else if (keep < 8)
			c->addr.v6[i] &= 0xff << (8 - keep);
	}
}

static int tcptl_parse_cidr(const struct nlattr *attr, struct tcptl_cidrs *cs,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[TCPTL_CIDR_A_MAX + 1];
	struct tcptl_cidr *c;
	unsigned int max_prefix;
	int err, len;

	if (cs->n == TCPTL_FILTER_MAX_VALUES) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "too many address prefixes");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, TCPTL_CIDR_A_MAX, attr, tcptl_cidr_policy,
			       extack);
	if (err)
		return err;
	if (!tb[TCPTL_CIDR_A_ADDR]) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "address prefix without an address");
		return -EINVAL;
	}
	c = &cs->c[cs->n];
	memset(c, 0, sizeof(*c));
	len = nla_len(tb[TCPTL_CIDR_A_ADDR]);
	if (len == sizeof(__be32)) {
		c->family = AF_INET;
		max_prefix = 32;
	} else if (len == sizeof(struct in6_addr)) {
		c->family = AF_INET6;
		max_prefix = 128;
	} else {
		NL_SET_ERR_MSG_ATTR(extack, tb[TCPTL_CIDR_A_ADDR],
				    "address must be 4 (IPv4) or 16 (IPv6) bytes");
		return -EINVAL;
	}
	nla_memcpy(&c->addr, tb[TCPTL_CIDR_A_ADDR], len);
	c->prefix = tb[TCPTL_CIDR_A_PREFIX] ?
		    nla_get_u8(tb[TCPTL_CIDR_A_PREFIX]) : max_prefix;
	if (c->prefix > max_prefix) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TCPTL_CIDR_A_PREFIX],
				    "prefix longer than the address");
		return -EINVAL;
	}
	tcptl_cidr_clear_host_bits(c);
	cs->n++;
	return 0;
}

static int tcptl_parse_one(struct tcptl_filter *f, const struct nlattr *a,
			   struct netlink_ext_ack *extack)
{
	switch (nla_type(a)) {
	case TCPTL_FILTER_A_PORT:
		return tcptl_parse_range(a, &f->port, extack);
	case TCPTL_FILTER_A_LPORT:
		return tcptl_parse_range(a, &f->lport, extack);
	case TCPTL_FILTER_A_RPORT:
		return tcptl_parse_range(a, &f->rport, extack);
	case TCPTL_FILTER_A_LADDR:
		return tcptl_parse_cidr(a, &f->laddr, extack);
	case TCPTL_FILTER_A_RADDR:
		return tcptl_parse_cidr(a, &f->raddr, extack);
	case TCPTL_FILTER_A_STATES:
		f->states = nla_get_u32(a);
		if (f->states & ~TCPTL_VALID_STATES) {
			NL_SET_ERR_MSG_ATTR(extack, a, "unknown TCP state in state set");
			return -EINVAL;
		}
		return 0;
	case TCPTL_FILTER_A_NETNS:
		f->netns = nla_get_u32(a);
		f->has_netns = true;
		return 0;
	case TCPTL_FILTER_A_FAMILY:
		f->family = nla_get_u8(a);
		if (f->family != AF_INET && f->family != AF_INET6) {
			NL_SET_ERR_MSG_ATTR(extack, a, "family must be AF_INET or AF_INET6");
			return -EINVAL;
		}
		return 0;
	}
	NL_SET_ERR_MSG_ATTR(extack, a, "unknown filter attribute");
	return -EINVAL;
}

int tcptl_filter_set(const struct nlattr *nest, struct netlink_ext_ack *extack)
{
	struct tcptl_filter *f;
	const struct nlattr *a;
	int rem, err;

	if (!nest || !nla_len(nest)) {
		tcptl_filter_install(NULL);
		return 0;
	}
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	nla_for_each_nested(a, nest, rem) {
		err = tcptl_parse_one(f, a, extack);
		if (err) {
			kfree(f);
			return err;
		}
	}
	tcptl_filter_install(f);
	return 0;
}

static int tcptl_put_ranges(struct sk_buff *skb, int type,
			    const struct tcptl_ports *p)
{
	unsigned int i;

	for (i = 0; i < p->n; i++) {
		struct nlattr *n = nla_nest_start(skb, type);

		if (!n || nla_put_u16(skb, TCPTL_RANGE_A_LO, p->r[i].lo) ||
		    nla_put_u16(skb, TCPTL_RANGE_A_HI, p->r[i].hi))
			return -EMSGSIZE;
		nla_nest_end(skb, n);
	}
	return 0;
}

static int tcptl_put_cidrs(struct sk_buff *skb, int type,
			   const struct tcptl_cidrs *cs)
{
	unsigned int i;

	for (i = 0; i < cs->n; i++) {
		const struct tcptl_cidr *c = &cs->c[i];
		int len = c->family == AF_INET ? 4 : 16;
		struct nlattr *n = nla_nest_start(skb, type);

		if (!n || nla_put(skb, TCPTL_CIDR_A_ADDR, len, &c->addr) ||
		    nla_put_u8(skb, TCPTL_CIDR_A_PREFIX, c->prefix))
			return -EMSGSIZE;
		nla_nest_end(skb, n);
	}
	return 0;
}

int tcptl_filter_put(struct sk_buff *skb)
{
	const struct tcptl_filter *f;
	struct nlattr *nest;
	int err = 0;

	nest = nla_nest_start(skb, TCPTL_A_FILTER);
	if (!nest)
		return -EMSGSIZE;
	mutex_lock(&tcptl_filter_lock);
	f = rcu_dereference_protected(tcptl_filter,
				      lockdep_is_held(&tcptl_filter_lock));
	if (f) {
		err = tcptl_put_ranges(skb, TCPTL_FILTER_A_PORT, &f->port) ?:
		      tcptl_put_ranges(skb, TCPTL_FILTER_A_LPORT, &f->lport) ?:
		      tcptl_put_ranges(skb, TCPTL_FILTER_A_RPORT, &f->rport) ?:
		      tcptl_put_cidrs(skb, TCPTL_FILTER_A_LADDR, &f->laddr) ?:
		      tcptl_put_cidrs(skb, TCPTL_FILTER_A_RADDR, &f->raddr);
		if (!err && f->states)
			err = nla_put_u32(skb, TCPTL_FILTER_A_STATES, f->states);
		if (!err && f->has_netns)
			err = nla_put_u32(skb, TCPTL_FILTER_A_NETNS, f->netns);
		if (!err && f->family)
			err = nla_put_u8(skb, TCPTL_FILTER_A_FAMILY, f->family);
	}
	mutex_unlock(&tcptl_filter_lock);
	if (err)
		return err;
	nla_nest_end(skb, nest);
	return 0;
}

/* "80,443,8000-8100": ports on either side, as the filter_ports parameter. */
static int tcptl_parse_ports_param(char *s, struct tcptl_ports *p)
{
	char *tok;

	while ((tok = strsep(&s, ",")) != NULL) {
		char *dash = strchr(tok, '-');
		u16 lo, hi;

		if (dash)
			*dash = '\0';
		if (kstrtou16(tok, 10, &lo))
			return -EINVAL;
		hi = lo;
		if (dash && kstrtou16(dash + 1, 10, &hi))
			return -EINVAL;
		if (hi < lo || p->n == TCPTL_FILTER_MAX_VALUES)
			return -EINVAL;
		p->r[p->n].lo = lo;
		p->r[p->n].hi = hi;
		p->n++;
	}
	return 0;
}

int tcptl_filter_init(const char *ports)
{
	struct tcptl_filter *f;
	char *copy;
	int err;

	if (!ports || !*ports)
		return 0;
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	copy = kstrdup(ports, GFP_KERNEL);
	if (!f || !copy) {
		err = -ENOMEM;
		goto out;
	}
	err = tcptl_parse_ports_param(copy, &f->port);
	if (err) {
		pr_err("filter_ports=\"%s\": expected up to %d ports or ranges like 80,443,8000-8100\n",
		       ports, TCPTL_FILTER_MAX_VALUES);
		goto out;
	}
	tcptl_filter_install(f);
	f = NULL;
out:
	kfree(copy);
	kfree(f);
	return err;
}

void tcptl_filter_exit(void)
{
	tcptl_filter_install(NULL);
}
