// SPDX-License-Identifier: GPL-2.0
/*
 * nlfuzz: sends N random requests to the tcp_timeline family: random
 * commands (known and unknown), flags, attribute trees (random types,
 * lengths and nesting, valid-looking filters among them), truncated
 * headers and oversized messages. Every request asks for an ack, so every
 * one must get an answer, except those whose length field claims more than
 * was sent, which the netlink core drops before the family sees them;
 * prints "sent=N answered=N ok=N errors=N unanswered=N dropped_by_netlink=N"
 * and the errnos seen. Exit 1 if any request went unanswered. Run as root
 * and as an unprivileged user.
 *
 *   nlfuzz [-n COUNT] [-s SEED]
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "tcp_timeline.h"

static unsigned int rnd(unsigned int n)
{
	return n ? (unsigned int)random() % n : 0;
}

static int resolve(int fd)
{
	struct {
		struct nlmsghdr n;
		struct genlmsghdr g;
		char buf[256];
	} req = { 0 };
	char buf[8192];
	struct nlattr *a = (void *)req.buf;
	ssize_t len;

	req.n.nlmsg_type = GENL_ID_CTRL;
	req.n.nlmsg_flags = NLM_F_REQUEST;
	req.g.cmd = CTRL_CMD_GETFAMILY;
	req.g.version = 1;
	a->nla_type = CTRL_ATTR_FAMILY_NAME;
	a->nla_len = NLA_HDRLEN + sizeof(TCPTL_GENL_NAME);
	memcpy((char *)a + NLA_HDRLEN, TCPTL_GENL_NAME, sizeof(TCPTL_GENL_NAME));
	req.n.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + NLA_ALIGN(a->nla_len);
	if (send(fd, &req, req.n.nlmsg_len, 0) < 0)
		return -1;
	len = recv(fd, buf, sizeof(buf), 0);
	if (len < (ssize_t)(NLMSG_HDRLEN + GENL_HDRLEN))
		return -1;
	for (char *p = buf + NLMSG_HDRLEN + GENL_HDRLEN; p + NLA_HDRLEN <= buf + len;) {
		struct nlattr *x = (void *)p;

		if (x->nla_len < NLA_HDRLEN)
			break;
		if (x->nla_type == CTRL_ATTR_FAMILY_ID)
			return *(uint16_t *)(p + NLA_HDRLEN);
		p += NLA_ALIGN(x->nla_len);
	}
	return -1;
}

/* Random attributes into buf (at most cap bytes), nested up to depth. */
static size_t put_attrs(char *buf, size_t cap, int depth)
{
	size_t used = 0;
	unsigned int n = rnd(6);

	for (unsigned int i = 0; i < n && used + NLA_HDRLEN + 64 <= cap; i++) {
		struct nlattr *a = (void *)(buf + used);
		size_t plen;

		a->nla_type = (uint16_t)(rnd(4) ? rnd(12) : random());
		if (depth < 3 && rnd(3) == 0) {
			a->nla_type |= rnd(2) ? NLA_F_NESTED : 0;
			plen = put_attrs(buf + used + NLA_HDRLEN, cap - used - NLA_HDRLEN, depth + 1);
		} else {
			/* Lengths of the real types (1, 2, 4, 8, 16) most of the time. */
			static const size_t lens[] = { 0, 1, 2, 3, 4, 5, 8, 16, 17, 33 };

			plen = lens[rnd(sizeof(lens) / sizeof(lens[0]))];
			for (size_t j = 0; j < plen; j++)
				buf[used + NLA_HDRLEN + j] = (char)(rnd(3) ? rnd(4) : random());
		}
		a->nla_len = (uint16_t)(NLA_HDRLEN + plen);
		/* Sometimes lie about the length. */
		if (rnd(20) == 0)
			a->nla_len = (uint16_t)random();
		used += NLA_ALIGN(NLA_HDRLEN + plen);
	}
	return used;
}

