/* ctl_party — registry editing, certificate files and expiry. */
#include "ctl_party.h"
#include "clock.h"
#include "entrust.h"
#include "registry.h"
#include "safeio.h"
#include "store.h"
#include "xmem.h"
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A certificate found on disk. */
struct cert {
	char	fpr[65];
	char	subject[256];
	char	file[PATH_MAX];
	time_t	not_after;
	int	is_ca;
};

struct certs {
	struct cert	*v;
	int		 n;
};

static void cert_fpr(X509 *x, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (X509_digest(x, EVP_sha256(), md, &n) != 1)
		panic("ctl_party: certificate digest failed");
	for (i = 0; i < n && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

void ctl_party_subject(X509 *x, char *out, size_t n)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long len;

	out[0] = '\0';
	if (b && X509_NAME_print_ex(b, X509_get_subject_name(x), 0,
	    (XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB & ~XN_FLAG_DN_REV) | XN_FLAG_SEP_CPLUS_SPC) >= 0) {
		len = BIO_get_mem_data(b, &p);
		snprintf(out, n, "%.*s", (int)len, p);
	}
	BIO_free(b);
}

static void cert_describe(X509 *x, const char *file, struct cert *c)
{
	struct tm tm;

	memset(c, 0, sizeof(*c));
	cert_fpr(x, c->fpr);
	ctl_party_subject(x, c->subject, sizeof(c->subject));
	strlcopy(c->file, file, sizeof(c->file));
	if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1)
		c->not_after = timegm(&tm);
	c->is_ca = X509_check_ca(x) > 0;
}

/* Every certificate of a PEM file into l (once per fingerprint). */
static void certs_read(const char *file, struct certs *l)
{
	BIO *b = BIO_new_file(file, "r");
	struct cert one;
	X509 *x;
	int i;

	while (b && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		cert_describe(x, file, &one);
		X509_free(x);
		for (i = 0; i < l->n && strcmp(l->v[i].fpr, one.fpr) != 0; i++)
			;
		if (i < l->n)
			continue;
		l->v = xrealloc(l->v, (size_t)(l->n + 1) * sizeof(one));
		l->v[l->n++] = one;
	}
	BIO_free(b);
	ERR_clear_error();
}

static void certs_read_dir(const char *dir, struct certs *l)
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
			certs_read(path, l);
	}
	closedir(dp);
}

static void certs_dir(const struct conf *conf, char *out)
{
	char dir[PATH_MAX];

	ctl_dirname(dir, conf->registry);
	safeio_path(out, dir, "certs");
}

/* The certificates we can see: hub, trust store, its folder, the registry's certs/. */
static void certs_collect(const struct conf *conf, struct certs *l)
{
	char dir[PATH_MAX];

	l->v = NULL;
	l->n = 0;
	certs_read(conf->hub_cert, l);
	certs_read(conf->trust_ca, l);
	ctl_dirname(dir, conf->trust_ca);
	certs_read_dir(dir, l);
	certs_dir(conf, dir);
	certs_read_dir(dir, l);
}

static const struct cert *certs_find(const struct certs *l, const char *fpr)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].fpr, fpr) == 0)
			return &l->v[i];
	return NULL;
}

static struct registry *load_registry(const struct ctl *c)
{
	char err[1024];
	struct registry *r = registry_load(c->conf.registry, err, sizeof(err));

	if (r == NULL)
		ctl_fail(CTL_STORE, "%s", err);
	return r;
}

