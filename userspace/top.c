// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netns.h"
#include "options.h"
#include "procfd.h"
#include "top.h"
#include "tcp_timeline.h"

int tcptl_top_init(struct tcptl_top *t, const struct tcptl_rfilter *filter, uint32_t netns)
{
	int saved = -1, err = 0;

	memset(t, 0, sizeof(*t));
	t->inited = true;
	t->filter = filter;
	t->sock_filter = *filter;
	t->sock_filter.has_pid = false;
	t->sock_filter.comm = NULL;
	t->netns = netns ? netns : tcptl_own_netns();
	t->max_tw_fd = t->port_range_fd = -1;
	if (netns && netns != tcptl_own_netns()) {
		saved = tcptl_netns_enter(netns);
		if (saved < 0)
			return saved;
	}
	t->diag = tcptl_sockdiag_open();
	if (!t->diag)
		err = -errno;
	/* Per-namespace sysctls: the namespace is bound when the file opens. */
	t->max_tw_fd = open("/proc/sys/net/ipv4/tcp_max_tw_buckets", O_RDONLY | O_CLOEXEC);
	t->port_range_fd = open("/proc/sys/net/ipv4/ip_local_port_range", O_RDONLY | O_CLOEXEC);
	tcptl_inbound_init(&t->inbound);
	if (saved >= 0 && tcptl_netns_leave(saved) && !err)
		err = -errno;
	return err;
}

int tcptl_top_open(struct tcptl_top *t, struct tcptl_session *s, struct tcptl_options *o)
{
	int err = tcptl_top_init(t, &o->filter, o->filter.has_netns ? o->filter.netns : 0);

	if (err) {
		fprintf(stderr, "tcptimeline: network namespace %u: %s\n",
			o->filter.has_netns ? o->filter.netns : tcptl_own_netns(), strerror(-err));
		return TCPTL_EXIT_RUNTIME;
	}
	/* Counters, rates and gauges describe the namespace shown. */
	t->sock_filter.has_netns = true;
	t->sock_filter.netns = t->netns;
	s->tally_filter = &t->sock_filter;
	err = tcptl_session_open(s, (unsigned int)o->max_conns);
	if (!err)
		err = tcptl_session_subscribe(s);
	return err ? tcptl_fail_nl(err, "joining the events group", s->req.errmsg) : 0;
}

void tcptl_top_on_record(struct tcptl_session *s, struct tcptl_event *ev, struct tcptl_conn *c)
{
	(void)c;
	tcptl_top_record(s->mode, ev);
}

int tcptl_top_run(struct tcptl_session *s, const struct tcptl_options *o)
{
	int code = TCPTL_EXIT_OK;

	if (tcptl_session_run(s, &tcptl_stop,
			      o->duration > 0 ? tcptl_now_ns() + (uint64_t)(o->duration * 1e9) : 0))
		code = TCPTL_EXIT_RUNTIME;
	if (s->unloaded) {
		fprintf(stderr, "tcptimeline: the tcp_timeline module was unloaded\n");
		code = TCPTL_EXIT_UNLOADED;
	}
	return code;
}

const char *tcptl_cw_group_name(const struct tcptl_cw_group *g)
{
	if (g->pid)
		return g->comm;
	return g->accepted ? "(no process)" : "(not accepted)";
}

static void free_rates(struct tcptl_tw_rate **h)
{
	struct tcptl_tw_rate *r, *tmp;

	HASH_ITER(hh, *h, r, tmp) {
		HASH_DEL(*h, r);
		free(r);
	}
}

static void free_snapshot(struct tcptl_snapshot *s)
{
	free(s->cw_groups);
	free(s->cw_socks);
	free(s->tw_remote);
	free(s->tw_lport);
	tcptl_inbound_snap_free(&s->in);
	s->cw_groups = NULL;
	s->cw_socks = NULL;
	s->tw_remote = s->tw_lport = NULL;
	s->n_cw_groups = s->n_cw_socks = s->n_tw_remote = s->n_tw_lport = 0;
}

void tcptl_top_free(struct tcptl_top *t)
{
	if (!t->inited)
		return;
	t->inited = false;
	tcptl_sockdiag_close(t->diag);
	if (t->max_tw_fd >= 0)
		close(t->max_tw_fd);
	if (t->port_range_fd >= 0)
		close(t->port_range_fd);
	free_rates(&t->tw_by_remote);
	free_rates(&t->tw_by_lport);
	tcptl_inbound_free(&t->inbound);
	free_snapshot(&t->snap);
}

static void bump(struct tcptl_tw_rate **h, const struct tcptl_tw_key *k)
{
	struct tcptl_tw_rate *r;

	HASH_FIND(hh, *h, k, sizeof(*k), r);
	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return;
		r->key = *k;
		HASH_ADD(hh, *h, key, sizeof(r->key), r);
	}
	r->entered++;
}

