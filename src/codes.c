/* codes — code tables loaded from TSV files, looked up by binary search. */
#include "codes.h"
#include "xmem.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct code_entry {
	char	code[8];
	char	*zh;
};

struct code_list {
	struct code_entry	*entries;
	size_t			 n, cap;
};

struct codes {
	struct code_list	lists[CODES_COUNT];
};

static const struct {
	const char	*file;
	size_t		 width;
} code_files[CODES_COUNT] = {
	{"trade-modes.tsv", 4}, {"countries.tsv", 3}, {"currencies.tsv", 3}, {"units.tsv", 3},
};

static int code_cmp(const void *a, const void *b)
{
	return strcmp(((const struct code_entry *)a)->code, ((const struct code_entry *)b)->code);
}

/* "code<TAB>zh<TAB>en": returns NULL or why the line is bad. */
static const char *codes_line(char *line, size_t width, struct code_entry *e)
{
	char *zh, *tab;

	line[strcspn(line, "\r\n")] = '\0';
	if (line[0] == '#' || line[0] == '\0')
		return "";
	if ((tab = strchr(line, '\t')) == NULL || (size_t)(tab - line) != width)
		return "expected code<TAB>中文名<TAB>English name";
	*tab = '\0';
	zh = tab + 1;
	if ((tab = strchr(zh, '\t')) != NULL)
		*tab = '\0';
	if (*zh == '\0')
		return "empty name 名称为空";
	strlcopy(e->code, line, sizeof(e->code));
	e->zh = xstrdup(zh);
	return NULL;
}

static int codes_load_list(struct code_list *l, const char *path, size_t width, char *err, size_t errlen)
{
	struct code_entry e;
	char line[1024];
	const char *why;
	int lineno = 0;
	FILE *fp;
	size_t i;

	if ((fp = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s: cannot open 无法打开: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if ((why = codes_line(line, width, &e)) != NULL && *why == '\0')
			continue;
		if (why != NULL) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
			fclose(fp);
			return -1;
		}
		l->entries = xgrow(l->entries, l->n, &l->cap, sizeof(e));
		l->entries[l->n++] = e;
	}
	fclose(fp);
	qsort(l->entries, l->n, sizeof(e), code_cmp);
	for (i = 1; i < l->n; i++)
		if (strcmp(l->entries[i - 1].code, l->entries[i].code) == 0) {
			snprintf(err, errlen, "%s: code %s listed twice 代码重复", path, l->entries[i].code);
			return -1;
		}
	return 0;
}

struct codes *codes_load(const char *dir, char *err, size_t errlen)
{
	struct codes *c = xcalloc(1, sizeof(*c));
	char path[PATH_MAX];
	int i;

	for (i = 0; i < CODES_COUNT; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, code_files[i].file) >= (int)sizeof(path)
		    || codes_load_list(&c->lists[i], path, code_files[i].width, err, errlen) < 0) {
			codes_free(c);
			return NULL;
		}
	}
	return c;
}

void codes_free(struct codes *c)
{
	size_t i;
	int t;

	if (c == NULL)
		return;
	for (t = 0; t < CODES_COUNT; t++) {
		for (i = 0; i < c->lists[t].n; i++)
			free(c->lists[t].entries[i].zh);
		free(c->lists[t].entries);
	}
	free(c);
}

const char *codes_name(const struct codes *c, enum code_table t, const char *code)
{
	struct code_entry key, *e;

	if (strlcopy(key.code, code, sizeof(key.code)) < 0)
		return NULL;
	e = bsearch(&key, c->lists[t].entries, c->lists[t].n, sizeof(key), code_cmp);
	return e ? e->zh : NULL;
}

size_t codes_count(const struct codes *c, enum code_table t)
{
	return c->lists[t].n;
}
