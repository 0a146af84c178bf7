// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the reader's parsing, accounting, assembly and output. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "closing.h"
#include "conn.h"
#include "decode.h"
#include "output.h"
#include "reorder.h"
#include "rfilter.h"
#include "seqtrack.h"
#include "session.h"
#include "tcp_timeline.h"

static char msgbuf[8192];

/* A well-formed IPv4 state record from CPU 1 at time T, made by curl. */
static struct tcptl_record record_at(uint64_t cookie, uint64_t seq, uint64_t t,
				     uint8_t old, uint8_t new)
{
	struct tcptl_record r = {
		.seq = seq, .time_ns = t, .cookie = cookie, .cpu = 1,
		.sport = 40000, .dport = 80, .type = TCPTL_EVENT_STATE,
		.family = AF_INET, .oldstate = old, .newstate = new,
		.flags = TCPTL_EVF_TASK_CONTEXT, .pid = 42, .comm = "curl",
	};

	r.saddr.v4 = r.daddr.v4 = htonl(INADDR_LOOPBACK);
	return r;
}

static struct tcptl_record record(uint64_t cookie, uint64_t seq, uint8_t old, uint8_t new)
{
	return record_at(cookie, seq, 5000 + seq, old, new);
}

static struct nlmsghdr *events_msg(void)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(msgbuf);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	nlh->nlmsg_type = 0x20;
	g->cmd = TCPTL_CMD_EVENTS;
	mnl_attr_put_u64(nlh, TCPTL_A_CLOCK_OFFSET_NS, 1000);
	return nlh;
}

/*
 * A TCPTL_A_RECORDS array of the N records, each in SIZE bytes (a size
 * above the reader's filled with 0xee, as a newer module's fields), whose
 * header claims COUNT records.
 */
static void put_records(struct nlmsghdr *nlh, const struct tcptl_record *recs, unsigned int n,
			uint16_t size, uint16_t count)
{
	static char payload[4096];
	struct tcptl_records head = { .record_size = size, .count = count };
	size_t copy = size < sizeof(*recs) ? size : sizeof(*recs);

	memset(payload, 0xee, sizeof(payload));
	memcpy(payload, &head, sizeof(head));
	for (unsigned int i = 0; i < n; i++)
		memcpy(payload + sizeof(head) + i * size, &recs[i], copy);
	mnl_attr_put(nlh, TCPTL_A_RECORDS, sizeof(head) + n * size, payload);
}

static struct nlmsghdr *records_msg(const struct tcptl_record *recs, unsigned int n)
{
	struct nlmsghdr *nlh = events_msg();

	put_records(nlh, recs, n, sizeof(*recs), (uint16_t)n);
	return nlh;
}

struct collected {
	struct tcptl_event ev[8];
	int n;
};

static void collect(const struct tcptl_event *ev, void *arg)
{
	struct collected *c = arg;

	if (c->n < 8)
		c->ev[c->n++] = *ev;
}

