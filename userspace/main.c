// SPDX-License-Identifier: GPL-2.0
/*
 * tcptimeline: reads tcp_timeline's records and shows per-connection
 * timelines (default), a live stream of transitions (events), where
 * CLOSE_WAIT and TIME_WAIT pile up (top), Prometheus metrics (metrics),
 * the module's statistics (stats) and its filter (filter).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "options.h"


static void on_signal(int sig)
{
	(void)sig;
	tcptl_stop = 1;
}

static void usage(FILE *f)
{
	fputs("usage: tcptimeline [timeline|events] [options]\n"
	      "       tcptimeline top [--once] [--interval S] [alert options] [filters]\n"
	      "       tcptimeline metrics [--listen [ADDR:]PORT] [--textfile FILE]\n"
	      "       tcptimeline stats [--json]\n"
	      "       tcptimeline filter show|clear|set [filter options]\n"
	      "\n"
	      "modes:\n"
	      "  timeline (default)  one timeline per connection when it closes or enters\n"
	      "                      TIME_WAIT (its TIME_WAIT's end follows as a line of\n"
	      "                      its own); sockets that exist at start are included,\n"
	      "                      marked as opened before\n"
	      "  events              one line per transition as it happens\n"
	      "  top                 sockets per state, CLOSE_WAIT by owning process,\n"
	      "                      TIME_WAIT by remote endpoint and local port, alerts\n"
	      "  metrics             Prometheus text format over HTTP and/or to a file\n"
	      "\n"
	      "output:\n"
	      "  --json              JSON Lines (one object per record, timeline or snapshot)\n"
	      "  -o, --output FILE   write to FILE instead of stdout\n"
	      "  --perfetto FILE     also write the timelines as Chrome/Perfetto trace JSON\n"
	      "  --record FILE       also save the raw netlink messages (bug reports, replay)\n"
	      "  -T                  wall-clock times (default: seconds since start)\n"
	      "  --color=WHEN        auto, always or never\n"
	      "  --duration SECONDS  stop after this long\n"
	      "  --count N           stop after N records or timelines shown\n"
	      "  --unfinished        at exit, also show connections still open\n"
	      "  --after-timewait    a timeline only once its TIME_WAIT ended, whole\n"
	      "  -q, --quiet         no summary at exit\n"
	      "  --no-seed           do not list existing sockets at start\n"
	      "  --max-conns N       connections tracked at most (default 65536)\n"
	      "  --nice N            run the live modes at this niceness (-20..19)\n"
	      "\n"
	      "top and metrics:\n"
	      "  --interval S        seconds between snapshots (default 1; metrics file 15)\n"
	      "  --once              one snapshot, then exit (top)\n"
	      "  --alerts-only       top prints only the alert lines (for a service)\n"
	      "  --rows N            rows per table (default 10)\n"
	      "  --warn-close-wait-age S   alert when a CLOSE_WAIT socket is older\n"
	      "  --warn-close-wait N       alert when CLOSE_WAIT sockets exceed N\n"
	      "  --warn-time-wait N        alert when TIME_WAIT sockets exceed N\n"
	      "  --warn-tw-ports PCT       alert when one destination uses more than PCT\n"
	      "                            percent of the ephemeral port range\n"
	      "  --warn-accept-queue PCT   alert when a listener's accept queue reaches\n"
	      "                            PCT percent of its backlog (100: full)\n"
	      "  --warn-listen-overflows R alert when listen overflows exceed R per second\n"
	      "  --warn-syn-sent N         alert when more than N connects wait on one remote\n"
	      "  --warn-syn-sent-age S     alert when a connect waits longer than S seconds\n"
	      "  --warn-connect-failures R alert when connects to one remote fail more\n"
	      "                            than R times per second\n"
	      "  --listen [ADDR:]PORT      serve /metrics over HTTP (default port 9977)\n"
	      "  --textfile FILE           write the metrics to FILE (node_exporter textfile)\n"
	      "\n"
	      "filters (all must match; repeat an option for several values):\n"
	      "  -p, --port N[-M]    local or remote port\n"
	      "  --lport N[-M]       local port\n"
	      "  --rport N[-M]       remote port\n"
	      "  --laddr CIDR        local address or prefix\n"
	      "  --raddr CIDR        remote address or prefix\n"
	      "  --state NAME        records entering or leaving this state\n"
	      "  --pid PID           owned by this process\n"
	      "  --comm NAME         owned by this command\n"
	      "  -4, -6              IPv4 or IPv6 only\n"
	      "  --netns NS          this network namespace: its inode (ls -L -i\n"
	      "                      /proc/PID/ns/net), ip netns name, or a path to it\n"
	      "  --kernel-filter     also filter in the module (its filter is global:\n"
	      "                      it applies to every reader)\n"
	      "\n"
	      "exit codes: 0 ok, 1 usage, 2 module not loaded, 3 permission denied,\n"
	      "            4 module unloaded while running, 5 other error,\n"
	      "            6 module of another contract version\n", f);
}

enum {
	OPT_JSON = 256, OPT_COLOR, OPT_DURATION, OPT_COUNT, OPT_UNFINISHED, OPT_MAX_CONNS,
	OPT_LPORT, OPT_RPORT, OPT_LADDR, OPT_RADDR, OPT_STATE, OPT_PID, OPT_COMM, OPT_NETNS,
	OPT_KERNEL_FILTER, OPT_PERFETTO, OPT_NO_SEED, OPT_INTERVAL, OPT_ONCE, OPT_ROWS,
	OPT_WARN_CW_AGE, OPT_WARN_CW, OPT_WARN_TW, OPT_WARN_TW_PORTS, OPT_LISTEN, OPT_TEXTFILE,
	OPT_RECORD, OPT_ALERTS_ONLY, OPT_NICE, OPT_AFTER_TIMEWAIT, OPT_WARN_ACCEPTQ,
	OPT_WARN_OVERFLOWS, OPT_WARN_SYN_SENT, OPT_WARN_SYN_SENT_AGE, OPT_WARN_CONNFAIL,
};

static const struct option options[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "output", required_argument, NULL, 'o' },
	{ "perfetto", required_argument, NULL, OPT_PERFETTO },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "color", optional_argument, NULL, OPT_COLOR },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "unfinished", no_argument, NULL, OPT_UNFINISHED },
	{ "after-timewait", no_argument, NULL, OPT_AFTER_TIMEWAIT },
	{ "quiet", no_argument, NULL, 'q' },
	{ "no-seed", no_argument, NULL, OPT_NO_SEED },
	{ "max-conns", required_argument, NULL, OPT_MAX_CONNS },
	{ "nice", required_argument, NULL, OPT_NICE },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "once", no_argument, NULL, OPT_ONCE },
	{ "alerts-only", no_argument, NULL, OPT_ALERTS_ONLY },
	{ "rows", required_argument, NULL, OPT_ROWS },
	{ "warn-close-wait-age", required_argument, NULL, OPT_WARN_CW_AGE },
	{ "warn-close-wait", required_argument, NULL, OPT_WARN_CW },
	{ "warn-time-wait", required_argument, NULL, OPT_WARN_TW },
	{ "warn-tw-ports", required_argument, NULL, OPT_WARN_TW_PORTS },
	{ "warn-accept-queue", required_argument, NULL, OPT_WARN_ACCEPTQ },
	{ "warn-listen-overflows", required_argument, NULL, OPT_WARN_OVERFLOWS },
	{ "warn-syn-sent", required_argument, NULL, OPT_WARN_SYN_SENT },
	{ "warn-syn-sent-age", required_argument, NULL, OPT_WARN_SYN_SENT_AGE },
	{ "warn-connect-failures", required_argument, NULL, OPT_WARN_CONNFAIL },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "textfile", required_argument, NULL, OPT_TEXTFILE },
	{ "port", required_argument, NULL, 'p' },
	{ "lport", required_argument, NULL, OPT_LPORT },
	{ "rport", required_argument, NULL, OPT_RPORT },
	{ "laddr", required_argument, NULL, OPT_LADDR },
	{ "raddr", required_argument, NULL, OPT_RADDR },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "pid", required_argument, NULL, OPT_PID },
	{ "comm", required_argument, NULL, OPT_COMM },
	{ "netns", required_argument, NULL, OPT_NETNS },
	{ "kernel-filter", no_argument, NULL, OPT_KERNEL_FILTER },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static int parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	char *e;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &e, 10);
	if (errno || *e || !*s || *s == '-' || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_seconds(const char *s, double *out)
{
	char *e;
	double v;

	errno = 0;
	v = strtod(s, &e);
	if (errno || *e || !*s || !(v > 0) || v > 1e9)
		return -1;
	*out = v;
	return 0;
}

/* One option into o; a message in err if it is bad. */
static void parse_option(struct tcptl_options *o, int opt, const char *arg, const char **color,
			 const char **outfile, char *err, size_t errlen)
{
	uint64_t v = 0;
	int state;

#define BAD(what) snprintf(err, errlen, "bad %s '%s'", what, arg)
	switch (opt) {
	case OPT_JSON: o->out.json = true; break;
	case 'o': *outfile = arg; break;
	case OPT_PERFETTO: o->perfetto = arg; break;
	case OPT_RECORD: o->record = arg; break;
	case 'T': o->out.wall_clock = true; break;
	case OPT_COLOR: *color = arg ? arg : "always"; break;
	case OPT_DURATION: if (parse_seconds(arg, &o->duration)) BAD("--duration"); break;
	case OPT_COUNT:
		if (parse_uint(arg, UINT64_MAX, &o->max_count) || !o->max_count)
			BAD("--count");
		break;
	case OPT_UNFINISHED: o->unfinished = true; break;
	case OPT_AFTER_TIMEWAIT: o->after_timewait = true; break;
	case 'q': o->quiet = true; break;
	case OPT_NO_SEED: o->no_seed = true; break;
	case OPT_MAX_CONNS:
		if (parse_uint(arg, 1u << 30, &o->max_conns) || !o->max_conns)
			BAD("--max-conns");
		break;
	case OPT_NICE: {
		char *e;
		long n;

		errno = 0;
		n = strtol(arg, &e, 10);
		if (errno || *e || !*arg || n < -20 || n > 19)
			BAD("--nice (-20..19)");
		o->nice = (int)n;
		o->nice_set = true;
		break;
	}
	case OPT_INTERVAL: if (parse_seconds(arg, &o->interval)) BAD("--interval"); break;
	case OPT_ONCE: o->once = true; break;
	case OPT_ALERTS_ONLY: o->alerts_only = true; break;
	case OPT_ROWS:
		if (parse_uint(arg, 10000, &v) || !v)
			BAD("--rows");
		o->rows = (unsigned int)v;
		break;
	case OPT_WARN_CW_AGE:
		if (parse_seconds(arg, &o->warn_close_wait_age))
			BAD("--warn-close-wait-age");
		break;
	case OPT_WARN_CW: if (parse_uint(arg, UINT32_MAX, &o->warn_close_wait)) BAD("--warn-close-wait"); break;
	case OPT_WARN_TW: if (parse_uint(arg, UINT32_MAX, &o->warn_time_wait)) BAD("--warn-time-wait"); break;
	case OPT_WARN_TW_PORTS:
		if (parse_seconds(arg, &o->warn_tw_ports) || o->warn_tw_ports > 100)
			BAD("--warn-tw-ports");
		break;
	case OPT_WARN_ACCEPTQ:
		if (parse_seconds(arg, &o->warn_accept_queue) || o->warn_accept_queue > 200)
			BAD("--warn-accept-queue");
		break;
	case OPT_WARN_OVERFLOWS:
		if (parse_seconds(arg, &o->warn_listen_overflows))
			BAD("--warn-listen-overflows");
		break;
	case OPT_WARN_SYN_SENT: if (parse_uint(arg, UINT32_MAX, &o->warn_syn_sent)) BAD("--warn-syn-sent"); break;
	case OPT_WARN_SYN_SENT_AGE:
		if (parse_seconds(arg, &o->warn_syn_sent_age))
			BAD("--warn-syn-sent-age");
		break;
	case OPT_WARN_CONNFAIL:
		if (parse_seconds(arg, &o->warn_connect_failures))
			BAD("--warn-connect-failures");
		break;
	case OPT_LISTEN: o->listen = arg; break;
	case OPT_TEXTFILE: o->textfile = arg; break;
	case 'p': tcptl_parse_range(arg, &o->filter.port, err, errlen); break;
	case OPT_LPORT: tcptl_parse_range(arg, &o->filter.lport, err, errlen); break;
	case OPT_RPORT: tcptl_parse_range(arg, &o->filter.rport, err, errlen); break;
	case OPT_LADDR: tcptl_parse_cidr(arg, &o->filter.laddr, err, errlen); break;
	case OPT_RADDR: tcptl_parse_cidr(arg, &o->filter.raddr, err, errlen); break;
	case OPT_STATE:
		state = tcptl_state_from_name(arg);
		if (state < 0)
			snprintf(err, errlen, "unknown state '%s'", arg);
		else
			o->filter.states |= 1u << state;
		break;
	case OPT_PID:
		if (parse_uint(arg, UINT32_MAX, &v))
			BAD("--pid");
		o->filter.has_pid = true;
		o->filter.pid = (uint32_t)v;
		break;
	case OPT_COMM: o->filter.comm = arg; break;
	case '4': o->filter.family = AF_INET; break;
	case '6': o->filter.family = AF_INET6; break;
	case OPT_NETNS:
		/* An inode, a name from "ip netns", or a path like /proc/PID/ns/net. */
		if (parse_uint(arg, UINT32_MAX, &v)) {
			char path[256];
			struct stat st;

			snprintf(path, sizeof(path), "%s%s", strchr(arg, '/') ? "" : "/run/netns/", arg);
			if (stat(path, &st))
				snprintf(err, errlen, "--netns: %.100s: %s", path, strerror(errno));
			v = st.st_ino;
		}
		o->filter.has_netns = true;
		o->filter.netns = (uint32_t)v;
		break;
	case OPT_KERNEL_FILTER: o->kernel_filter = true; break;
	}
#undef BAD
}

