// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/genetlink.h>

#include "options.h"
#include "procfd.h"
#include "record.h"
#include "session.h"
#include "sockdiag.h"
#include "tcp_timeline.h"

volatile sig_atomic_t tcptl_stop;

/* TIME_WAIT lasts this long (TCP_TIMEWAIT_LEN): its timer dates its start. */
#define TIMEWAIT_LEN_MS 60000u
#define FIN_TIMEOUT_PATH "/proc/sys/net/ipv4/tcp_fin_timeout"
/* Messages taken off the events socket per loop pass, at most (~65 records each). */
#define TCPTL_RECV_BURST 8

uint64_t tcptl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint32_t tcptl_own_netns(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) ? 0 : (uint32_t)st.st_ino;
}

/* Say so when this kernel cannot give some records (the module still runs). */
static void warn_missing_hooks(struct tcptl_session *s)
{
	struct tcptl_stats st;
	char names[256];

	if (tcptl_nl_get_stats(&s->req, &st))
		return;
	s->hooks = st.hooks;
	if (!st.hooks_missing)
		return;
	tcptl_hook_names(st.hooks_missing, names, sizeof(names));
	fprintf(stderr, "tcptimeline: warning: this kernel lacks hooks the module needs for: %s\n",
		names);
}

int tcptl_session_open(struct tcptl_session *s, unsigned int max_conns)
{
	int err;

	tcptl_conn_table_init(&s->conns, max_conns);
	tcptl_reorder_init(&s->reorder);
	tcptl_seqtrack_init(&s->seq);
	s->caught_up = true;
	s->netns = tcptl_own_netns();
	err = tcptl_nl_open(&s->req);
	if (err)
		return err;
	s->have_req = true;
	warn_missing_hooks(s);
	return 0;
}

int tcptl_session_subscribe(struct tcptl_session *s)
{
	int err = tcptl_nl_open(&s->ev);

	if (err)
		return err;
	s->have_ev = true;
	s->start_ns = tcptl_now_ns();
	err = tcptl_nl_subscribe(&s->ev, 32 << 20);
	if (err)
		return err;
	/*
	 * An unload between resolving the family and joining nlctrl's notify
	 * group sends its DELFAMILY before we listen, and the reader would
	 * wait for ever: look once more, now that none can be missed.
	 */
	return tcptl_nl_check_family(&s->req, s->ev.family);
}

struct seed_ctx {
	struct tcptl_session *s;
	struct tcptl_procfd *owners;
	uint64_t now;
	int64_t clock_offset_ns;	/* CLOCK_REALTIME - CLOCK_MONOTONIC */
	uint32_t fin_timeout_ms;
	int n;
};

static int64_t clock_offset_now(void)
{
	struct timespec mono, real;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	return ((int64_t)real.tv_sec - mono.tv_sec) * 1000000000ll +
	       (real.tv_nsec - mono.tv_nsec);
}

static uint32_t fin_timeout_ms(void)
{
	FILE *f = fopen(FIN_TIMEOUT_PATH, "r");
	unsigned int secs = 60;

	if (f) {
		if (fscanf(f, "%u", &secs) != 1)
			secs = 60;
		fclose(f);
	}
	return secs * 1000u;
}

/*
 * When a timewait socket entered its state, from the time its timer has
 * left: TIME_WAIT lasts TCP_TIMEWAIT_LEN, an orphaned FIN_WAIT2
 * tcp_fin_timeout (at most that: longer ones wait as full sockets first).
 * 0 where the timer does not date it.
 */
static uint64_t timewait_entered(const struct seed_ctx *x, const struct tcptl_sock *sk)
{
	uint32_t len = sk->id.newstate == TCPTL_STATE_TIME_WAIT ? TIMEWAIT_LEN_MS :
		       x->fin_timeout_ms;

	if (sk->timer != TCPTL_DIAG_TIMER_TIMEWAIT || sk->expires_ms > len ||
	    (uint64_t)(len - sk->expires_ms) * 1000000ull >= x->now)
		return 0;
	return x->now - (uint64_t)(len - sk->expires_ms) * 1000000ull;
}

