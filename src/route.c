/* route — the routes file parser: one line per party, every part checked. */
#include "route.h"
#include "entrust.h"
#include "xmem.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ROUTE_LINE_MAX	8192
#define ROUTE_WHY_MAX	512

/* Write why and return -1, so that checks read "return route_why(...)". */
static int route_why(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int route_why(char *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, ROUTE_WHY_MAX, fmt, ap);
	va_end(ap);
	return -1;
}

static int route_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* user: [A-Za-z0-9._-]{1,64}, not starting with '-' (it would read as an option). */
static int route_user(const char *s, size_t n, struct route *r, char *why)
{
	size_t i;

	if (n == 0 || n >= sizeof(r->user) || s[0] == '-')
		return route_why(why, "URL: user name missing or bad 用户名缺失或非法");
	for (i = 0; i < n; i++)
		if (!route_alnum(s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
			return route_why(why, "URL: bad character in user name 用户名含非法字符");
	memcpy(r->user, s, n);
	r->user[n] = '\0';
	return 0;
}

/* host: a DNS name or IPv4 [A-Za-z0-9.-], or an IPv6 literal in brackets. */
static int route_host(const char *s, size_t n, struct route *r, char *why)
{
	size_t i;

	if (n == 0 || n >= sizeof(r->host))
		return route_why(why, "URL: host missing or too long 主机名缺失或过长");
	if (s[0] == '[') {
		if (n < 3 || s[n - 1] != ']')
			return route_why(why, "URL: bad IPv6 address IPv6地址非法");
		for (i = 1; i < n - 1; i++)
			if (!strchr("0123456789abcdefABCDEF:.", s[i]))
				return route_why(why, "URL: bad IPv6 address IPv6地址非法");
	} else {
		if (s[0] == '-' || s[0] == '.' || s[n - 1] == '-' || s[n - 1] == '.')
			return route_why(why, "URL: bad host name 主机名非法");
		for (i = 0; i < n; i++)
			if (!route_alnum(s[i]) && s[i] != '.' && s[i] != '-')
				return route_why(why, "URL: bad character in host name 主机名含非法字符");
			else if (s[i] == '.' && s[i + 1] == '.')
				return route_why(why, "URL: bad host name 主机名非法");
	}
	memcpy(r->host, s, n);
	r->host[n] = '\0';
	return 0;
}

static int route_port(const char *s, size_t n, struct route *r, char *why)
{
	size_t i;
	long v = 0;

	if (n == 0 || n > 5)
		return route_why(why, "URL: bad port (1..65535) 端口非法");
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return route_why(why, "URL: bad port (1..65535) 端口非法");
		v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return route_why(why, "URL: bad port (1..65535) 端口非法");
	r->port = (int)v;
	return 0;
}

/* path: "/" then components of [A-Za-z0-9._~-], none empty, "." or "..". */
static int route_path(const char *s, struct route *r, char *why)
{
	const char *c, *e;
	size_t n = strlen(s);

	if (n > 1 && s[n - 1] == '/')
		n--;			/* "/in/" is "/in" */
	if (n == 0 || s[0] != '/')
		return route_why(why, "URL: path must start with '/' 路径须以/开头");
	if (n >= sizeof(r->path))
		return route_why(why, "URL: path too long 路径过长");
	for (c = s + 1; n > 1 && c < s + n; c = e + 1) {
		for (e = c; e < s + n && *e != '/'; e++)
			if (!route_alnum(*e) && !strchr("._~-", *e))
				return route_why(why, "URL: bad character '%c' in path 路径含非法字符", *e);
		if (e == c)
			return route_why(why, "URL: empty component in path 路径含空段");
		if ((e - c == 1 && c[0] == '.') || (e - c == 2 && c[0] == '.' && c[1] == '.'))
			return route_why(why, "URL: '.' or '..' in path 路径不得含.或..");
	}
	memcpy(r->path, s, n);
	r->path[n == 1 ? 0 : n] = '\0';
	return 0;
}

/* scheme://[user@]host[:port]/path after the scheme; user only (and required) for sftp. */
static int route_url(const char *u, struct route *r, char *why)
{
	const char *at, *slash, *hend, *colon;

	slash = u + strcspn(u, "/");
	at = memchr(u, '@', (size_t)(slash - u));
	if (r->kind == ROUTE_HTTPS && at != NULL)
		return route_why(why, "URL: no user name or password in an https URL 不得包含用户名或密码");
	if (r->kind == ROUTE_SFTP) {
		if (at == NULL)
			return route_why(why, "URL: sftp needs user@host 须指定用户名");
		if (route_user(u, (size_t)(at - u), r, why) < 0)
			return -1;
		u = at + 1;
	}
	hend = u;
	if (*u == '[')
		hend = memchr(u, ']', (size_t)(slash - u));
	if (hend == NULL)
		return route_why(why, "URL: bad IPv6 address IPv6地址非法");
	colon = memchr(hend, ':', (size_t)(slash - hend));
	if (route_host(u, (size_t)((colon ? colon : slash) - u), r, why) < 0)
		return -1;
	r->port = r->kind == ROUTE_SFTP ? 22 : 443;
	if (colon && route_port(colon + 1, (size_t)(slash - colon - 1), r, why) < 0)
		return -1;
	if (*slash == '\0')
		return route_why(why, "URL: no path (use / for the top folder) 缺少路径");
	return route_path(slash, r, why);
}

/* The file an option names: a readable regular file; private keys not readable by others. */
static int route_file(const char *opt, const char *path, int private, char *why)
{
	struct stat st;
	int fd, rc = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return route_why(why, "%s=%s: cannot read 无法读取: %s", opt, path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		rc = route_why(why, "%s=%s: not a regular file 不是普通文件", opt, path);
	else if (private && (st.st_mode & S_IRWXO))
		rc = route_why(why, "%s=%s: private key readable by others (chmod 600) 私钥权限过宽", opt, path);
	close(fd);
	return rc;
}

struct route_opt {
	const char	*name;
	unsigned	 kinds;		/* 1 << route_kind */
	size_t		 offset;
};

#define O(name, kinds) { #name, kinds, offsetof(struct route, name) }
static const struct route_opt route_opts[] = {
	O(key, 1u << ROUTE_SFTP | 1u << ROUTE_HTTPS),
	O(pubkey, 1u << ROUTE_SFTP),
	O(known_hosts, 1u << ROUTE_SFTP),
	O(ca, 1u << ROUTE_HTTPS),
	O(cert, 1u << ROUTE_HTTPS),
	{ "method", 1u << ROUTE_HTTPS, 0 },
	{ "parallel", 1u << ROUTE_SFTP | 1u << ROUTE_HTTPS, 0 },
};
#define ROUTE_NOPTS (sizeof(route_opts) / sizeof(route_opts[0]))

/* parallel=N: the route's limit of concurrent transfers, 1..ROUTE_PARALLEL_MAX. */
static int route_parallel_opt(const char *v, struct route *r, char *why)
{
	size_t i, n = strlen(v);
	int k = 0;

	for (i = 0; i < n && n <= 2; i++)
		if (v[i] < '0' || v[i] > '9')
			break;
		else
			k = k * 10 + (v[i] - '0');
	if (n > 2 || i < n || k < 1 || k > ROUTE_PARALLEL_MAX)
		return route_why(why, "parallel=%.16s: want a number from 1 to %d 并发传输数须为1至%d", v,
		    ROUTE_PARALLEL_MAX, ROUTE_PARALLEL_MAX);
	r->parallel = k;
	return 0;
}

/* One name=value option into r; seen[] catches repeats. */
static int route_option(char *tok, struct route *r, unsigned char *seen, char *why)
{
	const struct route_opt *o = NULL;
	char *eq = strchr(tok, '='), *v;
	size_t i;

	if (eq == NULL)
		return route_why(why, "\"%.64s\": expected option=value 应为 选项=值", tok);
	*eq = '\0';
	v = eq + 1;
	for (i = 0; i < ROUTE_NOPTS && o == NULL; i++)
		if (strcmp(route_opts[i].name, tok) == 0)
			o = &route_opts[i];
	if (o == NULL || !(o->kinds & 1u << r->kind))
		return route_why(why, "%s: unknown option \"%.32s\" 未知选项", route_kind_name(r->kind), tok);
	if (seen[o - route_opts]++)
		return route_why(why, "option %s given twice 选项重复", o->name);
	if (*v == '\0')
		return route_why(why, "option %s: empty value 取值为空", o->name);
	if (strcmp(o->name, "method") == 0) {
		if (strcmp(v, "PUT") != 0 && strcmp(v, "POST") != 0)
			return route_why(why, "method=%.16s: want PUT or POST 方法须为PUT或POST", v);
		r->method = v[1] == 'U' ? ROUTE_PUT : ROUTE_POST;
		return 0;
	}
	if (strcmp(o->name, "parallel") == 0)
		return route_parallel_opt(v, r, why);
	if (strlcopy((char *)r + o->offset, v, PATH_MAX) < 0)
		return route_why(why, "option %s: path too long 路径过长", o->name);
	return 0;
}

/* Required options present, files readable: the checks after all options are read. */
static int route_complete(const struct route *r, char *why)
{
	if (r->kind == ROUTE_SFTP) {
		if (r->key[0] == '\0')
			return route_why(why, "sftp route needs key=FILE (SSH private key) SFTP路由须指定私钥");
		if (r->known_hosts[0] == '\0')
			return route_why(why, "sftp route needs known_hosts=FILE SFTP路由须指定known_hosts");
		if (route_file("key", r->key, 1, why) < 0
		    || (r->pubkey[0] && route_file("pubkey", r->pubkey, 0, why) < 0)
		    || route_file("known_hosts", r->known_hosts, 0, why) < 0)
			return -1;
	} else if (r->kind == ROUTE_HTTPS) {
		if (r->ca[0] == '\0')
			return route_why(why, "https route needs ca=FILE HTTPS路由须指定CA证书");
		if ((r->cert[0] == '\0') != (r->key[0] == '\0'))
			return route_why(why, "cert= and key= go together 客户端证书与私钥须同时指定");
		if (route_file("ca", r->ca, 0, why) < 0
		    || (r->cert[0] && route_file("cert", r->cert, 0, why) < 0)
		    || (r->key[0] && route_file("key", r->key, 1, why) < 0))
			return -1;
	}
	return 0;
}

/* The target (local, sftp://…, https://…) and the options after it. */
static int route_target(char *target, char *rest, struct route *r, char *why)
{
	unsigned char seen[ROUTE_NOPTS] = {0};
	char *tok, *save = NULL;

	if (strcmp(target, "local") == 0)
		r->kind = ROUTE_LOCAL;
	else if (strncmp(target, "sftp://", 7) == 0)
		r->kind = ROUTE_SFTP;
	else if (strncmp(target, "https://", 8) == 0)
		r->kind = ROUTE_HTTPS;
	else
		return route_why(why, "unknown route \"%.64s\": want local, sftp://… or https://… 未知路由类型",
		    target);
	if (r->kind != ROUTE_LOCAL) {
		if (route_url(target + (r->kind == ROUTE_SFTP ? 7 : 8), r, why) < 0)
			return -1;
		snprintf(r->url, sizeof(r->url), "%s://%s%s%s:%d%s", r->kind == ROUTE_SFTP ? "sftp" : "https",
		    r->user, r->user[0] ? "@" : "", r->host, r->port, r->path);
	}
	for (tok = strtok_r(rest, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (r->kind == ROUTE_LOCAL)
			return route_why(why, "local takes no options 本地路由不接受选项");
		if (route_option(tok, r, seen, why) < 0)
			return -1;
	}
	return route_complete(r, why);
}

/* One line; *r is filled when the line holds a route (returns 1), 0 for blank. */
static int route_line(char *line, const struct routes *have, struct route *r, char *why)
{
	char *s, *code, *target, *save = NULL;
	size_t i;

	if ((s = strchr(line, '#')) != NULL)
		*s = '\0';
	for (s = line; *s; s++)
		if (*s == '\r' || *s == '\n')
			*s = ' ';
		else if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return route_why(why, "control character 含控制字符");
	if ((code = strtok_r(line, " \t", &save)) == NULL)
		return 0;
	if ((target = strtok_r(NULL, " \t", &save)) == NULL)
		return route_why(why, "expected \"CODE local|sftp://…|https://… [option=value…]\" 应为 编码 路由 [选项=值…]");
	if (!customs_code_ok(code))
		return route_why(why, "bad party code \"%.32s\": want 10 characters [0-9A-Z] 企业编码格式错误", code);
	for (i = 0; i < have->n; i++)
		if (strcmp(have->v[i].code, code) == 0)
			return route_why(why, "route for %s given twice (first at line %d) 路由重复", code,
			    have->v[i].line);
	memset(r, 0, sizeof(*r));
	memcpy(r->code, code, sizeof(r->code));
	if (route_target(target, save ? save : (char *)"", r, why) < 0)
		return -1;
	return 1;
}

int route_load(const char *path, struct routes *out, char *err, size_t errlen)
{
	char why[ROUTE_WHY_MAX] = "", *line = NULL;
	struct route r;
	size_t cap = 0;
	ssize_t n;
	int lineno = 0, rc = 0;
	FILE *fp;

	out->v = NULL;
	out->n = 0;
	if ((fp = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s: cannot open 无法打开: %s", path, strerror(errno));
		return -1;
	}
	while (rc >= 0 && (n = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		if (n > ROUTE_LINE_MAX)
			rc = route_why(why, "line too long (over %d bytes) 行过长", ROUTE_LINE_MAX);
		else if (memchr(line, '\0', (size_t)n) != NULL)
			rc = route_why(why, "NUL byte 含空字符");
		else if ((rc = route_line(line, out, &r, why)) == 1) {
			r.line = lineno;
			out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
			out->v[out->n++] = r;
		}
	}
	if (rc >= 0 && ferror(fp))
		rc = route_why(why, "read error 读取失败: %s", strerror(errno));
	free(line);
	fclose(fp);
	if (rc < 0) {
		snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
		route_free(out);
		return -1;
	}
	return 0;
}

void route_free(struct routes *r)
{
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

const struct route *route_find(const struct routes *r, const char *code)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->v[i].code, code) == 0)
			return &r->v[i];
	return NULL;
}

long route_parallel(const struct route *r, long dflt)
{
	return r->parallel > 0 ? r->parallel : dflt;
}

const char *route_kind_name(enum route_kind kind)
{
	switch (kind) {
	case ROUTE_LOCAL: return "local";
	case ROUTE_SFTP: return "sftp";
	case ROUTE_HTTPS: return "https";
	}
	panic("route: bad kind %d", (int)kind);
}
