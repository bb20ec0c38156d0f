/* test_registry — the party registry file and the R1 lookups on it:
 * certificate fingerprint → party (exactly one wanted), code + role → party;
 * the optional credit= and until= tokens (old files load as before), the end
 * of a binding by the processing clock (R1 roll-over overlap), and the line
 * format written back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <time.h>
#include "registry.h"
#include "testutil.h"
#include "xmem.h"

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

/* The lookups are binary searches over indexes sorted at load: on a
 * registry of 2,000 bindings in no order, with fingerprints bound many
 * times and codes with two roles, every lookup answers what a walk of the
 * file in order answers (the first line that matches, every binding counted). */
static void test_R1_R2_large_registry_same_as_file_order(void **state)
{
	struct fixture *f = *state;
	const struct party *p, *q, *first;
	struct registry *r;
	struct buf text;
	char err[256], fpr[65], code[11];
	unsigned x = 12345;
	size_t i, j, n;
	int k, count;

	buf_init(&text);
	for (k = 0; k < 2000; k++) {
		x = x * 1103515245u + 12345u;
		if (k % 7 == 6)	/* one of five fingerprints, each bound many times */
			snprintf(fpr, sizeof(fpr), "%064d", k % 5);
		else
			snprintf(fpr, sizeof(fpr), "%08x%056d", x, k);
		snprintf(code, sizeof(code), "%010u", (x >> 3) % 100000u);
		buf_printf(&text, "%s %s %s 企业%d\n", code, k % 11 == 0 ? "broker" : "consignor", fpr, k);
	}
	assert_int_equal(tu_writes(f->file, text.data), 0);
	buf_free(&text);
	r = registry_load(f->file, err, sizeof(err));
	assert_non_null(r);
	n = registry_count(r);
	assert_int_equal(n, 2000);
	for (i = 0; i < n; i++) {
		q = registry_at(r, i);
		for (j = 0, count = 0, first = NULL; j < n; j++)
			if (strcmp(registry_at(r, j)->fingerprint, q->fingerprint) == 0 && count++ == 0)
				first = registry_at(r, j);
		assert_int_equal(registry_by_fingerprint(r, q->fingerprint, &p), count);
		assert_ptr_equal(p, first);
		for (j = 0, first = NULL; j < n && first == NULL; j++)
			if (strcmp(registry_at(r, j)->code, q->code) == 0 && registry_at(r, j)->role == q->role)
				first = registry_at(r, j);
		assert_ptr_equal(registry_by_code(r, q->code, q->role), first);
	}
	assert_null(registry_by_code(r, "9999999999", ROLE_CONSIGNOR));
	assert_int_equal(registry_by_fingerprint(r, FP_A, &p), 0);
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
	{"credit code with a wrong check character", "1101230001 consignor " FP_A " credit=91110000100000000X x\n",
	    ":1: credit= is not a unified social credit code"},
	{"credit code too short", "1101230001 consignor " FP_A " credit=9111000010000000 x\n", ":1: credit= is not"},
	{"credit code with I", "1101230001 consignor " FP_A " credit=9111000010000000I0 x\n", ":1: credit= is not"},
	{"until not a time", "1101230001 consignor " FP_A " until=tomorrow x\n", ":1: until= wants"},
	{"until without Z", "1101230001 consignor " FP_A " until=2026-12-03T10:00:00 x\n", ":1: until= wants"},
	{"until month 13", "1101230001 consignor " FP_A " until=2026-13-03T10:00:00Z x\n", ":1: until= wants"},
	{"notices neither bundle nor single", "1101230001 consignor " FP_A " notices=all x\n", ":1: notices= wants bundle or single"},
	{"notices empty", "1101230001 consignor " FP_A " notices= x\n", ":1: notices= wants"},
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

/* Optional tokens before the name; lines without them read as before. */
static const char options_file[] =
    "1101230001 consignor " FP_A " credit=91110000100000000R 北京示例贸易有限公司\n"
    "4101W68006 broker " FP_B " until=2026-12-03T10:00:00Z credit=91410100200000000E 郑州示例报关有限公司\n"
    "4101W68006 broker " FP_C " credit=91410100200000000E\n"
    "1101230003 consignor " FP_D " \t北京第三贸易有限公司\n";

static void test_load_credit_and_until(void **state)
{
	static const struct {
		size_t		 i;
		const char	*code, *credit, *name;
		time_t		 until;
	} rows[] = {
		{0, "1101230001", "91110000100000000R", "北京示例贸易有限公司", 0},
		{1, "4101W68006", "91410100200000000E", "郑州示例报关有限公司", 1796292000},
		{2, "4101W68006", "91410100200000000E", "", 0},
		{3, "1101230003", "", "北京第三贸易有限公司", 0},
	};
	struct fixture *f = *state;
	struct registry *r;
	char err[256];
	size_t i;

	r = load(f, "1101230001 consignor " FP_A " foo=bar 名称=甲\n" "1101230002 consignor " FP_B " credit=x=y\n",
	    err, sizeof(err));
	assert_null(r);	/* credit= is checked; other key=value words are part of the name */
	r = load(f, "1101230001 consignor " FP_A " foo=bar 名称=甲\n", err, sizeof(err));
	assert_non_null(r);
	assert_string_equal(registry_at(r, 0)->name, "foo=bar 名称=甲");
	assert_string_equal(registry_at(r, 0)->credit, "");
	registry_free(r);
	r = load(f, options_file, err, sizeof(err));
	assert_non_null(r);
	assert_int_equal(registry_count(r), 4);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct party *p = registry_at(r, rows[i].i);

		assert_non_null(p);
		assert_string_equal(p->code, rows[i].code);
		assert_string_equal(p->credit, rows[i].credit);
		assert_string_equal(p->name, rows[i].name);
		assert_int_equal(p->until, rows[i].until);
	}
	registry_free(r);
}

