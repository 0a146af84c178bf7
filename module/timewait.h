/* SPDX-License-Identifier: GPL-2.0 */
/* The hooks on timewait sockets (timewait.c). */
#ifndef _TCPTL_TIMEWAIT_H
#define _TCPTL_TIMEWAIT_H

#include <linux/types.h>

struct sock;

/* Attaches what it can; every hook is optional. */
void tcptl_timewait_init(void);
void tcptl_timewait_exit(void);
u32 tcptl_timewait_hooks(void);
u64 tcptl_timewait_missed(void);
/*
 * True if a timewait socket has just taken sk's place on this CPU: sk's
 * X->CLOSE is then not a transition of the connection (the TIME_WAIT entry
 * record was).
 */
bool tcptl_timewait_took_over(const struct sock *sk, int oldstate);

#endif /* _TCPTL_TIMEWAIT_H */
