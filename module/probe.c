// SPDX-License-Identifier: GPL-2.0
/*
 * The hooks on full sockets: the inet_sock_set_state tracepoint, the reset
 * tracepoints, a kprobe on tcp_connect() and a return probe on
 * inet_csk_accept(). They fill a record on the
 * stack, apply the filter and push it into this CPU's buffer. They never
 * sleep, allocate or take a lock.
 */

#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/tracepoint.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/tcp.h>
#include <linux/sock_diag.h>

#include "compat.h"
#include "filter.h"
#include "netlink.h"
#include "probe.h"
#include "ring.h"
#include "tcp_timeline.h"

u64 tcptl_cookie(const struct sock *sk)
{
	u32 c[2];

	/* The cookie inet_diag, ss -e and SO_COOKIE show; made on first use. */
	sock_diag_save_cookie((struct sock *)sk, c);
	return (u64)c[1] << 32 | c[0];
}

/*
 * An IPv6 socket talking to an IPv4 peer (v4-mapped) is shown as IPv4, with
 * the addresses the IPv4 code keeps for it.
 */
void tcptl_fill_addrs(struct tcptl_record *rec, unsigned short family,
		      const struct in6_addr *s6, const struct in6_addr *d6,
		      __be32 s4, __be32 d4)
{
#if IS_ENABLED(CONFIG_IPV6)
	if (family == AF_INET6 && !ipv6_addr_v4mapped(d6) &&
	    !(ipv6_addr_any(d6) && ipv6_addr_v4mapped(s6))) {
		rec->family = AF_INET6;
		rec->saddr.v6 = *s6;
		rec->daddr.v6 = *d6;
		return;
	}
	if (family == AF_INET6)
		rec->flags |= TCPTL_EVF_V4MAPPED;
#endif
	rec->family = AF_INET;
	rec->saddr.v4 = s4;
	rec->daddr.v4 = d4;
}

void tcptl_fill_identity(struct tcptl_record *rec, const struct sock *sk)
{
	rec->netns = sock_net(sk)->ns.inum;
	rec->sport = ntohs(READ_ONCE(inet_sk(sk)->inet_sport));
	rec->dport = ntohs(READ_ONCE(sk->sk_dport));
	tcptl_fill_addrs(rec, sk->sk_family,
#if IS_ENABLED(CONFIG_IPV6)
			 &sk->sk_v6_rcv_saddr, &sk->sk_v6_daddr,
#else
			 NULL, NULL,
#endif
			 READ_ONCE(sk->sk_rcv_saddr), READ_ONCE(sk->sk_daddr));
}

/*
 * Only a transition made by a system call names a task: in softirq the
 * current task was merely interrupted.
 */
void tcptl_fill_task(struct tcptl_record *rec)
{
	if (!in_task())
		return;
	rec->flags |= TCPTL_EVF_TASK_CONTEXT;
	rec->pid = task_tgid_nr(current);
	memcpy(rec->comm, current->comm, sizeof(rec->comm));
	rec->comm[sizeof(rec->comm) - 1] = '\0';
}

static void tcptl_fill_tcp_info(struct tcptl_record *rec, const struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	const struct socket *sock;
	u32 unread;

	rec->has_tcp_info = true;
	rec->uid = tcptl_sk_uid(sk);
	rcu_read_lock();
	/* The socket inode is freed only after an RCU grace period. */
	sock = READ_ONCE(sk->sk_socket);
	rec->ino = sock ? SOCK_INODE((struct socket *)sock)->i_ino : 0;
	rcu_read_unlock();
	rec->bytes_acked = READ_ONCE(tp->bytes_acked);
	rec->bytes_received = READ_ONCE(tp->bytes_received);
	rec->segs_in = READ_ONCE(tp->segs_in);
	rec->segs_out = READ_ONCE(tp->segs_out);
	rec->total_retrans = READ_ONCE(tp->total_retrans);
	rec->srtt_us = READ_ONCE(tp->srtt_us) >> 3;
	unread = READ_ONCE(tp->rcv_nxt) - READ_ONCE(tp->copied_seq);
	rec->rcv_queue = (int)unread > 0 ? unread : 0;
}

static void tcptl_fill(struct tcptl_record *rec, const struct sock *sk,
		       u8 type, int oldstate, int newstate)
{
	memset(rec, 0, sizeof(*rec));
	rec->time_ns = tcptl_clock_ns();
	rec->type = type;
	rec->oldstate = oldstate;
	rec->newstate = newstate;
	tcptl_fill_identity(rec, sk);
	tcptl_fill_task(rec);
	tcptl_fill_tcp_info(rec, sk);
}

void tcptl_emit(struct tcptl_record *rec)
{
	if (!tcptl_filter_match(rec)) {
		tcptl_ring_count_filtered();
		return;
	}
	tcptl_ring_push(rec);
}

/* First steps of every hook on a TCP socket: count, and do nothing more
 * while nobody listens.
 */
bool tcptl_want_record(void)
{
	tcptl_ring_count_seen();
	if (!tcptl_netlink_listening()) {
		tcptl_ring_count_no_listener();
		return false;
	}
	return true;
}

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

