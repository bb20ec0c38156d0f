/* json — a minimal JSON writer for entrustctl --json: objects, arrays,
 * strings (escaped), integers.  Commas are placed automatically.
 * Failure contract: none; nesting beyond JSON_DEPTH is a bug (panic). */
#ifndef JSON_H
#define JSON_H
#include <stdint.h>
#include "buf.h"

#define JSON_DEPTH 16

struct json {
	struct buf	*out;
	int		 depth;
	int		 count[JSON_DEPTH];
};

void json_init(struct json *j, struct buf *out);
void json_open(struct json *j, char kind);	/* '{' or '[' */
void json_close(struct json *j, char kind);	/* '}' or ']' */
void json_key(struct json *j, const char *key);
void json_str(struct json *j, const char *s);
void json_int(struct json *j, int64_t v);
/* Shorthands for "key": value inside an object. */
void json_kstr(struct json *j, const char *key, const char *s);
void json_kint(struct json *j, const char *key, int64_t v);
#endif
