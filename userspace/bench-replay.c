// SPDX-License-Identifier: GPL-2.0
/*
 * bench-replay: the reader's side of the benchmark, without a kernel. Feeds
 * a recording (tcptimeline --record, taken in the guest under churn) to the
 * reader's own code: decode, reorder, assemble connections, tally, and print
 * timelines as JSON to /dev/null; replayed LOOPS times with cookies and
 * times shifted so that every loop brings new connections. Reports records
 * per second and the memory per tracked connection.
 *
 *   bench-replay FILE [LOOPS]
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include "conn.h"
#include "decode.h"
#include "nl.h"
#include "output.h"
#include "record.h"
#include "reorder.h"
#include "tally.h"

#define WINDOW_NS (50 * 1000000ull)

struct replay {
	struct tcptl_reorder reorder;
	struct tcptl_conn_table conns;
	struct tcptl_tally tally;
	struct tcptl_decode_counts counts;
	struct tcptl_out out;
	uint64_t cookie_shift, time_shift, last_ns, records, timelines, max_tracked;
	enum { PRINT_NONE, PRINT_TIMELINES, PRINT_EVENTS } print;
	struct tcptl_conn_sink sink;
};

static void print_timeline(void *arg, struct tcptl_conn *c)
{
	struct replay *r = arg;

	tcptl_print_timeline(&r->out, c);
}

static void print_timewait_end(void *arg, struct tcptl_conn *c)
{
	struct replay *r = arg;

	tcptl_print_timewait_end(&r->out, c);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_event(const struct tcptl_event *ev, void *arg)
{
	struct replay *r = arg;
	struct tcptl_event e = *ev;

	if (e.cookie)
		e.cookie += r->cookie_shift;
	e.time_ns += r->time_shift;
	if (e.time_ns > r->last_ns)
		r->last_ns = e.time_ns;
	tcptl_reorder_push(&r->reorder, &e);
}

static void drain(struct replay *r, uint64_t cutoff)
{
	struct tcptl_event ev;

	/* As the live reader behind its socket: the records, not a clock, say
	 * what has come. */
	while (tcptl_reorder_pop(&r->reorder, cutoff, WINDOW_NS, &ev)) {
		struct tcptl_conn *c = ev.type == TCPTL_EVENT_LOST ? NULL :
				       tcptl_conn_apply(&r->conns, &ev, ev.time_ns);

		tcptl_tally_record(&r->tally, &ev);
		r->records++;
		if (r->print == PRINT_EVENTS)
			tcptl_print_event(&r->out, &ev, c && c->has_owner, c ? c->pid : 0,
					  c ? c->comm : "");
		if (c && c->finished && tcptl_conn_hand_out(&r->conns, c, &r->sink))
			r->timelines++;
	}
	if (r->conns.count > r->max_tracked)
		r->max_tracked = r->conns.count;
}

struct recording {
	char **msg;
	size_t *len, n;
	uint64_t span_ns;	/* first to last record time, plus a second */
};

static int load(const char *path, struct recording *rec)
{
	static char buf[TCPTL_NL_BUFSIZE];
	FILE *f = fopen(path, "r");
	long n;
	size_t cap = 0;

	if (!f)
		return -errno;
	while ((n = tcptl_record_read(f, buf, sizeof(buf))) > 0) {
		if (rec->n == cap) {
			cap = cap ? cap * 2 : 1024;
			rec->msg = realloc(rec->msg, cap * sizeof(*rec->msg));
			rec->len = realloc(rec->len, cap * sizeof(*rec->len));
		}
		rec->msg[rec->n] = malloc((size_t)n);
		memcpy(rec->msg[rec->n], buf, (size_t)n);
		rec->len[rec->n++] = (size_t)n;
	}
	fclose(f);
	return n < 0 ? -EINVAL : 0;
}

