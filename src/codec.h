/* codec — stored records as bytes: a version byte, then (tag, length, value)
 * per field.  Unknown tags are skipped on decode and missing ones read as
 * empty, so fields can be added later without rewriting the store.
 * Never raw structs: a record's layout in memory is not its layout on disk.
 * Failure contract: codec_decode returns -1 on corrupt or foreign data. */
#ifndef CODEC_H
#define CODEC_H
#include <stddef.h>
#include <stdint.h>
#include "buf.h"

enum codec_type { CODEC_STR, CODEC_I64 };

struct codec_field {
	uint8_t		tag;		/* stable forever; never reuse a retired tag */
	enum codec_type	type;
	size_t		offset;
	size_t		size;		/* for CODEC_STR: the char array's size */
};

struct codec_schema {
	const char			*name;
	uint8_t				 version;
	const struct codec_field	*fields;
	size_t				 nfields;
	size_t				 record_size;
};

extern const struct codec_schema codec_letter;		/* struct letter */
extern const struct codec_schema codec_agreement;	/* struct agreement */
extern const struct codec_schema codec_outbox;		/* struct outbox_row */
extern const struct codec_schema codec_registration;	/* struct registration */
extern const struct codec_schema codec_account;		/* struct account */

void codec_encode(const struct codec_schema *s, const void *rec, struct buf *out);
int codec_decode(const struct codec_schema *s, const void *data, size_t len, void *rec);
#endif