static void test_decode_good(void **state)
{
	struct tcptl_record r[2] = {
		record(77, 3, TCPTL_STATE_SYN_SENT, TCPTL_STATE_ESTABLISHED),
		record(78, 4, TCPTL_STATE_CLOSE, TCPTL_STATE_SYN_SENT),
	};
	struct tcptl_decode_counts counts = { 0 };
	struct collected got = { 0 };
	struct nlmsghdr *nlh;

	(void)state;
	r[1].family = AF_INET6;
	memset(r[1].saddr.v6, 0, 16);
	r[1].saddr.v6[15] = 1;
	r[1].flags = 0;
	nlh = records_msg(r, 2);
	mnl_attr_put_u32(nlh, 200, 9);	/* a newer module's attribute */
	assert_int_equal(tcptl_decode_events(nlh, collect, &got, &counts), 0);
	assert_int_equal(got.n, 2);
	assert_int_equal(counts.records, 2);
	assert_int_equal(counts.invalid, 0);
	assert_int_equal(got.ev[0].cookie, 77);
	assert_int_equal(got.ev[0].seq, 3);
	assert_true(got.ev[0].has_seq);
	assert_int_equal(got.ev[0].time_ns, 5003);
	assert_int_equal(got.ev[0].cpu, 1);
	assert_int_equal(got.ev[0].sport, 40000);
	assert_int_equal(got.ev[0].dport, 80);
	assert_int_equal(got.ev[0].saddr.v4.s_addr, htonl(INADDR_LOOPBACK));
	assert_int_equal(got.ev[0].oldstate, TCPTL_STATE_SYN_SENT);
	assert_int_equal(got.ev[0].newstate, TCPTL_STATE_ESTABLISHED);
	assert_true(got.ev[0].has_pid);
	assert_int_equal(got.ev[0].pid, 42);
	assert_string_equal(got.ev[0].comm, "curl");
	assert_false(got.ev[0].has_owner);
	assert_false(got.ev[0].has_counters);
	assert_int_equal(got.ev[0].clock_offset_ns, 1000);
	/* No task context: pid and comm are not taken, whatever the bytes say. */
	assert_int_equal(got.ev[1].family, AF_INET6);
	assert_int_equal(got.ev[1].saddr.v6.s6_addr[15], 1);
	assert_false(got.ev[1].has_pid);
	assert_string_equal(got.ev[1].comm, "");
}

/* Owner and counters are read only where the flags say they are valid. */
static void test_decode_owner_and_counters(void **state)
{
	struct tcptl_record r[2] = { record(1, 1, 7, 2), record(2, 2, 1, 8) };
	struct tcptl_decode_counts counts = { 0 };
	struct collected got = { 0 };

	(void)state;
	for (int i = 0; i < 2; i++) {
		r[i].uid = 1000;
		r[i].ino = 4242;
		r[i].bytes_acked = 7;
		r[i].bytes_received = 6;
		r[i].segs_in = 5;
		r[i].rcv_queue = 3;
	}
	r[0].flags |= TCPTL_EVF_OWNER;
	r[1].flags |= TCPTL_EVF_OWNER | TCPTL_EVF_COUNTERS;
	assert_int_equal(tcptl_decode_events(records_msg(r, 2), collect, &got, &counts), 0);
	assert_int_equal(got.n, 2);
	assert_true(got.ev[0].has_owner);
	assert_int_equal(got.ev[0].uid, 1000);
	assert_int_equal(got.ev[0].ino, 4242);
	assert_false(got.ev[0].has_counters);
	assert_int_equal(got.ev[0].bytes_acked, 0);
	assert_int_equal(got.ev[0].rcv_queue, 0);
	assert_true(got.ev[1].has_counters);
	assert_int_equal(got.ev[1].bytes_acked, 7);
	assert_int_equal(got.ev[1].bytes_received, 6);
	assert_int_equal(got.ev[1].segs_in, 5);
	assert_int_equal(got.ev[1].rcv_queue, 3);
}

/* A newer module's larger records: the known prefix of each, in place. */
static void test_decode_larger_records(void **state)
{
	struct tcptl_record r[3] = { record(1, 1, 7, 2), record(2, 2, 2, 1), record(3, 3, 1, 4) };
	struct tcptl_decode_counts counts = { 0 };
	struct collected got = { 0 };
	struct nlmsghdr *nlh = events_msg();

	(void)state;
	put_records(nlh, r, 3, sizeof(r[0]) + 24, 3);
	assert_int_equal(tcptl_decode_events(nlh, collect, &got, &counts), 0);
	assert_int_equal(got.n, 3);
	assert_int_equal(counts.invalid, 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(got.ev[i].cookie, i + 1);
		assert_int_equal(got.ev[i].seq, i + 1);
		assert_string_equal(got.ev[i].comm, "curl");
	}
	assert_int_equal(got.ev[2].newstate, 4);
}