static void seed_one(const struct tcptl_sock *sk, void *arg)
{
	struct seed_ctx *x = arg;
	bool timewait = sk->timer == TCPTL_DIAG_TIMER_TIMEWAIT;
	struct tcptl_event id = sk->id;
	struct tcptl_conn *c;

	if (!id.cookie)
		return;
	id.clock_offset_ns = x->clock_offset_ns;
	c = tcptl_conn_seed(&x->s->conns, &id, timewait ? timewait_entered(x, sk) : 0, timewait);
	if (!c)
		return;
	x->n++;
	if (x->owners && !c->has_owner && sk->ino) {
		const struct tcptl_fd_owner *o = tcptl_procfd_find(x->owners, sk->ino);

		if (o) {
			c->has_owner = true;
			c->pid = o->pid;
			memcpy(c->comm, o->comm, sizeof(c->comm));
		}
	}
}

int tcptl_session_seed(struct tcptl_session *s, bool owners)
{
	struct tcptl_procfd fds = { 0 };
	struct seed_ctx x = { .s = s, .owners = owners ? &fds : NULL };
	int err;

	if (owners)
		tcptl_procfd_scan(&fds, "/proc");
	x.now = tcptl_now_ns();
	x.clock_offset_ns = clock_offset_now();
	x.fin_timeout_ms = fin_timeout_ms();
	s->seeded_ns = x.now;
	struct mnl_socket *diag = tcptl_sockdiag_open();

	err = diag ? tcptl_sockdiag_dump(diag, s->netns, seed_one, &x) : -errno;
	tcptl_sockdiag_close(diag);
	tcptl_procfd_free(&fds);
	return err ? err : x.n;
}

static void on_event(const struct tcptl_event *ev, void *arg)
{
	struct tcptl_session *s = arg;

	if (ev->time_ns && s->recv_ns >= ev->time_ns)
		tcptl_latency_add(&s->latency, s->recv_ns - ev->time_ns);
	/*
	 * Sequence numbers as they come, in each CPU's order: time order can
	 * differ (a softirq stamps a record between another's timestamp and
	 * its push), which would look like a gap.
	 */
	if (ev->type == TCPTL_EVENT_LOST)
		tcptl_seqtrack_lost(&s->seq, ev->lost_count);
	else
		tcptl_seqtrack_record(&s->seq, ev->cpu, ev->seq);
	if (tcptl_reorder_push(&s->reorder, ev))
		s->counts.invalid++;
}

void tcptl_session_handle(struct tcptl_session *s, const char *buf, int len)
{
	const struct nlmsghdr *m;

	for (m = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
		const struct genlmsghdr *g;

		if (m->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
			continue;
		g = mnl_nlmsg_get_payload(m);
		if (m->nlmsg_type == s->ev.family && g->cmd == TCPTL_CMD_EVENTS) {
			tcptl_decode_events(m, on_event, s, &s->counts);
		} else if (m->nlmsg_type == GENL_ID_CTRL && g->cmd == CTRL_CMD_DELFAMILY) {
			const struct nlattr *a;

			mnl_attr_for_each(a, m, GENL_HDRLEN) {
				if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_NAME &&
				    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0 &&
				    !strcmp(mnl_attr_get_str(a), TCPTL_GENL_NAME))
					s->unloaded = true;
			}
		}
	}
}

static void process(struct tcptl_session *s, struct tcptl_event *ev)
{
	struct tcptl_conn *c = NULL;

	/* The loop's clock: "finished at" only needs the pass it came in. */
	if (ev->type != TCPTL_EVENT_LOST)
		c = tcptl_conn_apply(&s->conns, ev, s->now_ns);
	if (!s->tally_filter || tcptl_rfilter_match(s->tally_filter, ev, false, 0, NULL))
		tcptl_tally_record(&s->tally, ev);
	if (s->ops->record)
		s->ops->record(s, ev, c);
}

void tcptl_session_drain(struct tcptl_session *s, uint64_t cutoff)
{
	/* Behind the socket, the clock says nothing of what has come. */
	uint64_t lead = s->caught_up ? 0 : TCPTL_REORDER_WINDOW_NS;
	struct tcptl_event ev;

	while (tcptl_reorder_pop(&s->reorder, cutoff, lead, &ev))
		process(s, &ev);
}

static void sink_timeline(void *arg, struct tcptl_conn *c)
{
	struct tcptl_session *s = arg;

	s->ops->finished(s, c);
}

static void sink_timewait_end(void *arg, struct tcptl_conn *c)
{
	struct tcptl_session *s = arg;

	s->ops->timewait_end(s, c);
}

