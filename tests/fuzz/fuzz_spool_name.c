/* fuzz_spool_name — libFuzzer harness for spool_name_ok (src/spool.c) against
 * a reference of docs/protocol.md §3.1 ([A-Za-z0-9][A-Za-z0-9._-]{0,127}, not
 * ending in .tmp or .part), plus spool_original_name and spool_work_id on the
 * same bytes (memory safety of the name helpers).  Any disagreement aborts.
 * Built by tests/fuzz/fuzz.mk with -fsanitize=fuzzer,address,undefined. */
#include "spool.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int ref_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int ref_name_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 1 || n > 128 || !ref_alnum((unsigned char)s[0]))
		return 0;
	for (i = 1; i < n; i++)
		if (!ref_alnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
			return 0;
	if ((n >= 4 && strcmp(s + n - 4, ".tmp") == 0) || (n >= 5 && strcmp(s + n - 5, ".part") == 0))
		return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), id[32];
	const char *orig;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (!!spool_name_ok(s) != ref_name_ok(s))
		abort();
	orig = spool_original_name(s);
	if (orig < s || orig > s + strlen(s))
		abort();
	spool_work_id(s, id, sizeof(id));
	if (strlen(id) >= sizeof(id))
		abort();
	free(s);
	return 0;
}
