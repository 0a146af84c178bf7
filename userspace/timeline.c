// SPDX-License-Identifier: GPL-2.0
/*
 * A connection's timeline, in text or JSON: its states with entry times
 * and durations, its owner, how long it waited to be accepted, how it
 * closed and who closed first; and, when the timeline was shown as the
 * connection entered TIME_WAIT, the line that reports that TIME_WAIT's end.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>

#include "closing.h"
#include "linebuf.h"
#include "output.h"
#include "tcp_timeline.h"

static const char *state_color(uint8_t state)
{
	switch (state) {
	case TCPTL_STATE_ESTABLISHED: return "\033[32m";
	case TCPTL_STATE_CLOSE_WAIT: return "\033[31m";
	case TCPTL_STATE_TIME_WAIT: return "\033[33m";
	case TCPTL_STATE_CLOSE: return "\033[2m";
	default: return "";
	}
}

/* The first step with a known entry time: where relative times start. */
static uint64_t timeline_origin(const struct tcptl_conn *c)
{
	for (unsigned int i = 0; i < c->nsteps; i++)
		if (c->steps[i].enter_ns)
			return c->steps[i].enter_ns;
	return 0;
}

/* Step 0 is the state before the first record: shown only for sockets
 * that existed before the reader (it is CLOSE, or LISTEN, otherwise). */
static unsigned int first_shown(const struct tcptl_conn *c)
{
	return c->preexisting ? 0 : 1;
}

/* Whether it was accepted is known for children seen from their birth,
 * or once an accept record came. */
static bool accept_known(const struct tcptl_out *o, const struct tcptl_conn *c)
{
	return c->passive && !c->listener && (c->accepted || (o->accept_hook && !c->preexisting));
}

static bool has_accept_wait(const struct tcptl_conn *c)
{
	return c->accepted && c->established_ns && c->accept_ns >= c->established_ns;
}

struct span {
	uint64_t t0, end;	/* first known entry, last entry */
};

static struct span timeline_span(const struct tcptl_conn *c)
{
	unsigned int n = tcptl_conn_shown_steps(c);
	struct span sp = { .t0 = timeline_origin(c) };

	sp.end = n ? c->steps[n - 1].enter_ns : 0;
	if (sp.end < sp.t0)
		sp.end = sp.t0;
	return sp;
}

static void json_endpoints(FILE *f, const struct tcptl_conn *c, const char *type)
{
	const struct tcptl_event *id = &c->id;
	char l[64], r[64];

	tcptl_format_endpoint(l, sizeof(l), id->family, &id->saddr, id->sport);
	tcptl_format_endpoint(r, sizeof(r), id->family, &id->daddr, id->dport);
	fprintf(f, "{\"type\":\"%s\",\"cookie\":%" PRIu64 ",\"netns\":%u"
		",\"family\":\"%s\",\"local\":\"%s\",\"remote\":\"%s\"", type,
		c->cookie, id->netns, id->family == AF_INET6 ? "inet6" : "inet", l, r);
	if (c->has_owner) {
		fprintf(f, ",\"pid\":%u,\"comm\":", c->pid);
		tcptl_json_string(f, c->comm);
	}
}

static void json_timeline(const struct tcptl_out *o, const struct tcptl_conn *c)
{
	const char *kind = tcptl_close_kind_name(tcptl_close_kind(c));
	const char *first = tcptl_closer_name(tcptl_first_closer(c));
	int64_t offset = c->id.clock_offset_ns;
	unsigned int n = tcptl_conn_shown_steps(c);
	struct span sp = timeline_span(c);
	FILE *f = o->f;
	char err[16];

	json_endpoints(f, c, "timeline");
	if (sp.t0)
		fprintf(f, ",\"start_wall_ns\":%" PRIu64, sp.t0 + (uint64_t)offset);
	if (c->preexisting)
		fputs(",\"preexisting\":true", f);
	if (!kind)
		fputs(",\"unfinished\":true", f);
	if (c->due_at_timewait)
		fputs(",\"in_timewait\":true", f);
	if (accept_known(o, c)) {
		fprintf(f, ",\"accepted\":%s", c->accepted ? "true" : "false");
		if (has_accept_wait(c))
			fprintf(f, ",\"accept_wait_ns\":%" PRIu64, c->accept_ns - c->established_ns);
	}
	fprintf(f, ",\"states\":[");
	for (unsigned int i = first_shown(c); i < n; i++) {
		const struct tcptl_step *s = &c->steps[i];
		uint64_t next = i + 1 < n ? c->steps[i + 1].enter_ns : 0;

		fprintf(f, "%s{\"state\":\"%s\"", i > first_shown(c) ? "," : "",
			tcptl_state_name(s->state));
		if (s->enter_ns)
			fprintf(f, ",\"enter_ns\":%" PRIu64, s->enter_ns - sp.t0);
		else
			fputs(",\"before_start\":true", f);
		if (next && s->enter_ns)
			fprintf(f, ",\"duration_ns\":%" PRIu64, next - s->enter_ns);
		if (s->flags & TCPTL_EVF_TIMEWAIT)
			fputs(",\"timewait\":true", f);
		fputc('}', f);
	}
	fputs("],\"close\":", f);
	if (kind)
		fprintf(f, "\"%s\"", kind);
	else
		fputs("null", f);
	fprintf(f, ",\"closed_first\":\"%s\",\"bytes_acked\":%" PRIu64
		",\"bytes_received\":%" PRIu64 ",\"total_retrans\":%u,\"lifetime_ns\":%" PRIu64,
		first ? first : "-", c->bytes_acked, c->bytes_received, c->total_retrans,
		sp.end - sp.t0);
	if (sp.end)
		fprintf(f, ",\"end_wall_ns\":%" PRIu64, sp.end + (uint64_t)offset);
	if (c->tw_reason && !c->due_at_timewait)
		fprintf(f, ",\"tw_reason\":\"%s\"", tcptl_tw_reason_name(c->tw_reason));
	if (c->close_error)
		fprintf(f, ",\"close_error\":\"%s\"", tcptl_errno_name(c->close_error, err, sizeof(err)));
	fputs("}\n", f);
}

