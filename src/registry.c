/* registry — the party registry file (customs code, role, certificate fingerprint,
 * optional credit code and end of binding). */
#include "registry.h"
#include "clock.h"
#include "entrust.h"
#include "xmem.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The parties in file order, and two indexes sorted once at load so that a
 * lookup is a binary search whatever the registry's size (each envelope
 * asks by fingerprint, each item by code): ties stay in file order, so the
 * first match is the first line. */
struct registry {
	struct party	 *parties;
	size_t		  count, cap;
	const struct party **by_fpr;	/* fingerprint, then file order */
	const struct party **by_code;	/* code, role, then file order */
};

static const char *role_names[ROLE_COUNT] = {
	"consignor", "broker", "association", "customs", "operator",
};

const char *role_name(enum role role)
{
	return (unsigned)role < ROLE_COUNT ? role_names[role] : "?";
}

int role_parse(const char *s, enum role *role)
{
	int i;

	for (i = 0; i < ROLE_COUNT; i++)
		if (strcmp(s, role_names[i]) == 0) {
			*role = (enum role)i;
			return 0;
		}
	return -1;
}

static int registry_hex64_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
			return 0;
	return i == 64;
}

void registry_time(char out[32], time_t t)
{
	struct tm tm;

	out[0] = '\0';
	if (t != 0 && gmtime_r(&t, &tm) != NULL)
		strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int registry_time_parse(const char *s, time_t *t)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) == NULL || *end != '\0')
		return -1;
	*t = timegm(&tm);
	return *t > 0 ? 0 : -1;
}

/* One optional "key=value" token before the name: 1 taken, 0 not an option, -1 bad. */
static int registry_option(const char *tok, size_t len, struct party *p, const char **why)
{
	char v[64];
	size_t k = strcspn(tok, "=");

	if (k >= len || len - k - 1 >= sizeof(v))
		return 0;
	memcpy(v, tok + k + 1, len - k - 1);
	v[len - k - 1] = '\0';
	if (k == 6 && strncmp(tok, "credit", 6) == 0) {
		if (!credit_code_ok(v)) {
			*why = "credit= is not a unified social credit code (GB 32100) 统一社会信用代码错误";
			return -1;
		}
		strlcopy(p->credit, v, sizeof(p->credit));
		return 1;
	}
	if (k == 5 && strncmp(tok, "until", 5) == 0) {
		if (registry_time_parse(v, &p->until) < 0) {
			*why = "until= wants yyyy-mm-ddThh:mm:ssZ 绑定截止时间格式错误";
			return -1;
		}
		return 1;
	}
	if (k == 7 && strncmp(tok, "notices", 7) == 0) {
		if (strcmp(v, "bundle") != 0 && strcmp(v, "single") != 0) {
			*why = "notices= wants bundle or single 通知方式应为 bundle 或 single";
			return -1;
		}
		p->bundle_notices = strcmp(v, "bundle") == 0;
		return 1;
	}
	return 0;
}

/* The options, then the name (leading blanks dropped, inner and trailing kept). */
static int registry_tail(const char *rest, struct party *p, const char **why)
{
	size_t len;
	int rc;

	for (;;) {
		while (rest && (*rest == ' ' || *rest == '\t'))
			rest++;
		if (rest == NULL || *rest == '\0')
			break;
		len = strcspn(rest, " \t");
		if ((rc = registry_option(rest, len, p, why)) < 0)
			return -1;
		if (rc == 0)
			break;
		rest += len;
	}
	strlcopy(p->name, rest ? rest : "", sizeof(p->name));
	return 0;
}

int registry_parse(char *line, struct party *p, const char **why)
{
	char *code, *role, *fpr, *rest, *save = NULL;

	memset(p, 0, sizeof(*p));
	code = strtok_r(line, " \t\r\n", &save);
	if (code == NULL || *code == '#')
		return 1;
	role = strtok_r(NULL, " \t\r\n", &save);
	fpr = strtok_r(NULL, " \t\r\n", &save);
	rest = strtok_r(NULL, "\r\n", &save);
	*why = NULL;
	if (role == NULL || fpr == NULL)
		*why = "expected \"code role fingerprint name\" 应为 海关编码 角色 指纹 名称";
	else if (!customs_code_ok(code))
		*why = "bad customs code 海关编码格式错误";
	else if (role_parse(role, &p->role) < 0)
		*why = "unknown role 未知角色";
	else if (!registry_hex64_ok(fpr))
		*why = "fingerprint must be 64 lowercase hex digits 指纹应为64位小写十六进制";
	if (*why != NULL || registry_tail(rest, p, why) < 0)
		return -1;
	strlcopy(p->code, code, sizeof(p->code));
	strlcopy(p->fingerprint, fpr, sizeof(p->fingerprint));
	return 0;
}

void registry_format(const struct party *p, struct buf *out)
{
	char until[32];

	buf_printf(out, "%s %s %s", p->code, role_name(p->role), p->fingerprint);
	if (p->credit[0])
		buf_printf(out, " credit=%s", p->credit);
	if (p->until) {
		registry_time(until, p->until);
		buf_printf(out, " until=%s", until);
	}
	if (p->bundle_notices)
		buf_printf(out, " notices=bundle");
	buf_printf(out, "%s%s\n", p->name[0] ? " " : "", p->name);
}

