// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "output.h"
#include "perfetto.h"
#include "tcp_timeline.h"

int tcptl_perfetto_open(struct tcptl_perfetto *p, const char *path)
{
	memset(p, 0, sizeof(*p));
	p->f = fopen(path, "w");
	if (!p->f)
		return -errno;
	fputs("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n", p->f);
	return 0;
}

static void us(FILE *f, uint64_t ns)
{
	fprintf(f, "%" PRIu64 ".%03" PRIu64, ns / 1000, ns % 1000);
}

void tcptl_perfetto_conn(struct tcptl_perfetto *p, const struct tcptl_conn *c, uint64_t end_ns)
{
	uint32_t pid = c->has_owner ? c->pid : 0;
	uint64_t tid = ++p->tracks;
	char l[64], r[64], name[160];
	FILE *f = p->f;

	if (!f)
		return;
	tcptl_format_endpoint(l, sizeof(l), c->id.family, &c->id.saddr, c->id.sport);
	tcptl_format_endpoint(r, sizeof(r), c->id.family, &c->id.daddr, c->id.dport);
	snprintf(name, sizeof(name), "%s -> %s%s", l, r, c->preexisting ? " (opened before start)" : "");
	/* Metadata first, so the process and the track carry names. */
	fprintf(f, "%s{\"ph\":\"M\",\"pid\":%u,\"name\":\"process_name\",\"args\":{\"name\":",
		tid > 1 ? ",\n" : "", pid);
	tcptl_json_string(f, c->has_owner ? c->comm : "owner unknown");
	fprintf(f, "}},\n{\"ph\":\"M\",\"pid\":%u,\"tid\":%" PRIu64
		",\"name\":\"thread_name\",\"args\":{\"name\":", pid, tid);
	tcptl_json_string(f, name);
	fputs("}}", f);
	for (unsigned int i = 0; i < c->nsteps; i++) {
		const struct tcptl_step *s = &c->steps[i];
		uint64_t next = i + 1 < c->nsteps ? c->steps[i + 1].enter_ns : end_ns;

		/* A state with no known start or end is no slice. */
		if (!s->enter_ns || !next || next < s->enter_ns)
			continue;
		fprintf(f, ",\n{\"ph\":\"X\",\"pid\":%u,\"tid\":%" PRIu64 ",\"name\":\"%s%s\",\"ts\":",
			pid, tid, tcptl_state_name(s->state),
			s->flags & TCPTL_EVF_TIMEWAIT ? " (timewait)" : "");
		us(f, s->enter_ns);
		fputs(",\"dur\":", f);
		us(f, next - s->enter_ns);
		fprintf(f, ",\"args\":{\"cookie\":%" PRIu64 "}}", c->cookie);
	}
}

int tcptl_perfetto_close(struct tcptl_perfetto *p)
{
	int err = 0;

	if (!p->f)
		return 0;
	fputs("\n]}\n", p->f);
	if (ferror(p->f))
		err = -EIO;
	if (fclose(p->f) && !err)
		err = -errno;
	p->f = NULL;
	return err;
}
