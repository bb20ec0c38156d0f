/* metrics — counters, gauges and a histogram in the Prometheus text format. */
#include "metrics.h"
#include "reason.h"
#include "reply.h"
#include "xmem.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum fam {
	F_ENVELOPES, F_REFUSED, F_ITEMS, F_ITEM_ERRORS, F_SECONDS, F_OUTBOUND, F_DELIVERIES,
	F_QUEUE, F_QUEUE_AGE, F_CERT, F_START, F_DROPPED, F_COUNT
};

/* The families, in the order they are rendered; F_SECONDS is the histogram. */
static const struct family {
	const char	*name;
	const char	*type;
	const char	*help;
} fams[F_COUNT] = {
	[F_ENVELOPES] = {"entrust_envelopes_total", "counter",
	    "Envelopes decided, by message type (none: not readable that far) and status (accepted, partial, refused, replay)."},
	[F_REFUSED] = {"entrust_envelopes_refused_total", "counter",
	    "Envelopes refused as a whole, by reason code (docs/protocol.md)."},
	[F_ITEMS] = {"entrust_items_total", "counter",
	    "Items of applied messages (agreements, decisions, customs receipt lines), by message type and outcome."},
	[F_ITEM_ERRORS] = {"entrust_item_errors_total", "counter",
	    "Item-level errors in acknowledgements, by reason code."},
	[F_SECONDS] = {"entrust_envelope_seconds", "histogram",
	    "Seconds from an envelope's claim into work/ to its decision."},
	[F_OUTBOUND] = {"entrust_outbound_files_total", "counter",
	    "Signed files written to outbound/, by kind (ack, notice, export to customs, other)."},
	[F_DELIVERIES] = {"entrust_deliveries_total", "counter",
	    "Delivery attempts by party, route (scheme) and outcome."},
	[F_QUEUE] = {"entrust_spool_files", "gauge",
	    "Files waiting in a spool folder (inbound, work, error, outbound, dead)."},
	[F_QUEUE_AGE] = {"entrust_spool_oldest_age_seconds", "gauge",
	    "Age of the oldest file in a spool folder (0 when empty)."},
	[F_CERT] = {"entrust_certificate_expiry_timestamp_seconds", "gauge",
	    "notAfter of the hub's, the trusted CAs' and the registered parties' certificates (Unix time)."},
	[F_START] = {"entrust_start_time_seconds", "gauge",
	    "When the daemon started (Unix time)."},
	[F_DROPPED] = {"entrust_metrics_dropped_total", "counter",
	    "Events not counted because the series limit was reached or a label was too long."},
};

static const double buckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))

struct series {
	enum fam	 fam;
	char		 labels[256];	/* rendered: a="x",b="y" */
	double		 value;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct series *series;
static size_t nseries, capseries;
static unsigned long long hist[NBUCKETS + 1];	/* per bucket, not cumulative; last: +Inf */
static unsigned long long hist_count, dropped;
static double hist_sum;

/* Append k="v" to b, escaping v as the format wants (\\, \", \n). */
static void label_add(struct buf *b, const char *k, const char *v)
{
	const char *p;

	buf_printf(b, "%s%s=\"", b->len ? "," : "", k);
	for (p = v ? v : ""; *p; p++) {
		if (*p == '\\' || *p == '"')
			buf_printf(b, "\\%c", *p);
		else if (*p == '\n')
			buf_adds(b, "\\n");
		else
			buf_add(b, p, 1);
	}
	buf_adds(b, "\"");
}

/* Labels from NULL-terminated key, value pairs into out[256]; -1 if too long. */
static int labels_of(char out[256], ...)
{
	const char *k, *v;
	struct buf b;
	va_list ap;
	int rc = 0;

	buf_init(&b);
	va_start(ap, out);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		label_add(&b, k, v);
	}
	va_end(ap);
	if (strlcopy(out, b.len ? b.data : "", 256) < 0)
		rc = -1;
	buf_free(&b);
	return rc;
}

