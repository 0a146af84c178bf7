// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts.h"
#include "output.h"

struct eval {
	struct tcptl_alerts *a;
	FILE *f;
	bool json;
};

static void stamp(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void emit(struct eval *e, const char *status, const struct tcptl_alert *al)
{
	char when[32];

	stamp(when, sizeof(when));
	if (e->json) {
		fprintf(e->f, "{\"type\":\"alert\",\"time\":\"%s\",\"status\":\"%s\",\"alert\":", when,
			status);
		tcptl_json_string(e->f, al->key);
		fputs(",\"text\":", e->f);
		tcptl_json_string(e->f, al->text);
		fputs("}\n", e->f);
	} else {
		fprintf(e->f, "%s tcptimeline ALERT %s %s: %s\n", when, status, al->key, al->text);
	}
}

static void raise_alert(struct eval *e, const char *key, const char *text)
{
	struct tcptl_alert *al;

	HASH_FIND_STR(e->a->firing, key, al);
	if (!al) {
		al = calloc(1, sizeof(*al));
		if (!al)
			return;
		snprintf(al->key, sizeof(al->key), "%s", key);
		snprintf(al->text, sizeof(al->text), "%s", text);
		HASH_ADD_STR(e->a->firing, key, al);
		e->a->count++;
		emit(e, "firing", al);
	}
	snprintf(al->text, sizeof(al->text), "%s", text);
	al->seen = true;
}

static void endpoint_name(char *buf, size_t len, const struct tcptl_endpoint *e)
{
	if (e->family)
		tcptl_format_endpoint(buf, len, e->family, &e->addr, e->port);
	else
		snprintf(buf, len, "other");
}

/* The buildup on the way in: listeners, SYN_SENT, connect failures. */
static void inbound(struct eval *e, const struct tcptl_options *o,
		    const struct tcptl_inbound_snap *in, double secs)
{
	char key[96], text[256], ep[64];

	for (unsigned int i = 0; o->warn_accept_queue > 0 && i < in->n_listeners; i++) {
		const struct tcptl_listener *l = &in->listeners[i];
		double pct = 100.0 * l->accept_queue / (l->backlog ? l->backlog : 1);

		if (!l->accept_queue || pct < o->warn_accept_queue)
			continue;
		endpoint_name(ep, sizeof(ep), &l->local);
		snprintf(key, sizeof(key), "accept_queue local=%s", ep);
		snprintf(text, sizeof(text), "%s (pid %u) listening on %s has %u of %u connections waiting for accept() (%.0f%%, limit %.0f%%), %u SYN_RECV requests",
			 l->pid ? l->comm : "(no process)", l->pid, ep, l->accept_queue, l->backlog,
			 pct, o->warn_accept_queue, l->syn_recv);
		raise_alert(e, key, text);
	}
	if (o->warn_listen_overflows > 0 && in->tcpext_ok &&
	    in->tcpext_rate[TCPTL_TCPEXT_OVERFLOWS] > o->warn_listen_overflows) {
		snprintf(text, sizeof(text), "%.1f listen overflows per second (limit %.1f): an accept queue is full; %" PRIu64 " since start, %" PRIu64 " listen drops",
			 in->tcpext_rate[TCPTL_TCPEXT_OVERFLOWS], o->warn_listen_overflows,
			 in->tcpext_since[TCPTL_TCPEXT_OVERFLOWS], in->tcpext_since[TCPTL_TCPEXT_DROPS]);
		raise_alert(e, "listen_overflows", text);
	}
	for (unsigned int i = 0; i < in->n_syn_remote; i++) {
		const struct tcptl_syn_remote *r = &in->syn_remote[i];
		uint32_t failed = 0;

		endpoint_name(ep, sizeof(ep), &r->remote);
		if (o->warn_syn_sent && r->count > o->warn_syn_sent) {
			snprintf(key, sizeof(key), "syn_sent remote=%s", ep);
			snprintf(text, sizeof(text), "%u connects waiting on %s (limit %" PRIu64 "), oldest %s%.1f s, %u SYN retransmissions, by %s (pid %u)",
				 r->count, ep, o->warn_syn_sent, r->oldest_known ? "" : "over ",
				 r->oldest_s, r->retrans, r->pid ? r->comm : "(unknown)", r->pid);
			raise_alert(e, key, text);
		}
		if (o->warn_syn_sent_age > 0 && r->count && r->oldest_s >= o->warn_syn_sent_age) {
			snprintf(key, sizeof(key), "syn_sent_age remote=%s", ep);
			snprintf(text, sizeof(text), "a connect to %s has waited %s%.1f s (limit %.1f s), %u waiting, by %s (pid %u)",
				 ep, r->oldest_known ? "" : "over ", r->oldest_s, o->warn_syn_sent_age,
				 r->count, r->pid ? r->comm : "(unknown)", r->pid);
			raise_alert(e, key, text);
		}
		for (int k = 0; k < TCPTL_CONNFAIL_KINDS; k++)
			failed += r->failed[k];
		if (o->warn_connect_failures > 0 && secs > 0 &&
		    failed / secs > o->warn_connect_failures) {
			snprintf(key, sizeof(key), "connect_failures remote=%s", ep);
			snprintf(text, sizeof(text), "%.1f failed connects per second to %s (limit %.1f): refused %u, timeout %u, unreachable %u, no_port %u, aborted %u",
				 failed / secs, ep, o->warn_connect_failures,
				 r->failed[TCPTL_CONNFAIL_REFUSED], r->failed[TCPTL_CONNFAIL_TIMEOUT],
				 r->failed[TCPTL_CONNFAIL_UNREACHABLE], r->failed[TCPTL_CONNFAIL_NO_PORT],
				 r->failed[TCPTL_CONNFAIL_ABORTED]);
			raise_alert(e, key, text);
		}
	}
}

void tcptl_alerts_eval(struct tcptl_alerts *a, const struct tcptl_options *o,
		       const struct tcptl_snapshot *snap, FILE *f, bool json)
{
	struct eval e = { .a = a, .f = f, .json = json };
	struct tcptl_alert *al, *tmp;
	char key[96], text[256];

	HASH_ITER(hh, a->firing, al, tmp)
		al->seen = false;

	if (o->warn_close_wait_age > 0) {
		for (unsigned int i = 0; i < snap->n_cw_groups; i++) {
			const struct tcptl_cw_group *g = &snap->cw_groups[i];

			if (g->oldest_s < o->warn_close_wait_age)
				continue;
			/* pid 0 stands for two groups: held by no process, or
			 * still in a listener's queue. */
			snprintf(key, sizeof(key), "close_wait_age pid=%u%s", g->pid,
				 g->accepted ? "" : " not-accepted");
			snprintf(text, sizeof(text), "%s (pid %u) holds %u CLOSE_WAIT sockets, oldest %s%.1f s (limit %.1f s), %" PRIu64 " bytes unread",
				 tcptl_cw_group_name(g), g->pid, g->count,
				 g->oldest_known ? "" : "over ", g->oldest_s, o->warn_close_wait_age,
				 g->unread);
			raise_alert(&e, key, text);
		}
	}
	if (o->warn_close_wait && snap->count[TCPTL_STATE_CLOSE_WAIT] > o->warn_close_wait) {
		snprintf(text, sizeof(text), "%u CLOSE_WAIT sockets (limit %" PRIu64 ")",
			 snap->count[TCPTL_STATE_CLOSE_WAIT], o->warn_close_wait);
		raise_alert(&e, "close_wait", text);
	}
	if (o->warn_time_wait && snap->count[TCPTL_STATE_TIME_WAIT] > o->warn_time_wait) {
		snprintf(text, sizeof(text), "%u TIME_WAIT sockets (limit %" PRIu64 ", tcp_max_tw_buckets %" PRIu64 ")",
			 snap->count[TCPTL_STATE_TIME_WAIT], o->warn_time_wait, snap->tw_max);
		raise_alert(&e, "time_wait", text);
	}
	if (o->warn_tw_ports > 0 && snap->port_hi >= snap->port_lo) {
		double range = snap->port_hi - snap->port_lo + 1;

		for (unsigned int i = 0; i < snap->n_tw_remote; i++) {
			const struct tcptl_tw_group *g = &snap->tw_remote[i];
			double pct = 100.0 * g->in_use / range;
			char ep[64];

			if (pct <= o->warn_tw_ports)
				continue;
			tcptl_format_endpoint(ep, sizeof(ep), g->key.family, &g->key.addr, g->key.port);
			snprintf(key, sizeof(key), "tw_ports remote=%s", ep);
			snprintf(text, sizeof(text), "%u local ports of %.0f in use towards %s (%.1f%%, limit %.1f%%), %u in TIME_WAIT",
				 g->in_use, range, ep, pct, o->warn_tw_ports, g->count);
			raise_alert(&e, key, text);
		}
	}
	inbound(&e, o, &snap->in, snap->interval_s);
	HASH_ITER(hh, a->firing, al, tmp) {
		if (al->seen)
			continue;
		emit(&e, "resolved", al);
		HASH_DEL(a->firing, al);
		a->count--;
		free(al);
	}
}

void tcptl_alerts_free(struct tcptl_alerts *a)
{
	struct tcptl_alert *al, *tmp;

	HASH_ITER(hh, a->firing, al, tmp) {
		HASH_DEL(a->firing, al);
		free(al);
	}
	a->count = 0;
}
