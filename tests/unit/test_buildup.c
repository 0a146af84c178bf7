// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the summary, seeding, Perfetto and Prometheus outputs and
 * of the buildup snapshot (top), the latter on real loopback sockets of
 * this process: a CLOSE_WAIT it holds, a TIME_WAIT it made.
 */
#include <errno.h>
#include <poll.h>
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
#include "closing.h"
#include "conn.h"
#include "hist.h"
#include "latency.h"
#include "options.h"
#include "output.h"
#include "perfetto.h"
#include "procfd.h"
#include "promtext.h"
#include "session.h"
#include "sockdiag.h"
#include "tally.h"
#include "top.h"
#include "tcp_timeline.h"


static struct tcptl_event st_ev(uint64_t cookie, uint64_t t, uint8_t old, uint8_t new)
{
	struct tcptl_event ev = { .type = TCPTL_EVENT_STATE, .cookie = cookie, .time_ns = t,
				  .oldstate = old, .newstate = new, .family = AF_INET,
				  .sport = 9000, .dport = 40000, .netns = 1 };

	inet_pton(AF_INET, "127.0.0.1", &ev.saddr);
	inet_pton(AF_INET, "127.0.0.2", &ev.daddr);
	return ev;
}

static void test_hist_buckets(void **state)
{
	struct tcptl_hist h = { 0 };
	char out[1024];
	FILE *f;

	(void)state;
	assert_int_equal(tcptl_hist_bucket(0), 0);
	assert_int_equal(tcptl_hist_bucket(1), 0);
	assert_int_equal(tcptl_hist_bucket(1023), 9);
	assert_int_equal(tcptl_hist_bucket(1024), 10);
	assert_int_equal(tcptl_hist_bucket(UINT64_MAX), 63);
	tcptl_hist_add(&h, 1500);
	tcptl_hist_add(&h, 1600);
	tcptl_hist_add(&h, 5000);
	assert_int_equal(h.count, 3);
	assert_int_equal(h.sum_ns, 8100);
	f = fmemopen(out, sizeof(out), "w");
	tcptl_hist_json(f, &h);
	fclose(f);
	assert_string_equal(out, "{\"count\":3,\"sum_ns\":8100,\"buckets\":["
			    "{\"lt_ns\":2048,\"count\":2},{\"lt_ns\":8192,\"count\":1}]}");
}

static void test_latency_quantiles(void **state)
{
	static struct tcptl_latency l;

	(void)state;
	assert_int_equal(tcptl_latency_quantile(&l, 0.5), 0);
	for (unsigned int i = 0; i < 98; i++)
		tcptl_latency_add(&l, 1000000);		/* 1 ms: bucket 20 */
	tcptl_latency_add(&l, 30000000);		/* 30 ms */
	tcptl_latency_add(&l, 500000000);		/* 500 ms: past the last bucket */
	assert_int_equal(l.count, 100);
	/* Upper bounds of the buckets: never an underestimate. */
	assert_int_equal(tcptl_latency_quantile(&l, 0.50), 1050000);
	assert_int_equal(tcptl_latency_quantile(&l, 0.98), 1050000);
	assert_int_equal(tcptl_latency_quantile(&l, 0.99), 30050000);
	assert_int_equal(tcptl_latency_quantile(&l, 1.0), 500000000);
	assert_int_equal(l.max_ns, 500000000);
}

