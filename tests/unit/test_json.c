/* test_json — the JSON writer behind entrustctl --json: commas placed
 * automatically at every depth, keys and strings escaped (quote, backslash,
 * every control character as \u00XX), UTF-8 passed through unchanged,
 * 64-bit integers, nesting up to JSON_DEPTH and a panic beyond it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <sys/wait.h>
#include "json.h"
#include "testutil.h"

static void test_empty_object_and_array(void **state)
{
	struct buf b;
	struct json j;

	(void)state;
	buf_init(&b);
	json_init(&j, &b);
	json_open(&j, '{');
	json_close(&j, '}');
	assert_string_equal(b.data, "{}");
	buf_reset(&b);
	json_init(&j, &b);
	json_open(&j, '[');
	json_close(&j, ']');
	assert_string_equal(b.data, "[]");
	buf_free(&b);
}

static void test_object_commas_between_members(void **state)
{
	struct buf b;
	struct json j;

	(void)state;
	buf_init(&b);
	json_init(&j, &b);
	json_open(&j, '{');
	json_kstr(&j, "letter", "2600000001");
	json_kint(&j, "agreements", 3);
	json_kint(&j, "min", INT64_MIN);
	json_kint(&j, "max", INT64_MAX);
	json_kstr(&j, "empty", "");
	json_close(&j, '}');
	assert_string_equal(b.data, "{\"letter\":\"2600000001\",\"agreements\":3,"
	    "\"min\":-9223372036854775808,\"max\":9223372036854775807,\"empty\":\"\"}");
	buf_free(&b);
}

/* Arrays of values, objects in arrays, arrays in objects: one comma between
 * siblings, none after a key, none after an opening bracket. */
static void test_nesting_commas(void **state)
{
	struct buf b;
	struct json j;
	int i;

	(void)state;
	buf_init(&b);
	json_init(&j, &b);
	json_open(&j, '{');
	json_kstr(&j, "party", "1101230001");
	json_key(&j, "statuses");
	json_open(&j, '[');
	for (i = 0; i < 3; i++)
		json_int(&j, i);
	json_close(&j, ']');
	json_key(&j, "agreements");
	json_open(&j, '[');
	for (i = 0; i < 2; i++) {
		json_open(&j, '{');
		json_kint(&j, "n", i);
		json_key(&j, "tags");
		json_open(&j, '[');
		json_str(&j, "a");
		json_str(&j, "b");
		json_close(&j, ']');
		json_key(&j, "empty");
		json_open(&j, '{');
		json_close(&j, '}');
		json_close(&j, '}');
	}
	json_close(&j, ']');
	json_kint(&j, "after", 7);
	json_close(&j, '}');
	assert_string_equal(b.data, "{\"party\":\"1101230001\",\"statuses\":[0,1,2],\"agreements\":["
	    "{\"n\":0,\"tags\":[\"a\",\"b\"],\"empty\":{}},{\"n\":1,\"tags\":[\"a\",\"b\"],\"empty\":{}}],"
	    "\"after\":7}");
	buf_free(&b);
}

/* Top-level values in sequence (json lines are one document per json_init). */
static void test_array_of_arrays(void **state)
{
	struct buf b;
	struct json j;

	(void)state;
	buf_init(&b);
	json_init(&j, &b);
	json_open(&j, '[');
	json_open(&j, '[');
	json_close(&j, ']');
	json_open(&j, '[');
	json_int(&j, -1);
	json_close(&j, ']');
	json_str(&j, "x");
	json_close(&j, ']');
	assert_string_equal(b.data, "[[],[-1],\"x\"]");
	buf_free(&b);
}

static const struct {
	const char	*label, *in, *want;
} escapes[] = {
	{"plain", "abc", "\"abc\""},
	{"quote", "say \"hi\"", "\"say \\\"hi\\\"\""},
	{"backslash", "C:\\dir\\", "\"C:\\\\dir\\\\\""},
	{"newline, tab, CR", "a\nb\tc\r", "\"a\\u000ab\\u0009c\\u000d\""},
	{"0x01 and 0x1f", "\x01-\x1f", "\"\\u0001-\\u001f\""},
	{"backspace, form feed, escape", "\b\f\x1b", "\"\\u0008\\u000c\\u001b\""},
	{"0x20 and DEL stay", " \x7f", "\" \x7f\""},
	{"slash stays", "a/b", "\"a/b\""},
	{"UTF-8 CJK unchanged", "北京示例贸易有限公司", "\"北京示例贸易有限公司\""},
	{"UTF-8 4-byte unchanged", "\xf0\x9f\x93\xa6 box", "\"\xf0\x9f\x93\xa6 box\""},
	{"UTF-8 next to escapes", "委托\"方\"\n", "\"委托\\\"方\\\"\\u000a\""},
	{"high bytes not mistaken for controls", "\xc2\x80\xc2\x9f", "\"\xc2\x80\xc2\x9f\""},
	{"empty", "", "\"\""},
};

