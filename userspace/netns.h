/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sockets are dumped (inet_diag) and sysctls read in the namespace they
 * belong to. The module's family lives in the initial namespace only, so a
 * reader that looks at a container's sockets stays where it is and opens
 * those descriptors from inside the container's namespace.
 */
#ifndef TCPTL_NETNS_H
#define TCPTL_NETNS_H

#include <stdint.h>

/*
 * Enter the network namespace with this inode (found through a process
 * in it). Returns a descriptor of the namespace we came from, for
 * tcptl_netns_leave, or -errno (-ESRCH: no process is in it).
 */
int tcptl_netns_enter(uint32_t ino);
int tcptl_netns_leave(int saved);

#endif
