// SPDX-License-Identifier: GPL-2.0
/*
 * nldrain: the cheapest possible reader, for the benchmark's floor phase.
 * Joins the events group with the reader's receive buffer and receives
 * every message into one buffer, counting messages, bytes and records (the
 * COUNT of the TCPTL_A_RECORDS headers), and decodes nothing. What the workload
 * loses to it is what receiving the module's messages costs, before any
 * reader does anything with them. On SIGINT it has the module flush (as the
 * reader does), leaves the group, reads the socket dry and prints
 * "messages=N bytes=N records=N enobufs=N".
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/genetlink.h>

#include "decode.h"
#include "nl.h"
#include "tcp_timeline.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct counts {
	unsigned long long messages, bytes, records, enobufs;
};

static void count(struct counts *c, const char *buf, int len)
{
	const struct nlmsghdr *m;

	for (m = (const void *)buf; mnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
		const struct nlattr *a;

		c->messages++;
		c->bytes += m->nlmsg_len;
		if (m->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
			continue;
		mnl_attr_for_each(a, m, GENL_HDRLEN) {
			struct tcptl_records head;

			if (mnl_attr_get_type(a) != TCPTL_A_RECORDS ||
			    mnl_attr_get_payload_len(a) < sizeof(head))
				continue;
			memcpy(&head, mnl_attr_get_payload(a), sizeof(head));
			c->records += head.count;
		}
	}
}

/* One message: 1, none waiting (DONTWAIT) or interrupted: 0, error: -1. */
static int receive(int fd, struct counts *c, int flags)
{
	static char buf[TCPTL_NL_BUFSIZE];
	ssize_t n = recv(fd, buf, sizeof(buf), flags);

	if (n < 0 && errno == ENOBUFS) {
		c->enobufs++;
		return 1;
	}
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	count(c, buf, (int)n);
	return n > 0;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct tcptl_nl ev, req;
	struct tcptl_stats st;
	struct counts c = { 0 };
	int fd, err;

	sigaction(SIGINT, &sa, NULL);	/* no SA_RESTART: recv returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	err = tcptl_nl_open(&ev);
	if (!err)
		err = tcptl_nl_open(&req);
	if (!err)
		err = tcptl_nl_subscribe(&ev, 32 << 20);	/* as the reader */
	if (err) {
		fprintf(stderr, "nldrain: %s\n", strerror(-err));
		return 1;
	}
	fd = mnl_socket_get_fd(ev.sock);
	fprintf(stderr, "nldrain: listening\n");
	while (!stop)
		if (receive(fd, &c, 0) < 0) {
			perror("nldrain: recv");
			return 1;
		}
	tcptl_nl_get_stats(&req, &st);
	tcptl_nl_unsubscribe(&ev);
	while (receive(fd, &c, MSG_DONTWAIT) > 0)
		;
	printf("messages=%llu bytes=%llu records=%llu enobufs=%llu\n",
	       c.messages, c.bytes, c.records, c.enobufs);
	return 0;
}
