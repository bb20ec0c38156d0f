/* metrics_scan — spool queues and certificate expiry into the metrics, and the file. */
#include "metrics_scan.h"
#include "log.h"
#include "metrics.h"
#include "registry.h"
#include "safeio.h"
#include "xmem.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct queue {
	long	files;
	time_t	oldest;		/* mtime of the oldest file; 0 if none */
};

/* Waiting files: not dot files (staging, .state) and not reason files. */
static int scan_counts(const char *name)
{
	return name[0] != '.' && strstr(name, ".reason") == NULL;
}

/* Count regular files in dir, and with depth 1 in its subfolders. */
static void scan_folder(const char *dir, int depth, struct queue *q)
{
	char path[PATH_MAX];
	struct dirent *d;
	struct stat st;
	DIR *dp;

	if ((dp = opendir(dir)) == NULL)
		return;
	while ((d = readdir(dp)) != NULL) {
		if (!scan_counts(d->d_name) || fstatat(dirfd(dp), d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth > 0 && safeio_path(path, dir, d->d_name) == 0)
				scan_folder(path, depth - 1, q);
		} else if (S_ISREG(st.st_mode)) {
			q->files++;
			if (q->oldest == 0 || st.st_mtime < q->oldest)
				q->oldest = st.st_mtime;
		}
	}
	closedir(dp);
}

static void scan_queues(const struct conf *c, time_t now)
{
	static const struct { const char *folder; int depth; } folders[] = {
		{"inbound", 0}, {"work", 0}, {"error", 0}, {"outbound", 1}, {"dead", 1},
	};
	char dir[PATH_MAX];
	struct queue q;
	size_t i;

	for (i = 0; i < sizeof(folders) / sizeof(folders[0]); i++) {
		memset(&q, 0, sizeof(q));
		if (safeio_path(dir, c->spool_dir, folders[i].folder) == 0)
			scan_folder(dir, folders[i].depth, &q);
		metrics_queue(folders[i].folder, q.files, q.oldest && now > q.oldest ? (double)(now - q.oldest) : 0);
	}
}

/* Certificates already reported, by fingerprint (one series each): a hash
 * set, as the registry's certs/ folder may hold a certificate per party
 * (a list searched for each was 200 million comparisons for 20,000). */
struct seen {
	char	(*fpr)[65];	/* open addressing; "" is a free slot */
	size_t	 nslot, n;
};

