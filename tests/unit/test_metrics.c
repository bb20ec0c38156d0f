/* test_metrics — counters, gauges and the histogram in the Prometheus text
 * format: what each event adds, label hygiene (bounded, escaped), the series
 * limit, the exposition text checked line by line, the atomic write, and
 * counting from many threads at once. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <regex.h>
#include <sys/stat.h>
#include <time.h>
#include "metrics.h"
#include "reason.h"
#include "reply.h"
#include "testutil.h"

/* The value of the sample "name{labels}" (or "name" when labels is NULL) in text; -1 if absent. */
static double sample(const char *text, const char *name, const char *labels)
{
	char want[512];
	const char *p = text;
	size_t n;

	snprintf(want, sizeof(want), labels ? "%s{%s} " : "%s ", name, labels);
	n = strlen(want);
	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, want, n) == 0)
			return strtod(p + n, NULL);
	return -1;
}

static double now_sample(const char *name, const char *labels)
{
	struct buf b;
	double v;

	buf_init(&b);
	metrics_render(&b);
	v = sample(b.data, name, labels);
	buf_free(&b);
	return v;
}

/* A strict reading of the text format: HELP then TYPE before a family's samples,
 * one family block each, sample names that belong to the family, valid labels
 * and values, histogram buckets cumulative and ending in +Inf = _count.
 * Returns NULL or what is wrong. */
static const char *check_format(const char *text)
{
	static char why[256];
	regex_t sample_re;
	regmatch_t m[4];
	char family[128] = "", type[16] = "", line[1024], seen[4096] = " ";
	const char *p = text, *e;
	double last_bucket = -1, inf = -1;
	int bad = 0;

	if (regcomp(&sample_re, "^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\n]|\\\\[\\\\\"n])*\""
	    "(,[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\n]|\\\\[\\\\\"n])*\")*)?\\})? (-?[0-9.e+-]+|\\+Inf|NaN)$",
	    REG_EXTENDED) != 0)
		return "regcomp";
	for (; *p && !bad; p = e + 1) {
		if ((e = strchr(p, '\n')) == NULL) {
			snprintf(why, sizeof(why), "last line has no newline");
			bad = 1;
			break;
		}
		snprintf(line, sizeof(line), "%.*s", (int)(e - p), p);
		if (strncmp(line, "# HELP ", 7) == 0) {
			char name[128], probe[140];

			if (sscanf(line + 7, "%127s", name) != 1) {
				snprintf(why, sizeof(why), "HELP without a name: %.100s", line);
				bad = 1;
			}
			snprintf(probe, sizeof(probe), " %s ", name);
			if (!bad && strstr(seen, probe)) {
				snprintf(why, sizeof(why), "family %.100s twice", name);
				bad = 1;
			}
			snprintf(family, sizeof(family), "%s", name);
			strncat(seen, probe + 1, sizeof(seen) - strlen(seen) - 1);
			type[0] = '\0';
			last_bucket = inf = -1;
			continue;
		}
		if (strncmp(line, "# TYPE ", 7) == 0) {
			char name[128];

			if (sscanf(line + 7, "%127s %15s", name, type) != 2 || strcmp(name, family) != 0
			    || (strcmp(type, "counter") && strcmp(type, "gauge") && strcmp(type, "histogram"))) {
				snprintf(why, sizeof(why), "bad TYPE line: %.100s", line);
				bad = 1;
			}
			continue;
		}
		if (line[0] == '#' || type[0] == '\0' || regexec(&sample_re, line, 4, m, 0) != 0) {
			snprintf(why, sizeof(why), "not a sample of a typed family: %.100s", line);
			bad = 1;
			continue;
		}
		{
			char name[128];
			size_t fl = strlen(family);
			double v = strtod(strrchr(line, ' ') + 1, NULL);

			snprintf(name, sizeof(name), "%.*s", (int)(m[1].rm_eo - m[1].rm_so), line);
			if (strcmp(type, "histogram") != 0 && strcmp(name, family) != 0) {
				snprintf(why, sizeof(why), "sample %.100s in family %.100s", name, family);
				bad = 1;
			} else if (strcmp(type, "histogram") == 0) {
				if (strncmp(name, family, fl) != 0 || (strcmp(name + fl, "_bucket") && strcmp(name + fl, "_sum")
				    && strcmp(name + fl, "_count"))) {
					snprintf(why, sizeof(why), "histogram sample %.100s", name);
					bad = 1;
				} else if (strcmp(name + fl, "_bucket") == 0) {
					if (v < last_bucket) {
						snprintf(why, sizeof(why), "buckets not cumulative at %.100s", line);
						bad = 1;
					}
					last_bucket = v;
					if (strstr(line, "le=\"+Inf\""))
						inf = v;
				} else if (strcmp(name + fl, "_count") == 0 && v != inf) {
					snprintf(why, sizeof(why), "_count %g but +Inf bucket %g", v, inf);
					bad = 1;
				}
			} else if (strcmp(type, "counter") == 0 && (v < 0 || strstr(family, "_total") == NULL)) {
				snprintf(why, sizeof(why), "counter %.100s: negative or not named _total", line);
				bad = 1;
			}
		}
	}
	regfree(&sample_re);
	return bad ? why : NULL;
}