static int registry_file_order(const struct party *p, const struct party *q)
{
	return (p > q) - (p < q);
}

static int registry_fpr_cmp(const void *a, const void *b)
{
	const struct party *p = *(const struct party *const *)a, *q = *(const struct party *const *)b;
	int c = strcmp(p->fingerprint, q->fingerprint);

	return c ? c : registry_file_order(p, q);
}

static int registry_code_role_cmp(const struct party *p, const char *code, enum role role)
{
	int c = strcmp(p->code, code);

	return c ? c : (p->role > role) - (p->role < role);
}

static int registry_code_cmp(const void *a, const void *b)
{
	const struct party *p = *(const struct party *const *)a, *q = *(const struct party *const *)b;
	int c = registry_code_role_cmp(p, q->code, q->role);

	return c ? c : registry_file_order(p, q);
}

static void registry_index(struct registry *r)
{
	size_t i;

	r->by_fpr = xcalloc(r->count, sizeof(*r->by_fpr));
	r->by_code = xcalloc(r->count, sizeof(*r->by_code));
	for (i = 0; i < r->count; i++)
		r->by_fpr[i] = r->by_code[i] = &r->parties[i];
	if (r->count > 1) {	/* qsort of NULL, even for 0 items, is undefined */
		qsort(r->by_fpr, r->count, sizeof(*r->by_fpr), registry_fpr_cmp);
		qsort(r->by_code, r->count, sizeof(*r->by_code), registry_code_cmp);
	}
}

/* Where fpr's bindings begin in by_fpr (count if it has none). */
static size_t registry_first_fpr(const struct registry *r, const char *fpr)
{
	size_t lo = 0, hi = r->count, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(r->by_fpr[mid]->fingerprint, fpr) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct registry *registry_load(const char *path, char *err, size_t errlen)
{
	struct registry *r;
	struct party p;
	char line[1024];
	const char *why;
	int lineno = 0, rc;
	FILE *fp;

	if ((fp = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s: cannot open 无法打开: %s", path, strerror(errno));
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if ((rc = registry_parse(line, &p, &why)) > 0)
			continue;
		if (rc < 0) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
			fclose(fp);
			registry_free(r);
			return NULL;
		}
		r->parties = xgrow(r->parties, r->count, &r->cap, sizeof(p));
		r->parties[r->count++] = p;
	}
	fclose(fp);
	registry_index(r);
	return r;
}

void registry_free(struct registry *r)
{
	if (r == NULL)
		return;
	free(r->parties);
	free(r->by_fpr);
	free(r->by_code);
	free(r);
}

int registry_by_fingerprint(const struct registry *r, const char *fpr, const struct party **found)
{
	return registry_bound_at(r, fpr, clock_now(), found);
}

/* R1: a binding speaks for its party until its end, not at or after it. */
static int registry_in_force(const struct party *p, time_t now)
{
	return p->until == 0 || now < p->until;
}

int registry_bound_at(const struct registry *r, const char *fpr, time_t now, const struct party **found)
{
	size_t i;
	int n = 0;

	*found = NULL;
	for (i = registry_first_fpr(r, fpr); i < r->count && strcmp(r->by_fpr[i]->fingerprint, fpr) == 0; i++)
		if (registry_in_force(r->by_fpr[i], now) && n++ == 0)
			*found = r->by_fpr[i];
	return n;
}

time_t registry_ended(const struct registry *r, const char *fpr, time_t now)
{
	time_t last = 0;
	size_t i;

	for (i = registry_first_fpr(r, fpr); i < r->count && strcmp(r->by_fpr[i]->fingerprint, fpr) == 0; i++)
		if (!registry_in_force(r->by_fpr[i], now) && r->by_fpr[i]->until > last)
			last = r->by_fpr[i]->until;
	return last;
}

/* Where code's lines of role begin in by_code (ROLE_CONSIGNOR, the first
 * role: where all of code's lines begin). */
static size_t registry_first_code(const struct registry *r, const char *code, enum role role)
{
	size_t lo = 0, hi = r->count, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (registry_code_role_cmp(r->by_code[mid], code, role) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct party *registry_by_code(const struct registry *r, const char *code, enum role role)
{
	size_t lo = registry_first_code(r, code, role);

	return lo < r->count && registry_code_role_cmp(r->by_code[lo], code, role) == 0 ? r->by_code[lo] : NULL;
}

int registry_bundles_notices(const struct registry *r, const char *code)
{
	size_t i;

	for (i = registry_first_code(r, code, ROLE_CONSIGNOR); i < r->count && strcmp(r->by_code[i]->code, code) == 0; i++)
		if (r->by_code[i]->bundle_notices)
			return 1;
	return 0;
}

size_t registry_count(const struct registry *r)
{
	return r->count;
}

const struct party *registry_at(const struct registry *r, size_t i)
{
	return i < r->count ? &r->parties[i] : NULL;
}
