// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rfilter.h"

static int parse_port(const char *s, const char *end, uint16_t *out)
{
	char buf[8];
	char *e;
	unsigned long v;
	size_t n = (size_t)(end - s);

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	v = strtoul(buf, &e, 10);
	if (errno || *e || v > 65535 || buf[0] == '-' || buf[0] == '+')
		return -1;
	*out = (uint16_t)v;
	return 0;
}

int tcptl_parse_range(const char *s, struct tcptl_ranges *r, char *err, size_t errlen)
{
	const char *dash = strchr(s, '-');
	const char *end = s + strlen(s);
	struct tcptl_range v;

	if (r->n == TCPTL_FILTER_MAX_VALUES) {
		snprintf(err, errlen, "at most %d ports or ranges per option", TCPTL_FILTER_MAX_VALUES);
		return -1;
	}
	if (parse_port(s, dash ? dash : end, &v.lo) ||
	    (dash && parse_port(dash + 1, end, &v.hi))) {
		snprintf(err, errlen, "bad port or range '%s' (want N or N-M, 0..65535)", s);
		return -1;
	}
	if (!dash)
		v.hi = v.lo;
	if (v.hi < v.lo) {
		snprintf(err, errlen, "port range '%s' ends below its start", s);
		return -1;
	}
	r->r[r->n++] = v;
	return 0;
}

static void clear_host_bits(struct tcptl_cidr *c)
{
	unsigned int bytes = c->family == AF_INET ? 4 : 16;
	uint8_t *a = (uint8_t *)&c->addr;

	for (unsigned int i = 0; i < bytes; i++) {
		int keep = (int)c->prefix - (int)i * 8;

		if (keep <= 0)
			a[i] = 0;
		else if (keep < 8)
			a[i] &= (uint8_t)(0xff << (8 - keep));
	}
}

int tcptl_parse_cidr(const char *s, struct tcptl_cidrs *cs, char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	struct tcptl_cidr c = { 0 };
	char *slash, *e;
	unsigned long prefix;

	if (cs->n == TCPTL_FILTER_MAX_VALUES) {
		snprintf(err, errlen, "at most %d address prefixes per option", TCPTL_FILTER_MAX_VALUES);
		return -1;
	}
	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, &c.addr.v4) == 1)
		c.family = AF_INET;
	else if (inet_pton(AF_INET6, buf, &c.addr.v6) == 1)
		c.family = AF_INET6;
	else
		goto bad;
	c.prefix = c.family == AF_INET ? 32 : 128;
	if (slash) {
		errno = 0;
		prefix = strtoul(slash + 1, &e, 10);
		if (errno || *e || !slash[1] || prefix > c.prefix)
			goto bad;
		c.prefix = (uint8_t)prefix;
	}
	clear_host_bits(&c);
	cs->c[cs->n++] = c;
	return 0;
bad:
	snprintf(err, errlen, "bad address or prefix '%s' (want e.g. 10.0.0.0/8 or fd00::/16)", s);
	return -1;
}

static bool in_ranges(const struct tcptl_ranges *r, uint16_t port)
{
	for (unsigned int i = 0; i < r->n; i++)
		if (port >= r->r[i].lo && port <= r->r[i].hi)
			return true;
	return false;
}

static bool in_cidrs(const struct tcptl_cidrs *cs, uint8_t family, const union tcptl_ip *a)
{
	for (unsigned int i = 0; i < cs->n; i++) {
		struct tcptl_cidr c = { .family = family, .prefix = cs->c[i].prefix, .addr = *a };

		if (cs->c[i].family != family)
			continue;
		clear_host_bits(&c);
		if (!memcmp(&c.addr, &cs->c[i].addr, family == AF_INET ? 4 : 16))
			return true;
	}
	return false;
}

bool tcptl_rfilter_match(const struct tcptl_rfilter *f, const struct tcptl_event *ev,
			 bool has_pid, uint32_t pid, const char *comm)
{
	if (ev->type == TCPTL_EVENT_LOST)
		return true;
	if (f->family && ev->family != f->family)
		return false;
	if (f->has_netns && ev->netns != f->netns)
		return false;
	if (f->states && !(f->states & ((1u << ev->oldstate) | (1u << ev->newstate))))
		return false;
	if (f->lport.n && !in_ranges(&f->lport, ev->sport))
		return false;
	if (f->rport.n && !in_ranges(&f->rport, ev->dport))
		return false;
	if (f->port.n && !in_ranges(&f->port, ev->sport) && !in_ranges(&f->port, ev->dport))
		return false;
	if (f->laddr.n && !in_cidrs(&f->laddr, ev->family, &ev->saddr))
		return false;
	if (f->raddr.n && !in_cidrs(&f->raddr, ev->family, &ev->daddr))
		return false;
	if (f->has_pid && (!has_pid || pid != f->pid))
		return false;
	if (f->comm && (!comm || strcmp(comm, f->comm)))
		return false;
	return true;
}

bool tcptl_rfilter_empty_for_kernel(const struct tcptl_rfilter *f)
{
	return !f->port.n && !f->lport.n && !f->rport.n && !f->laddr.n &&
	       !f->raddr.n && !f->states && !f->has_netns && !f->family;
}

static void put_ranges(struct nlmsghdr *nlh, uint16_t type, const struct tcptl_ranges *r)
{
	for (unsigned int i = 0; i < r->n; i++) {
		struct nlattr *n = mnl_attr_nest_start(nlh, type);

		mnl_attr_put_u16(nlh, TCPTL_RANGE_A_LO, r->r[i].lo);
		mnl_attr_put_u16(nlh, TCPTL_RANGE_A_HI, r->r[i].hi);
		mnl_attr_nest_end(nlh, n);
	}
}

static void put_cidrs(struct nlmsghdr *nlh, uint16_t type, const struct tcptl_cidrs *cs)
{
	for (unsigned int i = 0; i < cs->n; i++) {
		struct nlattr *n = mnl_attr_nest_start(nlh, type);

		mnl_attr_put(nlh, TCPTL_CIDR_A_ADDR, cs->c[i].family == AF_INET ? 4 : 16,
			     &cs->c[i].addr);
		mnl_attr_put_u8(nlh, TCPTL_CIDR_A_PREFIX, cs->c[i].prefix);
		mnl_attr_nest_end(nlh, n);
	}
}

void tcptl_rfilter_put(struct nlmsghdr *nlh, const struct tcptl_rfilter *f)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, TCPTL_A_FILTER);

	put_ranges(nlh, TCPTL_FILTER_A_PORT, &f->port);
	put_ranges(nlh, TCPTL_FILTER_A_LPORT, &f->lport);
	put_ranges(nlh, TCPTL_FILTER_A_RPORT, &f->rport);
	put_cidrs(nlh, TCPTL_FILTER_A_LADDR, &f->laddr);
	put_cidrs(nlh, TCPTL_FILTER_A_RADDR, &f->raddr);
	if (f->states)
		mnl_attr_put_u32(nlh, TCPTL_FILTER_A_STATES, f->states);
	if (f->has_netns)
		mnl_attr_put_u32(nlh, TCPTL_FILTER_A_NETNS, f->netns);
	if (f->family)
		mnl_attr_put_u8(nlh, TCPTL_FILTER_A_FAMILY, f->family);
	mnl_attr_nest_end(nlh, nest);
}
