// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU record buffers and the worker that empties them.
 *
 * Each CPU has a single-producer, single-consumer ring. The producer is any
 * hook running on that CPU; it runs with interrupts off for the few
 * instructions that take a slot, so a softirq that interrupts a
 * process-context hook (or, on kernels whose tracepoint callbacks are
 * preemptible, another task) cannot interleave with it. No lock is shared
 * between CPUs: the worker only reads the producer's head and publishes its
 * own tail, with acquire/release ordering.
 *
 * Every record takes the CPU's next sequence number, also when it is then
 * lost because the ring is full, so readers can account for every gap. The
 * worker announces losses in band with a LOST record.
 */

#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "events.h"
#include "ring.h"

struct tcptl_cpu_buf {
	struct tcptl_record *recs;
	u32 cpu;		/* whose buffer: every slot names it */
	u32 head;		/* producer: next slot to fill */
	u32 tail;		/* worker: next slot to read */
	u64 seq;		/* producer: next sequence number */
	u64 lost;		/* producer: records lost, ever */
	u64 lost_reported;	/* worker: losses already announced */
	u64 seen;
	u64 filtered;
	u64 no_listener;
};

/*
 * The worker copies at most this many slots at a time, publishing its tail
 * after each run, so that a long ring frees up while it is drained.
 */
#define TCPTL_TAIL_PUBLISH_EVERY 64U

static struct tcptl_cpu_buf __percpu *tcptl_bufs;
static u32 tcptl_mask;
static unsigned int tcptl_flush_interval_ms;
static struct workqueue_struct *tcptl_wq;
static struct work_struct tcptl_flush_work;
/*
 * The worker's wake-up, flush_interval_ms after a ring stops being empty
 * (and again while there is traffic). A timer of its own, not a delayed
 * work's: that one counts whole jiffies, so 5 ms waited up to 8 (HZ=250).
 */
static struct hrtimer tcptl_flush_timer;
/* Set while the buffers are being torn down: no more wake-ups. */
static bool tcptl_flush_stopped;
/* Kicks from NMI-like context (int3 kprobes) go through these. */
static struct irq_work tcptl_kick_soon_work, tcptl_kick_now_work;
/* Orders requested flushes against the final drain at unload. */
static DEFINE_MUTEX(tcptl_flush_lock);
static bool tcptl_draining;

void tcptl_ring_count_seen(void)
{
	this_cpu_inc(tcptl_bufs->seen);
}

void tcptl_ring_count_filtered(void)
{
	this_cpu_inc(tcptl_bufs->filtered);
}

void tcptl_ring_count_no_listener(void)
{
	this_cpu_inc(tcptl_bufs->no_listener);
}

static void tcptl_flush_later(void)
{
	if (!hrtimer_active(&tcptl_flush_timer))
		hrtimer_start(&tcptl_flush_timer,
			      ms_to_ktime(tcptl_flush_interval_ms),
			      HRTIMER_MODE_REL);
}

static enum hrtimer_restart tcptl_flush_timer_fn(struct hrtimer *timer)
{
	if (!READ_ONCE(tcptl_flush_stopped))
		queue_work(tcptl_wq, &tcptl_flush_work);
	return HRTIMER_NORESTART;
}

static void tcptl_kick_worker(bool now)
{
	if (now)
		queue_work(tcptl_wq, &tcptl_flush_work);
	else
		tcptl_flush_later();
}

static void tcptl_kick_soon_fn(struct irq_work *work)
{
	tcptl_kick_worker(false);
}

static void tcptl_kick_now_fn(struct irq_work *work)
{
	tcptl_kick_worker(true);
}

/* The workqueue's locks may not be taken in NMI context: defer to an IRQ. */
static void tcptl_kick(struct irq_work *deferred, bool now)
{
	if (in_nmi())
		irq_work_queue(deferred);
	else
		tcptl_kick_worker(now);
}

void tcptl_ring_push(const struct tcptl_record *rec)
{
	struct tcptl_record *slot;
	struct tcptl_cpu_buf *b;
	unsigned long flags;
	u32 head, used;

	local_irq_save(flags);
	b = this_cpu_ptr(tcptl_bufs);
	head = b->head;
	used = head - smp_load_acquire(&b->tail);
	if (unlikely(used > tcptl_mask)) {
		/* Full: the worker was kicked when it was half full. */
		b->seq++;
		WRITE_ONCE(b->lost, b->lost + 1);
		local_irq_restore(flags);
		return;
	}
	slot = &b->recs[head & tcptl_mask];
	*slot = *rec;
	slot->seq = b->seq++;
	slot->cpu = b->cpu;
	smp_store_release(&b->head, head + 1);
	local_irq_restore(flags);

	/*
	 * An idle worker sleeps until a ring stops being empty; a ring filling
	 * up faster than the interval gets it at once.
	 */
	if (used == 0)
		tcptl_kick(&tcptl_kick_soon_work, false);
	else if (used + 1 == (tcptl_mask + 1) / 2)
		tcptl_kick(&tcptl_kick_now_work, true);
}

