/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Recordings of the raw netlink messages a reader received (--record), for
 * bug reports and the replay benchmark: a header line, then per message a
 * 32-bit length (host order) and the bytes, exactly as recv() gave them.
 */
#ifndef TCPTL_RECORD_H
#define TCPTL_RECORD_H

#include <stddef.h>
#include <stdio.h>

#define TCPTL_RECORD_MAGIC "tcp_timeline recording 4\n"

int tcptl_record_open(FILE **f, const char *path);
void tcptl_record_write(FILE *f, const void *buf, size_t len);
/* Next message into buf (at most cap bytes): its length, 0 at the end, -1 if corrupt. */
long tcptl_record_read(FILE *f, void *buf, size_t cap);

#endif