/* A client's life through TIME_WAIT, as the session hands it to the tally. */
static void test_tally_client_life(void **state)
{
	static const struct { uint64_t t; uint8_t old, new; uint32_t flags; uint8_t reason; } life[] = {
		{ 1000, TCPTL_STATE_CLOSE, TCPTL_STATE_SYN_SENT, 0, 0 },
		{ 5000, TCPTL_STATE_SYN_SENT, TCPTL_STATE_ESTABLISHED, 0, 0 },
		{ 9000, TCPTL_STATE_ESTABLISHED, TCPTL_STATE_FIN_WAIT1, 0, 0 },
		{ 9500, TCPTL_STATE_FIN_WAIT1, TCPTL_STATE_FIN_WAIT2, 0, 0 },
		{ 9700, TCPTL_STATE_FIN_WAIT2, TCPTL_STATE_TIME_WAIT, TCPTL_EVF_TIMEWAIT, 0 },
		{ 9701, TCPTL_STATE_FIN_WAIT2, TCPTL_STATE_CLOSE, 0, 0 },
		{ 60000009700ull, TCPTL_STATE_TIME_WAIT, TCPTL_STATE_CLOSE, TCPTL_EVF_TIMEWAIT,
		  TCPTL_TW_REASON_EXPIRED },
	};
	struct tcptl_conn_table t;
	struct tcptl_tally tally = { 0 };

	(void)state;
	tcptl_conn_table_init(&t, 8);
	for (unsigned int i = 0; i < sizeof(life) / sizeof(life[0]); i++) {
		struct tcptl_event ev = st_ev(3, life[i].t, life[i].old, life[i].new);

		ev.flags = life[i].flags;
		ev.tw_reason = life[i].reason;
		tcptl_conn_apply(&t, &ev, 0);
		tcptl_tally_record(&tally, &ev);
	}
	assert_int_equal(tally.transitions[TCPTL_STATE_SYN_SENT][TCPTL_STATE_ESTABLISHED], 1);
	/* The full socket's hand-over to the timewait socket is no transition. */
	assert_int_equal(tally.transitions[TCPTL_STATE_FIN_WAIT2][TCPTL_STATE_CLOSE], 0);
	assert_int_equal(tally.transitions[TCPTL_STATE_TIME_WAIT][TCPTL_STATE_CLOSE], 1);
	assert_int_equal(tally.entered[TCPTL_STATE_CLOSE], 1);
	assert_int_equal(tally.connect.count, 1);
	assert_int_equal(tally.connect.sum_ns, 4000);
	assert_int_equal(tally.in_state[TCPTL_STATE_ESTABLISHED].sum_ns, 4000);
	assert_int_equal(tally.in_state[TCPTL_STATE_FIN_WAIT2].sum_ns, 200);
	assert_int_equal(tally.in_state[TCPTL_STATE_TIME_WAIT].sum_ns, 60000000000ull);
	assert_int_equal(tally.tw_end[TCPTL_TW_REASON_EXPIRED], 1);
	tcptl_conn_table_free(&t);
}

static char *print_timeline(const struct tcptl_conn *c, bool json)
{
	static char out[4096];
	struct tcptl_out o = { .json = json };

	o.f = fmemopen(out, sizeof(out), "w");
	tcptl_print_timeline(&o, c);
	fclose(o.f);
	return out;
}

