/* test_sealer — signing ahead (issue #7): a signature is handed out only
 * for the very document, receiver, file and keys it was made for, once;
 * what nobody takes is dropped at the round's end; big documents are not
 * signed ahead; many takers on several threads each get their own
 * document's signature.  Signatures are checked by opening them with the
 * real envelope code against the demo CA (P-256 hub key: quick seals). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include "envelope.h"
#include "pool.h"
#include "sealer.h"
#include "testutil.h"

struct fixture {
	char			*dir;
	char			 pki[PATH_MAX];
	struct envelope_keys	*keys, *other;
	struct sealer		*sealer;
};

static struct envelope_keys *load(struct fixture *f, const char *stem)
{
	char ca[PATH_MAX], c[PATH_MAX], k[PATH_MAX], err[256];

	return envelope_keys_load(tu_path(ca, "%s/ca.pem", f->pki), tu_path(c, "%s/%s.pem", f->pki, stem),
	    tu_path(k, "%s/%s.key", f->pki, stem), err, sizeof(err));
}

static int group_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->dir = tu_tmpdir("sealer");
	tu_path(f->pki, "%s/pki", f->dir);
	if (tu_pki_ec_hub(f->pki) != 0 || (f->keys = load(f, "hub")) == NULL
	    || (f->other = load(f, "consignor")) == NULL)
		return -1;
	*state = f;
	return 0;
}

static int group_teardown(void **state)
{
	struct fixture *f = *state;

	envelope_keys_free(f->keys);
	envelope_keys_free(f->other);
	tu_rmrf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static int setup(void **state)
{
	struct fixture *f = *state;

	f->sealer = sealer_new(2);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sealer_free(f->sealer);
	f->sealer = NULL;
	return 0;
}

static void doc(struct buf *b, int n)
{
	buf_reset(b);
	buf_printf(b, "<Ack xmlns=\"urn:entrust:1\"><N>%d</N><Text>回执 %d</Text></Ack>\n", n, n);
}

/* der is a valid SignedData by the hub over exactly xml. */
static void assert_signed(struct fixture *f, const struct buf *der, const struct buf *xml)
{
	struct envelope_signer signer;
	struct buf content;
	char detail[256];

	buf_init(&content);
	assert_int_equal(envelope_open(f->keys, der->data, der->len, &content, &signer, detail, sizeof(detail)), R_NONE);
	assert_int_equal(content.len, xml->len);
	assert_memory_equal(content.data, xml->data, xml->len);
	assert_non_null(strstr(signer.subject, "ENTRUSTHUB"));
	buf_free(&content);
}

/* Offered, then taken: the hub's signature over the document, once only. */
static void test_take_once(void **state)
{
	struct fixture *f = *state;
	struct buf xml, der;
	unsigned long r;

	buf_init(&xml);
	buf_init(&der);
	doc(&xml, 1);
	r = sealer_begin(f->sealer, f->keys);
	sealer_offer(f->sealer, "1101230001", "ACK_M1.p7m", &xml);
	assert_int_equal(sealer_take(f->sealer, f->keys, "1101230001", "ACK_M1.p7m", xml.data, xml.len, &der), 0);
	assert_signed(f, &der, &xml);
	assert_int_equal(sealer_take(f->sealer, f->keys, "1101230001", "ACK_M1.p7m", xml.data, xml.len, &der), -1);
	sealer_end(f->sealer, r);
	buf_free(&xml);
	buf_free(&der);
}

/* Another document under the same file (a row rolled back and its sequence
 * number used again), another receiver, file or key: not taken. */
static void test_only_the_very_document(void **state)
{
	struct fixture *f = *state;
	struct buf xml, changed, der;
	unsigned long r;

	buf_init(&xml);
	buf_init(&changed);
	buf_init(&der);
	doc(&xml, 2);
	doc(&changed, 3);
	r = sealer_begin(f->sealer, f->keys);
	sealer_offer(f->sealer, "0100HG0001", "EXP_000000000007.p7m", &xml);
	assert_int_equal(sealer_take(f->sealer, f->keys, "0100HG0001", "EXP_000000000007.p7m", changed.data,
	    changed.len, &der), -1);
	assert_int_equal(sealer_take(f->sealer, f->keys, "0100HG0002", "EXP_000000000007.p7m", xml.data,
	    xml.len, &der), -1);
	assert_int_equal(sealer_take(f->sealer, f->keys, "0100HG0001", "EXP_000000000008.p7m", xml.data,
	    xml.len, &der), -1);
	assert_int_equal(sealer_take(f->sealer, f->other, "0100HG0001", "EXP_000000000007.p7m", xml.data,
	    xml.len, &der), -1);
	assert_int_equal(der.len, 0);
	assert_int_equal(sealer_take(f->sealer, f->keys, "0100HG0001", "EXP_000000000007.p7m", xml.data,
	    xml.len, &der), 0);
	assert_signed(f, &der, &xml);
	sealer_end(f->sealer, r);
	buf_free(&xml);
	buf_free(&changed);
	buf_free(&der);
}

/* The round's end drops what was not taken; outside a round nothing is
 * signed ahead; a NULL sealer (one core) does nothing. */
