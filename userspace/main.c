// SPDX-License-Identifier: GPL-2.0
/*
 * tcptimeline: reads tcp_timeline's records and shows per-connection
 * timelines (default), a live stream of transitions (events), the module's
 * statistics (stats) and its filter (filter).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>

#include "conn.h"
#include "decode.h"
#include "nl.h"
#include "output.h"
#include "reorder.h"
#include "rfilter.h"
#include "seqtrack.h"
#include "tcp_timeline.h"

enum exit_code {
	EXIT_OK = 0,
	EXIT_USAGE = 1,
	EXIT_NO_MODULE = 2,
	EXIT_PERM = 3,
	EXIT_UNLOADED = 4,
	EXIT_RUNTIME = 5,
};

/* Records wait this long for stragglers from other CPUs before they show. */
#define REORDER_WINDOW_NS	(50 * 1000000ull)
/* A SYN_SENT waits at most this long for its local port. */
#define PORT_WAIT_NS		(200 * 1000000ull)
/* A finished connection waits this long for a late RST record. */
#define FINISH_GRACE_NS		(100 * 1000000ull)

enum mode { MODE_TIMELINE, MODE_EVENTS };

struct reader {
	enum mode mode;
	struct tcptl_out out;
	struct tcptl_rfilter filter;
	struct tcptl_conn_table conns;
	struct tcptl_reorder reorder;
	struct tcptl_seqtrack seq;
	struct tcptl_summary sum;
	struct tcptl_decode_counts counts;
	uint64_t max_count, printed;
	bool unfinished, unloaded;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void usage(FILE *f)
{
	fputs("usage: tcptimeline [timeline|events] [options]\n"
	      "       tcptimeline stats [--json]\n"
	      "       tcptimeline filter show|clear|set [filter options]\n"
	      "\n"
	      "modes:\n"
	      "  timeline (default)  one timeline per connection when it ends\n"
	      "  events              one line per transition as it happens\n"
	      "\n"
	      "output:\n"
	      "  --json              JSON Lines (one object per record or timeline)\n"
	      "  -o, --output FILE   write to FILE instead of stdout\n"
	      "  -T                  wall-clock times (default: seconds since start)\n"
	      "  --color=WHEN        auto, always or never\n"
	      "  --duration SECONDS  stop after this long\n"
	      "  --count N           stop after N records shown\n"
	      "  --unfinished        at exit, also show connections that have not ended\n"
	      "  --max-conns N       connections tracked at most (default 65536)\n"
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
	      "  --netns INODE       this network namespace (ls -L -i /proc/PID/ns/net)\n"
	      "  --kernel-filter     also filter in the module (its filter is global:\n"
	      "                      it applies to every reader)\n"
	      "\n"
	      "exit codes: 0 ok, 1 usage, 2 module not loaded, 3 permission denied,\n"
	      "            4 module unloaded while running, 5 other error\n", f);
}

static int fail_nl(int err, const char *what, const struct tcptl_nl *nl)
{
	if (err == -ENOENT) {
		fprintf(stderr, "tcptimeline: tcp_timeline module is not loaded (family not found)\n");
		return EXIT_NO_MODULE;
	}
	if (err == -EPERM || err == -EACCES) {
		fprintf(stderr, "tcptimeline: %s: permission denied: need CAP_NET_ADMIN\n", what);
		return EXIT_PERM;
	}
	fprintf(stderr, "tcptimeline: %s: %s%s%s\n", what, strerror(-err),
		nl && nl->errmsg[0] ? ": " : "", nl ? nl->errmsg : "");
	return EXIT_RUNTIME;
}

static void show(struct reader *r, const struct tcptl_event *ev, const struct tcptl_conn *c)
{
	bool has_pid = c && c->has_owner;

	if (!tcptl_rfilter_match(&r->filter, ev, has_pid || ev->has_pid,
				 ev->has_pid ? ev->pid : c ? c->pid : 0,
				 ev->has_pid ? ev->comm : c ? c->comm : NULL))
		return;
	tcptl_print_event(&r->out, ev, has_pid, c ? c->pid : 0, c ? c->comm : "");
	r->printed++;
	if (r->max_count && r->printed >= r->max_count)
		stop = 1;
}

static void release_held(struct reader *r, struct tcptl_conn *c)
{
	if (!c->has_held)
		return;
	c->has_held = false;
	if (c->id.sport && !c->held.sport)
		c->held.sport = c->id.sport;
	show(r, &c->held, c);
}

static void process(struct reader *r, struct tcptl_event *ev)
{
	struct tcptl_conn *c;

	if (ev->type <= TCPTL_EVENT_MAX)
		r->sum.by_type[ev->type]++;
	if (ev->type == TCPTL_EVENT_LOST) {
		tcptl_seqtrack_lost(&r->seq, ev->lost_count);
		if (r->mode == MODE_EVENTS)
			show(r, ev, NULL);
		return;
	}
	tcptl_seqtrack_record(&r->seq, ev->cpu, ev->seq);
	c = tcptl_conn_apply(&r->conns, ev, now_ns());
	if (r->mode != MODE_EVENTS)
		return;
	if (c && c->has_held)
		release_held(r, c);	/* the port is known now, or never will be */
	if (c && ev->type == TCPTL_EVENT_STATE && (ev->flags & TCPTL_EVF_PORT_PENDING) &&
	    !ev->sport) {
		c->held = *ev;
		c->has_held = true;
		return;
	}
	show(r, ev, c);
}

static void print_finished(struct reader *r, uint64_t before)
{
	struct tcptl_conn *c, *tmp;

	HASH_ITER(hh, r->conns.by_cookie, c, tmp) {
		if (r->mode == MODE_EVENTS) {
			if (c->has_held && c->held.time_ns + PORT_WAIT_NS < before + FINISH_GRACE_NS)
				release_held(r, c);
			if (c->finished && c->finished_at < before)
				tcptl_conn_remove(&r->conns, c);
			continue;
		}
		if (!c->finished || c->finished_at >= before)
			continue;
		if (tcptl_rfilter_match(&r->filter, &c->id, c->has_owner, c->pid,
					c->has_owner ? c->comm : NULL)) {
			tcptl_print_timeline(&r->out, c);
			r->printed++;
		}
		r->sum.finished++;
		tcptl_conn_remove(&r->conns, c);
	}
}

static void on_event(const struct tcptl_event *ev, void *arg)
{
	struct reader *r = arg;

	if (tcptl_reorder_push(&r->reorder, ev))
		r->counts.invalid++;
}

static void handle(struct reader *r, struct tcptl_nl *nl, const char *buf, int len)
{
	const struct nlmsghdr *m;

	for (m = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
		const struct genlmsghdr *g;

		if (m->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
			continue;
		g = mnl_nlmsg_get_payload(m);
		if (m->nlmsg_type == nl->family && g->cmd == TCPTL_CMD_EVENTS) {
			tcptl_decode_events(m, on_event, r, &r->counts);
		} else if (m->nlmsg_type == GENL_ID_CTRL && g->cmd == CTRL_CMD_DELFAMILY) {
			const struct nlattr *a;

			mnl_attr_for_each(a, m, GENL_HDRLEN) {
				if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_NAME &&
				    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0 &&
				    !strcmp(mnl_attr_get_str(a), TCPTL_GENL_NAME))
					r->unloaded = true;
			}
		}
	}
}

static void drain(struct reader *r, uint64_t cutoff)
{
	struct tcptl_event ev;

	while (tcptl_reorder_pop(&r->reorder, cutoff, &ev))
		process(r, &ev);
}

static int stats_reply(const struct nlmsghdr *nlh, void *arg);

/* Say so when this kernel cannot give some records (the module still runs). */
static void warn_missing_hooks(struct tcptl_nl *nl)
{
	struct tcptl_stats st;
	char names[256];

	if (tcptl_nl_request(nl, TCPTL_CMD_GET_STATS, NULL, NULL, stats_reply, &st) ||
	    !st.hooks_missing)
		return;
	tcptl_hook_names(st.hooks_missing, names, sizeof(names));
	fprintf(stderr, "tcptimeline: warning: this kernel lacks hooks the module needs for: %s\n",
		names);
}

static int run(struct reader *r, bool kernel_filter, double duration)
{
	struct tcptl_nl req, ev_nl;
	static char buf[TCPTL_NL_BUFSIZE];
	uint64_t deadline = duration > 0 ? now_ns() + (uint64_t)(duration * 1e9) : 0;
	int err, code = EXIT_OK;

	err = tcptl_nl_open(&req);
	if (err)
		return fail_nl(err, "resolving the tcp_timeline family", NULL);
	warn_missing_hooks(&req);
	if (kernel_filter) {
		err = tcptl_nl_request(&req, TCPTL_CMD_SET_FILTER,
				       (tcptl_nl_build)tcptl_rfilter_put, &r->filter, NULL, NULL);
		if (err)
			return fail_nl(err, "setting the module's filter", &req);
	}
	err = tcptl_nl_open(&ev_nl);
	if (!err)
		err = tcptl_nl_subscribe(&ev_nl, 32 << 20);
	if (err)
		return fail_nl(err, "joining the events group", NULL);

	r->out.start_ns = now_ns();
	while (!stop && !r->unloaded) {
		struct pollfd p = { .fd = mnl_socket_get_fd(ev_nl.sock), .events = POLLIN };
		int n = poll(&p, 1, 20);

		if (n > 0) {
			ssize_t len = recv(p.fd, buf, sizeof(buf), MSG_DONTWAIT);

			if (len < 0 && errno == ENOBUFS) {
				/* The sequence numbers will say how many. */
				r->sum.enobufs++;
			} else if (len < 0 && errno != EAGAIN && errno != EINTR) {
				fprintf(stderr, "tcptimeline: receiving: %s\n", strerror(errno));
				code = EXIT_RUNTIME;
				break;
			} else if (len > 0) {
				handle(r, &ev_nl, buf, (int)len);
			}
		}
		uint64_t now = now_ns();

		drain(r, now - REORDER_WINDOW_NS);
		print_finished(r, now - FINISH_GRACE_NS);
		fflush(r->out.f);
		if (deadline && now >= deadline)
			break;
	}
	drain(r, UINT64_MAX);
	print_finished(r, UINT64_MAX);
	if (r->unfinished && r->mode == MODE_TIMELINE) {
		struct tcptl_conn *c, *tmp;

		HASH_ITER(hh, r->conns.by_cookie, c, tmp)
			if (tcptl_rfilter_match(&r->filter, &c->id, c->has_owner, c->pid,
						c->has_owner ? c->comm : NULL))
				tcptl_print_timeline(&r->out, c);
	}
	if (r->unloaded) {
		fprintf(stderr, "tcptimeline: the tcp_timeline module was unloaded\n");
		code = EXIT_UNLOADED;
	}
	r->sum.lost_module = r->seq.lost_module;
	r->sum.lost_socket = tcptl_seqtrack_lost_socket(&r->seq);
	r->sum.invalid = r->counts.invalid;
	r->sum.evicted = r->conns.evicted;
	tcptl_print_summary(&r->out, stderr, &r->sum);
	fflush(r->out.f);
	tcptl_nl_close(&ev_nl);
	tcptl_nl_close(&req);
	return code;
}

static int stats_reply(const struct nlmsghdr *nlh, void *arg)
{
	return tcptl_decode_stats(nlh, arg);
}

static int cmd_stats(struct tcptl_out *o)
{
	struct tcptl_stats st;
	struct tcptl_nl nl;
	int err = tcptl_nl_open(&nl);

	if (err)
		return fail_nl(err, "resolving the tcp_timeline family", NULL);
	err = tcptl_nl_request(&nl, TCPTL_CMD_GET_STATS, NULL, NULL, stats_reply, &st);
	if (err)
		return fail_nl(err, "reading statistics", &nl);
	tcptl_print_stats(o, &st);
	tcptl_nl_close(&nl);
	return EXIT_OK;
}

struct filter_show {
	struct tcptl_out *o;
};

static void print_ranges(FILE *f, const char *key, const struct nlattr *nest, bool *first, bool json)
{
	const struct nlattr *a;
	uint16_t lo = 0, hi = 0;

	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) == TCPTL_RANGE_A_LO)
			lo = mnl_attr_get_u16(a);
		else if (mnl_attr_get_type(a) == TCPTL_RANGE_A_HI)
			hi = mnl_attr_get_u16(a);
	}
	if (json)
		fprintf(f, "%s\"%s\":\"%u-%u\"", *first ? "" : ",", key, lo, hi);
	else
		fprintf(f, "%s %u-%u\n", key, lo, hi);
	*first = false;
}