/* A socket from the start-up dump, then its records. */
static void test_seed_then_records(void **state)
{
	struct tcptl_conn_table t;
	struct tcptl_event id = st_ev(7, 0, TCPTL_STATE_ESTABLISHED, TCPTL_STATE_ESTABLISHED);
	struct tcptl_event ev;
	struct tcptl_conn *c;

	(void)state;
	tcptl_conn_table_init(&t, 8);
	c = tcptl_conn_seed(&t, &id, 0, false);
	assert_true(c->preexisting);
	ev = st_ev(7, 2000000, TCPTL_STATE_ESTABLISHED, TCPTL_STATE_CLOSE_WAIT);
	tcptl_conn_apply(&t, &ev, 0);
	assert_false(ev.has_prev_ns);	/* ESTABLISHED began before we looked */
	ev = st_ev(7, 5000000, TCPTL_STATE_CLOSE_WAIT, TCPTL_STATE_LAST_ACK);
	tcptl_conn_apply(&t, &ev, 0);
	assert_true(ev.has_prev_ns);
	assert_int_equal(ev.prev_state_ns, 3000000);
	ev = st_ev(7, 6000000, TCPTL_STATE_LAST_ACK, TCPTL_STATE_CLOSE);
	tcptl_conn_apply(&t, &ev, 0);
	assert_true(c->finished);
	assert_int_equal(tcptl_first_closer(c), TCPTL_CLOSER_PEER);
	assert_string_equal(print_timeline(c, false),
		"127.0.0.1:9000 -> 127.0.0.2:40000  cookie 7  netns 1  owner -  (opened before start)\n"
		"  before start    ESTABLISHED \n"
		"  +     0.000 ms  CLOSE_WAIT         3.000 ms\n"
		"  +     3.000 ms  LAST_ACK           1.000 ms\n"
		"  +     4.000 ms  CLOSE       \n"
		"  closed: fin, first by peer; bytes acked 0, received 0, retransmits 0; lifetime over 4.000 ms\n\n");
	assert_string_equal(print_timeline(c, true),
		"{\"type\":\"timeline\",\"cookie\":7,\"netns\":1,\"family\":\"inet\",\"local\":\"127.0.0.1:9000\","
		"\"remote\":\"127.0.0.2:40000\",\"start_wall_ns\":2000000,\"preexisting\":true,\"states\":["
		"{\"state\":\"ESTABLISHED\",\"before_start\":true},"
		"{\"state\":\"CLOSE_WAIT\",\"enter_ns\":0,\"duration_ns\":3000000},"
		"{\"state\":\"LAST_ACK\",\"enter_ns\":3000000,\"duration_ns\":1000000},"
		"{\"state\":\"CLOSE\",\"enter_ns\":4000000}],\"close\":\"fin\",\"closed_first\":\"peer\","
		"\"bytes_acked\":0,\"bytes_received\":0,\"total_retrans\":0,\"lifetime_ns\":4000000,"
		"\"end_wall_ns\":6000000}\n");

	/* A dumped socket whose records show it began after we subscribed:
	 * the records tell the whole story. */
	id = st_ev(8, 0, TCPTL_STATE_ESTABLISHED, TCPTL_STATE_ESTABLISHED);
	c = tcptl_conn_seed(&t, &id, 0, false);
	ev = st_ev(8, 100, TCPTL_STATE_CLOSE, TCPTL_STATE_SYN_SENT);
	tcptl_conn_apply(&t, &ev, 0);
	assert_false(c->preexisting);
	assert_int_equal(c->nsteps, 2);
	assert_int_equal(c->steps[1].state, TCPTL_STATE_SYN_SENT);
	/* Records first, then the dump: the dump changes nothing. */
	id = st_ev(8, 0, TCPTL_STATE_ESTABLISHED, TCPTL_STATE_ESTABLISHED);
	assert_ptr_equal(tcptl_conn_seed(&t, &id, 0, false), c);
	assert_false(c->preexisting);
	tcptl_conn_table_free(&t);
}

