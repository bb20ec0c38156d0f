/* test_bundle — notice bundles of one batch (registry notices=bundle, issue
 * #7, R26): a receiver's notices go into one document named by its first
 * notice's outbox number, written to the outbox only by bundles_flush, in
 * the order they were numbered; a batch whose bundles hold more than 4 MiB
 * writes them at once, and later notices open new ones (memory: a
 * 100,000-item receipt).  The Notices document validates against xsd/. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "bundle.h"
#include "log.h"
#include "outbox.h"
#include "reply.h"
#include "store.h"
#include "xmlin.h"
#include "testutil.h"

struct fixture {
	char		*tdir;
	struct store	*s;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char db[PATH_MAX], err[256];

	log_open(NULL, 0);
	f->tdir = tu_tmpdir("bundle");
	f->s = store_open(tu_path(db, "%s/db", f->tdir), 0, err, sizeof(err));
	*state = f;
	return f->s ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->s);
	tu_rmrf(f->tdir);
	free(f->tdir);
	free(f);
	return 0;
}

/* A Notice document to receiver with n agreements (about 60 bytes each). */
static void notice(const char *receiver, int n, struct buf *out)
{
	struct reply r;
	struct notice nt;
	int i;

	reply_init(&r, "E20261204000000000001", "ENTRUSTHUB", "", "");
	memset(&nt, 0, sizeof(nt));
	strcpy(nt.receiver, receiver);
	strcpy(nt.event, "customs-update");
	strcpy(nt.from, "0100HG0001");
	nt.items = calloc((size_t)n, sizeof(*nt.items));
	for (i = 0; i < n; i++) {
		snprintf(nt.items[i].number, sizeof(nt.items[i].number), "2026%010u", (unsigned)i % 1000000000u);
		snprintf(nt.items[i].letter, sizeof(nt.items[i].letter), "26%08u", (unsigned)i / 10 % 100000000u);
		nt.items[i].status = 2;
	}
	nt.nitems = n;
	reply_notice_xml(&r, &nt, out);
	free(nt.items);
	reply_free(&r);
}

/* store_scan visitor: the file names of the rows, NUL-separated, into a buf. */
static int row_names(void *arg, const void *k, size_t kl, const void *v, size_t vl)
{
	(void)k;
	(void)kl;
	assert_true(vl > 4);
	assert_non_null(memmem(v, vl, "NTC_", 4));
	buf_add(arg, memmem(v, vl, "NTC_", 4), 20);
	buf_add(arg, "", 1);
	return 0;
}

static int rows(struct fixture *f, store_txn *t, struct buf *names)
{
	int n = 0;
	size_t i;

	buf_reset(names);
	assert_int_equal(store_scan(f->s, t, SDB_OUTBOX, NULL, 0, row_names, names), 0);
	for (i = 0; i < names->len; i++)
		n += names->data[i] == '\0';
	return n;
}

/* Two receivers, three notices: two bundles, named by their first notice,
 * written only at the flush, each a valid Notices document. */
static void test_R26_one_bundle_per_receiver_written_at_flush(void **state)
{
	struct fixture *f = *state;
	struct bundles *b = bundles_new("ENTRUSTHUB", "E20261204000000000001", NULL);
	char n1[OUTBOX_NAME_MAX], n2[OUTBOX_NAME_MAX], n3[OUTBOX_NAME_MAX];
	struct buf xml, names;
	store_txn *t = store_begin(f->s);

	buf_init(&xml);
	buf_init(&names);
	notice("4101W68006", 2, &xml);
	assert_int_equal(bundles_add(b, f->s, t, "4101W68006", &xml, n1), 0);
	notice("1101230001", 1, &xml);
	assert_int_equal(bundles_add(b, f->s, t, "1101230001", &xml, n2), 0);
	notice("4101W68006", 3, &xml);
	assert_int_equal(bundles_add(b, f->s, t, "4101W68006", &xml, n3), 0);
	assert_string_equal(n1, "NTC_000000000001.p7m");
	assert_string_equal(n2, "NTC_000000000002.p7m");
	assert_string_equal(n3, n1);
	assert_int_equal(rows(f, t, &names), 0);
	assert_int_equal(bundles_flush(b, f->s, t), 0);
	assert_int_equal(rows(f, t, &names), 2);
	assert_string_equal(names.data, "NTC_000000000001.p7m");
	assert_int_equal(store_commit(t), 0);
	bundles_free(b);
	buf_free(&xml);
	buf_free(&names);
}

