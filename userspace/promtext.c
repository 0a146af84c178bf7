// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stddef.h>

#include "output.h"
#include "promtext.h"
#include "tcp_timeline.h"

/* Histogram bounds: 2^10 ns (about 1 us) to 2^36 ns (about 69 s). */
#define LE_FIRST 10
#define LE_LAST 36

static void head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Label values escaped as the format wants: backslash, quote, newline. */
static void label(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void histogram(FILE *f, const char *name, const char *lname, const char *lvalue,
		      const struct tcptl_hist *h)
{
	uint64_t cum = 0;
	unsigned int i = 0;

	for (unsigned int le = LE_FIRST; le <= LE_LAST; le++) {
		/* Bucket i holds values below 2^(i+1) ns. */
		for (; i + 1 <= le; i++)
			cum += h->bucket[i];
		fprintf(f, "%s_bucket{", name);
		if (lname)
			fprintf(f, "%s=\"%s\",", lname, lvalue);
		fprintf(f, "le=\"%.12g\"} %" PRIu64 "\n", (double)(1ull << le) / 1e9, cum);
	}
	fprintf(f, "%s_bucket{", name);
	if (lname)
		fprintf(f, "%s=\"%s\",", lname, lvalue);
	fprintf(f, "le=\"+Inf\"} %" PRIu64 "\n", h->count);
	fprintf(f, "%s_sum", name);
	if (lname)
		fprintf(f, "{%s=\"%s\"}", lname, lvalue);
	fprintf(f, " %.9f\n%s_count", (double)h->sum_ns / 1e9, name);
	if (lname)
		fprintf(f, "{%s=\"%s\"}", lname, lvalue);
	fprintf(f, " %" PRIu64 "\n", h->count);
}

static void endpoint_label(FILE *f, const char *name, const struct tcptl_endpoint *e)
{
	char ep[64] = "other";

	if (e->family)
		tcptl_format_endpoint(ep, sizeof(ep), e->family, &e->addr, e->port);
	fprintf(f, "%s=", name);
	label(f, ep);
}

/* One series per listener: accept queue, backlog or SYN_RECV. */
static void listen_gauge(FILE *f, const struct tcptl_inbound_snap *in, const char *name,
			 const char *help, size_t off)
{
	head(f, name, "gauge", help);
	for (unsigned int i = 0; i < in->n_listeners; i++) {
		const struct tcptl_listener *l = &in->listeners[i];

		fprintf(f, "%s{", name);
		endpoint_label(f, "local", &l->local);
		fprintf(f, ",pid=\"%u\",comm=", l->pid);
		label(f, l->pid ? l->comm : "(no process)");
		fprintf(f, "} %u\n", *(const uint32_t *)((const char *)l + off));
	}
}

static void syn_gauge(FILE *f, const struct tcptl_inbound_snap *in, const char *name,
		      const char *help, bool oldest, bool retrans)
{
	head(f, name, "gauge", help);
	for (unsigned int i = 0; i < in->n_syn_remote; i++) {
		const struct tcptl_syn_remote *r = &in->syn_remote[i];

		if (!r->count)
			continue;
		fprintf(f, "%s{", name);
		endpoint_label(f, "remote", &r->remote);
		if (oldest)
			fprintf(f, "} %.3f\n", r->oldest_s);
		else
			fprintf(f, "} %u\n", retrans ? r->retrans : r->count);
	}
}

static void inbound(FILE *f, const struct tcptl_inbound_snap *in)
{
	static const struct { const char *name, *help; } tcpext[TCPTL_TCPEXT_COUNTERS] = {
		[TCPTL_TCPEXT_OVERFLOWS] = { "tcptimeline_listen_overflows_total",
			"Connections a full accept queue turned away (TcpExt ListenOverflows; per namespace)." },
		[TCPTL_TCPEXT_DROPS] = { "tcptimeline_listen_drops_total",
			"Connections dropped at a listener for any reason (TcpExt ListenDrops; per namespace)." },
		[TCPTL_TCPEXT_SYNCOOKIES] = { "tcptimeline_syncookies_sent_total",
			"SYN cookies sent: a SYN queue was full (TcpExt SyncookiesSent; per namespace)." },
		[TCPTL_TCPEXT_REQQ_FULL] = { "tcptimeline_request_queue_full_drops_total",
			"SYNs dropped on a full SYN queue without cookies (TcpExt TCPReqQFullDrop; per namespace)." },
	};

	listen_gauge(f, in, "tcptimeline_listen_accept_queue",
		     "Connections established and waiting for accept(), per listener.",
		     offsetof(struct tcptl_listener, accept_queue));
	listen_gauge(f, in, "tcptimeline_listen_backlog",
		     "A listener's listen() backlog (its accept queue holds one more).",
		     offsetof(struct tcptl_listener, backlog));
	listen_gauge(f, in, "tcptimeline_listen_syn_recv",
		     "Requests in SYN_RECV (half-open) per listener.",
		     offsetof(struct tcptl_listener, syn_recv));
	head(f, "tcptimeline_listen_listeners_omitted", "gauge",
	     "Listeners left out of the per-listener series (the fullest are kept).");
	fprintf(f, "tcptimeline_listen_listeners_omitted %u\n", in->listeners_omitted);
	if (in->tcpext_ok)
		for (int i = 0; i < TCPTL_TCPEXT_COUNTERS; i++) {
			head(f, tcpext[i].name, "counter", tcpext[i].help);
			fprintf(f, "%s %" PRIu64 "\n", tcpext[i].name, in->tcpext[i]);
		}
	syn_gauge(f, in, "tcptimeline_syn_sent_sockets",
		  "Connects waiting in SYN_SENT, per remote endpoint.", false, false);
	syn_gauge(f, in, "tcptimeline_syn_sent_oldest_seconds",
		  "Age of the oldest connect waiting in SYN_SENT, per remote endpoint (at least, if it predates the reader).",
		  true, false);
	syn_gauge(f, in, "tcptimeline_syn_sent_retransmits",
		  "SYN retransmissions of the connects waiting now, per remote endpoint.", false, true);
	head(f, "tcptimeline_syn_sent_remotes_omitted", "gauge",
	     "Remote endpoints left out of the SYN_SENT series (those with most are kept).");
	fprintf(f, "tcptimeline_syn_sent_remotes_omitted %u\n", in->syn_remote_omitted);
	head(f, "tcptimeline_connect_failures_total", "counter",
	     "Connects that ended in SYN_SENT, by remote endpoint and cause, since the reader started (remote=\"other\": beyond the endpoints counted one by one).");
	for (unsigned int i = 0; i < in->n_fail_totals; i++) {
		const struct tcptl_fail_total *t = &in->fail_totals[i];

		for (int k = 0; k < TCPTL_CONNFAIL_KINDS; k++) {
			if (!t->n[k])
				continue;
			fputs("tcptimeline_connect_failures_total{", f);
			endpoint_label(f, "remote", &t->remote);
			fprintf(f, ",reason=\"%s\"} %" PRIu64 "\n", tcptl_connfail_names[k], t->n[k]);
		}
	}
}

/* One series per CLOSE_WAIT group: its count, or its oldest age. */
static void cw_gauge(FILE *f, const struct tcptl_snapshot *s, const char *name,
		     const char *help, bool oldest)
{
	head(f, name, "gauge", help);
	for (unsigned int i = 0; i < s->n_cw_groups; i++) {
		const struct tcptl_cw_group *g = &s->cw_groups[i];

		fprintf(f, "%s{pid=\"%u\",comm=", name, g->pid);
		label(f, tcptl_cw_group_name(g));
		if (oldest)
			fprintf(f, "} %.3f\n", g->oldest_s);
		else
			fprintf(f, "} %u\n", g->count);
	}
}

static void sockets(FILE *f, const struct tcptl_snapshot *s)
{
	head(f, "tcptimeline_sockets", "gauge", "TCP sockets per state in the namespace, now (inet_diag).");
	for (unsigned int st = 1; st < TCPTL_STATE_NEW_SYN_RECV; st++)
		fprintf(f, "tcptimeline_sockets{state=\"%s\"} %u\n", tcptl_state_name(st), s->count[st]);
	cw_gauge(f, s, "tcptimeline_close_wait_sockets",
		 "CLOSE_WAIT sockets per owning process.", false);
	cw_gauge(f, s, "tcptimeline_close_wait_oldest_seconds",
		 "Age of the oldest CLOSE_WAIT socket per owning process (at least, if it predates the reader).",
		 true);
	head(f, "tcptimeline_time_wait_max", "gauge", "net.ipv4.tcp_max_tw_buckets.");
	fprintf(f, "tcptimeline_time_wait_max %" PRIu64 "\n", s->tw_max);
	head(f, "tcptimeline_ephemeral_ports", "gauge", "Size of net.ipv4.ip_local_port_range.");
	fprintf(f, "tcptimeline_ephemeral_ports %u\n",
		s->port_hi >= s->port_lo ? s->port_hi - s->port_lo + 1 : 0);
	head(f, "tcptimeline_time_wait_ports_in_use_max", "gauge",
	     "Most ephemeral local ports in use towards one remote endpoint that has TIME_WAIT sockets.");
	fprintf(f, "tcptimeline_time_wait_ports_in_use_max %u\n",
		s->n_tw_remote ? s->tw_remote[0].in_use : 0);
	inbound(f, &s->in);
}

static void tally(FILE *f, const struct tcptl_tally *t)
{
	head(f, "tcptimeline_transitions_total", "counter",
	     "State transitions since the reader started.");
	for (unsigned int a = 1; a <= TCPTL_STATE_MAX; a++)
		for (unsigned int b = 1; b <= TCPTL_STATE_MAX; b++)
			if (t->transitions[a][b])
				fprintf(f, "tcptimeline_transitions_total{from=\"%s\",to=\"%s\"} %" PRIu64 "\n",
					tcptl_state_name(a), tcptl_state_name(b), t->transitions[a][b]);
	head(f, "tcptimeline_state_duration_seconds", "histogram",
	     "Time connections spent in a state, counted when they leave it.");
	for (unsigned int st = 1; st <= TCPTL_STATE_MAX; st++)
		if (t->in_state[st].count)
			histogram(f, "tcptimeline_state_duration_seconds", "state",
				  tcptl_state_name(st), &t->in_state[st]);
	head(f, "tcptimeline_connect_latency_seconds", "histogram",
	     "Active opens, SYN_SENT to ESTABLISHED.");
	histogram(f, "tcptimeline_connect_latency_seconds", NULL, NULL, &t->connect);
	head(f, "tcptimeline_accept_wait_seconds", "histogram",
	     "Passive opens, ESTABLISHED to accept(): time in the accept queue.");
	histogram(f, "tcptimeline_accept_wait_seconds", NULL, NULL, &t->accept_wait);
	head(f, "tcptimeline_time_wait_ended_total", "counter", "TIME_WAIT sockets ended, by reason.");
	for (unsigned int r = 1; r <= TCPTL_TW_REASON_MAX; r++)
		fprintf(f, "tcptimeline_time_wait_ended_total{reason=\"%s\"} %" PRIu64 "\n",
			tcptl_tw_reason_name(r), t->tw_end[r]);
	head(f, "tcptimeline_time_wait_overflows_total", "counter",
	     "Connections that skipped TIME_WAIT because tcp_max_tw_buckets was reached.");
	fprintf(f, "tcptimeline_time_wait_overflows_total %" PRIu64 "\n",
		t->by_type[TCPTL_EVENT_TW_OVERFLOW]);
	head(f, "tcptimeline_resets_total", "counter", "RST segments sent and received.");
	fprintf(f, "tcptimeline_resets_total{direction=\"sent\"} %" PRIu64 "\n",
		t->by_type[TCPTL_EVENT_RESET_SENT]);
	fprintf(f, "tcptimeline_resets_total{direction=\"received\"} %" PRIu64 "\n",
		t->by_type[TCPTL_EVENT_RESET_RECEIVED]);
}

static void module(FILE *f, const struct tcptl_stats *m)
{
	static const struct { const char *name, *help; size_t off; } counters[] = {
#define C(n, h) { "tcptimeline_module_" #n "_total", h, offsetof(struct tcptl_stats, n) }
		C(seen, "Hook calls the module saw."),
		C(filtered, "Records the module's filter dropped."),
		C(no_listener, "Records not made because no reader was subscribed."),
		C(produced, "Records made."),
		C(lost, "Records lost in the module's buffers (full)."),
		C(delivered, "Records sent to the events group."),
		C(delivery_failed, "Records whose message could not be sent."),
		C(unclaimed, "Records made, but no reader was left when they were flushed."),
		C(messages, "Netlink messages sent."),
		C(probe_missed, "Return probes (accept, TIME_WAIT) that found no free instance."),
#undef C
	};

	for (unsigned int i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		head(f, counters[i].name, "counter", counters[i].help);
		fprintf(f, "%s %" PRIu64 "\n", counters[i].name,
			*(const uint64_t *)((const char *)m + counters[i].off));
	}
	head(f, "tcptimeline_module_memory_bytes", "gauge", "Memory the module's buffers take.");
	fprintf(f, "tcptimeline_module_memory_bytes %" PRIu64 "\n", m->memory_bytes);
	head(f, "tcptimeline_module_buffer_size", "gauge", "Records per CPU buffer.");
	fprintf(f, "tcptimeline_module_buffer_size %u\n", m->buffer_size);
	head(f, "tcptimeline_module_hooks_missing", "gauge",
	     "Hooks this kernel lacks (bit mask; 0: complete).");
	fprintf(f, "tcptimeline_module_hooks_missing %u\n", m->hooks_missing);
}

void tcptl_prom_write(FILE *f, const struct tcptl_prom_input *in)
{
	if (in->snap)
		sockets(f, in->snap);
	tally(f, in->tally);
	head(f, "tcptimeline_records_lost_total", "counter",
	     "Records this reader did not get: in the module's buffers, or on its socket.");
	fprintf(f, "tcptimeline_records_lost_total{where=\"module\"} %" PRIu64 "\n", in->lost_module);
	fprintf(f, "tcptimeline_records_lost_total{where=\"socket\"} %" PRIu64 "\n", in->lost_socket);
	head(f, "tcptimeline_connections_tracked", "gauge", "Connections the reader holds.");
	fprintf(f, "tcptimeline_connections_tracked %" PRIu64 "\n", in->tracked);
	head(f, "tcptimeline_connections_evicted_total", "counter",
	     "Connections dropped from the reader's table to bound its memory.");
	fprintf(f, "tcptimeline_connections_evicted_total %" PRIu64 "\n", in->evicted);
	if (in->module)
		module(f, in->module);
}
