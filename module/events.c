// SPDX-License-Identifier: GPL-2.0
/*
 * Building and sending events messages. A message is the clock offset and
 * one TCPTL_A_RECORDS attribute: a struct tcptl_records header and the
 * buffer slots copied behind it as they are, so the flush worker formats
 * nothing per record.
 */

#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/ktime.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>

#include "events.h"
#include "record.h"

/* The layout the uapi header documents, on every architecture. */
static_assert(sizeof(struct tcptl_record) == TCPTL_RECORD_SIZE);
static_assert(sizeof(struct tcptl_record) % 8 == 0);
static_assert(offsetof(struct tcptl_record, saddr) == 48);
static_assert(offsetof(struct tcptl_record, cpu) == 80);
static_assert(offsetof(struct tcptl_record, sport) == 120);
static_assert(offsetof(struct tcptl_record, type) == 124);
static_assert(offsetof(struct tcptl_record, comm) == 132);
static_assert(sizeof(struct tcptl_records) == 8);

/*
 * Payload of one events message: about a hundred records, yet with the
 * netlink and skb overhead the buffer still fits a 16 KiB allocation.
 */
#define TCPTL_BATCH_BYTES	(16384 - 1024)

static const struct genl_family *tcptl_events_family;
static unsigned int tcptl_events_group;

static atomic64_t tcptl_delivered = ATOMIC64_INIT(0);
static atomic64_t tcptl_delivery_failed = ATOMIC64_INIT(0);
static atomic64_t tcptl_unclaimed = ATOMIC64_INIT(0);
static atomic64_t tcptl_messages = ATOMIC64_INIT(0);

void tcptl_events_bind(const struct genl_family *family, unsigned int group)
{
	tcptl_events_group = group;
	WRITE_ONCE(tcptl_events_family, family);
}

void tcptl_events_unbind(void)
{
	WRITE_ONCE(tcptl_events_family, NULL);
}

bool tcptl_events_listening(void)
{
	const struct genl_family *family = READ_ONCE(tcptl_events_family);

	return family && genl_has_listeners(family, &init_net,
					    tcptl_events_group);
}

void tcptl_events_get_stats(struct tcptl_events_stats *st)
{
	st->delivered = atomic64_read(&tcptl_delivered);
	st->delivery_failed = atomic64_read(&tcptl_delivery_failed);
	st->unclaimed = atomic64_read(&tcptl_unclaimed);
	st->messages = atomic64_read(&tcptl_messages);
}

void tcptl_batch_init(struct tcptl_batch *batch, unsigned int expected)
{
	memset(batch, 0, sizeof(*batch));
	batch->expected = expected;
}

static size_t tcptl_batch_fixed_bytes(void)
{
	return nla_total_size_64bit(sizeof(u64)) +
	       nla_total_size(sizeof(struct tcptl_records));
}

/*
 * A message as large as the records still to come need, up to the batch
 * size: every byte allocated is zeroed (init_on_alloc, on in Debian's
 * kernels) and counts against the reader's receive buffer, and at low
 * rates a flush carries a record or two.
 */
static size_t tcptl_batch_bytes(const struct tcptl_batch *batch)
{
	size_t want = tcptl_batch_fixed_bytes() +
		      (size_t)batch->expected * sizeof(struct tcptl_record);

	return batch->expected && want < TCPTL_BATCH_BYTES ? want :
							     TCPTL_BATCH_BYTES;
}

static int tcptl_batch_start(struct tcptl_batch *batch)
{
	const struct genl_family *family = READ_ONCE(tcptl_events_family);
	s64 offset = ktime_get_real_ns() - tcptl_clock_ns();
	struct sk_buff *skb;

	if (!family)
		return -ENODEV;
	skb = genlmsg_new(tcptl_batch_bytes(batch), GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	batch->hdr = genlmsg_put(skb, 0, 0, family, 0, TCPTL_CMD_EVENTS);
	if (!batch->hdr ||
	    nla_put_u64_64bit(skb, TCPTL_A_CLOCK_OFFSET_NS, (u64)offset,
			      TCPTL_A_PAD))
		goto err_free;
	batch->attr = nla_reserve(skb, TCPTL_A_RECORDS,
				  sizeof(struct tcptl_records));
	if (!batch->attr)
		goto err_free;
	batch->head = nla_data(batch->attr);
	batch->head->record_size = sizeof(struct tcptl_record);
	batch->head->count = 0;
	batch->head->reserved = 0;
	batch->skb = skb;
	batch->records = 0;
	return 0;

err_free:
	nlmsg_free(skb);
	return -EMSGSIZE;
}

void tcptl_batch_send(struct tcptl_batch *batch)
{
	const struct genl_family *family = READ_ONCE(tcptl_events_family);
	unsigned int n = batch->records;
	int err;

	if (!batch->skb)
		return;
	genlmsg_end(batch->skb, batch->hdr);
	err = genlmsg_multicast_netns(family, &init_net, batch->skb, 0,
				      tcptl_events_group, GFP_KERNEL);
	atomic64_inc(&tcptl_messages);
	if (!err)
		atomic64_add(n, &tcptl_delivered);
	else if (err == -ESRCH)
		atomic64_add(n, &tcptl_unclaimed);
	else
		atomic64_add(n, &tcptl_delivery_failed);
	batch->skb = NULL;
	batch->hdr = NULL;
	batch->records = 0;
}

/* Room for at least one more record, in this message or a new one. */
static unsigned int tcptl_batch_room(struct tcptl_batch *batch)
{
	unsigned int room;

	if (batch->skb) {
		room = skb_tailroom(batch->skb) / sizeof(struct tcptl_record);
		room = min_t(unsigned int, room, U16_MAX - batch->head->count);
		if (room)
			return room;
		tcptl_batch_send(batch);
	}
	if (tcptl_batch_start(batch))
		return 0;
	return skb_tailroom(batch->skb) / sizeof(struct tcptl_record);
}

/*
 * Returns how many of the n records went into messages; produced records
 * (counted) are the ones the delivery counters account for.
 */
static unsigned int tcptl_batch_copy(struct tcptl_batch *batch,
				     const struct tcptl_record *recs,
				     unsigned int n, bool counted)
{
	unsigned int done = 0;

	while (done < n) {
		unsigned int take = min(n - done, tcptl_batch_room(batch));
		size_t bytes = take * sizeof(*recs);

		if (!take)
			break;
		memcpy(skb_put(batch->skb, bytes), recs + done, bytes);
		batch->attr->nla_len += bytes;
		batch->head->count += take;
		if (counted)
			batch->records += take;
		done += take;
		batch->expected -= min(batch->expected, take);
	}
	return done;
}

void tcptl_batch_add(struct tcptl_batch *batch,
		     const struct tcptl_record *recs, unsigned int n)
{
	unsigned int sent = tcptl_batch_copy(batch, recs, n, true);

	if (sent < n)	/* never sent: the reader sees the sequence gap */
		atomic64_add(n - sent, &tcptl_delivery_failed);
}

void tcptl_batch_add_lost(struct tcptl_batch *batch, unsigned int cpu,
			  u64 count)
{
	struct tcptl_record rec = {
		.type = TCPTL_EVENT_LOST,
		.cpu = cpu,
		.time_ns = tcptl_clock_ns(),
		.lost_count = count,
	};

	/* Not a produced record: it takes no sequence number. */
	tcptl_batch_copy(batch, &rec, 1, false);
}
