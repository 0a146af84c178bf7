// SPDX-License-Identifier: GPL-2.0
/*
 * "tcptimeline top": the snapshot of top.c on a screen (redrawn in place
 * on a terminal), as plain periodic text when piped or with --once, or as
 * one JSON object per snapshot; alerts as log lines.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alerts.h"
#include "options.h"
#include "output.h"
#include "top.h"
#include "tcp_timeline.h"

struct topview {
	struct tcptl_top top;	/* first: tcptl_top_on_record */
	struct tcptl_options *o;
	struct tcptl_alerts alerts;
	uint64_t next_ns, interval_ns;
	bool redraw, utf8;
	unsigned int shown;
	int err;
};

/* The states a reader of this screen cares about, in the order of a life. */
static const uint8_t shown_states[] = {
	TCPTL_STATE_LISTEN, TCPTL_STATE_SYN_SENT, TCPTL_STATE_SYN_RECV,
	TCPTL_STATE_ESTABLISHED, TCPTL_STATE_FIN_WAIT1, TCPTL_STATE_FIN_WAIT2,
	TCPTL_STATE_CLOSE_WAIT, TCPTL_STATE_CLOSING, TCPTL_STATE_LAST_ACK,
	TCPTL_STATE_TIME_WAIT,
};

static void sparkline(char *buf, size_t len, const uint32_t *h, unsigned int n, bool utf8)
{
	static const char *const blocks[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	static const char ascii[] = "_.-:=+*#";
	uint32_t max = 0;
	size_t used = 0;

	for (unsigned int i = 0; i < n; i++)
		if (h[i] > max)
			max = h[i];
	buf[0] = '\0';
	for (unsigned int i = 0; i < n && used + 4 < len; i++) {
		unsigned int level = max ? (unsigned int)((uint64_t)h[i] * 7 / max) : 0;

		if (utf8) {
			memcpy(buf + used, blocks[level], 3);
			used += 3;
		} else {
			buf[used++] = ascii[level];
		}
		buf[used] = '\0';
	}
}

static void age(char *buf, size_t len, double s, bool known)
{
	const char *more = known ? "" : ">";

	if (s < 120)
		snprintf(buf, len, "%s%.1fs", more, s);
	else if (s < 7200)
		snprintf(buf, len, "%s%.1fm", more, s / 60);
	else
		snprintf(buf, len, "%s%.1fh", more, s / 3600);
}

static void seconds(char *buf, size_t len, bool known, double s)
{
	if (!known)
		snprintf(buf, len, "-");
	else if (s < 1)
		snprintf(buf, len, "%.1fms", s * 1e3);
	else
		age(buf, len, s, true);
}

static void text_inbound(FILE *f, const struct tcptl_inbound_snap *in, unsigned int rows,
			 bool once)
{
	char ep[64], q[24], p50[24], p99[24], old[24], pid[16];

	fprintf(f, "\nLISTEN %u: accept queue of backlog (fullest first)\n",
		in->n_listeners + in->listeners_omitted);
	/* A single snapshot has no interval: it shows the namespace's totals. */
	if (in->tcpext_ok) {
		static const char *const label[TCPTL_TCPEXT_COUNTERS] = {
			[TCPTL_TCPEXT_OVERFLOWS] = "listen overflows",
			[TCPTL_TCPEXT_DROPS] = "listen drops",
			[TCPTL_TCPEXT_SYNCOOKIES] = "SYN cookies",
			[TCPTL_TCPEXT_REQQ_FULL] = "request queue full",
		};

		fputs(once ? "  namespace, in all:" : "  namespace, since start:", f);
		for (int i = 0; i < TCPTL_TCPEXT_COUNTERS; i++) {
			if (once)
				fprintf(f, "%s %s %" PRIu64, i ? "," : "", label[i], in->tcpext[i]);
			else
				fprintf(f, "%s %s %" PRIu64 " (%.1f/s)", i ? "," : "", label[i],
					in->tcpext_since[i], in->tcpext_rate[i]);
		}
		fputc('\n', f);
	}
	if (in->n_listeners)
		fprintf(f, "  %-28s %-8s %-16s %9s %8s %8s %9s %9s %9s\n", "LOCAL", "PID", "COMM",
			"QUEUE", "SYN_RECV", "ACCEPT/s", "WAIT p50", "WAIT p99", "OLDEST");
	for (unsigned int i = 0; i < in->n_listeners && i < rows; i++) {
		const struct tcptl_listener *l = &in->listeners[i];

		tcptl_format_endpoint(ep, sizeof(ep), l->local.family, &l->local.addr, l->local.port);
		snprintf(q, sizeof(q), "%u/%u", l->accept_queue, l->backlog);
		snprintf(pid, sizeof(pid), "%u", l->pid);
		seconds(p50, sizeof(p50), l->has_wait, l->wait_p50_s);
		seconds(p99, sizeof(p99), l->has_wait, l->wait_p99_s);
		seconds(old, sizeof(old), l->has_oldest, l->oldest_s);
		fprintf(f, "  %-28s %-8s %-16s %9s %8u %8.1f %9s %9s %9s\n", ep, l->pid ? pid : "-",
			l->pid ? l->comm : "-", q, l->syn_recv, l->accepts_per_s, p50, p99, old);
	}

	fprintf(f, "\nSYN_SENT %u: connects waiting for an answer; failed since start:", in->syn_sent);
	for (int k = 0; k < TCPTL_CONNFAIL_KINDS; k++)
		fprintf(f, " %s %" PRIu64, tcptl_connfail_names[k], in->failed[k]);
	fputc('\n', f);
	if (in->n_syn_remote)
		fprintf(f, "  %-28s %7s %9s %7s %-8s %-16s %s\n", "REMOTE", "COUNT", "OLDEST",
			"RETRANS", "PID", "COMM", "FAILED LAST INTERVAL");
	for (unsigned int i = 0; i < in->n_syn_remote && i < rows; i++) {
		const struct tcptl_syn_remote *r = &in->syn_remote[i];
		char failed[128] = "";
		size_t used = 0;

		if (r->remote.family)
			tcptl_format_endpoint(ep, sizeof(ep), r->remote.family, &r->remote.addr,
					      r->remote.port);
		else
			snprintf(ep, sizeof(ep), "(other remotes)");
		if (r->count)
			age(old, sizeof(old), r->oldest_s, r->oldest_known);
		else
			snprintf(old, sizeof(old), "-");
		snprintf(pid, sizeof(pid), "%u", r->pid);
		for (int k = 0; k < TCPTL_CONNFAIL_KINDS; k++)
			if (r->failed[k] && used < sizeof(failed))
				used += (size_t)snprintf(failed + used, sizeof(failed) - used, "%s%s %u",
							 used ? ", " : "", tcptl_connfail_names[k],
							 r->failed[k]);
		fprintf(f, "  %-28s %7u %9s %7u %-8s %-16s %s\n", ep, r->count, old, r->retrans,
			r->pid ? pid : "-", r->pid ? r->comm : "-", used ? failed : "-");
	}
	if (in->n_syn_proc) {
		fprintf(f, "  %-8s %-16s %7s %8s\n", "PID", "COMM", "COUNT", "REMOTES");
		for (unsigned int i = 0; i < in->n_syn_proc && i < rows; i++) {
			const struct tcptl_syn_proc *p = &in->syn_proc[i];

			snprintf(pid, sizeof(pid), "%u", p->pid);
			fprintf(f, "  %-8s %-16s %7u %8u\n", p->pid ? pid : "-", p->pid ? p->comm : "-",
				p->count, p->remotes);
		}
	}
}

static void text_view(struct topview *v, FILE *f)
{
	const struct tcptl_snapshot *s = &v->top.snap;
	unsigned int rows = v->o->rows;
	char spark[TCPTL_TOP_HISTORY * 3 + 1], a[32], l[64], r[64];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(a, sizeof(a), "%H:%M:%S", &tm);
	fprintf(f, "tcptimeline top  %s  netns %u  every %.1fs\n\n", a, v->top.netns, v->o->interval);
	fprintf(f, "%-12s %8s %9s  %s\n", "STATE", "NOW", "ENTERED/s", "HISTORY");
	for (unsigned int i = 0; i < sizeof(shown_states); i++) {
		uint8_t st = shown_states[i];

		sparkline(spark, sizeof(spark), s->history[st], s->history_len, v->utf8);
		fprintf(f, "%-12s %8u %9.1f  %s\n", tcptl_state_name(st), s->count[st], s->rate[st],
			spark);
	}

	fprintf(f, "\nCLOSE_WAIT %u: the peer closed, the owner has not (by process)\n",
		s->count[TCPTL_STATE_CLOSE_WAIT]);
	if (s->n_cw_groups) {
		fprintf(f, "  %-8s %-16s %7s %10s %10s\n", "PID", "COMM", "COUNT", "OLDEST", "UNREAD");
		for (unsigned int i = 0; i < s->n_cw_groups && i < rows; i++) {
			const struct tcptl_cw_group *g = &s->cw_groups[i];
			char pid[16];

			snprintf(pid, sizeof(pid), "%u", g->pid);
			age(a, sizeof(a), g->oldest_s, g->oldest_known);
			fprintf(f, "  %-8s %-16s %7u %10s %10" PRIu64 "\n", g->pid ? pid : "-",
				tcptl_cw_group_name(g), g->count, a, g->unread);
		}
		fprintf(f, "  oldest:\n");
		for (unsigned int i = 0; i < s->n_cw_socks && i < rows; i++) {
			const struct tcptl_cw_sock *c = &s->cw_socks[i];

			tcptl_format_endpoint(l, sizeof(l), c->sk.id.family, &c->sk.id.saddr, c->sk.id.sport);
			tcptl_format_endpoint(r, sizeof(r), c->sk.id.family, &c->sk.id.daddr, c->sk.id.dport);
			age(a, sizeof(a), c->age_s, c->age_known);
			fprintf(f, "  %-24s %-24s %-16s %9s  unread %u\n", l, r,
				c->pid ? c->comm : "-", a, c->unread);
		}
	}

	fprintf(f, "\nTIME_WAIT %u of %" PRIu64 " (tcp_max_tw_buckets, %.0f%%), entering %.1f/s, overflows %" PRIu64 " (%.1f/s)\n",
		s->count[TCPTL_STATE_TIME_WAIT], s->tw_max,
		s->tw_max ? 100.0 * s->count[TCPTL_STATE_TIME_WAIT] / (double)s->tw_max : 0,
		s->rate[TCPTL_STATE_TIME_WAIT], s->tw_overflows, s->tw_overflow_rate);
	if (s->n_tw_remote) {
		unsigned int range = s->port_hi >= s->port_lo ? s->port_hi - s->port_lo + 1 : 0;

		fprintf(f, "  %-32s %7s %9s  %s\n", "BY REMOTE", "COUNT", "ENTERED/s",
			"LOCAL PORTS IN USE (ephemeral range)");
		for (unsigned int i = 0; i < s->n_tw_remote && i < rows; i++) {
			const struct tcptl_tw_group *g = &s->tw_remote[i];

			tcptl_format_endpoint(r, sizeof(r), g->key.family, &g->key.addr, g->key.port);
			fprintf(f, "  %-32s %7u %9.1f  %u of %u (%.1f%%)\n", r, g->count, g->rate,
				g->in_use, range, range ? 100.0 * g->in_use / range : 0);
		}
		fprintf(f, "  %-32s %7s %9s\n", "BY LOCAL PORT", "COUNT", "ENTERED/s");
		for (unsigned int i = 0; i < s->n_tw_lport && i < rows; i++)
			fprintf(f, "  %-32u %7u %9.1f\n", s->tw_lport[i].key.port, s->tw_lport[i].count,
				s->tw_lport[i].rate);
	}
	text_inbound(f, &s->in, rows, v->o->once);
	if (v->alerts.count) {
		struct tcptl_alert *al, *tmp;

		fprintf(f, "\nALERTS\n");
		HASH_ITER(hh, v->alerts.firing, al, tmp)
			fprintf(f, "  %s: %s\n", al->key, al->text);
	}
}

static void json_seconds(FILE *f, const char *name, bool known, double v)
{
	if (known)
		fprintf(f, ",\"%s\":%.6f", name, v);
	else
		fprintf(f, ",\"%s\":null", name);
}

static void json_inbound(FILE *f, const struct tcptl_inbound_snap *in)
{
	static const char *const drops[TCPTL_TCPEXT_COUNTERS] = {
		[TCPTL_TCPEXT_OVERFLOWS] = "overflows",
		[TCPTL_TCPEXT_DROPS] = "drops",
		[TCPTL_TCPEXT_SYNCOOKIES] = "syncookies",
		[TCPTL_TCPEXT_REQQ_FULL] = "reqq_full",
	};
	char ep[64];

	fputs("\"listen\":[", f);
	for (unsigned int i = 0; i < in->n_listeners; i++) {
		const struct tcptl_listener *l = &in->listeners[i];

		tcptl_format_endpoint(ep, sizeof(ep), l->local.family, &l->local.addr, l->local.port);
		fprintf(f, "%s{\"local\":\"%s\",\"pid\":%u,\"comm\":", i ? "," : "", ep, l->pid);
		tcptl_json_string(f, l->comm);
		fprintf(f, ",\"accept_queue\":%u,\"backlog\":%u,\"syn_recv\":%u,\"accepts\":%u,\"accepts_per_s\":%.3f",
			l->accept_queue, l->backlog, l->syn_recv, l->accepts, l->accepts_per_s);
		json_seconds(f, "accept_wait_p50_s", l->has_wait, l->wait_p50_s);
		json_seconds(f, "accept_wait_p99_s", l->has_wait, l->wait_p99_s);
		json_seconds(f, "accept_queue_oldest_s", l->has_oldest, l->oldest_s);
		fputc('}', f);
	}
	fprintf(f, "],\"listen_omitted\":%u,\"listen_drops\":{", in->listeners_omitted);
	for (int i = 0; i < TCPTL_TCPEXT_COUNTERS; i++)
		fprintf(f, "%s\"%s\":%" PRIu64 ",\"%s_per_s\":%.3f,\"%s_total\":%" PRIu64,
			i ? "," : "", drops[i], in->tcpext_since[i], drops[i], in->tcpext_rate[i],
			drops[i], in->tcpext[i]);
	fprintf(f, ",\"available\":%s},\"syn_sent\":{\"count\":%u,\"by_remote\":[",
		in->tcpext_ok ? "true" : "false", in->syn_sent);
	for (unsigned int i = 0; i < in->n_syn_remote; i++) {
		const struct tcptl_syn_remote *r = &in->syn_remote[i];

		tcptl_format_endpoint(ep, sizeof(ep), r->remote.family, &r->remote.addr, r->remote.port);
		fprintf(f, "%s{\"remote\":\"%s\",\"count\":%u,\"oldest_s\":%.3f,\"oldest_known\":%s,\"retrans\":%u,\"pid\":%u,\"comm\":",
			i ? "," : "", r->remote.family ? ep : "other", r->count, r->oldest_s,
			r->oldest_known ? "true" : "false", r->retrans, r->pid);
		tcptl_json_string(f, r->comm);
		for (int k = 0; k < TCPTL_CONNFAIL_KINDS; k++)
			fprintf(f, ",\"failed_%s\":%u", tcptl_connfail_names[k], r->failed[k]);
		fputc('}', f);
	}
	fprintf(f, "],\"remotes_omitted\":%u,\"by_process\":[", in->syn_remote_omitted);
	for (unsigned int i = 0; i < in->n_syn_proc; i++) {
		const struct tcptl_syn_proc *p = &in->syn_proc[i];

		fprintf(f, "%s{\"pid\":%u,\"comm\":", i ? "," : "", p->pid);
		tcptl_json_string(f, p->comm);
		fprintf(f, ",\"count\":%u,\"remotes\":%u}", p->count, p->remotes);
	}
	fputs("],\"failed\":{", f);
	for (int k = 0; k < TCPTL_CONNFAIL_KINDS; k++)
		fprintf(f, "%s\"%s\":%" PRIu64, k ? "," : "", tcptl_connfail_names[k], in->failed[k]);
	fputs("}}", f);
}

static void json_view(struct topview *v, const struct tcptl_session *ses, FILE *f)
{
	const struct tcptl_snapshot *s = &v->top.snap;
	char l[64], r[64];

	fprintf(f, "{\"type\":\"top\",\"time_ns\":%" PRIu64 ",\"netns\":%u,\"interval_s\":%.3f,\"states\":{",
		s->time_ns, v->top.netns, s->interval_s);
	for (unsigned int i = 0; i < sizeof(shown_states); i++) {
		uint8_t st = shown_states[i];

		fprintf(f, "%s\"%s\":{\"count\":%u,\"entered_per_s\":%.3f,\"entered\":%" PRIu64 "}",
			i ? "," : "", tcptl_state_name(st), s->count[st], s->rate[st],
			ses->tally.entered[st]);
	}
	fprintf(f, "},\"close_wait\":{\"count\":%u,\"by_process\":[", s->count[TCPTL_STATE_CLOSE_WAIT]);
	for (unsigned int i = 0; i < s->n_cw_groups; i++) {
		const struct tcptl_cw_group *g = &s->cw_groups[i];

		fprintf(f, "%s{\"pid\":%u,\"comm\":", i ? "," : "", g->pid);
		tcptl_json_string(f, g->comm);
		fprintf(f, ",\"accepted\":%s,\"count\":%u,\"oldest_s\":%.3f,\"oldest_known\":%s,\"unread\":%" PRIu64 "}",
			g->accepted ? "true" : "false", g->count, g->oldest_s,
			g->oldest_known ? "true" : "false", g->unread);
	}
	fputs("],\"oldest\":[", f);
	for (unsigned int i = 0; i < s->n_cw_socks && i < v->o->rows; i++) {
		const struct tcptl_cw_sock *c = &s->cw_socks[i];

		tcptl_format_endpoint(l, sizeof(l), c->sk.id.family, &c->sk.id.saddr, c->sk.id.sport);
		tcptl_format_endpoint(r, sizeof(r), c->sk.id.family, &c->sk.id.daddr, c->sk.id.dport);
		fprintf(f, "%s{\"cookie\":%" PRIu64 ",\"local\":\"%s\",\"remote\":\"%s\",\"pid\":%u,\"comm\":",
			i ? "," : "", c->sk.id.cookie, l, r, c->pid);
		tcptl_json_string(f, c->comm);
		fprintf(f, ",\"age_s\":%.3f,\"age_known\":%s,\"unread\":%u}", c->age_s,
			c->age_known ? "true" : "false", c->unread);
	}
	fprintf(f, "]},\"time_wait\":{\"count\":%u,\"max\":%" PRIu64 ",\"entered_per_s\":%.3f"
		",\"overflows\":%" PRIu64 ",\"port_range\":[%u,%u],\"by_remote\":[",
		s->count[TCPTL_STATE_TIME_WAIT], s->tw_max, s->rate[TCPTL_STATE_TIME_WAIT],
		s->tw_overflows, s->port_lo, s->port_hi);
	for (unsigned int i = 0; i < s->n_tw_remote; i++) {
		const struct tcptl_tw_group *g = &s->tw_remote[i];

		tcptl_format_endpoint(r, sizeof(r), g->key.family, &g->key.addr, g->key.port);
		fprintf(f, "%s{\"remote\":\"%s\",\"count\":%u,\"entered_per_s\":%.3f,\"ports_in_use\":%u}",
			i ? "," : "", r, g->count, g->rate, g->in_use);
	}
	fputs("],\"by_local_port\":[", f);
	for (unsigned int i = 0; i < s->n_tw_lport; i++)
		fprintf(f, "%s{\"port\":%u,\"count\":%u,\"entered_per_s\":%.3f}", i ? "," : "",
			s->tw_lport[i].key.port, s->tw_lport[i].count, s->tw_lport[i].rate);
	fputs("]},", f);
	json_inbound(f, &s->in);
	fprintf(f, ",\"lost\":{\"module\":%" PRIu64 ",\"socket\":%" PRIu64 "}}\n",
		tcptl_session_lost_module(ses), tcptl_session_lost_socket(ses));
}

static void show(struct tcptl_session *ses, uint64_t now)
{
	struct topview *v = ses->mode;
	FILE *f = v->o->out.f;
	int err = tcptl_top_snapshot(&v->top, ses, now);

	if (err) {
		fprintf(stderr, "tcptimeline: listing sockets: %s\n", strerror(-err));
		v->err = err;
		tcptl_stop = 1;
		return;
	}
	if (v->redraw)
		fputs("\033[H\033[2J", f);
	else if (v->shown && !v->o->out.json && !v->o->alerts_only)
		fputc('\n', f);
	/* Alert lines first: on a terminal they are also kept on screen. */
	tcptl_alerts_eval(&v->alerts, v->o, &v->top.snap, v->redraw ? stderr : f, v->o->out.json);
	if (v->o->out.json && !v->o->alerts_only)
		json_view(v, ses, f);
	else if (!v->o->alerts_only)
		text_view(v, f);
	fflush(f);
	v->shown++;
	if (v->o->once)
		tcptl_stop = 1;
}

static void on_tick(struct tcptl_session *ses, uint64_t now)
{
	struct topview *v = ses->mode;

	if (now < v->next_ns)
		return;
	v->next_ns = now + v->interval_ns;
	show(ses, now);
}

static const struct tcptl_session_ops top_ops = {
	.record = tcptl_top_on_record,
	.tick = on_tick,
	.extra_fd = -1,
};

static bool utf8_locale(void)
{
	const char *vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };

	for (unsigned int i = 0; i < 3; i++) {
		const char *s = getenv(vars[i]);

		if (s && *s)
			return strstr(s, "UTF-8") || strstr(s, "utf8");
	}
	return false;
}

int tcptl_cmd_top(struct tcptl_options *o)
{
	static struct tcptl_session s;
	struct topview v = { .o = o };
	int code;

	if (!o->interval)
		o->interval = 1;
	v.interval_ns = (uint64_t)(o->interval * 1e9);
	v.redraw = !o->once && !o->out.json && !o->alerts_only && isatty(fileno(o->out.f));
	v.utf8 = isatty(fileno(o->out.f)) && utf8_locale();
	s.ops = &top_ops;
	s.mode = &v;
	code = tcptl_top_open(&v.top, &s, o);
	if (code)
		goto out;
	/* Rates need a first interval: the first snapshot comes one interval in,
	 * or at once with --once (counts and ages only then). */
	v.next_ns = o->once ? 0 : tcptl_now_ns() + v.interval_ns;
	code = tcptl_top_run(&s, o);
	if (v.err)
		code = TCPTL_EXIT_RUNTIME;
out:
	tcptl_session_close(&s);
	tcptl_top_free(&v.top);
	tcptl_alerts_free(&v.alerts);
	return code;
}