static void remote_key(struct tcptl_tw_key *k, const struct tcptl_event *ev)
{
	memset(k, 0, sizeof(*k));
	k->family = ev->family;
	memcpy(&k->addr, &ev->daddr, ev->family == AF_INET6 ? 16 : 4);
	k->port = ev->dport;
}

static void lport_key(struct tcptl_tw_key *k, const struct tcptl_event *ev)
{
	memset(k, 0, sizeof(*k));
	k->port = ev->sport;
}

void tcptl_top_record(struct tcptl_top *t, const struct tcptl_event *ev)
{
	struct tcptl_tw_key k;

	if (ev->netns != t->netns || ev->superseded ||
	    !tcptl_rfilter_match(&t->sock_filter, ev, false, 0, NULL))
		return;
	tcptl_inbound_record(&t->inbound, ev);
	if (ev->type != TCPTL_EVENT_STATE || ev->newstate != TCPTL_STATE_TIME_WAIT)
		return;
	remote_key(&k, ev);
	bump(&t->tw_by_remote, &k);
	lport_key(&k, ev);
	bump(&t->tw_by_lport, &k);
}

static uint64_t read_sysctl(int fd, uint64_t *second)
{
	char buf[64];
	unsigned long long a = 0, b = 0;
	ssize_t n = fd < 0 ? -1 : pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (sscanf(buf, "%llu %llu", &a, &b) < 1)
		return 0;
	if (second)
		*second = b;
	return a;
}

/* What the dump callback collects. */
struct collect {
	struct tcptl_top *t;
	const struct tcptl_session *s;
	struct tcptl_owners owners;
	struct tcptl_snapshot *snap;
	struct tcptl_sock *all;
	size_t n, cap;
};

static void collect_one(const struct tcptl_sock *sk, void *arg)
{
	struct collect *x = arg;

	if (!tcptl_rfilter_match(&x->t->sock_filter, &sk->id, false, 0, NULL))
		return;
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 256;
		struct tcptl_sock *all = realloc(x->all, cap * sizeof(*all));

		if (!all)
			return;
		x->all = all;
		x->cap = cap;
	}
	x->all[x->n++] = *sk;
}

/* Groups live in an array (sorted for display later); a hash of their keys
 * finds one in constant time: a server's TIME_WAITs come from as many
 * remote endpoints as it had clients. */
struct group_slot {
	struct tcptl_tw_key key;
	unsigned int idx;
	UT_hash_handle hh;
};

struct group_set {
	struct tcptl_tw_group **g;
	unsigned int *n;
	size_t cap;
	struct group_slot *slots;
};

static struct tcptl_tw_group *group_find(struct group_set *s, const struct tcptl_tw_key *k)
{
	struct group_slot *slot;

	HASH_FIND(hh, s->slots, k, sizeof(*k), slot);
	return slot ? &(*s->g)[slot->idx] : NULL;
}

static struct tcptl_tw_group *group_get(struct group_set *s, const struct tcptl_tw_key *k)
{
	struct tcptl_tw_group *found = group_find(s, k);
	struct group_slot *slot;

	if (found)
		return found;
	if (*s->n == s->cap) {
		size_t c = s->cap ? s->cap * 2 : 64;
		struct tcptl_tw_group *ng = realloc(*s->g, c * sizeof(*ng));

		if (!ng)
			return NULL;
		*s->g = ng;
		s->cap = c;
	}
	slot = calloc(1, sizeof(*slot));
	if (!slot)
		return NULL;
	slot->key = *k;
	slot->idx = (*s->n)++;
	HASH_ADD(hh, s->slots, key, sizeof(slot->key), slot);
	memset(&(*s->g)[slot->idx], 0, sizeof((*s->g)[slot->idx]));
	(*s->g)[slot->idx].key = *k;
	return &(*s->g)[slot->idx];
}

static void group_set_free(struct group_set *s)
{
	struct group_slot *slot, *tmp;

	HASH_ITER(hh, s->slots, slot, tmp) {
		HASH_DEL(s->slots, slot);
		free(slot);
	}
}

static int by_count_desc(const void *a, const void *b)
{
	const struct tcptl_tw_group *x = a, *y = b;

	return x->count != y->count ? (x->count < y->count ? 1 : -1) :
	       x->in_use != y->in_use ? (x->in_use < y->in_use ? 1 : -1) : 0;
}

static int by_age_desc(const void *a, const void *b)
{
	const struct tcptl_cw_sock *x = a, *y = b;

	return x->age_s != y->age_s ? (x->age_s < y->age_s ? 1 : -1) : 0;
}

