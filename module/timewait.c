// SPDX-License-Identifier: GPL-2.0
/*
 * TIME_WAIT, which inet_sock_set_state never reports: tcp_time_wait() makes
 * an inet_timewait_sock by plain assignment and the full socket then just
 * closes. Hooks, each optional (the module loads without them and says so):
 *
 *  - entry: the hash step, inet_twsk_hashdance() up to 6.10 and
 *    inet_twsk_hashdance_schedule() from 6.11; the timewait socket is born
 *    as TIME_WAIT or as an orphaned FIN_WAIT2 (tw_substate);
 *  - FIN_WAIT2 -> TIME_WAIT inside the timewait socket, and the reason for
 *    an early end: tcp_timewait_state_process() sees every segment;
 *  - exit: inet_twsk_kill(), which every hashed timewait socket passes
 *    exactly once (timer, RST/SYN/bad segment, reuse, ss -K, netns exit);
 *  - overflow: inet_twsk_alloc() returning NULL (tcp_max_tw_buckets).
 *
 * A timewait socket keeps its full socket's cookie, so its records join the
 * same timeline.
 */

#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include <net/inet_timewait_sock.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/tcp.h>

#include "events.h"
#include "record.h"
#include "ring.h"
#include "tcp_timeline.h"
#include "timewait.h"

/*
 * Why a timewait socket is being killed, noted by the hooks that run just
 * before inet_twsk_kill() on the same CPU (softirq, or a task with bottom
 * halves off). Valid only for a moment, so a stale note is never used.
 */
struct tcptl_tw_hint {
	const void *key;	/* the timewait socket, or the task */
	u64 time_ns;
	u8 reason;
};

#define TCPTL_HINT_TTL_NS	(10 * NSEC_PER_MSEC)

static DEFINE_PER_CPU(struct tcptl_tw_hint, tcptl_segment_hint);
static DEFINE_PER_CPU(struct tcptl_tw_hint, tcptl_reuse_hint);

static u32 tcptl_tw_attached;

static void tcptl_hint_set(struct tcptl_tw_hint __percpu *hint,
			   const void *key, u8 reason)
{
	struct tcptl_tw_hint *h = get_cpu_ptr(hint);

	h->key = key;
	h->reason = reason;
	h->time_ns = tcptl_clock_ns();
	put_cpu_ptr(hint);
}

static u8 tcptl_hint_get(struct tcptl_tw_hint __percpu *hint, const void *key)
{
	struct tcptl_tw_hint *h = get_cpu_ptr(hint);
	u8 reason = 0;

	if (h->key == key && tcptl_clock_ns() - h->time_ns < TCPTL_HINT_TTL_NS)
		reason = h->reason;
	put_cpu_ptr(hint);
	return reason;
}

/*
 * The full sockets whose timewait socket was just made on this CPU: their
 * own X->CLOSE follows in tcp_done(), on this CPU unless the task migrated
 * in between (then it is sent). A few slots, for softirqs that run between
 * the two in a task's backlog processing.
 */
#define TCPTL_TAKEOVER_SLOTS 4

struct tcptl_takeovers {
	struct tcptl_tw_hint slot[TCPTL_TAKEOVER_SLOTS];
	unsigned int next;
};

static DEFINE_PER_CPU(struct tcptl_takeovers, tcptl_takeovers);

static void tcptl_takeover_note(const struct sock *sk)
{
	struct tcptl_takeovers *t = get_cpu_ptr(&tcptl_takeovers);
	struct tcptl_tw_hint *h = &t->slot[t->next++ % TCPTL_TAKEOVER_SLOTS];

	h->key = sk;
	h->time_ns = tcptl_clock_ns();
	put_cpu_ptr(&tcptl_takeovers);
}