/* R1 roll-over overlap: a binding counts before its until, not at or after it. */
static void test_R1_binding_ends_at_until(void **state)
{
	static const struct {
		const char	*label;
		const char	*fpr;
		time_t		 now;
		int		 bound;
		const char	*code;
		time_t		 ended;
	} rows[] = {
		{"open-ended binding, any time", FP_A, 4102444800, 1, "1101230003", 0},
		{"old certificate before the end", FP_B, 1796291999, 1, "1101230003", 0},
		{"old certificate at the end", FP_B, 1796292000, 0, NULL, 1796292000},
		{"old certificate after the end", FP_B, 1796299999, 0, NULL, 1796292000},
		{"two ends: the later one is told", FP_C, 1796400000, 0, NULL, 1796385600},
		{"one of two bindings ended: the other counts", FP_C, 1796300000, 1, "1101230005", 1796292000},
		{"unknown certificate", FP_D, 0, 0, NULL, 0},
	};
	static const char text[] =
	    "1101230003 consignor " FP_A " 新证书\n"
	    "1101230003 consignor " FP_B " until=2026-12-03T10:00:00Z 旧证书\n"
	    "1101230004 consignor " FP_C " until=2026-12-03T10:00:00Z 甲\n"
	    "1101230005 consignor " FP_C " until=2026-12-04T12:00:00Z 乙\n";
	struct fixture *f = *state;
	const struct party *p;
	struct registry *r;
	char err[256];
	size_t i;

	r = load(f, text, err, sizeof(err));
	assert_non_null(r);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (registry_bound_at(r, rows[i].fpr, rows[i].now, &p) != rows[i].bound)
			fail_msg("%s: bound %d, want %d", rows[i].label, registry_bound_at(r, rows[i].fpr, rows[i].now, &p),
			    rows[i].bound);
		if (rows[i].code ? p == NULL || strcmp(p->code, rows[i].code) != 0 : p != NULL)
			fail_msg("%s: found %s", rows[i].label, p ? p->code : "nobody");
		if (registry_ended(r, rows[i].fpr, rows[i].now) != rows[i].ended)
			fail_msg("%s: ended %lld", rows[i].label, (long long)registry_ended(r, rows[i].fpr, rows[i].now));
	}
	registry_free(r);
}

/* registry_by_fingerprint runs on the processing clock: main() sets ENTRUST_TIME_OFFSET
 * to one day, so a binding that ends in an hour has ended already (R1). */
static void test_R1_by_fingerprint_uses_the_processing_clock(void **state)
{
	struct fixture *f = *state;
	char text[512], in1h[32], in2d[32], err[256];
	const struct party *p;
	struct registry *r;

	registry_time(in1h, time(NULL) + 3600);
	registry_time(in2d, time(NULL) + 2 * 86400);
	snprintf(text, sizeof(text), "1101230003 consignor " FP_A " until=%s 甲\n1101230003 consignor " FP_B
	    " until=%s 甲\n", in1h, in2d);
	r = load(f, text, err, sizeof(err));
	assert_non_null(r);
	assert_int_equal(registry_by_fingerprint(r, FP_A, &p), 0);
	assert_null(p);
	assert_int_equal(registry_by_fingerprint(r, FP_B, &p), 1);
	assert_string_equal(p->code, "1101230003");
	assert_int_equal(registry_bound_at(r, FP_A, time(NULL), &p), 1);	/* by the wall clock it has not */
	registry_free(r);
}