static void cert_fields(struct ctl *c, const struct cert *ct, const struct party *b)
{
	char until[32], end[32];
	int in_force = b->until == 0 || clock_now() < b->until;

	ctl_time(until, ct ? ct->not_after : 0);
	registry_time(end, b->until);
	if (c->as_json) {
		json_open(&c->j, '{');
		json_kstr(&c->j, "fingerprint", b->fingerprint);
		json_kstr(&c->j, "subject", ct ? ct->subject : "");
		json_kstr(&c->j, "not_after", ct ? until : "");
		json_kstr(&c->j, "file", ct ? ct->file : "");
		json_kstr(&c->j, "until", end);	/* end of the binding (roll-over overlap), "" if open */
		ctl_kbool(c, "in_force", "", in_force);
		json_close(&c->j, '}');
		return;
	}
	buf_printf(&c->out, "    %s  %s  %s%s", b->fingerprint, ct ? ct->subject : "(certificate file not found 未找到证书文件)",
	    ct ? "not after 有效期至 " : "", ct ? until : "");
	if (b->until)
		buf_printf(&c->out, "  bound until 绑定截止 %s%s", end, in_force ? "" : " (ended 已结束: refused 拒收, R1)");
	buf_adds(&c->out, "\n");
}

/* The credit code registered for code and role: the first line that has one. */
static const char *party_credit(const struct registry *r, const char *code, enum role role)
{
	const struct party *q;
	size_t i;

	for (i = 0; (q = registry_at(r, i)) != NULL; i++)
		if (strcmp(q->code, code) == 0 && q->role == role && q->credit[0])
			return q->credit;
	return "";
}

/* Registry entries of one code and role, as a list item. */
static void party_item(struct ctl *c, const struct registry *r, size_t first, const struct certs *cl)
{
	const struct party *p = registry_at(r, first), *q;
	const char *credit = party_credit(r, p->code, p->role);
	int bundle = registry_bundles_notices(r, p->code);
	size_t i;

	if (c->as_json) {
		json_open(&c->j, '{');
		json_kstr(&c->j, "code", p->code);
		json_kstr(&c->j, "role", role_name(p->role));
		json_kstr(&c->j, "name", p->name);
		json_kstr(&c->j, "credit_code", credit);
		json_kstr(&c->j, "notices", bundle ? "bundle" : "single");
		json_key(&c->j, "certificates");
		json_open(&c->j, '[');
	} else
		buf_printf(&c->out, "%s  %-11s  %s%s%s%s\n", p->code, role_name(p->role), p->name,
		    credit[0] ? "  统一社会信用代码 credit code " : "", credit,
		    bundle ? "  通知合并 notices: bundle" : "");
	for (i = first; (q = registry_at(r, i)) != NULL; i++)
		if (strcmp(q->code, p->code) == 0 && q->role == p->role)
			cert_fields(c, certs_find(cl, q->fingerprint), q);
	if (c->as_json) {
		json_close(&c->j, ']');
		json_close(&c->j, '}');
	}
}

/* Whether entry i is the first of its code and role (list each party once). */
static int party_first(const struct registry *r, size_t i)
{
	const struct party *p = registry_at(r, i), *q;
	size_t k;

	for (k = 0; k < i && (q = registry_at(r, k)) != NULL; k++)
		if (strcmp(q->code, p->code) == 0 && q->role == p->role)
			return 0;
	return 1;
}

static int party_list_some(struct ctl *c, const char *code)
{
	struct registry *r = load_registry(c);
	struct certs cl;
	size_t i;
	int n = 0;

	if (r == NULL)
		return -1;
	certs_collect(&c->conf, &cl);
	for (i = 0; i < registry_count(r); i++)
		if (party_first(r, i) && (code == NULL || strcmp(registry_at(r, i)->code, code) == 0)) {
			party_item(c, r, i, &cl);
			n++;
		}
	registry_free(r);
	free(cl.v);
	return n;
}

int ctl_party_list(struct ctl *c)
{
	int n;

	if (c->as_json)
		json_open(&c->j, '[');
	n = party_list_some(c, NULL);
	if (c->as_json) {
		json_close(&c->j, ']');
		buf_adds(&c->out, "\n");
	}
	return n < 0 ? CTL_STORE : CTL_OK;
}