/* Records smaller than this reader's, or of a size no layout has: none read. */
static void test_decode_short_records(void **state)
{
	struct tcptl_record r[2] = { record(1, 1, 7, 2), record(2, 2, 2, 1) };
	static const uint16_t sizes[] = { sizeof(r[0]) - 8, 0, sizeof(r[0]) + 4 };

	(void)state;
	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct tcptl_decode_counts counts = { 0 };
		struct collected got = { 0 };
		struct nlmsghdr *nlh = events_msg();

		put_records(nlh, r, 2, sizes[i], 2);
		assert_int_equal(tcptl_decode_events(nlh, collect, &got, &counts), -EINVAL);
		assert_int_equal(got.n, 0);
		assert_int_equal(counts.records, 0);
		assert_int_equal(counts.invalid, 2);
	}
}

static void test_decode_zero_count(void **state)
{
	struct tcptl_decode_counts counts = { 0 };
	struct collected got = { 0 };

	(void)state;
	assert_int_equal(tcptl_decode_events(records_msg(NULL, 0), collect, &got, &counts), 0);
	assert_int_equal(got.n, 0);
	assert_int_equal(counts.records, 0);
	assert_int_equal(counts.invalid, 0);
}

/* COUNT beyond the attribute: the records there are read, the rest counted. */
static void test_decode_count_beyond_attribute(void **state)
{
	struct tcptl_record r[2] = { record(1, 1, 7, 2), record(2, 2, 2, 1) };
	struct tcptl_decode_counts counts = { 0 };
	struct collected got = { 0 };
	struct nlmsghdr *nlh = events_msg();

	(void)state;
	put_records(nlh, r, 2, sizeof(r[0]), 60000);
	assert_int_equal(tcptl_decode_events(nlh, collect, &got, &counts), -EINVAL);
	assert_int_equal(got.n, 2);
	assert_int_equal(got.ev[1].cookie, 2);
	assert_int_equal(counts.records, 2);
	assert_int_equal(counts.invalid, 60000 - 2);
}

/* Fewer records claimed than the attribute holds: the bytes left over. */
static void test_decode_bytes_left_over(void **state)
{
	struct tcptl_record r[3] = { record(1, 1, 7, 2), record(2, 2, 2, 1), record(3, 3, 2, 1) };
	struct tcptl_decode_counts counts = { 0 };
	struct collected got = { 0 };
	struct nlmsghdr *nlh = events_msg();

	(void)state;
	put_records(nlh, r, 3, sizeof(r[0]), 2);
	assert_int_equal(tcptl_decode_events(nlh, collect, &got, &counts), -EINVAL);
	assert_int_equal(got.n, 2);
	assert_int_equal(counts.invalid, 1);
}

/* A record of no type or an unknown family is skipped; its neighbours are not. */
static void test_decode_invalid_record(void **state)
{
	struct tcptl_record r[3] = { record(1, 1, 7, 2), record(2, 2, 2, 1), record(3, 3, 2, 1) };
	struct tcptl_decode_counts counts = { 0 };
	struct collected got = { 0 };

	(void)state;
	r[0].type = 0;
	r[1].family = 99;
	assert_int_equal(tcptl_decode_events(records_msg(r, 3), collect, &got, &counts), -EINVAL);
	assert_int_equal(got.n, 1);
	assert_int_equal(got.ev[0].cookie, 3);
	assert_int_equal(counts.invalid, 2);
}

static void test_decode_lost_record(void **state)
{
	struct tcptl_record r = { .type = TCPTL_EVENT_LOST, .cpu = 3, .time_ns = 9, .lost_count = 17 };
	struct tcptl_decode_counts counts = { 0 };
	struct collected got = { 0 };

	(void)state;
	assert_int_equal(tcptl_decode_events(records_msg(&r, 1), collect, &got, &counts), 0);
	assert_int_equal(got.n, 1);
	assert_int_equal(got.ev[0].type, TCPTL_EVENT_LOST);
	assert_false(got.ev[0].has_seq);
	assert_int_equal(got.ev[0].cpu, 3);
	assert_int_equal(got.ev[0].lost_count, 17);
}

