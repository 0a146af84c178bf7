// SPDX-License-Identifier: GPL-2.0
/* The one-shot requests: stats, and filter show/set/clear. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <linux/genetlink.h>

#include "decode.h"
#include "nl.h"
#include "options.h"
#include "tcp_timeline.h"

int tcptl_fail_nl(int err, const char *what, const char *extack)
{
	if (err == -ENOENT) {
		fprintf(stderr, "tcptimeline: tcp_timeline module is not loaded (family not found)\n");
		return TCPTL_EXIT_NO_MODULE;
	}
	if (err == -EPROTO && tcptl_nl_module_version) {
		fprintf(stderr, "tcptimeline: the tcp_timeline module speaks contract version %u, "
			"this reader version %u: install a reader and module of one release\n",
			tcptl_nl_module_version, TCPTL_GENL_VERSION);
		return TCPTL_EXIT_VERSION;
	}
	if (err == -EPERM || err == -EACCES) {
		fprintf(stderr, "tcptimeline: %s: permission denied: need CAP_NET_ADMIN\n", what);
		return TCPTL_EXIT_PERM;
	}
	fprintf(stderr, "tcptimeline: %s: %s%s%s\n", what, strerror(-err),
		extack && extack[0] ? ": " : "", extack ? extack : "");
	return TCPTL_EXIT_RUNTIME;
}

int tcptl_cmd_stats(struct tcptl_options *opts)
{
	struct tcptl_out *o = &opts->out;
	struct tcptl_stats st;
	struct tcptl_nl nl;
	int err = tcptl_nl_open(&nl);

	if (err)
		return tcptl_fail_nl(err, "resolving the tcp_timeline family", NULL);
	err = tcptl_nl_get_stats(&nl, &st);
	if (err)
		return tcptl_fail_nl(err, "reading statistics", nl.errmsg);
	tcptl_print_stats(o, &st);
	tcptl_nl_close(&nl);
	return TCPTL_EXIT_OK;
}

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

int tcptl_cmd_filter(struct tcptl_options *opts, const char *action)
{
	struct tcptl_out *o = &opts->out;
	struct tcptl_rfilter *f = &opts->filter;
	struct tcptl_rfilter none = { 0 };
	struct tcptl_nl nl;
	int err = tcptl_nl_open(&nl);

	if (err)
		return tcptl_fail_nl(err, "resolving the tcp_timeline family", NULL);
	if (!strcmp(action, "show"))
		err = tcptl_nl_request(&nl, TCPTL_CMD_GET_FILTER, NULL, NULL, filter_reply, o);
	else if (!strcmp(action, "set") || !strcmp(action, "clear"))
		err = tcptl_nl_request(&nl, TCPTL_CMD_SET_FILTER, (tcptl_nl_build)tcptl_rfilter_put,
				       !strcmp(action, "set") ? f : &none, NULL, NULL);
	else {
		fprintf(stderr, "tcptimeline: filter: unknown action '%s' (show, set, clear)\n", action);
		return TCPTL_EXIT_USAGE;
	}
	if (err)
		return tcptl_fail_nl(err, "filter", nl.errmsg);
	tcptl_nl_close(&nl);
	return TCPTL_EXIT_OK;
}

