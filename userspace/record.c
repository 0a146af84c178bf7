// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "record.h"

int tcptl_record_open(FILE **f, const char *path)
{
	*f = fopen(path, "w");
	if (!*f)
		return -errno;
	fputs(TCPTL_RECORD_MAGIC, *f);
	return 0;
}

void tcptl_record_write(FILE *f, const void *buf, size_t len)
{
	uint32_t n = (uint32_t)len;

	fwrite(&n, sizeof(n), 1, f);
	fwrite(buf, 1, len, f);
}

long tcptl_record_read(FILE *f, void *buf, size_t cap)
{
	uint32_t n;

	if (ftell(f) == 0) {
		char magic[sizeof(TCPTL_RECORD_MAGIC)];

		if (fread(magic, 1, sizeof(magic) - 1, f) != sizeof(magic) - 1 ||
		    memcmp(magic, TCPTL_RECORD_MAGIC, sizeof(magic) - 1))
			return -1;
	}
	if (fread(&n, sizeof(n), 1, f) != 1)
		return 0;
	if (n > cap || fread(buf, 1, n, f) != n)
		return -1;
	return (long)n;
}
