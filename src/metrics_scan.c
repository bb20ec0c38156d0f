/* metrics_scan — spool queues and certificate expiry into the metrics, and the file. */
#include "metrics_scan.h"
#include "log.h"
#include "metrics.h"
#include "registry.h"
#include "safeio.h"
#include "strmap.h"
#include "xmem.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
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

/* What one certificate file held when last read. */
struct cert_info {
	char	fpr[65];
	time_t	not_after;
	int	is_ca;
};

struct cert_file_info {
	dev_t			 dev;
	ino_t			 ino;
	off_t			 size;
	struct timespec		 mtime, ctime;
	int			 n;
	struct cert_info	*certs;
};

/* Certificate files by path, kept from one scan to the next: a file whose
 * device, inode, size and times are unchanged is not parsed again (the
 * registry's certs/ holds a certificate per party: thousands of PEM files
 * every rescan on the main thread otherwise). Only the main thread scans;
 * entrustctl scans once. */
static struct strmap cert_cache;

static void cert_file_info_free(void *p)
{
	struct cert_file_info *f = p;

	free(f->certs);
	free(f);
}

/* One scan's state: the fingerprints already reported (one series each),
 * and the files read, which become the cache for the next scan. */
struct seen {
	struct strmap	fprs;
	struct strmap	files;
};

static void cert_fpr(X509 *x, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	out[0] = '\0';
	if (X509_digest(x, EVP_sha256(), md, &n) == 1)
		for (i = 0; i < n && i < 32; i++)
			snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* Report one certificate: the hub's, a CA, or a registered party's (others
 * speak for nobody); the registry is asked every scan, as it may have changed. */
static void cert_report(const struct cert_info *ci, const struct conf *c, const struct registry *r, int is_hub,
    struct seen *s)
{
	const struct party *p = NULL;

	if (strmap_get(&s->fprs, ci->fpr, NULL))
		return;
	if (is_hub)
		metrics_cert("hub", c->hub_code, ci->fpr, ci->not_after);
	else if (ci->is_ca)
		metrics_cert("ca", "", ci->fpr, ci->not_after);
	else if (r != NULL && registry_by_fingerprint(r, ci->fpr, &p) > 0)
		metrics_cert("party", p->code, ci->fpr, ci->not_after);
	else
		return;
	strmap_put(&s->fprs, ci->fpr, NULL);
}

/* The certificates of a PEM file (those with a fingerprint and an end date). */
static void cert_read(const char *file, struct cert_file_info *f)
{
	BIO *b = BIO_new_file(file, "r");
	struct cert_info ci;
	size_t cap = 0;
	struct tm tm;
	X509 *x;

	while (b && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		cert_fpr(x, ci.fpr);
		if (ci.fpr[0] != '\0' && ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1) {
			ci.not_after = timegm(&tm);
			ci.is_ca = X509_check_ca(x) > 0;
			f->certs = xgrow(f->certs, (size_t)f->n, &cap, sizeof(ci));
			f->certs[f->n++] = ci;
		}
		X509_free(x);
	}
	BIO_free(b);
	ERR_clear_error();
}

static int cert_file_same(const struct cert_file_info *f, const struct stat *st)
{
	return f->dev == st->st_dev && f->ino == st->st_ino && f->size == st->st_size
	    && f->mtime.tv_sec == st->st_mtim.tv_sec && f->mtime.tv_nsec == st->st_mtim.tv_nsec
	    && f->ctime.tv_sec == st->st_ctim.tv_sec && f->ctime.tv_nsec == st->st_ctim.tv_nsec;
}

/* A file's certificates: this scan's, the last scan's if the file is the
 * same, else read now; kept in s->files for the next scan. */
static const struct cert_file_info *cert_file_get(const char *file, struct seen *s)
{
	struct cert_file_info *f = NULL;
	struct stat st;
	void *v;

	if (stat(file, &st) < 0 || !S_ISREG(st.st_mode))
		return NULL;
	if (strmap_get(&s->files, file, &v))
		return v;
	if (strmap_get(&cert_cache, file, &v) && cert_file_same(v, &st)) {
		f = v;
		strmap_put(&cert_cache, file, NULL);	/* moved, not freed with the old cache */
	} else {
		f = xcalloc(1, sizeof(*f));
		f->dev = st.st_dev;
		f->ino = st.st_ino;
		f->size = st.st_size;
		f->mtime = st.st_mtim;
		f->ctime = st.st_ctim;
		cert_read(file, f);
	}
	strmap_put(&s->files, file, f);
	return f;
}

/* Every certificate of a PEM file. */
static void cert_file(const char *file, const struct conf *c, const struct registry *r, struct seen *s)
{
	const struct cert_file_info *f = cert_file_get(file, s);
	int i;

	for (i = 0; f != NULL && i < f->n; i++)
		cert_report(&f->certs[i], c, r, strcmp(file, c->hub_cert) == 0, s);
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
	struct seen s;
	char dir[PATH_MAX];

	strmap_init(&s.fprs);
	strmap_init(&s.files);

	cert_file(c->hub_cert, c, r, &s);	/* first: the hub's wins over its copy in the folder */
	cert_file(c->trust_ca, c, r, &s);
	scan_dirname(dir, c->trust_ca, NULL);
	if (dir[0])
		cert_dir(dir, c, r, &s);
	scan_dirname(dir, c->registry, "certs");
	if (dir[0])
		cert_dir(dir, c, r, &s);
	strmap_free(&s.fprs, NULL);
	strmap_free(&cert_cache, cert_file_info_free);	/* files gone since, or changed */
	cert_cache = s.files;
}

void metrics_scan_done(void)
{
	strmap_free(&cert_cache, cert_file_info_free);
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