static void test_perfetto_trace(void **state)
{
	char path[] = "/tmp/tcptl-perfetto-XXXXXX", cmd[256], out[256];
	struct tcptl_conn_table t;
	struct tcptl_perfetto p;
	struct tcptl_conn *c = NULL;
	FILE *f;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	tcptl_conn_table_init(&t, 8);
	static const uint8_t life[][2] = {
		{ TCPTL_STATE_CLOSE, TCPTL_STATE_SYN_SENT },
		{ TCPTL_STATE_SYN_SENT, TCPTL_STATE_ESTABLISHED },
		{ TCPTL_STATE_ESTABLISHED, TCPTL_STATE_CLOSE },
	};
	for (unsigned int i = 0; i < 3; i++) {
		struct tcptl_event ev = st_ev(11, 1000000 * (i + 1), life[i][0], life[i][1]);

		if (i == 0) {
			ev.has_pid = true;
			ev.pid = 42;
			strcpy(ev.comm, "cu\"rl");
		}
		c = tcptl_conn_apply(&t, &ev, 0);
	}
	assert_int_equal(tcptl_perfetto_open(&p, path), 0);
	tcptl_perfetto_conn(&p, c, 0);
	tcptl_perfetto_conn(&p, c, 0);
	assert_int_equal(tcptl_perfetto_close(&p), 0);
	/* Valid JSON; two tracks; SYN_SENT then ESTABLISHED, 1 ms each, under pid 42. */
	snprintf(cmd, sizeof(cmd), "jq -r '[.traceEvents[] | select(.ph == \"X\") | "
		 "\"\\(.tid):\\(.name):\\(.ts):\\(.dur):\\(.pid)\"] | join(\" \")' %s", path);
	f = popen(cmd, "r");
	assert_non_null(fgets(out, sizeof(out), f));
	assert_int_equal(pclose(f), 0);
	assert_string_equal(out, "1:SYN_SENT:1000:1000:42 1:ESTABLISHED:2000:1000:42 "
			    "2:SYN_SENT:1000:1000:42 2:ESTABLISHED:2000:1000:42\n");
	snprintf(cmd, sizeof(cmd), "jq -r '.traceEvents[] | select(.name == \"process_name\") | .args.name' %s | head -n 1", path);
	f = popen(cmd, "r");
	assert_non_null(fgets(out, sizeof(out), f));
	pclose(f);
	assert_string_equal(out, "cu\"rl\n");
	unlink(path);
	tcptl_conn_table_free(&t);
}

/* Real sockets: a listener, a connection whose peer closed (our child in
 * CLOSE_WAIT with 5 bytes unread), and one we closed first (TIME_WAIT). */
struct loopback {
	int lfd, child, client, tw_client, tw_child;
	uint16_t port;
};

static int connect_to(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

static void make_loopback(struct loopback *lb)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	char buf[8];

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lb->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(lb->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(lb->lfd, 8), 0);
	getsockname(lb->lfd, (struct sockaddr *)&a, &len);
	lb->port = ntohs(a.sin_port);
	lb->client = connect_to(lb->port);
	lb->child = accept(lb->lfd, NULL, NULL);
	assert_int_equal(write(lb->client, "hello", 5), 5);
	close(lb->client);	/* peer's FIN: our child goes to CLOSE_WAIT */
	lb->tw_client = connect_to(lb->port);
	lb->tw_child = accept(lb->lfd, NULL, NULL);
	close(lb->tw_client);	/* active close ... */
	assert_int_equal(read(lb->tw_child, buf, sizeof(buf)), 0);
	close(lb->tw_child);	/* ... and the peer's: TIME_WAIT on the client side */
	usleep(100000);
}