/* The slot of fpr, or the free slot where it would go (FNV-1a hash). */
static size_t seen_slot(const struct seen *s, const char *fpr)
{
	uint32_t h = 2166136261u;
	const char *p;
	size_t i;

	for (p = fpr; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	i = h % s->nslot;
	while (s->fpr[i][0] != '\0' && strcmp(s->fpr[i], fpr) != 0)
		i = (i + 1) % s->nslot;
	return i;
}

static int seen_has(const struct seen *s, const char *fpr)
{
	return s->n > 0 && s->fpr[seen_slot(s, fpr)][0] != '\0';
}

static void seen_add(struct seen *s, const char *fpr)
{
	struct seen bigger;
	size_t i;

	if (2 * (s->n + 1) > s->nslot) {	/* at most half full */
		bigger.nslot = s->nslot ? 2 * s->nslot : 64;
		bigger.fpr = xcalloc(bigger.nslot, sizeof(*bigger.fpr));
		bigger.n = 0;
		for (i = 0; i < s->nslot; i++)
			if (s->fpr[i][0] != '\0')
				seen_add(&bigger, s->fpr[i]);
		free(s->fpr);
		*s = bigger;
	}
	memcpy(s->fpr[seen_slot(s, fpr)], fpr, 65);
	s->n++;
}

static void cert_fpr(X509 *x, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	out[0] = '\0';
	if (X509_digest(x, EVP_sha256(), md, &n) == 1)
		for (i = 0; i < n && i < 32; i++)
			snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* Report one certificate: the hub's, a CA, or a registered party's (others speak for nobody). */
static void cert_report(X509 *x, const struct conf *c, const struct registry *r, int is_hub, struct seen *s)
{
	const struct party *p = NULL;
	char fpr[65];
	struct tm tm;

	cert_fpr(x, fpr);
	if (fpr[0] == '\0' || seen_has(s, fpr) || ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) != 1)
		return;
	if (is_hub)
		metrics_cert("hub", c->hub_code, fpr, timegm(&tm));
	else if (X509_check_ca(x) > 0)
		metrics_cert("ca", "", fpr, timegm(&tm));
	else if (r != NULL && registry_by_fingerprint(r, fpr, &p) > 0)
		metrics_cert("party", p->code, fpr, timegm(&tm));
	else
		return;
	seen_add(s, fpr);
}

/* Every certificate of a PEM file. */
static void cert_file(const char *file, const struct conf *c, const struct registry *r, struct seen *s)
{
	BIO *b = BIO_new_file(file, "r");
	X509 *x;

	while (b && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		cert_report(x, c, r, strcmp(file, c->hub_cert) == 0, s);
		X509_free(x);
	}
	BIO_free(b);
	ERR_clear_error();
}

/* Every *.pem in dir (never the keys beside them). */
static void cert_dir(const char *dir, const struct conf *c, const struct registry *r, struct seen *s)
{
	char path[PATH_MAX];
	struct dirent *d;
	size_t len;
	DIR *dp;

	if ((dp = opendir(dir)) == NULL)
		return;
	while ((d = readdir(dp)) != NULL) {
		len = strlen(d->d_name);
		if (d->d_name[0] != '.' && len > 4 && strcmp(d->d_name + len - 4, ".pem") == 0
		    && safeio_path(path, dir, d->d_name) == 0)
			cert_file(path, c, r, s);
	}
	closedir(dp);
}

/* The folder of path into out[PATH_MAX] ("." when it has none). */
static void scan_dirname(char *out, const char *path, const char *sub)
{
	const char *slash = strrchr(path, '/');
	int n = slash == NULL ? snprintf(out, PATH_MAX, ".%s%s", sub ? "/" : "", sub ? sub : "")
	    : snprintf(out, PATH_MAX, "%.*s%s%s", slash == path ? 1 : (int)(slash - path), path,
	    sub ? "/" : "", sub ? sub : "");

	if (n >= PATH_MAX)
		out[0] = '\0';
}

static void scan_certs(const struct conf *c, const struct registry *r)
{
	struct seen s = {NULL, 0, 0};
	char dir[PATH_MAX];

	cert_file(c->hub_cert, c, r, &s);	/* first: the hub's wins over its copy in the folder */
	cert_file(c->trust_ca, c, r, &s);
	scan_dirname(dir, c->trust_ca, NULL);
	if (dir[0])
		cert_dir(dir, c, r, &s);
	scan_dirname(dir, c->registry, "certs");
	if (dir[0])
		cert_dir(dir, c, r, &s);
	free(s.fpr);
}

void metrics_scan(const struct conf *c, const struct registry *r, time_t now)
{
	metrics_gauges_clear();
	scan_queues(c, now);
	scan_certs(c, r);
}

int metrics_scan_path(const struct conf *c, char *out)
{
	char dir[PATH_MAX];

	return safeio_path(dir, c->spool_dir, "metrics") < 0 ? -1 : safeio_path(out, dir, "entrust.prom");
}

int metrics_scan_publish(const struct conf *c, const struct registry *r, int force)
{
	static struct timespec last;
	static int started, warned;
	struct timespec now;
	char path[PATH_MAX] = "metrics/entrust.prom", dir[PATH_MAX];

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!force && started && now.tv_sec - last.tv_sec < METRICS_SCAN_MIN_S)
		return 0;
	if (!started)
		metrics_start_time(time(NULL));
	started = 1;
	last = now;
	metrics_scan(c, r, time(NULL));
	if (safeio_path(dir, c->spool_dir, "metrics") < 0 || safeio_mkdirs(dir, 0755) < 0
	    || safeio_path(path, dir, "entrust.prom") < 0 || metrics_write(path) < 0) {
		if (!warned++)
			log_warn(NULL, "metrics: cannot write 无法写出指标 %s: %s", path, strerror(errno));
		return -1;
	}
	warned = 0;
	return 0;
}
