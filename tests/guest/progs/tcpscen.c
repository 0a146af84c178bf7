// SPDX-License-Identifier: GPL-2.0
/*
 * tcpscen: drives one TCP scenario on loopback and prints what a test needs
 * to check the module's records: "key=value" lines with the socket cookies
 * (SO_COOKIE, the module's connection id) and ports of every socket used.
 *
 *   tcpscen [-6] [-p PORT] [-s SECONDS] [-n COUNT] [-b PORT] [-l BACKLOG]
 *           [-t SECONDS] [-a ADDR] SCENARIO
 *
 * client-close   client closes first, server closes after EOF
 * server-close   server closes first, client closes after EOF
 *                (the side closing first shuts down writing and closes only
 *                after the peer's FIN: a close() before that FIN comes may,
 *                when the peer's delayed ACK fires first, leave an orphaned
 *                FIN_WAIT2 in the timewait machinery, the close-wait case;
 *                here the whole socket enters TIME_WAIT every time)
 * refused        connect to a port nobody listens on
 * linger0        client aborts with SO_LINGER {1, 0}: RST
 * rst-unaccepted the same, before the server accepts; the server accepts
 *                the reset child afterwards
 * unaccepted     the server closes its listener with the connection still
 *                in the accept queue: the child is reset, never accepted
 * half-close     client shuts down writing, server answers, then both close
 * listen         a listener opened and closed, nothing else
 * close-wait     server never closes after the client's FIN (-s SECONDS); the
 *                client closes once its FIN is acknowledged, so its socket
 *                goes on as an orphaned FIN_WAIT2 in the timewait machinery
 * simultaneous   both ends shut down writing at once (with a delay on the
 *                path, both FINs cross: CLOSING on both sides)
 * rst-kill       server closes first; once its socket is in TIME_WAIT, an
 *                in-window RST (raw socket, seq taken from the client's FIN
 *                seen on lo) ends it (IPv4 only)
 * burst          -n connections, client closes first, as fast as possible
 * leak           a server process named "leakysrv" accepts -n connections and
 *                never reads or closes them for -s seconds; the clients each
 *                send "hello" and close: n server sockets in CLOSE_WAIT with
 *                5 bytes unread, owned by leakysrv (its pid: server_pid)
 * reuse          client from fixed port -b closes first, then connects again
 *                from it: the second connect takes over the TIME_WAIT
 * syn-kill       server closes first (its side is in TIME_WAIT), then the
 *                client connects again from the same port -b: the SYN
 *                ends the server's TIME_WAIT
 * stall          a server process (server_pid) listens with backlog -l and
 *                accepts nothing while -n clients connect and for -s
 *                seconds after; its accept queue fills (backlog + 1
 *                children), some requests stay in SYN_RECV, the rest of the
 *                clients in SYN_SENT; then it accepts (all -n, or for 60 s
 *                at most: accepted=K), holds them -t seconds and closes
 * connect        -n non-blocking connects to -a ADDR (default loopback)
 *                port -p, each kept until it fails or connects, -s seconds
 *                at most: connected=K, failed=F, failed_etimedout=N, ... (one
 *                line per errno), client_cookies="..."
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <unistd.h>

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif

static int family = AF_INET;
static int port = 9000;
static int hold_seconds = 3;
static int count = 100;
static int bind_port;
static int local_port_of_closed;
static int backlog = 128;
static int keep_seconds = 2;
static const char *remote_addr;

static void die(const char *what)
{
	fprintf(stderr, "tcpscen: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t cookie_of(int fd)
{
	uint64_t c = 0;
	socklen_t len = sizeof(c);

	if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &c, &len))
		die("SO_COOKIE");
	return c;
}

static int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		die("getsockname");
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static socklen_t loopback(struct sockaddr_storage *ss, int p)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		s6->sin6_port = htons(p);
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	s4->sin_family = AF_INET;
	s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s4->sin_port = htons(p);
	return sizeof(*s4);
}

static int listener(void)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(&ss, port);
	int one = 1, fd = socket(family, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len))
		die("bind");
	if (listen(fd, backlog))
		die("listen");
	printf("listener_cookie=%llu\n", (unsigned long long)cookie_of(fd));
	return fd;
}

static int client(int *err)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(&ss, port);
	int fd = socket(family, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	if (bind_port) {
		struct sockaddr_storage local;
		socklen_t llen = loopback(&local, bind_port);
		int one = 1;

		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&local, llen))
			die("bind client");
	}
	*err = connect(fd, (struct sockaddr *)&ss, len) ? errno : 0;
	printf("client_cookie=%llu\n", (unsigned long long)cookie_of(fd));
	return fd;
}

static int accept_one(int lfd)
{
	int fd = accept(lfd, NULL, NULL);

	if (fd < 0)
		die("accept");
	printf("server_cookie=%llu\n", (unsigned long long)cookie_of(fd));
	return fd;
}

static void wait_eof(int fd)
{
	char buf[256];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

static void send_some(int fd, const char *s)
{
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		die("write");
}

/*
 * FIRST closes first, PEER after EOF; FIRST's socket is whole until the
 * peer's FIN has moved it to TIME_WAIT. A close() of FIRST instead would
 * race the peer's FIN with the ACK of FIRST's own FIN: on a slow kernel
 * (seen on the debug one) the ACK, handled late on the other CPU, turns
 * the orphan into a FIN_WAIT2 timewait socket while the FIN waits on its
 * lock, finds a closed socket and is dropped; FIRST stays FIN_WAIT2 until
 * the FIN's retransmission (200 ms or more later).
 */