bool tcptl_timewait_took_over(const struct sock *sk, int oldstate)
{
	struct tcptl_takeovers *t;
	bool found = false;
	unsigned int i;

	/* Only these hand over to a timewait socket. */
	if (!(tcptl_tw_attached & TCPTL_HOOK_TW_ENTER) ||
	    (oldstate != TCP_FIN_WAIT2 && oldstate != TCP_CLOSING))
		return false;
	t = get_cpu_ptr(&tcptl_takeovers);
	for (i = 0; i < TCPTL_TAKEOVER_SLOTS; i++) {
		struct tcptl_tw_hint *h = &t->slot[i];

		if (h->key == sk &&
		    tcptl_clock_ns() - h->time_ns < TCPTL_HINT_TTL_NS) {
			h->key = NULL;
			found = true;
			break;
		}
	}
	put_cpu_ptr(&tcptl_takeovers);
	return found;
}

static bool tcptl_tw_is_tcp(const struct inet_timewait_sock *tw)
{
	const struct proto *prot = READ_ONCE(tw->tw_prot);

	return prot && !strncmp(prot->name, "TCP", 3);
}

static void tcptl_tw_fill(struct tcptl_record *rec,
			  const struct inet_timewait_sock *tw)
{
	rec->netns = twsk_net(tw)->ns.inum;
	rec->sport = ntohs(tw->tw_sport);
	rec->dport = ntohs(tw->tw_dport);
	rec->cookie = tcptl_cookie((const struct sock *)tw);
	tcptl_fill_addrs(rec, tw->tw_family,
#if IS_ENABLED(CONFIG_IPV6)
			 &tw->tw_v6_rcv_saddr, &tw->tw_v6_daddr,
#else
			 NULL, NULL,
#endif
			 tw->tw_rcv_saddr, tw->tw_daddr);
}

/* Entry: (tw, sk, hashinfo[, timeo]); tw is filled in, not yet hashed. */
static int tcptl_tw_enter_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct inet_timewait_sock *tw =
		(void *)regs_get_kernel_argument(regs, 0);
	const struct sock *sk = (void *)regs_get_kernel_argument(regs, 1);
	struct tcptl_record rec;
	u64 cookie;

	if (sk->sk_protocol != IPPROTO_TCP || !tcptl_want_record())
		return 0;
	cookie = tcptl_cookie(sk);
	/* A cookie made only now must reach the timewait socket too. */
	atomic64_cmpxchg(&tw->tw_cookie, 0, cookie);
	tcptl_takeover_note(sk);
	tcptl_record_start(&rec, TCPTL_EVENT_STATE, sk->sk_state,
			   READ_ONCE(tw->tw_substate));
	rec.flags = TCPTL_EVF_TIMEWAIT;
	tcptl_fill_identity(&rec, sk);
	if (!tcptl_record_passes(&rec))
		return 0;
	/* The full socket's last word: its counters as it hands over. */
	tcptl_fill_rest(&rec, sk, true);
	tcptl_ring_push(&rec);
	return 0;
}

static int tcptl_tw_exit_pre(struct kprobe *kp, struct pt_regs *regs)
{
	const struct inet_timewait_sock *tw =
		(void *)regs_get_kernel_argument(regs, 0);
	struct tcptl_record rec;
	u8 reason;

	if (!tcptl_tw_is_tcp(tw) || !tcptl_want_record())
		return 0;
	if (in_task()) {
		/* Process context: netns teardown, connect() reuse, ss -K. */
		if (!check_net(twsk_net(tw)))
			reason = TCPTL_TW_REASON_NETNS_EXIT;
		else if (tcptl_hint_get(&tcptl_reuse_hint, current))
			reason = TCPTL_TW_REASON_REUSED;
		else
			reason = TCPTL_TW_REASON_ABORTED;
	} else {
		reason = tcptl_hint_get(&tcptl_segment_hint, tw);
		if (!reason)
			reason = TCPTL_TW_REASON_EXPIRED;
	}

	tcptl_record_start(&rec, TCPTL_EVENT_STATE,
			   READ_ONCE(tw->tw_substate), TCP_CLOSE);
	rec.flags = TCPTL_EVF_TIMEWAIT;
	rec.tw_reason = reason;
	tcptl_tw_fill(&rec, tw);
	tcptl_fill_task(&rec);
	tcptl_emit(&rec);
	return 0;
}

