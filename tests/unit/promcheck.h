/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The metrics exposition must pass "promtool check metrics", the check
 * Prometheus users run; scripts/setup.sh fetches promtool and the Makefile
 * passes its path in TCPTL_PROMTOOL. Include after <cmocka.h>.
 */
#ifndef TCPTL_PROMCHECK_H
#define TCPTL_PROMCHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void assert_promtool_accepts(const char *text, size_t len)
{
	const char *promtool = getenv("TCPTL_PROMTOOL");
	char path[] = "/tmp/tcptl-prom-XXXXXX", cmd[512];
	int fd;

	assert_non_null(promtool);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	snprintf(cmd, sizeof(cmd), "%s check metrics < %s", promtool, path);
	assert_int_equal(system(cmd), 0);
	unlink(path);
}

#endif