/* Decode every message of the recording once: how many records, what span. */
static void measure(struct recording *rec, uint64_t *records)
{
	struct replay r = { 0 };

	tcptl_reorder_init(&r.reorder);
	tcptl_conn_table_init(&r.conns, 1);
	for (size_t i = 0; i < rec->n; i++)
		tcptl_decode_events((const struct nlmsghdr *)rec->msg[i], on_event, &r, &r.counts);
	*records = r.counts.records;
	uint64_t first = UINT64_MAX;
	struct tcptl_event ev;

	while (tcptl_reorder_pop(&r.reorder, UINT64_MAX, 0, &ev))
		if (ev.time_ns && ev.time_ns < first)
			first = ev.time_ns;
	rec->span_ns = r.last_ns - first + 1000000000ull;
	tcptl_reorder_free(&r.reorder);
	tcptl_conn_table_free(&r.conns);
}

static void run(const struct recording *rec, unsigned int loops, int print, bool json,
		const char *what)
{
	struct replay r = { .print = print };

	if (print == PRINT_TIMELINES)
		r.sink = (struct tcptl_conn_sink){ print_timeline, print_timewait_end, &r };
	double t0, c0, secs, cpu;
	struct rusage ru;

	tcptl_reorder_init(&r.reorder);
	tcptl_conn_table_init(&r.conns, 65536);
	r.out.f = fopen("/dev/null", "w");
	r.out.json = json;
	t0 = now_s();
	c0 = cpu_s();
	for (unsigned int l = 0; l < loops; l++) {
		r.cookie_shift = (uint64_t)l << 40;
		r.time_shift = l * rec->span_ns;
		for (size_t i = 0; i < rec->n; i++) {
			tcptl_decode_events((const struct nlmsghdr *)rec->msg[i], on_event, &r, &r.counts);
			drain(&r, r.last_ns > WINDOW_NS ? r.last_ns - WINDOW_NS : 0);
		}
	}
	drain(&r, UINT64_MAX);
	secs = now_s() - t0;
	cpu = cpu_s() - c0;
	getrusage(RUSAGE_SELF, &ru);
	printf("%-34s %9" PRIu64 " records in %.3f s: %10.0f records/s (%.0f per CPU second); "
	       "%" PRIu64 " timelines, at most %" PRIu64 " connections tracked, %" PRIu64 " evicted, max RSS %ld KiB\n",
	       what, r.records, secs, r.records / secs, r.records / cpu, r.timelines,
	       r.max_tracked, r.conns.evicted, ru.ru_maxrss);
	fclose(r.out.f);
	tcptl_conn_table_free(&r.conns);
	tcptl_reorder_free(&r.reorder);
}

int main(int argc, char **argv)
{
	struct recording rec = { 0 };
	unsigned int loops;
	uint64_t per_loop;
	int err;

	if (argc < 2) {
		fprintf(stderr, "usage: bench-replay FILE [LOOPS]\n");
		return 2;
	}
	err = load(argv[1], &rec);
	if (err || !rec.n) {
		fprintf(stderr, "bench-replay: %s: %s\n", argv[1], err ? strerror(-err) : "no messages");
		return 1;
	}
	measure(&rec, &per_loop);
	if (!per_loop) {
		fprintf(stderr, "bench-replay: %s: no records\n", argv[1]);
		return 1;
	}
	/* At least 2 million records, so the timing means something. */
	loops = argc > 2 ? (unsigned int)atoi(argv[2]) : (unsigned int)(2000000 / per_loop + 1);
	printf("recording: %zu messages, %" PRIu64 " records; replayed %u times\n", rec.n, per_loop, loops);
	printf("memory per tracked connection: %zu bytes (struct tcptl_conn) + %zu (hash handle, in it) "
	       "+ the hash table's buckets; at most --max-conns (default 65536) tracked: %.1f MiB\n",
	       sizeof(struct tcptl_conn), sizeof(UT_hash_handle),
	       65536.0 * (sizeof(struct tcptl_conn) + 16) / (1 << 20));
	run(&rec, loops, PRINT_NONE, false, "decode, order, assemble, tally:");
	run(&rec, loops, PRINT_TIMELINES, true, "... and JSON timelines (/dev/null):");
	run(&rec, loops, PRINT_EVENTS, false, "... and events lines (/dev/null):");
	run(&rec, loops, PRINT_EVENTS, true, "... and JSON events (/dev/null):");
	for (size_t i = 0; i < rec.n; i++)
		free(rec.msg[i]);
	free(rec.msg);
	free(rec.len);
	return 0;
}
