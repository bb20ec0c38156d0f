/* ctl_spool — status, errors and retry on the spool folders. */
#include "ctl_spool.h"
#include "entrust.h"
#include "safeio.h"
#include "spool.h"
#include "xmem.h"
#include <ctype.h>
#include <stddef.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int ctl_spool_is_reason(const char *name)
{
	const char *r = strstr(name, ".reason");
	const char *p;

	while (r && strstr(r + 1, ".reason"))
		r = strstr(r + 1, ".reason");
	if (r == NULL || r == name)
		return 0;
	if (r[7] == '\0')
		return 1;
	if (r[7] != '.' || r[8] == '\0')
		return 0;
	for (p = r + 8; *p; p++)
		if (!isdigit((unsigned char)*p))
			return 0;
	return 1;
}

struct folder_stat {
	long	files;
	time_t	oldest;		/* mtime of the oldest file; 0 if none */
};

/* Files in dir and, down to depth, its subfolders; dot files and reasons are not envelopes. */
static void folder_scan(const char *dir, int depth, struct folder_stat *fs)
{
	char path[PATH_MAX];
	struct dirent *d;
	struct stat st;
	DIR *dp;

	if ((dp = opendir(dir)) == NULL)
		return;
	while ((d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.' || ctl_spool_is_reason(d->d_name))
			continue;
		if (safeio_path(path, dir, d->d_name) < 0 || lstat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth > 0)
				folder_scan(path, depth - 1, fs);
			continue;
		}
		fs->files++;
		if (fs->oldest == 0 || st.st_mtime < fs->oldest)
			fs->oldest = st.st_mtime;
	}
	closedir(dp);
}

static const char *daemon_text(pid_t pid, char *buf, size_t n)
{
	if (pid == 0)
		return "stopped";
	snprintf(buf, n, "running (pid %ld)", (long)pid);
	return buf;
}

/* One parsed reason file ("key: value" lines, CONTRACT.md; a dead letter's adds
 * route, party and attempts). */
struct reason_info {
	char	code[64], rule[16], zh[512], en[512], detail[1024], time[40], signer[64], path[128];
	char	route[512], party[16], attempts[16];
};

