// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>

#include "sockdiag.h"
#include "tcp_timeline.h"

/* Every TCP state; SYN_RECV brings the request sockets (NEW_SYN_RECV) too. */
#define DUMP_STATES (((1u << TCPTL_STATE_NEW_SYN_RECV) - 1) & ~1u)

int tcptl_sockdiag_parse(const void *msg, size_t len, uint32_t netns, struct tcptl_sock *s)
{
	const struct inet_diag_msg *m = msg;

	if (len < sizeof(*m) ||
	    (m->idiag_family != AF_INET && m->idiag_family != AF_INET6) ||
	    m->idiag_state == 0 || m->idiag_state >= TCPTL_STATE_NEW_SYN_RECV)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->id.type = TCPTL_EVENT_STATE;
	s->id.family = m->idiag_family;
	s->id.netns = netns;
	s->id.cookie = (uint64_t)m->id.idiag_cookie[0] | (uint64_t)m->id.idiag_cookie[1] << 32;
	s->id.sport = ntohs(m->id.idiag_sport);
	s->id.dport = ntohs(m->id.idiag_dport);
	memcpy(&s->id.saddr, m->id.idiag_src, m->idiag_family == AF_INET ? 4 : 16);
	memcpy(&s->id.daddr, m->id.idiag_dst, m->idiag_family == AF_INET ? 4 : 16);
	s->id.oldstate = m->idiag_state;
	s->id.newstate = m->idiag_state;
	s->id.uid = m->idiag_uid;
	s->id.ino = m->idiag_inode;
	s->rqueue = m->idiag_rqueue;
	s->wqueue = m->idiag_wqueue;
	s->expires_ms = m->idiag_expires;
	s->timer = m->idiag_timer;
	s->retrans = m->idiag_retrans;
	s->uid = m->idiag_uid;
	s->ino = m->idiag_inode;
	return 0;
}

struct dump_ctx {
	uint32_t netns;
	tcptl_sock_cb cb;
	void *arg;
};

static int on_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct dump_ctx *d = arg;
	struct tcptl_sock s;

	if (tcptl_sockdiag_parse(mnl_nlmsg_get_payload(nlh), mnl_nlmsg_get_payload_len(nlh),
				 d->netns, &s) == 0)
		d->cb(&s, d->arg);
	return MNL_CB_OK;
}

static int dump_family(struct mnl_socket *sock, uint8_t family, struct dump_ctx *d)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 4];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_req_v2 *req;
	unsigned int portid = mnl_socket_get_portid(sock);
	uint32_t seq = (uint32_t)time(NULL) ^ family;
	ssize_t n;
	int ret;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = family;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = DUMP_STATES;
	if (mnl_socket_sendto(sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	while ((n = mnl_socket_recvfrom(sock, buf, sizeof(buf))) > 0) {
		ret = mnl_cb_run(buf, (size_t)n, seq, portid, on_msg, d);
		if (ret == MNL_CB_STOP)
			return 0;
		if (ret < 0)
			return -errno;
	}
	return n < 0 ? -errno : 0;
}

struct mnl_socket *tcptl_sockdiag_open(void)
{
	struct mnl_socket *sock = mnl_socket_open(NETLINK_SOCK_DIAG);

	if (sock && mnl_socket_bind(sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = errno;

		mnl_socket_close(sock);
		errno = err;
		return NULL;
	}
	return sock;
}

void tcptl_sockdiag_close(struct mnl_socket *sock)
{
	if (sock)
		mnl_socket_close(sock);
}

int tcptl_sockdiag_dump(struct mnl_socket *sock, uint32_t netns, tcptl_sock_cb cb, void *arg)
{
	struct dump_ctx d = { .netns = netns, .cb = cb, .arg = arg };
	int err = dump_family(sock, AF_INET, &d);

	if (!err)
		err = dump_family(sock, AF_INET6, &d);
	/* No IPv6 in this kernel is not an error. */
	if (err == -ENOENT || err == -EAFNOSUPPORT)
		err = 0;
	return err;
}
