/* test_codec — the on-disk record format: version byte, then per field
 * (tag, 16-bit big-endian length, value).  Stored records must decode
 * forever, so the wire layout itself is pinned here, not just round trips. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "codec.h"
#include "entrust.h"
#include "outbox.h"
#include "sample.h"
#include "testutil.h"

static void fill_letter(struct letter *l)
{
	memset(l, 0, sizeof(*l));
	strcpy(l->number, "2600000001");
	strcpy(l->consignor.code, "1101230001");
	strcpy(l->consignor.credit, "91110000100000000R");
	strcpy(l->consignor.name, "北京示例贸易有限公司");
	strcpy(l->consignor.signer, "张三");
	strcpy(l->consignor.phone, "010-66668888");
	strcpy(l->broker.code, "4101W68006");
	strcpy(l->broker.name, "郑州示例报关有限公司");
	strcpy(l->initiator, "1101230001");
	strcpy(l->mode, "B");
	strcpy(l->matters, "ABCDEFGH");
	memset(l->other_matter, 'm', sizeof(l->other_matter) - 1);	/* full field */
	l->validity_months = 12;
	l->auto_confirm = 1;
	strcpy(l->signed_on, "2026-12-03");
	l->status = LS_TERMINATED;
	l->created_at = 1796256000;
	l->valid_until = INT64_MAX;
	l->agreement_count = 10;
}

static void fill_agreement(struct agreement *a)
{
	memset(a, 0, sizeof(*a));
	strcpy(a->number, "20260000000001");
	strcpy(a->letter, "2600000001");
	strcpy(a->ref, "ref-1.a_b");
	strcpy(a->initiator, "4101W68006");
	strcpy(a->consignor, "1101230001");
	strcpy(a->broker, "4101W68006");
	strcpy(a->payer, "consignor");
	a->status = ST_REVOKE_FAILED;
	sample_goods(a);
	memset(a->other_requirements, 'r', sizeof(a->other_requirements) - 1);
	a->has_broker_half = 1;
	strcpy(a->documents_received, "contract invoice packing-list");
	strcpy(a->received_on, "2026-12-04");
	strcpy(a->fee, "350.00");
	strcpy(a->commitments, "按时申报");
	strcpy(a->declaration_number, "123456789012345678");
	strcpy(a->message_id, "ERP-20261203-0001");
	a->created_at = -5;	/* negative values survive the unsigned wire form */
	a->updated_at = INT64_MIN;
}

static void test_letter_round_trip(void **state)
{
	struct letter l, got;
	struct buf b;

	(void)state;
	fill_letter(&l);
	buf_init(&b);
	codec_encode(&codec_letter, &l, &b);
	memset(&got, 0x5a, sizeof(got));
	assert_int_equal(codec_decode(&codec_letter, b.data, b.len, &got), 0);
	assert_memory_equal(&got, &l, sizeof(l));
	buf_free(&b);
}

static void test_agreement_round_trip(void **state)
{
	struct agreement a, got;
	struct buf b;

	(void)state;
	fill_agreement(&a);
	buf_init(&b);
	codec_encode(&codec_agreement, &a, &b);
	memset(&got, 0x5a, sizeof(got));
	assert_int_equal(codec_decode(&codec_agreement, b.data, b.len, &got), 0);
	assert_memory_equal(&got, &a, sizeof(a));
	assert_int_equal(got.updated_at, INT64_MIN);
	assert_int_equal(got.created_at, -5);
	buf_free(&b);
}

/* The exact bytes of an outbox row: the format on disk. */
static void test_outbox_wire_format(void **state)
{
	static const unsigned char want[] = {
		1,					/* version */
		1, 0, 3, 'a', 'b', 'c',			/* receiver */
		2, 0, 5, 'N', '.', 'p', '7', 'm',	/* file_name */
		3, 0, 8, 0, 0, 0, 0, 0, 0, 0x01, 0x02,	/* created_at, 8 bytes BE */
		4, 0, 7, 'c', 'o', 'd', 'e', '|', 'i', 'd',	/* seen: the answer's key there */
	};
	struct outbox_row row, got;
	struct buf b;

	(void)state;
	memset(&row, 0, sizeof(row));
	row.seq = 99;		/* the key, not a field: not encoded */
	strcpy(row.receiver, "abc");
	strcpy(row.file_name, "N.p7m");
	row.created_at = 0x102;
	strcpy(row.seen, "code|id");
	buf_init(&b);
	codec_encode(&codec_outbox, &row, &b);
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(b.data, want, sizeof(want));
	assert_int_equal(codec_decode(&codec_outbox, want, sizeof(want), &got), 0);
	assert_int_equal(got.seq, 0);
	assert_string_equal(got.receiver, "abc");
	assert_string_equal(got.file_name, "N.p7m");
	assert_int_equal(got.created_at, 0x102);
	assert_string_equal(got.seen, "code|id");
	buf_free(&b);
}