static int groups_by_count(const void *a, const void *b)
{
	const struct tcptl_cw_group *x = a, *y = b;

	return x->count != y->count ? (x->count < y->count ? 1 : -1) :
	       x->oldest_s != y->oldest_s ? (x->oldest_s < y->oldest_s ? 1 : -1) : 0;
}

static void close_wait(struct collect *x, uint64_t now)
{
	struct tcptl_snapshot *snap = x->snap;
	size_t ngroups = 0;

	for (size_t i = 0; i < x->n; i++) {
		const struct tcptl_sock *sk = &x->all[i];
		const struct tcptl_fd_owner *o = NULL;
		struct tcptl_cw_sock *cw;
		struct tcptl_conn *c;

		if (sk->id.newstate != TCPTL_STATE_CLOSE_WAIT)
			continue;
		o = tcptl_owners_find(&x->owners, sk->ino);
		if (!tcptl_rfilter_match(x->t->filter, &sk->id, o != NULL, o ? o->pid : 0,
					 o ? o->comm : NULL))
			continue;
		cw = &snap->cw_socks[snap->n_cw_socks++];
		memset(cw, 0, sizeof(*cw));
		cw->sk = *sk;
		/* Recv-Q counts the peer's FIN until the owner reads the end of
		 * the stream; the bytes left unread are one fewer. */
		cw->unread = sk->rqueue ? sk->rqueue - 1 : 0;
		if (o) {
			cw->pid = o->pid;
			memcpy(cw->comm, o->comm, sizeof(cw->comm));
		}
		/* Ages come from the transition record; a socket that was
		 * already in CLOSE_WAIT when we started is at least that old. */
		c = tcptl_conn_find(&x->s->conns, sk->id.cookie);
		if (c && c->state == TCPTL_STATE_CLOSE_WAIT && c->state_ns && c->state_ns <= now) {
			cw->age_s = (double)(now - c->state_ns) / 1e9;
			cw->age_known = true;
		} else {
			cw->age_s = (double)(now - x->s->start_ns) / 1e9;
		}

		struct tcptl_cw_group *g = NULL;

		for (size_t j = 0; j < ngroups; j++)
			if (snap->cw_groups[j].pid == cw->pid &&
			    snap->cw_groups[j].accepted == (sk->ino != 0))
				g = &snap->cw_groups[j];
		if (!g) {
			g = &snap->cw_groups[ngroups++];
			memset(g, 0, sizeof(*g));
			g->pid = cw->pid;
			g->accepted = sk->ino != 0;
			memcpy(g->comm, cw->comm, sizeof(g->comm));
		}
		g->count++;
		g->unread += cw->unread;
		if (g->count == 1 || cw->age_s > g->oldest_s) {
			g->oldest_s = cw->age_s;
			g->oldest_known = cw->age_known;
		}
	}
	snap->n_cw_groups = (unsigned int)ngroups;
	qsort(snap->cw_socks, snap->n_cw_socks, sizeof(*snap->cw_socks), by_age_desc);
	qsort(snap->cw_groups, snap->n_cw_groups, sizeof(*snap->cw_groups), groups_by_count);
}

static double rate_of(struct tcptl_tw_rate *h, const struct tcptl_tw_key *k, double secs)
{
	struct tcptl_tw_rate *r;

	HASH_FIND(hh, h, k, sizeof(*k), r);
	return r && secs > 0 ? (double)(r->entered - r->entered_prev) / secs : 0;
}

static void time_wait(struct collect *x, double secs)
{
	struct tcptl_snapshot *snap = x->snap;
	struct group_set remote = { .g = &snap->tw_remote, .n = &snap->n_tw_remote };
	struct group_set lport = { .g = &snap->tw_lport, .n = &snap->n_tw_lport };
	struct tcptl_tw_key k;

	for (size_t i = 0; i < x->n; i++) {
		const struct tcptl_sock *sk = &x->all[i];
		struct tcptl_tw_group *g;

		if (sk->id.newstate != TCPTL_STATE_TIME_WAIT)
			continue;
		remote_key(&k, &sk->id);
		g = group_get(&remote, &k);
		if (g)
			g->count++;
		lport_key(&k, &sk->id);
		g = group_get(&lport, &k);
		if (g)
			g->count++;
	}
	/* Local ports in use towards each destination listed, in any state
	 * (a listener uses none of the ephemeral range towards anyone). */
	for (size_t i = 0; i < x->n; i++) {
		const struct tcptl_sock *sk = &x->all[i];
		struct tcptl_tw_group *g;

		if (sk->id.newstate == TCPTL_STATE_LISTEN ||
		    sk->id.sport < snap->port_lo || sk->id.sport > snap->port_hi)
			continue;
		remote_key(&k, &sk->id);
		g = group_find(&remote, &k);
		if (g)
			g->in_use++;
	}
	group_set_free(&remote);
	group_set_free(&lport);
	for (unsigned int j = 0; j < snap->n_tw_remote; j++)
		snap->tw_remote[j].rate = rate_of(x->t->tw_by_remote, &snap->tw_remote[j].key, secs);
	for (unsigned int j = 0; j < snap->n_tw_lport; j++)
		snap->tw_lport[j].rate = rate_of(x->t->tw_by_lport, &snap->tw_lport[j].key, secs);
	if (snap->n_tw_remote)
		qsort(snap->tw_remote, snap->n_tw_remote, sizeof(*snap->tw_remote), by_count_desc);
	if (snap->n_tw_lport)
		qsort(snap->tw_lport, snap->n_tw_lport, sizeof(*snap->tw_lport), by_count_desc);
}