/* Called with interrupts off. */
static void tcptl_held_resolve(struct tcptl_held *h, const struct sock *sk,
			       const struct tcptl_record *next)
{
	unsigned int i;

	for (i = 0; i < TCPTL_HELD_SLOTS; i++) {
		struct tcptl_record *rec = &h->rec[i];

		if (h->sk[i] != sk)
			continue;
		rec->cookie = next->cookie;
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

static void tcptl_probe_set_state(void *data, const struct sock *sk,
				  const int oldstate, const int newstate)
{
	struct tcptl_record rec;
	unsigned long flags;
	bool child_birth = oldstate == TCP_LISTEN && newstate == TCP_SYN_RECV;

	/* The tracepoint also fires for "transitions" to the same state
	 * (CLOSING -> CLOSING in a simultaneous close): not a transition.
	 */
	if (oldstate == newstate || !tcptl_wanted(sk))
		return;
	tcptl_fill(&rec, sk, TCPTL_EVENT_STATE, oldstate, newstate);
	if (!child_birth)
		rec.cookie = tcptl_cookie(sk);
	if (oldstate == TCP_CLOSE && newstate == TCP_SYN_SENT)
		rec.flags |= TCPTL_EVF_PORT_PENDING;

	local_irq_save(flags);
	tcptl_held_resolve(this_cpu_ptr(&tcptl_held), sk, &rec);
	if (child_birth)
		tcptl_held_add(this_cpu_ptr(&tcptl_held), sk, &rec);
	else
		tcptl_emit(&rec);
	local_irq_restore(flags);
}

static void tcptl_probe_reset(const struct sock *sk, u8 type)
{
	struct tcptl_record rec;

	/* Resets for no socket, request or timewait sockets: not ours. */
	if (!sk || !sk_fullsock(sk) || !tcptl_wanted(sk))
		return;
	tcptl_fill(&rec, sk, type, sk->sk_state, sk->sk_state);
	rec.cookie = tcptl_cookie(sk);
	tcptl_emit(&rec);
}

static void tcptl_probe_send_reset(void *data, TCPTL_SEND_RESET_ARGS)
{
	tcptl_probe_reset(sk, TCPTL_EVENT_RESET_SENT);
}

static void tcptl_probe_receive_reset(void *data, struct sock *sk)
{
	tcptl_probe_reset(sk, TCPTL_EVENT_RESET_RECEIVED);
}

/* tcp_connect() runs once connect() has chosen the local port. */
static int tcptl_connect_pre(struct kprobe *kp, struct pt_regs *regs)
{
	const struct sock *sk = (const struct sock *)regs_get_kernel_argument(regs, 0);
	struct tcptl_record rec;

	if (!tcptl_wanted(sk))
		return 0;
	tcptl_fill(&rec, sk, TCPTL_EVENT_PORT, sk->sk_state, sk->sk_state);
	rec.cookie = tcptl_cookie(sk);
	tcptl_emit(&rec);
	return 0;
}

static struct kprobe tcptl_connect_kp = {
	.symbol_name	= "tcp_connect",
	.pre_handler	= tcptl_connect_pre,
};

static u32 tcptl_attached;

/*
 * inet_csk_accept() returns the child in the task that accepts it, on every
 * kernel (its arguments changed in 6.10; only the return value is read):
 * the one moment a passive connection meets its owner.
 */
static int tcptl_accept_entry(struct kretprobe_instance *ri,
			      struct pt_regs *regs)
{
	/* Nobody listens: no return probe taken. */
	return tcptl_netlink_listening() ? 0 : 1;
}

static int tcptl_accept_ret(struct kretprobe_instance *ri,
			    struct pt_regs *regs)
{
	const struct sock *sk = (const struct sock *)regs_return_value(regs);
	struct tcptl_record rec;
	int state;

	if (!tcptl_wanted(sk))
		return 0;
	state = READ_ONCE(sk->sk_state);
	tcptl_fill(&rec, sk, TCPTL_EVENT_ACCEPT, state, state);
	rec.cookie = tcptl_cookie(sk);
	tcptl_emit(&rec);
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
	u64 missed = tcptl_timewait_missed();

	if (tcptl_attached & TCPTL_HOOK_ACCEPT)
		missed += tcptl_accept_krp.nmissed;
	return missed;
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

void tcptl_probe_hooks(u32 *attached, u32 *missing)
{
	u32 all = TCPTL_HOOK_SET_STATE | TCPTL_HOOK_CONNECT |
		  TCPTL_HOOK_SEND_RESET | TCPTL_HOOK_RECV_RESET |
		  TCPTL_HOOK_TW_ENTER | TCPTL_HOOK_TW_EXIT |
		  TCPTL_HOOK_TW_OVERFLOW | TCPTL_HOOK_ACCEPT;

	*attached = tcptl_attached | tcptl_timewait_hooks();
	*missing = all & ~*attached;
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

	tcptl_timewait_init();
	return 0;

err_detach:
	tcptl_detach_tracepoints();
	tracepoint_synchronize_unregister();
	return err;
}

void tcptl_probe_exit(void)
{
	tcptl_timewait_exit();
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
