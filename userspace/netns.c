// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>

#include "netns.h"

/* In dir, the entries (digits only: pids) whose FMT path has this inode. */
static int open_in(const char *dir, const char *fmt, bool pids, uint32_t ino)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[300];
	int fd = -ESRCH;

	if (!d)
		return -ESRCH;
	while ((e = readdir(d))) {
		struct stat st;

		if (pids ? !isdigit((unsigned char)e->d_name[0]) : e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), fmt, e->d_name);
		if (stat(path, &st) || st.st_ino != ino)
			continue;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			break;
		fd = -errno;
	}
	closedir(d);
	return fd;
}

/* Through a process in it, or a name "ip netns" gave it. */
static int open_netns_of(uint32_t ino)
{
	int fd = open_in("/proc", "/proc/%s/ns/net", true, ino);

	return fd >= 0 ? fd : open_in("/run/netns", "/run/netns/%s", false, ino);
}

int tcptl_netns_enter(uint32_t ino)
{
	int target, saved;

	saved = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (saved < 0)
		return -errno;
	target = open_netns_of(ino);
	if (target < 0) {
		close(saved);
		return target;
	}
	if (setns(target, CLONE_NEWNET)) {
		int err = -errno;

		close(target);
		close(saved);
		return err;
	}
	close(target);
	return saved;
}

int tcptl_netns_leave(int saved)
{
	int err = setns(saved, CLONE_NEWNET) ? -errno : 0;

	close(saved);
	return err;
}