int main(int argc, char **argv)
{
	static char msg[70000], reply[16384];
	unsigned long count = 100000, sent = 0, answered = 0, ok = 0, errors = 0, dropped = 0;
	unsigned long by_errno[256] = { 0 };
	unsigned int seed = 1;
	int opt, fd, family, one = 1, rcvbuf = 1 << 20;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	while ((opt = getopt(argc, argv, "n:s:")) != -1) {
		if (opt == 'n')
			count = strtoul(optarg, NULL, 10);
		else if (opt == 's')
			seed = (unsigned int)strtoul(optarg, NULL, 10);
		else
			return 2;
	}
	srandom(seed);
	fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return 2;
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	family = resolve(fd);
	if (family < 0) {
		fprintf(stderr, "nlfuzz: family %s not found\n", TCPTL_GENL_NAME);
		return 2;
	}
	for (unsigned long i = 0; i < count; i++) {
		struct nlmsghdr *n = (void *)msg;
		struct genlmsghdr *g = (void *)(msg + NLMSG_HDRLEN);
		size_t len, cap = rnd(50) == 0 ? sizeof(msg) - 64 : 1024;
		unsigned int shape = rnd(20);

		memset(msg, 0, NLMSG_HDRLEN + GENL_HDRLEN);
		n->nlmsg_type = (uint16_t)family;
		n->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (rnd(10) == 0 ? NLM_F_DUMP : 0);
		n->nlmsg_seq = (uint32_t)i;
		g->cmd = (uint8_t)(rnd(4) ? rnd(TCPTL_CMD_MAX + 2) : random());
		g->version = (uint8_t)(rnd(4) ? TCPTL_GENL_VERSION : random());
		if (rnd(3) == 0) {
			/* A filter nest that may well be valid. */
			struct nlattr *f = (void *)(msg + NLMSG_HDRLEN + GENL_HDRLEN);

			f->nla_type = TCPTL_A_FILTER | (rnd(2) ? NLA_F_NESTED : 0);
			len = put_attrs((char *)f + NLA_HDRLEN, cap, 1);
			f->nla_len = (uint16_t)(NLA_HDRLEN + len);
			len = NLA_ALIGN(f->nla_len);
		} else {
			len = put_attrs(msg + NLMSG_HDRLEN + GENL_HDRLEN, cap, 0);
			if (cap > 1024)		/* oversized: pad with one huge attribute */
				len = cap;
		}
		len += NLMSG_HDRLEN + GENL_HDRLEN;
		if (shape == 0)
			len = NLMSG_HDRLEN + rnd(GENL_HDRLEN);	/* truncated genl header */
		n->nlmsg_len = (uint32_t)len;
		if (shape == 1)
			n->nlmsg_len = (uint32_t)(len + rnd(64));	/* claims more than sent */
		if (send(fd, msg, len, 0) < 0) {
			by_errno[errno & 255]++;
			continue;	/* refused at the socket: an answer too */
		}
		/* A message shorter than its own header says is dropped by the
		 * netlink core before any family sees it: no answer comes. */
		if (shape == 1 && n->nlmsg_len > len) {
			dropped++;
			continue;
		}
		sent++;
		/* Collect the answer to this request (acks of others are skipped). */
		for (;;) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			ssize_t r;

			if (poll(&p, 1, 1000) <= 0)
				break;
			r = recv(fd, reply, sizeof(reply), 0);
			if (r < (ssize_t)NLMSG_HDRLEN)
				break;
			struct nlmsghdr *a = (void *)reply;

			if (a->nlmsg_seq != (uint32_t)i && a->nlmsg_type == NLMSG_ERROR)
				continue;
			if (a->nlmsg_type == NLMSG_ERROR) {
				int err = -((struct nlmsgerr *)NLMSG_DATA(a))->error;

				answered++;
				if (err)
					errors++, by_errno[err & 255]++;
				else
					ok++;
				break;
			}
			if (a->nlmsg_type == NLMSG_DONE) {
				answered++, ok++;
				break;
			}
			/* a reply (GET_STATS, GET_FILTER): the ack follows */
		}
	}
	printf("sent=%lu answered=%lu ok=%lu errors=%lu unanswered=%lu dropped_by_netlink=%lu",
	       sent, answered, ok, errors, sent - answered, dropped);
	for (int e = 1; e < 256; e++)
		if (by_errno[e])
			printf(" errno%d=%lu", e, by_errno[e]);
	printf("\n");
	return sent == answered ? 0 : 1;
}