/* The document itself: the head, then each Notice whole, valid against xsd/. */
static void test_bundle_document_valid(void **state)
{
	struct xmlin *x;
	struct buf xml, one;
	char p[PATH_MAX], detail[512];
	xmlDocPtr doc;
	int k = 0;
	xmlNodePtr c;

	(void)state;
	xmlin_global_init();
	x = xmlin_load(tu_path(p, "%s/xsd/entrust.xsd", tu_src()), detail, sizeof(detail));
	assert_non_null(x);
	buf_init(&xml);
	buf_init(&one);
	reply_notices_begin("NTS-E1-4101W68006", "ENTRUSTHUB", "4101W68006", &xml);
	notice("4101W68006", 2, &one);
	reply_notices_add(&xml, &one);
	reply_notices_add(&xml, &one);
	reply_notices_end(&xml);
	if (xmlin_parse(x, xml.data, xml.len, &doc, detail, sizeof(detail)) != R_NONE)
		fail_msg("not valid: %s\n%s", detail, xml.data);
	assert_string_equal((const char *)xmlDocGetRootElement(doc)->name, "Notices");
	for (c = xmlDocGetRootElement(doc)->children; c; c = c->next)
		k += c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "Notice") == 0;
	assert_int_equal(k, 2);
	xmlFreeDoc(doc);
	xmlin_free(x);
	buf_free(&xml);
	buf_free(&one);
	xmlin_global_done();
}

/* More than 4 MiB held: every bundle is written at once, and the next
 * notice to the same receiver opens a new one (memory, issue #7). */
static void test_bundles_written_when_they_hold_too_much(void **state)
{
	struct fixture *f = *state;
	struct bundles *b = bundles_new("ENTRUSTHUB", "E20261204000000000001", NULL);
	char first[OUTBOX_NAME_MAX], name[OUTBOX_NAME_MAX];
	struct buf xml, names;
	store_txn *t = store_begin(f->s);
	int i;

	buf_init(&xml);
	buf_init(&names);
	notice("4101W68006", 5000, &xml);	/* some 650 KB */
	assert_true(xml.len > 300000 && xml.len < 1000000);
	assert_int_equal(bundles_add(b, f->s, t, "4101W68006", &xml, first), 0);
	for (i = 0; i < 20 && rows(f, t, &names) == 0; i++)
		assert_int_equal(bundles_add(b, f->s, t, i % 2 ? "4101W68006" : "1101230001", &xml, name), 0);
	assert_true(i >= 4 && i < 20);		/* written once past 4 MiB */
	assert_int_equal(rows(f, t, &names), 2);
	assert_string_equal(names.data, first);
	assert_int_equal(bundles_add(b, f->s, t, "4101W68006", &xml, name), 0);
	assert_string_not_equal(name, first);	/* a new bundle */
	assert_int_equal(bundles_flush(b, f->s, t), 0);
	assert_int_equal(rows(f, t, &names), 3);
	assert_int_equal(store_commit(t), 0);
	bundles_free(b);
	buf_free(&xml);
	buf_free(&names);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_R26_one_bundle_per_receiver_written_at_flush, setup, teardown),
		cmocka_unit_test(test_bundle_document_valid),
		cmocka_unit_test_setup_teardown(test_bundles_written_when_they_hold_too_much, setup, teardown),
	};

	return cmocka_run_group_tests_name("bundle", tests, NULL, NULL);
}
