/* spool — folder layout, claim, archive and error moves. */
#include "spool.h"
#include "safeio.h"
#include "xmem.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

static int spool_path(char *dst, const char *root, const char *sub)
{
	if (snprintf(dst, PATH_MAX, "%s/%s", root, sub) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return safeio_mkdirs(dst, 0750);
}

int spool_init(struct spool *s, const char *root)
{
	memset(s, 0, sizeof(*s));
	if (strlcopy(s->root, root, sizeof(s->root)) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (spool_path(s->inbound, root, "inbound") < 0 || spool_path(s->work, root, "work") < 0
	    || spool_path(s->archive, root, "archive") < 0 || spool_path(s->error, root, "error") < 0
	    || spool_path(s->outbound, root, "outbound") < 0 || spool_path(s->log, root, "log") < 0)
		return -1;
	return 0;
}

static int spool_ends(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* [A-Za-z0-9][A-Za-z0-9._-]{0,127}, not *.tmp or *.part (still being written). */
int spool_name_ok(const char *name)
{
	size_t i;

	for (i = 0; name[i]; i++) {
		char c = name[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

		if (i >= SPOOL_NAME_MAX || !(alnum || (i > 0 && (c == '.' || c == '_' || c == '-'))))
			return 0;
	}
	return i > 0 && !spool_ends(name, ".tmp") && !spool_ends(name, ".part");
}

static int spool_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void spool_list_add(struct spool_list *l, const char *name)
{
	l->names = xgrow(l->names, l->n, &l->cap, sizeof(char *));
	l->names[l->n++] = xstrdup(name);
}

void spool_list_free(struct spool_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->names);
	l->names = NULL;
	l->n = l->cap = 0;
}

/* Settled: unchanged for settle_ms, and no writer still has it open (when
 * that can be told: safeio_writers).  A writer that pauses longer than the
 * settle time with its file open is waited for, not taken half-written. */
static int spool_settled(int dfd, const char *name, long settle_ms, const struct timeval *now)
{
	struct stat st;
	long long age_ms;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	age_ms = (long long)(now->tv_sec - st.st_mtim.tv_sec) * 1000
	    + (now->tv_usec / 1000 - st.st_mtim.tv_nsec / 1000000);
	if (age_ms < settle_ms)
		return 0;
	return !S_ISREG(st.st_mode) || safeio_writers_at(dfd, name) != 1;
}

static int spool_list_dir(const char *dir, long settle_ms, int check_names, struct spool_list *out)
{
	struct timeval now;
	struct dirent *d;
	DIR *dp;

	out->names = NULL;
	out->n = out->cap = 0;
	out->waiting = 0;
	if ((dp = opendir(dir)) == NULL)
		return -1;
	gettimeofday(&now, NULL);
	while ((d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		if (check_names && !spool_name_ok(d->d_name))
			continue;
		if (settle_ms >= 0 && !spool_settled(dirfd(dp), d->d_name, settle_ms, &now)) {
			out->waiting++;
			continue;
		}
		spool_list_add(out, d->d_name);
	}
	closedir(dp);
	if (out->n > 0)
		qsort(out->names, out->n, sizeof(char *), spool_cmp);
	return 0;
}

int spool_ready(const struct spool *s, long settle_ms, struct spool_list *out)
{
	return spool_list_dir(s->inbound, settle_ms, 1, out);
}

int spool_work(const struct spool *s, struct spool_list *out)
{
	return spool_list_dir(s->work, -1, 0, out);
}

/* A unique, increasing id: E + UTC yyyymmddHHMMSSmmm + 2 digits.  When 100
 * ids are taken in one millisecond the logical clock moves ahead. */
static void spool_new_id(char *id, size_t n)
{
	static long long last_ms;
	static int counter;
	struct timeval tv;
	struct tm tm;
	long long ms;
	char stamp[32];
	size_t len;
	time_t sec;

	gettimeofday(&tv, NULL);
	ms = (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
	if (ms <= last_ms && ++counter < 100)
		ms = last_ms;
	else {
		if (ms <= last_ms)
			ms = last_ms + 1;
		counter = 0;
	}
	last_ms = ms;
	sec = (time_t)(ms / 1000);
	gmtime_r(&sec, &tm);
	len = strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
	snprintf(id, n, "E%.*s%03u%02u", (int)len, stamp, (unsigned)(ms % 1000) % 1000u,
	    (unsigned)counter % 100u);
}

/* rename(2) that never replaces an existing file. */
static int spool_move(const char *from_dir, const char *from, const char *to_dir, const char *to)
{
	char a[PATH_MAX], b[PATH_MAX];

	if (safeio_path(a, from_dir, from) < 0 || safeio_path(b, to_dir, to) < 0)
		return -1;
	return renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_NOREPLACE);
}

static int spool_archive_dir(const struct spool *s, time_t now, char dir[PATH_MAX])
{
	struct tm tm;

	gmtime_r(&now, &tm);
	if (snprintf(dir, PATH_MAX, "%s/%04d%02d%02d", s->archive, tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int spool_sync(const struct spool *s, time_t now)
{
	char dir[PATH_MAX];

	if (safeio_fsync_dir(s->work) < 0 || safeio_fsync_dir(s->error) < 0
	    || safeio_fsync_dir(s->archive) < 0)
		return -1;
	if (spool_archive_dir(s, now, dir) < 0)
		return -1;
	return safeio_fsync_dir(dir) < 0 && errno != ENOENT ? -1 : 0;
}

int spool_claim(const struct spool *s, const char *name, char *work_name, size_t n)
{
	char id[32];

	spool_new_id(id, sizeof(id));
	if (snprintf(work_name, n, "%s_%s", id, name) >= (int)n) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return spool_move(s->inbound, name, s->work, work_name);
}

int spool_archive(const struct spool *s, const char *work_name, time_t now)
{
	char dir[PATH_MAX];

	if (spool_archive_dir(s, now, dir) < 0)
		return -1;
	if (spool_move(s->work, work_name, dir, work_name) == 0)
		return 0;
	if (errno != ENOENT || safeio_mkdirs(dir, 0750) < 0)	/* the day's first: make its folder */
		return -1;
	return spool_move(s->work, work_name, dir, work_name);
}

int spool_reject(const struct spool *s, const char *work_name, const char *reason_text)
{
	char name[SPOOL_WORK_MAX + 8];

	snprintf(name, sizeof(name), "%s.reason", work_name);
	if (safeio_write_atomic(s->error, name, reason_text, strlen(reason_text)) < 0)
		return -1;
	return spool_move(s->work, work_name, s->error, work_name);
}

const char *spool_original_name(const char *work_name)
{
	const char *u = strchr(work_name, '_');

	return u ? u + 1 : work_name;
}

void spool_work_id(const char *work_name, char *id, size_t n)
{
	size_t len = strcspn(work_name, "_");

	if (len >= n)
		len = n - 1;
	memcpy(id, work_name, len);
	id[len] = '\0';
}