/* Cut into the array, or into its header: nothing read past the message. */
static void test_decode_truncated_message(void **state)
{
	struct tcptl_record r[2] = { record(1, 1, 7, 2), record(2, 2, 2, 1) };
	static const unsigned int cuts[] = { 10, sizeof(r) + 4, sizeof(r) + 6 };

	(void)state;
	for (unsigned int i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		struct tcptl_decode_counts counts = { 0 };
		struct collected got = { 0 };
		struct nlmsghdr *nlh = records_msg(r, 2);

		nlh->nlmsg_len -= cuts[i];
		assert_int_equal(tcptl_decode_events(nlh, collect, &got, &counts), -EINVAL);
		assert_int_equal(got.n, 0);
		assert_true(counts.invalid > 0);
	}
}

/* An attribute too short for the header. */
static void test_decode_short_attribute(void **state)
{
	struct tcptl_decode_counts counts = { 0 };
	struct collected got = { 0 };
	struct nlmsghdr *nlh = events_msg();

	(void)state;
	mnl_attr_put_u32(nlh, TCPTL_A_RECORDS, 1);
	assert_int_equal(tcptl_decode_events(nlh, collect, &got, &counts), -EINVAL);
	assert_int_equal(got.n, 0);
	assert_int_equal(counts.invalid, 1);
}

static void test_seqtrack(void **state)
{
	struct tcptl_seqtrack st;

	(void)state;
	tcptl_seqtrack_init(&st);
	tcptl_seqtrack_record(&st, 0, 100);	/* baseline */
	tcptl_seqtrack_record(&st, 0, 101);
	tcptl_seqtrack_record(&st, 0, 105);	/* 102..104 missing */
	tcptl_seqtrack_record(&st, 3, 7);	/* another CPU's baseline */
	tcptl_seqtrack_record(&st, 3, 9);	/* 8 missing */
	assert_int_equal(st.gaps, 4);
	tcptl_seqtrack_lost(&st, 3);		/* the module announces 3 */
	assert_int_equal(tcptl_seqtrack_lost_socket(&st), 1);
	tcptl_seqtrack_free(&st);
}

static struct tcptl_event state_ev(uint64_t cookie, uint64_t t, uint8_t old, uint8_t new)
{
	struct tcptl_event ev = { .type = TCPTL_EVENT_STATE, .cookie = cookie, .time_ns = t,
				  .oldstate = old, .newstate = new, .family = AF_INET,
				  .has_seq = true };
	return ev;
}

static void test_reorder(void **state)
{
	struct tcptl_reorder r;
	struct tcptl_event ev = { 0 }, out;

	(void)state;
	tcptl_reorder_init(&r);
	uint64_t times[] = { 30, 10, 20, 50, 40 };
	for (int i = 0; i < 5; i++) {
		ev.time_ns = times[i];
		assert_int_equal(tcptl_reorder_push(&r, &ev), 0);
	}
	assert_int_equal(tcptl_reorder_pop(&r, 35, 0, &out), 1);
	assert_int_equal(out.time_ns, 10);
	assert_int_equal(tcptl_reorder_pop(&r, 35, 0, &out), 1);
	assert_int_equal(out.time_ns, 20);
	assert_int_equal(tcptl_reorder_pop(&r, 35, 0, &out), 1);
	assert_int_equal(out.time_ns, 30);
	assert_int_equal(tcptl_reorder_pop(&r, 35, 0, &out), 0);
	assert_int_equal(tcptl_reorder_pop(&r, UINT64_MAX, 0, &out), 1);
	assert_int_equal(out.time_ns, 40);
	tcptl_reorder_free(&r);
}

/*
 * Behind the socket: CPU 0's records of a flush pass came before CPU 1's
 * older ones. Each record waits until every CPU still sending is lead_ns
 * past it; a CPU quiet for a second holds nobody back.
 */
