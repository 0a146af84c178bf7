// SPDX-License-Identifier: GPL-2.0
/*
 * The hooks on full sockets: the inet_sock_set_state tracepoint, the reset
 * tracepoints, a kprobe on tcp_connect() and a return probe on
 * inet_csk_accept(). They fill a record on the stack, its identity first,
 * apply the filter, read the owner and counters only for what passes, and
 * push it into this CPU's buffer. They never sleep, allocate or take a lock.
 */

#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/tracepoint.h>
#include <net/inet_sock.h>
#include <net/tcp.h>

#include "compat.h"
#include "events.h"
#include "probe.h"
#include "record.h"
#include "ring.h"
#include "tcp_timeline.h"
#include "timewait.h"

/* A record about sk itself, made by a hook that may read it whole. */
static void tcptl_record_sock(const struct sock *sk, u8 type, int oldstate,
			      int newstate, bool counters)
{
	struct tcptl_record rec;

	tcptl_record_start(&rec, type, oldstate, newstate);
	tcptl_fill_identity(&rec, sk);
	if (!tcptl_record_passes(&rec))
		return;
	tcptl_fill_rest(&rec, sk, counters);
	tcptl_ring_push(&rec);
}

static u32 tcptl_attached;

/* The tracepoints fire for SCTP, MPTCP and DCCP sockets too. */
static bool tcptl_wanted(const struct sock *sk)
{
	return sk && sk->sk_protocol == IPPROTO_TCP && tcptl_want_record();
}

/*
 * A passive child's LISTEN->SYN_RECV fires before the child has its own
 * addresses, ports and cookie (up to 6.14). Its next transition follows on
 * the same CPU in the same softirq, so the record waits here, keyed by the
 * socket (never sent), and takes its identity from that transition. A few
 * slots allow for softirqs that run in preemptible threads (PREEMPT_RT).
 */
#define TCPTL_HELD_SLOTS 4

struct tcptl_held {
	const struct sock *sk[TCPTL_HELD_SLOTS];
	struct tcptl_record rec[TCPTL_HELD_SLOTS];
	unsigned int next;	/* slot to evict when all are in use */
};

static DEFINE_PER_CPU(struct tcptl_held, tcptl_held);

/* Called with interrupts off; next has the identity of sk's transition. */
static void tcptl_held_resolve(struct tcptl_held *h, const struct sock *sk,
			       const struct tcptl_record *next)
{
	unsigned int i;

	for (i = 0; i < TCPTL_HELD_SLOTS; i++) {
		struct tcptl_record *rec = &h->rec[i];

		if (h->sk[i] != sk)
			continue;
		rec->cookie = tcptl_cookie(sk);
		rec->netns = next->netns;
		rec->family = next->family;
		rec->saddr = next->saddr;
		rec->daddr = next->daddr;
		rec->sport = next->sport;
		rec->dport = next->dport;
		rec->flags |= TCPTL_EVF_CHILD_IDENTITY |
			      (next->flags & TCPTL_EVF_V4MAPPED);
		h->sk[i] = NULL;
		tcptl_emit(rec);
	}
}

static void tcptl_held_add(struct tcptl_held *h, const struct sock *sk,
			   const struct tcptl_record *rec)
{
	unsigned int i, slot = h->next;

	for (i = 0; i < TCPTL_HELD_SLOTS; i++) {
		if (!h->sk[i]) {
			slot = i;
			break;
		}
	}
	if (h->sk[slot]) {	/* all in use: let the oldest go as it is */
		tcptl_emit(&h->rec[slot]);
		h->next = (slot + 1) % TCPTL_HELD_SLOTS;
	}
	h->sk[slot] = sk;
	h->rec[slot] = *rec;
}

/* At unload, after the hooks are gone: nothing can resolve them now. */
static void tcptl_held_release(void)
{
	unsigned int cpu, i;

	for_each_possible_cpu(cpu) {
		struct tcptl_held *h = per_cpu_ptr(&tcptl_held, cpu);

		for (i = 0; i < TCPTL_HELD_SLOTS; i++) {
			if (h->sk[i])
				tcptl_emit(&h->rec[i]);
			h->sk[i] = NULL;
		}
	}
}

/* Listeners keep no connection counters. */
static bool tcptl_has_counters(int oldstate, int newstate)
{
	return oldstate != TCP_LISTEN && newstate != TCP_LISTEN;
}

