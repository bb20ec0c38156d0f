/* testctl — what the console tests (tests/unit/test_ctl_*.c) share: a
 * struct ctl over a temp folder (store, spool, log, registry), a verb run
 * from an argv-like list ("ARG", "--opt", "value", "--json") with its
 * stderr captured, and searches in what it printed.
 * Include it LAST (it includes testutil.h, which must come last). */
#ifndef TESTCTL_H
#define TESTCTL_H
#include "ctl_out.h"
#include "sample.h"
#include "store.h"
#include "testutil.h"

struct tc {
	char		*dir;
	struct ctl	 c;
	struct buf	 err;		/* the verb's stderr */
	char		 p[PATH_MAX];	/* scratch path */
};

typedef int (*tc_verb)(struct ctl *c);

/* A fresh console context over dir/: store_dir db, spool_dir spool, registry
 * parties.conf, log spool/log/entrustd.log; schemas and codes from the tree. */
static inline void tc_init(struct tc *t, const char *what)
{
	memset(t, 0, sizeof(*t));
	t->dir = tu_tmpdir(what);
	conf_defaults(&t->c.conf);
	tu_path(t->c.conf.store_dir, "%s/db", t->dir);
	tu_path(t->c.conf.spool_dir, "%s/spool", t->dir);
	tu_path(t->c.conf.registry, "%s/parties.conf", t->dir);
	tu_path(t->c.conf.log_file, "%s/spool/log/entrustd.log", t->dir);
	tu_path(t->c.conf.xsd_dir, "%s/xsd", tu_src());
	tu_path(t->c.conf.codes_dir, "%s/conf/codes", tu_src());
	tu_path(t->c.conf.xslt_dir, "%s/xslt", tu_src());
	mkdir(t->c.conf.spool_dir, 0750);
	mkdir(tu_path(t->p, "%s/log", t->c.conf.spool_dir), 0750);
	buf_init(&t->c.out);
	buf_init(&t->err);
	json_init(&t->c.j, &t->c.out);
}

static inline void tc_free(struct tc *t)
{
	store_close(t->c.store);
	t->c.store = NULL;
	buf_free(&t->c.out);
	buf_free(&t->err);
	tu_rmrf(t->dir);
	free(t->dir);
	t->dir = NULL;
}

/* cmocka teardown for tests whose state is a calloc'd struct tc. */
static inline int tc_teardown(void **state)
{
	struct tc *t = *state;

	tc_free(t);
	free(t);
	return 0;
}

/* The store the verbs use (opened on first use, as entrustctl does). */
static inline struct store *tc_store(struct tc *t)
{
	struct store *s = ctl_store(&t->c);

	if (s == NULL)
		abort();
	return s;
}

/* Set the command line from argv (NULL-terminated): "--json" turns JSON on,
 * "--NAME VALUE" and "-o VALUE" are options, anything else an argument. */
static inline void tc_args(struct tc *t, const char *const *argv)
{
	struct ctl *c = &t->c;

	c->as_json = 0;
	c->nargs = 0;
	c->nopts = 0;
	for (; argv && *argv; argv++) {
		if (strcmp(*argv, "--json") == 0)
			c->as_json = 1;
		else if ((strncmp(*argv, "--", 2) == 0 || strcmp(*argv, "-o") == 0) && argv[1]) {
			c->opts[c->nopts].name = (*argv)[1] == '-' ? *argv + 2 : *argv + 1;
			c->opts[c->nopts++].value = argv[1];
			argv++;
		} else
			c->args[c->nargs++] = *argv;
	}
}

/* Run verb fn on argv with fresh output; its stderr lands in t->err. */
static inline int tc_run(struct tc *t, tc_verb fn, const char *const *argv)
{
	char path[PATH_MAX];
	int saved, fd, rc;

	tc_args(t, argv);
	buf_reset(&t->c.out);
	json_init(&t->c.j, &t->c.out);
	tu_path(path, "%s/stderr.txt", t->dir);
	fflush(stderr);
	saved = dup(2);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (saved < 0 || fd < 0 || dup2(fd, 2) < 0)
		abort();
	close(fd);
	rc = fn(&t->c);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	buf_add(&t->c.out, "", 0);	/* allocated and NUL-terminated even when empty */
	if (tu_read(path, &t->err) != 0)
		abort();
	return rc;
}

