/* spool — the folders envelopes move through, and the moves themselves.
 *   inbound/ → (claim: one rename) → work/<ID>_<name> → archive/<yyyymmdd>/ or error/
 * Only names that spool_name_ok accepts are taken; a file is taken once it
 * has been unchanged for the settle time and no process has it open for
 * writing any more (safeio_writers; where that cannot be told, the settle
 * time alone decides).  Every move is one rename with
 * RENAME_NOREPLACE; a move that a crash undoes loses nothing (the file is
 * still in its previous folder and is processed again, as a replay), so
 * folders are fsynced once per batch by spool_sync, not once per file.
 * Failure contract: functions return 0, or -1 with errno set; ENOENT on
 * claim means the file went away (another taker won) and is not an error
 * worth more than a warning. */
#ifndef SPOOL_H
#define SPOOL_H
#include <limits.h>
#include <stddef.h>
#include <time.h>

#define SPOOL_NAME_MAX 128
#define SPOOL_WORK_MAX (SPOOL_NAME_MAX + 24)

struct spool {
	char	root[PATH_MAX];
	char	inbound[PATH_MAX];
	char	work[PATH_MAX];
	char	archive[PATH_MAX];
	char	error[PATH_MAX];
	char	outbound[PATH_MAX];
	char	log[PATH_MAX];
};

struct spool_list {
	char	**names;
	size_t	  n, cap;
	size_t	  waiting;	/* spool_ready: valid names left for later (not settled, or still open) */
};

int spool_init(struct spool *s, const char *root);
int spool_name_ok(const char *name);
/* Names in inbound/ ready to claim (valid, settled), sorted. */
int spool_ready(const struct spool *s, long settle_ms, struct spool_list *out);
/* Names left in work/ (claimed, not finished), sorted. */
int spool_work(const struct spool *s, struct spool_list *out);
/* Append a copy of name to l. */
void spool_list_add(struct spool_list *l, const char *name);
void spool_list_free(struct spool_list *l);
/* Move inbound/name to work/<ID>_name; work_name receives "<ID>_name". */
int spool_claim(const struct spool *s, const char *name, char *work_name, size_t n);
int spool_archive(const struct spool *s, const char *work_name, time_t now);
/* Write error/<work_name>.reason (durably), then move the envelope to error/. */
int spool_reject(const struct spool *s, const char *work_name, const char *reason_text);
/* fsync the folders that archive and reject moves changed (work/, error/, today's archive/). */
int spool_sync(const struct spool *s, time_t now);
/* The original name and the ID part of a work name. */
const char *spool_original_name(const char *work_name);
void spool_work_id(const char *work_name, char *id, size_t n);
#endif