static void test_reorder_behind(void **state)
{
	const uint64_t ms = 1000000, lead = 50 * ms, now = 100000 * ms;
	struct tcptl_reorder r;
	struct tcptl_event ev = { 0 }, out;

	(void)state;
	tcptl_reorder_init(&r);
	ev.cpu = 2;			/* once, long ago */
	ev.time_ns = 1 * ms;
	assert_int_equal(tcptl_reorder_push(&r, &ev), 0);
	ev.cpu = 0;
	for (uint64_t t = 2000; t <= 2300; t += 100) {
		ev.time_ns = t * ms;
		assert_int_equal(tcptl_reorder_push(&r, &ev), 0);
	}
	ev.cpu = 1;
	ev.time_ns = 2050 * ms;
	assert_int_equal(tcptl_reorder_push(&r, &ev), 0);

	/* CPU 2 is quiet: its record goes first, then CPU 0's at 2000. */
	assert_int_equal(tcptl_reorder_pop(&r, now, lead, &out), 1);
	assert_int_equal(out.time_ns, 1 * ms);
	assert_int_equal(tcptl_reorder_pop(&r, now, lead, &out), 1);
	assert_int_equal(out.time_ns, 2000 * ms);
	/* 2050 waits: CPU 1 may still send records older than 2100. */
	assert_int_equal(tcptl_reorder_pop(&r, now, lead, &out), 0);
	/* The clock alone (caught up) would have let it and 2100 go. */
	ev.time_ns = 2080 * ms;		/* CPU 1's straggler arrives */
	assert_int_equal(tcptl_reorder_push(&r, &ev), 0);
	ev.time_ns = 2400 * ms;
	assert_int_equal(tcptl_reorder_push(&r, &ev), 0);
	uint64_t want[] = { 2050, 2080, 2100, 2200 };
	for (int i = 0; i < 4; i++) {
		assert_int_equal(tcptl_reorder_pop(&r, now, lead, &out), 1);
		assert_int_equal(out.time_ns, want[i] * ms);
	}
	/* 2300 is CPU 0's newest: CPU 0 is not lead past it yet. */
	assert_int_equal(tcptl_reorder_pop(&r, now, lead, &out), 0);
	/* Caught up, the clock decides (and the newest wait for it). */
	assert_int_equal(tcptl_reorder_pop(&r, 2350 * ms, 0, &out), 1);
	assert_int_equal(out.time_ns, 2300 * ms);
	assert_int_equal(tcptl_reorder_pop(&r, 2350 * ms, 0, &out), 0);
	assert_int_equal(tcptl_reorder_pop(&r, UINT64_MAX, lead, &out), 1);
	assert_int_equal(out.time_ns, 2400 * ms);
	assert_int_equal(tcptl_reorder_pop(&r, UINT64_MAX, lead, &out), 0);
	tcptl_reorder_free(&r);
}

static uint64_t handed_times[8];
static int handed;

static void hand_record(struct tcptl_session *s, struct tcptl_event *ev, struct tcptl_conn *c)
{
	(void)s;
	(void)c;
	if (handed < 8)
		handed_times[handed++] = ev->time_ns;
}

struct cookie_seq_time {
	uint64_t cookie, seq, t;
};

/* One message of CLOSE -> SYN_SENT records, handed to S and drained. */
static void feed(struct tcptl_session *s, const struct cookie_seq_time *r, int n)
{
	struct tcptl_record recs[8];
	struct nlmsghdr *nlh;

	for (int i = 0; i < n && i < 8; i++)
		recs[i] = record_at(r[i].cookie, r[i].seq, r[i].t, 7, 2);
	nlh = records_msg(recs, n < 8 ? (unsigned int)n : 8);
	tcptl_session_handle(s, (const char *)nlh, (int)nlh->nlmsg_len);
	tcptl_session_drain(s, UINT64_MAX);
}

/*
 * A softirq stamped a record (seq 11) between another's timestamp and its
 * push (seq 12): time order is not sequence order, and no record is lost.
 * A real gap (seq 14 missing) is.
 */
