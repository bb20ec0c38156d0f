/* deliver — route threads that upload outbound files with libcurl and move
 * them to sent/ (or, after the last attempt, to dead/ with a reason).
 *
 * One lane per non-local route: outbound/<code>/ is its queue, a table of
 * the files in it (name, attempts, next try) its memory, and
 * outbound/<code>/.state/NAME the durable part of a file's retry state
 * ("attempts: N", "next: epoch-ms", "error: …"), written after each failed
 * attempt and removed once the file has left the queue.  The route's
 * limit of concurrent transfers (parallel=N, else delivery_parallel) is its
 * number of threads, which share a lane; each takes the file due first,
 * marks it busy, and transfers it with its own curl handle (connections are
 * kept and reused), so no more than that many are ever in flight.
 * Nothing leaves outbound/ before the receiver has it: upload, then rename
 * into sent/<code>/<yyyymmdd>/ and fsync (STYLE.md, "copy first, delete
 * second"); a crash in between uploads again under the same name.
 * Every attempt's outcome is counted (metrics_delivery: sent, deferred, dead).
 * Failure contract: deliver_start returns NULL with err for a bad routes
 * file or an unusable spool; transfer and move errors are logged and
 * retried; out of memory and broken invariants panic. */
#include "deliver.h"
#include "log.h"
#include "metrics.h"
#include "route.h"
#include "safeio.h"
#include "spool.h"
#include "xmem.h"
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DELIVER_CONNECT_S	10	/* TCP + TLS/SSH handshake */
#define DELIVER_LOW_SPEED	16	/* bytes/s below which ... */
#define DELIVER_LOW_TIME_S	30	/* ... for this long a transfer is abandoned */
#define DELIVER_MAX_S		1800	/* hard cap on one transfer */
#define DELIVER_GRACE_MS	5000	/* transfers in flight may finish after stop */
#define DELIVER_STATE_MAX	4096
#define DELIVER_ERR_MAX		(CURL_ERROR_SIZE + 256)

enum outcome { OUT_NONE, OUT_SENT, OUT_RETRY, OUT_DEAD, OUT_GONE, OUT_BAD, OUT_AGAIN };

struct item {
	char		name[NAME_MAX + 1];	/* as readdir gave it */
	int		attempts;	/* failed attempts so far (persisted) */
	long long	next_ms;	/* wall-clock ms of the next try */
	int		busy;		/* a thread is transferring it */
	int		bad;		/* not ours to send (bad name, not a file); warned once */
	int		mark;		/* seen in the latest scan */
	enum outcome	outcome;	/* set by the thread that transferred it */
};

struct lane {
	struct deliver		*d;
	const struct route	*r;
	char			 outdir[PATH_MAX];	/* outbound/<code> */
	char			 statedir[PATH_MAX];	/* outbound/<code>/.state */
	char			 sentdir[PATH_MAX];	/* sent/<code> */
	char			 deaddir[PATH_MAX];	/* dead/<code> */
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	unsigned long		 gen, scan_gen;		/* kicks received / scanned for */
	long long		 scanned_ms;		/* monotonic */
	struct item		*items;
	size_t			 n, cap;
	pthread_t		*tids;
	size_t			 nthreads;
};

struct deliver {
	struct routes		 routes;
	struct lane		*lanes;
	size_t			 nlanes;
	long			 attempts;
	long long		 backoff_ms, rescan_ms;
	atomic_int		 stop;
	atomic_llong		 stop_ms;		/* monotonic time of deliver_stop */
};

/* One transfer: what the curl callbacks need and what they found. */
struct xfer {
	struct deliver	*d;
	int		 khmatch;	/* host key check result, -1 before the check */
	char		 body[200];	/* start of an HTTP error answer */
	size_t		 blen;
};

/* Wall-clock ms: persisted retry times must survive a restart. */
static long long wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Monotonic ms: durations and waits. */
static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