static void reason_read(const char *dir, const char *name, struct reason_info *ri)
{
	static const struct { const char *key; size_t off, size; } keys[] = {
#define K(f) {#f, offsetof(struct reason_info, f), sizeof(((struct reason_info *)0)->f)}
		K(code), K(rule), K(zh), K(en), K(detail), K(time), K(signer), K(path),
		K(route), K(party), K(attempts),
#undef K
	};
	char path[PATH_MAX], line[2048];
	size_t i, k;
	FILE *fp;

	memset(ri, 0, sizeof(*ri));
	if (safeio_path(path, dir, name) < 0 || (fp = fopen(path, "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = '\0';
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			k = strlen(keys[i].key);
			if (strncmp(line, keys[i].key, k) == 0 && line[k] == ':' && line[k + 1] == ' ')
				strlcopy((char *)ri + keys[i].off, line + k + 2, keys[i].size);
		}
	}
	fclose(fp);
}

struct entry {
	char	name[SPOOL_WORK_MAX + 16];
	time_t	mtime;
};

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

/* Envelopes (not reasons, not dot files) in dir, sorted by name (names begin with a time id). */
static int list_envelopes(const char *dir, struct entry **out)
{
	struct entry *e = NULL;
	struct dirent *d;
	struct stat st;
	size_t cap = 0;
	int n = 0;
	DIR *dp;

	*out = NULL;
	if ((dp = opendir(dir)) == NULL)
		return 0;
	while ((d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.' || ctl_spool_is_reason(d->d_name)
		    || strlen(d->d_name) >= sizeof(e->name)
		    || fstatat(dirfd(dp), d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		e = xgrow(e, (size_t)n, &cap, sizeof(*e));
		strlcopy(e[n].name, d->d_name, sizeof(e[n].name));
		e[n++].mtime = st.st_mtime;
	}
	closedir(dp);
	if (n > 1)	/* qsort of NULL, even for 0 items, is undefined */
		qsort(e, (size_t)n, sizeof(*e), entry_cmp);
	*out = e;
	return n;
}

/* The reasons retry kept ("<ID>_ORIG.reason.N") for one original name. */
static int history_count(const char *dir, const char *original)
{
	char name[SPOOL_WORK_MAX + 32];
	struct dirent *d;
	char *r;
	int n = 0;
	DIR *dp;

	if ((dp = opendir(dir)) == NULL)
		return 0;
	while ((d = readdir(dp)) != NULL) {
		if (!ctl_spool_is_reason(d->d_name) || strlcopy(name, d->d_name, sizeof(name)) < 0
		    || (r = strstr(name, ".reason.")) == NULL)
			continue;
		*r = '\0';
		n += strcmp(spool_original_name(name), original) == 0;
	}
	closedir(dp);
	return n;
}

/* A delivery dead letter: dead/<party>/<name> (or a file directly in dead/, party ""). */
struct dead_letter {
	char	party[11];
	char	name[SPOOL_WORK_MAX + 16];
	time_t	mtime;
};

static int dead_newest_first(const void *a, const void *b)
{
	const struct dead_letter *x = a, *y = b;

	if (x->mtime != y->mtime)
		return x->mtime > y->mtime ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The envelopes of dir as dead letters of party, appended to *v. */
static void dead_add(const char *dir, const char *party, struct dead_letter **v, int *n)
{
	struct entry *e;
	int k, i;

	k = list_envelopes(dir, &e);
	*v = xrealloc(*v, (size_t)(*n + k) * sizeof(**v));
	for (i = 0; i < k; i++) {
		strlcopy((*v)[*n].party, party, sizeof((*v)[*n].party));
		strlcopy((*v)[*n].name, e[i].name, sizeof((*v)[*n].name));
		(*v)[(*n)++].mtime = e[i].mtime;
	}
	free(e);
}

/* Every dead letter under deaddir, newest first. */
static int dead_list(const char *deaddir, struct dead_letter **out)
{
	char sub[PATH_MAX];
	struct dirent *d;
	int n = 0;
	DIR *dp;

	*out = NULL;
	dead_add(deaddir, "", out, &n);
	if ((dp = opendir(deaddir)) == NULL)
		return n;
	while ((d = readdir(dp)) != NULL)
		if (customs_code_ok(d->d_name) && safeio_path(sub, deaddir, d->d_name) == 0)
			dead_add(sub, d->d_name, out, &n);
	closedir(dp);
	if (n > 1)
		qsort(*out, (size_t)n, sizeof(**out), dead_newest_first);
	return n;
}

/* The folder holding dl and its name as `retry` takes it (CODE/NAME, or NAME). */
static void dead_where(const char *deaddir, const struct dead_letter *dl, char *dir, char *arg, size_t n)
{
	if (dl->party[0] == '\0' || safeio_path(dir, deaddir, dl->party) < 0)
		strlcopy(dir, deaddir, PATH_MAX);
	snprintf(arg, n, "%s%s%s", dl->party, dl->party[0] ? "/" : "", dl->name);
}

/* One dead letter with its last error (NAME.reason), as text or a JSON object. */
static void dead_one(struct ctl *c, const char *deaddir, const struct dead_letter *dl, int with_history)
{
	char dir[PATH_MAX], arg[SPOOL_WORK_MAX + 32], rname[SPOOL_WORK_MAX + 24];
	struct reason_info ri;

	dead_where(deaddir, dl, dir, arg, sizeof(arg));
	snprintf(rname, sizeof(rname), "%s.reason", dl->name);
	reason_read(dir, rname, &ri);
	if (!c->as_json) {
		buf_printf(&c->out, "  %s  %s  attempts 尝试 %s  time 时间 %s\n    last error 最后错误: %s\n", arg,
		    ri.code[0] ? ri.code : "(no reason 无原因文件)", ri.attempts[0] ? ri.attempts : "-", ri.time[0] ? ri.time : "-",
		    ri.detail[0] ? ri.detail : ri.en);
		if (with_history)
			buf_printf(&c->out, "    route 路由: %s  earlier tries 历史: %d\n", ri.route[0] ? ri.route : "-",
			    history_count(dir, dl->name));
		return;
	}
	json_open(&c->j, '{');
	json_kstr(&c->j, "kind", "dead_letter");
	json_kstr(&c->j, "file", arg);
	json_kstr(&c->j, "party", dl->party);
	json_kstr(&c->j, "code", ri.code);
	json_kstr(&c->j, "zh", ri.zh);
	json_kstr(&c->j, "en", ri.en);
	json_kstr(&c->j, "detail", ri.detail);
	json_kstr(&c->j, "route", ri.route);
	json_kint(&c->j, "attempts", atol(ri.attempts));
	json_kstr(&c->j, "time", ri.time);
	if (with_history)
		json_kint(&c->j, "history", history_count(dir, dl->name));
	json_close(&c->j, '}');
}

static void status_folders(struct ctl *c, const char *const *folders, int nf, time_t now)
{
	struct folder_stat fs[8];
	char dir[PATH_MAX], age[32];
	int i;

	for (i = 0; i < nf; i++) {
		memset(&fs[i], 0, sizeof(fs[i]));
		if (safeio_path(dir, c->conf.spool_dir, folders[i]) == 0)
			folder_scan(dir, 2, &fs[i]);
	}
	if (c->as_json) {
		json_key(&c->j, "folders");
		json_open(&c->j, '{');
		for (i = 0; i < nf; i++)
			json_kint(&c->j, folders[i], fs[i].files);
		json_close(&c->j, '}');
		json_key(&c->j, "oldest_age_s");
		json_open(&c->j, '{');
		for (i = 0; i < nf; i++)
			json_kint(&c->j, folders[i], fs[i].oldest ? (int64_t)(now - fs[i].oldest) : 0);
		json_close(&c->j, '}');
		return;
	}
	buf_printf(&c->out, "%-24s %8s  %s\n", "folder 目录", "files 数", "oldest 最早 (s)");
	for (i = 0; i < nf; i++) {
		snprintf(age, sizeof(age), "%lld", (long long)(now - fs[i].oldest));
		buf_printf(&c->out, "  %-22s %8ld  %s\n", folders[i], fs[i].files, fs[i].oldest ? age : "-");
	}
}

static void status_last_errors(struct ctl *c, const char *errdir)
{
	struct reason_info ri;
	struct entry *e;
	char rname[SPOOL_WORK_MAX + 24];
	int n, i, shown = 0;

	n = list_envelopes(errdir, &e);
	if (c->as_json) {
		json_key(&c->j, "last_errors");
		json_open(&c->j, '[');
	} else if (n > 0)
		buf_printf(&c->out, "last errors 最近错误:\n");
	for (i = n - 1; i >= 0 && shown < 5; i--, shown++) {
		snprintf(rname, sizeof(rname), "%s.reason", e[i].name);
		reason_read(errdir, rname, &ri);
		if (!c->as_json) {
			buf_printf(&c->out, "  %s  %s  %s / %s\n", e[i].name, ri.code, ri.zh, ri.en);
			continue;
		}
		json_open(&c->j, '{');
		json_kstr(&c->j, "file", e[i].name);
		json_kstr(&c->j, "code", ri.code);
		json_kstr(&c->j, "en", ri.en);
		json_kstr(&c->j, "zh", ri.zh);
		json_close(&c->j, '}');
	}
	if (c->as_json)
		json_close(&c->j, ']');
	free(e);
}

/* The newest dead letters (at most five) with their last errors; the count first. */
static void status_dead(struct ctl *c, const char *deaddir, int has_dead)
{
	struct dead_letter *dl;
	int n = has_dead ? dead_list(deaddir, &dl) : 0, i;

	if (!has_dead)
		dl = NULL;
	if (c->as_json) {
		json_kint(&c->j, "dead_letters", n);
		json_key(&c->j, "dead");
		json_open(&c->j, '[');
	} else
		buf_printf(&c->out, "dead letters 投递死信: %d%s%s\n", n, has_dead ? "" : " (no dead/ folder 无死信目录)",
		    n > 5 ? " (newest five 最新5个)" : "");
	for (i = 0; i < n && i < 5; i++)
		dead_one(c, deaddir, &dl[i], 0);
	if (c->as_json)
		json_close(&c->j, ']');
	free(dl);
}

int ctl_status(struct ctl *c)
{
	static const char *const folders[] = {"inbound", "work", "archive", "error", "outbound", "dead"};
	char dir[PATH_MAX], errdir[PATH_MAX], text[64];
	struct stat st;
	pid_t pid = ctl_daemon_pid(&c->conf);
	int has_dead;

	has_dead = safeio_path(dir, c->conf.spool_dir, "dead") == 0 && stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
	if (c->as_json) {
		json_open(&c->j, '{');
		json_kstr(&c->j, "daemon", pid ? "running" : "stopped");
		json_kint(&c->j, "daemon_pid", pid);
	} else
		buf_printf(&c->out, "daemon 守护进程: %s\n", daemon_text(pid, text, sizeof(text)));
	status_folders(c, folders, has_dead ? 6 : 5, time(NULL));
	status_dead(c, dir, has_dead);
	if (safeio_path(errdir, c->conf.spool_dir, "error") == 0)
		status_last_errors(c, errdir);
	if (c->as_json) {
		json_close(&c->j, '}');
		buf_adds(&c->out, "\n");
	}
	return CTL_OK;
}

static void errors_one(struct ctl *c, const char *errdir, const struct entry *e)
{
	char rname[SPOOL_WORK_MAX + 24];
	const char *orig = spool_original_name(e->name);
	struct reason_info ri;
	int hist = history_count(errdir, orig);

	snprintf(rname, sizeof(rname), "%s.reason", e->name);
	reason_read(errdir, rname, &ri);
	if (!c->as_json) {
		buf_printf(&c->out, "%s\n  %s%s%s%s  %s / %s\n", e->name, ri.code[0] ? ri.code : "(no reason 无原因文件)",
		    ri.rule[0] ? " (" : "", ri.rule, ri.rule[0] ? ")" : "", ri.zh, ri.en);
		if (ri.detail[0])
			buf_printf(&c->out, "  detail 详情: %s\n", ri.detail);
		buf_printf(&c->out, "  time 时间: %s%s%s  earlier tries 历史: %d\n", ri.time,
		    ri.signer[0] ? "  signer 签名方: " : "", ri.signer, hist);
		return;
	}
	json_open(&c->j, '{');
	json_kstr(&c->j, "kind", "refused");
	json_kstr(&c->j, "file", e->name);
	json_kstr(&c->j, "original", orig);
	json_kstr(&c->j, "code", ri.code);
	json_kstr(&c->j, "rule", ri.rule);
	json_kstr(&c->j, "zh", ri.zh);
	json_kstr(&c->j, "en", ri.en);
	json_kstr(&c->j, "detail", ri.detail);
	json_kstr(&c->j, "path", ri.path);
	json_kstr(&c->j, "time", ri.time);
	json_kstr(&c->j, "signer", ri.signer);
	json_kint(&c->j, "history", hist);
	json_close(&c->j, '}');
}

/* The delivery dead letters after the refused files, marked as such (投递死信). */
static int errors_dead(struct ctl *c)
{
	struct dead_letter *dl;
	char deaddir[PATH_MAX];
	int n, i;

	if (safeio_path(deaddir, c->conf.spool_dir, "dead") < 0)
		return 0;
	n = dead_list(deaddir, &dl);
	if (n > 0 && !c->as_json)
		buf_printf(&c->out, "delivery dead letters 投递死信 (spool/dead/; after the fix: entrustctl retry CODE/NAME"
		    " 修复后重新投递):\n");
	for (i = n - 1; i >= 0; i--)	/* oldest first, like the refused files */
		dead_one(c, deaddir, &dl[i], 1);
	free(dl);
	return n;
}

int ctl_errors(struct ctl *c)
{
	char errdir[PATH_MAX];
	struct entry *e;
	int n, i, dead;

	if (safeio_path(errdir, c->conf.spool_dir, "error") < 0)
		return ctl_fail(CTL_STORE, "spool_dir too long");
	n = list_envelopes(errdir, &e);
	if (c->as_json)
		json_open(&c->j, '[');
	else if (n > 0)
		buf_printf(&c->out, "refused files 被拒文件 (spool/error/):\n");
	for (i = 0; i < n; i++)
		errors_one(c, errdir, &e[i]);
	dead = errors_dead(c);
	if (c->as_json) {
		json_close(&c->j, ']');
		buf_adds(&c->out, "\n");
	} else if (n == 0 && dead == 0)
		buf_printf(&c->out, "no refused files, no dead letters 无被拒文件，无投递死信\n");
	free(e);
	return CTL_OK;
}

/* rename(2) that never replaces, then fsync both folders. */
static int move_noreplace(const char *from_dir, const char *from, const char *to_dir, const char *to)
{
	int a, b, rc = -1;

	if ((a = open(from_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	if ((b = open(to_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		if (renameat2(a, from, b, to, RENAME_NOREPLACE) == 0 && fsync(b) == 0 && fsync(a) == 0)
			rc = 0;
		close(b);
	}
	close(a);
	return rc;
}

/* Keep error/NAME.reason as the first free NAME.reason.N; hist receives that name. */
static int retry_keep_reason(const char *dir, const char *name, char *hist, size_t n)
{
	char reason[SPOOL_WORK_MAX + 24], path[PATH_MAX];
	int i;

	hist[0] = '\0';
	snprintf(reason, sizeof(reason), "%s.reason", name);
	if (safeio_path(path, dir, reason) < 0 || access(path, F_OK) < 0)
		return 0;	/* nothing to keep (a dead letter, or written by hand) */
	for (i = 1; i < 1000; i++) {
		if (snprintf(hist, n, "%s.%d", reason, i) >= (int)n) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (move_noreplace(dir, reason, dir, hist) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

/* Which folder (error/ or dead/) holds name; 0 or -1. */
static int retry_find(const struct ctl *c, const char *name, char *dir, const char **from)
{
	static const char *const where[] = {"error", "dead"};
	char path[PATH_MAX];
	struct stat st;
	int i;

	for (i = 0; i < 2; i++)
		if (safeio_path(dir, c->conf.spool_dir, where[i]) == 0 && safeio_path(path, dir, name) == 0
		    && lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			*from = where[i];
			return 0;
		}
	return -1;
}

/* A delivery dead letter, given as CODE/NAME (dead/CODE/NAME, left by a route that kept
 * failing): back into outbound/CODE/, where the route sends it again with fresh attempts at
 * the daemon's next rescan; its reason is kept as dead/CODE/NAME.reason.N. */
static int retry_dead_letter(struct ctl *c, const char *arg)
{
	const char *slash = strchr(arg, '/'), *name = slash + 1;
	char code[11], dead[PATH_MAX], dir[PATH_MAX], outbound[PATH_MAX], out[PATH_MAX], path[PATH_MAX];
	char hist[SPOOL_WORK_MAX + 32];
	struct stat st;
	int i, ok = slash - arg == 10;

	for (i = 0; ok && i < 10; i++)
		ok = (arg[i] >= '0' && arg[i] <= '9') || (arg[i] >= 'A' && arg[i] <= 'Z');
	if (!ok || strchr(name, '/') || !spool_name_ok(name) || ctl_spool_is_reason(name))
		return ctl_fail(CTL_USAGE, "%s: give a delivery dead letter as CODE/NAME, as under spool/dead/ "
		    "请按 编码/文件名 给出死信", arg);
	memcpy(code, arg, 10);
	code[10] = '\0';
	if (safeio_path(dead, c->conf.spool_dir, "dead") < 0 || safeio_path(dir, dead, code) < 0
	    || safeio_path(path, dir, name) < 0 || safeio_path(outbound, c->conf.spool_dir, "outbound") < 0
	    || safeio_path(out, outbound, code) < 0)
		return ctl_fail(CTL_STORE, "spool_dir too long");
	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return ctl_fail(CTL_NOTFOUND, "dead/%s not found 未找到", arg);
	if (safeio_path(path, out, name) < 0)
		return ctl_fail(CTL_STORE, "spool_dir too long");
	if (access(path, F_OK) == 0)
		return ctl_fail(CTL_USAGE, "outbound/%s exists already 已存在同名文件", arg);
	if (safeio_mkdirs(out, 0750) < 0)
		return ctl_fail(CTL_STORE, "outbound/%s: %s", code, strerror(errno));
	if (retry_keep_reason(dir, name, hist, sizeof(hist)) < 0)
		return ctl_fail(CTL_STORE, "dead/%s.reason: cannot keep 无法保留原因文件: %s", arg, strerror(errno));
	if (move_noreplace(dir, name, out, name) < 0)
		return ctl_fail(CTL_STORE, "dead/%s → outbound/%s: %s", arg, arg, strerror(errno));
	if (c->as_json) {
		json_open(&c->j, '{');
		json_kstr(&c->j, "file", arg);
		json_kstr(&c->j, "from", "dead");
		json_kstr(&c->j, "outbound", arg);
		json_kstr(&c->j, "history", hist);
		json_close(&c->j, '}');
		buf_adds(&c->out, "\n");
	} else
		buf_printf(&c->out, "retried 已重新投递: dead/%s → outbound/%s (sent again at the next rescan 下次扫描时重发)%s%s\n",
		    arg, arg, hist[0] ? "; reason kept as 原因保留为 " : "", hist);
	return CTL_OK;
}

int ctl_retry(struct ctl *c)
{
	const char *name = c->args[0], *orig = spool_original_name(name), *from = "";
	char dir[PATH_MAX], inbound[PATH_MAX], path[PATH_MAX], hist[SPOOL_WORK_MAX + 32];

	if (name[0] != '.' && strchr(name, '/') != NULL)
		return retry_dead_letter(c, name);
	if (strchr(name, '/') || name[0] == '.' || ctl_spool_is_reason(name))
		return ctl_fail(CTL_USAGE, "%s: give the file name as listed by `entrustctl errors` 请给出文件名", name);
	if (!spool_name_ok(orig))
		return ctl_fail(CTL_USAGE, "%s: the daemon would not take this name 文件名不合规则", orig);
	if (retry_find(c, name, dir, &from) < 0)
		return ctl_fail(CTL_NOTFOUND, "%s not in error/ nor dead/ 未找到", name);
	if (safeio_path(inbound, c->conf.spool_dir, "inbound") < 0 || safeio_path(path, inbound, orig) < 0)
		return ctl_fail(CTL_STORE, "spool_dir too long");
	if (access(path, F_OK) == 0)
		return ctl_fail(CTL_USAGE, "inbound/%s exists already 已存在同名文件", orig);
	if (retry_keep_reason(dir, name, hist, sizeof(hist)) < 0)
		return ctl_fail(CTL_STORE, "%s/%s.reason: cannot keep 无法保留原因文件: %s", from, name, strerror(errno));
	if (move_noreplace(dir, name, inbound, orig) < 0)
		return ctl_fail(CTL_STORE, "%s/%s → inbound/%s: %s", from, name, orig, strerror(errno));
	if (c->as_json) {
		json_open(&c->j, '{');
		json_kstr(&c->j, "file", name);
		json_kstr(&c->j, "from", from);
		json_kstr(&c->j, "inbound", orig);
		json_kstr(&c->j, "history", hist);
		json_close(&c->j, '}');
		buf_adds(&c->out, "\n");
	} else
		buf_printf(&c->out, "retried 已重新投递: %s/%s → inbound/%s%s%s\n", from, name, orig,
		    hist[0] ? "; reason kept as 原因保留为 " : "", hist);
	return CTL_OK;
}
