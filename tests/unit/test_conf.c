/* test_conf — the configuration table: defaults, bounds, and "file:line: why". */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "conf.h"
#include "testutil.h"

struct fixture {
	char	*dir;
	char	 file[PATH_MAX];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->dir = tu_tmpdir("conf");
	tu_path(f->file, "%s/entrustd.conf", f->dir);
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

static int load(struct fixture *f, const char *text, struct conf *c, char *err, size_t n)
{
	assert_int_equal(tu_writes(f->file, text), 0);
	err[0] = '\0';
	return conf_load(f->file, c, err, n);
}

static void test_defaults(void **state)
{
	struct conf c;

	(void)state;
	memset(&c, 0x41, sizeof(c));
	conf_defaults(&c);
	assert_string_equal(c.spool_dir, "spool");
	assert_string_equal(c.store_dir, "var/store");
	assert_string_equal(c.xsd_dir, "xsd");
	assert_string_equal(c.trust_ca, "conf/pki/ca.pem");
	assert_string_equal(c.hub_cert, "conf/pki/hub.pem");
	assert_string_equal(c.hub_key, "conf/pki/hub.key");
	assert_string_equal(c.registry, "conf/parties.conf");
	assert_string_equal(c.codes_dir, "conf/codes");
	assert_string_equal(c.log_file, "");
	assert_string_equal(c.hub_code, "ENTRUSTHUB");
	assert_int_equal(c.settle_ms, 1000);
	assert_int_equal(c.rescan_s, 30);
	assert_int_equal(c.max_envelope_bytes, 16777216);
	assert_int_equal(c.registration_validity_days, 365);
	assert_int_equal(c.registration_warn_days, 30);
	assert_string_equal(c.xslt_dir, "xslt");
	assert_string_equal(c.routes, "");
	assert_string_equal(c.customs_code, "0100HG0001");
	assert_int_equal(c.delivery_attempts, 8);
	assert_int_equal(c.delivery_backoff_s, 5);
	assert_int_equal(c.delivery_parallel, 2);
	assert_int_equal(c.store_cache_mib, 12);
}

/* The store's cache, 4 MiB to 64 GiB (issue #7: most of the daemon's memory). */
static void test_store_cache(void **state)
{
	struct fixture *f = *state;
	struct conf c;
	char err[256];

	assert_int_equal(load(f, "store_cache_mib = 4\n", &c, err, sizeof(err)), 0);
	assert_int_equal(c.store_cache_mib, 4);
	assert_int_equal(load(f, "store_cache_mib = 65536\n", &c, err, sizeof(err)), 0);
	assert_int_equal(c.store_cache_mib, 65536);
}

/* R27 and delivery: customs' code is a customs code; attempts, backoff and
 * parallelism have bounds. */
static void test_export_and_delivery_parameters(void **state)
{
	struct fixture *f = *state;
	struct conf c;
	char err[256];

	assert_int_equal(load(f, "customs_code = 4201HG0002\ndelivery_attempts = 100\ndelivery_backoff_s = 86400\n"
	    "delivery_parallel = 16\nxslt_dir = /usr/share/entrust/xslt\nroutes = /etc/entrust/routes.conf\n",
	    &c, err, sizeof(err)), 0);
	assert_string_equal(c.customs_code, "4201HG0002");
	assert_int_equal(c.delivery_attempts, 100);
	assert_int_equal(c.delivery_backoff_s, 86400);
	assert_int_equal(c.delivery_parallel, 16);
	assert_string_equal(c.xslt_dir, "/usr/share/entrust/xslt");
	assert_string_equal(c.routes, "/etc/entrust/routes.conf");
	assert_int_equal(load(f, "customs_code = customs\n", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":1: not a 10-character customs code"));
	assert_int_equal(load(f, "delivery_attempts = 0\n", &c, err, sizeof(err)), -1);
	assert_int_equal(load(f, "delivery_parallel = 17\n", &c, err, sizeof(err)), -1);
	assert_int_equal(load(f, "delivery_backoff_s = 0\n", &c, err, sizeof(err)), -1);
}

/* R4/R5 periods: validity 1..3650 days, warning 0..365 days. */
static void test_registration_periods(void **state)
{
	struct fixture *f = *state;
	struct conf c;
	char err[256];

	assert_int_equal(load(f, "registration_validity_days = 3650\nregistration_warn_days = 0\n"
	    "codes_dir = /usr/share/entrust/codes\n", &c, err, sizeof(err)), 0);
	assert_int_equal(c.registration_validity_days, 3650);
	assert_int_equal(c.registration_warn_days, 0);
	assert_string_equal(c.codes_dir, "/usr/share/entrust/codes");
	assert_int_equal(load(f, "registration_validity_days = 1\nregistration_warn_days = 365\n", &c, err,
	    sizeof(err)), 0);
	assert_int_equal(c.registration_validity_days, 1);
	assert_int_equal(c.registration_warn_days, 365);
	assert_int_equal(load(f, "registration_validity_days = 0\n", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":1: out of range"));
	assert_int_equal(load(f, "registration_validity_days = 3651\n", &c, err, sizeof(err)), -1);
	assert_int_equal(load(f, "registration_warn_days = 366\n", &c, err, sizeof(err)), -1);
	assert_int_equal(load(f, "registration_warn_days = -1\n", &c, err, sizeof(err)), -1);
}

/* R1 hardening (issue #6): the CRL file (empty: no revocation check) and the
 * signingTime window around the hub's clock, with their bounds. */
static void test_revocation_and_signing_time(void **state)
{
	struct fixture *f = *state;
	struct conf c;
	char err[256];

	conf_defaults(&c);
	assert_string_equal(c.crl_file, "");
	assert_int_equal(c.signing_time_ahead_s, 3600);
	assert_int_equal(c.signing_time_behind_s, 2592000);
	assert_int_equal(load(f, "crl_file = /etc/entrust/pki/crl.pem\nsigning_time_ahead_s = 0\n"
	    "signing_time_behind_s = 315360000\n", &c, err, sizeof(err)), 0);
	assert_string_equal(c.crl_file, "/etc/entrust/pki/crl.pem");
	assert_int_equal(c.signing_time_ahead_s, 0);
	assert_int_equal(c.signing_time_behind_s, 315360000);
	assert_int_equal(load(f, "signing_time_ahead_s = 31536001\n", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":1: out of range"));
	assert_int_equal(load(f, "signing_time_behind_s = -1\n", &c, err, sizeof(err)), -1);
}

/* An empty file: the defaults, and log_file derived from spool_dir. */
static void test_empty_file_gives_defaults(void **state)
{
	struct fixture *f = *state;
	struct conf c;
	char err[256];

	assert_int_equal(load(f, "", &c, err, sizeof(err)), 0);
	assert_string_equal(c.spool_dir, "spool");
	assert_string_equal(c.log_file, "spool/log/entrustd.log");
	assert_int_equal(c.settle_ms, 1000);
}

static void test_every_parameter(void **state)
{
	struct fixture *f = *state;
	struct conf c;
	char err[256];

	assert_int_equal(load(f,
	    "# comment line\n"
	    "\n"
	    "   spool_dir=/srv/spool   \n"
	    "store_dir = /srv/store # trailing comment\n"
	    "\txsd_dir = /usr/share/entrust/xsd\n"
	    "trust_ca = /etc/entrust/ca.pem\n"
	    "hub_cert = /etc/entrust/hub.pem\n"
	    "hub_key = /etc/entrust/hub.key\n"
	    "registry = /etc/entrust/parties.conf\n"
	    "log_file = /var/log/entrustd.log\n"
	    "hub_code = 4101W68006\n"
	    "settle_ms = 0\n"
	    "rescan_s = 86400\n"
	    "max_envelope_bytes = 1024", &c, err, sizeof(err)), 0);	/* no final newline */
	assert_string_equal(c.spool_dir, "/srv/spool");
	assert_string_equal(c.store_dir, "/srv/store");
	assert_string_equal(c.xsd_dir, "/usr/share/entrust/xsd");
	assert_string_equal(c.trust_ca, "/etc/entrust/ca.pem");
	assert_string_equal(c.hub_cert, "/etc/entrust/hub.pem");
	assert_string_equal(c.hub_key, "/etc/entrust/hub.key");
	assert_string_equal(c.registry, "/etc/entrust/parties.conf");
	assert_string_equal(c.log_file, "/var/log/entrustd.log");
	assert_string_equal(c.hub_code, "4101W68006");
	assert_int_equal(c.settle_ms, 0);
	assert_int_equal(c.rescan_s, 86400);
	assert_int_equal(c.max_envelope_bytes, 1024);
}

/* An empty log_file means "<spool_dir>/log/entrustd.log", with the spool_dir given. */
static void test_empty_log_file_follows_spool_dir(void **state)
{
	struct fixture *f = *state;
	struct conf c;
	char err[256];

	assert_int_equal(load(f, "log_file =\nspool_dir = /var/spool/entrust\n", &c, err, sizeof(err)), 0);
	assert_string_equal(c.log_file, "/var/spool/entrust/log/entrustd.log");
}

/* A second load starts again from the defaults. */
static void test_load_starts_from_defaults(void **state)
{
	struct fixture *f = *state;
	struct conf c;
	char err[256];

	assert_int_equal(load(f, "settle_ms = 5\nspool_dir = a\n", &c, err, sizeof(err)), 0);
	assert_int_equal(load(f, "rescan_s = 7\n", &c, err, sizeof(err)), 0);
	assert_int_equal(c.settle_ms, 1000);
	assert_int_equal(c.rescan_s, 7);
	assert_string_equal(c.spool_dir, "spool");
}

/* Table: accepted values at the bounds. */
struct good {
	const char	*label;
	const char	*text;
	long		 settle_ms, rescan_s, max_bytes;
};

static const struct good goods[] = {
	{"settle_ms min", "settle_ms = 0", 0, 30, 16777216},
	{"settle_ms max", "settle_ms = 3600000", 3600000, 30, 16777216},
	{"rescan_s min", "rescan_s = 1", 1000, 1, 16777216},
	{"rescan_s max", "rescan_s=86400", 1000, 86400, 16777216},
	{"max bytes min", "max_envelope_bytes = 1024", 1000, 30, 1024},
	{"max bytes max", "max_envelope_bytes = 1073741824", 1000, 30, 1073741824},
	{"plus sign", "settle_ms = +5", 5, 30, 16777216},
	{"leading zeros", "rescan_s = 0010", 1000, 10, 16777216},
};

static void test_table_bounds_accepted(void **state)
{
	struct fixture *f = *state;
	struct conf c;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		const struct good *g = &goods[i];

		if (load(f, g->text, &c, err, sizeof(err)) != 0)
			fail_msg("%s: refused: %s", g->label, err);
		if (c.settle_ms != g->settle_ms || c.rescan_s != g->rescan_s
		    || c.max_envelope_bytes != g->max_bytes)
			fail_msg("%s: got %ld %ld %ld", g->label, c.settle_ms, c.rescan_s,
			    c.max_envelope_bytes);
	}
}

