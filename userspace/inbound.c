// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "inbound.h"
#include "procfd.h"
#include "rfilter.h"
#include "sockdiag.h"
#include "tcp_timeline.h"

/* Waits kept per listener and interval for its quantiles: beyond, a
 * uniform sample of them (reservoir), so a busy server costs no more. */
#define WAIT_SAMPLES 4096

const char *const tcptl_connfail_names[TCPTL_CONNFAIL_KINDS] = {
	[TCPTL_CONNFAIL_REFUSED] = "refused",
	[TCPTL_CONNFAIL_TIMEOUT] = "timeout",
	[TCPTL_CONNFAIL_UNREACHABLE] = "unreachable",
	[TCPTL_CONNFAIL_NO_PORT] = "no_port",
	[TCPTL_CONNFAIL_ABORTED] = "aborted",
};

enum tcptl_connect_failure tcptl_connfail_kind(unsigned int err, uint16_t sport)
{
	switch (err) {
	case 0:
		return sport ? TCPTL_CONNFAIL_ABORTED : TCPTL_CONNFAIL_NO_PORT;
	case ECONNREFUSED:
		return TCPTL_CONNFAIL_REFUSED;
	case ETIMEDOUT:
		return TCPTL_CONNFAIL_TIMEOUT;
	default:
		return TCPTL_CONNFAIL_UNREACHABLE;
	}
}

struct tcptl_accept_waits {
	struct tcptl_endpoint local;
	uint32_t accepts;	/* this interval */
	uint32_t n;		/* waits held */
	uint64_t seen;		/* waits offered */
	double wait_s[WAIT_SAMPLES];
	UT_hash_handle hh;
};

struct tcptl_fail_count {
	struct tcptl_endpoint remote;
	uint64_t n[TCPTL_CONNFAIL_KINDS], prev[TCPTL_CONNFAIL_KINDS];
	UT_hash_handle hh;
};

void tcptl_inbound_init(struct tcptl_inbound *in)
{
	memset(in, 0, sizeof(*in));
	in->netstat_fd = open("/proc/net/netstat", O_RDONLY | O_CLOEXEC);
	in->tcpext_ok = tcptl_netstat_read(in->netstat_fd, in->tcpext_start) == 0;
	memcpy(in->tcpext_prev, in->tcpext_start, sizeof(in->tcpext_prev));
}

void tcptl_inbound_free(struct tcptl_inbound *in)
{
	struct tcptl_accept_waits *a, *atmp;
	struct tcptl_fail_count *f, *ftmp;

	if (in->netstat_fd >= 0)
		close(in->netstat_fd);
	in->netstat_fd = -1;
	HASH_ITER(hh, in->accepts, a, atmp) {
		HASH_DEL(in->accepts, a);
		free(a);
	}
	HASH_ITER(hh, in->fails, f, ftmp) {
		HASH_DEL(in->fails, f);
		free(f);
	}
	in->n_fails = 0;
}

static void endpoint(struct tcptl_endpoint *e, uint8_t family, const union tcptl_ip *a,
		     uint16_t port)
{
	memset(e, 0, sizeof(*e));
	e->family = family;
	if (a)
		memcpy(&e->addr, a, family == AF_INET6 ? 16 : 4);
	e->port = port;
}

