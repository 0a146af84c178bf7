// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the buildup on the way in: TcpExt parsing, the causes of
 * failed connects, and a snapshot of a real loopback listener of this
 * process whose accept queue is full, with accept and connect-failure
 * records fed in, through alerts and the Prometheus text.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "promcheck.h"

#include "alerts.h"
#include "conn.h"
#include "inbound.h"
#include "netstat.h"
#include "options.h"
#include "promtext.h"
#include "session.h"
#include "top.h"
#include "tcp_timeline.h"

static void test_netstat_parse(void **state)
{
	static const char text[] =
		"TcpExt: SyncookiesSent SyncookiesRecv ListenOverflows ListenDrops TCPReqQFullDrop\n"
		"TcpExt: 7 0 12 13 2\n"
		"IpExt: InNoRoutes ListenOverflows\n"
		"IpExt: 99 98\n";
	uint64_t v[TCPTL_TCPEXT_COUNTERS];

	(void)state;
	assert_int_equal(tcptl_netstat_parse(text, v), 0);
	assert_int_equal(v[TCPTL_TCPEXT_SYNCOOKIES], 7);
	assert_int_equal(v[TCPTL_TCPEXT_OVERFLOWS], 12);
	assert_int_equal(v[TCPTL_TCPEXT_DROPS], 13);
	assert_int_equal(v[TCPTL_TCPEXT_REQQ_FULL], 2);
	assert_int_equal(tcptl_netstat_parse("IpExt: A\nIpExt: 1\n", v), -EINVAL);
	assert_int_equal(tcptl_netstat_parse("TcpExt: A B\nTcpExt: 1\n", v), -EINVAL);

	/* This machine's own file reads. */
	int fd = open("/proc/net/netstat", O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(tcptl_netstat_read(fd, v), 0);
	close(fd);
}

static void test_connfail_kind(void **state)
{
	(void)state;
	assert_int_equal(tcptl_connfail_kind(ECONNREFUSED, 40000), TCPTL_CONNFAIL_REFUSED);
	assert_int_equal(tcptl_connfail_kind(ETIMEDOUT, 40000), TCPTL_CONNFAIL_TIMEOUT);
	assert_int_equal(tcptl_connfail_kind(EHOSTUNREACH, 40000), TCPTL_CONNFAIL_UNREACHABLE);
	assert_int_equal(tcptl_connfail_kind(ENETUNREACH, 40000), TCPTL_CONNFAIL_UNREACHABLE);
	assert_int_equal(tcptl_connfail_kind(0, 40000), TCPTL_CONNFAIL_ABORTED);
	assert_int_equal(tcptl_connfail_kind(0, 0), TCPTL_CONNFAIL_NO_PORT);
	assert_string_equal(tcptl_connfail_names[TCPTL_CONNFAIL_NO_PORT], "no_port");
}

static struct tcptl_event record(uint8_t type, const char *local, uint16_t lport,
				 const char *remote, uint16_t rport)
{
	struct tcptl_event ev = { .type = type, .family = AF_INET, .sport = lport,
				  .dport = rport, .netns = 0 };

	inet_pton(AF_INET, local, &ev.saddr);
	inet_pton(AF_INET, remote, &ev.daddr);
	return ev;
}

static void feed(struct tcptl_top *t, struct tcptl_event ev)
{
	ev.netns = t->netns;
	tcptl_top_record(t, &ev);
}

static struct tcptl_event accept_rec(uint16_t port, uint64_t wait_ns)
{
	struct tcptl_event ev = record(TCPTL_EVENT_ACCEPT, "127.0.0.1", port, "127.0.0.1", 50000);

	ev.prev_state_ns = wait_ns;
	ev.has_prev_ns = true;
	return ev;
}

static struct tcptl_event failed_connect(const char *remote, uint16_t port, uint8_t err,
					 uint16_t sport)
{
	struct tcptl_event ev = record(TCPTL_EVENT_STATE, "127.0.0.1", sport, remote, port);

	ev.oldstate = TCPTL_STATE_SYN_SENT;
	ev.newstate = TCPTL_STATE_CLOSE;
	ev.error = err;
	return ev;
}

static const struct tcptl_listener *listener_on(const struct tcptl_snapshot *s, uint16_t port)
{
	for (unsigned int i = 0; i < s->in.n_listeners; i++)
		if (s->in.listeners[i].local.port == port)
			return &s->in.listeners[i];
	return NULL;
}

/* A listener with backlog 2 that accepts nothing, and four connects: the
 * queue holds three (backlog + 1), the fourth waits in SYN_SENT or
 * SYN_RECV, its SYN or its ACK turned away. */
static void test_full_accept_queue(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	struct tcptl_rfilter filter = { 0 };
	struct tcptl_session s = { 0 };
	struct tcptl_options o = { .warn_accept_queue = 100, .warn_connect_failures = 0.5 };
	struct tcptl_alerts alerts = { 0 };
	struct tcptl_top t;
	char log[4096], expect[256], err[64], *text;
	int lfd, clients[4];
	uint16_t port;
	size_t tlen;
	FILE *f;

	(void)state;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(lfd, 2), 0);
	getsockname(lfd, (struct sockaddr *)&a, &len);
	port = ntohs(a.sin_port);
	for (int i = 0; i < 4; i++) {
		clients[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(clients[i], (struct sockaddr *)&a, sizeof(a));
	}
	usleep(200000);

	tcptl_parse_range("1", &filter.port, err, sizeof(err));
	filter.port.r[0].lo = filter.port.r[0].hi = port;
	s.start_ns = tcptl_now_ns() - 2000000000ull;
	tcptl_conn_table_init(&s.conns, 16);
	assert_int_equal(tcptl_top_init(&t, &filter, 0), 0);
	/* Two accepts of the interval, waits of 10 ms and 30 ms; failed connects
	 * to the same port on 127.0.0.9 (it passes the port filter). */
	feed(&t, accept_rec(port, 10000000));
	feed(&t, accept_rec(port, 30000000));
	feed(&t, failed_connect("127.0.0.9", port, ECONNREFUSED, 40001));
	feed(&t, failed_connect("127.0.0.9", port, ETIMEDOUT, 40002));
	feed(&t, failed_connect("127.0.0.9", port, ETIMEDOUT, 40003));
	feed(&t, failed_connect("127.0.0.9", port, 0, 0));
	/* Another port: filtered out. */
	feed(&t, failed_connect("127.0.0.9", port ^ 1, ETIMEDOUT, 40004));
	uint64_t now = tcptl_now_ns();

	assert_int_equal(tcptl_top_snapshot(&t, &s, now), 0);

	const struct tcptl_snapshot *snap = &t.snap;
	const struct tcptl_listener *l = listener_on(snap, port);
	char local[32];

	assert_non_null(l);
	assert_int_equal(snap->in.n_listeners, 1);
	assert_int_equal(l->pid, getpid());
	assert_string_equal(l->comm, "test_inbound");
	assert_int_equal(l->backlog, 2);
	assert_int_equal(l->accept_queue, 3);
	assert_int_equal(l->accepts, 2);
	assert_true(l->has_wait);
	assert_true(l->wait_p50_s > 0.0099 && l->wait_p50_s < 0.0101);
	assert_true(l->wait_p99_s > 0.0299 && l->wait_p99_s < 0.0301);
	assert_true(snap->in.tcpext_ok);
	/* The fourth client: either still in SYN_SENT (its SYN dropped) or
	 * established on its side with a request in SYN_RECV here. */
	assert_int_equal(snap->in.syn_sent + l->syn_recv, 1);
	assert_int_equal(snap->in.failed[TCPTL_CONNFAIL_REFUSED], 1);
	assert_int_equal(snap->in.failed[TCPTL_CONNFAIL_TIMEOUT], 2);
	assert_int_equal(snap->in.failed[TCPTL_CONNFAIL_NO_PORT], 1);
	assert_int_equal(snap->in.failed[TCPTL_CONNFAIL_ABORTED], 0);

	const struct tcptl_syn_remote *r = NULL;

	for (unsigned int i = 0; i < snap->in.n_syn_remote; i++)
		if (snap->in.syn_remote[i].remote.addr.v4.s_addr == htonl(0x7f000009))
			r = &snap->in.syn_remote[i];
	assert_non_null(r);
	assert_int_equal(r->count, 0);
	assert_int_equal(r->failed[TCPTL_CONNFAIL_REFUSED], 1);
	assert_int_equal(r->failed[TCPTL_CONNFAIL_TIMEOUT], 2);
	assert_int_equal(r->failed[TCPTL_CONNFAIL_NO_PORT], 1);

	/* Alerts: the full queue, and failed connects above 0.5/s (4 in 2 s). */
	f = fmemopen(log, sizeof(log), "w");
	snap = &t.snap;
	tcptl_alerts_eval(&alerts, &o, snap, f, false);
	fflush(f);
	snprintf(local, sizeof(local), "127.0.0.1:%u", port);
	snprintf(expect, sizeof(expect),
		 "ALERT firing accept_queue local=%s: test_inbound (pid %d) listening on %s has 3 of 2 connections waiting for accept() (150%%, limit 100%%)",
		 local, getpid(), local);
	assert_non_null(strstr(log, expect));
	snprintf(expect, sizeof(expect), "ALERT firing connect_failures remote=127.0.0.9:%u: ", port);
	assert_non_null(strstr(log, expect));
	assert_non_null(strstr(log, "refused 1, timeout 2, unreachable 0, no_port 1, aborted 0"));

	/* Prometheus: the listener's gauges and the failures by cause. */
	struct tcptl_prom_input in = { .snap = snap, .tally = &s.tally };

	FILE *m = open_memstream(&text, &tlen);

	tcptl_prom_write(m, &in);
	fclose(m);
	snprintf(expect, sizeof(expect),
		 "\ntcptimeline_listen_accept_queue{local=\"%s\",pid=\"%d\",comm=\"test_inbound\"} 3\n",
		 local, getpid());
	assert_non_null(strstr(text, expect));
	snprintf(expect, sizeof(expect),
		 "\ntcptimeline_listen_backlog{local=\"%s\",pid=\"%d\",comm=\"test_inbound\"} 2\n",
		 local, getpid());
	assert_non_null(strstr(text, expect));
	snprintf(expect, sizeof(expect),
		 "\ntcptimeline_connect_failures_total{remote=\"127.0.0.9:%u\",reason=\"timeout\"} 2\n",
		 port);
	assert_non_null(strstr(text, expect));
	assert_non_null(strstr(text, "\ntcptimeline_listen_overflows_total "));
	assert_promtool_accepts(text, tlen);
	free(text);

	/* Accept everything: the next interval has no failures, the queue is
	 * empty and both alerts resolve; the totals stay. */
	for (int i = 0; i < 4; i++) {
		int c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);

		if (c >= 0)
			close(c);
	}
	usleep(50000);
	assert_int_equal(tcptl_top_snapshot(&t, &s, now + 1000000000ull), 0);
	snap = &t.snap;
	l = listener_on(snap, port);
	assert_non_null(l);
	assert_int_equal(l->accept_queue, 0);
	assert_int_equal(l->accepts, 0);
	assert_false(l->has_wait);
	assert_int_equal(snap->in.failed[TCPTL_CONNFAIL_TIMEOUT], 2);
	for (unsigned int i = 0; i < snap->in.n_syn_remote; i++)
		assert_int_equal(snap->in.syn_remote[i].failed[TCPTL_CONNFAIL_TIMEOUT], 0);
	tcptl_alerts_eval(&alerts, &o, snap, f, false);
	fclose(f);
	snprintf(expect, sizeof(expect), "ALERT resolved accept_queue local=%s", local);
	assert_non_null(strstr(log, expect));
	snprintf(expect, sizeof(expect), "ALERT resolved connect_failures remote=127.0.0.9:%u", port);
	assert_non_null(strstr(log, expect));
	assert_int_equal(alerts.count, 0);

	tcptl_alerts_free(&alerts);
	tcptl_top_free(&t);
	tcptl_conn_table_free(&s.conns);
	for (int i = 0; i < 4; i++)
		close(clients[i]);
	close(lfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_netstat_parse),
		cmocka_unit_test(test_connfail_kind),
		cmocka_unit_test(test_full_accept_queue),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