static void test_top_snapshot_loopback(void **state)
{
	struct tcptl_rfilter filter = { 0 };
	struct tcptl_session s = { 0 };
	struct tcptl_options o = { .warn_close_wait_age = 0.05, .warn_tw_ports = 0.0001 };
	struct tcptl_alerts alerts = { 0 };
	struct tcptl_top t;
	struct loopback lb;
	char log[2048], expect[128];
	FILE *f;

	(void)state;
	make_loopback(&lb);
	tcptl_parse_range("0", &filter.port, log, sizeof(log));
	filter.port.r[0].lo = filter.port.r[0].hi = lb.port;
	s.start_ns = tcptl_now_ns() - 1000000000ull;	/* "started" a second ago */
	tcptl_conn_table_init(&s.conns, 16);
	assert_int_equal(tcptl_top_init(&t, &filter, 0), 0);
	assert_int_equal(tcptl_top_snapshot(&t, &s, tcptl_now_ns()), 0);

	const struct tcptl_snapshot *snap = &t.snap;

	assert_int_equal(snap->count[TCPTL_STATE_LISTEN], 1);
	assert_int_equal(snap->count[TCPTL_STATE_CLOSE_WAIT], 1);
	assert_int_equal(snap->count[TCPTL_STATE_TIME_WAIT], 1);
	assert_int_equal(snap->n_cw_groups, 1);
	assert_int_equal(snap->cw_groups[0].pid, getpid());
	assert_string_equal(snap->cw_groups[0].comm, "test_buildup");
	assert_int_equal(snap->cw_groups[0].count, 1);
	assert_int_equal(snap->cw_groups[0].unread, 5);
	assert_true(snap->cw_groups[0].accepted);
	/* Unknown to the record stream: at least as old as the reader. */
	assert_false(snap->cw_groups[0].oldest_known);
	assert_true(snap->cw_groups[0].oldest_s >= 1.0);
	assert_int_equal(snap->n_tw_remote, 1);
	assert_int_equal(snap->tw_remote[0].key.port, lb.port);
	assert_int_equal(snap->tw_remote[0].count, 1);
	/* Two local ports towards it: the TIME_WAIT and the first client,
	 * in FIN_WAIT2 while our child sits in CLOSE_WAIT. */
	assert_int_equal(snap->count[TCPTL_STATE_FIN_WAIT2], 1);
	assert_int_equal(snap->tw_remote[0].in_use, 2);
	assert_int_equal(snap->n_tw_lport, 1);
	assert_true(snap->tw_max > 0);
	assert_true(snap->port_hi > snap->port_lo);

	/* Alerts fire once, then resolve when the CLOSE_WAIT is gone. */
	f = fmemopen(log, sizeof(log), "w");
	tcptl_alerts_eval(&alerts, &o, snap, f, false);
	tcptl_alerts_eval(&alerts, &o, snap, f, false);
	close(lb.child);
	usleep(50000);
	assert_int_equal(tcptl_top_snapshot(&t, &s, tcptl_now_ns()), 0);
	o.warn_tw_ports = 0;
	tcptl_alerts_eval(&alerts, &o, &t.snap, f, false);
	fclose(f);
	snprintf(expect, sizeof(expect), "ALERT firing close_wait_age pid=%d: test_buildup (pid %d) holds 1",
		 getpid(), getpid());
	assert_non_null(strstr(log, expect));
	assert_non_null(strstr(log, "ALERT firing tw_ports remote=127.0.0.1:"));
	snprintf(expect, sizeof(expect), "ALERT resolved close_wait_age pid=%d", getpid());
	assert_non_null(strstr(log, expect));
	assert_non_null(strstr(log, "ALERT resolved tw_ports"));
	assert_int_equal(alerts.count, 0);
	/* Three firings/resolutions in all: the second evaluation said nothing new. */
	int lines = 0;

	for (char *p = log; (p = strchr(p, '\n')); p++)
		lines++;
	assert_int_equal(lines, 4);
	tcptl_alerts_free(&alerts);
	tcptl_top_free(&t);
	tcptl_conn_table_free(&s.conns);
	close(lb.lfd);
}

static uint16_t listener_port;

static void find_listener(const struct tcptl_sock *sk, void *arg)
{
	if (sk->id.newstate == TCPTL_STATE_LISTEN && sk->id.sport == listener_port)
		*(struct tcptl_sock *)arg = *sk;
}

static void test_procfd_owner(void **state)
{
	struct tcptl_procfd p = { 0 };
	struct loopback lb;
	struct tcptl_sock found = { 0 };
	struct mnl_socket *diag;

	(void)state;
	make_loopback(&lb);
	diag = tcptl_sockdiag_open();
	assert_non_null(diag);
	/* The listener's inode, from the dump, names this process. */
	listener_port = lb.port;
	assert_int_equal(tcptl_sockdiag_dump(diag, 1, find_listener, &found), 0);
	tcptl_sockdiag_close(diag);
	assert_true(found.ino != 0);
	assert_true(found.id.cookie != 0);
	assert_int_equal(found.id.netns, 1);
	assert_int_equal(tcptl_procfd_scan(&p, "/proc"), 0);
	const struct tcptl_fd_owner *o = tcptl_procfd_find(&p, found.ino);

	assert_non_null(o);
	assert_int_equal(o->pid, getpid());
	assert_string_equal(o->comm, "test_buildup");
	tcptl_procfd_free(&p);
	close(lb.child);
	close(lb.lfd);
}

