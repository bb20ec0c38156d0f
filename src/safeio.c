/* safeio — safe reads of untrusted files, durable atomic writes. */
#include "safeio.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Refuse what is not a plain file of one link: a hard link could point outside the spool. */
static int safeio_check(const struct stat *st, size_t max)
{
	if (!S_ISREG(st->st_mode) || st->st_nlink != 1)
		return SAFEIO_UNSAFE;
	if ((unsigned long long)st->st_size > max)
		return SAFEIO_TOO_LARGE;
	if (st->st_size == 0)
		return SAFEIO_EMPTY;
	return SAFEIO_OK;
}

static int safeio_read_fd(int fd, size_t max, struct buf *out)
{
	char chunk[65536];
	ssize_t n;

	buf_reset(out);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return SAFEIO_ERROR;
		}
		if (out->len + (size_t)n > max)
			return SAFEIO_TOO_LARGE;
		buf_add(out, chunk, (size_t)n);
	}
	return SAFEIO_OK;
}

static void safeio_ignore_sigio(void)
{
	signal(SIGIO, SIG_IGN);
}

int safeio_writers(int fd)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, safeio_ignore_sigio);
	if (fcntl(fd, F_SETLEASE, F_RDLCK) == 0) {
		fcntl(fd, F_SETLEASE, F_UNLCK);
		return 0;
	}
	return errno == EAGAIN ? 1 : -1;
}

int safeio_writers_at(int dfd, const char *name)
{
	struct stat st;
	int fd, rc;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
		return -1;
	if ((fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0)
		return -1;
	rc = safeio_writers(fd);
	close(fd);
	return rc;
}

int safeio_read(const char *dir, const char *name, size_t max, struct buf *out)
{
	struct stat before, after;
	int dfd, fd, rc, saved;

	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return SAFEIO_ERROR;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	saved = errno;
	close(dfd);
	if (fd < 0) {
		errno = saved;
		/* ELOOP: a symlink (O_NOFOLLOW); ENXIO: a socket, which open() cannot open */
		return errno == ELOOP || errno == ENXIO ? SAFEIO_UNSAFE : SAFEIO_ERROR;
	}
	if (fstat(fd, &before) < 0)
		rc = SAFEIO_ERROR;
	else if ((rc = safeio_check(&before, max)) == SAFEIO_OK
	    && (rc = safeio_read_fd(fd, max, out)) == SAFEIO_OK) {
		/* A writer that kept going after the settle time must not give us half a file. */
		if (fstat(fd, &after) < 0)
			rc = SAFEIO_ERROR;
		else if (after.st_size != before.st_size || (size_t)after.st_size != out->len
		    || after.st_mtim.tv_sec != before.st_mtim.tv_sec
		    || after.st_mtim.tv_nsec != before.st_mtim.tv_nsec)
			rc = SAFEIO_CHANGED;
		else if (safeio_writers(fd) == 1)	/* it could still change after we judged it */
			rc = SAFEIO_CHANGED;
	}
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

/* sync(fd) on the folder dir: fsync (its entries) or syncfs (its file system). */
static int safeio_sync_dir_with(const char *dir, int (*sync)(int))
{
	int fd, rc, saved;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return SAFEIO_ERROR;
	rc = sync(fd) < 0 ? SAFEIO_ERROR : SAFEIO_OK;
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int safeio_fsync_dir(const char *dir)
{
	return safeio_sync_dir_with(dir, fsync);
}

static int safeio_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			return SAFEIO_ERROR;
		}
		p += n;
		len -= (size_t)n;
	}
	return SAFEIO_OK;
}

int safeio_write_atomic(const char *dir, const char *name, const void *data, size_t len)
{
	if (safeio_write_staged(dir, name, data, len) < 0)
		return SAFEIO_ERROR;
	return safeio_fsync_dir(dir);
}

/* A file that is replaced keeps its owner, group and mode where the process
 * may set them: root editing the registry must not leave it unreadable to
 * the daemon's user.  Best effort: what cannot be set stays as created. */