/* tcp_timewait_state_process(tw, skb, th, ...): a segment for a tw socket */
struct tcptl_tw_segment {
	struct inet_timewait_sock *tw;
	u8 substate;
};

static int tcptl_tw_segment_entry(struct kretprobe_instance *ri,
				  struct pt_regs *regs)
{
	struct tcptl_tw_segment *seg = (void *)ri->data;
	const struct tcphdr *th = (void *)regs_get_kernel_argument(regs, 2);
	u8 reason;

	/* Nobody listens: no return probe (it costs a trampoline per segment). */
	if (!tcptl_events_listening())
		return 1;
	reason = th->rst ? TCPTL_TW_REASON_RESET :
		 th->syn ? TCPTL_TW_REASON_SYN : TCPTL_TW_REASON_SEGMENT;
	seg->tw = (void *)regs_get_kernel_argument(regs, 0);
	seg->substate = READ_ONCE(seg->tw->tw_substate);
	tcptl_hint_set(&tcptl_segment_hint, seg->tw, reason);
	return 0;
}

/* The caller still holds its reference on tw here. */
static int tcptl_tw_segment_ret(struct kretprobe_instance *ri,
				struct pt_regs *regs)
{
	const struct tcptl_tw_segment *seg = (void *)ri->data;
	struct tcptl_record rec;

	if (seg->substate != TCP_FIN_WAIT2 ||
	    READ_ONCE(seg->tw->tw_substate) != TCP_TIME_WAIT ||
	    !tcptl_tw_is_tcp(seg->tw) || !tcptl_want_record())
		return 0;
	tcptl_record_start(&rec, TCPTL_EVENT_STATE, TCP_FIN_WAIT2,
			   TCP_TIME_WAIT);
	rec.flags = TCPTL_EVF_TIMEWAIT;
	tcptl_tw_fill(&rec, seg->tw);
	tcptl_emit(&rec);
	return 0;
}

/* connect() looking for a 4-tuple may take one over from a tw socket. */
static int tcptl_check_established_pre(struct kprobe *kp,
				       struct pt_regs *regs)
{
	/* Every connect() passes here: nothing to note for nobody. */
	if (tcptl_events_listening())
		tcptl_hint_set(&tcptl_reuse_hint, current,
			       TCPTL_TW_REASON_REUSED);
	return 0;
}

/* inet_twsk_alloc(sk, death_row, state) */
struct tcptl_tw_alloc {
	const struct sock *sk;
};

static int tcptl_tw_alloc_entry(struct kretprobe_instance *ri,
				struct pt_regs *regs)
{
	struct tcptl_tw_alloc *a = (void *)ri->data;

	if (!tcptl_events_listening())
		return 1;
	a->sk = (void *)regs_get_kernel_argument(regs, 0);
	return 0;
}

static int tcptl_tw_alloc_ret(struct kretprobe_instance *ri,
			      struct pt_regs *regs)
{
	const struct tcptl_tw_alloc *a = (void *)ri->data;
	struct tcptl_record rec;

	if (regs_return_value(regs) ||
	    a->sk->sk_protocol != IPPROTO_TCP || !tcptl_want_record())
		return 0;
	tcptl_record_start(&rec, TCPTL_EVENT_TW_OVERFLOW, a->sk->sk_state,
			   a->sk->sk_state);
	tcptl_fill_identity(&rec, a->sk);
	if (!tcptl_record_passes(&rec))
		return 0;
	tcptl_fill_rest(&rec, a->sk, false);
	tcptl_ring_push(&rec);
	return 0;
}

static struct kprobe tcptl_tw_enter_kp[] = {
	{ .symbol_name = "inet_twsk_hashdance_schedule",
	  .pre_handler = tcptl_tw_enter_pre },
	{ .symbol_name = "inet_twsk_hashdance",
	  .pre_handler = tcptl_tw_enter_pre },
};

static struct kprobe tcptl_tw_exit_kp = {
	.symbol_name = "inet_twsk_kill",
	.pre_handler = tcptl_tw_exit_pre,
};