/* The exposition passes promtool, and says what the tally says. */
static void test_prometheus_text(void **state)
{
	struct tcptl_tally tally = { 0 };
	struct tcptl_snapshot snap = { 0 };
	struct tcptl_cw_group g = { .pid = 12, .comm = "le\"aky\\", .count = 3, .oldest_s = 4.5 };
	struct tcptl_stats st = { .produced = 10, .buffer_size = 4096 };
	struct tcptl_prom_input in = { .snap = &snap, .tally = &tally, .module = &st,
				       .lost_module = 2, .tracked = 1 };
	char *text;
	size_t len;
	FILE *f;

	(void)state;
	snap.count[TCPTL_STATE_CLOSE_WAIT] = 3;
	snap.cw_groups = &g;
	snap.n_cw_groups = 1;
	snap.tw_max = 4096;
	snap.port_lo = 32768;
	snap.port_hi = 60999;
	tally.transitions[TCPTL_STATE_SYN_SENT][TCPTL_STATE_ESTABLISHED] = 2;
	tcptl_hist_add(&tally.connect, 1500);	/* 1.5 us */
	tcptl_hist_add(&tally.connect, 3000000);	/* 3 ms */
	tcptl_hist_add(&tally.in_state[TCPTL_STATE_TIME_WAIT], 60000000000ull);
	tally.tw_end[TCPTL_TW_REASON_EXPIRED] = 1;
	f = open_memstream(&text, &len);
	tcptl_prom_write(f, &in);
	fclose(f);
	assert_non_null(strstr(text, "\ntcptimeline_sockets{state=\"CLOSE_WAIT\"} 3\n"));
	assert_non_null(strstr(text, "\ntcptimeline_close_wait_sockets{pid=\"12\",comm=\"le\\\"aky\\\\\"} 3\n"));
	assert_non_null(strstr(text, "\ntcptimeline_transitions_total{from=\"SYN_SENT\",to=\"ESTABLISHED\"} 2\n"));
	/* 1.5 us is above the first bound (1.024 us), below the second. */
	assert_non_null(strstr(text, "\ntcptimeline_connect_latency_seconds_bucket{le=\"1.024e-06\"} 0\n"));
	assert_non_null(strstr(text, "\ntcptimeline_connect_latency_seconds_bucket{le=\"2.048e-06\"} 1\n"));
	assert_non_null(strstr(text, "\ntcptimeline_connect_latency_seconds_bucket{le=\"0.004194304\"} 2\n"));
	assert_non_null(strstr(text, "\ntcptimeline_connect_latency_seconds_bucket{le=\"+Inf\"} 2\n"));
	assert_non_null(strstr(text, "\ntcptimeline_connect_latency_seconds_sum 0.003001500\n"));
	assert_non_null(strstr(text, "\ntcptimeline_state_duration_seconds_bucket{state=\"TIME_WAIT\",le=\"68.719476736\"} 1\n"));
	assert_non_null(strstr(text, "\ntcptimeline_time_wait_ended_total{reason=\"expired\"} 1\n"));
	assert_non_null(strstr(text, "\ntcptimeline_records_lost_total{where=\"module\"} 2\n"));
	assert_non_null(strstr(text, "\ntcptimeline_module_produced_total 10\n"));
	assert_promtool_accepts(text, len);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hist_buckets),
		cmocka_unit_test(test_latency_quantiles),
		cmocka_unit_test(test_tally_client_life),
		cmocka_unit_test(test_seed_then_records),
		cmocka_unit_test(test_perfetto_trace),
		cmocka_unit_test(test_top_snapshot_loopback),
		cmocka_unit_test(test_procfd_owner),
		cmocka_unit_test(test_prometheus_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
