// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_timeline: every TCP state transition, TIME_WAIT included, streamed
 * over generic netlink. Module parameters and the order of init and exit.
 */

#include <linux/log2.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <net/genetlink.h>

#include "filter.h"
#include "netlink.h"
#include "probe.h"
#include "ring.h"
#include "timewait.h"

#define TCPTL_BUFFER_MIN	16U
#define TCPTL_BUFFER_MAX	(1U << 20)
#define TCPTL_FLUSH_MIN_MS	1U
#define TCPTL_FLUSH_MAX_MS	1000U

static unsigned int buffer_size = 4096;
module_param(buffer_size, uint, 0444);
MODULE_PARM_DESC(buffer_size,
		 "records per CPU buffer, a power of two in 16..1048576 (default 4096)");

static unsigned int flush_interval_ms = 5;
module_param(flush_interval_ms, uint, 0444);
MODULE_PARM_DESC(flush_interval_ms,
		 "longest time a record waits in its buffer, 1..1000 ms (default 5)");

static char *filter_ports;
module_param(filter_ports, charp, 0444);
MODULE_PARM_DESC(filter_ports,
		 "initial filter: local or remote ports, e.g. 80,443,8000-8100");

static int __init tcptl_check_params(void)
{
	if (buffer_size < TCPTL_BUFFER_MIN || buffer_size > TCPTL_BUFFER_MAX ||
	    !is_power_of_2(buffer_size)) {
		pr_err("buffer_size=%u: must be a power of two in %u..%u\n",
		       buffer_size, TCPTL_BUFFER_MIN, TCPTL_BUFFER_MAX);
		return -EINVAL;
	}
	if (flush_interval_ms < TCPTL_FLUSH_MIN_MS ||
	    flush_interval_ms > TCPTL_FLUSH_MAX_MS) {
		pr_err("flush_interval_ms=%u: must be in %u..%u\n",
		       flush_interval_ms, TCPTL_FLUSH_MIN_MS,
		       TCPTL_FLUSH_MAX_MS);
		return -EINVAL;
	}
	return 0;
}

static int __init tcptl_init(void)
{
	int err;

	err = tcptl_check_params();
	if (err)
		return err;
	err = tcptl_filter_init(filter_ports);
	if (err)
		return err;
	err = tcptl_ring_init(buffer_size, flush_interval_ms);
	if (err)
		goto err_filter;
	err = tcptl_netlink_init();
	if (err)
		goto err_ring;
	err = tcptl_probe_init();
	if (err)
		goto err_netlink;
	tcptl_timewait_init();
	pr_info("loaded: %u records per CPU, flush every %u ms\n",
		buffer_size, flush_interval_ms);
	return 0;

err_netlink:
	tcptl_netlink_exit();
err_ring:
	tcptl_ring_exit();
err_filter:
	tcptl_filter_exit();
	return err;
}

static void __exit tcptl_exit(void)
{
	/* Hooks first, so nothing is produced while the rest goes away. */
	tcptl_timewait_exit();
	tcptl_probe_exit();
	/* What is still buffered reaches the readers before the family goes. */
	tcptl_ring_drain();
	tcptl_netlink_exit();
	tcptl_ring_exit();
	tcptl_filter_exit();
}

module_init(tcptl_init);
module_exit(tcptl_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("TCP state transitions and TIME_WAIT over generic netlink");
MODULE_AUTHOR("tcp-timeline developers");
MODULE_ALIAS_GENL_FAMILY("tcp_timeline");
