/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which process holds a socket: socket inode to pid and comm, by reading
 * /proc/PID/fd links (as ss -p does). Needed for sockets whose transitions
 * all ran in softirq (a CLOSE_WAIT server child never names its owner).
 */
#ifndef TCPTL_PROCFD_H
#define TCPTL_PROCFD_H

#include <stdbool.h>
#include <stdint.h>
#include <uthash.h>

struct tcptl_fd_owner {
	uint64_t ino;
	uint32_t pid;		/* the first process found holding it */
	uint32_t nprocs;	/* how many hold it (shared after fork) */
	char comm[16];
	UT_hash_handle hh;
};

struct tcptl_procfd {
	struct tcptl_fd_owner *by_ino;
	unsigned int count;
};

/* Scan /proc (root: "/proc", or another tree in tests); 0 or -errno. */
int tcptl_procfd_scan(struct tcptl_procfd *p, const char *root);
const struct tcptl_fd_owner *tcptl_procfd_find(const struct tcptl_procfd *p, uint64_t ino);
void tcptl_procfd_free(struct tcptl_procfd *p);

/* Owners looked up on demand: /proc is scanned at the first lookup only. */
struct tcptl_owners {
	struct tcptl_procfd fd;
	const char *root;	/* "/proc" */
	bool scanned;
};

const struct tcptl_fd_owner *tcptl_owners_find(struct tcptl_owners *o, uint64_t ino);

#endif
