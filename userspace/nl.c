// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/genetlink.h>

#include "decode.h"
#include "nl.h"
#include "tcp_timeline.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

struct family_info {
	const char *group_name;
	uint32_t version;
	uint16_t id;
	uint32_t group;
};

static int parse_groups(const struct nlattr *groups, struct family_info *fi)
{
	const struct nlattr *g, *a;

	mnl_attr_for_each_nested(g, groups) {
		const char *name = NULL;
		uint32_t id = 0;

		mnl_attr_for_each_nested(a, g) {
			if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME &&
			    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
				name = mnl_attr_get_str(a);
			else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID &&
				 mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				id = mnl_attr_get_u32(a);
		}
		if (name && fi->group_name && !strcmp(name, fi->group_name))
			fi->group = id;
	}
	return 0;
}

static int family_reply(const struct nlmsghdr *nlh, void *arg)
{
	struct family_info *fi = arg;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_validate(a, MNL_TYPE_U16) == 0)
			fi->id = mnl_attr_get_u16(a);
		else if (mnl_attr_get_type(a) == CTRL_ATTR_VERSION &&
			 mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			fi->version = mnl_attr_get_u32(a);
		else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GROUPS)
			parse_groups(a, fi);
	}
	return 0;
}

static void build_family(struct nlmsghdr *nlh, void *arg)
{
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, arg);
}

/* Send nlh; collect replies through cb until the ack or error. */
static int transact(struct tcptl_nl *nl, struct nlmsghdr *nlh,
		    tcptl_nl_reply reply, void *arg)
{
	char buf[TCPTL_NL_BUFSIZE];
	unsigned int portid = mnl_socket_get_portid(nl->sock);
	uint32_t seq = nlh->nlmsg_seq;

	nl->errmsg[0] = '\0';
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		const struct nlmsghdr *m;
		int len = (int)n;

		if (n < 0)
			return -errno;
		for (m = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(m, len);
		     m = mnl_nlmsg_next(m, &len)) {
			if (m->nlmsg_seq != seq || m->nlmsg_pid != portid)
				continue;
			if (m->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(m);
				size_t off = sizeof(*e);

				if (!(m->nlmsg_flags & NLM_F_CAPPED))
					off += e->msg.nlmsg_len - NLMSG_HDRLEN;
				if ((m->nlmsg_flags & NLM_F_ACK_TLVS) &&
				    NLMSG_HDRLEN + off < m->nlmsg_len) {
					const struct nlattr *a;

					mnl_attr_for_each(a, m, off) {
						if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
						    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
							snprintf(nl->errmsg, sizeof(nl->errmsg),
								 "%s", mnl_attr_get_str(a));
					}
				}
				return e->error;
			}
			if (m->nlmsg_type == NLMSG_DONE)
				return 0;
			if (reply && reply(m, arg) < 0)
				return -EINVAL;
		}
	}
}

static struct nlmsghdr *start(char *buf, struct tcptl_nl *nl, uint16_t type,
			      uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

static int resolve(struct tcptl_nl *nl, const char *name, struct family_info *fi)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = start(buf, nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);

	build_family(nlh, (void *)name);
	return transact(nl, nlh, family_reply, fi);
}

uint32_t tcptl_nl_module_version;

int tcptl_nl_open(struct tcptl_nl *nl)
{
	struct family_info fi = { .group_name = TCPTL_MCGRP_EVENTS };
	struct family_info ctrl = { .group_name = "notify" };
	int one = 1, err;

	memset(nl, 0, sizeof(*nl));
	nl->seq = (uint32_t)time(NULL);
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock)
		return -errno;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto fail;
	}
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	err = resolve(nl, TCPTL_GENL_NAME, &fi);
	if (err)
		goto fail;
	if (!fi.id || !fi.group) {
		err = -ENOENT;
		goto fail;
	}
	nl->family = fi.id;
	nl->events_group = fi.group;
	nl->version = fi.version;
	if (fi.version != TCPTL_GENL_VERSION) {
		tcptl_nl_module_version = fi.version;
		err = -EPROTO;
		goto fail;
	}
	if (resolve(nl, "nlctrl", &ctrl) == 0)
		nl->ctrl_notify_group = ctrl.group;
	return 0;
fail:
	mnl_socket_close(nl->sock);
	nl->sock = NULL;
	return err;
}

int tcptl_nl_check_family(struct tcptl_nl *nl, uint16_t id)
{
	struct family_info fi = { .group_name = TCPTL_MCGRP_EVENTS };
	int err = resolve(nl, TCPTL_GENL_NAME, &fi);

	if (err)
		return err;
	return fi.id == id ? 0 : -ENOENT;
}

void tcptl_nl_close(struct tcptl_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

int tcptl_nl_subscribe(struct tcptl_nl *nl, int rcvbuf)
{
	int fd = mnl_socket_get_fd(nl->sock);

	/* Root may exceed net.core.rmem_max; others get what it allows. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP,
				  &nl->events_group, sizeof(nl->events_group)) < 0)
		return -errno;
	if (nl->ctrl_notify_group)
		mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP,
				      &nl->ctrl_notify_group,
				      sizeof(nl->ctrl_notify_group));
	return 0;
}

int tcptl_nl_request(struct tcptl_nl *nl, uint8_t cmd, tcptl_nl_build build,
		     void *build_arg, tcptl_nl_reply reply, void *reply_arg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = start(buf, nl, nl->family, cmd, TCPTL_GENL_VERSION);

	if (build)
		build(nlh, build_arg);
	return transact(nl, nlh, reply, reply_arg);
}

static int stats_reply(const struct nlmsghdr *nlh, void *arg)
{
	return tcptl_decode_stats(nlh, arg);
}

int tcptl_nl_get_stats(struct tcptl_nl *nl, struct tcptl_stats *st)
{
	return tcptl_nl_request(nl, TCPTL_CMD_GET_STATS, NULL, NULL, stats_reply, st);
}

int tcptl_nl_unsubscribe(struct tcptl_nl *nl)
{
	int group = (int)nl->events_group;

	return mnl_socket_setsockopt(nl->sock, NETLINK_DROP_MEMBERSHIP, &group,
				     sizeof(group)) ? -errno : 0;
}
