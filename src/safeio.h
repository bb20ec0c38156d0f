/* safeio — safe opening of untrusted spool files and durable writes.
 * Reading: openat(O_NOFOLLOW|O_NONBLOCK), then fstat: a regular file with
 * exactly one link, within a size cap (Postfix safe_open, OpenSMTPD offline).
 * Writing: temp file (".name.tmp" in the target folder, ignored by readers)
 * + fsync + rename + fsync of the folder, so a file is either absent or whole.
 * A file replaced keeps its owner, group and mode (as far as the process may
 * set them); a new one is created 0640 (less the umask).
 * A file some process still has open for writing is not whole yet: readers
 * ask safeio_writers (a read lease cannot be had while a writer is open).
 * Failure contract: functions return 0 or a negative safeio_status; errno
 * tells the system cause for SAFEIO_ERROR. Nothing here is fatal. */
#ifndef SAFEIO_H
#define SAFEIO_H
#include <stddef.h>
#include <sys/types.h>
#include "buf.h"

enum safeio_status {
	SAFEIO_OK = 0,
	SAFEIO_ERROR = -1,	/* system call failed; see errno */
	SAFEIO_UNSAFE = -2,	/* symlink, not regular, or more than one link */
	SAFEIO_TOO_LARGE = -3,
	SAFEIO_EMPTY = -4,
	SAFEIO_CHANGED = -5,	/* the file changed while it was read, or a writer still has it open */
};

int safeio_read(const char *dir, const char *name, size_t max, struct buf *out);
/* Whether a process has the file open for writing: 1 yes, 0 no, -1 cannot
 * tell (a read lease needs the file's owner or CAP_LEASE, and a file system
 * that has leases).  fd must be open read-only; a lease is taken and dropped
 * at once.  SIGIO is ignored from the first call on: a writer opening the
 * file during that instant breaks the lease, and SIGIO would end the process. */
int safeio_writers(int fd);
/* The same for dir/name when it is a regular file (fstatat without following
 * links; anything else is not opened and gives -1). */
int safeio_writers_at(int dfd, const char *name);
int safeio_write_atomic(const char *dir, const char *name, const void *data, size_t len);
/* The same without the folder's fsync: for writers that sync a folder once
 * after many files (the file itself is fsynced before its rename). */
int safeio_write_staged(const char *dir, const char *name, const void *data, size_t len);
/* Many files made durable at once (one syncfs(2) per file system instead of
 * an fsync per file and per folder, each of which flushes the disk's cache):
 * write each with safeio_write_unsynced (dir/.name.tmp, not synced), then
 * safeio_sync_fs, then safeio_publish each (rename into place; the temp goes
 * on failure), then safeio_sync_fs again for the renames.  safeio_discard
 * removes a temp file that will not be published.  Since Linux 5.8 syncfs
 * reports write-back errors, so a failed sync means "not durable". */
int safeio_write_unsynced(const char *dir, const char *name, const void *data, size_t len);
int safeio_publish(const char *dir, const char *name);
void safeio_discard(const char *dir, const char *name);
/* syncfs(2) of the file system that holds dir. */
int safeio_sync_fs(const char *dir);
int safeio_rename(const char *from_dir, const char *from_name,
    const char *to_dir, const char *to_name);	/* rename + fsync of both folders */
int safeio_fsync_dir(const char *dir);
int safeio_mkdirs(const char *path, mode_t mode);
/* out = dir "/" name, in PATH_MAX bytes; -1 (ENAMETOOLONG) if it does not fit. */
int safeio_path(char *out, const char *dir, const char *name);
#endif
