/* ctl_print — print and report pages. */
#include "ctl_print.h"
#include "codes.h"
#include "print.h"
#include "query.h"
#include "registry.h"
#include "safeio.h"
#include "store.h"
#include "xmem.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void xslt_path(const struct ctl *c, const char *name, char *out)
{
	const char *dir = ctl_opt(c, "xslt");
	char parent[PATH_MAX], d[PATH_MAX];

	if (dir == NULL)
		dir = getenv("ENTRUST_XSLT");
	if (dir == NULL || *dir == '\0') {
		ctl_dirname(parent, c->conf.xsd_dir);
		safeio_path(d, parent, "xslt");
		dir = d;
	}
	safeio_path(out, dir, name);
}

/* The page to -o FILE (atomically) or to the output; a JSON summary with --json. */
static int emit(struct ctl *c, const char *what, const struct buf *page)
{
	const char *file = ctl_opt(c, "o");
	char dir[PATH_MAX];

	if (file) {
		ctl_dirname(dir, file);
		if (safeio_write_atomic(dir, strrchr(file, '/') ? strrchr(file, '/') + 1 : file, page->data, page->len) < 0)
			return ctl_fail(CTL_STORE, "%s: cannot write 无法写入: %s", file, strerror(errno));
	}
	if (c->as_json) {
		json_open(&c->j, '{');
		json_kstr(&c->j, "page", what);
		json_kstr(&c->j, "file", file ? file : "");
		json_kint(&c->j, "bytes", (int64_t)page->len);
		if (file == NULL)
			json_kstr(&c->j, "html", page->data);
		json_close(&c->j, '}');
		buf_adds(&c->out, "\n");
	} else if (file)
		buf_printf(&c->out, "%s written 已生成: %s (%zu bytes)\n", what, file, page->len);
	else
		buf_add(&c->out, page->data, page->len);
	return CTL_OK;
}

static const char *party_name(const struct registry *r, const char *code)
{
	const struct party *p;
	size_t i;

	for (i = 0; r && (p = registry_at(r, i)) != NULL; i++)
		if (strcmp(p->code, code) == 0)
			return p->name;
	return "";
}

/* The letter as recorded may lack a party's name (a request names only the code). */
static void fill_names(const struct ctl *c, struct letter *l)
{
	char err[512];
	struct registry *r = registry_load(c->conf.registry, err, sizeof(err));

	if (l->consignor.name[0] == '\0')
		strlcopy(l->consignor.name, party_name(r, l->consignor.code), sizeof(l->consignor.name));
	if (l->broker.name[0] == '\0')
		strlcopy(l->broker.name, party_name(r, l->broker.code), sizeof(l->broker.name));
	registry_free(r);
}

static int render(struct ctl *c, const char *xsl, xmlDocPtr doc, const char *what)
{
	char path[PATH_MAX], err[512];
	struct buf page;
	int rc;

	xslt_path(c, xsl, path);
	buf_init(&page);
	if (print_transform(path, doc, &page, err, sizeof(err)) < 0)
		rc = ctl_fail(CTL_STORE, "%s", err);
	else
		rc = emit(c, what, &page);
	buf_free(&page);
	return rc;
}

int ctl_print(struct ctl *c)
{
	struct agreement *a = xmalloc(sizeof(*a));
	struct letter *l = xmalloc(sizeof(*l));
	struct codes *codes;
	struct store *s;
	char err[512];
	xmlDocPtr doc;
	int rc;

	if ((s = ctl_store(c)) == NULL)
		rc = CTL_STORE;
	else if ((rc = store_agreement_get(s, NULL, c->args[0], a)) != 0)
		rc = rc == 1 ? ctl_fail(CTL_NOTFOUND, "agreement %s not found 未找到", c->args[0]) : CTL_STORE;
	else if (a->status != ST_DECLARABLE)	/* R17 */
		rc = ctl_fail(CTL_NOTFOUND, "agreement %s is in status %d (%s); only status 2 (委托协议可报关 declarable) "
		    "can be printed (R17) 只有状态为“可报关”的委托协议可以打印", a->number, (int)a->status,
		    agreement_status_zh((int)a->status));
	else if ((rc = store_letter_get(s, NULL, a->letter, l)) != 0)
		rc = ctl_fail(rc == 1 ? CTL_NOTFOUND : CTL_STORE, "letter %s of agreement %s not found 委托书未找到",
		    a->letter, a->number);
	if (rc == CTL_OK) {
		fill_names(c, l);
		if ((codes = codes_load(c->conf.codes_dir, err, sizeof(err))) == NULL)
			fprintf(stderr, "entrustctl: warning: %s (codes printed without names)\n", err);
		doc = print_agreement_doc(l, a, codes, time(NULL));
		rc = render(c, "print.xsl", doc, "agreement");
		xmlFreeDoc(doc);
		codes_free(codes);
	}
	free(a);
	free(l);
	return rc;
}