static void safeio_keep_attrs(int fd, const char *dst)
{
	struct stat old;

	if (lstat(dst, &old) < 0 || !S_ISREG(old.st_mode))
		return;
	(void)!fchown(fd, old.st_uid, old.st_gid);
	(void)!fchmod(fd, old.st_mode & 07777);
}

/* tmp = dir/.name.tmp, dst = dir/name */
static int safeio_names(const char *dir, const char *name, char *tmp, char *dst)
{
	if (snprintf(tmp, PATH_MAX, "%s/.%s.tmp", dir, name) >= PATH_MAX
	    || snprintf(dst, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return SAFEIO_ERROR;
	}
	return SAFEIO_OK;
}

/* Write data into dir/.name.tmp, fsynced or not; the temp file goes on failure. */
static int safeio_write_tmp(const char *tmp, const char *dst, const void *data, size_t len, int sync)
{
	int fd, saved;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd < 0)
		return SAFEIO_ERROR;
	safeio_keep_attrs(fd, dst);
	if (safeio_write_all(fd, data, len) < 0 || (sync && fsync(fd) < 0)) {
		saved = errno;
		close(fd);
		unlink(tmp);
		errno = saved;
		return SAFEIO_ERROR;
	}
	if (close(fd) < 0) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		return SAFEIO_ERROR;
	}
	return SAFEIO_OK;
}

int safeio_write_staged(const char *dir, const char *name, const void *data, size_t len)
{
	char tmp[PATH_MAX], dst[PATH_MAX];

	if (safeio_names(dir, name, tmp, dst) < 0 || safeio_write_tmp(tmp, dst, data, len, 1) < 0)
		return SAFEIO_ERROR;
	return safeio_publish(dir, name);
}

int safeio_write_unsynced(const char *dir, const char *name, const void *data, size_t len)
{
	char tmp[PATH_MAX], dst[PATH_MAX];

	if (safeio_names(dir, name, tmp, dst) < 0)
		return SAFEIO_ERROR;
	return safeio_write_tmp(tmp, dst, data, len, 0);
}

int safeio_publish(const char *dir, const char *name)
{
	char tmp[PATH_MAX], dst[PATH_MAX];
	int saved;

	if (safeio_names(dir, name, tmp, dst) < 0)
		return SAFEIO_ERROR;
	if (rename(tmp, dst) < 0) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		return SAFEIO_ERROR;
	}
	return SAFEIO_OK;
}

void safeio_discard(const char *dir, const char *name)
{
	char tmp[PATH_MAX], dst[PATH_MAX];

	if (safeio_names(dir, name, tmp, dst) == 0)
		unlink(tmp);
}

int safeio_sync_fs(const char *dir)
{
	return safeio_sync_dir_with(dir, syncfs);
}

int safeio_rename(const char *from_dir, const char *from_name,
    const char *to_dir, const char *to_name)
{
	char from[PATH_MAX], to[PATH_MAX];

	if (snprintf(from, sizeof(from), "%s/%s", from_dir, from_name) >= (int)sizeof(from)
	    || snprintf(to, sizeof(to), "%s/%s", to_dir, to_name) >= (int)sizeof(to)) {
		errno = ENAMETOOLONG;
		return SAFEIO_ERROR;
	}
	if (rename(from, to) < 0)
		return SAFEIO_ERROR;
	if (safeio_fsync_dir(to_dir) < 0)
		return SAFEIO_ERROR;
	if (strcmp(from_dir, to_dir) != 0 && safeio_fsync_dir(from_dir) < 0)
		return SAFEIO_ERROR;
	return SAFEIO_OK;
}

int safeio_mkdirs(const char *path, mode_t mode)
{
	char p[PATH_MAX];
	size_t i;

	if (strlen(path) >= sizeof(p)) {
		errno = ENAMETOOLONG;
		return SAFEIO_ERROR;
	}
	strcpy(p, path);
	for (i = 1; p[i]; i++) {
		if (p[i] != '/')
			continue;
		p[i] = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return SAFEIO_ERROR;
		p[i] = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return SAFEIO_ERROR;
	return SAFEIO_OK;
}

int safeio_path(char *out, const char *dir, const char *name)
{
	if (snprintf(out, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}