static void test_session_sequence_vs_time(void **state)
{
	static const struct tcptl_session_ops ops = { .record = hand_record, .extra_fd = -1 };
	static const struct cookie_seq_time inverted[] = {
		{ 1, 10, 6000 }, { 2, 11, 6020 }, { 3, 12, 6010 },
	}, gap[] = {
		{ 4, 13, 6030 }, { 5, 15, 6050 },
	};
	struct tcptl_session s = { .ops = &ops, .caught_up = true };

	(void)state;
	tcptl_conn_table_init(&s.conns, 16);
	tcptl_reorder_init(&s.reorder);
	tcptl_seqtrack_init(&s.seq);
	s.ev.family = events_msg()->nlmsg_type;
	handed = 0;
	feed(&s, inverted, 3);
	assert_int_equal(handed, 3);
	assert_int_equal(handed_times[0], 6000);
	assert_int_equal(handed_times[1], 6010);
	assert_int_equal(handed_times[2], 6020);
	assert_int_equal(tcptl_session_lost_socket(&s), 0);

	feed(&s, gap, 2);
	assert_int_equal(handed, 5);
	assert_int_equal(tcptl_session_lost_socket(&s), 1);
	tcptl_conn_table_free(&s.conns);
	tcptl_reorder_free(&s.reorder);
	tcptl_seqtrack_free(&s.seq);
}

static void test_conn_port_owner_timewait(void **state)
{
	struct tcptl_conn_table t;
	struct tcptl_event ev;
	struct tcptl_conn *c;

	(void)state;
	tcptl_conn_table_init(&t, 16);
	t.report_at_timewait = false;	/* --after-timewait: due at its end */
	ev = state_ev(9, 100, TCPTL_STATE_CLOSE, TCPTL_STATE_SYN_SENT);
	ev.flags = TCPTL_EVF_TASK_CONTEXT;
	ev.has_pid = true;
	ev.pid = 7;
	strcpy(ev.comm, "app");
	ev.sport = 41000;
	ev.dport = 80;
	c = tcptl_conn_apply(&t, &ev, 0);
	assert_int_equal(c->id.sport, 41000);

	ev = state_ev(9, 300, TCPTL_STATE_SYN_SENT, TCPTL_STATE_ESTABLISHED);
	tcptl_conn_apply(&t, &ev, 0);
	assert_true(ev.has_prev_ns);
	assert_int_equal(ev.prev_state_ns, 200);
	assert_true(c->has_owner);	/* carried from SYN_SENT */
	assert_int_equal(c->pid, 7);

	ev = state_ev(9, 400, TCPTL_STATE_ESTABLISHED, TCPTL_STATE_FIN_WAIT1);
	tcptl_conn_apply(&t, &ev, 0);
	ev = state_ev(9, 500, TCPTL_STATE_FIN_WAIT1, TCPTL_STATE_FIN_WAIT2);
	tcptl_conn_apply(&t, &ev, 0);
	ev = state_ev(9, 600, TCPTL_STATE_FIN_WAIT2, TCPTL_STATE_TIME_WAIT);
	ev.flags = TCPTL_EVF_TIMEWAIT;
	tcptl_conn_apply(&t, &ev, 0);
	ev = state_ev(9, 601, TCPTL_STATE_FIN_WAIT2, TCPTL_STATE_CLOSE);
	tcptl_conn_apply(&t, &ev, 0);
	assert_false(c->finished);	/* the full socket's close is not the end */
	ev = state_ev(9, 60000000600ull, TCPTL_STATE_TIME_WAIT, TCPTL_STATE_CLOSE);
	ev.flags = TCPTL_EVF_TIMEWAIT;
	ev.tw_reason = TCPTL_TW_REASON_EXPIRED;
	tcptl_conn_apply(&t, &ev, 0);
	assert_true(c->finished);
	assert_int_equal(tcptl_first_closer(c), TCPTL_CLOSER_LOCAL);
	assert_int_equal(c->tw_reason, TCPTL_TW_REASON_EXPIRED);
	assert_int_equal(c->nsteps, 7);	/* CLOSE + 6 entered states */
	tcptl_conn_table_free(&t);
}

