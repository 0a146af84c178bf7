// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "tcp_timeline.h"

void tcptl_conn_table_init(struct tcptl_conn_table *t, unsigned int max)
{
	memset(t, 0, sizeof(*t));
	t->max = max;
	t->report_at_timewait = true;
}

static void fin_unlink(struct tcptl_conn_table *t, struct tcptl_conn *c)
{
	if (!c->on_fin_list)
		return;
	if (c->fin_prev)
		c->fin_prev->fin_next = c->fin_next;
	else
		t->fin_head = c->fin_next;
	if (c->fin_next)
		c->fin_next->fin_prev = c->fin_prev;
	else
		t->fin_tail = c->fin_prev;
	c->on_fin_list = false;
}

static void fin_append(struct tcptl_conn_table *t, struct tcptl_conn *c)
{
	fin_unlink(t, c);
	c->fin_prev = t->fin_tail;
	c->fin_next = NULL;
	if (t->fin_tail)
		t->fin_tail->fin_next = c;
	else
		t->fin_head = c;
	t->fin_tail = c;
	c->on_fin_list = true;
}

void tcptl_conn_remove(struct tcptl_conn_table *t, struct tcptl_conn *c)
{
	fin_unlink(t, c);
	HASH_DEL(t->by_cookie, c);
	free(c);
	t->count--;
}

bool tcptl_conn_hand_out(struct tcptl_conn_table *t, struct tcptl_conn *c,
			 const struct tcptl_conn_sink *sink)
{
	bool timeline = !c->reported;

	if (timeline && sink->timeline)
		sink->timeline(sink->arg, c);
	if (c->due_at_timewait && c->closed && sink->timewait_end)
		sink->timewait_end(sink->arg, c);
	if (c->closed) {
		tcptl_conn_remove(t, c);
		return timeline;
	}
	fin_unlink(t, c);
	c->finished = false;
	c->reported = true;
	return timeline;
}

void tcptl_conn_table_free(struct tcptl_conn_table *t)
{
	struct tcptl_conn *c, *tmp;

	HASH_ITER(hh, t->by_cookie, c, tmp)
		tcptl_conn_remove(t, c);
}

/* Bounded memory: the oldest entry (insertion order) goes first. */
static void evict_one(struct tcptl_conn_table *t)
{
	if (t->by_cookie) {
		tcptl_conn_remove(t, t->by_cookie);
		t->evicted++;
	}
}

/*
 * Cookies are counters, unique and dense: a multiply by 2^64/phi spreads
 * them over the buckets (uthash takes the low bits of the value, so the
 * product's well-mixed high half goes there) in a fraction of the time of
 * uthash's default hash over the 8 bytes, a cost paid on every record.
 */
static unsigned int cookie_hash(uint64_t cookie)
{
	return (unsigned int)((cookie * 0x9e3779b97f4a7c15ull) >> 32);
}

struct tcptl_conn *tcptl_conn_find(const struct tcptl_conn_table *t, uint64_t cookie)
{
	struct tcptl_conn *c;

	HASH_FIND_BYHASHVALUE(hh, t->by_cookie, &cookie, sizeof(cookie), cookie_hash(cookie), c);
	return c;
}

static struct tcptl_conn *lookup(struct tcptl_conn_table *t, uint64_t cookie, bool create)
{
	struct tcptl_conn *c = tcptl_conn_find(t, cookie);

	if (c || !create)
		return c;
	if (t->max && t->count >= t->max)
		evict_one(t);
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->cookie = cookie;
	HASH_ADD_BYHASHVALUE(hh, t->by_cookie, cookie, sizeof(c->cookie), cookie_hash(cookie), c);
	t->count++;
	return c;
}

static void add_step(struct tcptl_conn *c, const struct tcptl_event *ev)
{
	struct tcptl_step *s;

	if (c->nsteps == TCPTL_MAX_STEPS)
		return;
	if (c->nsteps == 0) {
		s = &c->steps[c->nsteps++];
		s->state = ev->oldstate;
		s->enter_ns = 0;	/* unknown: before the first record */
		s->flags = 0;
	}
	s = &c->steps[c->nsteps++];
	s->state = ev->newstate;
	s->enter_ns = ev->time_ns;
	s->flags = ev->flags;
}

