/* ctl_out — the console's shared context, output helpers and daemon lookup. */
#include "ctl_out.h"
#include "safeio.h"
#include "store.h"
#include "xmem.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

const char *ctl_opt(const struct ctl *c, const char *name)
{
	int i;

	for (i = 0; i < c->nopts; i++)
		if (strcmp(c->opts[i].name, name) == 0)
			return c->opts[i].value ? c->opts[i].value : "";
	return NULL;
}

int ctl_fail(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("entrustctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

struct store *ctl_store(struct ctl *c)
{
	char err[512];

	if (c->store == NULL && (c->store = store_open(c->conf.store_dir, c->conf.store_cache_mib, err, sizeof(err))) == NULL)
		ctl_fail(CTL_STORE, "%s", err);
	else
		store_set_log_archive(c->store, c->conf.store_log_archive);
	return c->store;
}

/* Columns s takes in a terminal: CJK characters (3- and 4-byte UTF-8) take two. */
static int ctl_columns(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	int w = 0;

	for (; *u; u++)
		if ((*u & 0xc0) != 0x80)
			w += *u >= 0xe0 ? 2 : 1;
	return w;
}

/* label, padded to 24 columns, then a space. */
static void ctl_label(struct ctl *c, const char *label)
{
	int w = ctl_columns(label);

	buf_adds(&c->out, label);
	for (; w < 25; w++)
		buf_adds(&c->out, " ");
}

void ctl_kv(struct ctl *c, const char *key, const char *label, const char *v)
{
	if (c->as_json)
		json_kstr(&c->j, key, v);
	else if (v[0]) {
		ctl_label(c, label);
		buf_printf(&c->out, "%s\n", v);
	}
}

void ctl_kint(struct ctl *c, const char *key, const char *label, int64_t v)
{
	if (c->as_json)
		json_kint(&c->j, key, v);
	else {
		ctl_label(c, label);
		buf_printf(&c->out, "%lld\n", (long long)v);
	}
}

void ctl_kbool(struct ctl *c, const char *key, const char *label, int v)
{
	if (c->as_json) {
		json_key(&c->j, key);
		buf_adds(&c->out, v ? "true" : "false");
		c->j.count[c->j.depth] = 1;	/* a value was written */
	} else {
		ctl_label(c, label);
		buf_adds(&c->out, v ? "是 yes\n" : "否 no\n");
	}
}

void ctl_time(char out[32], int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0) {
		strcpy(out, "-");
		return;
	}
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int ctl_parse_since(const char *s, time_t now, time_t *t)
{
	struct tm tm;
	char unit = 0, *end;
	long n;

	n = strtol(s, &end, 10);
	if (end != s && n >= 0 && end[0] && end[1] == '\0' && strchr("smhd", end[0])) {
		unit = end[0];
		*t = now - n * (unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : 86400);
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%d", &tm)) == NULL)
		return -1;
	if (*end == 'T' || *end == ' ') {
		if ((end = strptime(end + 1, "%H:%M", &tm)) == NULL)
			return -1;
		if (*end == ':' && (end = strptime(end + 1, "%S", &tm)) == NULL)
			return -1;
	}
	if (*end == 'Z')
		end++;
	if (*end != '\0')
		return -1;
	*t = timegm(&tm);
	return 0;
}

/* /proc/locks: "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF" — the pid
 * holding a lock on the inode of the lock file. */
pid_t ctl_daemon_pid(const struct conf *c)
{
	char path[PATH_MAX], line[256], kind[16], adv[16], mode[16], dev[64];
	unsigned long long ino;
	struct stat st;
	long pid, found = 0;
	FILE *fp;

	if (safeio_path(path, c->store_dir, "entrustd.lock") < 0 || stat(path, &st) < 0
	    || (fp = fopen("/proc/locks", "re")) == NULL)
		return 0;
	while (found == 0 && fgets(line, sizeof(line), fp))
		if (sscanf(line, "%*s %15s %15s %15s %ld %63[^:]:%*[^:]:%llu", kind, adv, mode, &pid,
		    dev, &ino) == 6 && strcmp(kind, "FLOCK") == 0 && ino == (unsigned long long)st.st_ino
		    && pid > 0)
			found = pid;
	fclose(fp);
	return (pid_t)found;
}

void ctl_dirname(char *out, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		strcpy(out, ".");
	else if (slash == path)
		strcpy(out, "/");
	else
		snprintf(out, PATH_MAX, "%.*s", (int)(slash - path), path);
}
