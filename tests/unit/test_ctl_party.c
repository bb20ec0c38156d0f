/* test_ctl_party — retiring a binding removes exactly the lines of that code
 * and fingerprint and keeps everything else (comments, other parties, the
 * other certificate of a roll-over) byte for byte; ending bindings (the R1
 * roll-over overlap) sets until= on exactly the lines meant, keeps their
 * credit code and name, and never lengthens an overlap already shorter;
 * --notices sets notices=bundle on every line of a code and only there, and
 * party add with and without it, over the demo PKI: set on a certificate
 * bound already, shown by party show, kept by a roll-over, a bad value a
 * usage error that leaves the registry alone. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "ctl_party.h"
#include "testctl.h"

#define FA "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define FB "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define FC "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define T1 1796292000	/* 2026-12-03T10:00:00Z */
#define T0 1796205600	/* 2026-12-02T10:00:00Z */

static void test_without(void **state)
{
	static const struct {
		const char	*label, *text, *code, *fpr, *want;
		int		 removed;
	} rows[] = {
		{"roll-over: old goes, new stays",
		    "# registry\n1101230003 consignor " FA " 甲\n1101230003 consignor " FB " 甲\n",
		    "1101230003", FA, "# registry\n1101230003 consignor " FB " 甲\n", 1},
		{"another code with the same fingerprint stays",
		    "1101230003 consignor " FA " 甲\n4101W68006 broker " FA " 乙\n",
		    "1101230003", FA, "4101W68006 broker " FA " 乙\n", 1},
		{"no match", "1101230003 consignor " FA " 甲\n", "1101230003", FB,
		    "1101230003 consignor " FA " 甲\n", 0},
		{"a commented line is not a binding", "#1101230003 consignor " FA " 甲\n", "#1101230003", FA,
		    "#1101230003 consignor " FA " 甲\n", 0},
		{"last line without newline", "x\n1101230003 consignor " FA " 甲", "1101230003", FA, "x\n", 1},
		{"tabs", "1101230003\tconsignor\t" FA "\t甲\n", "1101230003", FA, "", 1},
	};
	struct buf out;
	size_t i;
	int removed;

	(void)state;
	buf_init(&out);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		buf_reset(&out);
		buf_adds(&out, "");
		ctl_party_without(rows[i].text, rows[i].code, rows[i].fpr, &out, &removed);
		if (strcmp(out.data, rows[i].want) != 0 || removed != rows[i].removed)
			fail_msg("%s: got \"%s\" (%d removed)", rows[i].label, out.data, removed);
	}
	buf_free(&out);
}

/* R1: party add --overlap (all but the new certificate, shorten only) and party retire --after. */
static void test_R1_end_bindings(void **state)
{
	static const struct {
		const char		*label, *text;
		struct ctl_binding_edit	 e;
		const char		*want;
		int			 changed;
	} rows[] = {
		{"overlap: the old one ends, the new one stays open",
		    "# registry\n1101230003 consignor " FA " credit=91110000600000000J 甲\n1101230003 consignor " FB " 甲\n",
		    {"1101230003", 0, NULL, FB, T1, 1},
		    "# registry\n1101230003 consignor " FA " credit=91110000600000000J until=2026-12-03T10:00:00Z 甲\n"
		    "1101230003 consignor " FB " 甲\n", 1},
		{"overlap: another role of the same code is left alone",
		    "4101W68006 broker " FA " 乙\n4101W68006 consignor " FC " 乙\n",
		    {"4101W68006", 1, NULL, FB, T1, 1},
		    "4101W68006 broker " FA " until=2026-12-03T10:00:00Z 乙\n4101W68006 consignor " FC " 乙\n", 1},
		{"overlap: an earlier end is not moved later",
		    "1101230003 consignor " FA " until=2026-12-02T10:00:00Z 甲\n",
		    {"1101230003", 0, NULL, FB, T1, 1},
		    "1101230003 consignor " FA " until=2026-12-02T10:00:00Z 甲\n", 0},
		{"overlap: a later end is brought forward",
		    "1101230003 consignor " FA " until=2026-12-03T10:00:00Z 甲\n",
		    {"1101230003", 0, NULL, FB, T0, 1},
		    "1101230003 consignor " FA " until=2026-12-02T10:00:00Z 甲\n", 1},
		{"retire --after: that fingerprint only, set even later",
		    "1101230003 consignor " FA " until=2026-12-02T10:00:00Z 甲\n1101230003 consignor " FB " 甲\n",
		    {"1101230003", -1, FA, NULL, T1, 0},
		    "1101230003 consignor " FA " until=2026-12-03T10:00:00Z 甲\n1101230003 consignor " FB " 甲\n", 1},
		{"retire --after: another code's line with that fingerprint stays",
		    "1101230004\tconsignor\t" FA "\t丙\n", {"1101230003", -1, FA, NULL, T1, 0},
		    "1101230004\tconsignor\t" FA "\t丙\n", 0},
		{"comments and bad lines are copied", "#1101230003 consignor " FA " 甲\nnonsense\n",
		    {"1101230003", -1, NULL, NULL, T1, 0}, "#1101230003 consignor " FA " 甲\nnonsense\n", 0},
		{"last line without newline", "1101230003 consignor " FA " 甲", {"1101230003", -1, FA, NULL, T1, 0},
		    "1101230003 consignor " FA " until=2026-12-03T10:00:00Z 甲\n", 1},
	};
	struct buf out;
	size_t i;
	int changed;

	(void)state;
	buf_init(&out);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		buf_reset(&out);
		buf_adds(&out, "");
		ctl_party_end(rows[i].text, &rows[i].e, &out, &changed);
		if (strcmp(out.data, rows[i].want) != 0 || changed != rows[i].changed)
			fail_msg("%s: got \"%s\" (%d changed)", rows[i].label, out.data, changed);
	}
	buf_free(&out);
}