static void print_cidr(FILE *f, const char *key, const struct nlattr *nest, bool *first, bool json)
{
	const struct nlattr *a;
	union tcptl_ip ip = { 0 };
	uint8_t family = AF_INET, prefix = 0;
	char buf[INET6_ADDRSTRLEN];

	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) == TCPTL_CIDR_A_ADDR) {
			uint16_t n = mnl_attr_get_payload_len(a);

			if (n == 4 || n == 16) {
				memcpy(&ip, mnl_attr_get_payload(a), n);
				family = n == 4 ? AF_INET : AF_INET6;
			}
		} else if (mnl_attr_get_type(a) == TCPTL_CIDR_A_PREFIX) {
			prefix = mnl_attr_get_u8(a);
		}
	}
	tcptl_format_addr(buf, sizeof(buf), family, &ip);
	if (json)
		fprintf(f, "%s\"%s\":\"%s/%u\"", *first ? "" : ",", key, buf, prefix);
	else
		fprintf(f, "%s %s/%u\n", key, buf, prefix);
	*first = false;
}

/* Repeated keys (several ports) are legal JSON, if unusual; one object. */
static int filter_reply(const struct nlmsghdr *nlh, void *arg)
{
	struct tcptl_out *o = arg;
	const struct nlattr *a, *n;
	bool first = true;

	if (o->json)
		fputc('{', o->f);
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) != TCPTL_A_FILTER)
			continue;
		mnl_attr_for_each_nested(n, a) {
			switch (mnl_attr_get_type(n)) {
			case TCPTL_FILTER_A_PORT: print_ranges(o->f, "port", n, &first, o->json); break;
			case TCPTL_FILTER_A_LPORT: print_ranges(o->f, "lport", n, &first, o->json); break;
			case TCPTL_FILTER_A_RPORT: print_ranges(o->f, "rport", n, &first, o->json); break;
			case TCPTL_FILTER_A_LADDR: print_cidr(o->f, "laddr", n, &first, o->json); break;
			case TCPTL_FILTER_A_RADDR: print_cidr(o->f, "raddr", n, &first, o->json); break;
			case TCPTL_FILTER_A_STATES:
				fprintf(o->f, o->json ? "%s\"states\":%u" : "%sstates 0x%x\n",
					o->json && !first ? "," : "", mnl_attr_get_u32(n));
				first = false;
				break;
			case TCPTL_FILTER_A_NETNS:
				fprintf(o->f, o->json ? "%s\"netns\":%u" : "%snetns %u\n",
					o->json && !first ? "," : "", mnl_attr_get_u32(n));
				first = false;
				break;
			case TCPTL_FILTER_A_FAMILY:
				fprintf(o->f, o->json ? "%s\"family\":%u" : "%sfamily %u\n",
					o->json && !first ? "," : "", mnl_attr_get_u8(n));
				first = false;
				break;
			}
		}
	}
	if (o->json)
		fputs("}\n", o->f);
	else if (first)
		fputs("no filter\n", o->f);
	return 0;
}