/* The broker's registration (approved, pending) and the account, from the store. */
static void party_store_facts(struct ctl *c, const char *code)
{
	static const char kinds[2] = {'A', 'P'};
	static const char *const names[2] = {"registration", "pending_registration"};
	struct registration *r = xmalloc(sizeof(*r));
	struct store *s = ctl_store(c);
	struct account a;
	char until[32], line[700];
	int i;

	for (i = 0; s && i < 2; i++) {
		if (store_registration_get(s, NULL, code, kinds[i], r) != 0)
			continue;
		ctl_time(until, r->valid_until);
		if (c->as_json) {
			json_key(&c->j, names[i]);
			json_open(&c->j, '{');
			json_kstr(&c->j, "name", r->name);
			json_kstr(&c->j, "credit_code", r->credit);
			json_kstr(&c->j, "district", r->district);
			json_kstr(&c->j, "valid_until", r->valid_until ? until : "");
			json_close(&c->j, '}');
		} else {
			snprintf(line, sizeof(line), "%s  %s  关区 %s  valid until 有效期至 %s", r->name, r->credit,
			    r->district, until);
			ctl_kv(c, names[i], i ? "待审变更 pending" : "报关企业登记 registration", line);
		}
	}
	if (s && store_account_get(s, NULL, code, &a) >= 0) {
		snprintf(line, sizeof(line), "purchased 已购 %lld, used 已用 %lld, in use 正使用 %lld",
		    (long long)a.purchased, (long long)a.used, (long long)a.in_use);
		if (c->as_json) {
			json_key(&c->j, "account");
			json_open(&c->j, '{');
			json_kint(&c->j, "purchased", a.purchased);
			json_kint(&c->j, "used", a.used);
			json_kint(&c->j, "in_use", a.in_use);
			json_close(&c->j, '}');
		} else
			ctl_kv(c, "account", "账户 account", line);
	}
	free(r);
}

int ctl_party_show(struct ctl *c)
{
	int n;

	if (c->as_json) {
		json_open(&c->j, '{');
		json_kstr(&c->j, "code", c->args[0]);
		json_key(&c->j, "bindings");
		json_open(&c->j, '[');
	}
	n = party_list_some(c, c->args[0]);
	if (c->as_json)
		json_close(&c->j, ']');
	if (n > 0)
		party_store_facts(c, c->args[0]);
	if (c->as_json) {
		json_close(&c->j, '}');
		buf_adds(&c->out, "\n");
	}
	if (n < 0)
		return CTL_STORE;
	if (n == 0) {
		buf_reset(&c->out);
		return ctl_fail(CTL_NOTFOUND, "party %s not in the registry 登记表中无此企业", c->args[0]);
	}
	return CTL_OK;
}

/* R1: the certificate must chain to the trust store for signing, now. */
static int cert_trusted(const struct conf *conf, X509 *x, char *why, size_t n)
{
	X509_STORE *st = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int ok = 0;

	if (st && ctx && X509_STORE_load_file(st, conf->trust_ca) == 1
	    && X509_STORE_CTX_init(ctx, st, x, NULL) == 1) {
		X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SMIME_SIGN);
		if ((ok = X509_verify_cert(ctx) == 1) == 0)
			snprintf(why, n, "%s", X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
	} else
		snprintf(why, n, "cannot load the trust store 无法加载信任证书");
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	ERR_clear_error();
	return ok;
}

/* Tell a running daemon to reload its registry; the text says what happened. */
static void reload_daemon(const struct conf *conf, char *text, size_t n)
{
	pid_t pid = ctl_daemon_pid(conf);

	if (pid == 0)
		snprintf(text, n, "daemon not running; it reads the registry when it starts 守护进程未运行");
	else if (kill(pid, SIGHUP) == 0)
		snprintf(text, n, "SIGHUP sent to entrustd pid %ld: registry reloaded 已通知守护进程重新加载", (long)pid);
	else
		snprintf(text, n, "cannot signal pid %ld (%s): send SIGHUP by hand 请手动发送SIGHUP", (long)pid,
		    strerror(errno));
}

