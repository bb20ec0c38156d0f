/* ctl_store — backup, verify and checkpoint (with log archiving) through the store module. */
#include "ctl_store.h"
#include "store.h"
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static long files_in(const char *dir)
{
	struct dirent *d;
	long n = 0;
	DIR *dp;

	if ((dp = opendir(dir)) == NULL)
		return 0;
	while ((d = readdir(dp)) != NULL)
		n += d->d_name[0] != '.';
	closedir(dp);
	return n;
}

/* Whether a and b name the same existing folder, however spelled ("db/", "x/../db"). */
static int same_folder(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static void result(struct ctl *c, const char *verb, const char *dir, const char *key, long n,
    const char *text)
{
	if (c->as_json) {
		json_open(&c->j, '{');
		json_kstr(&c->j, verb, "ok");
		json_kstr(&c->j, "dir", dir);
		if (key)
			json_kint(&c->j, key, n);
		json_close(&c->j, '}');
		buf_adds(&c->out, "\n");
	} else
		buf_printf(&c->out, "%s %s: %s", verb, dir, text);
}

int ctl_backup(struct ctl *c)
{
	char text[256];
	struct store *s;

	/* the backup empties DIR first (DB_BACKUP_CLEAN): the store's own logs would go */
	if (strcmp(c->args[0], c->conf.store_dir) == 0 || same_folder(c->args[0], c->conf.store_dir))
		return ctl_fail(CTL_USAGE, "backup DIR must not be the store itself 备份目录不能是数据库目录");
	if ((s = ctl_store(c)) == NULL)
		return CTL_STORE;
	if (store_backup(s, c->args[0]) < 0)
		return ctl_fail(CTL_STORE, "%s: backup failed 备份失败 (see the log 见日志)", c->args[0]);
	snprintf(text, sizeof(text), "ok 备份完成, %ld files; restore 恢复: db_recover -c -h %s\n",
	    files_in(c->args[0]), c->args[0]);
	result(c, "backup", c->args[0], "files", files_in(c->args[0]), text);
	return CTL_OK;
}

int ctl_verify(struct ctl *c)
{
	const char *dir = c->nargs ? c->args[0] : c->conf.store_dir;
	char err[512];

	if (store_verify(dir, err, sizeof(err)) < 0) {
		if (c->as_json) {
			json_open(&c->j, '{');
			json_kstr(&c->j, "verify", "failed");
			json_kstr(&c->j, "dir", dir);
			json_kstr(&c->j, "error", err);
			json_close(&c->j, '}');
			buf_adds(&c->out, "\n");
		}
		return ctl_fail(CTL_STORE, "%s: verify failed 校验失败: %s", dir, err);
	}
	result(c, "verify", dir, NULL, 0, "ok 校验通过\n");
	return CTL_OK;
}

int ctl_checkpoint(struct ctl *c)
{
	const char *archive = ctl_opt(c, "archive") ? ctl_opt(c, "archive") : c->conf.store_log_archive;
	char text[PATH_MAX + 160];
	struct store *s;
	int removed = 0;

	if (archive[0] == '\0' && ctl_opt(c, "archive"))
		return ctl_fail(CTL_USAGE, "--archive DIR: a folder 需要归档目录");
	if ((s = ctl_store(c)) == NULL)
		return CTL_STORE;
	store_set_log_archive(s, archive);
	if (store_archive_logs(s, &removed) < 0)
		return ctl_fail(CTL_STORE, "checkpoint or log archive failed 检查点或日志归档失败 (see the log 见日志)");
	if (c->as_json) {
		json_open(&c->j, '{');
		json_kstr(&c->j, "checkpoint", "ok");
		json_kstr(&c->j, "dir", c->conf.store_dir);
		json_kint(&c->j, "logs_removed", removed);	/* out of the store: archived or deleted */
		json_kint(&c->j, "logs_archived", archive[0] ? removed : 0);
		json_kstr(&c->j, "archive", archive);
		json_close(&c->j, '}');
		buf_adds(&c->out, "\n");
		return CTL_OK;
	}
	if (archive[0])
		snprintf(text, sizeof(text), "ok 完成, %d old log file(s) moved to %s 已归档旧日志文件\n", removed, archive);
	else
		snprintf(text, sizeof(text), "ok 完成, %d old log file(s) removed 已删除旧日志文件\n", removed);
	buf_printf(&c->out, "checkpoint %s: %s", c->conf.store_dir, text);
	return CTL_OK;
}