static void text_accept(const struct tcptl_out *o, const struct tcptl_conn *c, bool ended)
{
	if (!accept_known(o, c))
		return;
	if (has_accept_wait(c))
		fprintf(o->f, "  accepted after %.3f ms in the accept queue\n",
			(c->accept_ns - c->established_ns) / 1e6);
	else if (c->accepted)
		fputs("  accepted\n", o->f);
	else
		fputs(ended ? "  never accepted\n" : "  not accepted yet\n", o->f);
}

void tcptl_print_timeline(const struct tcptl_out *o, const struct tcptl_conn *c)
{
	const char *kind = tcptl_close_kind_name(tcptl_close_kind(c));
	const char *first = tcptl_closer_name(tcptl_first_closer(c));
	const struct tcptl_event *id = &c->id;
	unsigned int n = tcptl_conn_shown_steps(c);
	bool tw_end = c->tw_reason && !c->due_at_timewait;
	struct span sp = timeline_span(c);
	char l[64], r[64], owner[40] = "-", err[16], error[24] = "";
	struct tcptl_line at;

	if (o->json) {
		json_timeline(o, c);
		return;
	}
	tcptl_format_endpoint(l, sizeof(l), id->family, &id->saddr, id->sport);
	tcptl_format_endpoint(r, sizeof(r), id->family, &id->daddr, id->dport);
	tcptl_line_init(&at);
	if (c->has_owner)
		snprintf(owner, sizeof(owner), "%s/%u", c->comm, c->pid);
	if (o->wall_clock && sp.t0) {
		tcptl_line_str(&at, "  at ");
		tcptl_format_time(o, sp.t0, id->clock_offset_ns, &at);
	}
	fprintf(o->f, "%s%s -> %s%s  cookie %" PRIu64 "  netns %u  owner %s%.*s%s%s\n",
		o->color ? "\033[1m" : "", l, r, o->color ? "\033[0m" : "", c->cookie,
		id->netns, owner, (int)at.len, at.buf, c->preexisting ? "  (opened before start)" : "",
		kind ? "" : "  (unfinished)");
	for (unsigned int i = first_shown(c); i < n; i++) {
		const struct tcptl_step *s = &c->steps[i];
		uint64_t next = i + 1 < n ? c->steps[i + 1].enter_ns : 0;
		char when[32], dur[32] = "";

		if (s->enter_ns)
			snprintf(when, sizeof(when), "+%10.3f ms", (s->enter_ns - sp.t0) / 1e6);
		else
			snprintf(when, sizeof(when), "%-14s", "before start");
		if (next && s->enter_ns)
			snprintf(dur, sizeof(dur), "%12.3f ms", (next - s->enter_ns) / 1e6);
		fprintf(o->f, "  %s  %s%-12s%s%s%s\n", when, o->color ? state_color(s->state) : "",
			tcptl_state_name(s->state), o->color ? "\033[0m" : "", dur,
			s->flags & TCPTL_EVF_TIMEWAIT ? "  (timewait)" : "");
	}
	text_accept(o, c, kind != NULL);
	if (c->close_error)
		snprintf(error, sizeof(error), " (%s)", tcptl_errno_name(c->close_error, err, sizeof(err)));
	fprintf(o->f, "  closed: %s%s, first by %s; bytes acked %" PRIu64 ", received %" PRIu64
		", retransmits %u; lifetime %s%.3f ms%s%s%s\n\n",
		kind ? kind : "-", error, first ? first : "-", c->bytes_acked, c->bytes_received,
		c->total_retrans, !kind ? "so far " : c->preexisting ? "over " : "",
		(sp.end - sp.t0) / 1e6,
		tw_end ? "; TIME_WAIT ended: " : "", tw_end ? tcptl_tw_reason_name(c->tw_reason) : "",
		c->due_at_timewait ? "; in TIME_WAIT now (its end follows)" : "");
}

void tcptl_print_timewait_end(const struct tcptl_out *o, const struct tcptl_conn *c)
{
	const struct tcptl_event *id = &c->id;
	uint64_t end = c->state_ns;
	uint64_t lasted = c->tw_enter_ns && end >= c->tw_enter_ns ? end - c->tw_enter_ns : 0;
	const char *reason = tcptl_tw_reason_name(c->tw_reason);
	char l[64], r[64];

	if (o->json) {
		FILE *f = o->f;

		json_endpoints(f, c, "timewait_end");
		fprintf(f, ",\"state\":\"%s\",\"reason\":\"%s\"", tcptl_state_name(c->tw_state),
			reason);
		if (lasted)
			fprintf(f, ",\"duration_ns\":%" PRIu64, lasted);
		fprintf(f, ",\"end_wall_ns\":%" PRIu64 "}\n", end + (uint64_t)id->clock_offset_ns);
		return;
	}
	tcptl_format_endpoint(l, sizeof(l), id->family, &id->saddr, id->sport);
	tcptl_format_endpoint(r, sizeof(r), id->family, &id->daddr, id->dport);
	fprintf(o->f, "%s -> %s  cookie %" PRIu64 "  %s ended: %s", l, r, c->cookie,
		tcptl_state_name(c->tw_state), reason);
	if (lasted)
		fprintf(o->f, " after %.3f ms", lasted / 1e6);
	fputs("\n\n", o->f);
}
