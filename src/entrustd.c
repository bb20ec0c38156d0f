/* entrustd — the entrust daemon: watches spool/inbound and runs each
 * envelope through the pipeline (inbound.c).
 *   entrustd [-c CONF] [--once] [-n]
 * Exit codes: 0 done, 1 configuration error, 2 usage, 3 another entrustd
 * holds the store, 4 fatal store or spool error (restart recovers). */
#include "clock.h"
#include "deliver.h"
#include "envelope.h"
#include "expiry.h"
#include "hub.h"
#include "inbound.h"
#include "log.h"
#include "metrics_scan.h"
#include "notify.h"
#include "outbox.h"
#include "registry.h"
#include "route.h"
#include "safeio.h"
#include "store.h"
#include "xmem.h"
#include "xmlin.h"
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/capability.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

enum { EXIT_CONF = 1, EXIT_USAGE = 2, EXIT_LOCKED = 3, EXIT_FATAL = 4 };

static struct deliver *delivery;	/* route threads; NULL when every party is local */

static void usage(void)
{
	fprintf(stderr, "usage 用法: entrustd [-c CONF] [--once] [-n]\n"
	    "  -c CONF   configuration file 配置文件 (default $ENTRUST_CONF, else\n"
	    "            conf/entrustd.conf if present, else " ENTRUST_SYSCONF ")\n"
	    "  --once    process what is in the spool, then exit 处理现有文件后退出\n"
	    "  -n        check the configuration and exit 检查配置\n");
	exit(EXIT_USAGE);
}

/* One daemon per store and per spool: an exclusive lock on DIR/entrustd.lock
 * held for the process's life.  Two configurations that share only the spool
 * (or only the store) would otherwise claim the same files twice over. */
static int take_lock(const char *dir)
{
	char path[PATH_MAX];
	int fd;

	if (safeio_mkdirs(dir, 0750) < 0
	    || snprintf(path, sizeof(path), "%s/entrustd.lock", dir) >= (int)sizeof(path)
	    || (fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640)) < 0) {
		fprintf(stderr, "entrustd: %s: cannot open lock 无法打开锁文件: %s\n", dir, strerror(errno));
		exit(EXIT_FATAL);
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		fprintf(stderr, "entrustd: another entrustd is running on %s 已有守护进程在运行\n", dir);
		exit(EXIT_LOCKED);
	}
	return fd;
}

/* Whether this process may take a read lease on a partner's file (CAP_LEASE
 * in its effective set): how the spool tells that a writer still has a file
 * open (safeio_writers).  Without it only files the daemon owns are checked. */
static int lease_capable(void)
{
	char line[256];
	unsigned long long caps = 0;
	FILE *fp = fopen("/proc/self/status", "r");

	if (fp == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "CapEff:", 7) == 0)
			caps = strtoull(line + 7, NULL, 16);
	fclose(fp);
	return (caps >> CAP_LEASE) & 1;
}