static int reset(void **state)
{
	(void)state;
	metrics_reset();
	return 0;
}

/* Table: the checker itself refuses what a scraper would (so a pass means something). */
static void test_checker_refuses_bad_text(void **state)
{
	static const char *bad[] = {
		"a_total 1\n",
		"# HELP a_total x\n# TYPE a_total counter\na_total{l=\"x} 1\n",
		"# HELP a_total x\n# TYPE a_total counter\na_total{l=\"x\"} one\n",
		"# HELP a_total x\n# TYPE a_total counter\na_total -1\n",
		"# HELP a x\n# TYPE a counter\na 1\n",
		"# HELP a_total x\n# TYPE a_total counter\nb_total 1\n",
		"# HELP a_total x\n# TYPE a_total counter\na_total 1\n# HELP a_total x\n# TYPE a_total counter\n",
		"# HELP h x\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n",
		"# HELP h x\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 1\n",
		"# HELP g x\n# TYPE g gauge\ng 1",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (check_format(bad[i]) == NULL)
			fail_msg("row %zu passed the checker: %s", i, bad[i]);
	assert_null(check_format("# HELP g x\n# TYPE g gauge\ng{a=\"q\\\"\\\\\"} 1.5e+09\n"));
}

static void test_empty_render_is_valid(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b);
	metrics_render(&b);
	assert_null(check_format(b.data));
	assert_true(sample(b.data, "entrust_envelope_seconds_count", NULL) == 0);
	assert_true(sample(b.data, "entrust_metrics_dropped_total", NULL) == 0);
	assert_null(strstr(b.data, "entrust_envelopes_total"));	/* no series, no family */
	buf_free(&b);
}