/* registry_format writes what registry_parse reads back. */
static void test_format_round_trip(void **state)
{
	static const struct {
		const char	*label, *line, *want;
	} rows[] = {
		{"old line", "1101230001 consignor " FP_A " 北京示例贸易有限公司",
		    "1101230001 consignor " FP_A " 北京示例贸易有限公司\n"},
		{"tabs become spaces", "1101230001\tconsignor\t" FP_A "\t甲 乙 ",
		    "1101230001 consignor " FP_A " 甲 乙 \n"},
		{"credit and until, in that order", "4101W68006 broker " FP_B " until=2026-12-03T10:00:00Z credit=91410100200000000E 郑州",
		    "4101W68006 broker " FP_B " credit=91410100200000000E until=2026-12-03T10:00:00Z 郑州\n"},
		{"no name", "0100HG0001 customs " FP_C, "0100HG0001 customs " FP_C "\n"},
		{"notices=bundle after until", "4101W68006 broker " FP_B " notices=bundle until=2026-12-03T10:00:00Z 郑州",
		    "4101W68006 broker " FP_B " until=2026-12-03T10:00:00Z notices=bundle 郑州\n"},
		{"notices=single is the default, not written", "4101W68006 broker " FP_B " notices=single 郑州",
		    "4101W68006 broker " FP_B " 郑州\n"},
	};
	struct party p, q;
	const char *why;
	struct buf out;
	char line[512];
	size_t i;

	(void)state;
	buf_init(&out);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		strlcopy(line, rows[i].line, sizeof(line));
		assert_int_equal(registry_parse(line, &p, &why), 0);
		buf_reset(&out);
		buf_adds(&out, "");
		registry_format(&p, &out);
		if (strcmp(out.data, rows[i].want) != 0)
			fail_msg("%s: wrote \"%s\"", rows[i].label, out.data);
		strlcopy(line, out.data, sizeof(line));
		assert_int_equal(registry_parse(line, &q, &why), 0);
		assert_memory_equal(&p, &q, sizeof(p));
	}
	strlcopy(line, "  # comment", sizeof(line));
	assert_int_equal(registry_parse(line, &p, &why), 1);
	buf_free(&out);
}

/* notices=bundle on any line of a code (any role) bundles its notices (issue #7, R26). */
static void test_R26_bundles_notices_by_code(void **state)
{
	static const struct {
		const char	*code;
		int		 want;
	} rows[] = {
		{"4101W68006", 1},	/* on its second line only */
		{"1101230001", 0},	/* notices=single */
		{"1101230003", 0},	/* no option */
		{"1101230002", 0},	/* not registered */
		{"0000000000", 0},	/* sorts before every code */
		{"ZZZZZZZZZZ", 0},	/* and after */
	};
	struct fixture *f = *state;
	struct registry *r;
	char err[256];
	size_t i;

	r = load(f, "1101230001 consignor " FP_A " notices=single 甲\n"
	    "4101W68006 broker " FP_B " 乙\n"
	    "4101W68006 consignor " FP_C " notices=bundle 乙\n"
	    "1101230003 consignor " FP_D " 丙\n", err, sizeof(err));
	assert_non_null(r);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (registry_bundles_notices(r, rows[i].code) != rows[i].want)
			fail_msg("%s: want %d", rows[i].code, rows[i].want);
	registry_free(r);
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
		cmocka_unit_test_setup_teardown(test_R1_R2_large_registry_same_as_file_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_registry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
		cmocka_unit_test(test_table_roles),
		cmocka_unit_test_setup_teardown(test_load_credit_and_until, setup, teardown),
		cmocka_unit_test_setup_teardown(test_R1_binding_ends_at_until, setup, teardown),
		cmocka_unit_test_setup_teardown(test_R1_by_fingerprint_uses_the_processing_clock, setup, teardown),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test_setup_teardown(test_R26_bundles_notices_by_code, setup, teardown),
	};

	setenv("ENTRUST_TIME_OFFSET", "86400", 1);	/* read once, at the first clock_now() */

	return cmocka_run_group_tests_name("registry", tests, NULL, NULL);
}
