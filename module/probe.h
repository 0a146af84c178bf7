/* SPDX-License-Identifier: GPL-2.0 */
/* The hooks on full sockets (probe.c). */
#ifndef _TCPTL_PROBE_H
#define _TCPTL_PROBE_H

#include <linux/types.h>

#include "tcp_timeline.h"

/* Every hook of enum tcptl_hook, these and timewait.c's. */
#define TCPTL_HOOKS_ALL	(TCPTL_HOOK_SET_STATE | TCPTL_HOOK_CONNECT | \
			 TCPTL_HOOK_SEND_RESET | TCPTL_HOOK_RECV_RESET | \
			 TCPTL_HOOK_TW_ENTER | TCPTL_HOOK_TW_EXIT | \
			 TCPTL_HOOK_TW_OVERFLOW | TCPTL_HOOK_ACCEPT)

int tcptl_probe_init(void);
void tcptl_probe_exit(void);
/* enum tcptl_hook bits of the hooks attached */
u32 tcptl_probe_hooks(void);
/* return probe runs that could not happen (no free instance) */
u64 tcptl_probe_missed(void);

#endif /* _TCPTL_PROBE_H */
