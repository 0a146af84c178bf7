// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of how a connection's timeline tells its end: close kind,
 * first closer, owner at accept, accept wait, the timeline due at TIME_WAIT
 * entry and the TIME_WAIT's end after it, over hand-made record histories
 * (reset records before and after the transition they cause), each checked
 * as the whole JSON object a user reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "closing.h"
#include "conn.h"
#include "output.h"
#include "tally.h"
#include "tcp_timeline.h"

/* The histories below leave a record's trailing fields zero. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define MS 1000000ull
#define OFFSET_NS 1000000000000ull	/* CLOCK_REALTIME - CLOCK_MONOTONIC */

enum { S = TCPTL_EVENT_STATE };

/* One record of a history: type, time (ms), old and new state, flags. */
struct rec {
	uint8_t type;
	uint64_t ms;
	uint8_t old, new;
	uint32_t flags;
	uint8_t tw_reason;
	uint32_t pid;		/* != 0: made in that task ("app"/"srv") */
};

struct run {
	struct tcptl_conn_table t;
	struct tcptl_tally tally;
	struct tcptl_conn *c;
	unsigned int due;	/* times the connection was due (swept) */
	char out[8][2048];	/* what was printed when due, in order */
};

static bool json_out;

static void print_to(struct run *r, struct tcptl_conn *c, bool end)
{
	struct tcptl_out o = { .json = json_out, .accept_hook = true };

	o.f = fmemopen(r->out[r->due++], sizeof(r->out[0]), "w");
	if (end)
		tcptl_print_timewait_end(&o, c);
	else
		tcptl_print_timeline(&o, c);
	fclose(o.f);
}

static void on_timeline(void *arg, struct tcptl_conn *c)
{
	print_to(arg, c, false);
}

static void on_timewait_end(void *arg, struct tcptl_conn *c)
{
	print_to(arg, c, true);
}

/* The session's wait for late reset records before a due connection shows. */
#define GRACE_NS (100 * MS)

/* Hand out what has been due for longer than the grace, as the session's
 * sweep does: print it, then give it back to the table. */
static void sweep(struct run *r, bool json, uint64_t now_ns)
{
	const struct tcptl_conn_sink sink = { on_timeline, on_timewait_end, r };

	json_out = json;
	while (r->t.fin_head && r->t.fin_head->finished_at + GRACE_NS <= now_ns)
		tcptl_conn_hand_out(&r->t, r->t.fin_head, &sink);
}

/* Apply the records in the order given, on the records' own clock. */
static void replay(struct run *r, const struct rec *recs, size_t n, bool passive, bool json)
{
	for (size_t i = 0; i < n; i++) {
		struct tcptl_event ev = {
			.type = recs[i].type, .cookie = 5, .time_ns = recs[i].ms * MS,
			.clock_offset_ns = (int64_t)OFFSET_NS, .oldstate = recs[i].old,
			.newstate = recs[i].new, .flags = recs[i].flags, .family = AF_INET,
			.tw_reason = recs[i].tw_reason, .netns = 1,
			.sport = passive ? 8080 : 41000, .dport = passive ? 41000 : 8080,
		};

		inet_pton(AF_INET, "127.0.0.1", &ev.saddr);
		inet_pton(AF_INET, "127.0.0.1", &ev.daddr);
		if (recs[i].pid) {
			ev.has_pid = true;
			ev.pid = recs[i].pid;
			ev.flags |= TCPTL_EVF_TASK_CONTEXT;
			strcpy(ev.comm, passive ? "srv" : "app");
		}
		sweep(r, json, ev.time_ns);
		tcptl_conn_apply(&r->t, &ev, ev.time_ns);
		tcptl_tally_record(&r->tally, &ev);
	}
	sweep(r, json, UINT64_MAX - GRACE_NS);
}

static struct run *run_new(void)
{
	struct run *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	tcptl_conn_table_init(&r->t, 16);
	return r;
}