#define TC_ARGV(...) ((const char *const[]){__VA_ARGS__, NULL})

/* What the verb printed, NUL-terminated ("" when nothing). */
static inline const char *tc_out(const struct tc *t)
{
	return t->c.out.data ? t->c.out.data : "";
}

/* Occurrences of needle in hay. */
static inline int tc_count(const char *hay, const char *needle)
{
	int n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay += strlen(needle))
		n++;
	return n;
}

/* Fail unless every "+text" is in s and no "-text" is (NULL-terminated list). */
static inline void tc_expect(const char *label, const char *s, const char *const *want)
{
	for (; want && *want; want++) {
		int found = strstr(s, *want + 1) != NULL;

		if ((*want)[0] == '+' && !found)
			fail_msg("%s: \"%s\" missing in:\n%s", label, *want + 1, s);
		if ((*want)[0] == '-' && found)
			fail_msg("%s: \"%s\" must not appear in:\n%s", label, *want + 1, s);
	}
}

/* ---- the store as the daemon's modules leave it ---- */

/* Letter number between consignor and broker (names left empty, as a request leaves them). */
static inline void tc_letter(struct store *s, const char *number, const char *consignor, const char *broker,
    int status, int auto_confirm)
{
	struct letter l;

	memset(&l, 0, sizeof(l));
	snprintf(l.number, sizeof(l.number), "%s", number);
	snprintf(l.consignor.code, sizeof(l.consignor.code), "%s", consignor);
	snprintf(l.consignor.credit, sizeof(l.consignor.credit), "91110000100000000R");
	snprintf(l.consignor.signer, sizeof(l.consignor.signer), "张三");
	snprintf(l.broker.code, sizeof(l.broker.code), "%s", broker);
	snprintf(l.initiator, sizeof(l.initiator), "%s", consignor);
	strcpy(l.mode, "B");
	strcpy(l.matters, "AC");
	l.validity_months = 6;
	l.auto_confirm = auto_confirm;
	strcpy(l.signed_on, "2026-12-03");
	l.status = status;
	l.created_at = 1796263200;
	l.valid_until = 1796263200 + 180 * 86400;
	if (store_letter_put(s, NULL, &l) != 0)
		abort();
}

/* Agreement number on letter in status st, indexed by letter and by both parties. */
static inline void tc_agreement(struct store *s, const char *number, const char *letter, const char *consignor,
    const char *broker, int st, int64_t signed_at, int64_t used_at)
{
	struct agreement a;
	char key[40];

	memset(&a, 0, sizeof(a));
	snprintf(a.number, sizeof(a.number), "%s", number);
	snprintf(a.letter, sizeof(a.letter), "%s", letter);
	snprintf(a.initiator, sizeof(a.initiator), "%s", consignor);
	snprintf(a.consignor, sizeof(a.consignor), "%s", consignor);
	snprintf(a.broker, sizeof(a.broker), "%s", broker);
	strcpy(a.payer, "broker");
	a.status = st;
	sample_goods(&a);
	snprintf(a.bill_of_lading, sizeof(a.bill_of_lading), "BL%s", number + 10);
	strcpy(a.message_id, "ERP-REQ-0001");
	a.signed_at = signed_at;
	a.used_at = used_at;
	if (store_agreement_put(s, NULL, &a) != 0)
		abort();
	snprintf(key, sizeof(key), "%s|%s", letter, number);
	if (store_put(s, NULL, SDB_BY_LETTER, key, strlen(key), "", 0) != 0)
		abort();
	snprintf(key, sizeof(key), "%s|%s", consignor, number);
	if (store_put(s, NULL, SDB_BY_PARTY, key, strlen(key), "", 0) != 0)
		abort();
	snprintf(key, sizeof(key), "%s|%s", broker, number);
	if (store_put(s, NULL, SDB_BY_PARTY, key, strlen(key), "", 0) != 0)
		abort();
}
#endif
