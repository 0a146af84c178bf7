// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "linebuf.h"
#include "output.h"
#include "tcp_timeline.h"

void tcptl_json_string(FILE *f, const char *s)
{
	char esc[7];

	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		fwrite(esc, 1, tcptl_json_escape(*p, esc), f);
	fputc('"', f);
}

void tcptl_format_addr(char *buf, size_t len, uint8_t family, const union tcptl_ip *a)
{
	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

static const char *const flag_names[] = {
	"task", "port_pending", "timewait", "v4mapped", "child_identity",
};

void tcptl_format_time(const struct tcptl_out *o, uint64_t ns, int64_t offset,
		       struct tcptl_line *l)
{
	if (o->wall_clock) {
		uint64_t wall = ns + (uint64_t)offset;
		time_t secs = (time_t)(wall / 1000000000u);
		struct tm tm;
		char buf[32];

		localtime_r(&secs, &tm);
		tcptl_line_mem(l, buf, strftime(buf, sizeof(buf), "%H:%M:%S", &tm));
		tcptl_line_chr(l, '.');
		tcptl_line_u64_zero(l, (wall % 1000000000u) / 1000, 6);
	} else {
		uint64_t rel = ns > o->start_ns ? ns - o->start_ns : 0;

		tcptl_line_u64(l, rel / 1000000000u);
		tcptl_line_chr(l, '.');
		tcptl_line_u64_zero(l, (rel % 1000000000u) / 1000, 6);
	}
}

/* ,"NAME":VALUE */
static void json_u64(struct tcptl_line *l, const char *name, uint64_t v)
{
	tcptl_line_str(l, name);
	tcptl_line_u64(l, v);
}

static void json_event(const struct tcptl_out *o, const struct tcptl_event *ev,
		       bool has_pid, uint32_t pid, const char *comm)
{
	struct tcptl_line line, *l = &line;

	tcptl_line_init(l);
	tcptl_line_str(l, "{\"type\":\"");
	tcptl_line_str(l, tcptl_type_name(ev->type));
	json_u64(l, "\",\"time_ns\":", ev->time_ns);
	json_u64(l, ",\"wall_ns\":", ev->time_ns + (uint64_t)ev->clock_offset_ns);
	json_u64(l, ",\"cpu\":", ev->cpu);
	if (ev->type == TCPTL_EVENT_LOST) {
		json_u64(l, ",\"lost_count\":", ev->lost_count);
		tcptl_line_str(l, "}\n");
		tcptl_line_write(l, o->f);
		return;
	}
	json_u64(l, ",\"seq\":", ev->seq);
	json_u64(l, ",\"cookie\":", ev->cookie);
	json_u64(l, ",\"netns\":", ev->netns);
	tcptl_line_str(l, ev->family == AF_INET6 ? ",\"family\":\"inet6\",\"saddr\":\"" :
			  ",\"family\":\"inet\",\"saddr\":\"");
	tcptl_line_addr(l, ev->family, &ev->saddr);
	json_u64(l, "\",\"sport\":", ev->sport);
	tcptl_line_str(l, ",\"daddr\":\"");
	tcptl_line_addr(l, ev->family, &ev->daddr);
	json_u64(l, "\",\"dport\":", ev->dport);
	tcptl_line_str(l, ",\"old_state\":\"");
	tcptl_line_str(l, tcptl_state_name(ev->oldstate));
	tcptl_line_str(l, "\",\"new_state\":\"");
	tcptl_line_str(l, tcptl_state_name(ev->newstate));
	tcptl_line_str(l, "\",\"flags\":[");
	bool first = true;
	for (unsigned int i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++) {
		if (ev->flags & (1u << i)) {
			tcptl_line_str(l, first ? "\"" : ",\"");
			tcptl_line_str(l, flag_names[i]);
			tcptl_line_chr(l, '"');
			first = false;
		}
	}
	tcptl_line_chr(l, ']');
	if (ev->has_pid) {
		json_u64(l, ",\"pid\":", ev->pid);
		tcptl_line_str(l, ",\"comm\":");
		tcptl_line_json_str(l, ev->comm);
	} else if (has_pid) {
		/* Known from another record of this connection. */
		json_u64(l, ",\"owner_pid\":", pid);
		tcptl_line_str(l, ",\"owner_comm\":");
		tcptl_line_json_str(l, comm);
	}
	if (ev->has_owner) {
		json_u64(l, ",\"uid\":", ev->uid);
		json_u64(l, ",\"ino\":", ev->ino);
	}
	if (ev->has_counters) {
		json_u64(l, ",\"bytes_acked\":", ev->bytes_acked);
		json_u64(l, ",\"bytes_received\":", ev->bytes_received);
		json_u64(l, ",\"segs_in\":", ev->segs_in);
		json_u64(l, ",\"segs_out\":", ev->segs_out);
		json_u64(l, ",\"total_retrans\":", ev->total_retrans);
		json_u64(l, ",\"srtt_us\":", ev->srtt_us);
		json_u64(l, ",\"rcv_queue\":", ev->rcv_queue);
	}
	if (ev->tw_reason) {
		tcptl_line_str(l, ",\"tw_reason\":\"");
		tcptl_line_str(l, tcptl_tw_reason_name(ev->tw_reason));
		tcptl_line_chr(l, '"');
	}
	if (ev->error) {
		char name[16];

		tcptl_line_str(l, ",\"error\":\"");
		tcptl_line_str(l, tcptl_errno_name(ev->error, name, sizeof(name)));
		tcptl_line_chr(l, '"');
	}
	if (ev->has_prev_ns)
		json_u64(l, ev->type == TCPTL_EVENT_ACCEPT ? ",\"accept_wait_ns\":" :
			 ",\"prev_state_ns\":", ev->prev_state_ns);
	if (ev->superseded)
		tcptl_line_str(l, ",\"timewait_handover\":true");
	tcptl_line_str(l, "}\n");
	tcptl_line_write(l, o->f);
}

void tcptl_format_endpoint(char *buf, size_t len, uint8_t family, const union tcptl_ip *a,
		     uint16_t port)
{
	struct tcptl_line l;

	tcptl_line_init(&l);
	tcptl_line_endpoint(&l, family, a, port);
	snprintf(buf, len, "%.*s", (int)l.len, l.buf);
}

/* STR, then spaces up to WIDTH (printf's %-*s) */
static void text_col(struct tcptl_line *l, const char *str, size_t width)
{
	size_t start = l->len;

	tcptl_line_str(l, str);
	tcptl_line_pad(l, start, width);
}

static void text_endpoint(struct tcptl_line *l, const struct tcptl_event *ev, bool local)
{
	size_t start = l->len;

	if (local)
		tcptl_line_endpoint(l, ev->family, &ev->saddr, ev->sport);
	else
		tcptl_line_endpoint(l, ev->family, &ev->daddr, ev->dport);
	tcptl_line_pad(l, start, 22);
}

void tcptl_print_event(const struct tcptl_out *o, const struct tcptl_event *ev,
		       bool has_pid, uint32_t pid, const char *comm)
{
	struct tcptl_line line, *l = &line;
	const char *extra = "";
	size_t start;

	if (o->json) {
		json_event(o, ev, has_pid, pid, comm);
		return;
	}
	tcptl_line_init(l);
	tcptl_format_time(o, ev->time_ns, ev->clock_offset_ns, l);
	tcptl_line_pad(l, 0, 15);
	if (ev->type == TCPTL_EVENT_LOST) {
		json_u64(l, " LOST ", ev->lost_count);
		json_u64(l, " records (module buffer full on cpu ", ev->cpu);
		tcptl_line_str(l, ")\n");
		tcptl_line_write(l, o->f);
		return;
	}
	/* who: pid and comm of the record, or of the connection, or "-" */
	tcptl_line_chr(l, ' ');
	start = l->len;
	if (ev->has_pid || has_pid)
		tcptl_line_u64(l, ev->has_pid ? ev->pid : pid);
	else
		tcptl_line_chr(l, '-');
	tcptl_line_pad(l, start, 7);
	tcptl_line_chr(l, ' ');
	text_col(l, ev->has_pid ? ev->comm : has_pid ? comm : "-", 15);
	tcptl_line_chr(l, ' ');
	text_endpoint(l, ev, true);
	tcptl_line_chr(l, ' ');
	text_endpoint(l, ev, false);
	tcptl_line_chr(l, ' ');
	switch (ev->type) {
	case TCPTL_EVENT_RESET_SENT: extra = " rst-sent"; break;
	case TCPTL_EVENT_RESET_RECEIVED: extra = " rst-received"; break;
	case TCPTL_EVENT_TW_OVERFLOW: extra = " tw-overflow (tcp_max_tw_buckets)"; break;
	case TCPTL_EVENT_ACCEPT: extra = " accepted"; break;
	default: break;
	}
	if (ev->type != TCPTL_EVENT_STATE) {
		tcptl_line_str(l, tcptl_state_name(ev->newstate));
		tcptl_line_str(l, extra);
		if (ev->type == TCPTL_EVENT_ACCEPT && ev->has_prev_ns) {
			tcptl_line_str(l, " after ");
			tcptl_line_ms3(l, ev->prev_state_ns);
			tcptl_line_str(l, " ms in the accept queue");
		}
		tcptl_line_chr(l, '\n');
		tcptl_line_write(l, o->f);
		return;
	}
	text_col(l, tcptl_state_name(ev->oldstate), 11);
	tcptl_line_str(l, " -> ");
	text_col(l, tcptl_state_name(ev->newstate), 11);
	tcptl_line_chr(l, ' ');
	start = l->len;
	if (ev->has_prev_ns)
		tcptl_line_ms3(l, ev->prev_state_ns);
	tcptl_line_right(l, start, 9);
	if (ev->flags & TCPTL_EVF_TIMEWAIT)
		tcptl_line_str(l, " timewait");
	if (ev->superseded)
		tcptl_line_str(l, " (handed to its timewait socket)");
	if (ev->tw_reason) {
		tcptl_line_str(l, " reason=");
		tcptl_line_str(l, tcptl_tw_reason_name(ev->tw_reason));
	}
	if (ev->error) {
		char name[16];

		tcptl_line_str(l, " error=");
		tcptl_line_str(l, tcptl_errno_name(ev->error, name, sizeof(name)));
	}
	tcptl_line_chr(l, '\n');
	tcptl_line_write(l, o->f);
}

void tcptl_print_summary(const struct tcptl_out *o, FILE *f, const struct tcptl_summary *s)
{
	const struct tcptl_tally *t = s->tally;

	if (o->json) {
		f = o->f;
		fprintf(f, "{\"type\":\"summary\",\"records\":{");
		for (unsigned int i = 1; i <= TCPTL_EVENT_MAX; i++)
			fprintf(f, "%s\"%s\":%" PRIu64, i > 1 ? "," : "", tcptl_type_name(i),
				t->by_type[i]);
		fprintf(f, "},\"finished\":%" PRIu64 ",\"lost_module\":%" PRIu64
			",\"lost_socket\":%" PRIu64 ",\"invalid\":%" PRIu64 ",\"evicted\":%" PRIu64
			",\"enobufs\":%" PRIu64 ",\"delivery_latency_ns\":{\"p50\":%" PRIu64
			",\"p99\":%" PRIu64 ",\"max\":%" PRIu64 "},\"time_in_state\":{", s->finished,
			s->lost_module, s->lost_socket, s->invalid, s->evicted, s->enobufs,
			s->latency_p50_ns, s->latency_p99_ns, s->latency_max_ns);
		bool first = true;

		for (unsigned int i = 1; i <= TCPTL_STATE_MAX; i++) {
			if (!t->in_state[i].count)
				continue;
			fprintf(f, "%s\"%s\":", first ? "" : ",", tcptl_state_name(i));
			tcptl_hist_json(f, &t->in_state[i]);
			first = false;
		}
		fputs("},\"connect_latency\":", f);
		tcptl_hist_json(f, &t->connect);
		fputs(",\"accept_wait\":", f);
		tcptl_hist_json(f, &t->accept_wait);
		fputs("}\n", f);
		return;
	}
	fprintf(f, "tcptimeline: %" PRIu64 " transitions, %" PRIu64 " resets, %" PRIu64
		" TIME_WAIT overflows, %" PRIu64 " connections finished; lost %" PRIu64
		" in the module, %" PRIu64 " on the socket; %" PRIu64 " invalid, %" PRIu64
		" evicted\n", t->by_type[TCPTL_EVENT_STATE],
		t->by_type[TCPTL_EVENT_RESET_SENT] + t->by_type[TCPTL_EVENT_RESET_RECEIVED],
		t->by_type[TCPTL_EVENT_TW_OVERFLOW], s->finished, s->lost_module, s->lost_socket,
		s->invalid, s->evicted);
	fprintf(f, "tcptimeline: delivery latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
		s->latency_p50_ns / 1e6, s->latency_p99_ns / 1e6, s->latency_max_ns / 1e6);
	if (!s->histograms)
		return;
	for (unsigned int i = 1; i <= TCPTL_STATE_MAX; i++) {
		if (!t->in_state[i].count)
			continue;
		fprintf(f, "\ntime in %s (%" PRIu64 " left it, mean %.3f ms):\n", tcptl_state_name(i),
			t->in_state[i].count, t->in_state[i].sum_ns / 1e6 / (double)t->in_state[i].count);
		tcptl_hist_print(f, &t->in_state[i], "");
	}
	if (t->connect.count) {
		fprintf(f, "\nconnect latency, SYN_SENT to ESTABLISHED (%" PRIu64 " connects, mean %.3f ms):\n",
			t->connect.count, t->connect.sum_ns / 1e6 / (double)t->connect.count);
		tcptl_hist_print(f, &t->connect, "");
	}
	if (t->accept_wait.count) {
		fprintf(f, "\naccept wait, ESTABLISHED to accept() (%" PRIu64 " accepts, mean %.3f ms):\n",
			t->accept_wait.count,
			t->accept_wait.sum_ns / 1e6 / (double)t->accept_wait.count);
		tcptl_hist_print(f, &t->accept_wait, "");
	}
}

void tcptl_print_stats(const struct tcptl_out *o, const struct tcptl_stats *st)
{
	if (o->json) {
		fprintf(o->f, "{\"seen\":%" PRIu64 ",\"filtered\":%" PRIu64 ",\"no_listener\":%" PRIu64
			",\"produced\":%" PRIu64 ",\"lost\":%" PRIu64 ",\"delivered\":%" PRIu64
			",\"delivery_failed\":%" PRIu64 ",\"unclaimed\":%" PRIu64
			",\"messages\":%" PRIu64 ",\"buffer_size\":%u,\"flush_interval_ms\":%u,\"hooks\":%u,\"hooks_missing\":%u"
			",\"nr_cpus\":%u,\"memory_bytes\":%" PRIu64 ",\"probe_missed\":%" PRIu64 "}\n",
			st->seen, st->filtered, st->no_listener, st->produced, st->lost,
			st->delivered, st->delivery_failed, st->unclaimed, st->messages, st->buffer_size,
			st->flush_interval_ms, st->hooks, st->hooks_missing, st->nr_cpus,
			st->memory_bytes, st->probe_missed);
		return;
	}
	fprintf(o->f, "seen %" PRIu64 "\nfiltered %" PRIu64 "\nno_listener %" PRIu64
		"\nproduced %" PRIu64 "\nlost %" PRIu64 "\ndelivered %" PRIu64
		"\ndelivery_failed %" PRIu64 "\nunclaimed %" PRIu64 "\nmessages %" PRIu64
		"\nbuffer_size %u\n"
		"flush_interval_ms %u\nnr_cpus %u\nmemory_bytes %" PRIu64 "\nprobe_missed %" PRIu64 "\n",
		st->seen, st->filtered, st->no_listener, st->produced, st->lost, st->delivered,
		st->delivery_failed, st->unclaimed, st->messages, st->buffer_size, st->flush_interval_ms,
		st->nr_cpus, st->memory_bytes, st->probe_missed);
	char names[256];

	tcptl_hook_names(st->hooks, names, sizeof(names));
	fprintf(o->f, "hooks attached: %s\n", names);
	tcptl_hook_names(st->hooks_missing, names, sizeof(names));
	fprintf(o->f, "hooks missing: %s\n", names);
}
