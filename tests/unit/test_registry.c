/* test_registry — the party registry file and the R1 lookups on it:
 * certificate fingerprint → party (exactly one wanted), code + role → party. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "registry.h"
#include "testutil.h"

#define FP_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define FP_B "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define FP_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define FP_D "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"

struct fixture {
	char	*dir;
	char	 file[PATH_MAX];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->dir = tu_tmpdir("registry");
	tu_path(f->file, "%s/parties.conf", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tu_rmrf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static struct registry *load(struct fixture *f, const char *text, char *err, size_t n)
{
	assert_int_equal(tu_writes(f->file, text), 0);
	err[0] = '\0';
	return registry_load(f->file, err, n);
}

static const char good_file[] =
    "# entrust party registry\n"
    "\n"
    "1101230001 consignor " FP_A " 北京示例贸易有限公司\n"
    "   \t\n"
    "4101W68006\tbroker\t" FP_B "\t  郑州示例报关有限公司 (Zhengzhou)  \r\n"
    "0100HG0001 customs " FP_C "\n"
    "ENTRUSTOPS operator " FP_D " entrust 运营方\n"
    "1100XH0001 association " FP_D " 北京报关协会\n"
    "  # an indented comment\n"
    "4101W68006 consignor " FP_C " same code, other role";

static void test_load_good_file(void **state)
{
	struct fixture *f = *state;
	const struct party *p;
	struct registry *r;
	char err[256];

	r = load(f, good_file, err, sizeof(err));
	assert_non_null(r);
	assert_int_equal(registry_count(r), 6);

	p = registry_by_code(r, "1101230001", ROLE_CONSIGNOR);
	assert_non_null(p);
	assert_string_equal(p->code, "1101230001");
	assert_int_equal(p->role, ROLE_CONSIGNOR);
	assert_string_equal(p->fingerprint, FP_A);
	assert_string_equal(p->name, "北京示例贸易有限公司");

	/* Tabs separate; the name keeps inner spaces, loses leading ones and the CR. */
	p = registry_by_code(r, "4101W68006", ROLE_BROKER);
	assert_non_null(p);
	assert_string_equal(p->name, "郑州示例报关有限公司 (Zhengzhou)  ");

	/* No name at all. */
	p = registry_by_code(r, "0100HG0001", ROLE_CUSTOMS);
	assert_non_null(p);
	assert_string_equal(p->name, "");

	/* The last line had no newline. */
	p = registry_by_code(r, "4101W68006", ROLE_CONSIGNOR);
	assert_non_null(p);
	assert_string_equal(p->name, "same code, other role");

	/* Iteration in file order. */
	assert_string_equal(registry_at(r, 0)->code, "1101230001");
	assert_int_equal(registry_at(r, 1)->role, ROLE_BROKER);
	assert_ptr_equal(registry_at(r, 5), p);
	assert_null(registry_at(r, 6));
	assert_null(registry_at(r, (size_t)-1));
	registry_free(r);
}

/* R2: a code answers only in its registered role. */
static void test_R2_by_code_needs_the_role(void **state)
{
	struct fixture *f = *state;
	struct registry *r;
	char err[256];

	r = load(f, good_file, err, sizeof(err));
	assert_non_null(r);
	assert_null(registry_by_code(r, "1101230001", ROLE_BROKER));
	assert_null(registry_by_code(r, "1101230002", ROLE_CONSIGNOR));
	assert_null(registry_by_code(r, "110123000", ROLE_CONSIGNOR));
	assert_null(registry_by_code(r, "", ROLE_CONSIGNOR));
	assert_non_null(registry_by_code(r, "1100XH0001", ROLE_ASSOCIATION));
	assert_non_null(registry_by_code(r, "ENTRUSTOPS", ROLE_OPERATOR));
	registry_free(r);
}

/* R1: a fingerprint binds to 0, 1 or several parties; *found is the first. */
static void test_R1_by_fingerprint_counts(void **state)
{
	struct fixture *f = *state;
	const struct party *p = (const struct party *)1;
	struct registry *r;
	char err[256];

	r = load(f, good_file, err, sizeof(err));
	assert_non_null(r);
	assert_int_equal(registry_by_fingerprint(r, FP_A, &p), 1);
	assert_string_equal(p->code, "1101230001");
	assert_int_equal(registry_by_fingerprint(r, FP_B, &p), 1);
	assert_int_equal(p->role, ROLE_BROKER);
	assert_int_equal(registry_by_fingerprint(r, FP_C, &p), 2);
	assert_string_equal(p->code, "0100HG0001");
	assert_int_equal(registry_by_fingerprint(r, FP_D, &p), 2);
	assert_int_equal(p->role, ROLE_OPERATOR);
	assert_int_equal(registry_by_fingerprint(r, "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", &p), 0);
	assert_null(p);
	/* Matching is exact: upper case or a prefix is another certificate. */
	assert_int_equal(registry_by_fingerprint(r, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &p), 0);
	assert_int_equal(registry_by_fingerprint(r, "aaaa", &p), 0);
	registry_free(r);
}