/* The series of fam with labels, created at 0 if new; NULL past the limit. Under mu. */
static struct series *series_get(enum fam fam, const char *labels)
{
	size_t i;

	for (i = 0; i < nseries; i++)
		if (series[i].fam == fam && strcmp(series[i].labels, labels) == 0)
			return &series[i];
	if (nseries == METRICS_MAX_SERIES)
		return NULL;
	if (nseries == capseries) {
		capseries = capseries ? 2 * capseries : 64;
		series = xrealloc(series, capseries * sizeof(*series));
	}
	series[nseries].fam = fam;
	strlcopy(series[nseries].labels, labels, sizeof(series[nseries].labels));
	series[nseries].value = 0;
	return &series[nseries++];
}

/* Add v to (or, with set, replace) the series; labels NULL means they did not fit. Under mu. */
static void series_bump(enum fam fam, const char *labels, double v, int set)
{
	struct series *s = labels ? series_get(fam, labels) : NULL;

	if (s == NULL)
		dropped++;
	else if (set)
		s->value = v;
	else
		s->value += v;
}

/* A label value safe to keep: a name, never free text (bounded cardinality). */
static const char *label_word(const char *s, char *out, size_t n)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return "none";
	for (i = 0; s[i] && i + 1 < n; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')
		    || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-' || s[i] == '.' ? s[i] : '_';
	out[i] = '\0';
	return out;
}

static void hist_observe(double seconds)
{
	size_t i;

	for (i = 0; i < NBUCKETS && seconds > buckets[i]; i++)
		;
	hist[i]++;
	hist_count++;
	hist_sum += seconds;
}

void metrics_envelope(const char *type, const char *status, const char *code, double seconds)
{
	char l[256], t[48], s[24], c[48];
	int ok;

	pthread_mutex_lock(&mu);
	ok = labels_of(l, "type", label_word(type, t, sizeof(t)), "status", label_word(status, s, sizeof(s)), NULL);
	series_bump(F_ENVELOPES, ok == 0 ? l : NULL, 1, 0);
	if (code != NULL) {
		ok = labels_of(l, "code", label_word(code, c, sizeof(c)), NULL);
		series_bump(F_REFUSED, ok == 0 ? l : NULL, 1, 0);
	}
	if (seconds >= 0)
		hist_observe(seconds);
	pthread_mutex_unlock(&mu);
}

/* Items and item errors of an applied message. Under mu. */
static void metrics_items(const char *type, const struct reply *r)
{
	char l[256], t[48], c[48];
	int i, refused = 0, all = strcmp(reply_outcome(r), "refused") == 0;

	for (i = 0; i < r->nitems; i++)
		refused += all || r->items[i].refused;
	label_word(type, t, sizeof(t));
	if (r->nitems - refused > 0)
		series_bump(F_ITEMS, labels_of(l, "type", t, "outcome", "accepted", NULL) == 0 ? l : NULL,
		    r->nitems - refused, 0);
	if (refused > 0)
		series_bump(F_ITEMS, labels_of(l, "type", t, "outcome", "refused", NULL) == 0 ? l : NULL, refused, 0);
	for (i = 0; i < r->nerrors; i++)
		if (r->errors[i].item >= 0)
			series_bump(F_ITEM_ERRORS, labels_of(l, "code", label_word(reason_code(r->errors[i].code),
			    c, sizeof(c)), NULL) == 0 ? l : NULL, 1, 0);
}

void metrics_reply(const char *type, const struct reply *r, int replayed, double seconds)
{
	const char *status = replayed ? "replay" : reply_outcome(r);
	const char *code = NULL;

	if (!replayed && strcmp(status, "refused") == 0 && r->nerrors > 0)
		code = reason_code(r->errors[0].code);
	metrics_envelope(type, status, code, seconds);
	if (replayed)
		return;
	pthread_mutex_lock(&mu);
	metrics_items(type, r);
	pthread_mutex_unlock(&mu);
}