int tcptl_top_snapshot(struct tcptl_top *t, const struct tcptl_session *s, uint64_t now_ns)
{
	struct tcptl_snapshot *snap = &t->snap;
	struct collect x = { .t = t, .s = s, .snap = snap };
	uint64_t hi = 0;
	double secs;
	int err;

	free_snapshot(snap);
	memset(snap, 0, sizeof(*snap));
	snap->time_ns = now_ns;
	secs = t->last_ns ? (double)(now_ns - t->last_ns) / 1e9 : (double)(now_ns - s->start_ns) / 1e9;
	snap->interval_s = secs;
	snap->tw_max = read_sysctl(t->max_tw_fd, NULL);
	snap->port_lo = (uint32_t)read_sysctl(t->port_range_fd, &hi);
	snap->port_hi = (uint32_t)hi;
	err = tcptl_sockdiag_dump(t->diag, t->netns, collect_one, &x);
	if (err) {
		free(x.all);
		return err;
	}
	for (size_t i = 0; i < x.n; i++)
		if (x.all[i].id.newstate <= TCPTL_STATE_MAX)
			snap->count[x.all[i].id.newstate]++;
	snap->cw_socks = calloc(snap->count[TCPTL_STATE_CLOSE_WAIT] + 1, sizeof(*snap->cw_socks));
	snap->cw_groups = calloc(snap->count[TCPTL_STATE_CLOSE_WAIT] + 1, sizeof(*snap->cw_groups));
	if (snap->cw_socks && snap->cw_groups)
		close_wait(&x, now_ns);
	time_wait(&x, secs);
	struct tcptl_inbound_input in = {
		.socks = x.all, .n = x.n, .conns = &s->conns, .owners = &x.owners,
		.filter = t->filter, .now_ns = now_ns, .start_ns = s->start_ns, .secs = secs,
	};

	err = tcptl_inbound_snapshot(&t->inbound, &in, &snap->in);
	if (err) {
		tcptl_procfd_free(&x.owners.fd);
		free(x.all);
		return err;
	}

	/* Entry rates per state come from records, so they see connections
	 * that came and went between two snapshots. */
	for (unsigned int st = 1; st <= TCPTL_STATE_MAX; st++) {
		snap->rate[st] = secs > 0 ? (double)(s->tally.entered[st] - t->entered_prev[st]) / secs : 0;
		t->entered_prev[st] = s->tally.entered[st];
	}
	snap->tw_overflows = s->tally.by_type[TCPTL_EVENT_TW_OVERFLOW];
	snap->tw_overflow_rate = secs > 0 ? (double)(snap->tw_overflows - t->overflows_prev) / secs : 0;
	t->overflows_prev = snap->tw_overflows;
	struct tcptl_tw_rate *r, *tmp;

	HASH_ITER(hh, t->tw_by_remote, r, tmp)
		r->entered_prev = r->entered;
	HASH_ITER(hh, t->tw_by_lport, r, tmp)
		r->entered_prev = r->entered;

	/* History: the newest sample last. */
	if (t->history_len == TCPTL_TOP_HISTORY) {
		for (unsigned int st = 0; st <= TCPTL_STATE_MAX; st++)
			memmove(t->history[st], t->history[st] + 1,
				(TCPTL_TOP_HISTORY - 1) * sizeof(t->history[st][0]));
		t->history_len--;
	}
	for (unsigned int st = 0; st <= TCPTL_STATE_MAX; st++)
		t->history[st][t->history_len] = snap->count[st];
	t->history_len++;
	memcpy(snap->history, t->history, sizeof(snap->history));
	snap->history_len = t->history_len;
	t->last_ns = now_ns;
	tcptl_procfd_free(&x.owners.fd);
	free(x.all);
	return 0;
}