/* Replace the registry file with text, atomically, then check it loads. */
static int registry_write(const struct ctl *c, const struct buf *text)
{
	char dir[PATH_MAX], err[1024];
	const char *base = strrchr(c->conf.registry, '/') ? strrchr(c->conf.registry, '/') + 1 : c->conf.registry;
	struct registry *r;

	ctl_dirname(dir, c->conf.registry);
	if (safeio_write_atomic(dir, base, text->data, text->len) < 0)
		return ctl_fail(CTL_STORE, "%s: cannot write 无法写入: %s", c->conf.registry, strerror(errno));
	if ((r = registry_load(c->conf.registry, err, sizeof(err))) == NULL)
		return ctl_fail(CTL_STORE, "%s (written but does not load: fix it before the daemon reloads)", err);
	registry_free(r);
	return CTL_OK;
}

static int read_text(const char *path, struct buf *out)
{
	char chunk[8192];
	size_t n;
	FILE *fp = fopen(path, "re");

	if (fp == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(out, chunk, n);
	fclose(fp);
	return 0;
}

static int name_ok(const char *s)
{
	if (*s == '\0' || isspace((unsigned char)*s))
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20)
			return 0;
	return 1;
}

static X509 *read_cert(const char *path, struct buf *pem)
{
	BIO *b = BIO_new_file(path, "r"), *m = BIO_new(BIO_s_mem());
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	char *p;
	long n;

	if (x && m && PEM_write_bio_X509(m, x) == 1) {
		n = BIO_get_mem_data(m, &p);
		buf_add(pem, p, (size_t)n);
	}
	BIO_free(b);
	BIO_free(m);
	ERR_clear_error();
	return x;
}

/* Checks before binding: R1 wants one party per fingerprint (ended bindings count too:
 * an old certificate never speaks for someone else), and one party has one credit code.
 * p->credit, if empty, takes the one registered; without --notices, p->bundle_notices
 * takes the code's (registry_bundles_notices).  0, or an exit code. */
static int add_check(struct ctl *c, struct party *p, int *again)
{
	struct registry *r = load_registry(c);
	const struct party *q;
	const char *had;
	size_t i;
	int rc = CTL_OK;

	if (r == NULL)
		return CTL_STORE;
	*again = 0;
	for (i = 0; rc == CTL_OK && (q = registry_at(r, i)) != NULL; i++) {
		if (strcmp(q->fingerprint, p->fingerprint) != 0)
			continue;
		if (strcmp(q->code, p->code) != 0 || q->role != p->role)
			rc = ctl_fail(CTL_USAGE, "certificate %s is bound to %s %s already; one certificate, one party (R1)"
			    " 该证书已绑定其他企业", p->fingerprint, q->code, role_name(q->role));
		*again = 1;
	}
	had = party_credit(r, p->code, p->role);
	if (rc == CTL_OK && p->credit[0] && had[0] && strcmp(had, p->credit) != 0)
		rc = ctl_fail(CTL_USAGE, "%s %s has credit code %s already, not %s 该企业已登记其他统一社会信用代码",
		    p->code, role_name(p->role), had, p->credit);
	if (rc == CTL_OK && p->credit[0] == '\0')
		strlcopy(p->credit, had, sizeof(p->credit));
	if (ctl_opt(c, "notices") == NULL)	/* a roll-over keeps the way the party takes its notices */
		p->bundle_notices = registry_bundles_notices(r, p->code);
	registry_free(r);
	return rc;
}

static void party_result(struct ctl *c, const char *verb, const struct party *p, time_t until,
    const char *note, const char *reload)
{
	char end[32];

	registry_time(end, until);
	if (c->as_json) {
		json_open(&c->j, '{');
		json_kstr(&c->j, verb, p->code);
		json_kstr(&c->j, "fingerprint", p->fingerprint);
		json_kstr(&c->j, "credit_code", p->credit);
		json_kstr(&c->j, "until", end);
		json_kstr(&c->j, "notices", p->bundle_notices ? "bundle" : "single");
		json_kstr(&c->j, "note", note);
		json_kstr(&c->j, "daemon", reload);
		json_close(&c->j, '}');
		buf_adds(&c->out, "\n");
		return;
	}
	buf_printf(&c->out, "%s %s %s\n", verb, p->code, p->fingerprint);
	if (until)
		buf_printf(&c->out, "%s %s\n", strcmp(verb, "bound") == 0 ? "earlier certificates bound until 旧证书绑定截止"
		    : "bound until 绑定截止", end);
	if (strcmp(verb, "bound") == 0)
		buf_printf(&c->out, "通知合并 notices: %s\n", p->bundle_notices ? "bundle (one file per batch 每批一个文件)"
		    : "single (one file per notice 每个通知一个文件)");
	buf_printf(&c->out, "%s%s%s\n", note, note[0] ? "\n" : "", reload);
}