long long deliver_backoff_max(long long base_ms, long long cap_ms, int failures)
{
	long long delay = base_ms;
	int i;

	if (base_ms <= 0)
		return 0;
	if (cap_ms < base_ms)
		cap_ms = base_ms;
	for (i = 1; i < failures && delay < cap_ms; i++)
		delay = delay > cap_ms / 2 ? cap_ms : delay * 2;	/* never past cap_ms: no overflow */
	return delay;
}

long long deliver_backoff(long long base_ms, long long cap_ms, int failures, uint64_t rnd)
{
	long long max = deliver_backoff_max(base_ms, cap_ms, failures), half = max / 2;

	return half + (long long)(rnd % ((uint64_t)(max - half) + 1));
}

long long deliver_backoff_random(long long base_ms, long long cap_ms, int failures)
{
	uint64_t r = 0;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (uint64_t)mono_ms() * 2654435761ULL;
	return deliver_backoff(base_ms, cap_ms, failures, r);
}

/* Delay before try k+1 after k failures: the route's backoff with jitter. */
static long long deliver_delay(const struct deliver *d, int k)
{
	return deliver_backoff_random(d->backoff_ms, DELIVER_BACKOFF_CAP_MS, k);
}

/* Control characters would break the one-line log and the reason file. */
static void deliver_clean(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '"')
			*s = *s == '"' ? '\'' : ' ';
}

/* ---- retry state: outbound/<code>/.state/NAME ------------------------------------- */

/* Attempts and next try of a file from its state file (none: a fresh file). */
static void state_load(struct lane *l, struct item *it)
{
	struct buf b;
	const char *p;
	long long v;

	buf_init(&b);
	if (safeio_read(l->statedir, it->name, DELIVER_STATE_MAX, &b) == SAFEIO_OK) {
		buf_add(&b, "", 0);
		if ((p = strstr(b.data, "attempts: ")) && sscanf(p + 10, "%lld", &v) == 1 && v >= 0 && v <= 1000)
			it->attempts = (int)v;
		if ((p = strstr(b.data, "next: ")) && sscanf(p + 6, "%lld", &v) == 1 && v >= 0)
			it->next_ms = v;
	}
	buf_free(&b);
}

/* Persist attempts, next try and last error (temp + fsync + rename). */
static int state_save(struct lane *l, const struct item *it, const char *error)
{
	char text[DELIVER_ERR_MAX + 128];
	int n;

	n = snprintf(text, sizeof(text), "attempts: %d\nnext: %lld\nerror: %s\n", it->attempts, it->next_ms, error);
	if (n < 0 || (size_t)n >= sizeof(text))
		n = (int)strlen(text);
	return safeio_write_atomic(l->statedir, it->name, text, (size_t)n);
}