static void tcptl_probe_set_state(void *data, const struct sock *sk,
				  const int oldstate, const int newstate)
{
	struct tcptl_record rec;
	unsigned long flags;
	bool child_birth = oldstate == TCP_LISTEN && newstate == TCP_SYN_RECV;
	bool pass = false;

	/* The tracepoint also fires for "transitions" to the same state
	 * (CLOSING -> CLOSING in a simultaneous close): not a transition.
	 */
	if (oldstate == newstate || !sk || sk->sk_protocol != IPPROTO_TCP)
		return;
	/* tcp_connect()'s probe makes this record, with the local port. */
	if (oldstate == TCP_CLOSE && newstate == TCP_SYN_SENT &&
	    (tcptl_attached & TCPTL_HOOK_CONNECT))
		return;
	/* The timewait socket's record was this transition. */
	if (newstate == TCP_CLOSE && tcptl_timewait_took_over(sk, oldstate))
		return;
	if (!tcptl_want_record())
		return;
	tcptl_record_start(&rec, TCPTL_EVENT_STATE, oldstate, newstate);
	tcptl_fill_identity(&rec, sk);
	if (oldstate == TCP_CLOSE && newstate == TCP_SYN_SENT)
		rec.flags |= TCPTL_EVF_PORT_PENDING;
	/* Why it closed: tcp_reset() and tcp_write_err() set it first. */
	if (newstate == TCP_CLOSE)
		rec.error = min_t(int, READ_ONCE(sk->sk_err), U8_MAX);

	/*
	 * Filled before interrupts go off: only the held slots and the order
	 * of the pushes (a held child's record first) need that.
	 */
	if (child_birth) {
		/* filtered once its identity is known */
		tcptl_fill_task(&rec);
		tcptl_fill_owner(&rec, sk);
	} else {
		pass = tcptl_record_passes(&rec);
		if (pass)
			tcptl_fill_rest(&rec, sk,
					tcptl_has_counters(oldstate, newstate));
	}

	local_irq_save(flags);
	tcptl_held_resolve(this_cpu_ptr(&tcptl_held), sk, &rec);
	if (child_birth)
		tcptl_held_add(this_cpu_ptr(&tcptl_held), sk, &rec);
	else if (pass)
		tcptl_ring_push(&rec);
	local_irq_restore(flags);
}

static void tcptl_probe_reset(const struct sock *sk, u8 type)
{
	/* Resets for no socket, request or timewait sockets: not ours. */
	if (!sk || !sk_fullsock(sk) || !tcptl_wanted(sk))
		return;
	tcptl_record_sock(sk, type, sk->sk_state, sk->sk_state, false);
}

static void tcptl_probe_send_reset(void *data, TCPTL_SEND_RESET_ARGS)
{
	tcptl_probe_reset(sk, TCPTL_EVENT_RESET_SENT);
}

static void tcptl_probe_receive_reset(void *data, struct sock *sk)
{
	tcptl_probe_reset(sk, TCPTL_EVENT_RESET_RECEIVED);
}

/*
 * tcp_connect() runs once connect() has chosen the local port, before the
 * SYN is sent: the SYN_SENT record, with its port.
 */
static int tcptl_connect_pre(struct kprobe *kp, struct pt_regs *regs)
{
	const struct sock *sk = (const struct sock *)regs_get_kernel_argument(regs, 0);

	if (tcptl_wanted(sk))
		tcptl_record_sock(sk, TCPTL_EVENT_STATE, TCP_CLOSE, TCP_SYN_SENT,
				  true);
	return 0;
}

static struct kprobe tcptl_connect_kp = {
	.symbol_name	= "tcp_connect",
	.pre_handler	= tcptl_connect_pre,
};

/*
 * inet_csk_accept() returns the child in the task that accepts it, on every
 * kernel (its arguments changed in 6.10; only the return value is read):
 * the one moment a passive connection meets its owner.
 */
static int tcptl_accept_entry(struct kretprobe_instance *ri,
			      struct pt_regs *regs)
{
	/* Nobody listens: no return probe taken. */
	return tcptl_events_listening() ? 0 : 1;
}

static int tcptl_accept_ret(struct kretprobe_instance *ri,
			    struct pt_regs *regs)
{
	const struct sock *sk = (const struct sock *)regs_return_value(regs);
	int state;