/* Keep the certificate beside the registry, for `certs expiring`. */
static void keep_cert(const struct conf *conf, const char *fpr, const struct buf *pem)
{
	char dir[PATH_MAX], name[80];

	certs_dir(conf, dir);
	snprintf(name, sizeof(name), "%s.pem", fpr);
	if (safeio_mkdirs(dir, 0750) < 0 || safeio_write_atomic(dir, name, pem->data, pem->len) < 0)
		fprintf(stderr, "entrustctl: warning: %s/%s not kept 证书副本未保存: %s\n", dir, name, strerror(errno));
}

/* --NAME DAYS: a whole number of days from now (clock_now) into *t; 0 when absent. */
static int days_opt(const struct ctl *c, const char *name, time_t *t)
{
	const char *v = ctl_opt(c, name);
	char *end;
	long days;

	*t = 0;
	if (v == NULL)
		return CTL_OK;
	days = strtol(v, &end, 10);
	if (end == v || *end || days < 0 || days > 3650)
		return ctl_fail(CTL_USAGE, "--%s DAYS: a whole number of days, 0 to 3650 天数应为0至3650的整数", name);
	*t = clock_now() + (time_t)days * 86400;
	return CTL_OK;
}

/* The arguments and options of party add into p (all but the fingerprint). */
static int add_args(struct ctl *c, struct party *p, time_t *overlap)
{
	const char *credit = ctl_opt(c, "credit"), *notices = ctl_opt(c, "notices");

	memset(p, 0, sizeof(*p));
	if (!customs_code_ok(c->args[0]))
		return ctl_fail(CTL_USAGE, "%s: customs code is [0-9A-Z]{10} 海关编码格式错误", c->args[0]);
	if (role_parse(c->args[1], &p->role) < 0)
		return ctl_fail(CTL_USAGE, "%s: role is consignor, broker, association, customs or operator 角色错误", c->args[1]);
	if (!name_ok(c->args[3]) || strlen(c->args[3]) >= sizeof(p->name))
		return ctl_fail(CTL_USAGE, "name must be one line of text, under 256 bytes 名称应为单行文字");
	if (credit && !credit_code_ok(credit))
		return ctl_fail(CTL_USAGE, "%s: not a unified social credit code — 18 characters of 0-9 A-H J-N P Q R T U W X Y,"
		    " the last one the GB 32100 check character 统一社会信用代码格式或校验位错误", credit);
	if (notices && strcmp(notices, "bundle") != 0 && strcmp(notices, "single") != 0)
		return ctl_fail(CTL_USAGE, "--notices %s: bundle or single 通知方式应为 bundle（合并）或 single（逐个）", notices);
	strlcopy(p->code, c->args[0], sizeof(p->code));
	strlcopy(p->name, c->args[3], sizeof(p->name));
	strlcopy(p->credit, credit ? credit : "", sizeof(p->credit));
	p->bundle_notices = notices && strcmp(notices, "bundle") == 0;
	return days_opt(c, "overlap", overlap);
}

/* The certificate file: PEM, and chaining to trust_ca for signing (R1). */
static int add_cert(struct ctl *c, const char *file, struct party *p, struct buf *pem)
{
	char why[256];
	X509 *x;
	int rc;

	if ((x = read_cert(file, pem)) == NULL)
		return ctl_fail(CTL_USAGE, "%s: not a PEM certificate 不是PEM证书", file);
	cert_fpr(x, p->fingerprint);
	rc = cert_trusted(&c->conf, x, why, sizeof(why)) ? CTL_OK
	    : ctl_fail(CTL_USAGE, "%s does not chain to %s for signing (R1) 证书不受信任: %s", file, c->conf.trust_ca, why);
	X509_free(x);
	return rc;
}

