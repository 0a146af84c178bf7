/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A line built by appending, then written with one fwrite. The events modes
 * print a line per record; printf's format parsing and padding were most of
 * the reader's cost per record (callgrind on the replay benchmark), so the
 * per-record lines are built here instead. A line that would outgrow the
 * buffer is cut short, never overrun; none of ours comes near it.
 */
#ifndef TCPTL_LINEBUF_H
#define TCPTL_LINEBUF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "event.h"

#define TCPTL_LINE_MAX 1024

struct tcptl_line {
	size_t len;
	char buf[TCPTL_LINE_MAX];
};

static inline void tcptl_line_init(struct tcptl_line *l)
{
	l->len = 0;
}

void tcptl_line_mem(struct tcptl_line *l, const char *s, size_t n);
/* Inline: most are literals (keys, separators), whose length the compiler knows. */
static inline void tcptl_line_str(struct tcptl_line *l, const char *s)
{
	tcptl_line_mem(l, s, strlen(s));
}
void tcptl_line_chr(struct tcptl_line *l, char c);
void tcptl_line_u64(struct tcptl_line *l, uint64_t v);
/* v in at least WIDTH digits, zero-padded (printf's %0*u). */
void tcptl_line_u64_zero(struct tcptl_line *l, uint64_t v, unsigned int width);
/* NS in milliseconds with three decimals, rounded as printf's %.3f does. */
void tcptl_line_ms3(struct tcptl_line *l, uint64_t ns);
/* Pad with spaces what was appended since START to WIDTH (printf's %-*s). */
void tcptl_line_pad(struct tcptl_line *l, size_t start, size_t width);
/* Right-align in WIDTH what was appended since START (printf's %*s). */
void tcptl_line_right(struct tcptl_line *l, size_t start, size_t width);
/* An address as inet_ntop writes it; ADDR:PORT, [ADDR]:PORT for IPv6. */
void tcptl_line_addr(struct tcptl_line *l, uint8_t family, const union tcptl_ip *a);
void tcptl_line_endpoint(struct tcptl_line *l, uint8_t family, const union tcptl_ip *a,
			 uint16_t port);
/* C as it goes inside a JSON string: 1, 2 or 6 bytes into OUT. */
size_t tcptl_json_escape(unsigned char c, char out[7]);
/* S as a JSON string, quotes included. */
void tcptl_line_json_str(struct tcptl_line *l, const char *s);

static inline void tcptl_line_write(const struct tcptl_line *l, FILE *f)
{
	fwrite(l->buf, 1, l->len, f);
}

#endif