/* Returns true if anything was handed to netlink. */
static bool tcptl_flush(void)
{
	struct tcptl_batch batch;
	bool any = false;
	unsigned int cpu;
	u64 expected = 0;

	/*
	 * What this flush will carry, to size its messages: only a hint, so
	 * no ordering (records that come in meanwhile get full-size ones).
	 */
	for_each_possible_cpu(cpu) {
		struct tcptl_cpu_buf *b = per_cpu_ptr(tcptl_bufs, cpu);

		expected += (u32)(READ_ONCE(b->head) - b->tail);
		if (READ_ONCE(b->lost) != b->lost_reported)
			expected++;
	}
	tcptl_batch_init(&batch, min_t(u64, expected, UINT_MAX));
	for_each_possible_cpu(cpu) {
		struct tcptl_cpu_buf *b = per_cpu_ptr(tcptl_bufs, cpu);
		u32 head = smp_load_acquire(&b->head);
		u32 tail = b->tail;
		u64 lost;

		while (tail != head) {
			u32 at = tail & tcptl_mask;
			/* Up to the ring's end: slots copied as one run. */
			u32 run = min3(head - tail, tcptl_mask + 1 - at,
				       TCPTL_TAIL_PUBLISH_EVERY);

			tcptl_batch_add(&batch, &b->recs[at], run);
			tail += run;
			smp_store_release(&b->tail, tail);
			any = true;
		}

		lost = READ_ONCE(b->lost);
		if (lost != b->lost_reported) {
			tcptl_batch_add_lost(&batch, cpu,
					     lost - b->lost_reported);
			b->lost_reported = lost;
			any = true;
		}
	}
	tcptl_batch_send(&batch);
	return any;
}

static void tcptl_flush_work_fn(struct work_struct *work)
{
	/* Keep going while there is traffic; an empty pass lets it sleep. */
	if (tcptl_flush() && !READ_ONCE(tcptl_flush_stopped))
		tcptl_flush_later();
}

/* No wake-up armed or queued after this; the timer and work feed each other. */
static void tcptl_flush_stop(void)
{
	WRITE_ONCE(tcptl_flush_stopped, true);
	hrtimer_cancel(&tcptl_flush_timer);
	cancel_work_sync(&tcptl_flush_work);
	hrtimer_cancel(&tcptl_flush_timer);
}

void tcptl_ring_flush_now(void)
{
	mutex_lock(&tcptl_flush_lock);
	/* The worker stays the rings' only reader: run it now and wait. */
	if (!tcptl_draining) {
		queue_work(tcptl_wq, &tcptl_flush_work);
		flush_work(&tcptl_flush_work);
	}
	mutex_unlock(&tcptl_flush_lock);
}

void tcptl_ring_drain(void)
{
	mutex_lock(&tcptl_flush_lock);
	tcptl_draining = true;
	/* The hooks are gone: no kick is queued after these. */
	irq_work_sync(&tcptl_kick_soon_work);
	irq_work_sync(&tcptl_kick_now_work);
	tcptl_flush_stop();
	tcptl_flush();
	mutex_unlock(&tcptl_flush_lock);
}

void tcptl_ring_get_stats(struct tcptl_ring_stats *st)
{
	unsigned int cpu;

	memset(st, 0, sizeof(*st));
	for_each_possible_cpu(cpu) {
		const struct tcptl_cpu_buf *b = per_cpu_ptr(tcptl_bufs, cpu);

		st->seen += READ_ONCE(b->seen);
		st->filtered += READ_ONCE(b->filtered);
		st->no_listener += READ_ONCE(b->no_listener);
		st->produced += READ_ONCE(b->seq);
		st->lost += READ_ONCE(b->lost);
		st->nr_cpus++;
	}
	st->memory_bytes = (u64)st->nr_cpus *
			   (tcptl_mask + 1) * sizeof(struct tcptl_record);
}

unsigned int tcptl_ring_size(void)
{
	return tcptl_mask + 1;
}

unsigned int tcptl_ring_flush_ms(void)
{
	return tcptl_flush_interval_ms;
}

static void tcptl_ring_free(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		kvfree(per_cpu_ptr(tcptl_bufs, cpu)->recs);
	free_percpu(tcptl_bufs);
	tcptl_bufs = NULL;
}

int tcptl_ring_init(unsigned int records_per_cpu, unsigned int flush_ms)
{
	unsigned int cpu;

	if (WARN_ON(!is_power_of_2(records_per_cpu)))
		return -EINVAL;
	tcptl_mask = records_per_cpu - 1;
	tcptl_flush_interval_ms = flush_ms;
	tcptl_flush_stopped = false;
	INIT_WORK(&tcptl_flush_work, tcptl_flush_work_fn);
	tcptl_hrtimer_setup(&tcptl_flush_timer, tcptl_flush_timer_fn);
	init_irq_work(&tcptl_kick_soon_work, tcptl_kick_soon_fn);
	init_irq_work(&tcptl_kick_now_work, tcptl_kick_now_fn);

	tcptl_bufs = alloc_percpu(struct tcptl_cpu_buf);
	if (!tcptl_bufs)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct tcptl_cpu_buf *b = per_cpu_ptr(tcptl_bufs, cpu);

		b->recs = kvzalloc_node(array_size(records_per_cpu,
						   sizeof(*b->recs)),
					GFP_KERNEL, cpu_to_node(cpu));
		if (!b->recs)
			goto err_free;
		b->cpu = cpu;
	}

	tcptl_wq = alloc_workqueue("tcp_timeline", WQ_UNBOUND, 1);
	if (!tcptl_wq)
		goto err_free;
	return 0;

err_free:
	tcptl_ring_free();
	return -ENOMEM;
}

void tcptl_ring_exit(void)
{
	/* Drained already, or never carried a record (a failed load). */
	tcptl_flush_stop();
	destroy_workqueue(tcptl_wq);
	tcptl_ring_free();
}