/* The registry text (read into text) with, for an overlap, every other open binding of
 * p's code and role ending at overlap (*ended counts those), with --notices set on every
 * line of p's code (*retuned counts the lines changed), and p's line added unless bound. */
static int add_text(struct ctl *c, const struct party *p, time_t overlap, int bound, struct buf *text, int *ended,
    int *retuned)
{
	struct ctl_binding_edit e = {p->code, (int)p->role, NULL, p->fingerprint, overlap, 1};
	struct buf cur, mid;

	*ended = *retuned = 0;
	buf_init(&cur);
	buf_init(&mid);
	if (read_text(c->conf.registry, &cur) < 0 && errno != ENOENT) {
		buf_free(&cur);
		return ctl_fail(CTL_STORE, "%s: %s", c->conf.registry, strerror(errno));
	}
	buf_adds(&cur, "");
	if (overlap && !bound)
		ctl_party_end(cur.data, &e, &mid, ended);
	else
		buf_add(&mid, cur.data, cur.len);
	buf_adds(&mid, "");
	if (ctl_opt(c, "notices"))
		ctl_party_notices(mid.data, p->code, p->bundle_notices, text, retuned);
	else
		buf_add(text, mid.data, mid.len);
	if (text->len && text->data[text->len - 1] != '\n')
		buf_adds(text, "\n");
	if (!bound)
		registry_format(p, text);
	buf_free(&mid);
	buf_free(&cur);
	return CTL_OK;
}

int ctl_party_add(struct ctl *c)
{
	char reload[256], note[160] = "";
	struct buf pem, text;
	struct party p;
	time_t overlap;
	int rc, again = 0, ended = 0, retuned = 0;

	if ((rc = add_args(c, &p, &overlap)) != CTL_OK)
		return rc;
	buf_init(&pem);
	buf_init(&text);
	if ((rc = add_cert(c, c->args[2], &p, &pem)) == CTL_OK)
		rc = add_check(c, &p, &again);
	if (rc == CTL_OK && again)	/* only --notices may change something then */
		rc = add_text(c, &p, 0, 1, &text, &ended, &retuned);
	if (rc == CTL_OK && again && retuned == 0)
		party_result(c, "bound", &p, 0, "already bound, nothing changed 已绑定，未修改", "");
	else if (rc == CTL_OK && again) {
		snprintf(note, sizeof(note), "already bound; notices set on %d line(s) 已绑定，已修改通知方式", retuned);
		if ((rc = registry_write(c, &text)) == CTL_OK) {
			reload_daemon(&c->conf, reload, sizeof(reload));
			party_result(c, "bound", &p, 0, note, reload);
		}
	} else if (rc == CTL_OK && (rc = add_text(c, &p, overlap, 0, &text, &ended, &retuned)) == CTL_OK) {
		keep_cert(&c->conf, p.fingerprint, &pem);
		if (overlap && ended == 0)
			snprintf(note, sizeof(note), "--overlap: no earlier certificate of %s to end 无需结束的旧证书", p.code);
		if ((rc = registry_write(c, &text)) == CTL_OK) {
			reload_daemon(&c->conf, reload, sizeof(reload));
			party_result(c, "bound", &p, ended ? overlap : 0, note, reload);
		}
	}
	buf_free(&text);
	buf_free(&pem);
	return rc;
}

/* Whether a registry line binds e's code (and role), fingerprint, not its exception. */
static int edit_matches(const struct ctl_binding_edit *e, const struct party *p)
{
	return strcmp(p->code, e->code) == 0 && (e->role < 0 || (int)p->role == e->role)
	    && (e->fpr == NULL || strcmp(p->fingerprint, e->fpr) == 0)
	    && (e->except == NULL || strcmp(p->fingerprint, e->except) != 0)
	    && (!e->shorten_only || p->until == 0 || p->until > e->until);
}