static void test_conn_eviction(void **state)
{
	struct tcptl_conn_table t;

	(void)state;
	tcptl_conn_table_init(&t, 2);
	for (uint64_t i = 1; i <= 5; i++) {
		struct tcptl_event ev = state_ev(i, i, TCPTL_STATE_CLOSE, TCPTL_STATE_LISTEN);

		tcptl_conn_apply(&t, &ev, 0);
	}
	assert_int_equal(t.count, 2);
	assert_int_equal(t.evicted, 3);
	tcptl_conn_table_free(&t);
}

static char *render(void (*fn)(FILE *, const void *), const void *arg)
{
	static char out[2048];
	FILE *f = fmemopen(out, sizeof(out), "w");

	fn(f, arg);
	fclose(f);
	return out;
}

static void json_string_fn(FILE *f, const void *arg)
{
	tcptl_json_string(f, arg);
}

static void test_json_escape(void **state)
{
	(void)state;
	assert_string_equal(render(json_string_fn, "a\"b\\c"), "\"a\\\"b\\\\c\"");
	assert_string_equal(render(json_string_fn, "x\ny\x01"), "\"x\\u000ay\\u0001\"");
	assert_string_equal(render(json_string_fn, "\xff"), "\"\\u00ff\"");
}

static void event_text_fn(FILE *f, const void *arg)
{
	struct tcptl_out o = { .f = f, .start_ns = 1000000000 };

	tcptl_print_event(&o, arg, false, 0, NULL);
}

static void event_json_fn(FILE *f, const void *arg)
{
	struct tcptl_out o = { .f = f, .json = true };

	tcptl_print_event(&o, arg, false, 0, NULL);
}

static void test_event_formats(void **state)
{
	struct tcptl_event ev = state_ev(5, 3500000000ull, TCPTL_STATE_ESTABLISHED,
					 TCPTL_STATE_CLOSE_WAIT);

	(void)state;
	inet_pton(AF_INET, "10.0.0.1", &ev.saddr);
	inet_pton(AF_INET, "10.0.0.2", &ev.daddr);
	ev.sport = 8080;
	ev.dport = 51000;
	ev.has_prev_ns = true;
	ev.prev_state_ns = 1500000;
	assert_string_equal(render(event_text_fn, &ev),
		"2.500000        -       -               10.0.0.1:8080          10.0.0.2:51000         "
		"ESTABLISHED -> CLOSE_WAIT      1.500\n");
	ev.has_pid = true;
	ev.pid = 12;
	strcpy(ev.comm, "a\"b");
	assert_string_equal(render(event_json_fn, &ev),
		"{\"type\":\"state\",\"time_ns\":3500000000,\"wall_ns\":3500000000,\"cpu\":0,"
		"\"seq\":0,\"cookie\":5,\"netns\":0,\"family\":\"inet\",\"saddr\":\"10.0.0.1\","
		"\"sport\":8080,\"daddr\":\"10.0.0.2\",\"dport\":51000,\"old_state\":\"ESTABLISHED\","
		"\"new_state\":\"CLOSE_WAIT\",\"flags\":[],\"pid\":12,\"comm\":\"a\\\"b\","
		"\"prev_state_ns\":1500000}\n");
}