static void active_close(int first, int peer)
{
	if (shutdown(first, SHUT_WR))
		die("shutdown");
	wait_eof(peer);
	close(peer);
	wait_eof(first);
	close(first);
}

/*
 * Wait (up to 10 s) until FD's socket has the ACK of its FIN: FIN_WAIT2.
 * close() of a FIN_WAIT2 socket then hands it to the timewait machinery
 * every time (tcp_fin_timeout <= 60 s). A close() before that ACK leaves
 * it to the ACK's arrival, which takes that path only if the socket's lock
 * is free at that moment (a slow kernel still holds it in close()).
 */
static void wait_fin_acked(int fd)
{
	for (int i = 0; i < 10000; i++) {
		struct tcp_info ti;
		socklen_t len = sizeof(ti);

		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
			die("TCP_INFO");
		if (ti.tcpi_state == TCP_FIN_WAIT2)
			return;
		usleep(1000);
	}
	die("no ACK of the FIN in 10 s");
}

/* The client's FIN, as seen on lo: its sequence number. */
static uint32_t capture_fin(int pfd, int client_port)
{
	unsigned char pkt[2048];

	for (;;) {
		ssize_t n = recv(pfd, pkt, sizeof(pkt), 0);
		struct iphdr *ip = (struct iphdr *)pkt;
		struct tcphdr *th;

		if (n < (ssize_t)sizeof(*ip))
			die("capture");
		if (ip->protocol != IPPROTO_TCP)
			continue;
		th = (struct tcphdr *)(pkt + ip->ihl * 4);
		if (ntohs(th->source) == client_port && th->fin)
			return ntohl(th->seq);
	}
}

static uint16_t checksum(const void *data, size_t len, uint32_t sum)
{
	const uint16_t *p = data;

	for (; len > 1; len -= 2)
		sum += *p++;
	if (len)
		sum += *(const uint8_t *)p;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void send_rst(int client_port, int server_port, uint32_t seq)
{
	struct { uint32_t src, dst; uint8_t zero, proto; uint16_t len; } ph;
	unsigned char buf[sizeof(ph) + sizeof(struct tcphdr)];
	struct tcphdr th = { 0 };
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_TCP);

	if (fd < 0)
		die("raw socket");
	th.source = htons(client_port);
	th.dest = htons(server_port);
	th.seq = htonl(seq);
	th.doff = 5;
	th.rst = 1;
	ph.src = ph.dst = htonl(INADDR_LOOPBACK);
	ph.zero = 0;
	ph.proto = IPPROTO_TCP;
	ph.len = htons(sizeof(th));
	memcpy(buf, &ph, sizeof(ph));
	memcpy(buf + sizeof(ph), &th, sizeof(th));
	th.check = checksum(buf, sizeof(buf), 0);
	if (sendto(fd, &th, sizeof(th), 0, (struct sockaddr *)&to, sizeof(to)) != sizeof(th))
		die("send RST");
	close(fd);
}

static void connected_pair(int *lfd, int *cfd, int *sfd)
{
	int err;

	*lfd = listener();
	*cfd = client(&err);
	if (err) {
		errno = err;
		die("connect");
	}
	*sfd = accept_one(*lfd);
	local_port_of_closed = local_port(*cfd);
	printf("client_port=%d\nserver_port=%d\n", local_port_of_closed, port);
}

