/* entrustctl — the operator's console 运维控制台.
 *   entrustctl [-c CONF] status [--json]
 *   entrustctl [-c CONF] show agreement NUMBER [--json]
 *   entrustctl [-c CONF] show letter NUMBER [--json]
 * Exit codes: 0 ok, 1 not found, 2 usage, 3 configuration or store error. */
#include "conf.h"
#include "entrust.h"
#include "json.h"
#include "safeio.h"
#include "spool.h"
#include "store.h"
#include "xmem.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

enum { EXIT_NOTFOUND = 1, EXIT_USAGE = 2, EXIT_STORE = 3 };

struct ctl {
	struct conf	conf;
	int		as_json;
	struct buf	out;
};

static void usage(void)
{
	fprintf(stderr,
	    "usage 用法: entrustctl [-c CONF] COMMAND [--json]\n"
	    "  status                     spool counts, daemon state, last errors 投递目录状态与最近错误\n"
	    "  show agreement NUMBER      one agreement from the store 查看委托协议\n"
	    "  show letter NUMBER         one letter and its agreements 查看委托书\n"
	    "exit: 0 ok, 1 not found 未找到, 2 usage 用法错误, 3 config/store error 配置或数据库错误\n");
	exit(EXIT_USAGE);
}

/* Files in dir (and, with depth > 0, its subfolders), not counting dot files or .reason. */
static long count_files(const char *dir, int depth)
{
	char path[PATH_MAX];
	struct dirent *d;
	struct stat st;
	long n = 0;
	DIR *dp;

	if ((dp = opendir(dir)) == NULL)
		return 0;
	while ((d = readdir(dp)) != NULL) {
		size_t len = strlen(d->d_name);

		if (d->d_name[0] == '.' || (len > 7 && strcmp(d->d_name + len - 7, ".reason") == 0))
			continue;
		if (safeio_path(path, dir, d->d_name) < 0 || lstat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			n += depth > 0 ? count_files(path, depth - 1) : 0;
		else
			n++;
	}
	closedir(dp);
	return n;
}

static const char *daemon_state(const struct conf *c)
{
	char path[PATH_MAX];
	int fd, busy;

	if (safeio_path(path, c->store_dir, "entrustd.lock") < 0
	    || (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return "stopped";
	busy = flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(fd);
	return busy ? "running" : "stopped";
}

struct reason_file {
	char		name[SPOOL_WORK_MAX + 8];
	struct timespec	mtime;
};

static int reason_newer(const void *a, const void *b)
{
	const struct timespec *x = &((const struct reason_file *)a)->mtime;
	const struct timespec *y = &((const struct reason_file *)b)->mtime;

	if (x->tv_sec != y->tv_sec)
		return x->tv_sec < y->tv_sec ? 1 : -1;
	return (y->tv_nsec > x->tv_nsec) - (y->tv_nsec < x->tv_nsec);
}

/* The newest .reason files in error/, newest first; returns how many (≤ max). */
static int last_reasons(const char *dir, struct reason_file *out, int max)
{
	struct reason_file *all = NULL;
	char path[PATH_MAX];
	struct dirent *d;
	struct stat st;
	int n = 0, i;
	DIR *dp;

	if ((dp = opendir(dir)) == NULL)
		return 0;
	while ((d = readdir(dp)) != NULL) {
		size_t len = strlen(d->d_name);

		if (d->d_name[0] == '.' || len <= 7 || len >= sizeof(all->name)
		    || strcmp(d->d_name + len - 7, ".reason") != 0)
			continue;
		if (safeio_path(path, dir, d->d_name) < 0 || stat(path, &st) < 0)
			continue;
		all = xrealloc(all, (size_t)(n + 1) * sizeof(*all));
		strlcopy(all[n].name, d->d_name, sizeof(all[n].name));
		all[n++].mtime = st.st_mtim;
	}
	closedir(dp);
	qsort(all, (size_t)n, sizeof(*all), reason_newer);
	for (i = 0; i < n && i < max; i++)
		out[i] = all[i];
	free(all);
	return i;
}

/* The value of "key: value" in a reason file. */
static void reason_field(const char *dir, const char *name, const char *key, char *out, size_t n)
{
	char path[PATH_MAX], line[1024];
	size_t klen = strlen(key);
	FILE *fp;

	out[0] = '\0';
	if (safeio_path(path, dir, name) < 0 || (fp = fopen(path, "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), fp))
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			line[strcspn(line, "\n")] = '\0';
			strlcopy(out, line + klen + 2, n);
			break;
		}
	fclose(fp);
}

static int cmd_status(struct ctl *c)
{
	static const char *folders[] = {"inbound", "work", "archive", "error", "outbound"};
	struct reason_file last[5];
	char dir[PATH_MAX], errdir[PATH_MAX], code[64], en[512], zh[512], file[SPOOL_WORK_MAX + 8];
	struct json j;
	int i, n;

	n = safeio_path(errdir, c->conf.spool_dir, "error") < 0 ? 0 : last_reasons(errdir, last, 5);
	json_init(&j, &c->out);
	if (c->as_json) {
		json_open(&j, '{');
		json_key(&j, "folders");
		json_open(&j, '{');
	} else
		buf_printf(&c->out, "daemon 守护进程: %s\nfolders 目录:\n", daemon_state(&c->conf));
	for (i = 0; i < 5; i++) {
		if (safeio_path(dir, c->conf.spool_dir, folders[i]) < 0)
			dir[0] = '\0';
		if (c->as_json)
			json_kint(&j, folders[i], count_files(dir, 2));
		else
			buf_printf(&c->out, "  %-9s %ld\n", folders[i], count_files(dir, 2));
	}
	if (c->as_json) {
		json_close(&j, '}');
		json_kstr(&j, "daemon", daemon_state(&c->conf));
		json_key(&j, "last_errors");
		json_open(&j, '[');
	} else if (n > 0)
		buf_printf(&c->out, "last errors 最近错误:\n");
	for (i = 0; i < n; i++) {
		strlcopy(file, last[i].name, sizeof(file));
		file[strlen(file) - 7] = '\0';
		reason_field(errdir, last[i].name, "code", code, sizeof(code));
		reason_field(errdir, last[i].name, "en", en, sizeof(en));
		reason_field(errdir, last[i].name, "zh", zh, sizeof(zh));
		if (!c->as_json) {
			buf_printf(&c->out, "  %s  %s  %s / %s\n", file, code, zh, en);
			continue;
		}
		json_open(&j, '{');
		json_kstr(&j, "file", file);
		json_kstr(&j, "code", code);
		json_kstr(&j, "en", en);
		json_kstr(&j, "zh", zh);
		json_close(&j, '}');
	}
	if (c->as_json) {
		json_close(&j, ']');
		json_close(&j, '}');
		buf_adds(&c->out, "\n");
	}
	return 0;
}

/* One text field, as a JSON member or an aligned "label 标签: value" line. */
static void field(struct ctl *c, struct json *j, const char *key, const char *label, const char *v)
{
	if (c->as_json)
		json_kstr(j, key, v);
	else if (v[0])
		buf_printf(&c->out, "%-20s %s\n", label, v);
}

static void agreement_print(struct ctl *c, const struct agreement *a)
{
	struct json j;

	json_init(&j, &c->out);
	if (c->as_json) {
		json_open(&j, '{');
		json_kstr(&j, "number", a->number);
		json_kint(&j, "status", a->status);
	} else
		buf_printf(&c->out, "%-20s %s\n%-20s %d %s %s\n", "协议编号 number", a->number,
		    "状态 status", (int)a->status, agreement_status_zh((int)a->status),
		    agreement_status_en((int)a->status));
	field(c, &j, "letter", "委托书 letter", a->letter);
	field(c, &j, "status_name", "", c->as_json ? agreement_status_zh((int)a->status) : "");
	field(c, &j, "consignor", "委托方 consignor", a->consignor);
	field(c, &j, "broker", "被委托方 broker", a->broker);
	field(c, &j, "initiator", "发起方 initiator", a->initiator);
	field(c, &j, "payer", "付款方 payer", a->payer);
	field(c, &j, "goods_name", "主要货物名称 goods", a->goods_name);
	field(c, &j, "hs_code", "HS编码 HS code", a->hs_code);
	field(c, &j, "total_value", "货物总价 value", a->total_value);
	field(c, &j, "currency", "币制 currency", a->currency);
	field(c, &j, "quantity", "数量 quantity", a->quantity);
	field(c, &j, "unit", "单位 unit", a->unit);
	field(c, &j, "direction", "进出口 direction", a->direction);
	field(c, &j, "date", "进/出口日期 date", a->date);
	field(c, &j, "bill_of_lading", "提(运)单号 B/L", a->bill_of_lading);
	field(c, &j, "trade_mode", "贸易方式 trade mode", a->trade_mode);
	field(c, &j, "origin", "原产地/货源地 origin", a->origin);
	field(c, &j, "other_requirements", "其他要求 other", a->other_requirements);
	field(c, &j, "message_id", "报文编号 message", a->message_id);
	if (c->as_json) {
		json_close(&j, '}');
		buf_adds(&c->out, "\n");
	}
}

struct letter_list {
	char	(*numbers)[15];
	int	n;
};

static int collect_agreement(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct letter_list *l = arg;
	const char *bar = memchr(key, '|', klen);
	size_t n = bar ? klen - (size_t)(bar + 1 - (const char *)key) : 0;

	(void)val;
	(void)vlen;
	if (n == 0 || n >= sizeof(l->numbers[0]))
		return 0;
	l->numbers = xrealloc(l->numbers, (size_t)(l->n + 1) * sizeof(l->numbers[0]));
	memcpy(l->numbers[l->n], bar + 1, n);
	l->numbers[l->n++][n] = '\0';
	return 0;
}

static void letter_print(struct ctl *c, const struct letter *l, const struct letter_list *list)
{
	struct json j;
	int i;

	json_init(&j, &c->out);
	if (c->as_json) {
		json_open(&j, '{');
		json_kstr(&j, "number", l->number);
		json_kint(&j, "validity_months", l->validity_months);
		json_key(&j, "auto_confirm");
		buf_adds(&c->out, l->auto_confirm ? "true" : "false");
		j.count[j.depth] = 1;
	} else
		buf_printf(&c->out, "%-20s %s\n%-20s %d\n%-20s %s\n", "委托书编号 letter", l->number,
		    "有效期(月) validity", (int)l->validity_months, "自动确认 auto-confirm",
		    l->auto_confirm ? "是 yes" : "否 no");
	field(c, &j, "status", "状态 status", letter_status_name((int)l->status));
	field(c, &j, "consignor", "委托方 consignor", l->consignor.code);
	field(c, &j, "broker", "被委托方 broker", l->broker.code);
	field(c, &j, "initiator", "发起方 initiator", l->initiator);
	field(c, &j, "mode", "委托方式 mode", l->mode);
	field(c, &j, "matters", "委托事项 matters", l->matters);
	if (c->as_json) {
		json_key(&j, "agreements");
		json_open(&j, '[');
	} else
		buf_printf(&c->out, "%-20s", "委托协议 agreements");
	for (i = 0; i < list->n; i++) {
		if (c->as_json)
			json_str(&j, list->numbers[i]);
		else
			buf_printf(&c->out, " %s", list->numbers[i]);
	}
	if (c->as_json) {
		json_close(&j, ']');
		json_close(&j, '}');
	}
	buf_adds(&c->out, "\n");
}

static int cmd_show(struct ctl *c, const char *what, const char *number)
{
	struct letter_list list = {NULL, 0};
	struct agreement a;
	struct letter l;
	struct store *s;
	char err[512], prefix[16];
	int rc;

	if ((s = store_open(c->conf.store_dir, err, sizeof(err))) == NULL) {
		fprintf(stderr, "entrustctl: %s\n", err);
		return EXIT_STORE;
	}
	if (strcmp(what, "agreement") == 0) {
		if ((rc = store_agreement_get(s, NULL, number, &a)) == 0)
			agreement_print(c, &a);
	} else {
		if ((rc = store_letter_get(s, NULL, number, &l)) == 0) {
			snprintf(prefix, sizeof(prefix), "%s|", number);
			rc = store_scan(s, NULL, SDB_BY_LETTER, prefix, strlen(prefix), collect_agreement, &list);
			if (rc == 0)
				letter_print(c, &l, &list);
			free(list.numbers);
		}
	}
	store_close(s);
	if (rc == 1)
		fprintf(stderr, "entrustctl: %s %s not found 未找到\n", what, number);
	return rc == 0 ? 0 : rc == 1 ? EXIT_NOTFOUND : EXIT_STORE;
}

int main(int argc, char **argv)
{
	const char *conf_path = "conf/entrustd.conf", *args[4];
	struct ctl c;
	char err[1024];
	int i, n = 0, rc;

	memset(&c, 0, sizeof(c));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			conf_path = argv[++i];
		else if (strcmp(argv[i], "--json") == 0)
			c.as_json = 1;
		else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0 || n == 4)
			usage();
		else
			args[n++] = argv[i];
	}
	if (conf_load(conf_path, &c.conf, err, sizeof(err)) < 0) {
		fprintf(stderr, "entrustctl: %s\n", err);
		return EXIT_STORE;
	}
	buf_init(&c.out);
	if (n == 1 && strcmp(args[0], "status") == 0)
		rc = cmd_status(&c);
	else if (n == 3 && strcmp(args[0], "show") == 0
	    && (strcmp(args[1], "agreement") == 0 || strcmp(args[1], "letter") == 0))
		rc = cmd_show(&c, args[1], args[2]);
	else
		usage();
	if (c.out.len)
		fwrite(c.out.data, 1, c.out.len, stdout);
	buf_free(&c.out);
	return rc;
}