/* party add --notices: notices=bundle on every line of the code, nowhere else. */
static void test_notices_lines(void **state)
{
	static const struct {
		const char	*label, *text, *code;
		int		 bundle;
		const char	*want;
		int		 changed;
	} rows[] = {
		{"bundle: both certificates of a roll-over, every role of the code, after until=",
		    "# registry\n4101W68006 broker " FA " credit=91410100200000000E until=2026-12-03T10:00:00Z 乙\n"
		    "4101W68006 broker " FB " 乙\n4101W68006 consignor " FC " 乙\n1101230003 consignor " FC " 甲\n",
		    "4101W68006", 1,
		    "# registry\n4101W68006 broker " FA " credit=91410100200000000E until=2026-12-03T10:00:00Z notices=bundle 乙\n"
		    "4101W68006 broker " FB " notices=bundle 乙\n4101W68006 consignor " FC " notices=bundle 乙\n"
		    "1101230003 consignor " FC " 甲\n", 3},
		{"bundle: a line that has it is copied byte for byte",
		    "4101W68006\tbroker\t" FA "\tnotices=bundle\t乙\n4101W68006 broker " FB " 乙",
		    "4101W68006", 1,
		    "4101W68006\tbroker\t" FA "\tnotices=bundle\t乙\n4101W68006 broker " FB " notices=bundle 乙\n", 1},
		{"single: the token goes, other codes keep theirs",
		    "4101W68006 broker " FA " notices=bundle 乙\n1101230003 consignor " FC " notices=bundle 甲\n",
		    "4101W68006", 0,
		    "4101W68006 broker " FA " 乙\n1101230003 consignor " FC " notices=bundle 甲\n", 1},
		{"single: an explicit notices=single is already single",
		    "4101W68006 broker " FA " notices=single 乙\n", "4101W68006", 0,
		    "4101W68006 broker " FA " notices=single 乙\n", 0},
		{"comments and bad lines are copied", "#4101W68006 broker " FA " 乙\nnonsense\n", "4101W68006", 1,
		    "#4101W68006 broker " FA " 乙\nnonsense\n", 0},
	};
	struct buf out;
	size_t i;
	int changed;

	(void)state;
	buf_init(&out);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		buf_reset(&out);
		buf_adds(&out, "");
		ctl_party_notices(rows[i].text, rows[i].code, rows[i].bundle, &out, &changed);
		if (strcmp(out.data, rows[i].want) != 0 || changed != rows[i].changed)
			fail_msg("%s: got \"%s\" (%d changed)", rows[i].label, out.data, changed);
	}
	buf_free(&out);
}

