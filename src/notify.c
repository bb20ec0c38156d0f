/* notify — sd_notify(3) messages to systemd; no-ops without it. */
#include "notify.h"
#include <stdint.h>
#include <systemd/sd-daemon.h>
#include <time.h>

static int	 wd_known;	/* watchdog settings read from the environment */
static uint64_t	 wd_usec;	/* WatchdogSec in µs; 0: no watchdog */
static uint64_t	 wd_last;	/* CLOCK_MONOTONIC µs of the last ping */

static uint64_t notify_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* The watchdog interval, read once ($WATCHDOG_USEC, $WATCHDOG_PID). */
static uint64_t notify_wd_usec(void)
{
	uint64_t usec = 0;

	if (!wd_known) {
		wd_known = 1;
		wd_usec = sd_watchdog_enabled(0, &usec) > 0 ? usec : 0;
	}
	return wd_usec;
}

void notify_ready(void)
{
	(void)sd_notify(0, "READY=1\nSTATUS=processing 正在处理");
	wd_last = notify_now_us();
}

void notify_reloading(void)
{
	(void)sd_notifyf(0, "RELOADING=1\nSTATUS=reloading 正在重新加载\nMONOTONIC_USEC=%llu",
	    (unsigned long long)notify_now_us());
}

void notify_stopping(void)
{
	(void)sd_notify(0, "STOPPING=1\nSTATUS=stopping 正在停止");
}

void notify_watchdog(void)
{
	uint64_t usec = notify_wd_usec(), now;

	if (usec == 0)
		return;
	now = notify_now_us();
	if (wd_last != 0 && now - wd_last < usec / 4)
		return;
	(void)sd_notify(0, "WATCHDOG=1");
	wd_last = now;
}

long notify_wait_ms(long ms)
{
	uint64_t usec = notify_wd_usec();
	long cap;

	if (usec == 0)
		return ms;
	cap = (long)(usec / 2000u);
	if (cap < 1)
		cap = 1;
	return ms > cap ? cap : ms;
}