/* Table: envelopes as job_apply and job_log_outcome report them. */
static void test_envelope_counters(void **state)
{
	static const struct {
		const char *type, *status, *code;
		double seconds;
	} rows[] = {
		{"EntrustRequest", "accepted", NULL, 0.02},
		{"EntrustRequest", "accepted", NULL, 0.03},
		{"Query", "accepted", NULL, 0.001},
		{NULL, "refused", "ENV_UNREADABLE", 0.004},
		{NULL, "refused", "SIG_INVALID", 0.2},
		{"TopUp", "refused", "ROLE_FORBIDDEN", -1},	/* not observed */
		{"EntrustRequest", "replay", NULL, 4},
	};
	static const struct {
		const char *name, *labels;
		double want;
	} want[] = {
		{"entrust_envelopes_total", "type=\"EntrustRequest\",status=\"accepted\"", 2},
		{"entrust_envelopes_total", "type=\"EntrustRequest\",status=\"replay\"", 1},
		{"entrust_envelopes_total", "type=\"Query\",status=\"accepted\"", 1},
		{"entrust_envelopes_total", "type=\"none\",status=\"refused\"", 2},
		{"entrust_envelopes_total", "type=\"TopUp\",status=\"refused\"", 1},
		{"entrust_envelopes_refused_total", "code=\"ENV_UNREADABLE\"", 1},
		{"entrust_envelopes_refused_total", "code=\"SIG_INVALID\"", 1},
		{"entrust_envelopes_refused_total", "code=\"ROLE_FORBIDDEN\"", 1},
		{"entrust_envelope_seconds_count", NULL, 6},
		{"entrust_envelope_seconds_bucket", "le=\"0.005\"", 2},
		{"entrust_envelope_seconds_bucket", "le=\"0.025\"", 3},
		{"entrust_envelope_seconds_bucket", "le=\"0.05\"", 4},
		{"entrust_envelope_seconds_bucket", "le=\"0.25\"", 5},
		{"entrust_envelope_seconds_bucket", "le=\"2.5\"", 5},
		{"entrust_envelope_seconds_bucket", "le=\"5\"", 6},
		{"entrust_envelope_seconds_bucket", "le=\"+Inf\"", 6},
	};
	struct buf b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		metrics_envelope(rows[i].type, rows[i].status, rows[i].code, rows[i].seconds);
	buf_init(&b);
	metrics_render(&b);
	assert_null(check_format(b.data));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		double got = sample(b.data, want[i].name, want[i].labels);

		if (got != want[i].want)
			fail_msg("%s{%s}: got %g, want %g", want[i].name, want[i].labels ? want[i].labels : "", got,
			    want[i].want);
	}
	assert_true(sample(b.data, "entrust_envelope_seconds_sum", NULL) > 4.25);
	assert_true(sample(b.data, "entrust_envelope_seconds_sum", NULL) < 4.26);
	buf_free(&b);
}

/* Label values are names: anything else becomes '_' (no escapes, bounded length). */
static void test_label_hygiene(void **state)
{
	struct buf b;

	(void)state;
	metrics_envelope("Evil\"}\n{x=\"1", "accepted", NULL, -1);
	metrics_envelope("", "accepted", NULL, -1);
	metrics_envelope("日本", "accepted", NULL, -1);
	buf_init(&b);
	metrics_render(&b);
	assert_null(check_format(b.data));
	assert_true(sample(b.data, "entrust_envelopes_total", "type=\"Evil____x__1\",status=\"accepted\"") == 1);
	assert_true(sample(b.data, "entrust_envelopes_total", "type=\"none\",status=\"accepted\"") == 1);
	assert_true(sample(b.data, "entrust_envelopes_total", "type=\"______\",status=\"accepted\"") == 1);
	buf_free(&b);
}

/* A reply as msg_*_apply leaves it: items with and without errors. */
static void test_reply_items(void **state)
{
	struct reply r;
	int i;

	(void)state;
	reply_init(&r, "E2026120310000000000", "ENTRUSTHUB", "req1.p7m", "");
	for (i = 0; i < 3; i++)
		reply_item_add(&r, "");
	reply_error(&r, 1, R_INSUFFICIENT_BALANCE, "/x", "no units");
	metrics_reply("EntrustRequest", &r, 0, 0.01);
	metrics_reply("EntrustRequest", &r, 1, 0.01);	/* a replay counts no items */
	reply_free(&r);
	reply_init(&r, "E2026120310000000001", "ENTRUSTHUB", "rcpt.p7m", "");
	reply_item_add(&r, "");
	reply_error(&r, -1, R_AGREEMENT_UNKNOWN, "/x", "whole message");
	metrics_reply("CustomsReceipt", &r, 0, 0.01);
	reply_free(&r);

	assert_true(now_sample("entrust_envelopes_total", "type=\"EntrustRequest\",status=\"partial\"") == 1);
	assert_true(now_sample("entrust_envelopes_total", "type=\"EntrustRequest\",status=\"replay\"") == 1);
	assert_true(now_sample("entrust_envelopes_total", "type=\"CustomsReceipt\",status=\"refused\"") == 1);
	assert_true(now_sample("entrust_envelopes_refused_total", "code=\"AGREEMENT_UNKNOWN\"") == 1);
	assert_true(now_sample("entrust_envelopes_refused_total", "code=\"INSUFFICIENT_BALANCE\"") == -1);
	assert_true(now_sample("entrust_items_total", "type=\"EntrustRequest\",outcome=\"accepted\"") == 2);
	assert_true(now_sample("entrust_items_total", "type=\"EntrustRequest\",outcome=\"refused\"") == 1);
	assert_true(now_sample("entrust_items_total", "type=\"CustomsReceipt\",outcome=\"refused\"") == 1);
	assert_true(now_sample("entrust_item_errors_total", "code=\"INSUFFICIENT_BALANCE\"") == 1);
}

