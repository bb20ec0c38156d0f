/* json — minimal JSON writer. */
#include "json.h"
#include "xmem.h"
#include <stdio.h>

void json_init(struct json *j, struct buf *out)
{
	j->out = out;
	j->depth = 0;
	j->count[0] = 0;
}

/* A value is about to be written: separate it from the one before. */
static void json_value(struct json *j)
{
	if (j->count[j->depth]++ > 0)
		buf_adds(j->out, ",");
}

void json_open(struct json *j, char kind)
{
	json_value(j);
	buf_add(j->out, &kind, 1);
	if (++j->depth >= JSON_DEPTH)
		panic("json: nested too deep");
	j->count[j->depth] = 0;
}

void json_close(struct json *j, char kind)
{
	if (j->depth == 0)
		panic("json: close without open");
	j->depth--;
	buf_add(j->out, &kind, 1);
}

static void json_escaped(struct buf *b, const char *s)
{
	buf_adds(b, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			buf_printf(b, "\\%c", c);
		else if (c < 0x20)
			buf_printf(b, "\\u%04x", c);
		else
			buf_add(b, s, 1);
	}
	buf_adds(b, "\"");
}

void json_key(struct json *j, const char *key)
{
	json_value(j);
	json_escaped(j->out, key);
	buf_adds(j->out, ":");
	j->count[j->depth] = 0;		/* the value follows without a comma */
}

void json_str(struct json *j, const char *s)
{
	json_value(j);
	json_escaped(j->out, s);
	j->count[j->depth] = 1;
}

void json_int(struct json *j, int64_t v)
{
	json_value(j);
	buf_printf(j->out, "%lld", (long long)v);
	j->count[j->depth] = 1;
}

void json_kstr(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_str(j, s);
}

void json_kint(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	json_int(j, v);
}
