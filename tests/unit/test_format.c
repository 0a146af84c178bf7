// SPDX-License-Identifier: GPL-2.0
/*
 * The events lines are built by hand (linebuf.c) for speed; this checks them
 * byte for byte against the printf implementation they replaced (kept here
 * as the oracle) on random records: every type, state, flag, family, owner,
 * escape, padding overflow and rounding case.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "linebuf.h"
#include "output.h"
#include "tcp_timeline.h"

static void old_format_addr(char *buf, size_t len, uint8_t family, const union tcptl_ip *a)
{
	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

static void old_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static const char *const old_flag_names[] = {
	"task", "port_pending", "timewait", "v4mapped", "child_identity",
};

static void old_format_time(const struct tcptl_out *o, uint64_t ns, int64_t offset,
			char *buf, size_t len)
{
	if (o->wall_clock) {
		uint64_t wall = ns + (uint64_t)offset;
		time_t secs = (time_t)(wall / 1000000000u);
		struct tm tm;

		localtime_r(&secs, &tm);
		size_t n = strftime(buf, len, "%H:%M:%S", &tm);
		snprintf(buf + n, len - n, ".%06" PRIu64, (wall % 1000000000u) / 1000);
	} else {
		uint64_t rel = ns > o->start_ns ? ns - o->start_ns : 0;

		snprintf(buf, len, "%" PRIu64 ".%06" PRIu64, rel / 1000000000u,
			 (rel % 1000000000u) / 1000);
	}
}

static void old_json_event(const struct tcptl_out *o, const struct tcptl_event *ev,
		       bool has_pid, uint32_t pid, const char *comm)
{
	FILE *f = o->f;
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];

	fprintf(f, "{\"type\":\"%s\",\"time_ns\":%" PRIu64 ",\"wall_ns\":%" PRIu64
		",\"cpu\":%u", tcptl_type_name(ev->type), ev->time_ns,
		ev->time_ns + (uint64_t)ev->clock_offset_ns, ev->cpu);
	if (ev->type == TCPTL_EVENT_LOST) {
		fprintf(f, ",\"lost_count\":%" PRIu64 "}\n", ev->lost_count);
		return;
	}
	old_format_addr(s, sizeof(s), ev->family, &ev->saddr);
	old_format_addr(d, sizeof(d), ev->family, &ev->daddr);
	fprintf(f, ",\"seq\":%" PRIu64 ",\"cookie\":%" PRIu64 ",\"netns\":%u"
		",\"family\":\"%s\",\"saddr\":\"%s\",\"sport\":%u,\"daddr\":\"%s\",\"dport\":%u"
		",\"old_state\":\"%s\",\"new_state\":\"%s\",\"flags\":[",
		ev->seq, ev->cookie, ev->netns, ev->family == AF_INET6 ? "inet6" : "inet",
		s, ev->sport, d, ev->dport, tcptl_state_name(ev->oldstate),
		tcptl_state_name(ev->newstate));
	bool first = true;
	for (unsigned int i = 0; i < sizeof(old_flag_names) / sizeof(old_flag_names[0]); i++) {
		if (ev->flags & (1u << i)) {
			fprintf(f, "%s\"%s\"", first ? "" : ",", old_flag_names[i]);
			first = false;
		}
	}
	fputc(']', f);
	if (ev->has_pid) {
		fprintf(f, ",\"pid\":%u,\"comm\":", ev->pid);
		old_json_string(f, ev->comm);
	} else if (has_pid) {
		/* Known from another record of this connection. */
		fprintf(f, ",\"owner_pid\":%u,\"owner_comm\":", pid);
		old_json_string(f, comm);
	}
	if (ev->has_owner)
		fprintf(f, ",\"uid\":%u,\"ino\":%" PRIu64, ev->uid, ev->ino);
	if (ev->has_counters)
		fprintf(f, ",\"bytes_acked\":%" PRIu64
			",\"bytes_received\":%" PRIu64 ",\"segs_in\":%u,\"segs_out\":%u"
			",\"total_retrans\":%u,\"srtt_us\":%u,\"rcv_queue\":%u",
			ev->bytes_acked, ev->bytes_received, ev->segs_in,
			ev->segs_out, ev->total_retrans, ev->srtt_us, ev->rcv_queue);
	if (ev->tw_reason)
		fprintf(f, ",\"tw_reason\":\"%s\"", tcptl_tw_reason_name(ev->tw_reason));
	if (ev->has_prev_ns)
		fprintf(f, ev->type == TCPTL_EVENT_ACCEPT ? ",\"accept_wait_ns\":%" PRIu64 :
			",\"prev_state_ns\":%" PRIu64, ev->prev_state_ns);
	if (ev->superseded)
		fputs(",\"timewait_handover\":true", f);
	fputs("}\n", f);
}

