// SPDX-License-Identifier: GPL-2.0
/*
 * Filling records, shared by the hooks on full sockets (probe.c) and on
 * timewait sockets (timewait.c). The cheap identity comes first so that the
 * filter can drop a record before its owner and counters are read.
 */

#include <linux/fs.h>
#include <linux/net.h>
#include <linux/rcupdate.h>
#include <linux/sock_diag.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "compat.h"
#include "events.h"
#include "filter.h"
#include "record.h"
#include "ring.h"

bool tcptl_want_record(void)
{
	tcptl_ring_count_seen();
	if (!tcptl_events_listening()) {
		tcptl_ring_count_no_listener();
		return false;
	}
	return true;
}

void tcptl_record_start(struct tcptl_record *rec, u8 type, int oldstate,
			int newstate)
{
	memset(rec, 0, sizeof(*rec));
	rec->time_ns = tcptl_clock_ns();
	rec->type = type;
	rec->oldstate = oldstate;
	rec->newstate = newstate;
}

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
		memcpy(rec->saddr.v6, s6, sizeof(rec->saddr.v6));
		memcpy(rec->daddr.v6, d6, sizeof(rec->daddr.v6));
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

void tcptl_fill_owner(struct tcptl_record *rec, const struct sock *sk)
{
	const struct socket *sock;

	rec->flags |= TCPTL_EVF_OWNER;
	rec->uid = tcptl_sk_uid(sk);
	rcu_read_lock();
	/* The socket inode is freed only after an RCU grace period. */
	sock = READ_ONCE(sk->sk_socket);
	rec->ino = sock ? SOCK_INODE((struct socket *)sock)->i_ino : 0;
	rcu_read_unlock();
}

void tcptl_fill_counters(struct tcptl_record *rec, const struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	u32 unread;

	rec->flags |= TCPTL_EVF_COUNTERS;
	rec->bytes_acked = READ_ONCE(tp->bytes_acked);
	rec->bytes_received = READ_ONCE(tp->bytes_received);
	rec->segs_in = READ_ONCE(tp->segs_in);
	rec->segs_out = READ_ONCE(tp->segs_out);
	rec->total_retrans = READ_ONCE(tp->total_retrans);
	rec->srtt_us = READ_ONCE(tp->srtt_us) >> 3;
	unread = READ_ONCE(tp->rcv_nxt) - READ_ONCE(tp->copied_seq);
	rec->rcv_queue = (int)unread > 0 ? unread : 0;
}

void tcptl_fill_rest(struct tcptl_record *rec, const struct sock *sk,
		     bool counters)
{
	rec->cookie = tcptl_cookie(sk);
	tcptl_fill_task(rec);
	tcptl_fill_owner(rec, sk);
	if (counters)
		tcptl_fill_counters(rec, sk);
}

bool tcptl_record_passes(const struct tcptl_record *rec)
{
	if (tcptl_filter_match(rec))
		return true;
	tcptl_ring_count_filtered();
	return false;
}

bool tcptl_emit(struct tcptl_record *rec)
{
	if (!tcptl_record_passes(rec))
		return false;
	tcptl_ring_push(rec);
	return true;
}
