/* test_strmap — strings to pointers: put and get, a second put replaces and
 * gives back the old value, keys are copies, absent keys are absent (also
 * in an empty map), 10,000 keys survive the table's growth, and free hands
 * each value to the caller's function once. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include "strmap.h"

static void test_put_get_replace(void **state)
{
	struct strmap m;
	char key[16] = "ca.pem";
	void *v = NULL;
	int a = 1, b = 2;

	(void)state;
	strmap_init(&m);
	assert_false(strmap_get(&m, "ca.pem", &v));	/* empty */
	assert_null(strmap_put(&m, key, &a));
	key[0] = 'X';	/* the map has its own copy */
	assert_true(strmap_get(&m, "ca.pem", &v));
	assert_ptr_equal(v, &a);
	assert_false(strmap_get(&m, key, NULL));
	assert_ptr_equal(strmap_put(&m, "ca.pem", &b), &a);
	assert_true(strmap_get(&m, "ca.pem", &v));
	assert_ptr_equal(v, &b);
	assert_null(strmap_put(&m, "", NULL));	/* "" is a key like any other, NULL a value */
	assert_true(strmap_get(&m, "", &v));
	assert_null(v);
	assert_int_equal(m.n, 2);
	strmap_free(&m, NULL);
	assert_int_equal(m.n, 0);
}

static int freed;

static void count_free(void *p)
{
	freed++;
	free(p);
}

static void test_many_keys_and_free(void **state)
{
	struct strmap m;
	char key[65];
	void *v;
	int i, *p;

	(void)state;
	strmap_init(&m);
	for (i = 0; i < 10000; i++) {
		snprintf(key, sizeof(key), "%064x", (unsigned)i * 2654435761u);
		p = malloc(sizeof(*p));
		*p = i;
		assert_null(strmap_put(&m, key, p));
	}
	assert_int_equal(m.n, 10000);
	assert_true(2 * m.n <= m.nslot);	/* at most half full */
	for (i = 0; i < 10000; i++) {
		snprintf(key, sizeof(key), "%064x", (unsigned)i * 2654435761u);
		assert_true(strmap_get(&m, key, &v));
		assert_int_equal(*(int *)v, i);
	}
	assert_false(strmap_get(&m, "not there", NULL));
	freed = 0;
	strmap_free(&m, count_free);
	assert_int_equal(freed, 10000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_replace),
		cmocka_unit_test(test_many_keys_and_free),
	};

	return cmocka_run_group_tests_name("strmap", tests, NULL, NULL);
}