static void sweep_finished(struct tcptl_session *s, uint64_t before)
{
	struct tcptl_conn *c;

	const struct tcptl_conn_sink sink = {
		.timeline = s->ops->finished ? sink_timeline : NULL,
		.timewait_end = s->ops->timewait_end ? sink_timewait_end : NULL,
		.arg = s,
	};

	while ((c = s->conns.fin_head) && c->finished_at < before)
		if (tcptl_conn_hand_out(&s->conns, c, &sink))
			s->finished++;
}

/*
 * Take one message off the events socket, if there is one: 1 if one was
 * handled, 0 if none was waiting, -errno on a real error. ENOBUFS counts
 * and moves on (the sequence numbers will say how many records it cost).
 */
static int receive(struct tcptl_session *s)
{
	static char buf[TCPTL_NL_BUFSIZE];
	ssize_t len = recv(mnl_socket_get_fd(s->ev.sock), buf, sizeof(buf), MSG_DONTWAIT);

	if (len < 0 && errno == ENOBUFS) {
		s->enobufs++;
		return 1;
	}
	if (len < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (len == 0)
		return 0;
	s->recv_ns = tcptl_now_ns();
	if (s->record)
		tcptl_record_write(s->record, buf, (size_t)len);
	tcptl_session_handle(s, buf, (int)len);
	return 1;
}

int tcptl_session_run(struct tcptl_session *s, volatile sig_atomic_t *stop, uint64_t deadline_ns)
{
	int err = 0;

	while (!*stop && !s->unloaded) {
		struct pollfd p[2] = {
			{ .fd = mnl_socket_get_fd(s->ev.sock), .events = POLLIN },
			{ .fd = s->ops->extra_fd, .events = POLLIN },
		};
		int n = poll(p, s->ops->extra_fd >= 0 ? 2 : 1, 20);

		if (n > 0 && (p[0].revents & POLLIN)) {
			/* Under load several messages wait: take a few before
			 * the work each pass does once (ordering, sweeping,
			 * flushing the output) rather than one per pass. */
			int i;

			for (i = 0; i < TCPTL_RECV_BURST && (err = receive(s)) > 0; i++)
				;
			if (err < 0) {
				fprintf(stderr, "tcptimeline: receiving: %s\n", strerror(-err));
				break;
			}
			err = 0;
			/* The burst ran out before the socket did: more waits. */
			s->caught_up = i < TCPTL_RECV_BURST;
		} else if (n >= 0) {
			s->caught_up = true;
		}
		if (n > 0 && s->ops->extra_fd >= 0 && (p[1].revents & POLLIN))
			s->ops->extra_ready(s);

		s->now_ns = tcptl_now_ns();
		tcptl_session_drain(s, s->now_ns - TCPTL_REORDER_WINDOW_NS);
		sweep_finished(s, s->now_ns - TCPTL_FINISH_GRACE_NS);
		if (s->ops->tick)
			s->ops->tick(s, s->now_ns);
		if (deadline_ns && s->now_ns >= deadline_ns)
			break;
	}
	/* What the module made before we were told to stop is ours to show:
	 * have it flush its buffers (GET_STATS does), leave the group so that
	 * nothing more comes, then read the socket dry, however far behind we
	 * were. */
	if (!err && !s->unloaded) {
		struct tcptl_stats st;

		if (s->have_req)
			tcptl_nl_get_stats(&s->req, &st);
		if (!tcptl_nl_unsubscribe(&s->ev))
			while (receive(s) > 0)
				;
	}
	s->now_ns = tcptl_now_ns();
	tcptl_session_drain(s, UINT64_MAX);
	sweep_finished(s, UINT64_MAX);
	return err;
}

uint64_t tcptl_session_lost_module(const struct tcptl_session *s)
{
	return s->seq.lost_module;
}

uint64_t tcptl_session_lost_socket(const struct tcptl_session *s)
{
	return tcptl_seqtrack_lost_socket(&s->seq);
}

void tcptl_session_close(struct tcptl_session *s)
{
	if (s->have_ev)
		tcptl_nl_close(&s->ev);
	if (s->have_req)
		tcptl_nl_close(&s->req);
	s->have_ev = s->have_req = false;
	tcptl_conn_table_free(&s->conns);
	tcptl_reorder_free(&s->reorder);
	tcptl_seqtrack_free(&s->seq);
}