/*
 * A reader at a fair share against a workload that saturates the CPUs falls
 * behind: it holds seconds of records in its socket and shows them late.
 * Raising its priority keeps it current, at some cost to the workload (the
 * bench measures both), so it is the user's choice.
 */
static void set_priority(const struct tcptl_options *o)
{
	if (o->nice_set && setpriority(PRIO_PROCESS, 0, o->nice))
		fprintf(stderr, "tcptimeline: warning: --nice %d: %s\n", o->nice, strerror(errno));
}

int main(int argc, char **argv)
{
	static struct tcptl_options o = { .max_conns = 65536, .rows = 10 };
	const char *cmd = "timeline", *action = NULL, *color = "auto", *outfile = NULL;
	char err[256];
	int opt, code;

	if (argc > 1 && argv[1][0] != '-') {
		cmd = argv[1];
		argv++;
		argc--;
		if (!strcmp(cmd, "filter") && argc > 1 && argv[1][0] != '-') {
			action = argv[1];
			argv++;
			argc--;
		}
	}
	while ((opt = getopt_long(argc, argv, "o:Tp:46qh", options, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return TCPTL_EXIT_OK;
		}
		if (opt == '?') {
			usage(stderr);
			return TCPTL_EXIT_USAGE;
		}
		err[0] = '\0';
		parse_option(&o, opt, optarg, &color, &outfile, err, sizeof(err));
		if (err[0]) {
			fprintf(stderr, "tcptimeline: %s\n", err);
			return TCPTL_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tcptimeline: unexpected argument '%s'\n", argv[optind]);
		return TCPTL_EXIT_USAGE;
	}
	if (strcmp(cmd, "timeline") && strcmp(cmd, "events") && strcmp(cmd, "top") &&
	    strcmp(cmd, "metrics") && strcmp(cmd, "stats") && strcmp(cmd, "filter")) {
		fprintf(stderr, "tcptimeline: unknown command '%s'\n", cmd);
		usage(stderr);
		return TCPTL_EXIT_USAGE;
	}

	o.out.f = stdout;
	if (outfile) {
		o.out.f = fopen(outfile, "w");
		if (!o.out.f) {
			fprintf(stderr, "tcptimeline: %s: %s\n", outfile, strerror(errno));
			return TCPTL_EXIT_RUNTIME;
		}
	}
	/* Lines as they come on a terminal; into a file or pipe in blocks, the
	 * modes flush at least every 20 ms. */
	setvbuf(o.out.f, NULL, isatty(fileno(o.out.f)) ? _IOLBF : _IOFBF, 1 << 16);
	if (!strcmp(color, "always"))
		o.out.color = true;
	else if (!strcmp(color, "auto"))
		o.out.color = !o.out.json && isatty(fileno(o.out.f));
	else if (strcmp(color, "never")) {
		fprintf(stderr, "tcptimeline: --color wants auto, always or never\n");
		return TCPTL_EXIT_USAGE;
	}

	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);	/* a scraper hanging up is not our end */

	if (strcmp(cmd, "stats") && strcmp(cmd, "filter"))
		set_priority(&o);
	if (!strcmp(cmd, "stats"))
		code = tcptl_cmd_stats(&o);
	else if (!strcmp(cmd, "filter"))
		code = tcptl_cmd_filter(&o, action ? action : "show");
	else if (!strcmp(cmd, "top"))
		code = tcptl_cmd_top(&o);
	else if (!strcmp(cmd, "metrics"))
		code = tcptl_cmd_metrics(&o);
	else
		code = tcptl_cmd_stream(&o, !strcmp(cmd, "events"));
	if (outfile && fclose(o.out.f) && code == TCPTL_EXIT_OK) {
		fprintf(stderr, "tcptimeline: %s: %s\n", outfile, strerror(errno));
		code = TCPTL_EXIT_RUNTIME;
	}
	return code;
}
