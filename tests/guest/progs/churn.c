// SPDX-License-Identifier: GPL-2.0
/*
 * churn: the benchmark's workload. CLIENTS server threads (each an epoll
 * loop on its own SO_REUSEPORT listener, so the server keeps up) accept,
 * read to EOF and close; CLIENTS client threads each loop over connect,
 * send one byte, close, for SECONDS. The client closes first, so every connection
 * takes the whole normal path: 5 transitions on each side, TIME_WAIT on the
 * client's.
 *
 *   churn [-p PORT] [-c CLIENTS] [-d SECONDS] [-r RATE]
 *
 * With -r, the clients together open RATE connections per second (paced,
 * for latency at a load the machine sustains); without, as fast as they can.
 *
 * Prints "connections=N listeners=L seconds=S rate=R" once every
 * connection has been closed on both sides (the servers' count, checked
 * against the clients').
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int port = 9900, clients = 4;
static double seconds = 5, rate;
static atomic_bool stop_clients, clients_joined;
static atomic_ulong client_done, server_done;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "churn: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void *client_loop(void *arg)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	double next = now(), period = rate > 0 ? clients / rate : 0;

	(void)arg;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	while (!atomic_load(&stop_clients)) {
		int fd;

		if (period > 0) {
			double wait = next - now();

			if (wait > 0)
				usleep((useconds_t)(wait * 1e6));
			next += period;
		}
		fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0)
			die("socket");
		if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
			/* EADDRNOTAVAIL: ports exhausted; the run is then invalid. */
			die("connect");
		}
		if (write(fd, "x", 1) != 1)
			die("write");
		close(fd);
		atomic_fetch_add(&client_done, 1);
	}
	return NULL;
}

static void *server_loop(void *arg)
{
	int lfd = *(int *)arg, ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = lfd }, evs[64];
	char buf[64];

	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev))
		die("epoll");
	for (;;) {
		int n = epoll_wait(ep, evs, 64, 100);

		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == lfd) {
				int c;

				while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					struct epoll_event cev = { .events = EPOLLIN, .data.fd = c };

					epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
				}
				continue;
			}
			ssize_t r;

			while ((r = read(fd, buf, sizeof(buf))) > 0)
				;
			if (r == 0 || (r < 0 && errno != EAGAIN)) {
				close(fd);	/* EOF: the peer closed; so do we */
				atomic_fetch_add(&server_done, 1);
			}
		}
		/* Done when every client has finished and every connection
		 * it made has been closed here (by one server or another). */
		if (n == 0 && atomic_load(&clients_joined) &&
		    atomic_load(&server_done) == atomic_load(&client_done))
			return NULL;
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	pthread_t *srv, *cl;
	int opt, *lfds, one = 1;
	double t0, t1;

	while ((opt = getopt(argc, argv, "p:c:d:r:")) != -1) {
		switch (opt) {
		case 'p': port = atoi(optarg); break;
		case 'c': clients = atoi(optarg); break;
		case 'd': seconds = atof(optarg); break;
		case 'r': rate = atof(optarg); break;
		default: return 2;
		}
	}
	/* A server that falls behind holds many sockets: allow it. */
	struct rlimit rl;

	rl.rlim_cur = rl.rlim_max = 1 << 20;	/* root may go up to fs.nr_open */
	if (setrlimit(RLIMIT_NOFILE, &rl) && !getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cl = calloc(clients, sizeof(*cl));
	srv = calloc(clients, sizeof(*srv));
	lfds = calloc(clients, sizeof(*lfds));
	for (int i = 0; i < clients; i++) {
		lfds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		setsockopt(lfds[i], SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		setsockopt(lfds[i], SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
		if (lfds[i] < 0 || bind(lfds[i], (struct sockaddr *)&a, sizeof(a)) ||
		    listen(lfds[i], 4096))
			die("listen");
		pthread_create(&srv[i], NULL, server_loop, &lfds[i]);
	}
	t0 = now();
	for (int i = 0; i < clients; i++)
		pthread_create(&cl[i], NULL, client_loop, NULL);
	while (now() - t0 < seconds)
		usleep(10000);
	atomic_store(&stop_clients, true);
	for (int i = 0; i < clients; i++)
		pthread_join(cl[i], NULL);
	t1 = now();
	atomic_store(&clients_joined, true);
	for (int i = 0; i < clients; i++) {
		pthread_join(srv[i], NULL);
		close(lfds[i]);
	}
	if (atomic_load(&server_done) != atomic_load(&client_done)) {
		fprintf(stderr, "churn: server closed %lu, clients made %lu\n",
			atomic_load(&server_done), atomic_load(&client_done));
		return 1;
	}
	printf("connections=%lu listeners=%d seconds=%.3f rate=%.1f\n", atomic_load(&client_done),
	       clients, t1 - t0,
	       atomic_load(&client_done) / (t1 - t0));
	return 0;
}