/* Table: refused files and the "file:line: why" they give. */
struct bad {
	const char	*label;
	const char	*text;
	const char	*want;	/* after "<file>" */
};

static const struct bad bads[] = {
	{"unknown parameter", "spool = x\n", ":1: unknown parameter 未知参数: spool = x"},
	{"no equals sign", "\n# c\nspool_dir x\n", ":3: expected \"name = value\""},
	{"given twice", "settle_ms = 1\nsettle_ms = 1\n", ":2: parameter given twice"},
	{"not a number", "settle_ms = 12abc\n", ":1: not a whole number"},
	{"number with space", "settle_ms = 1 2\n", ":1: not a whole number"},
	{"float", "rescan_s = 1.5\n", ":1: not a whole number"},
	{"overflowing number", "settle_ms = 99999999999999999999999\n", ":1: not a whole number"},
	{"below minimum", "rescan_s = 0\n", ":1: out of range"},
	{"negative", "settle_ms = -1\n", ":1: out of range"},
	{"above maximum", "settle_ms = 3600001\n", ":1: out of range"},
	{"envelope cap too small", "max_envelope_bytes = 1023\n", ":1: out of range"},
	{"envelope cap too big", "max_envelope_bytes = 1073741825\n", ":1: out of range"},
	{"store cache too small", "store_cache_mib = 3\n", ":1: out of range"},
	{"store cache too big", "store_cache_mib = 65537\n", ":1: out of range"},
	{"empty number", "rescan_s =\n", ":1: empty value"},
	{"empty code", "hub_code = # none\n", ":1: empty value"},
	{"code too short", "hub_code = ENTRUSTHU\n", ":1: not a 10-character customs code"},
	{"code too long", "hub_code = ENTRUSTHUB1\n", ":1: not a 10-character customs code"},
	{"code lowercase", "hub_code = entrusthub\n", ":1: not a 10-character customs code"},
	{"code punctuation", "hub_code = ENTRUST-HB\n", ":1: not a 10-character customs code"},
	{"control character", "spool_dir = a\001b\n", ":1: control character 含控制字符: spool_dir = a?b"},
	{"tab inside value", "spool_dir = a\tb\n", ":1: control character"},
	{"empty name", "= x\n", ":1: unknown parameter"},
};