/* Occurrences of text in the registry file. */
static int registry_has(struct tc *t, const char *text)
{
	struct buf b;
	int n;

	buf_init(&b);
	if (tu_read(t->c.conf.registry, &b) != 0)
		abort();
	buf_adds(&b, "");
	n = tc_count(b.data, text);
	buf_free(&b);
	return n;
}

/* party add --notices over the demo PKI, then a roll-over without it. */
static void test_add_notices(void **state)
{
	static const struct {
		const char	*label;
		const char	*argv[10];
		int		 rc, bundled;	/* exit code; lines with notices=bundle after it */
		const char	*want[4];	/* tc_expect on stdout (JSON) and stderr */
	} rows[] = {
		{"show: single by default", {"4101W68006", "--json"}, CTL_OK, 0,
		    {"+\"notices\":\"single\""}},
		{"a bad value: usage, nothing written", {"4101W68006", "broker", "@/broker.pem", "乙", "--notices", "bundled"},
		    CTL_USAGE, 0, {"+bundle or single", "+通知方式"}},
		{"bundle on the certificate bound already", {"4101W68006", "broker", "@/broker.pem", "乙", "--notices",
		    "bundle", "--json"}, CTL_OK, 1, {"+\"notices\":\"bundle\"", "+notices set on 1 line"}},
		{"show: bundle", {"4101W68006", "--json"}, CTL_OK, 1, {"+\"notices\":\"bundle\""}},
		{"the same again changes nothing", {"4101W68006", "broker", "@/broker.pem", "乙", "--notices", "bundle"},
		    CTL_OK, 1, {"+nothing changed", "+通知合并 notices: bundle"}},
		{"a roll-over keeps it", {"4101W68006", "broker", "@/new.pem", "乙", "--json"}, CTL_OK, 2,
		    {"+\"notices\":\"bundle\""}},
		{"human show says so", {"4101W68006"}, CTL_OK, 2, {"+通知合并 notices: bundle"}},
		{"single on both", {"4101W68006", "broker", "@/new.pem", "乙", "--notices", "single"}, CTL_OK, 0,
		    {"+notices set on 2 line", "+single"}},
		{"another party is left alone", {"1101230001", "--json"}, CTL_OK, 0, {"+\"notices\":\"single\""}},
	};
	struct tc *t = calloc(1, sizeof(*t));
	char paths[10][PATH_MAX];
	const char *argv[11];
	size_t i, k;
	int rc;

	*state = t;
	tc_init(t, "ctl_party_notices");
	if (tu_pki_ec_hub(t->dir) != 0 || tu_sh("cd '%s' && openssl genpkey -quiet -algorithm EC -pkeyopt "
	    "ec_paramgen_curve:P-256 -out new.key && openssl req -new -key new.key -subj /CN=4101W68006 -out new.csr "
	    "&& openssl x509 -req -in new.csr -CA ca.pem -CAkey ca.key -set_serial 0x5eed -days 30 -out new.pem 2>/dev/null",
	    t->dir) != 0)
		fail_msg("cannot make the demo PKI");
	tu_path(t->c.conf.trust_ca, "%s/ca.pem", t->dir);
	tu_path(t->c.conf.hub_cert, "%s/hub.pem", t->dir);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		for (k = 0; rows[i].argv[k]; k++)
			argv[k] = rows[i].argv[k][0] == '@' ? tu_path(paths[k], "%s%s", t->dir, rows[i].argv[k] + 1)
			    : rows[i].argv[k];
		argv[k] = NULL;
		rc = tc_run(t, k > 2 ? ctl_party_add : ctl_party_show, argv);
		buf_adds(&t->c.out, "");
		buf_adds(&t->err, "");
		buf_add(&t->c.out, t->err.data, t->err.len);
		if (rc != rows[i].rc)
			fail_msg("%s: exit %d, want %d: %s", rows[i].label, rc, rows[i].rc, tc_out(t));
		tc_expect(rows[i].label, tc_out(t), rows[i].want);
		if (registry_has(t, "notices=bundle") != rows[i].bundled)
			fail_msg("%s: %d lines with notices=bundle, want %d", rows[i].label,
			    registry_has(t, "notices=bundle"), rows[i].bundled);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_without),
		cmocka_unit_test(test_R1_end_bindings),
		cmocka_unit_test(test_notices_lines),
		cmocka_unit_test_teardown(test_add_notices, tc_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
