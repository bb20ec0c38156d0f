/* conf — table-driven configuration file parser ("name = value" lines). */
#include "conf.h"
#include "store.h"
#include "xmem.h"
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum conf_type { CONF_PATH, CONF_CODE, CONF_LONG };

struct conf_param {
	const char	*name;
	enum conf_type	 type;
	size_t		 offset;
	size_t		 size;
	const char	*def;
	long		 min, max;
};

#define CONF_QUOTE(x) #x
#define CONF_TEXT(x) CONF_QUOTE(x)	/* a number's macro as the text of a default */
#define P(name, type, def, min, max) \
	{ #name, type, offsetof(struct conf, name), sizeof(((struct conf *)0)->name), def, min, max }

static const struct conf_param conf_params[] = {
	P(spool_dir, CONF_PATH, "spool", 0, 0),
	P(store_dir, CONF_PATH, "var/store", 0, 0),
	P(xsd_dir, CONF_PATH, "xsd", 0, 0),
	P(trust_ca, CONF_PATH, "conf/pki/ca.pem", 0, 0),
	P(crl_file, CONF_PATH, "", 0, 0),
	P(hub_cert, CONF_PATH, "conf/pki/hub.pem", 0, 0),
	P(hub_key, CONF_PATH, "conf/pki/hub.key", 0, 0),
	P(registry, CONF_PATH, "conf/parties.conf", 0, 0),
	P(codes_dir, CONF_PATH, "conf/codes", 0, 0),
	P(routes, CONF_PATH, "", 0, 0),
	P(xslt_dir, CONF_PATH, "xslt", 0, 0),
	P(log_file, CONF_PATH, "", 0, 0),
	P(store_log_archive, CONF_PATH, "", 0, 0),
	P(hub_code, CONF_CODE, "ENTRUSTHUB", 0, 0),
	P(customs_code, CONF_CODE, "0100HG0001", 0, 0),
	P(settle_ms, CONF_LONG, "1000", 0, 3600000),
	P(rescan_s, CONF_LONG, "30", 1, 86400),
	P(max_envelope_bytes, CONF_LONG, "16777216", 1024, 1073741824),
	P(batch_envelopes, CONF_LONG, "256", 1, 4096),
	P(store_cache_mib, CONF_LONG, CONF_TEXT(STORE_CACHE_MIB), 4, 65536),
	P(signing_time_ahead_s, CONF_LONG, "3600", 0, 31536000),
	P(signing_time_behind_s, CONF_LONG, "2592000", 0, 315360000),
	P(registration_validity_days, CONF_LONG, "365", 1, 3650),
	P(registration_warn_days, CONF_LONG, "30", 0, 365),
	P(delivery_attempts, CONF_LONG, "8", 1, 100),
	P(delivery_backoff_s, CONF_LONG, "5", 1, 86400),
	P(delivery_parallel, CONF_LONG, "2", 1, 16),
};
#define CONF_NPARAMS (sizeof(conf_params) / sizeof(conf_params[0]))

static int conf_code_ok(const char *v)
{
	size_t i;

	for (i = 0; v[i]; i++)
		if (!isdigit((unsigned char)v[i]) && !(v[i] >= 'A' && v[i] <= 'Z'))
			return 0;
	return i == 10;
}

/* Store value v into the field p describes; returns NULL or why it is bad. */
static const char *conf_set(struct conf *c, const struct conf_param *p, const char *v)
{
	char *field = (char *)c + p->offset, *end;
	long n;

	switch (p->type) {
	case CONF_LONG:
		errno = 0;
		n = strtol(v, &end, 10);
		if (errno || end == v || *end != '\0')
			return "not a whole number 不是整数";
		if (n < p->min || n > p->max)
			return "out of range 超出取值范围";
		*(long *)field = n;
		return NULL;
	case CONF_CODE:
		if (!conf_code_ok(v))
			return "not a 10-character customs code [0-9A-Z]{10} 海关编码格式错误";
		break;
	case CONF_PATH:
		break;
	}
	if (strlcopy(field, v, p->size) < 0)
		return "value too long 取值过长";
	return NULL;
}

void conf_defaults(struct conf *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < CONF_NPARAMS; i++)
		if (conf_set(c, &conf_params[i], conf_params[i].def) != NULL)
			panic("conf: bad default for %s", conf_params[i].name);
}

static char *conf_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static const struct conf_param *conf_find(const char *name)
{
	size_t i;

	for (i = 0; i < CONF_NPARAMS; i++)
		if (strcmp(conf_params[i].name, name) == 0)
			return &conf_params[i];
	return NULL;
}

/* Parse one line; returns NULL or why it is bad. seen[] catches repeated names. */
static const char *conf_line(struct conf *c, char *line, unsigned char *seen)
{
	const struct conf_param *p;
	char *eq, *name, *value, *s;

	if ((s = strchr(line, '#')) != NULL)
		*s = '\0';
	line = conf_trim(line);
	if (*line == '\0')
		return NULL;
	if ((eq = strchr(line, '=')) == NULL)
		return "expected \"name = value\" 应为 名称 = 取值";
	*eq = '\0';
	name = conf_trim(line);
	value = conf_trim(eq + 1);	/* spaces and tabs around '=' are layout */
	for (s = name; *s; s++)
		if ((unsigned char)*s < 0x20)
			return "control character 含控制字符";
	for (s = value; *s; s++)
		if ((unsigned char)*s < 0x20)
			return "control character 含控制字符";
	if ((p = conf_find(name)) == NULL)
		return "unknown parameter 未知参数";
	if (seen[p - conf_params]++)
		return "parameter given twice 参数重复";
	if (*value == '\0' && p->type != CONF_PATH)
		return "empty value 取值为空";
	return conf_set(c, p, value);
}

/* The bad line as the operator wrote it, for the error: at most 80 bytes,
 * control characters shown as '?', the newline dropped. */
static void conf_shown(const char *line, char *out, size_t n)
{
	size_t i;

	for (i = 0; line[i] && line[i] != '\n' && i + 1 < n && i < 80; i++)
		out[i] = (unsigned char)line[i] < 0x20 ? '?' : line[i];
	out[i] = '\0';
}

int conf_load(const char *path, struct conf *c, char *err, size_t errlen)
{
	unsigned char seen[CONF_NPARAMS] = {0};
	char line[PATH_MAX + 64], shown[84];
	const char *why = NULL;
	int lineno = 0;
	FILE *fp;

	conf_defaults(c);
	if ((fp = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s: cannot open 无法打开: %s", path, strerror(errno));
		return -1;
	}
	while (why == NULL && fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		conf_shown(line, shown, sizeof(shown));
		if (strchr(line, '\n') == NULL && !feof(fp))
			why = "line too long 行过长";
		else
			why = conf_line(c, line, seen);
	}
	fclose(fp);
	if (why != NULL) {
		snprintf(err, errlen, "%s:%d: %s: %s", path, lineno, why, shown);
		return -1;
	}
	if (c->log_file[0] == '\0'
	    && snprintf(c->log_file, sizeof(c->log_file), "%s/log/entrustd.log", c->spool_dir)
	    >= (int)sizeof(c->log_file)) {
		snprintf(err, errlen, "%s: spool_dir too long", path);
		return -1;
	}
	return 0;
}

const char *conf_default_path(void)
{
	const char *env = getenv("ENTRUST_CONF");

	if (env != NULL && *env != '\0')
		return env;
	if (access("conf/entrustd.conf", F_OK) == 0)
		return "conf/entrustd.conf";
	return ENTRUST_SYSCONF;
}