static void test_table_string_escaping(void **state)
{
	struct buf b;
	struct json j;
	size_t i;

	(void)state;
	buf_init(&b);
	for (i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++) {
		buf_reset(&b);
		json_init(&j, &b);
		json_str(&j, escapes[i].in);
		if (strcmp(b.data, escapes[i].want) != 0)
			fail_msg("%s: %s, want %s", escapes[i].label, b.data, escapes[i].want);
	}
	buf_free(&b);
}

/* Every control character 0x00..0x1f (in a key too) comes out as \u00XX. */
static void test_every_control_character_escaped_in_keys_and_values(void **state)
{
	char in[3], want[64];
	struct buf b;
	struct json j;
	int c;

	(void)state;
	buf_init(&b);
	for (c = 1; c < 0x20; c++) {
		in[0] = 'k';
		in[1] = (char)c;
		in[2] = '\0';
		buf_reset(&b);
		json_init(&j, &b);
		json_open(&j, '{');
		json_kstr(&j, in, in);
		json_close(&j, '}');
		snprintf(want, sizeof(want), "{\"k\\u%04x\":\"k\\u%04x\"}", c, c);
		assert_string_equal(b.data, want);
	}
	buf_free(&b);
}

/* JSON_DEPTH - 1 levels are fine. */
static void test_deep_nesting_within_limit(void **state)
{
	struct buf b;
	struct json j;
	int i;

	(void)state;
	buf_init(&b);
	json_init(&j, &b);
	for (i = 0; i < JSON_DEPTH - 1; i++)
		json_open(&j, '[');
	json_int(&j, 1);
	json_int(&j, 2);
	for (i = 0; i < JSON_DEPTH - 1; i++)
		json_close(&j, ']');
	assert_int_equal(b.len, 2 * (JSON_DEPTH - 1) + 3);
	assert_int_equal(strncmp(b.data + JSON_DEPTH - 1, "1,2", 3), 0);
	assert_int_equal(j.depth, 0);
	buf_free(&b);
}

/* Run fn in a child; whether it died of SIGABRT (panic). */
static int aborts(void (*fn)(void))
{
	pid_t pid;
	int st;

	fflush(NULL);
	if ((pid = fork()) == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 2);
		signal(SIGABRT, SIG_DFL);
		fn();
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT;
}

static void too_deep(void)
{
	struct buf b;
	struct json j;
	int i;

	buf_init(&b);
	json_init(&j, &b);
	for (i = 0; i < JSON_DEPTH; i++)
		json_open(&j, '[');
}

static void close_without_open(void)
{
	struct buf b;
	struct json j;

	buf_init(&b);
	json_init(&j, &b);
	json_close(&j, '}');
}

static void within_limit(void)
{
	struct buf b;
	struct json j;
	int i;

	buf_init(&b);
	json_init(&j, &b);
	for (i = 0; i < JSON_DEPTH - 1; i++)
		json_open(&j, '[');
	buf_free(&b);
}

/* Beyond JSON_DEPTH, or a close without an open: a bug, so a panic. */
static void test_misuse_panics(void **state)
{
	(void)state;
	assert_true(aborts(too_deep));
	assert_true(aborts(close_without_open));
	assert_false(aborts(within_limit));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_object_and_array),
		cmocka_unit_test(test_object_commas_between_members),
		cmocka_unit_test(test_nesting_commas),
		cmocka_unit_test(test_array_of_arrays),
		cmocka_unit_test(test_table_string_escaping),
		cmocka_unit_test(test_every_control_character_escaped_in_keys_and_values),
		cmocka_unit_test(test_deep_nesting_within_limit),
		cmocka_unit_test(test_misuse_panics),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
