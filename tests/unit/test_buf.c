/* test_buf — the growable NUL-terminated byte buffer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "buf.h"

static void test_init_is_empty(void **state)
{
	struct buf b;

	(void)state;
	memset(&b, 0xaa, sizeof(b));
	buf_init(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	buf_reset(&b);		/* resetting a never-used buffer is harmless */
	assert_null(b.data);
	buf_free(&b);
	assert_null(b.data);
}

static void test_add_zero_bytes_gives_empty_string(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b);
	buf_add(&b, "ignored", 0);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	assert_int_equal(b.len, 0);
	assert_true(b.cap >= 1);
	buf_free(&b);
}

static void test_add_binary_keeps_nul_and_terminates(void **state)
{
	static const char bin[] = {'a', '\0', 'b', '\xff', '\0'};
	struct buf b;

	(void)state;
	buf_init(&b);
	buf_add(&b, bin, sizeof(bin));
	assert_int_equal(b.len, sizeof(bin));
	assert_memory_equal(b.data, bin, sizeof(bin));
	assert_int_equal(b.data[b.len], '\0');
	assert_true(b.cap > b.len);
	buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
}

/* Appends, in order, across many reallocations: nothing lost or moved. */
static void test_grow_keeps_content(void **state)
{
	struct buf b;
	size_t i;

	(void)state;
	buf_init(&b);
	for (i = 0; i < 100000; i++) {
		char c = (char)('a' + i % 26);

		buf_add(&b, &c, 1);
		assert_true(b.cap > b.len);
	}
	assert_int_equal(b.len, 100000);
	assert_int_equal(strlen(b.data), 100000);
	for (i = 0; i < 100000; i++)
		if (b.data[i] != (char)('a' + i % 26))
			fail_msg("byte %zu is %c", i, b.data[i]);
	buf_free(&b);
}

/* One large add on an empty buffer reserves for it and its NUL at once. */
static void test_large_single_add(void **state)
{
	static char big[5000];
	struct buf b;

	(void)state;
	memset(big, 'x', sizeof(big));
	buf_init(&b);
	buf_add(&b, big, sizeof(big));
	assert_int_equal(b.len, sizeof(big));
	assert_true(b.cap >= sizeof(big) + 1);
	assert_memory_equal(b.data, big, sizeof(big));
	assert_int_equal(b.data[sizeof(big)], '\0');
	buf_free(&b);
}

static void test_reset_empties_and_keeps_capacity(void **state)
{
	struct buf b;
	size_t cap;
	char *data;

	(void)state;
	buf_init(&b);
	buf_adds(&b, "some text that is here");
	cap = b.cap;
	data = b.data;
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	assert_int_equal(b.cap, cap);
	assert_ptr_equal(b.data, data);
	buf_adds(&b, "new");
	assert_string_equal(b.data, "new");
	assert_int_equal(b.len, 3);
	buf_free(&b);
}

/* Table: a sequence of adds/printfs and the resulting string. */
struct row {
	const char	*label;
	const char	*prefix;	/* buf_adds first, if not NULL */
	const char	*fmt_s;		/* buf_printf("%s=%d", fmt_s, fmt_d) if not NULL */
	int		 fmt_d;
	const char	*suffix;	/* buf_adds last, if not NULL */
	const char	*want;
};

static const struct row rows[] = {
	{"adds only", "abc", NULL, 0, NULL, "abc"},
	{"printf only", NULL, "n", 42, NULL, "n=42"},
	{"printf appends", "x:", "n", -7, NULL, "x:n=-7"},
	{"adds after printf", NULL, "k", 0, ";end", "k=0;end"},
	{"empty string", "", "", 1, "", "=1"},
	{"utf-8 text", "委托", "书", 3, "。", "委托书=3。"},
	{"long printf", "<",
	    "0123456789012345678901234567890123456789012345678901234567890123456789", 123456789, ">",
	    "<0123456789012345678901234567890123456789012345678901234567890123456789=123456789>"},
};

static void test_table_adds_and_printf(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct buf b;

		buf_init(&b);
		if (r->prefix)
			buf_adds(&b, r->prefix);
		if (r->fmt_s)
			buf_printf(&b, "%s=%d", r->fmt_s, r->fmt_d);
		if (r->suffix)
			buf_adds(&b, r->suffix);
		if (b.data == NULL || strcmp(b.data, r->want) != 0 || b.len != strlen(r->want))
			fail_msg("%s: got \"%s\" (len %zu), want \"%s\"", r->label,
			    b.data ? b.data : "(null)", b.len, r->want);
		buf_free(&b);
	}
}

/* printf exactly filling the capacity, then one more: the NUL always fits. */
static void test_printf_at_capacity_boundary(void **state)
{
	struct buf b;
	char want[200];
	size_t cap;

	(void)state;
	buf_init(&b);
	buf_adds(&b, "a");
	cap = b.cap;		/* room for cap - 1 characters */
	buf_printf(&b, "%0*d", (int)(cap - 2), 0);
	assert_int_equal(b.len, cap - 1);
	assert_int_equal(b.cap, cap);
	assert_int_equal(b.data[b.len], '\0');
	buf_printf(&b, "%c", 'z');
	assert_int_equal(b.len, cap);
	assert_true(b.cap > cap);
	memset(want, '0', sizeof(want));
	want[0] = 'a';
	want[cap - 1] = 'z';
	want[cap] = '\0';
	assert_string_equal(b.data, want);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_is_empty),
		cmocka_unit_test(test_add_zero_bytes_gives_empty_string),
		cmocka_unit_test(test_add_binary_keeps_nul_and_terminates),
		cmocka_unit_test(test_grow_keeps_content),
		cmocka_unit_test(test_large_single_add),
		cmocka_unit_test(test_reset_empties_and_keeps_capacity),
		cmocka_unit_test(test_table_adds_and_printf),
		cmocka_unit_test(test_printf_at_capacity_boundary),
	};

	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