static int cmd_filter(struct tcptl_out *o, const char *action, struct tcptl_rfilter *f)
{
	struct tcptl_rfilter none = { 0 };
	struct tcptl_nl nl;
	int err = tcptl_nl_open(&nl);

	if (err)
		return fail_nl(err, "resolving the tcp_timeline family", NULL);
	if (!strcmp(action, "show"))
		err = tcptl_nl_request(&nl, TCPTL_CMD_GET_FILTER, NULL, NULL, filter_reply, o);
	else if (!strcmp(action, "set") || !strcmp(action, "clear"))
		err = tcptl_nl_request(&nl, TCPTL_CMD_SET_FILTER, (tcptl_nl_build)tcptl_rfilter_put,
				       !strcmp(action, "set") ? f : &none, NULL, NULL);
	else {
		fprintf(stderr, "tcptimeline: filter: unknown action '%s' (show, set, clear)\n", action);
		return EXIT_USAGE;
	}
	if (err)
		return fail_nl(err, "filter", &nl);
	tcptl_nl_close(&nl);
	return EXIT_OK;
}

enum {
	OPT_JSON = 256, OPT_COLOR, OPT_DURATION, OPT_COUNT, OPT_UNFINISHED, OPT_MAX_CONNS,
	OPT_LPORT, OPT_RPORT, OPT_LADDR, OPT_RADDR, OPT_STATE, OPT_PID, OPT_COMM, OPT_NETNS,
	OPT_KERNEL_FILTER,
};