static int check_config(const char *conf_path)
{
	struct routes routes;
	struct conf c;
	struct hub h;
	char err[1024];

	if (conf_load(conf_path, &c, err, sizeof(err)) < 0 || hub_open(&h, conf_path, 0, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return EXIT_CONF;
	}
	hub_close(&h);
	if (c.routes[0] != '\0') {
		if (route_load(c.routes, &routes, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s\n", err);
			return EXIT_CONF;
		}
		route_free(&routes);
	}
	printf("configuration OK 配置正确\n");
	return 0;
}

/* Emit the outbox and process every ready envelope, then wake delivery; -1 is fatal. */
/* A stop signal waiting to be read: the pipeline asks between batches, so
 * SIGTERM during a long backlog finishes the batch in hand, not the backlog. */
static int stop_pending(void)
{
	sigset_t pending;

	return sigpending(&pending) == 0
	    && (sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1);
}

/* Expiry, the outbox, then inbound/; *waiting (may be NULL) as inbound_run. */
static int work_once(struct hub *h, int (*stop)(void), size_t *waiting)
{
	int rc;

	if (expiry_run(h, clock_now()) < 0)
		return -1;
	if (outbox_flush(h->store, h->keys, h->spool.outbound) < 0)
		log_warn(NULL, "outbox: some files not written yet 部分回执尚未写出; will retry");
	rc = inbound_run(h, stop, waiting) < 0 ? -1 : 0;
	if (delivery != NULL)
		deliver_kick(delivery);
	return rc;
}

static int setup_fds(struct hub *h, int *ifd, int *sfd)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 || (*sfd = signalfd(-1, &set, SFD_CLOEXEC)) < 0)
		return -1;
	if ((*ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0)
		return -1;
	if (inotify_add_watch(*ifd, h->spool.inbound, IN_CLOSE_WRITE | IN_MOVED_TO | IN_ATTRIB) < 0)
		return -1;
	return 0;
}

/* Drain inotify: we rescan the folder rather than trust single events, so
 * an overflow (IN_Q_OVERFLOW) needs nothing special. */
static void drain(int fd)
{
	char buf[8192];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

static void reload(struct hub *h, const char *conf_path)
{
	char err[1024];

	notify_reloading();
	log_open(h->conf.log_file, 1);	/* reopen first (logrotate), whatever the reload's fate */
	if (hub_reload(h, conf_path, err, sizeof(err)) < 0)
		log_error(NULL, "reload refused 重新加载失败, old configuration kept: %s", err);
	else {
		log_open(h->conf.log_file, 1);
		log_info(NULL, "reloaded configuration, trust store and registry 已重新加载");
	}
	notify_ready();
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* The checkpoint (and the removal of log files no longer needed) runs on a
 * thread of its own: flushing the buffer pool takes up to hundreds of ms
 * after a busy interval, and in the main loop it held up every envelope
 * that arrived meanwhile (the store is opened DB_THREAD; Berkeley DB
 * checkpoints run beside transactions by design). */
struct checkpointer {
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 wake;
	struct store	*store;
	int		 due, stop;
};

static void *checkpointer_main(void *arg)
{
	struct checkpointer *c = arg;
	int removed;

	pthread_mutex_lock(&c->lock);
	while (!c->stop) {
		if (!c->due) {
			pthread_cond_wait(&c->wake, &c->lock);
			continue;
		}
		c->due = 0;
		pthread_mutex_unlock(&c->lock);
		store_archive_logs(c->store, &removed);	/* checkpoint, then drop old logs */
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

static void checkpointer_start(struct checkpointer *c, struct store *store)
{
	memset(c, 0, sizeof(*c));
	c->store = store;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->wake, NULL);
	xthreads_start(&c->thread, 1, checkpointer_main, c, "ckpt");
}

/* Ask for a checkpoint; one already under way is not queued twice. */
static void checkpointer_kick(struct checkpointer *c)
{
	pthread_mutex_lock(&c->lock);
	c->due = 1;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
}

static void checkpointer_stop(struct checkpointer *c)
{
	pthread_mutex_lock(&c->lock);
	c->stop = 1;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	pthread_cond_destroy(&c->wake);
	pthread_mutex_destroy(&c->lock);
}

/* When to look at inbound/ again after a scan: soon if files there wait to
 * settle or for their writer to close (at least 100 ms apart, so a writer
 * that holds a file open does not make a busy loop), else at the rescan. */
static long next_scan_after(const struct hub *h, size_t waiting, long periodic)
{
	long soon = now_ms() + (h->conf.settle_ms > 100 ? h->conf.settle_ms : 100) + 10;

	return waiting > 0 && soon < periodic ? soon : periodic;
}

static int run_daemon(struct hub *h, const char *conf_path)
{
	int stop = 0;
	struct signalfd_siginfo si;
	struct pollfd pfd[2];
	long next_scan, next_rescan, t;
	struct checkpointer ckpt;
	int ifd, sfd, rc = 0;
	size_t waiting;

	if (setup_fds(h, &ifd, &sfd) < 0) {
		log_error(NULL, "cannot watch %s 无法监视: %s", h->spool.inbound, strerror(errno));
		return EXIT_FATAL;
	}
	next_scan = next_rescan = now_ms();
	checkpointer_start(&ckpt, h->store);
	notify_ready();
	while (!stop && rc == 0) {
		notify_watchdog();
		t = now_ms();
		if (t >= next_scan) {
			if (work_once(h, stop_pending, &waiting) < 0) {
				rc = EXIT_FATAL;
				break;
			}
			if (t >= next_rescan) {		/* the periodic rescan, and housekeeping */
				checkpointer_kick(&ckpt);
				metrics_scan_publish(&h->conf, h->registry, 0);
				next_rescan = now_ms() + h->conf.rescan_s * 1000L;
			}
			next_scan = next_scan_after(h, waiting, next_rescan);
		}
		pfd[0] = (struct pollfd){.fd = ifd, .events = POLLIN};
		pfd[1] = (struct pollfd){.fd = sfd, .events = POLLIN};
		t = next_scan - now_ms();
		t = notify_wait_ms(t);
		if (poll(pfd, 2, t < 0 ? 0 : (int)t) < 0 && errno != EINTR) {
			rc = EXIT_FATAL;
			break;
		}
		if (pfd[0].revents & POLLIN) {
			drain(ifd);
			if (work_once(h, stop_pending, &waiting) < 0) {
				rc = EXIT_FATAL;
				break;
			}
			next_scan = next_scan_after(h, waiting, next_rescan);
		}
		if ((pfd[1].revents & POLLIN) && read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			if (si.ssi_signo == SIGHUP)
				reload(h, conf_path);
			else
				stop = 1;
		}
	}
	checkpointer_stop(&ckpt);
	close(ifd);
	close(sfd);
	if (rc != 0)
		return rc;
	notify_stopping();
	log_info(NULL, "stopping on signal 收到信号，正常退出");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"once", no_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	const char *conf_path = conf_default_path();
	int once = 0, check = 0, ch, rc, lock, spool_lock;
	char err[1024];
	struct conf c;
	struct hub h;

	while ((ch = getopt_long(argc, argv, "c:nh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': conf_path = optarg; break;
		case 'o': once = 1; break;
		case 'n': check = 1; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	xmlin_global_init();
	if (check)
		return check_config(conf_path);
	if (conf_load(conf_path, &c, err, sizeof(err)) < 0) {
		fprintf(stderr, "entrustd: %s\n", err);
		return EXIT_CONF;
	}
	lock = take_lock(c.store_dir);
	spool_lock = take_lock(c.spool_dir);
	if (hub_open(&h, conf_path, 1, err, sizeof(err)) < 0) {
		fprintf(stderr, "entrustd: %s\n", err);
		return EXIT_CONF;
	}
	if (log_open(h.conf.log_file, 1) < 0)
		fprintf(stderr, "entrustd: %s: cannot open log 无法打开日志: %s\n", h.conf.log_file, strerror(errno));
	log_info(NULL, "starting 启动 spool=%s store=%s parties=%zu mode=%s", h.conf.spool_dir,
	    h.conf.store_dir, registry_count(h.registry), once ? "once" : "daemon");
	if (!lease_capable())
		log_warn(NULL, "no CAP_LEASE 缺少 CAP_LEASE 权限: a file another user still has open for writing "
		    "cannot be told from a finished one; the settle time alone decides 仅按静置时间判断文件是否写完");
	if (!once && h.conf.routes[0] != '\0'
	    && (delivery = deliver_start(&h.conf, h.conf.spool_dir, err, sizeof(err))) == NULL) {
		log_error(NULL, "%s", err);
		rc = EXIT_CONF;
	} else if (once)
		rc = work_once(&h, NULL, NULL) < 0 ? EXIT_FATAL : 0;
	else
		rc = run_daemon(&h, conf_path);
	if (delivery != NULL)
		deliver_stop(delivery);
	metrics_scan_publish(&h.conf, h.registry, 1);
	metrics_scan_done();
	hub_close(&h);
	log_close();
	close(spool_lock);
	close(lock);
	xmlin_global_done();
	return rc;
}
