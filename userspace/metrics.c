// SPDX-License-Identifier: GPL-2.0
/*
 * "tcptimeline metrics": the Prometheus text format over HTTP (libmicrohttpd,
 * run from the reader's own poll loop through its epoll descriptor, so a
 * scrape renders the newest numbers without locks) and/or to a
 * node_exporter textfile, replaced atomically.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"
#include "promtext.h"
#include "session.h"
#include "tcp_timeline.h"

#define DEFAULT_PORT 9977

struct metrics {
	struct tcptl_top top;	/* first: tcptl_top_on_record */
	struct tcptl_options *o;
	struct tcptl_session *s;
	struct MHD_Daemon *httpd;
	uint64_t next_file_ns, interval_ns;
	uint64_t scrapes;
	int err;
};

/* Render everything now; the caller frees *buf. */
static int render(struct metrics *m, char **buf, size_t *len)
{
	struct tcptl_session *s = m->s;
	struct tcptl_stats st;
	struct tcptl_prom_input in = {
		.tally = &s->tally,
		.lost_module = tcptl_session_lost_module(s),
		.lost_socket = tcptl_session_lost_socket(s),
		.tracked = s->conns.count,
		.evicted = s->conns.evicted,
	};
	FILE *f;
	int err = tcptl_top_snapshot(&m->top, s, tcptl_now_ns());

	if (err)
		fprintf(stderr, "tcptimeline: metrics: listing sockets: %s\n", strerror(-err));
	else
		in.snap = &m->top.snap;
	if (!tcptl_nl_get_stats(&s->req, &st))
		in.module = &st;
	f = open_memstream(buf, len);
	if (!f)
		return -errno;
	tcptl_prom_write(f, &in);
	return fclose(f) ? -errno : 0;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_len, void **state)
{
	static const char not_found[] = "not found: try /metrics\n";
	struct metrics *m = cls;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	unsigned int status = MHD_HTTP_OK;
	char *buf = NULL;
	size_t len = 0;

	(void)version;
	(void)upload;
	(void)upload_len;
	(void)state;
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return MHD_NO;
	if (!strcmp(url, "/metrics") && render(m, &buf, &len) == 0) {
		resp = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
		MHD_add_response_header(resp, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
		m->scrapes++;
	} else {
		free(buf);
		status = strcmp(url, "/metrics") ? MHD_HTTP_NOT_FOUND : MHD_HTTP_INTERNAL_SERVER_ERROR;
		resp = MHD_create_response_from_buffer(sizeof(not_found) - 1, (void *)not_found,
						       MHD_RESPMEM_PERSISTENT);
	}
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static int write_textfile(struct metrics *m)
{
	char tmp[4096];
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int err = render(m, &buf, &len);

	if (err)
		return err;
	/* node_exporter may read at any moment: write aside, then rename. */
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", m->o->textfile, (int)getpid());
	f = fopen(tmp, "w");
	if (!f) {
		free(buf);
		return -errno;
	}
	fwrite(buf, 1, len, f);
	free(buf);
	if (fclose(f) || rename(tmp, m->o->textfile)) {
		err = -errno;
		unlink(tmp);
	}
	return err;
}

static void on_tick(struct tcptl_session *s, uint64_t now)
{
	struct metrics *m = s->mode;

	if (m->httpd)
		MHD_run(m->httpd);	/* connection timeouts, half-read requests */
	if (m->o->textfile && now >= m->next_file_ns) {
		int err = write_textfile(m);

		m->next_file_ns = now + m->interval_ns;
		if (err) {
			fprintf(stderr, "tcptimeline: %s: %s\n", m->o->textfile, strerror(-err));
			m->err = err;
			tcptl_stop = 1;
		}
	}
}

static void on_http(struct tcptl_session *s)
{
	struct metrics *m = s->mode;

	MHD_run(m->httpd);
}

/* "[ADDR:]PORT", ADDR an IPv4 address or [IPv6]. */
static int parse_listen(const char *spec, struct sockaddr_storage *ss, bool *any, uint16_t *port)
{
	char host[64] = "";
	const char *colon = strrchr(spec, ':');
	char *e;
	unsigned long p;

	*any = !colon;
	if (colon) {
		size_t n = (size_t)(colon - spec);

		if (n >= sizeof(host))
			return -1;
		memcpy(host, spec, n);
		host[n] = '\0';
		spec = colon + 1;
	}
	p = strtoul(spec, &e, 10);
	if (!*spec || *e || p == 0 || p > 65535)
		return -1;
	*port = (uint16_t)p;
	memset(ss, 0, sizeof(*ss));
	if (*any || !host[0]) {
		*any = true;
		return 0;
	}
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

		host[strlen(host) - 1] = '\0';
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(*port);
		return inet_pton(AF_INET6, host + 1, &a6->sin6_addr) == 1 ? 0 : -1;
	}
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;

	a4->sin_family = AF_INET;
	a4->sin_port = htons(*port);
	return inet_pton(AF_INET, host, &a4->sin_addr) == 1 ? 0 : -1;
}

static int start_http(struct metrics *m, const char *spec)
{
	struct sockaddr_storage ss;
	unsigned int flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	uint16_t port;
	bool any;

	if (parse_listen(spec, &ss, &any, &port)) {
		fprintf(stderr, "tcptimeline: bad --listen '%s' (want [ADDR:]PORT)\n", spec);
		return TCPTL_EXIT_USAGE;
	}
	if (any)
		m->httpd = MHD_start_daemon(flags | MHD_USE_DUAL_STACK, port, NULL, NULL, answer, m,
					    MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
	else
		m->httpd = MHD_start_daemon(flags, port, NULL, NULL, answer, m,
					    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
					    MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
	if (!m->httpd) {
		fprintf(stderr, "tcptimeline: cannot listen on %s: %s\n", spec, strerror(errno));
		return TCPTL_EXIT_RUNTIME;
	}
	return TCPTL_EXIT_OK;
}

int tcptl_cmd_metrics(struct tcptl_options *o)
{
	static struct tcptl_session s;
	static struct tcptl_session_ops ops = {
		.record = tcptl_top_on_record,
		.tick = on_tick,
		.extra_fd = -1,
		.extra_ready = on_http,
	};
	struct metrics m = { .o = o, .s = &s };
	char dflt[8];
	int err, code;

	if (!o->listen && !o->textfile) {
		snprintf(dflt, sizeof(dflt), "%d", DEFAULT_PORT);
		o->listen = dflt;
	}
	if (!o->interval)
		o->interval = 15;
	m.interval_ns = (uint64_t)(o->interval * 1e9);
	s.ops = &ops;
	s.mode = &m;
	/* HTTP first: a bad address is a usage error before anything else. */
	if (o->listen) {
		code = start_http(&m, o->listen);
		if (code)
			goto out;
		ops.extra_fd = MHD_get_daemon_info(m.httpd, MHD_DAEMON_INFO_EPOLL_FD)->epoll_fd;
	}
	code = tcptl_top_open(&m.top, &s, o);
	if (code)
		goto out;
	if (o->listen)
		fprintf(stderr, "tcptimeline: serving http://%s%s/metrics\n",
			strchr(o->listen, ':') ? "" : "*:", o->listen);
	code = tcptl_top_run(&s, o);
	if (code) {
		/* unloaded or failed: said already */
	} else if (m.err) {
		code = TCPTL_EXIT_RUNTIME;
	} else if (o->textfile && (err = write_textfile(&m))) {
		fprintf(stderr, "tcptimeline: %s: %s\n", o->textfile, strerror(-err));
		code = TCPTL_EXIT_RUNTIME;
	}
out:
	if (m.httpd)
		MHD_stop_daemon(m.httpd);
	tcptl_session_close(&s);
	tcptl_top_free(&m.top);
	return code;
}
