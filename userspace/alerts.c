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
