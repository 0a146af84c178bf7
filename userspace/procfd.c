// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procfd.h"

static void read_comm(int pidfd, char comm[16])
{
	int fd = openat(pidfd, "comm", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, comm, 15);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		n = 0;
	comm[n] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
}

static void add(struct tcptl_procfd *p, uint64_t ino, uint32_t pid, const char *comm)
{
	struct tcptl_fd_owner *o;

	HASH_FIND(hh, p->by_ino, &ino, sizeof(ino), o);
	if (o) {
		if (o->pid != pid)
			o->nprocs++;
		return;
	}
	o = calloc(1, sizeof(*o));
	if (!o)
		return;
	o->ino = ino;
	o->pid = pid;
	o->nprocs = 1;
	memcpy(o->comm, comm, sizeof(o->comm));
	HASH_ADD(hh, p->by_ino, ino, sizeof(o->ino), o);
	p->count++;
}

static void scan_pid(struct tcptl_procfd *p, int procfd, const char *name)
{
	char comm[16], link[64];
	uint32_t pid = (uint32_t)strtoul(name, NULL, 10);
	int pidfd = openat(procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int fdfd;
	DIR *d;
	struct dirent *e;

	if (pidfd < 0)
		return;		/* gone, or not ours to see */
	fdfd = openat(pidfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fdfd < 0 ? NULL : fdopendir(fdfd);
	if (!d) {
		if (fdfd >= 0)
			close(fdfd);
		close(pidfd);
		return;
	}
	comm[0] = '\0';
	while ((e = readdir(d))) {
		ssize_t n = readlinkat(fdfd, e->d_name, link, sizeof(link) - 1);
		uint64_t ino;

		if (n <= 0)
			continue;
		link[n] = '\0';
		if (sscanf(link, "socket:[%" SCNu64 "]", &ino) != 1)
			continue;
		if (!comm[0])
			read_comm(pidfd, comm);
		add(p, ino, pid, comm);
	}
	closedir(d);
	close(pidfd);
}

int tcptl_procfd_scan(struct tcptl_procfd *p, const char *root)
{
	int procfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *e;

	if (procfd < 0)
		return -errno;
	d = fdopendir(dup(procfd));
	if (!d) {
		close(procfd);
		return -errno;
	}
	/* Ascending pid order is readdir's on /proc: the first holder found
	 * is the oldest process, usually the one that accepted the socket. */
	while ((e = readdir(d)))
		if (isdigit((unsigned char)e->d_name[0]))
			scan_pid(p, procfd, e->d_name);
	closedir(d);
	close(procfd);
	return 0;
}

const struct tcptl_fd_owner *tcptl_procfd_find(const struct tcptl_procfd *p, uint64_t ino)
{
	struct tcptl_fd_owner *o;

	HASH_FIND(hh, p->by_ino, &ino, sizeof(ino), o);
	return o;
}

void tcptl_procfd_free(struct tcptl_procfd *p)
{
	struct tcptl_fd_owner *o, *tmp;

	HASH_ITER(hh, p->by_ino, o, tmp) {
		HASH_DEL(p->by_ino, o);
		free(o);
	}
	p->count = 0;
}

const struct tcptl_fd_owner *tcptl_owners_find(struct tcptl_owners *o, uint64_t ino)
{
	if (!ino)
		return NULL;
	if (!o->scanned) {
		tcptl_procfd_scan(&o->fd, o->root ? o->root : "/proc");
		o->scanned = true;
	}
	return tcptl_procfd_find(&o->fd, ino);
}
