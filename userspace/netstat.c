// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netstat.h"

const char *const tcptl_tcpext_names[TCPTL_TCPEXT_COUNTERS] = {
	[TCPTL_TCPEXT_OVERFLOWS] = "ListenOverflows",
	[TCPTL_TCPEXT_DROPS] = "ListenDrops",
	[TCPTL_TCPEXT_SYNCOOKIES] = "SyncookiesSent",
	[TCPTL_TCPEXT_REQQ_FULL] = "TCPReqQFullDrop",
};

static int counter_of(const char *name, size_t len)
{
	for (int i = 0; i < TCPTL_TCPEXT_COUNTERS; i++)
		if (strlen(tcptl_tcpext_names[i]) == len &&
		    !memcmp(tcptl_tcpext_names[i], name, len))
			return i;
	return -1;
}

/* The file pairs a line of names with a line of values, per protocol. */
int tcptl_netstat_parse(const char *text, uint64_t v[TCPTL_TCPEXT_COUNTERS])
{
	const char *names = strstr(text, "TcpExt:");
	const char *values = names ? strstr(names + 7, "TcpExt:") : NULL;

	memset(v, 0, TCPTL_TCPEXT_COUNTERS * sizeof(v[0]));
	if (!values)
		return -EINVAL;
	names += 7;
	values += 7;
	for (;;) {
		size_t n;
		char *end;
		unsigned long long x;
		int i;

		names += strspn(names, " ");
		n = strcspn(names, " \n");
		if (!n)
			break;
		x = strtoull(values, &end, 10);
		if (end == values)
			return -EINVAL;
		values = end;
		i = counter_of(names, n);
		if (i >= 0)
			v[i] = x;
		names += n;
	}
	return 0;
}

int tcptl_netstat_read(int fd, uint64_t v[TCPTL_TCPEXT_COUNTERS])
{
	char buf[16384];
	size_t used = 0;
	ssize_t n;

	if (fd < 0)
		return -EBADF;
	while (used < sizeof(buf) - 1 &&
	       (n = pread(fd, buf + used, sizeof(buf) - 1 - used, (off_t)used)) > 0)
		used += (size_t)n;
	if (!used)
		return -EIO;
	buf[used] = '\0';
	return tcptl_netstat_parse(buf, v);
}