static void test_table_refused(void **state)
{
	struct fixture *f = *state;
	struct conf c;
	char err[256], want[PATH_MAX + 64];
	size_t i;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		const struct bad *b = &bads[i];

		if (load(f, b->text, &c, err, sizeof(err)) != -1)
			fail_msg("%s: accepted", b->label);
		snprintf(want, sizeof(want), "%s%s", f->file, b->want);
		if (strncmp(err, want, strlen(want)) != 0)
			fail_msg("%s: error \"%s\", want \"%s…\"", b->label, err, want);
	}
}

static void test_line_too_long(void **state)
{
	struct fixture *f = *state;
	struct conf c;
	char err[256], *text;
	size_t n = PATH_MAX + 200;

	text = malloc(n + 32);
	strcpy(text, "settle_ms = 1\nspool_dir = ");
	memset(text + strlen(text), 'a', n);
	text[26 + n] = '\0';
	assert_int_equal(load(f, text, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":2: line too long"));
	free(text);
}

/* A path that does not fit its field is refused, not cut. */
static void test_path_too_long(void **state)
{
	struct fixture *f = *state;
	struct conf c;
	char err[256], text[PATH_MAX + 64];

	strcpy(text, "spool_dir = ");
	memset(text + strlen(text), 'p', PATH_MAX);
	text[12 + PATH_MAX] = '\n';
	text[13 + PATH_MAX] = '\0';
	assert_int_equal(load(f, text, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":1: value too long"));
}