/* A connection left in the listener's accept queue. */
static void queued_client(int *lfd, int *cfd)
{
	int err;

	*lfd = listener();
	*cfd = client(&err);
	if (err) {
		errno = err;
		die("connect");
	}
	printf("client_port=%d\n", local_port(*cfd));
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* -a ADDR (default: loopback) and port P. */
static socklen_t remote(struct sockaddr_storage *ss, int p)
{
	socklen_t len = loopback(ss, p);
	void *a = family == AF_INET6 ? (void *)&((struct sockaddr_in6 *)ss)->sin6_addr :
				       (void *)&((struct sockaddr_in *)ss)->sin_addr;

	if (remote_addr && inet_pton(family, remote_addr, a) != 1) {
		fprintf(stderr, "tcpscen: bad address %s\n", remote_addr);
		exit(2);
	}
	return len;
}

/*
 * A client of stall. block: connect() returns once the handshake is done.
 * defer: its handshake's last ACK waits for the delayed-ACK timer (200 ms;
 * TCP_DEFER_ACCEPT on a connecting socket), so that several SYNs reach the
 * listener before their ACKs do.
 */
static int stall_client(bool block, bool defer)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(&ss, port);
	int one = 1, fd = socket(family, SOCK_STREAM | (block ? 0 : SOCK_NONBLOCK), 0);

	if (fd < 0)
		die("socket");
	if (defer && setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &one, sizeof(one)))
		die("TCP_DEFER_ACCEPT");
	if (connect(fd, (struct sockaddr *)&ss, len) && errno != EINPROGRESS)
		die("connect");
	return fd;
}

/* The server of stall: listen, stall, accept, hold, close; never returns. */
static void stall_server(int ready, int go)
{
	int held[64], n = 0, lfd = listener();
	uint64_t deadline;
	char c;

	if (write(ready, "r", 1) != 1 || read(go, &c, 1) != 1)
		_exit(1);
	sleep(hold_seconds);		/* the stall: nothing accepted */
	deadline = now_ms() + 60000;
	while (n < count && now_ms() < deadline) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		int fd;

		if (poll(&p, 1, 100) <= 0)
			continue;
		fd = accept(lfd, NULL, NULL);
		if (fd >= 0)
			held[n++] = fd;
	}
	printf("accepted=%d\n", n);
	sleep(keep_seconds);
	for (int i = 0; i < n; i++)
		close(held[i]);
	close(lfd);
	_exit(0);
}

/*
 * stall: the first -l clients complete their handshakes (accept queue:
 * backlog); the next -l defer their last ACK: their SYNs all make requests
 * (the queue is not full yet), then the first ACK fills the queue (backlog
 * + 1) and the others overflow, leaving their requests in SYN_RECV (the
 * listener retransmits its SYN-ACK, the client answers, the queue is still
 * full); once those ACKs have gone, the rest connect into a full queue:
 * their SYNs are dropped, they stay in SYN_SENT. Only then does the stall
 * of -s seconds start: what is in the queue waits -s seconds at least.
 */
static void stall(void)
{
	int ready[2], go[2], cfds[64], status;
	pid_t server;
	char c;

	if (count > 64 || backlog < 1 || pipe(ready) || pipe(go))
		die("stall: at most 64 connections");
	server = fork();
	if (server < 0)
		die("fork");
	if (server == 0) {
		close(ready[0]);
		close(go[1]);
		stall_server(ready[1], go[0]);
	}
	close(ready[1]);
	close(go[0]);
	printf("server_pid=%d\n", (int)server);
	if (read(ready[0], &c, 1) != 1)
		die("stall: server");
	for (int i = 0; i < count; i++) {
		if (i == backlog)
			usleep(100000);	/* every ACK so far has made its child */
		else if (i == 2 * backlog)
			usleep(500000);	/* the deferred ACKs have gone */
		cfds[i] = stall_client(i < backlog, i >= backlog && i < 2 * backlog);
	}
	printf("clients=%d\n", count);
	if (write(go[1], "g", 1) != 1)
		die("stall: go");
	if (waitpid(server, &status, 0) != server)
		die("waitpid");
	for (int i = 0; i < count; i++)
		close(cfds[i]);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "tcpscen: stall: the server failed\n");
		exit(1);
	}
}

static const struct { int err; const char *name; } errnos[] = {
	{ ETIMEDOUT, "etimedout" },
	{ ECONNREFUSED, "econnrefused" },
	{ EHOSTUNREACH, "ehostunreach" },
	{ ENETUNREACH, "enetunreach" },
	{ ECONNRESET, "econnreset" },
};

