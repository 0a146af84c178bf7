/* SPDX-License-Identifier: GPL-2.0 */
/* The command line, parsed once; every mode reads what it needs. */
#ifndef TCPTL_OPTIONS_H
#define TCPTL_OPTIONS_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "output.h"
#include "rfilter.h"

enum tcptl_exit {
	TCPTL_EXIT_OK = 0,
	TCPTL_EXIT_USAGE = 1,
	TCPTL_EXIT_NO_MODULE = 2,
	TCPTL_EXIT_PERM = 3,
	TCPTL_EXIT_UNLOADED = 4,
	TCPTL_EXIT_RUNTIME = 5,
	TCPTL_EXIT_VERSION = 6,		/* module of another contract version */
};

struct tcptl_options {
	struct tcptl_out out;
	struct tcptl_rfilter filter;
	bool kernel_filter, unfinished, quiet, no_seed;
	bool after_timewait;		/* timelines once TIME_WAIT ends, not as it starts */
	double duration;		/* seconds; 0: until stopped */
	uint64_t max_count, max_conns;
	const char *perfetto;		/* --perfetto FILE */
	const char *record;		/* --record FILE */
	int nice;			/* --nice N, for the live modes */
	bool nice_set;
	/* top */
	double interval;		/* seconds between snapshots */
	bool once;
	bool alerts_only;		/* top: only the alert lines */
	unsigned int rows;		/* rows per table */
	double warn_close_wait_age;	/* seconds; 0: off */
	uint64_t warn_close_wait, warn_time_wait;	/* counts; 0: off */
	double warn_tw_ports;		/* percent of the port range; 0: off */
	double warn_accept_queue;	/* percent of a listener's backlog; 0: off */
	double warn_listen_overflows;	/* per second; 0: off */
	uint64_t warn_syn_sent;		/* SYN_SENT towards one remote; 0: off */
	double warn_syn_sent_age;	/* seconds; 0: off */
	double warn_connect_failures;	/* per second towards one remote; 0: off */
	/* metrics */
	const char *listen;		/* [ADDR:]PORT */
	const char *textfile;
};

extern volatile sig_atomic_t tcptl_stop;

/* A netlink failure as a one-line message and its exit code. */
int tcptl_fail_nl(int err, const char *what, const char *extack);

int tcptl_cmd_stream(struct tcptl_options *o, bool events);
int tcptl_cmd_top(struct tcptl_options *o);
int tcptl_cmd_metrics(struct tcptl_options *o);
int tcptl_cmd_stats(struct tcptl_options *o);
int tcptl_cmd_filter(struct tcptl_options *o, const char *action);

#endif