static void test_missing_file(void **state)
{
	struct fixture *f = *state;
	struct conf c;
	char err[256], p[PATH_MAX];

	tu_path(p, "%s/absent.conf", f->dir);
	assert_int_equal(conf_load(p, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "absent.conf: cannot open"));
	assert_non_null(strstr(err, "No such file"));
}

/* The error goes no further than errlen. */
static void test_error_truncated_to_errlen(void **state)
{
	struct fixture *f = *state;
	struct conf c;
	char err[16];

	memset(err, '#', sizeof(err));
	assert_int_equal(load(f, "bogus = 1\n", &c, err, 8), -1);
	assert_int_equal(strlen(err), 7);
	assert_int_equal(err[8], '#');
}

/* Without -c: $ENTRUST_CONF, else the source tree's file, else the installed one. */
static void test_default_path(void **state)
{
	char tmpl[] = "/tmp/entrust-confpath-XXXXXX", old[4096];
	const char *dir = mkdtemp(tmpl);
	FILE *fp;

	(void)state;
	assert_non_null(dir);
	assert_non_null(getcwd(old, sizeof(old)));
	assert_int_equal(chdir(dir), 0);
	unsetenv("ENTRUST_CONF");
	assert_string_equal(conf_default_path(), ENTRUST_SYSCONF);
	assert_int_equal(mkdir("conf", 0700), 0);
	assert_non_null(fp = fopen("conf/entrustd.conf", "w"));
	fclose(fp);
	assert_string_equal(conf_default_path(), "conf/entrustd.conf");
	setenv("ENTRUST_CONF", "/somewhere/else.conf", 1);
	assert_string_equal(conf_default_path(), "/somewhere/else.conf");
	setenv("ENTRUST_CONF", "", 1);
	assert_string_equal(conf_default_path(), "conf/entrustd.conf");
	unsetenv("ENTRUST_CONF");
	assert_int_equal(unlink("conf/entrustd.conf"), 0);
	assert_int_equal(rmdir("conf"), 0);
	assert_int_equal(chdir(old), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test_setup_teardown(test_store_cache, setup, teardown),
		cmocka_unit_test(test_default_path),
		cmocka_unit_test_setup_teardown(test_empty_file_gives_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_registration_periods, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revocation_and_signing_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export_and_delivery_parameters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_parameter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_log_file_follows_spool_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_starts_from_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_bounds_accepted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_line_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_truncated_to_errlen, setup, teardown),
	};

	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