static void set_first(uint64_t *at, uint64_t ns)
{
	if (!*at || ns < *at)
		*at = ns;
}

/* Facts about how it ends, from a transition (records in time order). */
static void note_transition(struct tcptl_conn *c, const struct tcptl_event *ev)
{
	uint64_t ns = ev->time_ns;

	switch (ev->newstate) {
	case TCPTL_STATE_LISTEN:
		c->listener = true;
		break;
	case TCPTL_STATE_SYN_RECV:
		if (ev->oldstate == TCPTL_STATE_LISTEN)
			c->passive = true;
		break;
	case TCPTL_STATE_ESTABLISHED:
		c->established_ns = ns;
		break;
	case TCPTL_STATE_FIN_WAIT1:
	case TCPTL_STATE_LAST_ACK:
		set_first(&c->local_fin_ns, ns);
		break;
	case TCPTL_STATE_CLOSE_WAIT:
		set_first(&c->peer_fin_ns, ns);
		break;
	case TCPTL_STATE_CLOSING:
		c->fins_crossed = true;
		set_first(&c->peer_fin_ns, ns);
		break;
	case TCPTL_STATE_TIME_WAIT:
		set_first(&c->peer_fin_ns, ns);
		break;
	default:
		break;
	}
}

static void finish(struct tcptl_conn_table *t, struct tcptl_conn *c, uint64_t now_ns)
{
	c->finished = true;
	c->finished_at = now_ns;
	fin_append(t, c);
}

struct tcptl_conn *tcptl_conn_apply(struct tcptl_conn_table *t, struct tcptl_event *ev,
				    uint64_t now_ns)
{
	bool tw = ev->flags & TCPTL_EVF_TIMEWAIT;
	struct tcptl_conn *c;

	if (ev->type == TCPTL_EVENT_LOST || !ev->cookie)
		return NULL;
	/* An accept after the connection was handed out (it was reset in the
	 * accept queue, and accepted later than the grace): nothing to add. */
	c = lookup(t, ev->cookie, ev->type != TCPTL_EVENT_ACCEPT);
	if (!c)
		return NULL;

	/* Owner: the task that accepted it, else any record made by a task
	 * working on the socket. */
	if (ev->has_pid && (ev->type == TCPTL_EVENT_ACCEPT || !c->accepted)) {
		c->has_owner = true;
		c->pid = ev->pid;
		memcpy(c->comm, ev->comm, sizeof(c->comm));
	}
	if (ev->flags & TCPTL_EVF_PORT_PENDING && c->id.sport) {
		ev->sport = c->id.sport;
		ev->saddr = c->id.saddr;
	}
	if (ev->type == TCPTL_EVENT_STATE && !(ev->flags & TCPTL_EVF_PORT_PENDING))
		c->id = *ev;
	else if (!c->id.cookie)
		c->id = *ev;
	if (ev->has_owner && ev->ino)
		c->ino = ev->ino;
	if (ev->has_counters) {
		c->bytes_acked = ev->bytes_acked;
		c->bytes_received = ev->bytes_received;
		c->total_retrans = ev->total_retrans;
	}

	switch (ev->type) {
	case TCPTL_EVENT_RESET_SENT:
		set_first(&c->rst_sent_ns, ev->time_ns);
		return c;
	case TCPTL_EVENT_RESET_RECEIVED:
		set_first(&c->rst_received_ns, ev->time_ns);
		return c;
	case TCPTL_EVENT_TW_OVERFLOW:
		c->tw_overflow = true;
		return c;
	case TCPTL_EVENT_ACCEPT:
		c->accepted = true;
		c->accept_ns = ev->time_ns;
		c->passive = true;
		/* Time in the accept queue, for the tally. */
		if (c->established_ns && ev->time_ns >= c->established_ns) {
			ev->has_prev_ns = true;
			ev->prev_state_ns = ev->time_ns - c->established_ns;
		}
		return c;
	case TCPTL_EVENT_STATE:
		break;
	default:
		return c;
	}

	/* The full socket's FIN_WAIT2/CLOSING->CLOSE after TIME_WAIT began is
	 * the timewait socket taking over, not the end. */
	if (!tw && c->in_timewait && ev->newstate == TCPTL_STATE_CLOSE) {
		ev->superseded = true;
		return c;
	}
	if (c->preexisting && c->nsteps == 1) {
		if (ev->oldstate == TCPTL_STATE_CLOSE || ev->oldstate == TCPTL_STATE_LISTEN) {
			/* It began after the reader subscribed: records tell all. */
			c->preexisting = false;
			c->nsteps = 0;
			c->state = 0;
			c->state_ns = 0;
			c->local_fin_ns = c->peer_fin_ns = 0;
			c->fins_crossed = c->listener = c->in_timewait = false;
		} else if (ev->oldstate != c->state) {
			/* The record knows better than the dump. */
			c->steps[0].state = ev->oldstate;
			c->steps[0].enter_ns = 0;
			c->state = ev->oldstate;
			c->state_ns = 0;
		}
	}
	if (c->state && c->state_ns && ev->oldstate == c->state) {
		ev->has_prev_ns = true;
		ev->prev_state_ns = ev->time_ns - c->state_ns;
	}
	note_transition(c, ev);
	add_step(c, ev);
	c->state = ev->newstate;
	c->state_ns = ev->time_ns;
	if (tw && ev->newstate != TCPTL_STATE_CLOSE) {
		c->tw_enter_ns = ev->time_ns;	/* of the state it ends in */
		c->in_timewait = true;
		c->tw_state = ev->newstate;
		/* Done on this host once both FINs are through; an orphaned
		 * FIN_WAIT2 still waits for the peer's. */
		if (ev->newstate == TCPTL_STATE_TIME_WAIT && t->report_at_timewait &&
		    !c->reported && !c->finished) {
			c->due_at_timewait = true;
			c->tw_steps = c->nsteps;
			finish(t, c, now_ns);
		}
	}
	if (tw && ev->newstate == TCPTL_STATE_CLOSE)
		c->tw_reason = ev->tw_reason;
	if (ev->newstate == TCPTL_STATE_CLOSE) {
		if (ev->error)
			c->close_error = ev->error;
		c->closed = true;
		/* Due at TIME_WAIT entry still waiting for its grace: one pass
		 * hands out both, at the time that was due first. */
		if (!c->finished)
			finish(t, c, now_ns);
	}
	return c;
}