/* Forget a file's state once the file has left the queue. */
static void state_drop(struct lane *l, const char *name)
{
	int dfd;

	if ((dfd = open(l->statedir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return;
	if (unlinkat(dfd, name, 0) == 0)
		fsync(dfd);
	else if (errno != ENOENT)
		log_warn(name, "to=%s cannot remove retry state 无法删除重试状态: %s", l->r->code, strerror(errno));
	close(dfd);
}

/* Startup sweep: state of files no longer queued, and temp files of unfinished state writes. */
static void state_sweep(struct lane *l)
{
	struct dirent *e;
	struct stat st;
	DIR *dp;
	int ofd;

	if ((dp = opendir(l->statedir)) == NULL)
		return;
	if ((ofd = open(l->outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		while ((e = readdir(dp)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			if (e->d_name[0] == '.' || fstatat(ofd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
				unlinkat(dirfd(dp), e->d_name, 0);
		}
		close(ofd);
		fsync(dirfd(dp));
	}
	closedir(dp);
}

/* ---- the lane's table of queued files ---------------------------------------------- */

/* The table entry of a queued file, or NULL. */
static struct item *lane_item(struct lane *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->items[i].name, name) == 0)
			return &l->items[i];
	return NULL;
}

static int item_cmp(const void *a, const void *b)
{
	return strcmp(((const struct item *)a)->name, ((const struct item *)b)->name);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A file new in the queue: checked once (a bad one is warned about once), state loaded. */
static void lane_add(struct lane *l, int dfd, const char *name)
{
	struct item *it;
	struct stat st;

	l->items = xgrow(l->items, l->n, &l->cap, sizeof(*l->items));
	it = &l->items[l->n++];
	memset(it, 0, sizeof(*it));
	it->mark = 1;
	if (strlcopy(it->name, name, sizeof(it->name)) < 0)
		panic("deliver: readdir gave a name longer than NAME_MAX");
	if (!spool_name_ok(name)) {
		it->bad = 1;
		log_warn(NULL, "to=%s file=\"%.64s\" left alone 不合规文件名，不投递: bad name", l->r->code, name);
		return;
	}
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
		it->bad = 1;
		log_warn(name, "to=%s left alone 不投递: not a regular file of one link", l->r->code);
		return;
	}
	state_load(l, it);
}

/* The names in the queue folder (not hidden), sorted. */
static void lane_list(DIR *dp, char ***names, size_t *n)
{
	struct dirent *e;
	size_t cap = 0;

	*names = NULL;
	*n = 0;
	while ((e = readdir(dp)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			*names = xrealloc(*names, cap * sizeof(**names));
		}
		(*names)[(*n)++] = xstrdup(e->d_name);
	}
	if (*n > 1)
		qsort(*names, *n, sizeof(**names), name_cmp);
}

/* Rebuild the table from outbound/<code>/ (both sides sorted, then merged): new files
 * join, files gone leave (with their state, unless a thread is sending them). */
static void lane_scan(struct lane *l)
{
	size_t i, j, n, have;
	char **names;
	DIR *dp;
	int c;

	l->scan_gen = l->gen;
	l->scanned_ms = mono_ms();
	if ((dp = opendir(l->outdir)) == NULL) {
		log_warn(NULL, "to=%s cannot read 无法读取 %s: %s", l->r->code, l->outdir, strerror(errno));
		return;
	}
	lane_list(dp, &names, &n);
	if (l->n > 1)
		qsort(l->items, l->n, sizeof(*l->items), item_cmp);
	have = l->n;
	for (i = j = 0; i < have || j < n;) {
		c = i == have ? 1 : j == n ? -1 : strcmp(l->items[i].name, names[j]);
		if (c <= 0)
			l->items[i++].mark = c == 0;
		else
			lane_add(l, dirfd(dp), names[j]);	/* appended after the sorted part */
		if (c >= 0)
			free(names[j++]);
	}
	free(names);
	closedir(dp);
	for (i = 0; i < l->n; i++) {
		if (l->items[i].mark || l->items[i].busy)
			continue;
		if (!l->items[i].bad)
			state_drop(l, l->items[i].name);	/* taken away by someone else */
		l->items[i--] = l->items[--l->n];
	}
}

/* Take the file due first; 0 and *wait_ms (time to the next due file) when none is due. */
static int lane_pick(struct lane *l, struct item *out, long long *wait_ms)
{
	struct item *best = NULL, *it;
	long long now = wall_ms();
	size_t i;

	*wait_ms = l->d->rescan_ms;
	for (i = 0; i < l->n; i++) {
		it = &l->items[i];
		if (it->busy || it->bad)
			continue;
		if (it->next_ms > now) {
			if (it->next_ms - now < *wait_ms)
				*wait_ms = it->next_ms - now;
			continue;
		}
		if (best == NULL || it->next_ms < best->next_ms
		    || (it->next_ms == best->next_ms && strcmp(it->name, best->name) < 0))
			best = it;
	}
	if (best == NULL)
		return 0;
	best->busy = 1;
	*out = *best;
	out->outcome = OUT_NONE;
	return 1;
}

/* Record what the transfer did: the file leaves the table or waits for its next try. */
static void lane_settle(struct lane *l, const struct item *done)
{
	struct item *it = lane_item(l, done->name);

	if (it == NULL)
		panic("deliver: %s vanished from the table while busy", done->name);
	switch (done->outcome) {
	case OUT_SENT:
	case OUT_DEAD:
	case OUT_GONE:
		*it = l->items[--l->n];
		return;
	case OUT_BAD:
		it->bad = 1;
		break;
	case OUT_RETRY:
	case OUT_AGAIN:
		it->attempts = done->attempts;
		it->next_ms = done->next_ms;
		break;
	case OUT_NONE:
		panic("deliver: %s settled without an outcome", done->name);
	}
	it->busy = 0;
}

/* ---- one transfer ---------------------------------------------------------------------- */

/* Abort a transfer once deliver_stop's grace period is over. */
static int xfer_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct xfer *x = arg;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return atomic_load(&x->d->stop) && mono_ms() - atomic_load(&x->d->stop_ms) > DELIVER_GRACE_MS;
}

/* Keep the start of an HTTP answer for the error message; drop the rest. */
static size_t xfer_body(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * n, room = sizeof(x->body) - 1 - x->blen;

	if (room > 0) {
		memcpy(x->body + x->blen, p, len < room ? len : room);
		x->blen += len < room ? len : room;
		x->body[x->blen] = '\0';
	}
	return len;
}

/* Only a host key that known_hosts lists for this host is accepted. */
static int xfer_hostkey(CURL *h, const struct curl_khkey *known, const struct curl_khkey *found,
    enum curl_khmatch match, void *arg)
{
	struct xfer *x = arg;

	(void)h, (void)known, (void)found;
	x->khmatch = (int)match;
	return match == CURLKHMATCH_OK ? CURLKHSTAT_FINE : CURLKHSTAT_REJECT;
}

/* Options every transfer has: timeouts, no signals, the stop check, the file to send. */
static void xfer_common(CURL *h, struct xfer *x, FILE *fp, curl_off_t size, char *errbuf)
{
	curl_easy_reset(h);	/* keeps the connection cache: the next file reuses the session */
	errbuf[0] = '\0';
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)DELIVER_CONNECT_S);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, (long)DELIVER_LOW_SPEED);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (long)DELIVER_LOW_TIME_S);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)DELIVER_MAX_S);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, xfer_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, x);
	curl_easy_setopt(h, CURLOPT_READDATA, fp);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, size);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
}