/* Each line of text into out, those that parse rewritten when edit changed
 * the party read from them (edit returns 1); *changed counts them. */
static void edit_lines(const char *text, int (*edit)(struct party *p, const void *arg), const void *arg,
    struct buf *out, int *changed)
{
	const char *line = text, *end;
	const char *why;
	struct party p;
	char copy[1024];
	size_t n;

	*changed = 0;
	for (; *line; line = end) {
		end = strchr(line, '\n');
		end = end ? end + 1 : line + strlen(line);
		n = (size_t)(end - line);
		if (n < sizeof(copy)) {
			memcpy(copy, line, n);
			copy[n] = '\0';
		}
		if (n < sizeof(copy) && registry_parse(copy, &p, &why) == 0 && edit(&p, arg)) {
			registry_format(&p, out);
			(*changed)++;
			continue;
		}
		buf_add(out, line, n);
	}
}

static int edit_end(struct party *p, const void *arg)
{
	const struct ctl_binding_edit *e = arg;

	if (!edit_matches(e, p))
		return 0;
	p->until = e->until;
	return 1;
}

void ctl_party_end(const char *text, const struct ctl_binding_edit *e, struct buf *out, int *changed)
{
	edit_lines(text, edit_end, e, out, changed);
}

/* What ctl_party_notices sets on a code's lines. */
struct notices_edit {
	const char	*code;
	int		 bundle;
};

static int edit_notices(struct party *p, const void *arg)
{
	const struct notices_edit *e = arg;

	if (strcmp(p->code, e->code) != 0 || p->bundle_notices == e->bundle)
		return 0;
	p->bundle_notices = e->bundle;
	return 1;
}

void ctl_party_notices(const char *text, const char *code, int bundle, struct buf *out, int *changed)
{
	struct notices_edit e = {code, bundle};

	edit_lines(text, edit_notices, &e, out, changed);
}

void ctl_party_without(const char *text, const char *code, const char *fpr, struct buf *out, int *removed)
{
	const char *line = text, *end;
	char c1[32], r1[32], f1[80];

	*removed = 0;
	for (; *line; line = end) {
		end = strchr(line, '\n');
		end = end ? end + 1 : line + strlen(line);
		if (sscanf(line, "%31s %31s %79s", c1, r1, f1) == 3 && c1[0] != '#'
		    && strcmp(c1, code) == 0 && strcmp(f1, fpr) == 0) {
			(*removed)++;
			continue;
		}
		buf_add(out, line, (size_t)(end - line));
	}
}

/* After a retire: warn when code has no binding in force left (R1). */
static void retire_note(const struct ctl *c, const char *code, char *note, size_t n)
{
	struct registry *r = registry_load(c->conf.registry, note, n);
	const struct party *p;
	size_t i;
	int left = 0;

	note[0] = '\0';
	for (i = 0; r && (p = registry_at(r, i)) != NULL; i++)
		left += strcmp(p->code, code) == 0 && (p->until == 0 || p->until > clock_now());
	if (r && left == 0)
		snprintf(note, n, "warning: %s has no certificate left in force; its envelopes will be "
		    "refused (SIGNER_UNBOUND) 该企业已无有效证书", code);
	registry_free(r);
}

