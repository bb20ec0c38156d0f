/* test_metrics_scan — the disk gauges: files waiting per spool folder and the
 * oldest one's age (dot files, reasons and delivery state not counted), the
 * expiry of the hub's, the CA's and the registered parties' certificates
 * (demo PKI), and the metrics file under <spool_dir>/metrics/. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <time.h>
#include <utime.h>
#include "conf.h"
#include "metrics.h"
#include "metrics_scan.h"
#include "registry.h"
#include "testutil.h"

struct fixture {
	char		*dir;
	struct conf	 c;
	struct registry	*r;
};

static double sample(const char *name, const char *labels)
{
	char want[512];
	struct buf b;
	const char *p;
	double v = -1;

	buf_init(&b);
	metrics_render(&b);
	snprintf(want, sizeof(want), "%s{%s} ", name, labels);
	for (p = b.data; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, want, strlen(want)) == 0)
			v = strtod(p + strlen(want), NULL);
	buf_free(&b);
	return v;
}

/* How many samples of the rendered text contain needle. */
static int samples_with(const char *needle)
{
	struct buf b;
	const char *p;
	int n = 0;

	buf_init(&b);
	metrics_render(&b);
	for (p = b.data; (p = strstr(p, needle)) != NULL; p++)
		n++;
	buf_free(&b);
	return n;
}

/* A file at dir/name, last modified age seconds ago. */
static void aged(const char *dir, const char *name, time_t age)
{
	char path[PATH_MAX];
	struct utimbuf t;

	tu_sh("mkdir -p '%s'", dir);
	tu_path(path, "%s/%s", dir, name);
	assert_int_equal(tu_writes(path, "x"), 0);
	t.actime = t.modtime = time(NULL) - age;
	assert_int_equal(utime(path, &t), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256], pki[PATH_MAX];

	f->dir = tu_tmpdir("mscan");
	conf_defaults(&f->c);
	tu_path(f->c.spool_dir, "%s/spool", f->dir);
	tu_path(f->c.trust_ca, "%s/pki/ca.pem", f->dir);
	tu_path(f->c.hub_cert, "%s/pki/hub.pem", f->dir);
	tu_path(f->c.registry, "%s/pki/parties.conf", f->dir);
	if (tu_pki(tu_path(pki, "%s/pki", f->dir)) != 0)
		return -1;
	f->r = registry_load(f->c.registry, err, sizeof(err));
	metrics_reset();
	*state = f;
	return f->r ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	registry_free(f->r);
	metrics_scan_done();
	tu_rmrf(f->dir);
	free(f->dir);
	free(f);
	metrics_reset();
	return 0;
}

/* Table: files per folder and the oldest age; what is not waiting is not counted. */
static void test_queues(void **state)
{
	static const struct {
		const char *sub, *name;
		time_t age;
	} files[] = {
		{"inbound", "a.p7m", 100}, {"inbound", "b.p7m", 5}, {"inbound", ".c.p7m.tmp", 900},
		{"work", "E2026_x.p7m", 30},
		{"error", "E2026_y.p7m", 400}, {"error", "E2026_y.p7m.reason", 9000}, {"error", "E2026_y.p7m.reason.1", 9000},
		{"outbound/1101230001", "ACK_1.p7m", 60}, {"outbound/4101W68006", "NTC_000000000001.p7m", 7},
		{"outbound/4101W68006/.state", "NTC_000000000001.p7m", 9000},
		{"dead/4101W68006", "NTC_000000000002.p7m", 3000}, {"dead/4101W68006", "NTC_000000000002.p7m.reason", 9000},
		{"archive/20261203", "E2026_z.p7m", 9000},
	};
	static const struct {
		const char *folder;
		double files, age;
	} want[] = {
		{"inbound", 2, 100}, {"work", 1, 30}, {"error", 1, 400}, {"outbound", 2, 60}, {"dead", 1, 3000},
	};
	struct fixture *f = *state;
	char dir[PATH_MAX], labels[64];
	size_t i;
	double got;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		aged(tu_path(dir, "%s/%s", f->c.spool_dir, files[i].sub), files[i].name, files[i].age);
	metrics_scan(&f->c, f->r, time(NULL));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(labels, sizeof(labels), "folder=\"%s\"", want[i].folder);
		assert_true(sample("entrust_spool_files", labels) == want[i].files);
		got = sample("entrust_spool_oldest_age_seconds", labels);
		if (got < want[i].age || got > want[i].age + 2)
			fail_msg("%s: oldest %g, want %g", want[i].folder, got, want[i].age);
	}
}