/* connect: see the top of the file. */
static void connects(void)
{
	struct sockaddr_storage ss;
	socklen_t len = remote(&ss, port);
	int fds[64], err[64], known[sizeof(errnos) / sizeof(errnos[0])] = { 0 };
	bool done[64];
	int connected = 0, failed = 0, pending;
	uint64_t deadline;

	if (count > 64 || count < 1)
		die("connect: 1 to 64 connections");
	printf("client_cookies=\"");
	for (int i = 0; i < count; i++) {
		fds[i] = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fds[i] < 0)
			die("socket");
		done[i] = false;
		err[i] = 0;
		if (connect(fds[i], (struct sockaddr *)&ss, len) && errno != EINPROGRESS) {
			done[i] = true;		/* failed at once */
			err[i] = errno;
		}
		printf("%s%llu", i ? " " : "", (unsigned long long)cookie_of(fds[i]));
	}
	printf("\"\n");
	deadline = now_ms() + (uint64_t)hold_seconds * 1000;
	for (;;) {
		struct pollfd p[64];
		int which[64], n = 0;

		for (int i = 0; i < count; i++) {
			if (done[i])
				continue;
			p[n].fd = fds[i];
			p[n].events = POLLOUT;
			p[n].revents = 0;
			which[n++] = i;
		}
		if (!n || now_ms() >= deadline)
			break;
		if (poll(p, n, 100) < 0 && errno != EINTR)
			die("poll");
		for (int j = 0; j < n; j++) {
			socklen_t elen = sizeof(int);
			int i = which[j];

			if (!p[j].revents)
				continue;
			if (getsockopt(fds[i], SOL_SOCKET, SO_ERROR, &err[i], &elen))
				die("SO_ERROR");
			if (err[i] || (p[j].revents & POLLOUT))
				done[i] = true;
		}
	}
	pending = 0;
	for (int i = 0; i < count; i++) {
		bool named = false;

		if (!done[i]) {
			pending++;
			continue;
		}
		if (!err[i]) {
			connected++;
			continue;
		}
		failed++;
		for (size_t k = 0; k < sizeof(errnos) / sizeof(errnos[0]); k++) {
			if (errnos[k].err == err[i]) {
				known[k]++;
				named = true;
			}
		}
		if (!named)
			printf("failed_errno_%d=1\n", err[i]);
	}
	printf("connected=%d\nfailed=%d\npending=%d\n", connected, failed, pending);
	for (size_t k = 0; k < sizeof(errnos) / sizeof(errnos[0]); k++)
		printf("failed_%s=%d\n", errnos[k].name, known[k]);
	for (int i = 0; i < count; i++)
		close(fds[i]);
}