static void test_parse_cidr_and_ports(void **state)
{
	struct tcptl_cidrs cs = { 0 };
	struct tcptl_ranges rs = { 0 };
	char err[160];

	(void)state;
	assert_int_equal(tcptl_parse_cidr("10.1.2.3/8", &cs, err, sizeof(err)), 0);
	assert_int_equal(cs.c[0].prefix, 8);
	assert_int_equal(ntohl(cs.c[0].addr.v4.s_addr), 0x0a000000);
	assert_int_equal(tcptl_parse_cidr("fd00::1/16", &cs, err, sizeof(err)), 0);
	assert_int_equal(cs.c[1].family, AF_INET6);
	assert_int_equal(cs.c[1].addr.v6.s6_addr[15], 0);
	assert_int_equal(tcptl_parse_cidr("10.0.0.0/33", &cs, err, sizeof(err)), -1);
	assert_string_equal(err, "bad address or prefix '10.0.0.0/33' (want e.g. 10.0.0.0/8 or fd00::/16)");
	assert_int_equal(tcptl_parse_cidr("host", &cs, err, sizeof(err)), -1);
	assert_int_equal(tcptl_parse_cidr("1.2.3.4/", &cs, err, sizeof(err)), -1);

	assert_int_equal(tcptl_parse_range("80", &rs, err, sizeof(err)), 0);
	assert_int_equal(tcptl_parse_range("8000-8100", &rs, err, sizeof(err)), 0);
	assert_int_equal(rs.r[1].hi, 8100);
	assert_int_equal(tcptl_parse_range("90-80", &rs, err, sizeof(err)), -1);
	assert_string_equal(err, "port range '90-80' ends below its start");
	assert_int_equal(tcptl_parse_range("70000", &rs, err, sizeof(err)), -1);
	assert_int_equal(tcptl_parse_range("-1", &rs, err, sizeof(err)), -1);
	assert_int_equal(tcptl_parse_range("", &rs, err, sizeof(err)), -1);
}

static void test_filter_match(void **state)
{
	struct tcptl_rfilter f = { 0 };
	struct tcptl_event ev = state_ev(1, 1, TCPTL_STATE_ESTABLISHED, TCPTL_STATE_CLOSE_WAIT);
	char err[160];

	(void)state;
	inet_pton(AF_INET, "10.9.8.7", &ev.daddr);
	ev.dport = 443;
	tcptl_parse_cidr("10.0.0.0/8", &f.raddr, err, sizeof(err));
	tcptl_parse_range("443", &f.rport, err, sizeof(err));
	assert_true(tcptl_rfilter_match(&f, &ev, false, 0, NULL));
	f.states = 1u << TCPTL_STATE_LISTEN;
	assert_false(tcptl_rfilter_match(&f, &ev, false, 0, NULL));
	f.states = 1u << TCPTL_STATE_CLOSE_WAIT;
	f.has_pid = true;
	f.pid = 5;
	assert_false(tcptl_rfilter_match(&f, &ev, false, 0, NULL));
	assert_true(tcptl_rfilter_match(&f, &ev, true, 5, "x"));
}

static void test_hook_names(void **state)
{
	char buf[256];

	(void)state;
	tcptl_hook_names(TCPTL_HOOK_TW_ENTER | TCPTL_HOOK_TW_OVERFLOW, buf, sizeof(buf));
	assert_string_equal(buf, "TIME_WAIT entry, TIME_WAIT overflow");
	tcptl_hook_names(0, buf, sizeof(buf));
	assert_string_equal(buf, "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_good),
		cmocka_unit_test(test_decode_owner_and_counters),
		cmocka_unit_test(test_decode_larger_records),
		cmocka_unit_test(test_decode_short_records),
		cmocka_unit_test(test_decode_zero_count),
		cmocka_unit_test(test_decode_count_beyond_attribute),
		cmocka_unit_test(test_decode_bytes_left_over),
		cmocka_unit_test(test_decode_invalid_record),
		cmocka_unit_test(test_decode_lost_record),
		cmocka_unit_test(test_decode_truncated_message),
		cmocka_unit_test(test_decode_short_attribute),
		cmocka_unit_test(test_seqtrack),
		cmocka_unit_test(test_reorder),
		cmocka_unit_test(test_reorder_behind),
		cmocka_unit_test(test_session_sequence_vs_time),
		cmocka_unit_test(test_conn_port_owner_timewait),
		cmocka_unit_test(test_conn_eviction),
		cmocka_unit_test(test_json_escape),
		cmocka_unit_test(test_event_formats),
		cmocka_unit_test(test_parse_cidr_and_ports),
		cmocka_unit_test(test_filter_match),
		cmocka_unit_test(test_hook_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
