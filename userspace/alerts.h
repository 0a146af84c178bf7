/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Threshold alerts on a snapshot, as log lines (or JSON) when one starts
 * firing and when it resolves, so top can run unattended.
 */
#ifndef TCPTL_ALERTS_H
#define TCPTL_ALERTS_H

#include <stdbool.h>
#include <stdio.h>
#include <uthash.h>

#include "options.h"
#include "top.h"

struct tcptl_alert {
	char key[96];		/* what fires: kind and subject */
	char text[256];		/* the latest description */
	bool seen;		/* still true in this snapshot */
	UT_hash_handle hh;
};

struct tcptl_alerts {
	struct tcptl_alert *firing;
	unsigned int count;
};

/*
 * Evaluate the thresholds of o on snap; print firing/resolved transitions
 * to f (text or JSON); t->firing then holds what fires now.
 */
void tcptl_alerts_eval(struct tcptl_alerts *a, const struct tcptl_options *o,
		       const struct tcptl_snapshot *snap, FILE *f, bool json);
void tcptl_alerts_free(struct tcptl_alerts *a);

#endif