void metrics_outbound(const char *file_name)
{
	const char *kind = strncmp(file_name, "ACK_", 4) == 0 ? "ack" : strncmp(file_name, "NTC_", 4) == 0 ? "notice"
	    : strncmp(file_name, "EXP_", 4) == 0 ? "export" : "other";
	char l[256];

	pthread_mutex_lock(&mu);
	series_bump(F_OUTBOUND, labels_of(l, "kind", kind, NULL) == 0 ? l : NULL, 1, 0);
	pthread_mutex_unlock(&mu);
}

void metrics_delivery(const char *party, const char *route_url, const char *outcome)
{
	char l[256], p[24], scheme[16], r[16], o[24];
	const char *colon = route_url ? strchr(route_url, ':') : NULL;

	snprintf(scheme, sizeof(scheme), "%.*s", colon ? (int)(colon - route_url) : 5, colon ? route_url : "local");
	pthread_mutex_lock(&mu);
	series_bump(F_DELIVERIES, labels_of(l, "party", label_word(party, p, sizeof(p)), "route",
	    label_word(scheme, r, sizeof(r)), "outcome", label_word(outcome, o, sizeof(o)), NULL) == 0
	    ? l : NULL, 1, 0);
	pthread_mutex_unlock(&mu);
}

double metrics_age(const char *work_id)
{
	struct timespec now;
	struct tm tm;
	double age;
	int ms, i;

	if (work_id == NULL || work_id[0] != 'E')
		return -1;
	for (i = 1; i <= 17; i++)
		if (work_id[i] < '0' || work_id[i] > '9')
			return -1;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(work_id + 1, "%4d%2d%2d%2d%2d%2d%3d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
	    &tm.tm_min, &tm.tm_sec, &ms) != 7)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	clock_gettime(CLOCK_REALTIME, &now);
	age = (double)(now.tv_sec - timegm(&tm)) + now.tv_nsec / 1e9 - ms / 1e3;
	return age > 0 ? age : 0;	/* ids may run a little ahead of the clock (spool.c) */
}

void metrics_gauges_clear(void)
{
	size_t i, k = 0;

	pthread_mutex_lock(&mu);
	for (i = 0; i < nseries; i++)
		if (series[i].fam != F_QUEUE && series[i].fam != F_QUEUE_AGE && series[i].fam != F_CERT)
			series[k++] = series[i];
	nseries = k;
	pthread_mutex_unlock(&mu);
}

void metrics_queue(const char *folder, long files, double oldest_age_s)
{
	char l[256], f[32];

	pthread_mutex_lock(&mu);
	if (labels_of(l, "folder", label_word(folder, f, sizeof(f)), NULL) == 0) {
		series_bump(F_QUEUE, l, (double)files, 1);
		series_bump(F_QUEUE_AGE, l, oldest_age_s, 1);
	} else
		dropped++;
	pthread_mutex_unlock(&mu);
}

void metrics_cert(const char *kind, const char *code, const char *fingerprint, time_t not_after)
{
	char l[256], k[16], c[24], f[72];

	pthread_mutex_lock(&mu);
	series_bump(F_CERT, labels_of(l, "kind", label_word(kind, k, sizeof(k)), "code",
	    code && *code ? label_word(code, c, sizeof(c)) : "", "fingerprint",
	    label_word(fingerprint, f, sizeof(f)), NULL) == 0 ? l : NULL, (double)not_after, 1);
	pthread_mutex_unlock(&mu);
}

void metrics_start_time(time_t t)
{
	pthread_mutex_lock(&mu);
	series_bump(F_START, "", (double)t, 1);
	pthread_mutex_unlock(&mu);
}

/* A sample value: integers without a fraction, others with enough digits. */
static void value_add(struct buf *out, double v)
{
	if (v > -1e15 && v < 1e15 && v == (double)(long long)v)
		buf_printf(out, "%.0f", v);
	else
		buf_printf(out, "%.9g", v);
}