static void test_empty_registry(void **state)
{
	struct fixture *f = *state;
	const struct party *p;
	struct registry *r;
	char err[256];

	r = load(f, "# nobody yet\n\n", err, sizeof(err));
	assert_non_null(r);
	assert_int_equal(registry_count(r), 0);
	assert_int_equal(registry_by_fingerprint(r, FP_A, &p), 0);
	assert_null(registry_by_code(r, "1101230001", ROLE_CONSIGNOR));
	registry_free(r);
	registry_free(NULL);
}

/* Table: refused lines, reported as "file:line: why". */
struct bad {
	const char	*label;
	const char	*text;
	const char	*want;	/* after "<file>" */
};

static const struct bad bads[] = {
	{"code only", "1101230001\n", ":1: expected \"code role fingerprint name\""},
	{"no fingerprint", "# c\n1101230001 consignor\n", ":2: expected"},
	{"code too short", "110123000 consignor " FP_A " x\n", ":1: bad customs code"},
	{"code too long", "11012300011 consignor " FP_A " x\n", ":1: bad customs code"},
	{"code lowercase", "4101w68006 broker " FP_A " x\n", ":1: bad customs code"},
	{"unknown role", "1101230001 shipper " FP_A " x\n", ":1: unknown role"},
	{"role capitalised", "1101230001 Consignor " FP_A " x\n", ":1: unknown role"},
	{"fingerprint upper case", "1101230001 consignor " "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA x\n",
	    ":1: fingerprint must be 64 lowercase hex digits"},
	{"fingerprint 63 digits", "1101230001 consignor " "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa x\n",
	    ":1: fingerprint must be"},
	{"fingerprint 65 digits", "1101230001 consignor " FP_A "a x\n", ":1: fingerprint must be"},
	{"fingerprint with colons", "1101230001 consignor "
	    "aa:aa:aa:aa:aa:aa:aa:aa:aa:aa:aa:aa:aa:aa:aa:aa:aa:aa:aa:aa:aa:aa:aa:aa:aa:aa:aa:aa:aa:aa:aa:aa x\n",
	    ":1: fingerprint must be"},
	{"bad line after good ones", "1101230001 consignor " FP_A " a\n\n4101W68006 broker xyz b\n",
	    ":3: fingerprint must be"},
};

static void test_table_refused(void **state)
{
	struct fixture *f = *state;
	char err[256], want[PATH_MAX + 64];
	size_t i;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct registry *r = load(f, bads[i].text, err, sizeof(err));

		if (r != NULL) {
			registry_free(r);
			fail_msg("%s: accepted", bads[i].label);
		}
		snprintf(want, sizeof(want), "%s%s", f->file, bads[i].want);
		if (strncmp(err, want, strlen(want)) != 0)
			fail_msg("%s: error \"%s\", want \"%s…\"", bads[i].label, err, want);
	}
}

static void test_missing_file(void **state)
{
	struct fixture *f = *state;
	char err[256], p[PATH_MAX];

	assert_null(registry_load(tu_path(p, "%s/none.conf", f->dir), err, sizeof(err)));
	assert_non_null(strstr(err, "none.conf: cannot open"));
}

/* Table: role names both ways. */
static const struct {
	const char	*name;
	enum role	 role;
} roles[] = {
	{"consignor", ROLE_CONSIGNOR}, {"broker", ROLE_BROKER}, {"association", ROLE_ASSOCIATION},
	{"customs", ROLE_CUSTOMS}, {"operator", ROLE_OPERATOR},
};

static void test_table_roles(void **state)
{
	enum role r;
	size_t i;

	(void)state;
	assert_int_equal(sizeof(roles) / sizeof(roles[0]), ROLE_COUNT);
	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		assert_string_equal(role_name(roles[i].role), roles[i].name);
		r = ROLE_COUNT;
		assert_int_equal(role_parse(roles[i].name, &r), 0);
		assert_int_equal(r, roles[i].role);
	}
	assert_string_equal(role_name(ROLE_COUNT), "?");
	assert_string_equal(role_name((enum role)-1), "?");
	assert_int_equal(role_parse("", &r), -1);
	assert_int_equal(role_parse("broker ", &r), -1);
	assert_int_equal(role_parse("hub", &r), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_load_good_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_R2_by_code_needs_the_role, setup, teardown),
		cmocka_unit_test_setup_teardown(test_R1_by_fingerprint_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_registry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
		cmocka_unit_test(test_table_roles),
	};

	return cmocka_run_group_tests_name("registry", tests, NULL, NULL);
}