/* SFTP: upload to path/.NAME.part, then remove path/NAME and rename on the server. */
static CURLcode xfer_sftp(CURL *h, const struct route *r, const char *name, struct xfer *x)
{
	char url[ROUTE_URL_MAX + NAME_MAX + 16], rm[ROUTE_PATH_MAX + NAME_MAX + 16];
	char mv[2 * ROUTE_PATH_MAX + 2 * NAME_MAX + 32];
	struct curl_slist *post = NULL;
	CURLcode rc;

	snprintf(url, sizeof(url), "%s/.%s.part", r->url, name);
	snprintf(rm, sizeof(rm), "*rm %s/%s", r->path, name);	/* '*': may fail (no old copy) */
	snprintf(mv, sizeof(mv), "rename %s/.%s.part %s/%s", r->path, name, r->path, name);
	post = curl_slist_append(post, rm);
	post = curl_slist_append(post, mv);
	if (post == NULL)
		panic("deliver: out of memory");
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "sftp");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_SSH_AUTH_TYPES, (long)CURLSSH_AUTH_PUBLICKEY);
	curl_easy_setopt(h, CURLOPT_SSH_PRIVATE_KEYFILE, r->key);
	if (r->pubkey[0])
		curl_easy_setopt(h, CURLOPT_SSH_PUBLIC_KEYFILE, r->pubkey);
	curl_easy_setopt(h, CURLOPT_SSH_KNOWNHOSTS, r->known_hosts);
	curl_easy_setopt(h, CURLOPT_SSH_KEYFUNCTION, xfer_hostkey);
	curl_easy_setopt(h, CURLOPT_SSH_KEYDATA, x);
	curl_easy_setopt(h, CURLOPT_POSTQUOTE, post);
	rc = curl_easy_perform(h);
	curl_easy_setopt(h, CURLOPT_POSTQUOTE, NULL);
	curl_easy_setopt(h, CURLOPT_SSH_KEYDATA, NULL);
	curl_slist_free_all(post);
	return rc;
}