static void sample_add(struct buf *out, const char *name, const char *suffix, const char *labels, double v)
{
	buf_printf(out, "%s%s", name, suffix);
	if (labels && *labels)
		buf_printf(out, "{%s}", labels);
	buf_adds(out, " ");
	value_add(out, v);
	buf_adds(out, "\n");
}

static void hist_render(struct buf *out, const char *name)
{
	unsigned long long cum = 0;
	char le[32];
	size_t i;

	for (i = 0; i < NBUCKETS; i++) {
		cum += hist[i];
		snprintf(le, sizeof(le), "le=\"%g\"", buckets[i]);
		sample_add(out, name, "_bucket", le, (double)cum);
	}
	sample_add(out, name, "_bucket", "le=\"+Inf\"", (double)hist_count);
	sample_add(out, name, "_sum", "", hist_sum);
	sample_add(out, name, "_count", "", (double)hist_count);
}

static int series_cmp(const void *a, const void *b)
{
	const struct series *x = a, *y = b;

	return x->fam != y->fam ? (int)x->fam - (int)y->fam : strcmp(x->labels, y->labels);
}

void metrics_render(struct buf *out)
{
	size_t i, k = 0;
	int f;

	pthread_mutex_lock(&mu);
	if (nseries > 1)
		qsort(series, nseries, sizeof(*series), series_cmp);
	for (f = 0; f < F_COUNT; f++) {
		int always = f == F_SECONDS || f == F_DROPPED;

		if (!always && (k == nseries || series[k].fam != (enum fam)f))
			continue;
		buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", fams[f].name, fams[f].help, fams[f].name, fams[f].type);
		if (f == F_SECONDS)
			hist_render(out, fams[f].name);
		else if (f == F_DROPPED)
			sample_add(out, fams[f].name, "", "", (double)dropped);
		for (; k < nseries && series[k].fam == (enum fam)f; k++)
			sample_add(out, fams[f].name, "", series[k].labels, series[k].value);
	}
	for (i = k; i < nseries; i++)	/* cannot happen: every series has a family */
		panic("metrics: series of unknown family %d", (int)series[i].fam);
	pthread_mutex_unlock(&mu);
}

/* Write data to dir/.name.tmp (mode 0644, for node_exporter) and rename it to dir/name.
 * No fsync: a metrics file lost in a crash is rewritten at the next scan. */
static int metrics_replace(const char *path, const struct buf *data)
{
	char tmp[PATH_MAX];
	const char *slash = strrchr(path, '/');
	ssize_t w;
	size_t off = 0;
	int fd, saved, rc;

	if (snprintf(tmp, sizeof(tmp), "%.*s.%s.tmp", slash ? (int)(slash - path + 1) : 0, path,
	    slash ? slash + 1 : path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0)
		return -1;
	errno = EIO;		/* for a write that returns 0 */
	while (off < data->len && (w = write(fd, data->data + off, data->len - off)) > 0)
		off += (size_t)w;
	rc = off == data->len && fchmod(fd, 0644) == 0 ? 0 : -1;
	saved = errno;
	if (close(fd) < 0 && rc == 0)
		rc = -1, saved = errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -1, saved = errno;
	if (rc < 0) {
		unlink(tmp);
		errno = saved;
	}
	return rc;
}

int metrics_write(const char *path)
{
	struct buf b;
	int rc;

	buf_init(&b);
	metrics_render(&b);
	rc = metrics_replace(path, &b);
	buf_free(&b);
	return rc;
}

void metrics_reset(void)
{
	pthread_mutex_lock(&mu);
	free(series);
	series = NULL;
	nseries = capseries = 0;
	memset(hist, 0, sizeof(hist));
	hist_count = dropped = 0;
	hist_sum = 0;
	pthread_mutex_unlock(&mu);
}