static void old_format_endpoint(char *buf, size_t len, uint8_t family, const union tcptl_ip *a,
		     uint16_t port)
{
	char addr[INET6_ADDRSTRLEN];

	old_format_addr(addr, sizeof(addr), family, a);
	snprintf(buf, len, family == AF_INET6 ? "[%s]:%u" : "%s:%u", addr, port);
}

static void old_print_event(const struct tcptl_out *o, const struct tcptl_event *ev,
		       bool has_pid, uint32_t pid, const char *comm)
{
	char t[32], l[64], r[64], who[32], prev[32] = "";
	const char *extra = "";

	if (o->json) {
		old_json_event(o, ev, has_pid, pid, comm);
		return;
	}
	old_format_time(o, ev->time_ns, ev->clock_offset_ns, t, sizeof(t));
	if (ev->type == TCPTL_EVENT_LOST) {
		fprintf(o->f, "%-15s LOST %" PRIu64 " records (module buffer full on cpu %u)\n",
			t, ev->lost_count, ev->cpu);
		return;
	}
	old_format_endpoint(l, sizeof(l), ev->family, &ev->saddr, ev->sport);
	old_format_endpoint(r, sizeof(r), ev->family, &ev->daddr, ev->dport);
	if (ev->has_pid)
		snprintf(who, sizeof(who), "%-7u %-15s", ev->pid, ev->comm);
	else if (has_pid)
		snprintf(who, sizeof(who), "%-7u %-15s", pid, comm);
	else
		snprintf(who, sizeof(who), "%-7s %-15s", "-", "-");
	if (ev->has_prev_ns)
		snprintf(prev, sizeof(prev), "%.3f", ev->prev_state_ns / 1e6);
	switch (ev->type) {
	case TCPTL_EVENT_RESET_SENT: extra = " rst-sent"; break;
	case TCPTL_EVENT_RESET_RECEIVED: extra = " rst-received"; break;
	case TCPTL_EVENT_TW_OVERFLOW: extra = " tw-overflow (tcp_max_tw_buckets)"; break;
	case TCPTL_EVENT_ACCEPT: extra = " accepted"; break;
	default: break;
	}
	if (ev->type == TCPTL_EVENT_ACCEPT && ev->has_prev_ns) {
		fprintf(o->f, "%-15s %s %-22s %-22s %s%s after %s ms in the accept queue\n", t, who,
			l, r, tcptl_state_name(ev->newstate), extra, prev);
		return;
	}
	if (ev->type != TCPTL_EVENT_STATE) {
		fprintf(o->f, "%-15s %s %-22s %-22s %s%s\n", t, who, l, r,
			tcptl_state_name(ev->newstate), extra);
		return;
	}
	fprintf(o->f, "%-15s %s %-22s %-22s %-11s -> %-11s %9s%s%s%s%s\n", t, who, l, r,
		tcptl_state_name(ev->oldstate), tcptl_state_name(ev->newstate), prev,
		ev->flags & TCPTL_EVF_TIMEWAIT ? " timewait" : "",
		ev->superseded ? " (handed to its timewait socket)" : "",
		ev->tw_reason ? " reason=" : "", ev->tw_reason ? tcptl_tw_reason_name(ev->tw_reason) : "");
}


static uint64_t rnd64(void)
{
	return ((uint64_t)(unsigned int)rand() << 33) ^ ((uint64_t)(unsigned int)rand() << 11) ^
	       (unsigned int)rand();
}

/* Small, huge, and rounding-tie values alike. */
static uint64_t rnd_ns(void)
{
	switch (rand() % 4) {
	case 0: return (uint64_t)(rand() % 5000) * 1000 + 500;
	case 1: return rnd64();
	case 2: return (uint64_t)rand();
	default: return (uint64_t)(rand() % 100000);
	}
}

static void random_event(struct tcptl_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = (uint8_t)(rand() % (TCPTL_EVENT_MAX + 2));	/* and one unknown */
	ev->time_ns = rnd_ns();
	ev->clock_offset_ns = (int64_t)(rnd64() >> 2);
	ev->cpu = (uint32_t)rand() % 300;
	ev->seq = rnd64();
	ev->cookie = rnd64();
	ev->netns = (uint32_t)rand();
	ev->family = rand() % 3 ? AF_INET : AF_INET6;
	for (size_t i = 0; i < sizeof(ev->saddr); i++) {
		((unsigned char *)&ev->saddr)[i] = (unsigned char)(rand() % 3 ? rand() : 0);
		((unsigned char *)&ev->daddr)[i] = (unsigned char)(rand() % 3 ? rand() : 0);
	}
	ev->sport = (uint16_t)rand();
	ev->dport = (uint16_t)rand();
	ev->oldstate = (uint8_t)(rand() % 14);
	ev->newstate = (uint8_t)(rand() % 14);
	ev->flags = (uint32_t)rand() & 0x3f;
	ev->has_pid = rand() % 2;
	ev->pid = (uint32_t)rand();
	for (int i = 0, n = rand() % 16; i < n; i++)
		ev->comm[i] = (char)(1 + rand() % 255);
	ev->has_owner = rand() % 2;
	ev->has_counters = rand() % 2;
	ev->uid = (uint32_t)rand();
	ev->ino = rnd64();
	ev->bytes_acked = rnd64();
	ev->bytes_received = rnd64();
	ev->segs_in = (uint32_t)rand();
	ev->segs_out = (uint32_t)rand();
	ev->total_retrans = (uint32_t)rand();
	ev->srtt_us = (uint32_t)rand();
	ev->rcv_queue = (uint32_t)rand();
	ev->tw_reason = (uint8_t)(rand() % 2 ? 0 : rand() % 6);
	ev->has_prev_ns = rand() % 2;
	ev->prev_state_ns = rnd_ns();
	ev->superseded = rand() % 4 == 0;
	ev->lost_count = rnd64();
}