/* An empty or missing spool: zeros, not missing series. */
static void test_queues_empty(void **state)
{
	struct fixture *f = *state;

	metrics_scan(&f->c, f->r, time(NULL));
	assert_true(sample("entrust_spool_files", "folder=\"inbound\"") == 0);
	assert_true(sample("entrust_spool_oldest_age_seconds", "folder=\"dead\"") == 0);
}

/* The demo PKI: hub, CA and every registered party, each once, with its notAfter. */
static void test_certificates(void **state)
{
	struct fixture *f = *state;
	char fpr[65], labels[256], cmd[PATH_MAX * 2];
	struct buf b;
	FILE *p;
	long long want = 0;
	size_t i;
	static const char *codes[] = {"1101230001", "1101230002", "4101W68006", "1100XH0001", "0100HG0001", "ENTRUSTOPS"};

	metrics_scan(&f->c, f->r, time(NULL));
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		assert_int_equal(tu_registry_fpr(f->c.registry, codes[i], fpr), 0);
		snprintf(labels, sizeof(labels), "kind=\"party\",code=\"%s\",fingerprint=\"%s\"", codes[i], fpr);
		assert_true(sample("entrust_certificate_expiry_timestamp_seconds", labels) > (double)time(NULL));
	}
	snprintf(cmd, sizeof(cmd), "date -d \"$(openssl x509 -in '%s' -noout -enddate | cut -d= -f2)\" +%%s",
	    f->c.hub_cert);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%lld", &want), 1);
	pclose(p);
	buf_init(&b);
	metrics_render(&b);
	assert_non_null(strstr(b.data, "kind=\"hub\",code=\"ENTRUSTHUB\""));
	assert_true(strtod(strchr(strstr(b.data, "kind=\"hub\""), '}') + 2, NULL) == (double)want);
	buf_free(&b);
	assert_int_equal(samples_with("kind=\"hub\""), 1);	/* hub.pem is also in the CA's folder: once */
	assert_int_equal(samples_with("kind=\"ca\",code=\"\""), 1);
	assert_int_equal(samples_with("kind=\"party\""), 6);
}

/* A retired certificate in the registry's certs/ speaks for nobody: not reported. */
static void test_unbound_cert_skipped(void **state)
{
	struct fixture *f = *state;
	char dir[PATH_MAX], pki[PATH_MAX];

	tu_path(pki, "%s/pki", f->dir);
	tu_path(dir, "%s/certs", pki);
	assert_int_equal(tu_sh("mkdir -p '%s' && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
	    "-keyout /dev/null -subj /CN=retired 2>/dev/null | openssl x509 -req -CA '%s/ca.pem' -CAkey '%s/ca.key' "
	    "-days 1 -out '%s/retired.pem' 2>/dev/null", dir, pki, pki, dir), 0);
	metrics_scan(&f->c, f->r, time(NULL));
	assert_int_equal(samples_with("entrust_certificate_expiry_timestamp_seconds{"), 8);	/* hub, ca, 6 parties */
}

/* Consignors 11012300<from>..<to>, each with a new certificate at
 * pki/<sub>/p<i>.pem bound in the registry, which is loaded again. */
static void bound_certs(struct fixture *f, const char *sub, int from, int to)
{
	char pki[PATH_MAX], err[256];

	tu_path(pki, "%s/pki", f->dir);
	assert_int_equal(tu_sh("cd '%s' && mkdir -p %s && for i in $(seq %d %d); do "
	    "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null -subj /CN=p$i "
	    "2>/dev/null | openssl x509 -req -CA ca.pem -CAkey ca.key -days 30 -out %s/p$i.pem 2>/dev/null && "
	    "echo \"11012300$i consignor $(openssl x509 -in %s/p$i.pem -outform DER | sha256sum | cut -c1-64) "
	    "企业$i\" >>parties.conf || exit 1; done", pki, sub, from, to, sub, sub), 0);
	registry_free(f->r);
	f->r = registry_load(f->c.registry, err, sizeof(err));
	assert_non_null(f->r);
}

