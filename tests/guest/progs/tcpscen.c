// SPDX-License-Identifier: GPL-2.0
/*
 * tcpscen: drives one TCP scenario on loopback and prints what a test needs
 * to check the module's records: "key=value" lines with the socket cookies
 * (SO_COOKIE, the module's connection id) and ports of every socket used.
 *
 *   tcpscen [-6] [-p PORT] SCENARIO
 *
 * client-close   client closes first, server closes after EOF
 * server-close   server closes first, client closes after EOF
 * refused        connect to a port nobody listens on
 * linger0        client aborts with SO_LINGER {1, 0}: RST
 * half-close     client shuts down writing, server answers, then both close
 * listen         a listener opened and closed, nothing else
 * close-wait     server never closes after the client's FIN (-s SECONDS)
 * burst          -n connections, client closes first, as fast as possible
 * reuse          client from fixed port -b closes first, then connects again
 *                from it: the second connect takes over the TIME_WAIT
 * syn-kill       server closes first (its side is in TIME_WAIT), then the
 *                client connects again from the same port -b: the SYN
 *                ends the server's TIME_WAIT
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif

static int family = AF_INET;
static int port = 9000;
static int hold_seconds = 3;
static int count = 100;
static int bind_port;

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
	if (listen(fd, 128))
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
	printf("client_port=%d\nserver_port=%d\n", local_port(*cfd), port);
}

int main(int argc, char **argv)
{
	int opt, lfd, cfd, sfd, err;
	const char *scen;

	while ((opt = getopt(argc, argv, "6p:s:n:b:")) != -1) {
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
		default:
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: tcpscen [-6] [-p PORT] [-s SECONDS] SCENARIO\n");
		return 2;
	}
	scen = argv[optind];
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("pid=%d\n", getpid());

	if (!strcmp(scen, "client-close")) {
		connected_pair(&lfd, &cfd, &sfd);
		send_some(cfd, "hello");
		close(cfd);
		wait_eof(sfd);
		close(sfd);
		close(lfd);
	} else if (!strcmp(scen, "server-close")) {
		connected_pair(&lfd, &cfd, &sfd);
		send_some(sfd, "hello");
		close(sfd);
		wait_eof(cfd);
		close(cfd);
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
		close(cfd);
		sleep(hold_seconds);	/* the leak: sfd stays in CLOSE_WAIT */
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
	} else if (!strcmp(scen, "reuse") || !strcmp(scen, "syn-kill")) {
		bool server_first = !strcmp(scen, "syn-kill");

		connected_pair(&lfd, &cfd, &sfd);
		printf("first_client_cookie=%llu\nfirst_server_cookie=%llu\n",
		       (unsigned long long)cookie_of(cfd), (unsigned long long)cookie_of(sfd));
		close(server_first ? sfd : cfd);
		wait_eof(server_first ? cfd : sfd);
		close(server_first ? cfd : sfd);
		usleep(100000);
		cfd = client(&err);
		printf("second_connect_errno=%d\n", err);
		if (!err) {
			sfd = accept_one(lfd);
			close(cfd);
			wait_eof(sfd);
			close(sfd);
		}
		close(lfd);
	} else {
		fprintf(stderr, "tcpscen: unknown scenario %s\n", scen);
		return 2;
	}
	printf("done=1\n");
	return 0;
}