static void render_both(const struct tcptl_out *proto, const struct tcptl_event *ev,
			bool has_pid, uint32_t pid, const char *comm, char *a, char *b, size_t len)
{
	struct tcptl_out o = *proto;

	memset(a, 0, len);
	memset(b, 0, len);
	o.f = fmemopen(a, len, "w");
	old_print_event(&o, ev, has_pid, pid, comm);
	fclose(o.f);
	o.f = fmemopen(b, len, "w");
	tcptl_print_event(&o, ev, has_pid, pid, comm);
	fclose(o.f);
}

static void test_event_lines_match_printf(void **state)
{
	static char a[4096], b[4096];
	const struct tcptl_out outs[] = {
		{ .start_ns = 0 },
		{ .start_ns = 1000000000 },
		{ .wall_clock = true },
		{ .json = true },
	};
	unsigned int n = 0;

	(void)state;
	srand(12345);
	setenv("TZ", "UTC", 1);
	for (int i = 0; i < 20000; i++) {
		struct tcptl_event ev;
		char comm[16] = "";

		random_event(&ev);
		for (int k = 0, m = rand() % 16; k < m; k++)
			comm[k] = (char)(1 + rand() % 255);
		for (size_t j = 0; j < sizeof(outs) / sizeof(outs[0]); j++) {
			render_both(&outs[j], &ev, i % 3 == 0, (uint32_t)i, comm, a, b, sizeof(a));
			if (strcmp(a, b))
				fail_msg("record %d, output %zu:\nprintf: %sline:   %s", i, j, a, b);
			n++;
		}
	}
	assert_int_equal(n, 80000);
}

static void test_ms3_rounding(void **state)
{
	const uint64_t cases[] = { 0, 499, 500, 501, 1499, 1500, 1999500, 1000500, 123456789,
				   999999999999999ull, 1000000000000000ull, UINT64_MAX };
	char want[64];
	struct tcptl_line l;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tcptl_line_init(&l);
		tcptl_line_ms3(&l, cases[i]);
		snprintf(want, sizeof(want), "%.3f", cases[i] / 1e6);
		assert_int_equal(l.len, strlen(want));
		assert_memory_equal(l.buf, want, l.len);
	}
}

/* Every digit count, both sides of each power of ten, zero padding. */
static void test_u64_digits(void **state)
{
	char want[32];
	struct tcptl_line l;
	unsigned int n = 0;

	(void)state;
	for (uint64_t p = 1;; p *= 10) {
		const uint64_t cases[] = { p - 1, p, p + 1, p * 9 + p / 2 };

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			for (unsigned int width = 0; width <= 21; width += 3) {
				tcptl_line_init(&l);
				tcptl_line_u64_zero(&l, cases[i], width);
				snprintf(want, sizeof(want), "%0*" PRIu64,
					 (int)(width < 20 ? width : 20), cases[i]);
				assert_int_equal(l.len, strlen(want));
				assert_memory_equal(l.buf, want, l.len);
				n++;
			}
		}
		if (p > UINT64_MAX / 10)
			break;
	}
	tcptl_line_init(&l);
	tcptl_line_u64(&l, UINT64_MAX);
	assert_int_equal(l.len, 20);
	assert_memory_equal(l.buf, "18446744073709551615", 20);
	assert_int_equal(n, 20 * 4 * 8);

	/* At the line's end: the leading digits that fit, never past it. */
	tcptl_line_init(&l);
	memset(l.buf, 'x', TCPTL_LINE_MAX);
	l.len = TCPTL_LINE_MAX - 3;
	tcptl_line_u64_zero(&l, 42, 6);
	assert_int_equal(l.len, TCPTL_LINE_MAX);
	assert_memory_equal(l.buf + TCPTL_LINE_MAX - 3, "000", 3);
	l.len = TCPTL_LINE_MAX - 2;
	tcptl_line_u64(&l, 98765);
	assert_int_equal(l.len, TCPTL_LINE_MAX);
	assert_memory_equal(l.buf + TCPTL_LINE_MAX - 2, "98", 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_lines_match_printf),
		cmocka_unit_test(test_ms3_rounding),
		cmocka_unit_test(test_u64_digits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
