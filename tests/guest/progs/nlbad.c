// SPDX-License-Identifier: GPL-2.0
/*
 * nlbad: sends one malformed request to the tcp_timeline family and prints
 * the kernel's answer: "errno=N msg=TEXT". The reader never sends these;
 * the tests use it to check that each is refused with a clear message.
 *
 *   nlbad short-cidr | range-reversed | unknown-attr | bad-family | bad-states
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "tcp_timeline.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

static uint16_t family_id(struct mnl_socket *nl)
{
	char buf[8192];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	const struct nlattr *a;
	uint16_t id = 0;
	int len;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, TCPTL_GENL_NAME);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return 0;
	len = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (len <= 0 || nlh->nlmsg_type != GENL_ID_CTRL)
		return 0;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			id = mnl_attr_get_u16(a);
	return id;
}

int main(int argc, char **argv)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_GENERIC);
	char buf[8192];
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	struct nlattr *f, *n;
	const char *what = argc > 1 ? argv[1] : "";
	int one = 1;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return 1;
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = family_id(nl);
	if (!nlh->nlmsg_type) {
		fprintf(stderr, "nlbad: family not found\n");
		return 1;
	}
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = (uint32_t)time(NULL);
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = TCPTL_CMD_SET_FILTER;
	g->version = TCPTL_GENL_VERSION;
	f = mnl_attr_nest_start(nlh, TCPTL_A_FILTER);
	if (!strcmp(what, "short-cidr")) {
		n = mnl_attr_nest_start(nlh, TCPTL_FILTER_A_LADDR);
		mnl_attr_put(nlh, TCPTL_CIDR_A_ADDR, 5, "\x7f\0\0\x01\x01");
		mnl_attr_nest_end(nlh, n);
	} else if (!strcmp(what, "range-reversed")) {
		n = mnl_attr_nest_start(nlh, TCPTL_FILTER_A_LPORT);
		mnl_attr_put_u16(nlh, TCPTL_RANGE_A_LO, 90);
		mnl_attr_put_u16(nlh, TCPTL_RANGE_A_HI, 80);
		mnl_attr_nest_end(nlh, n);
	} else if (!strcmp(what, "unknown-attr")) {
		mnl_attr_put_u32(nlh, TCPTL_FILTER_A_MAX + 5, 1);
	} else if (!strcmp(what, "bad-family")) {
		mnl_attr_put_u8(nlh, TCPTL_FILTER_A_FAMILY, 7);
	} else if (!strcmp(what, "bad-states")) {
		mnl_attr_put_u32(nlh, TCPTL_FILTER_A_STATES, 1u << 20);
	} else {
		fprintf(stderr, "usage: nlbad short-cidr|range-reversed|unknown-attr|bad-family|bad-states\n");
		return 2;
	}
	mnl_attr_nest_end(nlh, f);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return 1;
	int len = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
	const struct nlmsghdr *m = (const struct nlmsghdr *)buf;

	if (len <= 0 || m->nlmsg_type != NLMSG_ERROR)
		return 1;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(m);
	const char *msg = "";
	size_t off = sizeof(*e);

	if (!(m->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (m->nlmsg_flags & NLM_F_ACK_TLVS) {
		const struct nlattr *a;

		mnl_attr_for_each(a, m, off)
			if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
				msg = mnl_attr_get_str(a);
	}
	printf("errno=%d msg=%s\n", -e->error, msg);
	return 0;
}
