/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only place that knows how kernels differ. Kbuild turns probes of the
 * target kernel's headers into TCPTL_HAVE_* macros; this file turns those
 * into a few names the rest of the module uses as if for one kernel.
 */
#ifndef _TCPTL_COMPAT_H
#define _TCPTL_COMPAT_H

#include <linux/hrtimer.h>
#include <linux/uidgid.h>
#include <net/genetlink.h>
#include <net/sock.h>

/*
 * Who may join the events group: CAP_NET_ADMIN. Older kernels let anyone
 * join a generic netlink group unless it says otherwise; fail closed where
 * the kernel offers no way to say it.
 */
#if defined(TCPTL_HAVE_GENL_MCAST_CAP_NET_ADMIN)
#define TCPTL_MCGRP_FLAGS	GENL_MCAST_CAP_NET_ADMIN
#elif defined(TCPTL_HAVE_GENL_MCGRP_FLAGS)
#define TCPTL_MCGRP_FLAGS	GENL_UNS_ADMIN_PERM
#else
#error "this kernel cannot restrict generic netlink multicast groups"
#endif

/* tcp_send_reset gained a reason argument in 6.10. */
#ifdef TCPTL_HAVE_SEND_RESET_REASON
#define TCPTL_SEND_RESET_ARGS \
	const struct sock *sk, const struct sk_buff *skb, \
	const enum sk_rst_reason reason
#else
#define TCPTL_SEND_RESET_ARGS \
	const struct sock *sk, const struct sk_buff *skb
#endif

static inline uid_t tcptl_sk_uid(const struct sock *sk)
{
#ifdef TCPTL_HAVE_SK_UID_HELPER
	return from_kuid_munged(&init_user_ns, sk_uid(sk));
#else
	return from_kuid_munged(&init_user_ns, READ_ONCE(sk->sk_uid));
#endif
}

/* A relative CLOCK_MONOTONIC timer: hrtimer_setup() replaced
 * hrtimer_init() and the separate .function in 6.13.
 */
static inline void tcptl_hrtimer_setup(struct hrtimer *timer,
				       enum hrtimer_restart (*fn)(struct hrtimer *))
{
#ifdef TCPTL_HAVE_HRTIMER_SETUP
	hrtimer_setup(timer, fn, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
#else
	hrtimer_init(timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	timer->function = fn;
#endif
}

#endif /* _TCPTL_COMPAT_H */