struct usage {
	const char		*party;
	const struct registry	*reg;
	struct print_bar	*parties, *months;
	int			 nparties, nmonths;
};

static struct print_bar *bar_find(struct print_bar **v, int *n, const char *key)
{
	int i;

	for (i = 0; i < *n; i++)
		if (strcmp((*v)[i].key, key) == 0)
			return &(*v)[i];
	*v = xrealloc(*v, (size_t)(*n + 1) * sizeof(**v));
	memset(&(*v)[*n], 0, sizeof(**v));
	strlcopy((*v)[*n].key, key, sizeof((*v)[*n].key));
	return &(*v)[(*n)++];
}

static void month_key(time_t t, char out[16])
{
	struct tm tm;

	t += 8 * 3600;		/* months of the Chinese calendar day */
	gmtime_r(&t, &tm);
	strftime(out, 16, "%Y-%m", &tm);
}

/* R23: one customs-used agreement, counted for its counterparty and its month. */
static int usage_visit(void *arg, const struct agreement *a)
{
	struct usage *u = arg;
	struct print_bar *b;
	char key[32], month[16];

	if (u->party)
		strlcopy(key, query_other(a, u->party), sizeof(key));
	else
		snprintf(key, sizeof(key), "%s→%s", a->consignor, a->broker);
	b = bar_find(&u->parties, &u->nparties, key);
	if (b->label[0] == '\0') {
		if (u->party)
			snprintf(b->label, sizeof(b->label), "%s %s", key, party_name(u->reg, key));
		else
			snprintf(b->label, sizeof(b->label), "%.200s → %.200s", party_name(u->reg, a->consignor)[0]
			    ? party_name(u->reg, a->consignor) : a->consignor, party_name(u->reg, a->broker)[0]
			    ? party_name(u->reg, a->broker) : a->broker);
	}
	b->count++;
	month_key((time_t)a->used_at, month);
	bar_find(&u->months, &u->nmonths, month)->count++;
	return 0;
}

/* Every month from t0 to t1 gets a bar, zero or not, so the chart has no gaps. */
static void usage_months(struct usage *u, time_t t0, time_t t1)
{
	char key[16], last[16];
	struct tm tm;
	time_t t = t0 + 8 * 3600;
	int i;

	month_key(t1, last);
	for (i = 0; i < 240; i++) {
		gmtime_r(&t, &tm);
		strftime(key, sizeof(key), "%Y-%m", &tm);
		strlcopy(bar_find(&u->months, &u->nmonths, key)->label, key, sizeof(u->months[0].label));
		if (strcmp(key, last) >= 0)
			break;
		tm.tm_mday = 1;
		tm.tm_mon++;
		t = timegm(&tm);
	}
}

static int bar_more(const void *x, const void *y)
{
	const struct print_bar *a = x, *b = y;

	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	return strcmp(a->key, b->key);
}

int ctl_report(struct ctl *c)
{
	const char *from = ctl_opt(c, "from"), *to = ctl_opt(c, "to"), *party = ctl_opt(c, "party");
	struct usage u;
	struct store *s;
	char err[512];
	time_t t0, t1;
	int64_t total = 0;
	xmlDocPtr doc;
	int rc;

	if (!from || !to || query_date(from, &t0) < 0 || query_date(to, &t1) < 0 || t1 < t0)
		return ctl_fail(CTL_USAGE, "--from and --to: YYYY-MM-DD, from ≤ to 日期格式或顺序错误");
	if (party && strlen(party) != 10)
		return ctl_fail(CTL_USAGE, "--party: a 10-character customs code 海关编码");
	if ((s = ctl_store(c)) == NULL)
		return CTL_STORE;
	memset(&u, 0, sizeof(u));
	u.party = party;
	u.reg = registry_load(c->conf.registry, err, sizeof(err));
	usage_months(&u, t0, t1 + 86399);
	rc = query_used(s, NULL, party, t0, t1 + 86400, &total, usage_visit, &u);	/* To is inclusive */
	if (rc == 0) {
		if (u.nparties > 1)	/* none: u.parties is NULL, and qsort(NULL, 0) is undefined */
			qsort(u.parties, (size_t)u.nparties, sizeof(*u.parties), bar_more);
		doc = print_report_doc(from, to, party ? party : "", total, u.parties, u.nparties, u.months,
		    u.nmonths, time(NULL));
		rc = render(c, "report.xsl", doc, "report");
		xmlFreeDoc(doc);
	} else
		rc = CTL_STORE;
	registry_free((struct registry *)u.reg);
	free(u.parties);
	free(u.months);
	return rc;
}