int ctl_party_retire(struct ctl *c)
{
	struct ctl_binding_edit e = {c->args[0], -1, c->args[1], NULL, 0, 0};
	struct party p;
	struct buf text, out;
	char reload[256], note[160] = "";
	int changed = 0, rc;

	memset(&p, 0, sizeof(p));
	strlcopy(p.code, c->args[0], sizeof(p.code));
	strlcopy(p.fingerprint, c->args[1], sizeof(p.fingerprint));
	if ((rc = days_opt(c, "after", &e.until)) != CTL_OK)
		return rc;
	buf_init(&text);
	buf_init(&out);
	if (read_text(c->conf.registry, &text) < 0)
		rc = ctl_fail(CTL_STORE, "%s: %s", c->conf.registry, strerror(errno));
	else {
		buf_adds(&text, "");
		if (ctl_opt(c, "after"))
			ctl_party_end(text.data, &e, &out, &changed);	/* R1: bound until then, refused after */
		else
			ctl_party_without(text.data, e.code, e.fpr, &out, &changed);
		if (changed == 0)
			rc = ctl_fail(CTL_NOTFOUND, "%s is not bound to %s 未找到该绑定", e.fpr, e.code);
	}
	if (rc == CTL_OK && (rc = registry_write(c, &out)) == CTL_OK) {
		if (!ctl_opt(c, "after"))
			retire_note(c, e.code, note, sizeof(note));
		reload_daemon(&c->conf, reload, sizeof(reload));
		party_result(c, "retired", &p, e.until, note, reload);
	}
	buf_free(&text);
	buf_free(&out);
	return rc;
}

/* Who a certificate speaks for: registry bindings, the hub, a CA. */
static void cert_binding(const struct registry *r, const struct cert *ct, const char *hub_fpr, char *out, size_t n)
{
	const struct party *p;
	size_t i, len;

	out[0] = '\0';
	if (strcmp(ct->fpr, hub_fpr) == 0)
		snprintf(out, n, "hub 本系统");
	else if (ct->is_ca)
		snprintf(out, n, "ca 根证书");
	for (i = 0; (p = registry_at(r, i)) != NULL; i++)
		if (strcmp(p->fingerprint, ct->fpr) == 0 && (len = strlen(out)) < n)
			snprintf(out + len, n - len, "%s%s %s", len ? ", " : "", p->code, role_name(p->role));
}

static void expiring_row(struct ctl *c, const struct cert *ct, const char *bound, time_t now)
{
	char until[32];
	long days = (long)((ct->not_after - now) / 86400);

	ctl_time(until, ct->not_after);
	if (!c->as_json) {
		buf_printf(&c->out, "%s  %4ld days 天  %s  %s  [%s]  %s\n", until, days, ct->fpr, ct->subject, bound,
		    ct->file);
		return;
	}
	json_open(&c->j, '{');
	json_kstr(&c->j, "fingerprint", ct->fpr);
	json_kstr(&c->j, "subject", ct->subject);
	json_kstr(&c->j, "not_after", until);
	json_kint(&c->j, "days_left", days);
	json_kstr(&c->j, "bound", bound);
	json_kstr(&c->j, "file", ct->file);
	json_close(&c->j, '}');
}

int ctl_certs_expiring(struct ctl *c)
{
	const char *d = ctl_opt(c, "days");
	char bound[512], *end, hub_fpr[65] = "";
	struct registry *r;
	struct certs cl;
	time_t now = time(NULL);
	long days = 30;
	int i, n = 0;

	if (d && ((days = strtol(d, &end, 10)) < 0 || *end || end == d))
		return ctl_fail(CTL_USAGE, "--days N: a whole number of days ≥ 0");
	if ((r = load_registry(c)) == NULL)
		return CTL_STORE;
	certs_collect(&c->conf, &cl);
	for (i = 0; i < cl.n; i++)
		if (strcmp(cl.v[i].file, c->conf.hub_cert) == 0)
			strlcopy(hub_fpr, cl.v[i].fpr, sizeof(hub_fpr));
	if (c->as_json)
		json_open(&c->j, '[');
	for (i = 0; i < cl.n; i++) {
		cert_binding(r, &cl.v[i], hub_fpr, bound, sizeof(bound));
		if (bound[0] == '\0' || cl.v[i].not_after > now + days * 86400)
			continue;	/* speaks for nobody, or not expiring soon */
		expiring_row(c, &cl.v[i], bound, now);
		n++;
	}
	if (c->as_json) {
		json_close(&c->j, ']');
		buf_adds(&c->out, "\n");
	} else if (n == 0)
		buf_printf(&c->out, "no certificate expires within %ld days %ld天内无证书过期\n", days, days);
	registry_free(r);
	free(cl.v);
	return CTL_OK;
}