struct tcptl_conn *tcptl_conn_seed(struct tcptl_conn_table *t, const struct tcptl_event *id,
				   uint64_t enter_ns, bool timewait)
{
	struct tcptl_conn *c = lookup(t, id->cookie, true);

	if (!c || c->nsteps)
		return c;	/* records came first: they know more */
	c->id = *id;
	c->preexisting = true;
	c->ino = id->ino;
	c->state = id->newstate;
	c->state_ns = enter_ns;
	c->steps[0].state = id->newstate;
	c->steps[0].enter_ns = enter_ns;
	c->steps[0].flags = timewait ? TCPTL_EVF_TIMEWAIT : 0;
	c->nsteps = 1;
	if (timewait) {
		c->in_timewait = true;
		c->tw_state = id->newstate;
		c->tw_enter_ns = enter_ns;
	}
	/* What the state says of the closing acts so far. */
	switch (id->newstate) {
	case TCPTL_STATE_LISTEN:
		c->listener = true;
		break;
	case TCPTL_STATE_LAST_ACK:
		c->local_fin_ns = TCPTL_BEFORE_START_NS + 1;	/* after the peer's */
		/* fall through */
	case TCPTL_STATE_CLOSE_WAIT:
		c->peer_fin_ns = TCPTL_BEFORE_START_NS;
		break;
	case TCPTL_STATE_CLOSING:
		c->fins_crossed = true;
		/* fall through */
	case TCPTL_STATE_TIME_WAIT:
		/* Only the side whose FIN went first, or both, get here. */
		c->peer_fin_ns = TCPTL_BEFORE_START_NS + 1;
		/* fall through */
	case TCPTL_STATE_FIN_WAIT1:
	case TCPTL_STATE_FIN_WAIT2:
		c->local_fin_ns = TCPTL_BEFORE_START_NS;
		break;
	default:
		break;
	}
	return c;
}
