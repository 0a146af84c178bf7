// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "linebuf.h"

void tcptl_line_mem(struct tcptl_line *l, const char *s, size_t n)
{
	if (n > TCPTL_LINE_MAX - l->len)
		n = TCPTL_LINE_MAX - l->len;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

void tcptl_line_chr(struct tcptl_line *l, char c)
{
	if (l->len < TCPTL_LINE_MAX)
		l->buf[l->len++] = c;
}

/*
 * Two digits per division: timestamps have up to 20 digits, and every
 * events line has several numbers (this was the reader's second-largest
 * cost per line).
 */
static const char digit_pairs[] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/*
 * The digits go backwards into the middle of TMP, then 20 bytes (a fixed
 * size: a few moves, no call) into the line when it has that much room;
 * the line only grows by the number's length, what follows is scratch.
 */
void tcptl_line_u64_zero(struct tcptl_line *l, uint64_t v, unsigned int width)
{
	char tmp[40];
	char *end = tmp + 20, *p = end;

	while (v >= 100) {
		const char *d = digit_pairs + 2 * (v % 100);

		v /= 100;
		*--p = d[1];
		*--p = d[0];
	}
	if (v >= 10) {
		*--p = digit_pairs[2 * v + 1];
		*--p = digit_pairs[2 * v];
	} else {
		*--p = (char)('0' + v);
	}
	while ((unsigned int)(end - p) < width && p > tmp)
		*--p = '0';
	if (TCPTL_LINE_MAX - l->len >= 20) {
		memcpy(l->buf + l->len, p, 20);
		l->len += (size_t)(end - p);
		return;
	}
	tcptl_line_mem(l, p, (size_t)(end - p));
}

void tcptl_line_u64(struct tcptl_line *l, uint64_t v)
{
	tcptl_line_u64_zero(l, v, 0);
}

void tcptl_line_ms3(struct tcptl_line *l, uint64_t ns)
{
	/*
	 * Rounding the integer agrees with printf rounding the double ns / 1e6
	 * except at an exact tie (which printf decides on the double's binary
	 * value) and for values so large that the double has lost the
	 * nanoseconds: those two go through printf.
	 */
	if (ns % 1000 == 500 || ns >= 1000000000000000ull) {
		char tmp[32];
		int n = snprintf(tmp, sizeof(tmp), "%.3f", ns / 1e6);

		tcptl_line_mem(l, tmp, n > 0 ? (size_t)n : 0);
		return;
	}
	uint64_t us = (ns + 500) / 1000;

	tcptl_line_u64(l, us / 1000);
	tcptl_line_chr(l, '.');
	tcptl_line_u64_zero(l, us % 1000, 3);
}

void tcptl_line_pad(struct tcptl_line *l, size_t start, size_t width)
{
	while (l->len - start < width && l->len < TCPTL_LINE_MAX)
		l->buf[l->len++] = ' ';
}

void tcptl_line_right(struct tcptl_line *l, size_t start, size_t width)
{
	size_t n = l->len - start, shift;

	if (n >= width)
		return;
	shift = width - n;
	if (start + width > TCPTL_LINE_MAX)
		return;
	memmove(l->buf + start + shift, l->buf + start, n);
	memset(l->buf + start, ' ', shift);
	l->len = start + width;
}

void tcptl_line_addr(struct tcptl_line *l, uint8_t family, const union tcptl_ip *a)
{
	char tmp[INET6_ADDRSTRLEN];

	if (family != AF_INET6) {
		const unsigned char *b = (const unsigned char *)a;

		for (int i = 0; i < 4; i++) {
			if (i)
				tcptl_line_chr(l, '.');
			tcptl_line_u64(l, b[i]);
		}
		return;
	}
	if (!inet_ntop(AF_INET6, a, tmp, sizeof(tmp)))
		strcpy(tmp, "?");
	tcptl_line_str(l, tmp);
}

void tcptl_line_endpoint(struct tcptl_line *l, uint8_t family, const union tcptl_ip *a,
			 uint16_t port)
{
	if (family == AF_INET6)
		tcptl_line_chr(l, '[');
	tcptl_line_addr(l, family, a);
	if (family == AF_INET6)
		tcptl_line_chr(l, ']');
	tcptl_line_chr(l, ':');
	tcptl_line_u64(l, port);
}

size_t tcptl_json_escape(unsigned char c, char out[7])
{
	static const char hex[] = "0123456789abcdef";

	if (c == '"' || c == '\\') {
		out[0] = '\\';
		out[1] = (char)c;
		return 2;
	}
	if (c < 0x20 || c >= 0x7f) {
		/* control bytes, and bytes that may not be UTF-8 */
		memcpy(out, "\\u00", 4);
		out[4] = hex[c >> 4];
		out[5] = hex[c & 15];
		return 6;
	}
	out[0] = (char)c;
	return 1;
}

void tcptl_line_json_str(struct tcptl_line *l, const char *s)
{
	char esc[7];

	tcptl_line_chr(l, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
			tcptl_line_chr(l, (char)*p);
		else
			tcptl_line_mem(l, esc, tcptl_json_escape(*p, esc));
	}
	tcptl_line_chr(l, '"');
}