	if (!tcptl_wanted(sk))
		return 0;
	state = READ_ONCE(sk->sk_state);
	tcptl_record_sock(sk, TCPTL_EVENT_ACCEPT, state, state, true);
	return 0;
}

/*
 * Every task blocked in accept() holds an instance until it returns: enough
 * for large thread pools; those beyond are counted (nmissed).
 */
static struct kretprobe tcptl_accept_krp = {
	.kp.symbol_name	= "inet_csk_accept",
	.entry_handler	= tcptl_accept_entry,
	.handler	= tcptl_accept_ret,
	.maxactive	= 1024,
};

u64 tcptl_probe_missed(void)
{
	return (tcptl_attached & TCPTL_HOOK_ACCEPT) ? tcptl_accept_krp.nmissed : 0;
}

struct tcptl_tracepoint {
	const char *name;
	void *probe;
	u32 hook;
	struct tracepoint *tp;
};

static struct tcptl_tracepoint tcptl_tracepoints[] = {
	{ "inet_sock_set_state", tcptl_probe_set_state, TCPTL_HOOK_SET_STATE },
	{ "tcp_send_reset", tcptl_probe_send_reset, TCPTL_HOOK_SEND_RESET },
	{ "tcp_receive_reset", tcptl_probe_receive_reset, TCPTL_HOOK_RECV_RESET },
};

/* The tracepoints are not exported to modules: find them by name. */
static void tcptl_find_tracepoint(struct tracepoint *tp, void *priv)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tcptl_tracepoints); i++)
		if (!strcmp(tp->name, tcptl_tracepoints[i].name))
			tcptl_tracepoints[i].tp = tp;
}

u32 tcptl_probe_hooks(void)
{
	return tcptl_attached;
}

static void tcptl_detach_tracepoints(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tcptl_tracepoints); i++) {
		struct tcptl_tracepoint *t = &tcptl_tracepoints[i];

		if (tcptl_attached & t->hook)
			tracepoint_probe_unregister(t->tp, t->probe, NULL);
	}
	tcptl_attached &= ~(TCPTL_HOOK_SET_STATE | TCPTL_HOOK_SEND_RESET |
			    TCPTL_HOOK_RECV_RESET);
}

int tcptl_probe_init(void)
{
	unsigned int i;
	int err;

	for_each_kernel_tracepoint(tcptl_find_tracepoint, NULL);
	for (i = 0; i < ARRAY_SIZE(tcptl_tracepoints); i++) {
		struct tcptl_tracepoint *t = &tcptl_tracepoints[i];

		if (!t->tp) {
			pr_warn("tracepoint %s not found\n", t->name);
			continue;
		}
		err = tracepoint_probe_register(t->tp, t->probe, NULL);
		if (err) {
			pr_warn("cannot attach to tracepoint %s: %d\n", t->name, err);
			continue;
		}
		tcptl_attached |= t->hook;
	}
	if (!(tcptl_attached & TCPTL_HOOK_SET_STATE)) {
		pr_err("inet_sock_set_state is required\n");
		err = -ENOENT;
		goto err_detach;
	}

	err = register_kprobe(&tcptl_connect_kp);
	if (err)
		pr_warn("cannot probe tcp_connect (%d): SYN_SENT will show local port 0\n",
			err);
	else
		tcptl_attached |= TCPTL_HOOK_CONNECT;

	err = register_kretprobe(&tcptl_accept_krp);
	if (err)
		pr_warn("cannot probe inet_csk_accept (%d): accepted connections have no owner\n",
			err);
	else
		tcptl_attached |= TCPTL_HOOK_ACCEPT;
	return 0;

err_detach:
	tcptl_detach_tracepoints();
	tracepoint_synchronize_unregister();
	return err;
}

void tcptl_probe_exit(void)
{
	if (tcptl_attached & TCPTL_HOOK_ACCEPT)
		unregister_kretprobe(&tcptl_accept_krp);
	if (tcptl_attached & TCPTL_HOOK_CONNECT)
		unregister_kprobe(&tcptl_connect_kp);
	tcptl_attached &= ~(TCPTL_HOOK_CONNECT | TCPTL_HOOK_ACCEPT);
	tcptl_detach_tracepoints();
	/* No hook runs after this. */
	tracepoint_synchronize_unregister();
	tcptl_held_release();
}