int main(int argc, char **argv)
{
	int opt, lfd, cfd, sfd, err;
	const char *scen;

	while ((opt = getopt(argc, argv, "6p:s:n:b:l:t:a:")) != -1) {
		switch (opt) {
		case '6':
			family = AF_INET6;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 's':
			hold_seconds = atoi(optarg);
			break;
		case 'n':
			count = atoi(optarg);
			break;
		case 'b':
			bind_port = atoi(optarg);
			break;
		case 'l':
			backlog = atoi(optarg);
			break;
		case 't':
			keep_seconds = atoi(optarg);
			break;
		case 'a':
			remote_addr = optarg;
			break;
		default:
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: tcpscen [-6] [-p PORT] [-s SECONDS] [-n COUNT] [-b PORT] "
			"[-l BACKLOG] [-t SECONDS] [-a ADDR] SCENARIO\n");
		return 2;
	}
	scen = argv[optind];
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("pid=%d\n", getpid());

	if (!strcmp(scen, "client-close")) {
		connected_pair(&lfd, &cfd, &sfd);
		send_some(cfd, "hello");
		active_close(cfd, sfd);
		close(lfd);
	} else if (!strcmp(scen, "server-close")) {
		connected_pair(&lfd, &cfd, &sfd);
		send_some(sfd, "hello");
		active_close(sfd, cfd);
		close(lfd);
	} else if (!strcmp(scen, "refused")) {
		cfd = client(&err);
		printf("connect_errno=%d\n", err);
		close(cfd);
	} else if (!strcmp(scen, "linger0")) {
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		connected_pair(&lfd, &cfd, &sfd);
		setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(cfd);
		wait_eof(sfd);
		close(sfd);
		close(lfd);
	} else if (!strcmp(scen, "rst-unaccepted")) {
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		queued_client(&lfd, &cfd);
		setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(cfd);
		usleep(100000);		/* the RST reaches the queued child */
		sfd = accept_one(lfd);
		wait_eof(sfd);
		close(sfd);
		close(lfd);
	} else if (!strcmp(scen, "unaccepted")) {
		queued_client(&lfd, &cfd);
		usleep(100000);		/* the child is in the accept queue */
		close(lfd);
		wait_eof(cfd);
		close(cfd);
	} else if (!strcmp(scen, "half-close")) {
		connected_pair(&lfd, &cfd, &sfd);
		shutdown(cfd, SHUT_WR);
		wait_eof(sfd);
		send_some(sfd, "answer");
		close(sfd);
		wait_eof(cfd);
		close(cfd);
		close(lfd);
	} else if (!strcmp(scen, "listen")) {
		lfd = listener();
		close(lfd);
	} else if (!strcmp(scen, "close-wait")) {
		connected_pair(&lfd, &cfd, &sfd);
		/* an orphaned FIN_WAIT2 in the timewait machinery */
		if (shutdown(cfd, SHUT_WR))
			die("shutdown");
		wait_fin_acked(cfd);
		close(cfd);
		sleep(hold_seconds);	/* the leak: sfd stays in CLOSE_WAIT */
		close(sfd);
		close(lfd);
	} else if (!strcmp(scen, "rst-kill")) {
		struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP),
					  .sll_ifindex = (int)if_nametoindex("lo") };
		int pfd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
		uint32_t fin_seq;

		if (pfd < 0 || bind(pfd, (struct sockaddr *)&ll, sizeof(ll)))
			die("packet socket");
		connected_pair(&lfd, &cfd, &sfd);
		/* server first: its side gets TIME_WAIT (see active_close) */
		if (shutdown(sfd, SHUT_WR))
			die("shutdown");
		wait_eof(cfd);
		close(cfd);			/* the client's FIN */
		fin_seq = capture_fin(pfd, local_port_of_closed);
		wait_eof(sfd);
		close(sfd);
		usleep(100000);
		send_rst(local_port_of_closed, port, fin_seq + 1);
		usleep(100000);
		close(pfd);
		close(lfd);
	} else if (!strcmp(scen, "simultaneous")) {
		connected_pair(&lfd, &cfd, &sfd);
		shutdown(cfd, SHUT_WR);
		shutdown(sfd, SHUT_WR);
		wait_eof(cfd);
		wait_eof(sfd);
		close(cfd);
		close(sfd);
		close(lfd);
	} else if (!strcmp(scen, "burst")) {
		lfd = listener();
		for (int i = 0; i < count; i++) {
			cfd = client(&err);
			if (err) {
				errno = err;
				die("connect");
			}
			sfd = accept_one(lfd);
			close(cfd);
			wait_eof(sfd);
			close(sfd);
		}
		close(lfd);
	} else if (!strcmp(scen, "leak")) {
		int ready[2], cfds[64];
		pid_t server;
		char c;

		if (count > 64 || pipe(ready))
			die("leak: at most 64 connections");
		lfd = listener();
		server = fork();
		if (server == 0) {
			int held[64];

			prctl(PR_SET_NAME, "leakysrv");
			for (int i = 0; i < count; i++)
				held[i] = accept(lfd, NULL, NULL);
			if (write(ready[1], "r", 1) != 1)
				_exit(1);
			sleep(hold_seconds);	/* never reads, never closes */
			for (int i = 0; i < count; i++)
				close(held[i]);
			_exit(0);
		}
		printf("server_pid=%d\n", (int)server);
		for (int i = 0; i < count; i++) {
			cfds[i] = client(&err);
			if (err) {
				errno = err;
				die("connect");
			}
		}
		if (read(ready[0], &c, 1) != 1)
			die("leak: server");
		close(lfd);
		for (int i = 0; i < count; i++) {
			send_some(cfds[i], "hello");
			close(cfds[i]);
		}
	} else if (!strcmp(scen, "reuse") || !strcmp(scen, "syn-kill")) {
		bool server_first = !strcmp(scen, "syn-kill");

		connected_pair(&lfd, &cfd, &sfd);
		printf("first_client_cookie=%llu\nfirst_server_cookie=%llu\n",
		       (unsigned long long)cookie_of(cfd), (unsigned long long)cookie_of(sfd));
		if (server_first)
			active_close(sfd, cfd);
		else
			active_close(cfd, sfd);
		cfd = client(&err);
		printf("second_connect_errno=%d\n", err);
		if (!err) {
			sfd = accept_one(lfd);
			active_close(cfd, sfd);
		}
		close(lfd);
	} else if (!strcmp(scen, "stall")) {
		stall();
	} else if (!strcmp(scen, "connect")) {
		connects();
	} else {
		fprintf(stderr, "tcpscen: unknown scenario %s\n", scen);
		return 2;
	}
	printf("done=1\n");
	return 0;
}
