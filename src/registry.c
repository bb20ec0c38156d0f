/* registry — the party registry file (customs code, role, certificate fingerprint). */
#include "registry.h"
#include "xmem.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct registry {
	struct party	*parties;
	size_t		 count;
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

static int registry_code_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'A' && s[i] <= 'Z'))
			return 0;
	return i == 10;
}

static int registry_hex64_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
			return 0;
	return i == 64;
}

/* Parse one non-comment line into p; returns NULL or why it is bad. */
static const char *registry_line(char *line, struct party *p)
{
	char *code, *role, *fpr, *name, *save = NULL;

	code = strtok_r(line, " \t\r\n", &save);
	if (code == NULL || *code == '#')
		return "";
	role = strtok_r(NULL, " \t\r\n", &save);
	fpr = strtok_r(NULL, " \t\r\n", &save);
	name = strtok_r(NULL, "\r\n", &save);
	if (role == NULL || fpr == NULL)
		return "expected \"code role fingerprint name\" 应为 海关编码 角色 指纹 名称";
	if (!registry_code_ok(code))
		return "bad customs code 海关编码格式错误";
	if (role_parse(role, &p->role) < 0)
		return "unknown role 未知角色";
	if (!registry_hex64_ok(fpr))
		return "fingerprint must be 64 lowercase hex digits 指纹应为64位小写十六进制";
	strlcopy(p->code, code, sizeof(p->code));
	strlcopy(p->fingerprint, fpr, sizeof(p->fingerprint));
	while (name && isspace((unsigned char)*name))
		name++;
	strlcopy(p->name, name ? name : "", sizeof(p->name));
	return NULL;
}

struct registry *registry_load(const char *path, char *err, size_t errlen)
{
	struct registry *r;
	struct party p;
	char line[1024];
	const char *why;
	int lineno = 0;
	FILE *fp;

	if ((fp = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s: cannot open 无法打开: %s", path, strerror(errno));
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		memset(&p, 0, sizeof(p));
		if ((why = registry_line(line, &p)) != NULL && *why == '\0')
			continue;
		if (why != NULL) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
			fclose(fp);
			registry_free(r);
			return NULL;
		}
		r->parties = xrealloc(r->parties, (r->count + 1) * sizeof(p));
		r->parties[r->count++] = p;
	}
	fclose(fp);
	return r;
}

void registry_free(struct registry *r)
{
	if (r == NULL)
		return;
	free(r->parties);
	free(r);
}

int registry_by_fingerprint(const struct registry *r, const char *fpr, const struct party **found)
{
	size_t i;
	int n = 0;

	*found = NULL;
	for (i = 0; i < r->count; i++)
		if (strcmp(r->parties[i].fingerprint, fpr) == 0 && n++ == 0)
			*found = &r->parties[i];
	return n;
}

const struct party *registry_by_code(const struct registry *r, const char *code, enum role role)
{
	size_t i;

	for (i = 0; i < r->count; i++)
		if (strcmp(r->parties[i].code, code) == 0 && r->parties[i].role == role)
			return &r->parties[i];
	return NULL;
}

size_t registry_count(const struct registry *r)
{
	return r->count;
}

const struct party *registry_at(const struct registry *r, size_t i)
{
	return i < r->count ? &r->parties[i] : NULL;
}
