/* codec — tag-length-value encoding of the stored records. */
#include "codec.h"
#include "entrust.h"
#include "outbox.h"
#include <stddef.h>
#include <string.h>

#define S(type, tag, field) { tag, CODEC_STR, offsetof(type, field), sizeof(((type *)0)->field) }
#define I(type, tag, field) { tag, CODEC_I64, offsetof(type, field), sizeof(int64_t) }
#define LP(tag, who) \
	S(struct letter, tag, who.code), S(struct letter, tag + 1, who.credit), \
	S(struct letter, tag + 2, who.name), S(struct letter, tag + 3, who.signer), \
	S(struct letter, tag + 4, who.phone)

static const struct codec_field letter_fields[] = {
	S(struct letter, 1, number), LP(10, consignor), LP(20, broker),
	S(struct letter, 2, initiator), S(struct letter, 3, mode), S(struct letter, 4, matters),
	S(struct letter, 5, other_matter), I(struct letter, 6, validity_months),
	I(struct letter, 7, auto_confirm), S(struct letter, 8, signed_on),
	I(struct letter, 9, status), I(struct letter, 30, created_at),
	I(struct letter, 31, valid_until), I(struct letter, 32, agreement_count),
};

static const struct codec_field agreement_fields[] = {
	S(struct agreement, 1, number), S(struct agreement, 2, letter), S(struct agreement, 3, ref),
	S(struct agreement, 4, initiator), S(struct agreement, 5, consignor),
	S(struct agreement, 6, broker), S(struct agreement, 7, payer), I(struct agreement, 8, status),
	S(struct agreement, 10, goods_name), S(struct agreement, 11, hs_code),
	S(struct agreement, 12, total_value), S(struct agreement, 13, currency),
	S(struct agreement, 14, quantity), S(struct agreement, 15, unit),
	S(struct agreement, 16, direction), S(struct agreement, 17, date),
	S(struct agreement, 18, bill_of_lading), S(struct agreement, 19, trade_mode),
	S(struct agreement, 20, origin), S(struct agreement, 21, other_requirements),
	I(struct agreement, 30, has_broker_half), S(struct agreement, 31, documents_received),
	S(struct agreement, 32, received_on), S(struct agreement, 33, fee),
	S(struct agreement, 34, commitments), S(struct agreement, 35, declaration_number),
	S(struct agreement, 40, message_id), I(struct agreement, 41, created_at),
	I(struct agreement, 42, updated_at), I(struct agreement, 43, signed_at),
	I(struct agreement, 44, used_at),
};

#define DECL(tag, i) \
	S(struct registration, tag, declarants[i].name), \
	S(struct registration, tag + 1, declarants[i].number), \
	S(struct registration, tag + 2, declarants[i].phone)

static const struct codec_field registration_fields[] = {
	S(struct registration, 1, code), S(struct registration, 2, credit),
	S(struct registration, 3, name), S(struct registration, 4, district),
	S(struct registration, 5, address), S(struct registration, 6, introduction),
	S(struct registration, 7, public_phone), S(struct registration, 8, manager_name),
	S(struct registration, 9, manager_id), I(struct registration, 10, ndeclarants),
	I(struct registration, 11, submitted_at), I(struct registration, 12, approved_at),
	I(struct registration, 13, valid_until), S(struct registration, 14, approved_by),
	I(struct registration, 15, warned_for),
	DECL(20, 0), DECL(23, 1), DECL(26, 2), DECL(29, 3), DECL(32, 4),
};

static const struct codec_field account_fields[] = {
	I(struct account, 1, purchased), I(struct account, 2, used), I(struct account, 3, in_use),
};

static const struct codec_field outbox_fields[] = {
	S(struct outbox_row, 1, receiver), S(struct outbox_row, 2, file_name),
	I(struct outbox_row, 3, created_at), S(struct outbox_row, 4, seen),
};

#define SCHEMA(n, type, fields) \
	{ n, 1, fields, sizeof(fields) / sizeof(fields[0]), sizeof(type) }

const struct codec_schema codec_letter = SCHEMA("letter", struct letter, letter_fields);
const struct codec_schema codec_agreement = SCHEMA("agreement", struct agreement, agreement_fields);
const struct codec_schema codec_outbox = SCHEMA("outbox", struct outbox_row, outbox_fields);
const struct codec_schema codec_registration = SCHEMA("registration", struct registration, registration_fields);
const struct codec_schema codec_account = SCHEMA("account", struct account, account_fields);

static void codec_put(struct buf *out, uint8_t tag, const void *p, size_t n)
{
	unsigned char h[3] = {tag, (unsigned char)(n >> 8), (unsigned char)n};

	buf_add(out, h, 3);
	buf_add(out, p, n);
}

void codec_encode(const struct codec_schema *s, const void *rec, struct buf *out)
{
	const char *base = rec;
	unsigned char be[8];
	uint64_t v;
	size_t i, k;

	buf_reset(out);
	buf_add(out, &s->version, 1);
	for (i = 0; i < s->nfields; i++) {
		const struct codec_field *f = &s->fields[i];

		if (f->type == CODEC_STR) {
			codec_put(out, f->tag, base + f->offset, strnlen(base + f->offset, f->size - 1));
			continue;
		}
		memcpy(&v, base + f->offset, 8);
		for (k = 0; k < 8; k++)
			be[k] = (unsigned char)(v >> (56 - 8 * k));
		codec_put(out, f->tag, be, 8);
	}
}

static const struct codec_field *codec_field(const struct codec_schema *s, uint8_t tag)
{
	size_t i;

	for (i = 0; i < s->nfields; i++)
		if (s->fields[i].tag == tag)
			return &s->fields[i];
	return NULL;
}

static int codec_set(const struct codec_field *f, char *base, const unsigned char *p, size_t n)
{
	uint64_t v = 0;
	size_t k;

	if (f->type == CODEC_STR) {
		if (n >= f->size || memchr(p, '\0', n) != NULL)
			return -1;
		memcpy(base + f->offset, p, n);
		base[f->offset + n] = '\0';
		return 0;
	}
	if (n != 8)
		return -1;
	for (k = 0; k < 8; k++)
		v = v << 8 | p[k];
	memcpy(base + f->offset, &v, 8);
	return 0;
}

int codec_decode(const struct codec_schema *s, const void *data, size_t len, void *rec)
{
	const unsigned char *p = data, *end = p + len;
	const struct codec_field *f;
	size_t n;

	memset(rec, 0, s->record_size);
	if (len < 1 || p[0] != s->version)
		return -1;
	for (p++; p < end; p += n) {
		if (end - p < 3)
			return -1;
		n = (size_t)p[1] << 8 | p[2];
		f = codec_field(s, p[0]);
		p += 3;
		if ((size_t)(end - p) < n)
			return -1;
		if (f != NULL && codec_set(f, rec, p, n) < 0)
			return -1;
	}
	return 0;
}