/* HTTPS: PUT or POST the bytes to path/NAME; TLS 1.2+, the server verified against ca only. */
static CURLcode xfer_https(CURL *h, const struct route *r, const char *name, struct xfer *x, curl_off_t size)
{
	char url[ROUTE_URL_MAX + NAME_MAX + 2];
	struct curl_slist *hdr = NULL;
	CURLcode rc;

	snprintf(url, sizeof(url), "%s/%s", r->url, name);
	hdr = curl_slist_append(hdr, "Content-Type: application/pkcs7-mime");
	hdr = curl_slist_append(hdr, "Expect:");	/* no 100-continue round trip */
	if (hdr == NULL)
		panic("deliver: out of memory");
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_URL, url);
	if (r->method == ROUTE_PUT)
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	else {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, size);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(h, CURLOPT_CAINFO, r->ca);
	curl_easy_setopt(h, CURLOPT_CAPATH, NULL);	/* the configured CA, not the system's */
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (r->cert[0]) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, r->cert);
		curl_easy_setopt(h, CURLOPT_SSLKEY, r->key);
	}
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, xfer_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	rc = curl_easy_perform(h);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdr);
	return rc;
}

/* Transfer fp as name over the lane's route; 0, or -1 with why, or -2 if stopped. */
static int xfer_run(struct lane *l, CURL *h, FILE *fp, const struct stat *st, const char *name,
    char *why, size_t n)
{
	char errbuf[CURL_ERROR_SIZE];
	struct xfer x = {.d = l->d, .khmatch = -1};
	long code = 0;
	CURLcode rc;

	xfer_common(h, &x, fp, (curl_off_t)st->st_size, errbuf);
	if (l->r->kind == ROUTE_SFTP)
		rc = xfer_sftp(h, l->r, name, &x);
	else
		rc = xfer_https(h, l->r, name, &x, (curl_off_t)st->st_size);
	if (l->r->kind == ROUTE_HTTPS && rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_reset(h);	/* drop pointers to this frame (errbuf, x, fp); connections stay */
	if (rc == CURLE_ABORTED_BY_CALLBACK && atomic_load(&l->d->stop))
		return -2;
	if (rc != CURLE_OK) {
		snprintf(why, n, "curl %d %s%s%s%s", (int)rc, curl_easy_strerror(rc), errbuf[0] ? ": " : "", errbuf,
		    x.khmatch == CURLKHMATCH_MISSING ? " (host key not in known_hosts 主机密钥未登记)"
		    : x.khmatch == CURLKHMATCH_MISMATCH ? " (host key does not match known_hosts 主机密钥不符)" : "");
		return -1;
	}
	if (l->r->kind == ROUTE_HTTPS && (code < 200 || code > 299)) {
		snprintf(why, n, "HTTP %ld: %.120s", code, x.body);
		return -1;
	}
	return 0;
}

/* ---- moving the file after a transfer --------------------------------------------------- */

/* Is dir/name still the file we sent?  The outbox may have replaced it (same name, new content). */
static int file_same(const char *dir, const char *name, const struct stat *sent)
{
	struct stat now;
	char path[PATH_MAX];

	if (safeio_path(path, dir, name) < 0 || lstat(path, &now) < 0)
		return 0;
	return now.st_dev == sent->st_dev && now.st_ino == sent->st_ino && now.st_size == sent->st_size
	    && now.st_mtim.tv_sec == sent->st_mtim.tv_sec && now.st_mtim.tv_nsec == sent->st_mtim.tv_nsec;
}

/* A newer version was moved to sent/ by mistake: put it back in the queue (unless an even
 * newer one is there already, which supersedes it and will be sent). */
static void file_unmove(struct lane *l, const char *day, const char *name)
{
	int a, b;

	if ((a = open(day, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return;
	if ((b = open(l->outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		if (renameat2(a, name, b, name, RENAME_NOREPLACE) == 0) {
			fsync(b);
			fsync(a);
		}
		close(b);
	}
	close(a);
}

/* day = sent/<code>/<yyyymmdd> (UTC), created if missing. */
static int file_day(const struct lane *l, char *day)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	if (snprintf(day, PATH_MAX, "%s/%04d%02d%02d", l->sentdir, tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return safeio_mkdirs(day, 0750);
}

/* Delivered: move into sent/<code>/<yyyymmdd>/ (rename + fsync), then forget the state.
 * A file replaced while it was uploaded is sent again, whether the replacement is seen
 * before the move or after it. */
static void file_sent(struct lane *l, struct item *it, const struct stat *st, long long ms)
{
	char day[PATH_MAX];

	it->outcome = OUT_AGAIN;
	if (!file_same(l->outdir, it->name, st)) {
		log_info(it->name, "to=%s route=%s status=replaced 文件已更新，重发", l->r->code, l->r->url);
		return;
	}
	if (file_day(l, day) < 0 || safeio_rename(l->outdir, it->name, day, it->name) < 0) {
		if (errno == ENOENT) {
			log_warn(it->name, "to=%s status=gone 文件已被移走 (moved by someone else)", l->r->code);
			it->outcome = OUT_GONE;
			return;
		}
		log_error(it->name, "to=%s route=%s status=sent but cannot move to sent/ 已发送但无法归档: %s; "
		    "will send again", l->r->code, l->r->url, strerror(errno));
		it->next_ms = wall_ms() + deliver_delay(l->d, it->attempts + 1);
		return;
	}
	if (!file_same(day, it->name, st)) {
		file_unmove(l, day, it->name);
		log_info(it->name, "to=%s route=%s status=replaced 文件已更新，重发", l->r->code, l->r->url);
		return;
	}
	state_drop(l, it->name);
	metrics_delivery(l->r->code, l->r->url, "sent");
	log_info(it->name, "to=%s route=%s status=sent attempt=%d bytes=%lld ms=%lld", l->r->code, l->r->url,
	    it->attempts + 1, (long long)st->st_size, ms);
	it->outcome = OUT_SENT;
}

/* Out of attempts: dead/<code>/NAME.reason (durable) first, then the file itself. */
static void file_dead(struct lane *l, struct item *it, const char *why)
{
	char reason[DELIVER_ERR_MAX + ROUTE_URL_MAX + NAME_MAX + 512], rname[NAME_MAX + 8], ts[32];

	log_timestamp(ts);
	snprintf(reason, sizeof(reason), "code: DELIVERY_FAILED\n"
	    "zh: 多次投递均失败，文件已移入死信目录\n"
	    "en: delivery failed on every attempt; the file was moved to the dead-letter folder\n"
	    "detail: %s\nroute: %s\nparty: %s\nattempts: %d\nfile: %s\ntime: %s\n",
	    why, l->r->url, l->r->code, it->attempts, it->name, ts);
	snprintf(rname, sizeof(rname), "%s.reason", it->name);
	if (safeio_mkdirs(l->deaddir, 0750) < 0
	    || safeio_write_atomic(l->deaddir, rname, reason, strlen(reason)) < 0
	    || safeio_rename(l->outdir, it->name, l->deaddir, it->name) < 0) {
		if (errno == ENOENT) {
			it->outcome = OUT_GONE;
			return;
		}
		log_error(it->name, "to=%s cannot move to dead/ 无法移入死信目录: %s", l->r->code, strerror(errno));
		it->next_ms = wall_ms() + deliver_delay(l->d, it->attempts);
		it->outcome = OUT_AGAIN;
		return;
	}
	state_drop(l, it->name);
	metrics_delivery(l->r->code, l->r->url, "dead");
	log_error(it->name, "to=%s route=%s status=dead 投递失败，移入死信 attempts=%d error=\"%s\"", l->r->code,
	    l->r->url, it->attempts, why);
	it->outcome = OUT_DEAD;
}

/* A failed attempt: retry later (state persisted first), or dead letter after the last. */
static void file_failed(struct lane *l, struct item *it, const char *why, long long ms)
{
	long long delay;

	it->attempts++;
	if (it->attempts >= l->d->attempts) {
		file_dead(l, it, why);
		return;
	}
	delay = deliver_delay(l->d, it->attempts);
	it->next_ms = wall_ms() + delay;
	if (state_save(l, it, why) < 0)
		log_error(it->name, "to=%s cannot save retry state 无法保存重试状态: %s", l->r->code, strerror(errno));
	metrics_delivery(l->r->code, l->r->url, "deferred");
	log_warn(it->name, "to=%s route=%s status=deferred 投递失败，稍后重试 attempt=%d/%ld retry_in=%lldms ms=%lld "
	    "error=\"%s\"", l->r->code, l->r->url, it->attempts, l->d->attempts, delay, ms, why);
	it->outcome = OUT_RETRY;
}

/* Open outbound/<code>/NAME safely (no symlink, one link, regular). */
static FILE *file_open(struct lane *l, const char *name, struct stat *st)
{
	int dfd, fd, saved;
	FILE *fp;

	if ((dfd = open(l->outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return NULL;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	saved = errno;
	close(dfd);
	if (fd < 0) {
		errno = saved;
		return NULL;
	}
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode) || st->st_nlink != 1 || (fp = fdopen(fd, "rb")) == NULL) {
		close(fd);
		errno = EPERM;
		return NULL;
	}
	return fp;
}

/* Deliver one file and decide its fate (it->outcome). */
static void file_deliver(struct lane *l, CURL *h, struct item *it)
{
	char why[DELIVER_ERR_MAX];
	long long t0 = mono_ms();
	struct stat st;
	FILE *fp;
	int rc;

	if ((fp = file_open(l, it->name, &st)) == NULL) {
		it->outcome = errno == ENOENT ? OUT_GONE : OUT_BAD;
		if (it->outcome == OUT_BAD)
			log_warn(it->name, "to=%s left alone 不投递: %s", l->r->code,
			    errno == EPERM || errno == ELOOP ? "not a regular file of one link" : strerror(errno));
		return;
	}
	rc = xfer_run(l, h, fp, &st, it->name, why, sizeof(why));
	fclose(fp);
	deliver_clean(why);
	if (rc == -2) {
		log_info(it->name, "to=%s route=%s status=interrupted 停止时中断，下次重发", l->r->code, l->r->url);
		it->outcome = OUT_AGAIN;
	} else if (rc == 0)
		file_sent(l, it, &st, mono_ms() - t0);
	else
		file_failed(l, it, why, mono_ms() - t0);
}

/* ---- threads -------------------------------------------------------------------------- */

/* Sleep up to ms (monotonic clock) or until kicked; called with l->mu held. */
static void lane_wait(struct lane *l, long long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&l->cv, &l->mu, &ts);
}

/* A lane thread: scan when kicked (or every rescan_s), send what is due, else sleep. */
static void *lane_run(void *arg)
{
	struct lane *l = arg;
	long long wait;
	struct item it;
	CURL *h;

	if ((h = curl_easy_init()) == NULL)
		panic("deliver: curl_easy_init failed");
	pthread_mutex_lock(&l->mu);
	while (!atomic_load(&l->d->stop)) {
		if (l->scan_gen != l->gen || mono_ms() - l->scanned_ms >= l->d->rescan_ms)
			lane_scan(l);
		if (!lane_pick(l, &it, &wait)) {
			lane_wait(l, wait < 1 ? 1 : wait);
			continue;
		}
		pthread_mutex_unlock(&l->mu);
		file_deliver(l, h, &it);
		pthread_mutex_lock(&l->mu);
		lane_settle(l, &it);
	}
	pthread_mutex_unlock(&l->mu);
	curl_easy_cleanup(h);
	return NULL;
}

/* Folders of a lane; the route's queue and state folder are created if missing. */
static int lane_init(struct lane *l, struct deliver *d, const struct route *r, const char *spool_dir)
{
	pthread_condattr_t ca;

	memset(l, 0, sizeof(*l));
	l->d = d;
	l->r = r;
	if (snprintf(l->outdir, PATH_MAX, "%s/outbound/%s", spool_dir, r->code) >= PATH_MAX
	    || snprintf(l->statedir, PATH_MAX, "%s/.state", l->outdir) >= PATH_MAX
	    || snprintf(l->sentdir, PATH_MAX, "%s/sent/%s", spool_dir, r->code) >= PATH_MAX
	    || snprintf(l->deaddir, PATH_MAX, "%s/dead/%s", spool_dir, r->code) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (safeio_mkdirs(l->statedir, 0750) < 0 || safeio_mkdirs(l->sentdir, 0750) < 0
	    || safeio_mkdirs(l->deaddir, 0750) < 0)
		return -1;
	pthread_mutex_init(&l->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);	/* waits immune to clock changes */
	pthread_cond_init(&l->cv, &ca);
	pthread_condattr_destroy(&ca);
	l->gen = 1;	/* scan at once */
	state_sweep(l);
	return 0;
}

/* Start a lane's threads with every signal blocked: signals belong to the main loop. */
static int lane_spawn(struct lane *l, long parallel)
{
	sigset_t all, old;
	int rc = 0;

	l->tids = xcalloc((size_t)parallel, sizeof(*l->tids));
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	while (rc == 0 && l->nthreads < (size_t)parallel)
		if ((rc = pthread_create(&l->tids[l->nthreads], NULL, lane_run, l)) == 0)
			l->nthreads++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = rc;
	return rc == 0 ? 0 : -1;
}

struct deliver *deliver_start(const struct conf *c, const char *spool_dir, char *err, size_t errlen)
{
	struct deliver *d = xcalloc(1, sizeof(*d));
	size_t i;

	if (route_load(c->routes, &d->routes, err, errlen) < 0) {
		free(d);
		return NULL;
	}
	d->attempts = c->delivery_attempts;
	d->backoff_ms = c->delivery_backoff_s * 1000LL;
	d->rescan_ms = c->rescan_s * 1000LL;
	d->lanes = xcalloc(d->routes.n ? d->routes.n : 1, sizeof(*d->lanes));
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		panic("deliver: curl_global_init failed");
	for (i = 0; i < d->routes.n; i++) {
		const struct route *r = &d->routes.v[i];
		struct lane *l = &d->lanes[d->nlanes];

		if (r->kind == ROUTE_LOCAL)
			continue;
		if (lane_init(l, d, r, spool_dir) < 0) {
			snprintf(err, errlen, "%s:%d: %s: spool folders for %s 无法创建投递目录: %s", c->routes,
			    r->line, spool_dir, r->code, strerror(errno));
			deliver_stop(d);
			return NULL;
		}
		d->nlanes++;
		if (lane_spawn(l, route_parallel(r, c->delivery_parallel)) < 0) {
			snprintf(err, errlen, "deliver: cannot start threads 无法启动投递线程: %s", strerror(errno));
			deliver_stop(d);
			return NULL;
		}
		log_info(NULL, "delivery 投递 to=%s route=%s threads=%zu", r->code, r->url, l->nthreads);
	}
	return d;
}

void deliver_kick(struct deliver *d)
{
	size_t i;

	for (i = 0; i < d->nlanes; i++) {
		pthread_mutex_lock(&d->lanes[i].mu);
		d->lanes[i].gen++;
		pthread_cond_broadcast(&d->lanes[i].cv);
		pthread_mutex_unlock(&d->lanes[i].mu);
	}
}

void deliver_stop(struct deliver *d)
{
	size_t i, t;

	atomic_store(&d->stop_ms, mono_ms());
	atomic_store(&d->stop, 1);
	deliver_kick(d);
	for (i = 0; i < d->nlanes; i++) {
		for (t = 0; t < d->lanes[i].nthreads; t++)
			pthread_join(d->lanes[i].tids[t], NULL);
		pthread_mutex_destroy(&d->lanes[i].mu);
		pthread_cond_destroy(&d->lanes[i].cv);
		free(d->lanes[i].tids);
		free(d->lanes[i].items);
	}
	free(d->lanes);
	route_free(&d->routes);
	curl_global_cleanup();
	free(d);
}
