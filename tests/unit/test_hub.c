/* test_hub — everything the pipeline needs, opened from one configuration:
 * hub_open makes the spool folders and loads trust store, key, registry,
 * schemas, code tables and (with_store) the store; hub_reload (SIGHUP)
 * takes new parts only when every one of them loads, and refuses a change
 * of spool or store folder.  Real demo PKI, real store in temp folders. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "codes.h"
#include "hub.h"
#include "log.h"
#include "registry.h"
#include "xmlin.h"
#include "testutil.h"

struct fixture {
	char	*dir;		/* the group's: PKI and code tables */
	char	 pki[PATH_MAX];
	char	 codes[PATH_MAX];
	char	*tdir;		/* the test's: config, spool, store */
	char	 conf[PATH_MAX];
};

static int group_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	log_open(NULL, 0);
	xmlin_global_init();
	f->dir = tu_tmpdir("hub");
	tu_path(f->pki, "%s/pki", f->dir);
	tu_path(f->codes, "%s/codes", f->dir);
	if (tu_pki_ec_hub(f->pki) != 0 || tu_sh("cp -r '%s/conf/codes' '%s'", tu_src(), f->codes) != 0)
		return -1;
	*state = f;
	return 0;
}

static int group_teardown(void **state)
{
	struct fixture *f = *state;

	tu_rmrf(f->dir);
	free(f->dir);
	free(f);
	xmlin_global_done();
	return 0;
}

static int setup(void **state)
{
	struct fixture *f = *state;

	f->tdir = tu_tmpdir("hub-t");
	tu_path(f->conf, "%s/entrustd.conf", f->tdir);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tu_rmrf(f->tdir);
	free(f->tdir);
	return 0;
}

/* Write the test's configuration; extra is appended as given. */
static void write_conf(struct fixture *f, const char *registry, const char *extra)
{
	char text[8 * PATH_MAX];
	const char *src = tu_src();

	snprintf(text, sizeof(text),
	    "spool_dir = %s/spool\nstore_dir = %s/store\nxsd_dir = %s/xsd\nxslt_dir = %s/xslt\n"
	    "codes_dir = %s\ntrust_ca = %s/ca.pem\nhub_cert = %s/hub.pem\nhub_key = %s/hub.key\n"
	    "registry = %s\nsettle_ms = 0\n%s",
	    f->tdir, f->tdir, src, src, f->codes, f->pki, f->pki, f->pki, registry, extra);
	assert_int_equal(tu_writes(f->conf, text), 0);
}

static void test_open_makes_spool_and_loads_parts(void **state)
{
	struct fixture *f = *state;
	char reg[PATH_MAX], err[512], p[PATH_MAX];
	struct hub h;

	write_conf(f, tu_path(reg, "%s/parties.conf", f->pki), "rescan_s = 7\n");
	if (hub_open(&h, f->conf, 1, err, sizeof(err)) != 0)
		fail_msg("hub_open: %s", err);
	assert_int_equal(h.conf.rescan_s, 7);
	assert_true(registry_count(h.registry) >= 6);	/* the demo parties */
	assert_string_equal(codes_name(h.codes, CODES_TRADE_MODE, "0110"), "一般贸易");	/* R12 */
	assert_non_null(h.keys);
	assert_non_null(h.xmlin);
	assert_non_null(h.store);
	assert_true(tu_exists(tu_path(p, "%s/spool/inbound", f->tdir)));
	assert_true(tu_exists(tu_path(p, "%s/spool/work", f->tdir)));
	hub_close(&h);
	assert_null(h.store);
}

/* Without the store (entrustd -n, entrustctl inspect): the parts, no store. */
static void test_open_without_store(void **state)
{
	struct fixture *f = *state;
	char reg[PATH_MAX], err[512];
	struct hub h;

	write_conf(f, tu_path(reg, "%s/parties.conf", f->pki), "");
	assert_int_equal(hub_open(&h, f->conf, 0, err, sizeof(err)), 0);
	assert_null(h.store);
	assert_false(tu_exists(tu_path(reg, "%s/store", f->tdir)));
	hub_close(&h);
}

/* Table: a part that does not load refuses the open, naming it. */
struct bad_open {
	const char	*param;		/* its line is replaced by "param = value" */
	const char	*value;
};

static const struct bad_open bad_opens[] = {
	{"trust_ca", "/nonexistent/ca.pem"},
	{"hub_key", "/nonexistent/hub.key"},
	{"registry", "/nonexistent/parties.conf"},
	{"codes_dir", "/nonexistent/codes"},
	{"xsd_dir", "/nonexistent/xsd"},
};

/* Replace the line of param in the test's configuration. */
static void set_param(struct fixture *f, const char *param, const char *value)
{
	assert_int_equal(tu_sh("sed -i 's#^%s = .*#%s = %s#' '%s'", param, param, value, f->conf), 0);
}