static const struct option options[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "output", required_argument, NULL, 'o' },
	{ "color", optional_argument, NULL, OPT_COLOR },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "unfinished", no_argument, NULL, OPT_UNFINISHED },
	{ "max-conns", required_argument, NULL, OPT_MAX_CONNS },
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

int main(int argc, char **argv)
{
	static struct reader r;
	const char *cmd = "timeline", *action = NULL, *color = "auto", *outfile = NULL;
	bool kernel_filter = false;
	double duration = 0;
	uint64_t v, max_conns = 65536;
	char err[160];
	int opt, state;

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
	while ((opt = getopt_long(argc, argv, "o:Tp:46h", options, NULL)) != -1) {
		err[0] = '\0';
		switch (opt) {
		case OPT_JSON: r.out.json = true; break;
		case 'o': outfile = optarg; break;
		case 'T': r.out.wall_clock = true; break;
		case OPT_COLOR: color = optarg ? optarg : "always"; break;
		case OPT_DURATION:
			duration = strtod(optarg, NULL);
			if (duration <= 0)
				snprintf(err, sizeof(err), "bad --duration '%s'", optarg);
			break;
		case OPT_COUNT:
			if (parse_uint(optarg, UINT64_MAX, &r.max_count) || !r.max_count)
				snprintf(err, sizeof(err), "bad --count '%s'", optarg);
			break;
		case OPT_UNFINISHED: r.unfinished = true; break;
		case OPT_MAX_CONNS:
			if (parse_uint(optarg, 1u << 30, &max_conns) || !max_conns)
				snprintf(err, sizeof(err), "bad --max-conns '%s'", optarg);
			break;
		case 'p': tcptl_parse_range(optarg, &r.filter.port, err, sizeof(err)); break;
		case OPT_LPORT: tcptl_parse_range(optarg, &r.filter.lport, err, sizeof(err)); break;
		case OPT_RPORT: tcptl_parse_range(optarg, &r.filter.rport, err, sizeof(err)); break;
		case OPT_LADDR: tcptl_parse_cidr(optarg, &r.filter.laddr, err, sizeof(err)); break;
		case OPT_RADDR: tcptl_parse_cidr(optarg, &r.filter.raddr, err, sizeof(err)); break;
		case OPT_STATE:
			state = tcptl_state_from_name(optarg);
			if (state < 0)
				snprintf(err, sizeof(err), "unknown state '%s'", optarg);
			else
				r.filter.states |= 1u << state;
			break;
		case OPT_PID:
			if (parse_uint(optarg, UINT32_MAX, &v))
				snprintf(err, sizeof(err), "bad --pid '%s'", optarg);
			r.filter.has_pid = true;
			r.filter.pid = (uint32_t)v;
			break;
		case OPT_COMM: r.filter.comm = optarg; break;
		case '4': r.filter.family = AF_INET; break;
		case '6': r.filter.family = AF_INET6; break;
		case OPT_NETNS:
			if (parse_uint(optarg, UINT32_MAX, &v))
				snprintf(err, sizeof(err), "bad --netns '%s'", optarg);
			r.filter.has_netns = true;
			r.filter.netns = (uint32_t)v;
			break;
		case OPT_KERNEL_FILTER: kernel_filter = true; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
		if (err[0]) {
			fprintf(stderr, "tcptimeline: %s\n", err);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tcptimeline: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}

	r.out.f = stdout;
	if (outfile) {
		r.out.f = fopen(outfile, "w");
		if (!r.out.f) {
			fprintf(stderr, "tcptimeline: %s: %s\n", outfile, strerror(errno));
			return EXIT_RUNTIME;
		}
	}
	setvbuf(r.out.f, NULL, _IOLBF, 0);
	if (!strcmp(color, "always"))
		r.out.color = true;
	else if (!strcmp(color, "auto"))
		r.out.color = !r.out.json && isatty(fileno(r.out.f));
	else if (strcmp(color, "never")) {
		fprintf(stderr, "tcptimeline: --color wants auto, always or never\n");
		return EXIT_USAGE;
	}

	if (!strcmp(cmd, "stats"))
		return cmd_stats(&r.out);
	if (!strcmp(cmd, "filter"))
		return cmd_filter(&r.out, action ? action : "show", &r.filter);
	if (!strcmp(cmd, "events"))
		r.mode = MODE_EVENTS;
	else if (strcmp(cmd, "timeline")) {
		fprintf(stderr, "tcptimeline: unknown command '%s'\n", cmd);
		usage(stderr);
		return EXIT_USAGE;
	}

	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	tcptl_conn_table_init(&r.conns, (unsigned int)max_conns);
	tcptl_reorder_init(&r.reorder);
	tcptl_seqtrack_init(&r.seq);
	int code = run(&r, kernel_filter, duration);

	tcptl_conn_table_free(&r.conns);
	tcptl_reorder_free(&r.reorder);
	tcptl_seqtrack_free(&r.seq);
	if (outfile)
		fclose(r.out.f);
	return code;
}