static void test_round_end_drops(void **state)
{
	struct fixture *f = *state;
	struct buf xml, der;
	unsigned long r;
	int i;

	buf_init(&xml);
	buf_init(&der);
	r = sealer_begin(f->sealer, f->keys);
	for (i = 0; i < 20; i++) {
		doc(&xml, i);
		sealer_offer(f->sealer, "1101230001", "NTC_x.p7m", &xml);
	}
	sealer_end(f->sealer, r);	/* may run while signatures are being made */
	doc(&xml, 0);
	assert_int_equal(sealer_take(f->sealer, f->keys, "1101230001", "NTC_x.p7m", xml.data, xml.len, &der), -1);
	sealer_offer(f->sealer, "1101230001", "NTC_x.p7m", &xml);	/* no round open */
	assert_int_equal(sealer_take(f->sealer, NULL, "1101230001", "NTC_x.p7m", xml.data, xml.len, &der), -1);
	sealer_begin(NULL, f->keys);
	sealer_offer(NULL, "1101230001", "NTC_x.p7m", &xml);
	assert_int_equal(sealer_take(NULL, f->keys, "1101230001", "NTC_x.p7m", xml.data, xml.len, &der), -1);
	sealer_end(NULL, 1);
	buf_free(&xml);
	buf_free(&der);
}

/* A big document (a 100,000-item receipt's Ack) is signed at emission only. */
static void test_big_document_not_held(void **state)
{
	struct fixture *f = *state;
	struct buf xml, der;
	unsigned long r;

	buf_init(&xml);
	buf_init(&der);
	while (xml.len <= 64 << 10)
		buf_adds(&xml, "<Item><N>1</N><Status>2</Status></Item>\n");
	r = sealer_begin(f->sealer, f->keys);
	sealer_offer(f->sealer, "0100HG0001", "ACK_BIG.p7m", &xml);
	assert_int_equal(sealer_take(f->sealer, f->keys, "0100HG0001", "ACK_BIG.p7m", xml.data, xml.len, &der), -1);
	sealer_end(f->sealer, r);
	buf_free(&xml);
	buf_free(&der);
}

/* Many documents taken from several threads, most of them while still
 * queued or being signed: each taker gets its own document's signature. */
struct takers {
	struct fixture	*f;
	struct buf	 xml[300], der[300];
	int		 rc[300];
	char		 file[300][32];
};

static void take_one(void *arg, size_t i)
{
	struct takers *t = arg;

	t->rc[i] = sealer_take(t->f->sealer, t->f->keys, "4101B00001", t->file[i], t->xml[i].data,
	    t->xml[i].len, &t->der[i]);
}

static void test_many_takers(void **state)
{
	struct fixture *f = *state;
	struct takers *t = calloc(1, sizeof(*t));
	struct pool *p = pool_new(3);
	size_t i, n = sizeof(t->xml) / sizeof(t->xml[0]);
	unsigned long r;

	t->f = f;
	r = sealer_begin(f->sealer, f->keys);
	for (i = 0; i < n; i++) {
		buf_init(&t->xml[i]);
		buf_init(&t->der[i]);
		doc(&t->xml[i], (int)i);
		snprintf(t->file[i], sizeof(t->file[i]), "NTC_%012zu.p7m", i);
		sealer_offer(f->sealer, "4101B00001", t->file[i], &t->xml[i]);
	}
	pool_run(p, n, take_one, t);
	for (i = 0; i < n; i++) {
		assert_int_equal(t->rc[i], 0);
		assert_signed(f, &t->der[i], &t->xml[i]);
		buf_free(&t->xml[i]);
		buf_free(&t->der[i]);
	}
	sealer_end(f->sealer, r);
	pool_free(p);
	free(t);
}

/* Rounds overlap (one batch's answers taken while the next batch offers):
 * ending the older drops only its own leftovers. */
static void test_rounds_overlap(void **state)
{
	struct fixture *f = *state;
	struct buf a, b, der;
	unsigned long r1, r2;

	buf_init(&a);
	buf_init(&b);
	buf_init(&der);
	doc(&a, 10);
	doc(&b, 11);
	r1 = sealer_begin(f->sealer, f->keys);
	sealer_offer(f->sealer, "1101230001", "ACK_A.p7m", &a);
	sealer_offer(f->sealer, "1101230001", "ACK_LEFT.p7m", &a);	/* rolled back: never taken */
	r2 = sealer_begin(f->sealer, f->keys);
	assert_true(r2 > r1);
	sealer_offer(f->sealer, "1101230001", "ACK_B.p7m", &b);
	assert_int_equal(sealer_take(f->sealer, f->keys, "1101230001", "ACK_A.p7m", a.data, a.len, &der), 0);
	assert_signed(f, &der, &a);
	sealer_end(f->sealer, r1);
	assert_int_equal(sealer_take(f->sealer, f->keys, "1101230001", "ACK_LEFT.p7m", a.data, a.len, &der), -1);
	buf_reset(&der);
	assert_int_equal(sealer_take(f->sealer, f->keys, "1101230001", "ACK_B.p7m", b.data, b.len, &der), 0);
	assert_signed(f, &der, &b);
	sealer_end(f->sealer, r2);
	buf_free(&a);
	buf_free(&b);
	buf_free(&der);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_take_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_only_the_very_document, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_end_drops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_big_document_not_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_takers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rounds_overlap, setup, teardown),
	};

	return cmocka_run_group_tests_name("sealer", tests, group_setup, group_teardown);
}