static void test_table_open_refused(void **state)
{
	struct fixture *f = *state;
	char reg[PATH_MAX], err[512];
	struct hub h;
	size_t i;

	for (i = 0; i < sizeof(bad_opens) / sizeof(bad_opens[0]); i++) {
		write_conf(f, tu_path(reg, "%s/parties.conf", f->pki), "");
		set_param(f, bad_opens[i].param, bad_opens[i].value);
		if (hub_open(&h, f->conf, 0, err, sizeof(err)) == 0)
			fail_msg("%s: opened", bad_opens[i].param);
		if (strstr(err, bad_opens[i].value) == NULL)
			fail_msg("%s: error \"%s\" does not name %s", bad_opens[i].param, err, bad_opens[i].value);
	}
}

/* SIGHUP: a new registry and a new code table are taken together with the
 * new configuration (R1 binds signers through the registry, R12 codes). */
static void test_reload_takes_new_parts(void **state)
{
	struct fixture *f = *state;
	char reg[PATH_MAX], small[PATH_MAX], err[512], p[PATH_MAX];
	struct hub h;
	size_t before;

	tu_path(reg, "%s/parties.conf", f->pki);
	write_conf(f, reg, "rescan_s = 7\n");
	assert_int_equal(hub_open(&h, f->conf, 0, err, sizeof(err)), 0);
	before = registry_count(h.registry);
	assert_null(codes_name(h.codes, CODES_TRADE_MODE, "9998"));
	/* a registry of the first line only, and one more trade mode */
	assert_int_equal(tu_sh("grep -v '^#' '%s' | head -1 >'%s/one.conf'", reg, f->tdir), 0);
	assert_int_equal(tu_sh("printf '9998\\t测试监管方式\\tTest mode\\n' >>'%s/trade-modes.tsv'", f->codes), 0);
	write_conf(f, tu_path(small, "%s/one.conf", f->tdir), "rescan_s = 9\n");
	if (hub_reload(&h, f->conf, err, sizeof(err)) != 0)
		fail_msg("hub_reload: %s", err);
	assert_int_equal(h.conf.rescan_s, 9);
	assert_int_equal(registry_count(h.registry), 1);
	assert_true(before > 1);
	assert_string_equal(codes_name(h.codes, CODES_TRADE_MODE, "9998"), "测试监管方式");
	hub_close(&h);
	assert_int_equal(tu_sh("sed -i '/^9998/d' '%s'", tu_path(p, "%s/trade-modes.tsv", f->codes)), 0);
}

/* A reload that fails keeps everything as it was: the configuration, the
 * registry, the code tables; and the spool and store folders and the
 * store's cache change only with a restart. */
static void test_reload_refused_keeps_old(void **state)
{
	struct fixture *f = *state;
	char reg[PATH_MAX], err[512], text[8 * PATH_MAX];
	struct hub h;
	size_t before;

	tu_path(reg, "%s/parties.conf", f->pki);
	write_conf(f, reg, "rescan_s = 7\n");
	assert_int_equal(hub_open(&h, f->conf, 0, err, sizeof(err)), 0);
	before = registry_count(h.registry);

	write_conf(f, "/nonexistent/parties.conf", "rescan_s = 9\n");
	assert_int_equal(hub_reload(&h, f->conf, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/parties.conf"));
	assert_int_equal(h.conf.rescan_s, 7);
	assert_int_equal(registry_count(h.registry), before);

	write_conf(f, reg, "rescan_s = 9\nbogus = 1\n");
	assert_int_equal(hub_reload(&h, f->conf, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown parameter"));
	assert_int_equal(h.conf.rescan_s, 7);

	write_conf(f, reg, "rescan_s = 9\n");
	snprintf(text, sizeof(text), "%s/elsewhere", f->tdir);
	set_param(f, "spool_dir", text);
	assert_int_equal(hub_reload(&h, f->conf, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "restart"));
	assert_int_equal(h.conf.rescan_s, 7);
	assert_non_null(strstr(h.conf.spool_dir, "/spool"));

	write_conf(f, reg, "rescan_s = 9\nstore_cache_mib = 64\n");	/* the store's cache is sized at open */
	assert_int_equal(hub_reload(&h, f->conf, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "store_cache_mib change only with a restart"));
	assert_int_equal(h.conf.rescan_s, 7);
	assert_int_equal(h.conf.store_cache_mib, 12);
	hub_close(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_makes_spool_and_loads_parts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_without_store, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_open_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_takes_new_parts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_refused_keeps_old, setup, teardown),
	};

	return cmocka_run_group_tests_name("hub", tests, group_setup, group_teardown);
}