/* A string that fills its array without a NUL is cut to size - 1, never overread. */
static void test_unterminated_field_is_cut(void **state)
{
	struct outbox_row row, got;
	struct buf b;

	(void)state;
	memset(&row, 'Z', sizeof(row));
	row.created_at = 1;
	buf_init(&b);
	codec_encode(&codec_outbox, &row, &b);
	assert_int_equal(codec_decode(&codec_outbox, b.data, b.len, &got), 0);
	assert_int_equal(strlen(got.receiver), sizeof(got.receiver) - 1);
	assert_int_equal(strlen(got.file_name), sizeof(got.file_name) - 1);
	assert_int_equal(strlen(got.seen), sizeof(got.seen) - 1);
	buf_free(&b);
}

/* Fields added later: unknown tags are skipped, missing ones read as empty. */
static void test_unknown_tags_skipped_missing_empty(void **state)
{
	static const unsigned char data[] = {
		1,
		200, 0, 4, 'n', 'e', 'w', '!',		/* a tag from the future */
		2, 0, 2, 'f', 'n',
		201, 0, 0,				/* empty unknown */
	};
	struct outbox_row got;

	(void)state;
	memset(&got, 0x77, sizeof(got));
	assert_int_equal(codec_decode(&codec_outbox, data, sizeof(data), &got), 0);
	assert_string_equal(got.receiver, "");
	assert_string_equal(got.file_name, "fn");
	assert_int_equal(got.created_at, 0);
	assert_int_equal(got.seq, 0);
}

/* Table: corrupt or foreign data is refused. */
struct bad {
	const char	*label;
	const char	*data;
	size_t		 len;
};

#define BAD(label, lit) { label, lit, sizeof(lit) - 1 }
static const struct bad bads[] = {
	{"empty", "", 0},
	BAD("version 0", "\x00"),
	BAD("version 2", "\x02"),
	BAD("header cut after tag", "\x01\x01"),
	BAD("header cut in length", "\x01\x01\x00"),
	BAD("value shorter than length", "\x01\x01\x00\x05" "abc"),
	BAD("string as long as its field", "\x01\x01\x00\x0b" "12345678901"),	/* receiver[11] */
	BAD("string with NUL", "\x01\x01\x00\x03" "a\0b"),
	BAD("integer of 4 bytes", "\x01\x03\x00\x04" "\0\0\0\1"),
	BAD("integer of 9 bytes", "\x01\x03\x00\x09" "\0\0\0\0\0\0\0\0\1"),
	BAD("trailing byte", "\x01\x01\x00\x01" "a" "\x02"),
};

static void test_table_corrupt_refused(void **state)
{
	struct outbox_row got;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++)
		if (codec_decode(&codec_outbox, bads[i].data, bads[i].len, &got) != -1)
			fail_msg("%s: accepted", bads[i].label);
	/* The longest string that fits is fine. */
	assert_int_equal(codec_decode(&codec_outbox, "\x01\x01\x00\x0a" "1234567890", 14, &got), 0);
	assert_string_equal(got.receiver, "1234567890");
}

/* A letter is not an agreement: same version, but an agreement's fields are
 * too long for a letter's (tag 5 other_matter vs consignor, etc.). */
static void test_decode_uses_its_own_schema(void **state)
{
	struct agreement a;
	struct letter l;
	struct buf b;

	(void)state;
	fill_agreement(&a);
	buf_init(&b);
	codec_encode(&codec_agreement, &a, &b);
	/* Tag 21 (other_requirements, 2048 chars) is unknown to letters: skipped;
	 * tag 1 fits; tag 3 (ref, 9 chars) lands in mode[2]: too long. */
	assert_int_equal(codec_decode(&codec_letter, b.data, b.len, &l), -1);
	buf_free(&b);
}