static void run_free(struct run *r)
{
	tcptl_conn_table_free(&r->t);
	free(r);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define TW TCPTL_EVF_TIMEWAIT
#define RS TCPTL_EVENT_RESET_SENT
#define RR TCPTL_EVENT_RESET_RECEIVED
#define AC TCPTL_EVENT_ACCEPT
#define CLOSE TCPTL_STATE_CLOSE
#define SYN_SENT TCPTL_STATE_SYN_SENT
#define SYN_RECV TCPTL_STATE_SYN_RECV
#define EST TCPTL_STATE_ESTABLISHED
#define FW1 TCPTL_STATE_FIN_WAIT1
#define FW2 TCPTL_STATE_FIN_WAIT2
#define TWS TCPTL_STATE_TIME_WAIT
#define CW TCPTL_STATE_CLOSE_WAIT
#define LA TCPTL_STATE_LAST_ACK
#define LISTEN TCPTL_STATE_LISTEN
#define CLOSING TCPTL_STATE_CLOSING

/* An active open by app/7 that closes first, up to its TIME_WAIT (the full
 * socket's CLOSE is the hand-over to its timewait socket). */
#define CLIENT_INTO_TIME_WAIT \
	{ S, 10, CLOSE, SYN_SENT, 0, 0, 7 }, { S, 11, SYN_SENT, EST }, \
	{ S, 20, EST, FW1, 0, 0, 7 }, { S, 21, FW1, FW2 }, { S, 22, FW2, TWS, TW }, \
	{ S, 22, FW2, CLOSE }

/* The client's side of a client-first close: due at TIME_WAIT entry, then
 * the TIME_WAIT's end as a line of its own. */
static void test_client_close_timewait(void **state)
{
	static const struct rec life[] = {
		CLIENT_INTO_TIME_WAIT,
		{ S, 60022, TWS, CLOSE, TW, TCPTL_TW_REASON_EXPIRED },
	};
	struct run *r = run_new();

	(void)state;
	replay(r, life, N(life), false, true);
	assert_int_equal(r->due, 2);
	assert_string_equal(r->out[0],
		"{\"type\":\"timeline\",\"cookie\":5,\"netns\":1,\"family\":\"inet\","
		"\"local\":\"127.0.0.1:41000\",\"remote\":\"127.0.0.1:8080\",\"pid\":7,\"comm\":\"app\","
		"\"start_wall_ns\":1000010000000,\"in_timewait\":true,\"states\":["
		"{\"state\":\"SYN_SENT\",\"enter_ns\":0,\"duration_ns\":1000000},"
		"{\"state\":\"ESTABLISHED\",\"enter_ns\":1000000,\"duration_ns\":9000000},"
		"{\"state\":\"FIN_WAIT1\",\"enter_ns\":10000000,\"duration_ns\":1000000},"
		"{\"state\":\"FIN_WAIT2\",\"enter_ns\":11000000,\"duration_ns\":1000000},"
		"{\"state\":\"TIME_WAIT\",\"enter_ns\":12000000,\"timewait\":true}],"
		"\"close\":\"fin\",\"closed_first\":\"local\",\"bytes_acked\":0,\"bytes_received\":0,"
		"\"total_retrans\":0,\"lifetime_ns\":12000000,\"end_wall_ns\":1000022000000}\n");
	assert_string_equal(r->out[1],
		"{\"type\":\"timewait_end\",\"cookie\":5,\"netns\":1,\"family\":\"inet\","
		"\"local\":\"127.0.0.1:41000\",\"remote\":\"127.0.0.1:8080\",\"pid\":7,\"comm\":\"app\","
		"\"state\":\"TIME_WAIT\",\"reason\":\"expired\",\"duration_ns\":60000000000,"
		"\"end_wall_ns\":1060022000000}\n");
	assert_null(tcptl_conn_find(&r->t, 5));	/* gone after its end */
	run_free(r);
}

/* A TIME_WAIT taken over within the grace: still the timeline as of
 * TIME_WAIT entry, then the end, in one pass. */
static void test_timewait_reused_at_once(void **state)
{
	static const struct rec life[] = {
		CLIENT_INTO_TIME_WAIT,
		{ S, 30, TWS, CLOSE, TW, TCPTL_TW_REASON_REUSED, 7 },
	};
	struct run *r = run_new();

	(void)state;
	replay(r, life, N(life), false, false);
	assert_int_equal(r->due, 2);
	assert_string_equal(r->out[0],
		"127.0.0.1:41000 -> 127.0.0.1:8080  cookie 5  netns 1  owner app/7\n"
		"  +     0.000 ms  SYN_SENT           1.000 ms\n"
		"  +     1.000 ms  ESTABLISHED        9.000 ms\n"
		"  +    10.000 ms  FIN_WAIT1          1.000 ms\n"
		"  +    11.000 ms  FIN_WAIT2          1.000 ms\n"
		"  +    12.000 ms  TIME_WAIT     (timewait)\n"
		"  closed: fin, first by local; bytes acked 0, received 0, retransmits 0; "
		"lifetime 12.000 ms; in TIME_WAIT now (its end follows)\n\n");
	assert_string_equal(r->out[1],
		"127.0.0.1:41000 -> 127.0.0.1:8080  cookie 5  TIME_WAIT ended: reused after 8.000 ms\n\n");
	assert_null(tcptl_conn_find(&r->t, 5));
	run_free(r);
}

/* --after-timewait: one timeline, once TIME_WAIT ended, with its reason. */
static void test_after_timewait(void **state)
{
	static const struct rec life[] = {
		CLIENT_INTO_TIME_WAIT,
		{ S, 30, TWS, CLOSE, TW, TCPTL_TW_REASON_REUSED },
	};
	struct run *r = run_new();

	(void)state;
	r->t.report_at_timewait = false;
	replay(r, life, N(life), false, false);
	assert_int_equal(r->due, 1);
	assert_string_equal(r->out[0],
		"127.0.0.1:41000 -> 127.0.0.1:8080  cookie 5  netns 1  owner app/7\n"
		"  +     0.000 ms  SYN_SENT           1.000 ms\n"
		"  +     1.000 ms  ESTABLISHED        9.000 ms\n"
		"  +    10.000 ms  FIN_WAIT1          1.000 ms\n"
		"  +    11.000 ms  FIN_WAIT2          1.000 ms\n"
		"  +    12.000 ms  TIME_WAIT          8.000 ms  (timewait)\n"
		"  +    20.000 ms  CLOSE         (timewait)\n"
		"  closed: fin, first by local; bytes acked 0, received 0, retransmits 0; "
		"lifetime 20.000 ms; TIME_WAIT ended: reused\n\n");
	run_free(r);
}

/* A server child closed by its peer: the owner is the task that accepted
 * it, although every transition ran in softirq; the accept wait is
 * ESTABLISHED to accept(); the text form says the same. */
static void test_accepted_passive_close(void **state)
{
	static const struct rec life[] = {
		{ S, 100, LISTEN, SYN_RECV },
		{ S, 100, SYN_RECV, EST },
		{ AC, 103, EST, EST, 0, 0, 42 },
		{ S, 150, EST, CW },
		{ S, 160, CW, LA, 0, 0, 42 },
		{ S, 161, LA, CLOSE },
	};
	struct run *r = run_new();

	(void)state;
	replay(r, life, N(life), true, true);
	assert_int_equal(r->due, 1);
	assert_string_equal(r->out[0],
		"{\"type\":\"timeline\",\"cookie\":5,\"netns\":1,\"family\":\"inet\","
		"\"local\":\"127.0.0.1:8080\",\"remote\":\"127.0.0.1:41000\",\"pid\":42,\"comm\":\"srv\","
		"\"start_wall_ns\":1000100000000,\"accepted\":true,\"accept_wait_ns\":3000000,\"states\":["
		"{\"state\":\"SYN_RECV\",\"enter_ns\":0,\"duration_ns\":0},"
		"{\"state\":\"ESTABLISHED\",\"enter_ns\":0,\"duration_ns\":50000000},"
		"{\"state\":\"CLOSE_WAIT\",\"enter_ns\":50000000,\"duration_ns\":10000000},"
		"{\"state\":\"LAST_ACK\",\"enter_ns\":60000000,\"duration_ns\":1000000},"
		"{\"state\":\"CLOSE\",\"enter_ns\":61000000}],"
		"\"close\":\"fin\",\"closed_first\":\"peer\",\"bytes_acked\":0,\"bytes_received\":0,"
		"\"total_retrans\":0,\"lifetime_ns\":61000000,\"end_wall_ns\":1000161000000}\n");
	assert_int_equal(r->tally.accept_wait.count, 1);
	assert_int_equal(r->tally.accept_wait.sum_ns, 3 * MS);
	run_free(r);

	r = run_new();
	replay(r, life, N(life), true, false);
	assert_string_equal(r->out[0],
		"127.0.0.1:8080 -> 127.0.0.1:41000  cookie 5  netns 1  owner srv/42\n"
		"  +     0.000 ms  SYN_RECV           0.000 ms\n"
		"  +     0.000 ms  ESTABLISHED       50.000 ms\n"
		"  +    50.000 ms  CLOSE_WAIT        10.000 ms\n"
		"  +    60.000 ms  LAST_ACK           1.000 ms\n"
		"  +    61.000 ms  CLOSE       \n"
		"  accepted after 3.000 ms in the accept queue\n"
		"  closed: fin, first by peer; bytes acked 0, received 0, retransmits 0; "
		"lifetime 61.000 ms\n\n");
	run_free(r);
}

/* SO_LINGER 0: the CLOSE is recorded before the RST it sends; the reset's
 * record may come first or last, the verdict is the same. */
static void test_linger0_reset_either_order(void **state)
{
	static const struct rec after[] = {
		{ S, 10, CLOSE, SYN_SENT, 0, 0, 7 },
		{ S, 11, SYN_SENT, EST },
		{ S, 20, EST, CLOSE, 0, 0, 7 },
		{ RS, 20, CLOSE, CLOSE, 0, 0, 7 },
	};
	static const struct rec before[] = {
		{ S, 10, CLOSE, SYN_SENT, 0, 0, 7 },
		{ S, 11, SYN_SENT, EST },
		{ RS, 20, EST, EST, 0, 0, 7 },
		{ S, 20, EST, CLOSE, 0, 0, 7 },
	};
	struct run *r = run_new();
	struct tcptl_conn *c;

	(void)state;
	/* As the session holds a closed connection for late resets: apply
	 * everything, then judge. */
	for (size_t i = 0; i < N(after); i++) {
		struct tcptl_event ev = { .type = after[i].type, .cookie = 1,
					  .time_ns = after[i].ms * MS, .oldstate = after[i].old,
					  .newstate = after[i].new, .family = AF_INET };

		tcptl_conn_apply(&r->t, &ev, 0);
		ev = (struct tcptl_event){ .type = before[i].type, .cookie = 2,
					   .time_ns = before[i].ms * MS, .oldstate = before[i].old,
					   .newstate = before[i].new, .family = AF_INET };
		tcptl_conn_apply(&r->t, &ev, 0);
	}
	c = tcptl_conn_find(&r->t, 1);
	assert_int_equal(tcptl_close_kind(c), TCPTL_CLOSE_RST_SENT);
	assert_int_equal(tcptl_first_closer(c), TCPTL_CLOSER_LOCAL);
	c = tcptl_conn_find(&r->t, 2);
	assert_int_equal(tcptl_close_kind(c), TCPTL_CLOSE_RST_SENT);
	assert_int_equal(tcptl_first_closer(c), TCPTL_CLOSER_LOCAL);
	run_free(r);
}

/* The side that got the RST, reset before accept(): never accepted. */
static void test_reset_before_accept(void **state)
{
	static const struct rec life[] = {
		{ S, 100, LISTEN, SYN_RECV },
		{ S, 100, SYN_RECV, EST },
		{ RR, 102, EST, EST },
		{ S, 102, EST, CLOSE },
	};
	struct run *r = run_new();

	(void)state;
	replay(r, life, N(life), true, true);
	assert_string_equal(r->out[0],
		"{\"type\":\"timeline\",\"cookie\":5,\"netns\":1,\"family\":\"inet\","
		"\"local\":\"127.0.0.1:8080\",\"remote\":\"127.0.0.1:41000\","
		"\"start_wall_ns\":1000100000000,\"accepted\":false,\"states\":["
		"{\"state\":\"SYN_RECV\",\"enter_ns\":0,\"duration_ns\":0},"
		"{\"state\":\"ESTABLISHED\",\"enter_ns\":0,\"duration_ns\":2000000},"
		"{\"state\":\"CLOSE\",\"enter_ns\":2000000}],"
		"\"close\":\"rst-received\",\"closed_first\":\"peer\",\"bytes_acked\":0,"
		"\"bytes_received\":0,\"total_retrans\":0,\"lifetime_ns\":2000000,"
		"\"end_wall_ns\":1000102000000}\n");
	run_free(r);
	r = run_new();
	replay(r, life, N(life), true, false);
	assert_non_null(strstr(r->out[0], "\n  never accepted\n  closed: rst-received, first by peer;"));
	run_free(r);
}

struct verdict {
	const char *name;
	struct rec recs[8];
	size_t n;
	bool passive;
	const char *close, *first;
};

/* One line a case, as the man page lists them. */
static void test_verdicts(void **state)
{
	static const struct verdict cases[] = {
		{ "refused connect", { { S, 1, CLOSE, SYN_SENT, 0, 0, 7 }, { RR, 2, SYN_SENT, SYN_SENT },
		  { S, 2, SYN_SENT, CLOSE } }, 3, false, "rst-received", "peer" },
		{ "connect abandoned", { { S, 1, CLOSE, SYN_SENT, 0, 0, 7 },
		  { S, 900, SYN_SENT, CLOSE, 0, 0, 7 } }, 2, false, "aborted", "local" },
		{ "listener", { { S, 1, CLOSE, LISTEN, 0, 0, 7 }, { RS, 5, LISTEN, LISTEN },
		  { S, 9, LISTEN, CLOSE, 0, 0, 7 } }, 3, false, "listener", "-" },
		{ "server closes with unread data after the peer's FIN",
		  { { S, 1, LISTEN, SYN_RECV }, { S, 1, SYN_RECV, EST }, { S, 5, EST, CW },
		  { S, 8, CW, CLOSE, 0, 0, 42 }, { RS, 8, CLOSE, CLOSE, 0, 0, 42 } }, 5, true,
		  "rst-sent", "peer" },
		{ "simultaneous close", { { S, 1, CLOSE, SYN_SENT, 0, 0, 7 }, { S, 2, SYN_SENT, EST },
		  { S, 5, EST, FW1, 0, 0, 7 }, { S, 6, FW1, CLOSING }, { S, 7, CLOSING, TWS, TW } }, 5,
		  false, "fin", "both" },
		{ "orphaned FIN_WAIT2 expired", { { S, 1, CLOSE, SYN_SENT, 0, 0, 7 },
		  { S, 2, SYN_SENT, EST }, { S, 5, EST, FW1, 0, 0, 7 }, { S, 6, FW1, FW2 },
		  { S, 7, FW2, FW2, TW, 0, 7 }, { S, 7, FW2, CLOSE, 0, 0, 7 },
		  { S, 60007, FW2, CLOSE, TW, TCPTL_TW_REASON_EXPIRED } }, 7, false, "fin", "local" },
		{ "TIME_WAIT overflow", { { S, 1, CLOSE, SYN_SENT, 0, 0, 7 }, { S, 2, SYN_SENT, EST },
		  { S, 5, EST, FW1, 0, 0, 7 }, { S, 6, FW1, FW2 },
		  { TCPTL_EVENT_TW_OVERFLOW, 7, FW2, FW2 }, { S, 7, FW2, CLOSE } }, 6, false,
		  "tw-overflow", "local" },
		{ "child lost in the handshake", { { S, 1, LISTEN, SYN_RECV },
		  { S, 3, SYN_RECV, CLOSE } }, 2, true, "aborted", "-" },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		const struct verdict *v = &cases[i];
		struct run *r = run_new();
		char want[256], got[256];

		replay(r, v->recs, v->n, v->passive, true);
		assert_int_equal(r->due, 1);
		snprintf(want, sizeof(want), "%s: \"close\":\"%s\",\"closed_first\":\"%s\"",
			 v->name, v->close, v->first);
		snprintf(got, sizeof(got), "%s: %.*s", v->name,
			 (int)(strstr(r->out[0], ",\"bytes_acked\"") - strstr(r->out[0], "\"close\"")),
			 strstr(r->out[0], "\"close\""));
		run_free(r);
		assert_string_equal(got, want);
	}
}

/* Sockets from the start-up dump, still open at exit: no close kind, the
 * first closer from the state, times on the wall clock. */
static void test_preexisting_open(void **state)
{
	struct tcptl_conn_table t;
	struct tcptl_event id = { .type = S, .cookie = 9, .family = AF_INET, .netns = 1,
				  .oldstate = TWS, .newstate = TWS, .sport = 41000,
				  .dport = 8080, .clock_offset_ns = (int64_t)OFFSET_NS };
	struct tcptl_out o = { .json = true, .accept_hook = true };
	struct tcptl_conn *c;
	char out[1024];

	(void)state;
	inet_pton(AF_INET, "127.0.0.1", &id.saddr);
	inet_pton(AF_INET, "127.0.0.1", &id.daddr);
	tcptl_conn_table_init(&t, 8);
	c = tcptl_conn_seed(&t, &id, 5000 * MS, true);
	o.f = fmemopen(out, sizeof(out), "w");
	tcptl_print_timeline(&o, c);
	fclose(o.f);
	assert_string_equal(out,
		"{\"type\":\"timeline\",\"cookie\":9,\"netns\":1,\"family\":\"inet\","
		"\"local\":\"127.0.0.1:41000\",\"remote\":\"127.0.0.1:8080\","
		"\"start_wall_ns\":1005000000000,\"preexisting\":true,\"unfinished\":true,\"states\":["
		"{\"state\":\"TIME_WAIT\",\"enter_ns\":0,\"timewait\":true}],"
		"\"close\":null,\"closed_first\":\"local\",\"bytes_acked\":0,\"bytes_received\":0,"
		"\"total_retrans\":0,\"lifetime_ns\":0,\"end_wall_ns\":1005000000000}\n");

	id.cookie = 10;
	id.oldstate = id.newstate = CW;
	c = tcptl_conn_seed(&t, &id, 0, false);
	o.json = false;
	o.f = fmemopen(out, sizeof(out), "w");
	tcptl_print_timeline(&o, c);
	fclose(o.f);
	assert_string_equal(out,
		"127.0.0.1:41000 -> 127.0.0.1:8080  cookie 10  netns 1  owner -  (opened before start)"
		"  (unfinished)\n"
		"  before start    CLOSE_WAIT  \n"
		"  closed: -, first by peer; bytes acked 0, received 0, retransmits 0; "
		"lifetime so far 0.000 ms\n\n");
	tcptl_conn_table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_close_timewait),
		cmocka_unit_test(test_timewait_reused_at_once),
		cmocka_unit_test(test_after_timewait),
		cmocka_unit_test(test_accepted_passive_close),
		cmocka_unit_test(test_linger0_reset_either_order),
		cmocka_unit_test(test_reset_before_accept),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_preexisting_open),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
