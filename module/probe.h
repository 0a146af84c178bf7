/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPTL_PROBE_H
#define _TCPTL_PROBE_H

#include <net/sock.h>
#include "record.h"

int tcptl_probe_init(void);
void tcptl_probe_exit(void);
void tcptl_probe_hooks(u32 *attached, u32 *missing);
/* Return probes that could not run (all instances busy), since load. */
u64 tcptl_probe_missed(void);

/* Shared with timewait.c: fill and emit records. */
void tcptl_fill_addrs(struct tcptl_record *rec, unsigned short family,
		      const struct in6_addr *s6, const struct in6_addr *d6,
		      __be32 s4, __be32 d4);
void tcptl_fill_identity(struct tcptl_record *rec, const struct sock *sk);
void tcptl_fill_task(struct tcptl_record *rec);
void tcptl_emit(struct tcptl_record *rec);
u64 tcptl_cookie(const struct sock *sk);
bool tcptl_want_record(void);

int tcptl_timewait_init(void);
void tcptl_timewait_exit(void);
u32 tcptl_timewait_hooks(void);
u64 tcptl_timewait_missed(void);

#endif /* _TCPTL_PROBE_H */