/* Every schema: tags unique and non-zero, fields inside the record, sizes sane. */
static void test_schemas_are_sound(void **state)
{
	const struct codec_schema *schemas[] = {&codec_letter, &codec_agreement, &codec_outbox,
	    &codec_registration, &codec_account};
	size_t i, j, k;

	(void)state;
	for (i = 0; i < sizeof(schemas) / sizeof(schemas[0]); i++) {
		const struct codec_schema *s = schemas[i];

		assert_int_equal(s->version, 1);
		assert_true(s->nfields > 0);
		for (j = 0; j < s->nfields; j++) {
			const struct codec_field *f = &s->fields[j];

			if (f->tag == 0 || f->offset + f->size > s->record_size)
				fail_msg("%s field %zu: tag %u offset %zu size %zu", s->name, j, f->tag,
				    f->offset, f->size);
			if (f->type == CODEC_I64 && f->size != 8)
				fail_msg("%s tag %u: integer of size %zu", s->name, f->tag, f->size);
			if (f->type == CODEC_STR && (f->size < 2 || f->size > 65535))
				fail_msg("%s tag %u: string size %zu", s->name, f->tag, f->size);
			for (k = 0; k < j; k++)
				if (s->fields[k].tag == f->tag)
					fail_msg("%s: tag %u used twice", s->name, f->tag);
		}
	}
	assert_int_equal(codec_letter.record_size, sizeof(struct letter));
	assert_int_equal(codec_agreement.record_size, sizeof(struct agreement));
	assert_int_equal(codec_outbox.record_size, sizeof(struct outbox_row));
	assert_int_equal(codec_registration.record_size, sizeof(struct registration));
	assert_int_equal(codec_account.record_size, sizeof(struct account));
}

/* A registration with all five declarants round-trips (R3). */
static void test_registration_round_trip(void **state)
{
	struct registration r, got;
	struct buf b;
	int i;

	(void)state;
	memset(&r, 0, sizeof(r));
	strcpy(r.code, "4101W68006");
	strcpy(r.credit, "91330100799655058B");
	strcpy(r.name, "郑州示例报关有限公司");
	strcpy(r.district, "4101");
	strcpy(r.manager_id, "410101198001010011");
	for (i = 0; i < MAX_DECLARANTS; i++) {
		snprintf(r.declarants[i].name, sizeof(r.declarants[i].name), "报关员%d", i);
		snprintf(r.declarants[i].number, sizeof(r.declarants[i].number), "D%08d", i);
		snprintf(r.declarants[i].phone, sizeof(r.declarants[i].phone), "1390000000%d", i);
	}
	r.ndeclarants = MAX_DECLARANTS;
	r.valid_until = 1827792000;
	strcpy(r.approved_by, "1100XH0001");
	buf_init(&b);
	codec_encode(&codec_registration, &r, &b);
	assert_int_equal(codec_decode(&codec_registration, b.data, b.len, &got), 0);
	assert_memory_equal(&got, &r, sizeof(r));
	buf_free(&b);
}

/* Every byte of every field is encoded: change one field, the bytes change. */
static void test_every_agreement_field_is_encoded(void **state)
{
	const struct codec_schema *s = &codec_agreement;
	struct agreement a, b2;
	struct buf base, other;
	size_t j;

	(void)state;
	fill_agreement(&a);
	buf_init(&base);
	buf_init(&other);
	codec_encode(s, &a, &base);
	for (j = 0; j < s->nfields; j++) {
		const struct codec_field *f = &s->fields[j];
		char *p;

		b2 = a;
		p = (char *)&b2 + f->offset;
		if (f->type == CODEC_STR)
			p[0] = p[0] == 'Q' ? 'q' : 'Q';
		else
			p[0] ^= 1;
		codec_encode(s, &b2, &other);
		if (other.len == base.len && memcmp(other.data, base.data, base.len) == 0)
			fail_msg("agreement tag %u not encoded", f->tag);
	}
	buf_free(&base);
	buf_free(&other);
}

/* encode resets its output buffer rather than appending. */
static void test_encode_replaces_output(void **state)
{
	struct outbox_row row;
	struct buf b;
	size_t len;

	(void)state;
	memset(&row, 0, sizeof(row));
	strcpy(row.receiver, "r");
	buf_init(&b);
	codec_encode(&codec_outbox, &row, &b);
	len = b.len;
	codec_encode(&codec_outbox, &row, &b);
	assert_int_equal(b.len, len);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_letter_round_trip),
		cmocka_unit_test(test_agreement_round_trip),
		cmocka_unit_test(test_outbox_wire_format),
		cmocka_unit_test(test_unterminated_field_is_cut),
		cmocka_unit_test(test_unknown_tags_skipped_missing_empty),
		cmocka_unit_test(test_table_corrupt_refused),
		cmocka_unit_test(test_decode_uses_its_own_schema),
		cmocka_unit_test(test_schemas_are_sound),
		cmocka_unit_test(test_registration_round_trip),
		cmocka_unit_test(test_every_agreement_field_is_encoded),
		cmocka_unit_test(test_encode_replaces_output),
	};

	return cmocka_run_group_tests_name("codec", tests, NULL, NULL);
}
