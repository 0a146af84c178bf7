// SPDX-License-Identifier: GPL-2.0
/*
 * The timeline (default) and events modes: a timeline per connection when
 * it ends, or a line per record as it happens; both optionally traced to
 * a Perfetto file, both ending with a summary.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "perfetto.h"
#include "record.h"
#include "session.h"
#include "tcp_timeline.h"

struct stream {
	struct tcptl_options *o;
	bool events;
	uint64_t printed;
	struct tcptl_perfetto trace;
};

static bool owner_match(const struct stream *m, const struct tcptl_event *ev,
			const struct tcptl_conn *c)
{
	bool has_pid = ev->has_pid || (c && c->has_owner);

	return tcptl_rfilter_match(&m->o->filter, ev, has_pid,
				   ev->has_pid ? ev->pid : c ? c->pid : 0,
				   ev->has_pid ? ev->comm : c && c->has_owner ? c->comm : NULL);
}

static void counted(struct stream *m)
{
	if (m->o->max_count && ++m->printed >= m->o->max_count)
		tcptl_stop = 1;
}

static void show(struct stream *m, const struct tcptl_event *ev, const struct tcptl_conn *c)
{
	if (!owner_match(m, ev, c))
		return;
	tcptl_print_event(&m->o->out, ev, c && c->has_owner, c ? c->pid : 0, c ? c->comm : "");
	counted(m);
}

static void on_record(struct tcptl_session *s, struct tcptl_event *ev, struct tcptl_conn *c)
{
	struct stream *m = s->mode;

	if (!m->events)
		return;
	show(m, ev, c);
}

static bool conn_match(const struct stream *m, const struct tcptl_conn *c)
{
	return tcptl_rfilter_match(&m->o->filter, &c->id, c->has_owner, c->pid,
				   c->has_owner ? c->comm : NULL);
}

static void on_finished(struct tcptl_session *s, struct tcptl_conn *c)
{
	struct stream *m = s->mode;

	if (!conn_match(m, c))
		return;
	/* The trace shows TIME_WAIT too: written when it ends. */
	if (!c->due_at_timewait)
		tcptl_perfetto_conn(&m->trace, c, 0);
	if (m->events)
		return;
	tcptl_print_timeline(&m->o->out, c);
	counted(m);
}

static void on_timewait_end(struct tcptl_session *s, struct tcptl_conn *c)
{
	struct stream *m = s->mode;

	if (!conn_match(m, c))
		return;
	tcptl_perfetto_conn(&m->trace, c, 0);
	if (!m->events)
		tcptl_print_timewait_end(&m->o->out, c);
}

static void on_tick(struct tcptl_session *s, uint64_t now)
{
	struct stream *m = s->mode;

	(void)now;
	fflush(m->o->out.f);
}

static const struct tcptl_session_ops stream_ops = {
	.record = on_record,
	.finished = on_finished,
	.timewait_end = on_timewait_end,
	.tick = on_tick,
	.extra_fd = -1,
};

static void print_unfinished(struct tcptl_session *s, struct stream *m)
{
	uint64_t now = tcptl_now_ns();
	struct tcptl_conn *c, *tmp;

	HASH_ITER(hh, s->conns.by_cookie, c, tmp) {
		if (!conn_match(m, c))
			continue;
		tcptl_perfetto_conn(&m->trace, c, now);
		/* Shown when it entered TIME_WAIT: only its end is missing. */
		if (!m->events && !c->reported)
			tcptl_print_timeline(&m->o->out, c);
	}
}

int tcptl_cmd_stream(struct tcptl_options *o, bool events)
{
	static struct tcptl_session s;
	struct stream m = { .o = o, .events = events };
	uint64_t deadline = 0;
	int err, code = TCPTL_EXIT_OK;

	s.ops = &stream_ops;
	s.mode = &m;
	if (o->perfetto) {
		err = tcptl_perfetto_open(&m.trace, o->perfetto);
		if (err) {
			fprintf(stderr, "tcptimeline: %s: %s\n", o->perfetto, strerror(-err));
			return TCPTL_EXIT_RUNTIME;
		}
	}
	if (o->record) {
		err = tcptl_record_open(&s.record, o->record);
		if (err) {
			fprintf(stderr, "tcptimeline: %s: %s\n", o->record, strerror(-err));
			code = TCPTL_EXIT_RUNTIME;
			goto out;
		}
	}
	err = tcptl_session_open(&s, (unsigned int)o->max_conns);
	if (err) {
		code = tcptl_fail_nl(err, "resolving the tcp_timeline family", NULL);
		goto out;
	}
	s.conns.report_at_timewait = !o->after_timewait;
	o->out.accept_hook = s.hooks & TCPTL_HOOK_ACCEPT;
	if (o->kernel_filter) {
		err = tcptl_nl_request(&s.req, TCPTL_CMD_SET_FILTER,
				       (tcptl_nl_build)tcptl_rfilter_put, &o->filter, NULL, NULL);
		if (err) {
			code = tcptl_fail_nl(err, "setting the module's filter", s.req.errmsg);
			goto out;
		}
	}
	err = tcptl_session_subscribe(&s);
	if (err) {
		code = tcptl_fail_nl(err, "joining the events group", NULL);
		goto out;
	}
	o->out.start_ns = s.start_ns;
	/* Connections opened before us get timelines too (marked as such). */
	if (!o->no_seed && !events) {
		err = tcptl_session_seed(&s, true);
		if (err < 0)
			fprintf(stderr, "tcptimeline: warning: listing existing sockets: %s\n",
				strerror(-err));
	}
	if (o->duration > 0)
		deadline = tcptl_now_ns() + (uint64_t)(o->duration * 1e9);
	if (tcptl_session_run(&s, &tcptl_stop, deadline))
		code = TCPTL_EXIT_RUNTIME;
	if (o->unfinished)
		print_unfinished(&s, &m);
	if (s.unloaded) {
		fprintf(stderr, "tcptimeline: the tcp_timeline module was unloaded\n");
		code = TCPTL_EXIT_UNLOADED;
	}
	if (!o->quiet) {
		struct tcptl_summary sum = {
			.tally = &s.tally,
			.finished = s.finished,
			.lost_module = tcptl_session_lost_module(&s),
			.lost_socket = tcptl_session_lost_socket(&s),
			.invalid = s.counts.invalid,
			.evicted = s.conns.evicted,
			.enobufs = s.enobufs,
			.histograms = true,
			.latency_p50_ns = tcptl_latency_quantile(&s.latency, 0.50),
			.latency_p99_ns = tcptl_latency_quantile(&s.latency, 0.99),
			.latency_max_ns = s.latency.max_ns,
		};

		tcptl_print_summary(&o->out, stderr, &sum);
	}
	fflush(o->out.f);
out:
	tcptl_session_close(&s);
	if (s.record && fclose(s.record) && code == TCPTL_EXIT_OK) {
		fprintf(stderr, "tcptimeline: %s: write failed\n", o->record);
		code = TCPTL_EXIT_RUNTIME;
	}
	if (tcptl_perfetto_close(&m.trace) && code == TCPTL_EXIT_OK) {
		fprintf(stderr, "tcptimeline: %s: write failed\n", o->perfetto);
		code = TCPTL_EXIT_RUNTIME;
	}
	return code;
}