/* xorshift64: the reservoir's choices need no more than that. */
static uint64_t next_random(void)
{
	static uint64_t x = 0x9e3779b97f4a7c15ull;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

static void count_accept(struct tcptl_inbound *in, const struct tcptl_event *ev)
{
	struct tcptl_accept_waits *a;
	struct tcptl_endpoint k;

	endpoint(&k, ev->family, &ev->saddr, ev->sport);
	HASH_FIND(hh, in->accepts, &k, sizeof(k), a);
	if (!a) {
		a = calloc(1, sizeof(*a));
		if (!a)
			return;
		a->local = k;
		HASH_ADD(hh, in->accepts, local, sizeof(a->local), a);
	}
	a->accepts++;
	if (!ev->has_prev_ns)
		return;
	a->seen++;
	if (a->n < WAIT_SAMPLES)
		a->wait_s[a->n++] = (double)ev->prev_state_ns / 1e9;
	else if (next_random() % a->seen < WAIT_SAMPLES)
		a->wait_s[next_random() % WAIT_SAMPLES] = (double)ev->prev_state_ns / 1e9;
}

static void count_failure(struct tcptl_inbound *in, const struct tcptl_event *ev)
{
	enum tcptl_connect_failure kind = tcptl_connfail_kind(ev->error, ev->sport);
	struct tcptl_fail_count *f;
	struct tcptl_endpoint k;

	endpoint(&k, ev->family, &ev->daddr, ev->dport);
	HASH_FIND(hh, in->fails, &k, sizeof(k), f);
	if (!f && in->n_fails >= TCPTL_INBOUND_MAX_FAIL_REMOTES) {
		memset(&k, 0, sizeof(k));
		HASH_FIND(hh, in->fails, &k, sizeof(k), f);
	}
	if (!f) {
		f = calloc(1, sizeof(*f));
		if (!f)
			return;
		f->remote = k;
		HASH_ADD(hh, in->fails, remote, sizeof(f->remote), f);
		in->n_fails++;
	}
	f->n[kind]++;
	in->failed[kind]++;
}

void tcptl_inbound_record(struct tcptl_inbound *in, const struct tcptl_event *ev)
{
	if (ev->type == TCPTL_EVENT_ACCEPT)
		count_accept(in, ev);
	else if (ev->type == TCPTL_EVENT_STATE && ev->oldstate == TCPTL_STATE_SYN_SENT &&
		 ev->newstate == TCPTL_STATE_CLOSE)
		count_failure(in, ev);
}

static bool is_any(const struct tcptl_endpoint *e)
{
	static const union tcptl_ip zero;

	return !memcmp(&e->addr, &zero, sizeof(zero));
}

/* The listener that takes connections to local endpoint k: its own address
 * first, then a wildcard of its family, then an IPv6 wildcard (dual-stack). */
static struct tcptl_listener *listener_for(struct tcptl_listener *ls, unsigned int n,
					   const struct tcptl_endpoint *k)
{
	struct tcptl_listener *best = NULL;
	int best_score = 0;

	for (unsigned int i = 0; i < n; i++) {
		const struct tcptl_endpoint *l = &ls[i].local;
		int score = 0;

		if (l->port != k->port)
			continue;
		if (l->family == k->family && !memcmp(&l->addr, &k->addr, sizeof(k->addr)))
			score = 3;
		else if (l->family == k->family && is_any(l))
			score = 2;
		else if (l->family == AF_INET6 && k->family == AF_INET && is_any(l))
			score = 1;
		if (score > best_score) {
			best = &ls[i];
			best_score = score;
		}
	}
	return best;
}

static bool owner_passes(const struct tcptl_inbound_input *x, const struct tcptl_sock *sk,
			 uint32_t *pid, char comm[16])
{
	const struct tcptl_fd_owner *o = tcptl_owners_find(x->owners, sk->ino);

	*pid = o ? o->pid : 0;
	memset(comm, 0, 16);
	if (o)
		memcpy(comm, o->comm, 16);
	return tcptl_rfilter_match(x->filter, &sk->id, o != NULL, *pid, o ? o->comm : NULL);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The nearest-rank quantile of n sorted values. */
static double quantile(const double *v, size_t n, double q)
{
	size_t rank = (size_t)(q * (double)n + 0.999999);

	return v[rank ? (rank > n ? n - 1 : rank - 1) : 0];
}

static double fullness(const struct tcptl_listener *l)
{
	return (double)l->accept_queue / (l->backlog ? l->backlog : 1);
}

static int listeners_fullest(const void *a, const void *b)
{
	const struct tcptl_listener *x = a, *y = b;
	double fx = fullness(x), fy = fullness(y);

	if (fx != fy)
		return fx < fy ? 1 : -1;
	if (x->syn_recv != y->syn_recv)
		return x->syn_recv < y->syn_recv ? 1 : -1;
	return x->local.port < y->local.port ? -1 : x->local.port > y->local.port;
}

static int listeners(struct tcptl_inbound *in, const struct tcptl_inbound_input *x,
		     struct tcptl_inbound_snap *snap)
{
	struct tcptl_listener *ls;
	struct tcptl_accept_waits *a, *tmp;
	unsigned int n = 0;
	double *waits;
	size_t nwaits = 0;

	for (size_t i = 0; i < x->n; i++)
		n += x->socks[i].id.newstate == TCPTL_STATE_LISTEN;
	ls = calloc(n + 1, sizeof(*ls));
	if (!ls)
		return -ENOMEM;
	snap->listeners = ls;
	n = 0;
	for (size_t i = 0; i < x->n; i++) {
		const struct tcptl_sock *sk = &x->socks[i];
		struct tcptl_listener *l = &ls[n];

		if (sk->id.newstate != TCPTL_STATE_LISTEN || !owner_passes(x, sk, &l->pid, l->comm))
			continue;
		endpoint(&l->local, sk->id.family, &sk->id.saddr, sk->id.sport);
		l->ino = sk->ino;
		l->accept_queue = sk->rqueue;
		l->backlog = sk->wqueue;
		n++;
	}
	snap->n_listeners = n;

	/* Requests, and children still in the accept queue, by local endpoint. */
	for (size_t i = 0; i < x->n; i++) {
		const struct tcptl_sock *sk = &x->socks[i];
		struct tcptl_endpoint k;
		struct tcptl_listener *l;
		const struct tcptl_conn *c;
		uint8_t st = sk->id.newstate;

		if (st != TCPTL_STATE_SYN_RECV &&
		    ((st != TCPTL_STATE_ESTABLISHED && st != TCPTL_STATE_CLOSE_WAIT) || sk->ino))
			continue;
		endpoint(&k, sk->id.family, &sk->id.saddr, sk->id.sport);
		l = listener_for(ls, n, &k);
		if (!l)
			continue;
		if (st == TCPTL_STATE_SYN_RECV) {
			l->syn_recv++;
			continue;
		}
		c = tcptl_conn_find(x->conns, sk->id.cookie);
		if (!c || !c->passive || c->accepted || !c->established_ns ||
		    c->established_ns > x->now_ns)
			continue;
		double waited = (double)(x->now_ns - c->established_ns) / 1e9;

		if (!l->has_oldest || waited > l->oldest_s)
			l->oldest_s = waited;
		l->has_oldest = true;
	}

	/* Accepts of the interval, and their waits. */
	size_t held = 0;

	HASH_ITER(hh, in->accepts, a, tmp)
		held += a->n;
	waits = malloc((held + 1) * sizeof(*waits));
	if (!waits)
		return -ENOMEM;
	for (unsigned int j = 0; j < n; j++) {
		struct tcptl_listener *l = &ls[j];

		nwaits = 0;
		HASH_ITER(hh, in->accepts, a, tmp) {
			if (listener_for(ls, n, &a->local) != l)
				continue;
			l->accepts += a->accepts;
			memcpy(waits + nwaits, a->wait_s, a->n * sizeof(*waits));
			nwaits += a->n;
		}
		l->accepts_per_s = x->secs > 0 ? l->accepts / x->secs : 0;
		if (nwaits) {
			qsort(waits, nwaits, sizeof(*waits), cmp_double);
			l->has_wait = true;
			l->wait_p50_s = quantile(waits, nwaits, 0.50);
			l->wait_p99_s = quantile(waits, nwaits, 0.99);
		}
	}
	free(waits);
	HASH_ITER(hh, in->accepts, a, tmp) {
		HASH_DEL(in->accepts, a);
		free(a);
	}

	qsort(ls, n, sizeof(*ls), listeners_fullest);
	if (n > TCPTL_INBOUND_MAX_ROWS) {
		snap->listeners_omitted = n - TCPTL_INBOUND_MAX_ROWS;
		snap->n_listeners = TCPTL_INBOUND_MAX_ROWS;
	}
	return 0;
}

/* One waiting connect, for the per-process view. */
struct waiting {
	uint32_t pid;
	char comm[16];
	struct tcptl_endpoint remote;
};

static int waiting_by_process(const void *a, const void *b)
{
	const struct waiting *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return memcmp(&x->remote, &y->remote, sizeof(x->remote));
}

static int remotes_most(const void *a, const void *b)
{
	const struct tcptl_syn_remote *x = a, *y = b;
	uint32_t fx = 0, fy = 0;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	for (int k = 0; k < TCPTL_CONNFAIL_KINDS; k++) {
		fx += x->failed[k];
		fy += y->failed[k];
	}
	return fx < fy ? 1 : fx > fy ? -1 : 0;
}

static int procs_most(const void *a, const void *b)
{
	const struct tcptl_syn_proc *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return x->remotes < y->remotes ? 1 : x->remotes > y->remotes ? -1 : 0;
}

static struct tcptl_syn_remote *remote_row(struct tcptl_syn_remote *rows, unsigned int *n,
					   const struct tcptl_endpoint *k)
{
	for (unsigned int i = 0; i < *n; i++)
		if (!memcmp(&rows[i].remote, k, sizeof(*k)))
			return &rows[i];
	memset(&rows[*n], 0, sizeof(rows[*n]));
	rows[*n].remote = *k;
	return &rows[(*n)++];
}

static int syn_sent(struct tcptl_inbound *in, const struct tcptl_inbound_input *x,
		    struct tcptl_inbound_snap *snap)
{
	struct tcptl_syn_remote *rows;
	struct tcptl_syn_proc *procs;
	struct waiting *w;
	struct tcptl_fail_count *f, *tmp;
	unsigned int nw = 0, nrows = 0, nprocs = 0;
	size_t waiting = 0;

	for (size_t i = 0; i < x->n; i++)
		waiting += x->socks[i].id.newstate == TCPTL_STATE_SYN_SENT;
	rows = calloc(waiting + in->n_fails + 1, sizeof(*rows));
	w = calloc(waiting + 1, sizeof(*w));
	procs = calloc(waiting + 1, sizeof(*procs));
	snap->fail_totals = calloc(in->n_fails + 1, sizeof(*snap->fail_totals));
	snap->syn_remote = rows;
	snap->syn_proc = procs;
	if (!rows || !w || !procs || !snap->fail_totals) {
		free(w);
		return -ENOMEM;
	}
	/* A linear search for the row: SYN_SENT piles up towards few remotes;
	 * towards many (a scanner), the per-process view tells. */
	for (size_t i = 0; i < x->n; i++) {
		const struct tcptl_sock *sk = &x->socks[i];
		struct tcptl_syn_remote *r;
		const struct tcptl_conn *c;
		struct tcptl_endpoint k;
		struct waiting *one = &w[nw];
		bool known = false;
		double age;

		if (sk->id.newstate != TCPTL_STATE_SYN_SENT ||
		    !owner_passes(x, sk, &one->pid, one->comm))
			continue;
		c = tcptl_conn_find(x->conns, sk->id.cookie);
		if (!one->pid && c && c->has_owner) {
			one->pid = c->pid;
			memcpy(one->comm, c->comm, sizeof(one->comm));
		}
		if (c && c->state == TCPTL_STATE_SYN_SENT && c->state_ns && c->state_ns <= x->now_ns) {
			age = (double)(x->now_ns - c->state_ns) / 1e9;
			known = true;
		} else {
			age = (double)(x->now_ns - x->start_ns) / 1e9;
		}
		endpoint(&k, sk->id.family, &sk->id.daddr, sk->id.dport);
		one->remote = k;
		nw++;
		r = remote_row(rows, &nrows, &k);
		r->count++;
		r->retrans += sk->retrans;
		if (r->count == 1 || age > r->oldest_s) {
			r->oldest_s = age;
			r->oldest_known = known;
			r->pid = one->pid;
			memcpy(r->comm, one->comm, sizeof(r->comm));
		}
	}
	snap->syn_sent = nw;

	qsort(w, nw, sizeof(*w), waiting_by_process);
	for (unsigned int i = 0; i < nw; i++) {
		if (!i || w[i].pid != w[i - 1].pid) {
			procs[nprocs].pid = w[i].pid;
			memcpy(procs[nprocs].comm, w[i].comm, sizeof(procs[nprocs].comm));
			nprocs++;
		}
		procs[nprocs - 1].count++;
		if (!i || w[i].pid != w[i - 1].pid ||
		    memcmp(&w[i].remote, &w[i - 1].remote, sizeof(w[i].remote)))
			procs[nprocs - 1].remotes++;
	}
	free(w);

	/* Failures of the interval join their remote's row. */
	HASH_ITER(hh, in->fails, f, tmp) {
		struct tcptl_fail_total *t = &snap->fail_totals[snap->n_fail_totals++];
		struct tcptl_syn_remote *r = NULL;

		t->remote = f->remote;
		memcpy(t->n, f->n, sizeof(t->n));
		for (int k = 0; k < TCPTL_CONNFAIL_KINDS; k++) {
			if (f->n[k] == f->prev[k])
				continue;
			if (!r)
				r = remote_row(rows, &nrows, &f->remote);
			r->failed[k] = (uint32_t)(f->n[k] - f->prev[k]);
			f->prev[k] = f->n[k];
		}
	}
	memcpy(snap->failed, in->failed, sizeof(snap->failed));

	qsort(rows, nrows, sizeof(*rows), remotes_most);
	qsort(procs, nprocs, sizeof(*procs), procs_most);
	snap->n_syn_remote = nrows;
	snap->n_syn_proc = nprocs;
	if (nrows > TCPTL_INBOUND_MAX_ROWS) {
		snap->syn_remote_omitted = nrows - TCPTL_INBOUND_MAX_ROWS;
		snap->n_syn_remote = TCPTL_INBOUND_MAX_ROWS;
	}
	if (nprocs > TCPTL_INBOUND_MAX_ROWS) {
		snap->syn_proc_omitted = nprocs - TCPTL_INBOUND_MAX_ROWS;
		snap->n_syn_proc = TCPTL_INBOUND_MAX_ROWS;
	}
	return 0;
}

static void tcpext(struct tcptl_inbound *in, double secs, struct tcptl_inbound_snap *snap)
{
	uint64_t now[TCPTL_TCPEXT_COUNTERS];

	if (!in->tcpext_ok || tcptl_netstat_read(in->netstat_fd, now))
		return;
	snap->tcpext_ok = true;
	for (int i = 0; i < TCPTL_TCPEXT_COUNTERS; i++) {
		snap->tcpext[i] = now[i];
		snap->tcpext_since[i] = now[i] - in->tcpext_start[i];
		snap->tcpext_rate[i] = secs > 0 ? (double)(now[i] - in->tcpext_prev[i]) / secs : 0;
		in->tcpext_prev[i] = now[i];
	}
}

void tcptl_inbound_snap_free(struct tcptl_inbound_snap *snap)
{
	free(snap->listeners);
	free(snap->syn_remote);
	free(snap->syn_proc);
	free(snap->fail_totals);
	memset(snap, 0, sizeof(*snap));
}

int tcptl_inbound_snapshot(struct tcptl_inbound *in, const struct tcptl_inbound_input *x,
			   struct tcptl_inbound_snap *snap)
{
	int err;

	tcptl_inbound_snap_free(snap);
	tcpext(in, x->secs, snap);
	err = listeners(in, x, snap);
	if (!err)
		err = syn_sent(in, x, snap);
	return err;
}
