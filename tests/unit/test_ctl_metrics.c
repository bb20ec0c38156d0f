/* test_ctl_metrics — entrustctl metrics: the file entrustd writes
 * (<spool_dir>/metrics/entrust.prom) byte for byte, with a warning line
 * when no daemon holds the store lock; without the file, the disk gauges
 * (spool queues, certificate expiry) measured now; a store error (3) when
 * the file cannot be read or the registry cannot be loaded. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/file.h>
#include <cmocka.h>
#include "ctl_metrics.h"
#include "metrics.h"
#include "testctl.h"

#define PROM "# HELP entrust_envelopes_total Envelopes decided.\n# TYPE entrust_envelopes_total counter\n" \
    "entrust_envelopes_total{type=\"EntrustRequest\",status=\"accepted\"} 7\n"
#define NOT_RUNNING "# entrustd is not running: the counters are those of its last run\n"

static const char registry_text[] =
    "1101230001 consignor aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 北京示例贸易有限公司\n";

static int setup(void **state)
{
	struct tc *t = calloc(1, sizeof(*t));

	tc_init(t, "ctlmetrics");
	metrics_reset();
	tu_path(t->c.conf.hub_cert, "%s/hub.pem", t->dir);
	tu_path(t->c.conf.trust_ca, "%s/ca.pem", t->dir);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tc *t = *state;

	metrics_reset();
	tc_free(t);
	free(t);
	return 0;
}

static const char *prom_path(struct tc *t)
{
	mkdir(tu_path(t->p, "%s/metrics", t->c.conf.spool_dir), 0755);
	return tu_path(t->p, "%s/metrics/entrust.prom", t->c.conf.spool_dir);
}

static void test_file_as_written_with_warning_when_stopped(void **state)
{
	struct tc *t = *state;

	assert_int_equal(tu_writes(prom_path(t), PROM), 0);
	assert_int_equal(tc_run(t, ctl_metrics, NULL), CTL_OK);
	assert_string_equal(tc_out(t), NOT_RUNNING PROM);
}

/* The daemon holds an flock on <store_dir>/entrustd.lock: the file alone, no warning. */
static void test_file_alone_while_daemon_runs(void **state)
{
	struct tc *t = *state;
	int fd;

	assert_int_equal(tu_writes(prom_path(t), PROM), 0);
	mkdir(t->c.conf.store_dir, 0750);
	fd = open(tu_path(t->p, "%s/entrustd.lock", t->c.conf.store_dir), O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	assert_int_equal(tc_run(t, ctl_metrics, NULL), CTL_OK);
	close(fd);
	assert_string_equal(tc_out(t), PROM);
}

/* No file yet: the queues of the spool folders and the hub's certificate, measured now. */
static void test_gauges_measured_without_file(void **state)
{
	static const char *const want[] = {
		"+entrust_spool_files{folder=\"inbound\"} 2\n",
		"+entrust_spool_files{folder=\"error\"} 1\n",
		"+entrust_spool_files{folder=\"outbound\"} 3\n",	/* outbound/CODE/ one level down */
		"+entrust_spool_files{folder=\"work\"} 0\n",
		"+entrust_certificate_expiry_timestamp_seconds{kind=\"hub\"",
		"-entrust_envelopes_total{",	/* nothing was counted in this process */
		NULL,
	};
	struct tc *t = *state;
	const char *sp = t->c.conf.spool_dir;
	char head[2 * PATH_MAX], prom[PATH_MAX];

	tu_writes(t->c.conf.registry, registry_text);
	mkdir(tu_path(t->p, "%s/inbound", sp), 0750);
	mkdir(tu_path(t->p, "%s/error", sp), 0750);
	mkdir(tu_path(t->p, "%s/outbound", sp), 0750);
	mkdir(tu_path(t->p, "%s/outbound/1101230001", sp), 0750);
	tu_writes(tu_path(t->p, "%s/inbound/a.p7m", sp), "x");
	tu_writes(tu_path(t->p, "%s/inbound/b.p7m", sp), "x");
	tu_writes(tu_path(t->p, "%s/error/c.p7m", sp), "x");
	tu_writes(tu_path(t->p, "%s/outbound/1101230001/ACK_1.p7m", sp), "x");
	tu_writes(tu_path(t->p, "%s/outbound/1101230001/ACK_2.p7m", sp), "x");
	tu_writes(tu_path(t->p, "%s/outbound/1101230001/NTC_3.p7m", sp), "x");
	assert_int_equal(tu_sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout '%s/hub.key' "
	    "-out '%s' -days 30 -subj /CN=ENTRUSTHUB >/dev/null 2>&1", t->dir, t->c.conf.hub_cert), 0);
	tu_path(prom, "%s/metrics/entrust.prom", sp);
	assert_int_equal(tc_run(t, ctl_metrics, NULL), CTL_OK);
	snprintf(head, sizeof(head), "# no %s yet (entrustd has not run): disk gauges measured now\n", prom);
	assert_memory_equal(tc_out(t), head, strlen(head));
	tc_expect("gauges", tc_out(t), want);
	assert_false(tu_exists(prom));		/* measuring writes nothing */
}

static void test_refusals(void **state)
{
	static const struct {
		const char	*label;
		int		 what;		/* 0 registry missing, 1 metrics/ a file, 2 spool_dir too long */
		const char	*err;
	} rows[] = {
		{"no file and no registry", 0, "parties.conf"},
		{"metrics/ is not a folder", 1, "entrust.prom"},
		{"spool_dir too long", 2, "spool_dir too long"},
	};
	struct tc *t = *state;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (rows[i].what == 1)
			tu_writes(tu_path(t->p, "%s/metrics", t->c.conf.spool_dir), "not a folder");
		if (rows[i].what == 2) {
			memset(t->c.conf.spool_dir, 'a', PATH_MAX - 10);
			t->c.conf.spool_dir[0] = '/';
			t->c.conf.spool_dir[PATH_MAX - 10] = '\0';
		}
		if (tc_run(t, ctl_metrics, NULL) != CTL_STORE)
			fail_msg("%s: not a store error", rows[i].label);
		assert_string_equal(tc_out(t), "");
		if (strstr(t->err.data, rows[i].err) == NULL)
			fail_msg("%s: stderr \"%s\" does not name %s", rows[i].label, t->err.data, rows[i].err);
	}
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_file_as_written_with_warning_when_stopped),
		T(test_file_alone_while_daemon_runs),
		T(test_gauges_measured_without_file),
		T(test_refusals),
	};

	return cmocka_run_group_tests_name("ctl_metrics", tests, NULL, NULL);
}