static struct kprobe tcptl_reuse_kp[] = {
	{ .symbol_name = "__inet_check_established",
	  .pre_handler = tcptl_check_established_pre },
	{ .symbol_name = "__inet6_check_established",
	  .pre_handler = tcptl_check_established_pre },
};

static struct kretprobe tcptl_tw_segment_krp = {
	.kp.symbol_name	= "tcp_timewait_state_process",
	.entry_handler	= tcptl_tw_segment_entry,
	.handler	= tcptl_tw_segment_ret,
	.data_size	= sizeof(struct tcptl_tw_segment),
};

static struct kretprobe tcptl_tw_alloc_krp = {
	.kp.symbol_name	= "inet_twsk_alloc",
	.entry_handler	= tcptl_tw_alloc_entry,
	.handler	= tcptl_tw_alloc_ret,
	.data_size	= sizeof(struct tcptl_tw_alloc),
};

static struct kprobe *tcptl_tw_enter_attached;
static bool tcptl_segment_attached;
static unsigned int tcptl_reuse_attached;

u32 tcptl_timewait_hooks(void)
{
	return tcptl_tw_attached;
}

u64 tcptl_timewait_missed(void)
{
	u64 missed = 0;

	if (tcptl_segment_attached)
		missed += tcptl_tw_segment_krp.nmissed;
	if (tcptl_tw_attached & TCPTL_HOOK_TW_OVERFLOW)
		missed += tcptl_tw_alloc_krp.nmissed;
	return missed;
}

void tcptl_timewait_init(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tcptl_tw_enter_kp); i++) {
		if (!register_kprobe(&tcptl_tw_enter_kp[i])) {
			tcptl_tw_enter_attached = &tcptl_tw_enter_kp[i];
			tcptl_tw_attached |= TCPTL_HOOK_TW_ENTER;
			break;
		}
	}
	if (!tcptl_tw_enter_attached)
		pr_warn("cannot probe inet_twsk_hashdance*: no TIME_WAIT entry events\n");

	/* Without the reason hooks, exits still come, as timer expiry. */
	tcptl_segment_attached = !register_kretprobe(&tcptl_tw_segment_krp);
	for (i = 0; i < ARRAY_SIZE(tcptl_reuse_kp); i++)
		if (!register_kprobe(&tcptl_reuse_kp[i]))
			tcptl_reuse_attached |= BIT(i);
	if (!tcptl_segment_attached || !(tcptl_reuse_attached & BIT(0)))
		pr_warn("TIME_WAIT end reasons are incomplete\n");

	if (!register_kprobe(&tcptl_tw_exit_kp))
		tcptl_tw_attached |= TCPTL_HOOK_TW_EXIT;
	else
		pr_warn("cannot probe inet_twsk_kill: no TIME_WAIT exit events\n");

	if (!register_kretprobe(&tcptl_tw_alloc_krp))
		tcptl_tw_attached |= TCPTL_HOOK_TW_OVERFLOW;
	else
		pr_warn("cannot probe inet_twsk_alloc: no TIME_WAIT overflow events\n");
}

void tcptl_timewait_exit(void)
{
	unsigned int i;

	if (tcptl_tw_attached & TCPTL_HOOK_TW_OVERFLOW)
		unregister_kretprobe(&tcptl_tw_alloc_krp);
	if (tcptl_tw_attached & TCPTL_HOOK_TW_EXIT)
		unregister_kprobe(&tcptl_tw_exit_kp);
	for (i = 0; i < ARRAY_SIZE(tcptl_reuse_kp); i++)
		if (tcptl_reuse_attached & BIT(i))
			unregister_kprobe(&tcptl_reuse_kp[i]);
	if (tcptl_segment_attached)
		unregister_kretprobe(&tcptl_tw_segment_krp);
	if (tcptl_tw_enter_attached)
		unregister_kprobe(tcptl_tw_enter_attached);
	tcptl_tw_attached = 0;
	tcptl_reuse_attached = 0;
	tcptl_segment_attached = false;
	tcptl_tw_enter_attached = NULL;
}