/* Many parties' certificates, each there twice (a copy beside it): one
 * series each, whatever their number (48 certificates: the set of those
 * reported outgrows its first 64 slots, half full at most). */
static void test_many_party_certs_once_each(void **state)
{
	struct fixture *f = *state;

	bound_certs(f, "certs", 10, 49);
	assert_int_equal(tu_sh("cd '%s/pki/certs' && for f in p*.pem; do cp $f copy-$f; done", f->dir), 0);
	metrics_scan(&f->c, f->r, time(NULL));
	assert_int_equal(samples_with("kind=\"party\""), 6 + 40);
	assert_int_equal(samples_with("code=\"1101230010\""), 1);
	assert_int_equal(samples_with("code=\"1101230049\""), 1);
	assert_int_equal(samples_with("kind=\"hub\""), 1);
}

/* Scans keep what each file held (not read again while unchanged): a file
 * rewritten with another certificate is read again, a file removed is no
 * longer reported, and an unchanged one is reported as before. */
static void test_cert_files_kept_between_scans_until_changed(void **state)
{
	struct fixture *f = *state;
	char pki[PATH_MAX];

	tu_path(pki, "%s/pki", f->dir);
	bound_certs(f, "spare", 70, 71);	/* spare/ is not scanned */
	assert_int_equal(tu_sh("mkdir -p '%s/certs' && cp '%s/spare/p70.pem' '%s/certs/a.pem'", pki, pki, pki), 0);
	metrics_scan(&f->c, f->r, time(NULL));
	assert_int_equal(samples_with("code=\"1101230070\""), 1);
	metrics_scan(&f->c, f->r, time(NULL));	/* unchanged: from what the last scan kept */
	assert_int_equal(samples_with("code=\"1101230070\""), 1);
	assert_int_equal(samples_with("kind=\"party\""), 6 + 1);
	assert_int_equal(tu_sh("cp '%s/spare/p71.pem' '%s/certs/a.pem'", pki, pki), 0);
	metrics_scan(&f->c, f->r, time(NULL));
	assert_int_equal(samples_with("code=\"1101230070\""), 0);
	assert_int_equal(samples_with("code=\"1101230071\""), 1);
	assert_int_equal(tu_sh("rm '%s/certs/a.pem'", pki), 0);
	metrics_scan(&f->c, f->r, time(NULL));
	assert_int_equal(samples_with("code=\"1101230071\""), 0);
	assert_int_equal(samples_with("kind=\"party\""), 6);
}

/* The file: <spool_dir>/metrics/entrust.prom, 0644, rewritten when forced, else at most every few seconds. */
static void test_publish(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX];
	struct stat st;
	struct buf b;

	assert_int_equal(metrics_scan_path(&f->c, path), 0);
	assert_int_equal(metrics_scan_publish(&f->c, f->r, 1), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	metrics_envelope("Query", "accepted", NULL, 0.01);
	assert_int_equal(metrics_scan_publish(&f->c, f->r, 0), 0);	/* too soon: not rewritten */
	buf_init(&b);
	assert_int_equal(tu_read(path, &b), 0);
	assert_null(strstr(b.data, "type=\"Query\""));
	assert_non_null(strstr(b.data, "entrust_start_time_seconds "));
	assert_int_equal(metrics_scan_publish(&f->c, f->r, 1), 0);
	buf_reset(&b);
	assert_int_equal(tu_read(path, &b), 0);
	assert_non_null(strstr(b.data, "entrust_envelopes_total{type=\"Query\",status=\"accepted\"} 1\n"));
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_queues, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queues_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_certificates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unbound_cert_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_party_certs_once_each, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cert_files_kept_between_scans_until_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_publish, setup, teardown),
	};

	return cmocka_run_group_tests_name("metrics_scan", tests, NULL, NULL);
}