static void test_outbound_and_delivery(void **state)
{
	static const struct {
		const char *file, *kind;
	} files[] = {
		{"ACK_ERP-1.p7m", "ack"}, {"ACK_E2026120310000000000.p7m", "ack"}, {"NTC_000000000001.p7m", "notice"},
		{"EXP_000000000002.p7m", "export"}, {"README", "other"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		metrics_outbound(files[i].file);
	assert_true(now_sample("entrust_outbound_files_total", "kind=\"ack\"") == 2);
	assert_true(now_sample("entrust_outbound_files_total", "kind=\"notice\"") == 1);
	assert_true(now_sample("entrust_outbound_files_total", "kind=\"export\"") == 1);
	assert_true(now_sample("entrust_outbound_files_total", "kind=\"other\"") == 1);
	metrics_delivery("4101W68006", "sftp://hub@files.example:22/in", "sent");
	metrics_delivery("4101W68006", "sftp://hub@files.example:22/in", "sent");
	metrics_delivery("0100HG0001", "https://customs.example/in", "deferred");
	metrics_delivery("1101230001", NULL, "sent");
	assert_true(now_sample("entrust_deliveries_total", "party=\"4101W68006\",route=\"sftp\",outcome=\"sent\"") == 2);
	assert_true(now_sample("entrust_deliveries_total", "party=\"0100HG0001\",route=\"https\",outcome=\"deferred\"")
	    == 1);
	assert_true(now_sample("entrust_deliveries_total", "party=\"1101230001\",route=\"local\",outcome=\"sent\"") == 1);
}

/* Table: envelope ids and the age they encode. */
static void test_age_from_id(void **state)
{
	static const char *bad[] = {NULL, "", "X20261203100000000", "E2026", "E2026120310000000x00", "E20261303"};
	char id[40];
	struct tm tm;
	time_t t = time(NULL) - 90;
	size_t i;
	double age;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_true(metrics_age(bad[i]) < 0);
	gmtime_r(&t, &tm);
	strftime(id, sizeof(id), "E%Y%m%d%H%M%S25007", &tm);	/* ms 250, counter 07 */
	age = metrics_age(id);
	assert_true(age > 89 && age < 92);
	t = time(NULL) + 5;		/* an id a little ahead of the clock: 0, never negative */
	gmtime_r(&t, &tm);
	strftime(id, sizeof(id), "E%Y%m%d%H%M%S00000", &tm);
	assert_true(metrics_age(id) == 0);
}

/* Gauges are replaced by each scan; counters stay. */
static void test_gauges_replaced(void **state)
{
	(void)state;
	metrics_envelope("Query", "accepted", NULL, -1);
	metrics_queue("inbound", 7, 12.5);
	metrics_cert("hub", "ENTRUSTHUB", "ab12", 1900000000);
	metrics_cert("ca", "", "cd34", 2000000000);
	metrics_start_time(1700000000);
	assert_true(now_sample("entrust_spool_files", "folder=\"inbound\"") == 7);
	assert_true(now_sample("entrust_spool_oldest_age_seconds", "folder=\"inbound\"") == 12.5);
	assert_true(now_sample("entrust_certificate_expiry_timestamp_seconds",
	    "kind=\"hub\",code=\"ENTRUSTHUB\",fingerprint=\"ab12\"") == 1900000000);
	assert_true(now_sample("entrust_certificate_expiry_timestamp_seconds",
	    "kind=\"ca\",code=\"\",fingerprint=\"cd34\"") == 2000000000);
	metrics_queue("inbound", 3, 1);		/* set, not added */
	assert_true(now_sample("entrust_spool_files", "folder=\"inbound\"") == 3);
	metrics_gauges_clear();
	assert_true(now_sample("entrust_spool_files", "folder=\"inbound\"") == -1);
	assert_true(now_sample("entrust_certificate_expiry_timestamp_seconds",
	    "kind=\"hub\",code=\"ENTRUSTHUB\",fingerprint=\"ab12\"") == -1);
	assert_true(now_sample("entrust_envelopes_total", "type=\"Query\",status=\"accepted\"") == 1);
	assert_true(now_sample("entrust_start_time_seconds", NULL) == 1700000000);
}

/* Hostile variety cannot grow memory: past the limit, events are dropped and counted. */
static void test_series_limit(void **state)
{
	char code[32];
	int i;

	(void)state;
	for (i = 0; i < METRICS_MAX_SERIES + 100; i++) {
		snprintf(code, sizeof(code), "C%d", i);
		metrics_envelope("Query", "refused", code, -1);
	}
	/* one series for envelopes_total, then refusal codes up to the limit */
	assert_true(now_sample("entrust_metrics_dropped_total", NULL) == 101);
	assert_true(now_sample("entrust_envelopes_total", "type=\"Query\",status=\"refused\"") == METRICS_MAX_SERIES + 100);
}

static void test_write_atomic(void **state)
{
	char *dir = tu_tmpdir("metrics");
	char path[PATH_MAX], bad[PATH_MAX];
	struct stat st;
	struct buf b;

	(void)state;
	metrics_envelope("Query", "accepted", NULL, 0.1);
	tu_path(path, "%s/entrust.prom", dir);
	tu_writes(path, "old\n");
	assert_int_equal(metrics_write(path), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(tu_count(dir, NULL, NULL, 0), 1);	/* no temporary left */
	buf_init(&b);
	assert_int_equal(tu_read(path, &b), 0);
	assert_null(check_format(b.data));
	assert_true(sample(b.data, "entrust_envelopes_total", "type=\"Query\",status=\"accepted\"") == 1);
	buf_free(&b);
	tu_path(bad, "%s/missing/entrust.prom", dir);
	assert_int_equal(metrics_write(bad), -1);
	assert_int_equal(errno, ENOENT);
	tu_rmrf(dir);
	free(dir);
}

static void *count_many(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 20000; i++) {
		metrics_envelope("Query", "accepted", NULL, 0.001);
		metrics_delivery("4101W68006", "https://x/", "sent");
	}
	return NULL;
}

/* Delivery threads and the main thread count at once: nothing is lost. */
static void test_threads(void **state)
{
	pthread_t t[4];
	int i;

	(void)state;
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, count_many, NULL), 0);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	assert_true(now_sample("entrust_envelopes_total", "type=\"Query\",status=\"accepted\"") == 80000);
	assert_true(now_sample("entrust_deliveries_total", "party=\"4101W68006\",route=\"https\",outcome=\"sent\"")
	    == 80000);
	assert_true(now_sample("entrust_envelope_seconds_count", NULL) == 80000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checker_refuses_bad_text),
		cmocka_unit_test_setup(test_empty_render_is_valid, reset),
		cmocka_unit_test_setup(test_envelope_counters, reset),
		cmocka_unit_test_setup(test_label_hygiene, reset),
		cmocka_unit_test_setup(test_reply_items, reset),
		cmocka_unit_test_setup(test_outbound_and_delivery, reset),
		cmocka_unit_test_setup(test_age_from_id, reset),
		cmocka_unit_test_setup(test_gauges_replaced, reset),
		cmocka_unit_test_setup(test_series_limit, reset),
		cmocka_unit_test_setup(test_write_atomic, reset),
		cmocka_unit_test_setup(test_threads, reset),
	};

	return cmocka_run_group_tests_name("metrics", tests, NULL, reset);
}
