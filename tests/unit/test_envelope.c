/* test_envelope — CMS SignedData: opening checks in their documented order
 * (DER/PEM CMS, SignedData, attached content, one signer, the signature,
 * then the signer certificate's chain for smimesign now: R1), sealing, and
 * interoperability with the openssl command line partners use.
 * Real OpenSSL with the demo PKI (scripts/demo-pki) in a temp folder;
 * unusual certificates (expired, not yet valid, wrong purpose, foreign CA)
 * are minted here with the demo CA's key. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "envelope.h"
#include <limits.h>
#include "registry.h"
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include "testutil.h"

static const char content[] = "<EntrustRequest xmlns=\"urn:entrust:1\">委托</EntrustRequest>\n";

struct fixture {
	char			*dir;
	char			 pki[PATH_MAX];
	char			 ca[PATH_MAX];
	struct envelope_keys	*trust;		/* the hub's keys: trust store + hub cert */
	X509			*ca_cert;
	EVP_PKEY		*ca_key;
	struct buf		 out;
	char			 detail[256];
	struct envelope_signer	 signer;
};


static X509 *read_cert(const char *path)
{
	BIO *b = BIO_new_file(path, "r");
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	return x;
}

static EVP_PKEY *read_key(const char *path)
{
	BIO *b = BIO_new_file(path, "r");
	EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	return k;
}

static int group_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256], p[PATH_MAX], k[PATH_MAX];

	f->dir = tu_tmpdir("envelope");
	tu_path(f->pki, "%s/pki", f->dir);
	if (tu_pki(f->pki) != 0)
		return -1;
	tu_path(f->ca, "%s/ca.pem", f->pki);
	f->trust = envelope_keys_load(f->ca, tu_path(p, "%s/hub.pem", f->pki),
	    tu_path(k, "%s/hub.key", f->pki), err, sizeof(err));
	f->ca_cert = read_cert(f->ca);
	f->ca_key = read_key(tu_path(p, "%s/ca.key", f->pki));
	if (f->trust == NULL || f->ca_cert == NULL || f->ca_key == NULL)
		return -1;
	buf_init(&f->out);
	*state = f;
	return 0;
}

static int group_teardown(void **state)
{
	struct fixture *f = *state;

	envelope_keys_free(f->trust);
	X509_free(f->ca_cert);
	EVP_PKEY_free(f->ca_key);
	buf_free(&f->out);
	tu_rmrf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* ---- certificates minted for the tests ---- */

struct mint {
	const char	*cn;
	long		 from_s, to_s;		/* validity relative to now */
	const char	*key_usage;		/* NULL: none */
	const char	*eku;			/* NULL: none */
	int		 self_signed_ca;	/* a foreign root */
};

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(e);
	assert_int_equal(X509_add_ext(x, e, -1), 1);
	X509_EXTENSION_free(e);
}

/* A certificate for key, signed by issuer/issuer_key (NULL: self-signed). */
static X509 *mint_cert(const struct mint *m, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key)
{
	static long serial = 1000;
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();

	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)"entrust unit", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)m->cn, -1, -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
	X509_NAME_free(name);
	X509_gmtime_adj(X509_getm_notBefore(x), m->from_s);
	X509_gmtime_adj(X509_getm_notAfter(x), m->to_s);
	X509_set_pubkey(x, key);
	if (m->self_signed_ca) {
		add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else {
		add_ext(x, issuer ? issuer : x, NID_basic_constraints, "CA:FALSE");
		if (m->key_usage)
			add_ext(x, issuer ? issuer : x, NID_key_usage, m->key_usage);
		if (m->eku)
			add_ext(x, issuer ? issuer : x, NID_ext_key_usage, m->eku);
	}
	assert_true(X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) > 0);
	return x;
}

/* Write x and key as PEM files <stem>.pem / <stem>.key and load them as keys. */
static struct envelope_keys *as_keys(struct fixture *f, const char *stem, X509 *x, EVP_PKEY *key)
{
	char cp[PATH_MAX], kp[PATH_MAX], err[256];
	BIO *b;
	struct envelope_keys *k;

	b = BIO_new_file(tu_path(cp, "%s/%s.pem", f->dir, stem), "w");
	assert_int_equal(PEM_write_bio_X509(b, x), 1);
	BIO_free(b);
	b = BIO_new_file(tu_path(kp, "%s/%s.key", f->dir, stem), "w");
	assert_int_equal(PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL), 1);
	BIO_free(b);
	k = envelope_keys_load(f->ca, cp, kp, err, sizeof(err));
	if (k == NULL)
		fail_msg("load %s: %s", stem, err);
	return k;
}

/* Keys of a demo party (pki/<stem>.pem/.key). */
static struct envelope_keys *party_keys(struct fixture *f, const char *stem)
{
	char cp[PATH_MAX], kp[PATH_MAX], err[256];
	struct envelope_keys *k = envelope_keys_load(f->ca, tu_path(cp, "%s/%s.pem", f->pki, stem),
	    tu_path(kp, "%s/%s.key", f->pki, stem), err, sizeof(err));

	if (k == NULL)
		fail_msg("load %s: %s", stem, err);
	return k;
}

static enum reason open_buf(struct fixture *f, const struct buf *der)
{
	buf_reset(&f->out);
	return envelope_open(f->trust, der->data, der->len, &f->out, &f->signer, f->detail,
	    sizeof(f->detail));
}

/* Seal content with the key pair of a minted certificate. */
static void seal_minted(struct fixture *f, const struct mint *m, X509 *issuer, EVP_PKEY *issuer_key,
    struct buf *der)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = mint_cert(m, key, issuer, issuer_key);
	struct envelope_keys *k = as_keys(f, m->cn, x, key);

	assert_int_equal(envelope_seal(k, content, sizeof(content) - 1, der), 0);
	envelope_keys_free(k);
	X509_free(x);
	EVP_PKEY_free(key);
}

/* ---- sealing and opening ---- */

/* R1: a demo party's envelope opens; the signer is the registry's party. */
static void test_R1_seal_and_open_binds_to_registry(void **state)
{
	struct fixture *f = *state;
	struct envelope_keys *k = party_keys(f, "consignor");
	const struct party *p;
	struct registry *reg;
	char err[256], path[PATH_MAX];
	struct buf der;

	buf_init(&der);
	assert_int_equal(envelope_seal(k, content, sizeof(content) - 1, &der), 0);
	assert_int_equal(open_buf(f, &der), R_NONE);
	assert_string_equal(f->detail, "");
	assert_int_equal(f->out.len, sizeof(content) - 1);
	assert_memory_equal(f->out.data, content, f->out.len);
	assert_int_equal(strlen(f->signer.fingerprint), 64);
	assert_non_null(strstr(f->signer.subject, "CN=1101230001"));
	reg = registry_load(tu_path(path, "%s/parties.conf", f->pki), err, sizeof(err));
	assert_non_null(reg);
	assert_int_equal(registry_by_fingerprint(reg, f->signer.fingerprint, &p), 1);
	assert_string_equal(p->code, "1101230001");
	assert_int_equal(p->role, ROLE_CONSIGNOR);
	registry_free(reg);
	envelope_keys_free(k);
	buf_free(&der);
}

/* An EC-keyed party (broker) works as well as an RSA one. */
static void test_R1_ec_party(void **state)
{
	struct fixture *f = *state;
	struct envelope_keys *k = party_keys(f, "broker");
	char fpr[65], path[PATH_MAX];
	struct buf der;

	buf_init(&der);
	assert_int_equal(envelope_seal(k, content, sizeof(content) - 1, &der), 0);
	assert_int_equal(open_buf(f, &der), R_NONE);
	assert_int_equal(tu_registry_fpr(tu_path(path, "%s/parties.conf", f->pki), "4101W68006", fpr), 0);
	assert_string_equal(f->signer.fingerprint, fpr);
	envelope_keys_free(k);
	buf_free(&der);
}

/* What partners send: openssl cms -sign, DER and PEM. */
static void test_open_openssl_cli_der_and_pem(void **state)
{
	struct fixture *f = *state;
	char in[PATH_MAX], out[PATH_MAX], pem[PATH_MAX], fpr[65], reg[PATH_MAX];
	struct buf der;

	buf_init(&der);
	assert_int_equal(tu_writes(tu_path(in, "%s/msg.xml", f->dir), content), 0);
	assert_int_equal(tu_sign_cli(f->pki, "consignor2", in, tu_path(out, "%s/msg.p7m", f->dir)), 0);
	assert_int_equal(tu_read(out, &der), 0);
	assert_int_equal(open_buf(f, &der), R_NONE);
	assert_string_equal(f->out.data, content);
	assert_int_equal(tu_registry_fpr(tu_path(reg, "%s/parties.conf", f->pki), "1101230002", fpr), 0);
	assert_string_equal(f->signer.fingerprint, fpr);

	assert_int_equal(tu_sh("openssl cms -sign -nodetach -binary -signer '%s/consignor.pem' "
	    "-inkey '%s/consignor.key' -in '%s' -outform PEM -out '%s' 2>/dev/null", f->pki, f->pki, in,
	    tu_path(pem, "%s/msg.pem", f->dir)), 0);
	assert_int_equal(tu_read(pem, &der), 0);
	assert_memory_equal(der.data, "-----BEGIN ", 11);
	assert_int_equal(open_buf(f, &der), R_NONE);
	assert_string_equal(f->out.data, content);
	buf_free(&der);
}

/* What the hub seals, partners verify with openssl cms -verify against the CA. */
static void test_seal_verifies_with_openssl_cli(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX], o[PATH_MAX];
	struct buf der;

	buf_init(&der);
	assert_int_equal(envelope_seal(f->trust, content, sizeof(content) - 1, &der), 0);
	assert_int_equal(tu_write(tu_path(p, "%s/sealed.p7m", f->dir), der.data, der.len), 0);
	assert_int_equal(tu_sh("openssl cms -verify -binary -inform DER -in '%s' -CAfile '%s' "
	    "-purpose smimesign -out '%s' 2>/dev/null", p, f->ca, tu_path(o, "%s/sealed.out", f->dir)), 0);
	assert_int_equal(tu_read(o, &der), 0);
	assert_string_equal(der.data, content);
	buf_free(&der);
}

/* The hub's own seal opens, signed by the hub certificate (not in the registry). */
static void test_seal_binary_content_round_trip(void **state)
{
	struct fixture *f = *state;
	static const char bin[] = "a\r\nb\0c\xff\n";
	unsigned char md[32];
	unsigned int n = 0, i;
	char fpr[65], p[PATH_MAX];
	X509 *hub;
	struct buf der;

	buf_init(&der);
	assert_int_equal(envelope_seal(f->trust, bin, sizeof(bin), &der), 0);
	assert_int_equal(open_buf(f, &der), R_NONE);
	assert_int_equal(f->out.len, sizeof(bin));
	assert_memory_equal(f->out.data, bin, sizeof(bin));	/* CMS_BINARY: no CRLF games */
	hub = read_cert(tu_path(p, "%s/hub.pem", f->pki));
	assert_int_equal(X509_digest(hub, EVP_sha256(), md, &n), 1);
	for (i = 0; i < n; i++)
		snprintf(fpr + 2 * i, 3, "%02x", md[i]);
	assert_string_equal(f->signer.fingerprint, fpr);
	assert_non_null(strstr(f->signer.subject, "CN=ENTRUSTHUB"));
	X509_free(hub);
	buf_free(&der);
}

/* ---- refusals, in the documented order ---- */

static void der_of(CMS_ContentInfo *cms, struct buf *der)
{
	unsigned char *p = NULL;
	int n = i2d_CMS_ContentInfo(cms, &p);

	assert_true(n > 0);
	buf_reset(der);
	buf_add(der, p, (size_t)n);
	OPENSSL_free(p);
	CMS_ContentInfo_free(cms);
}

static void test_unreadable(void **state)
{
	struct fixture *f = *state;
	struct buf der, good;
	static const char *garbage[] = {"", "not a CMS envelope at all", "-----BEGIN CMS-----\nAAAA\n-----END CMS-----\n",
	    "\x30\x82\xff\xff"};
	size_t i;

	buf_init(&der);
	buf_init(&good);
	for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		buf_reset(&der);
		buf_adds(&der, garbage[i]);
		if (open_buf(f, &der) != R_ENV_UNREADABLE)
			fail_msg("garbage %zu: not ENV_UNREADABLE", i);
	}
	/* A good envelope cut in half. */
	assert_int_equal(envelope_seal(f->trust, content, sizeof(content) - 1, &good), 0);
	buf_reset(&der);
	buf_add(&der, good.data, good.len / 2);
	assert_int_equal(open_buf(f, &der), R_ENV_UNREADABLE);
	assert_int_equal(f->signer.fingerprint[0], '\0');
	buf_free(&der);
	buf_free(&good);
}

static void test_not_signed_data(void **state)
{
	struct fixture *f = *state;
	BIO *in = BIO_new_mem_buf(content, sizeof(content) - 1);
	struct buf der;

	buf_init(&der);
	der_of(CMS_data_create(in, CMS_BINARY), &der);
	assert_int_equal(open_buf(f, &der), R_ENV_NOT_SIGNED);
	BIO_free(in);
	in = BIO_new_mem_buf(content, sizeof(content) - 1);
	der_of(CMS_digest_create(in, EVP_sha256(), CMS_BINARY), &der);
	assert_int_equal(open_buf(f, &der), R_ENV_NOT_SIGNED);
	BIO_free(in);
	buf_free(&der);
}

static void test_detached(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX];
	X509 *x = read_cert(tu_path(p, "%s/consignor.pem", f->pki));
	EVP_PKEY *k = read_key(tu_path(p, "%s/consignor.key", f->pki));
	BIO *in = BIO_new_mem_buf(content, sizeof(content) - 1);
	struct buf der;

	buf_init(&der);
	der_of(CMS_sign(x, k, NULL, in, CMS_BINARY | CMS_DETACHED), &der);
	assert_int_equal(open_buf(f, &der), R_ENV_DETACHED);
	BIO_free(in);
	X509_free(x);
	EVP_PKEY_free(k);
	buf_free(&der);
}

/* R1: exactly one signer: two (both valid) and none are refused. */
static void test_R1_signer_count(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX];
	X509 *a = read_cert(tu_path(p, "%s/consignor.pem", f->pki));
	EVP_PKEY *ak = read_key(tu_path(p, "%s/consignor.key", f->pki));
	X509 *b = read_cert(tu_path(p, "%s/broker.pem", f->pki));
	EVP_PKEY *bk = read_key(tu_path(p, "%s/broker.key", f->pki));
	BIO *in = BIO_new_mem_buf(content, sizeof(content) - 1);
	CMS_ContentInfo *cms;
	struct buf der;

	buf_init(&der);
	cms = CMS_sign(NULL, NULL, NULL, NULL, CMS_BINARY | CMS_PARTIAL);
	assert_non_null(cms);
	assert_non_null(CMS_add1_signer(cms, a, ak, EVP_sha256(), CMS_BINARY));
	assert_non_null(CMS_add1_signer(cms, b, bk, EVP_sha256(), CMS_BINARY));
	assert_int_equal(CMS_final(cms, in, NULL, CMS_BINARY), 1);
	der_of(cms, &der);
	assert_int_equal(open_buf(f, &der), R_ENV_SIGNER_COUNT);

	/* No signer at all, content attached (CMS_final refuses this: built by hand). */
	cms = CMS_sign(NULL, NULL, NULL, NULL, CMS_BINARY | CMS_PARTIAL);
	assert_int_equal(CMS_set_detached(cms, 0), 1);
	assert_non_null(*CMS_get0_content(cms));
	assert_int_equal(ASN1_OCTET_STRING_set(*CMS_get0_content(cms), (const unsigned char *)content,
	    (int)sizeof(content) - 1), 1);
	der_of(cms, &der);
	assert_int_equal(open_buf(f, &der), R_ENV_SIGNER_COUNT);
	BIO_free(in);
	X509_free(a);
	X509_free(b);
	EVP_PKEY_free(ak);
	EVP_PKEY_free(bk);
	buf_free(&der);
}

/* R1: altered content or an altered signature does not verify. */
static void test_R1_tampered(void **state)
{
	struct fixture *f = *state;
	struct envelope_keys *k = party_keys(f, "consignor");
	struct buf der;
	char *at;

	buf_init(&der);
	assert_int_equal(envelope_seal(k, content, sizeof(content) - 1, &der), 0);
	at = memmem(der.data, der.len, "EntrustRequest", 14);
	assert_non_null(at);
	at[0] = 'X';
	assert_int_equal(open_buf(f, &der), R_SIG_INVALID);
	assert_string_not_equal(f->detail, "");

	assert_int_equal(envelope_seal(k, content, sizeof(content) - 1, &der), 0);
	der.data[der.len - 1] ^= 0x01;		/* the last byte of the RSA signature */
	assert_int_equal(open_buf(f, &der), R_SIG_INVALID);
	envelope_keys_free(k);
	buf_free(&der);
}

/* Table: R1 certificate checks, after the signature. */
struct cert_row {
	const char	*label;
	struct mint	 m;
	int		 foreign;	/* signed by a foreign root, not the demo CA */
	enum reason	 want;
	const char	*detail;	/* substring of the detail, or NULL */
};

#define KU "critical,digitalSignature,nonRepudiation"
static const struct cert_row cert_rows[] = {
	{"minted like demo-pki: fine", {"ok1", -60, 86400, KU, "emailProtection", 0}, 0, R_NONE, NULL},
	{"expired yesterday", {"exp1", -2 * 86400, -86400, KU, "emailProtection", 0}, 0, R_CERT_EXPIRED,
	    "expired"},
	{"valid from tomorrow", {"nyv1", 86400, 2 * 86400, KU, "emailProtection", 0}, 0,
	    R_CERT_NOT_YET_VALID, "not yet valid"},
	{"TLS server certificate", {"srv1", -60, 86400, KU, "serverAuth", 0}, 0, R_CERT_PURPOSE, NULL},
	{"no signing key usage", {"ku1", -60, 86400, "critical,keyEncipherment", "emailProtection", 0}, 0,
	    R_CERT_PURPOSE, NULL},
	{"foreign CA", {"frn1", -60, 86400, KU, "emailProtection", 0}, 1, R_CERT_UNTRUSTED, NULL},
	{"self-signed leaf", {"self1", -60, 86400, KU, "emailProtection", 0}, 2, R_CERT_UNTRUSTED, NULL},
};

static void test_R1_table_certificates(void **state)
{
	struct fixture *f = *state;
	static const struct mint root = {"foreign root", -60, 86400, NULL, NULL, 1};
	EVP_PKEY *rk = EVP_EC_gen("P-256");
	X509 *rx = mint_cert(&root, rk, NULL, NULL);
	struct buf der;
	size_t i;

	buf_init(&der);
	for (i = 0; i < sizeof(cert_rows) / sizeof(cert_rows[0]); i++) {
		const struct cert_row *r = &cert_rows[i];
		enum reason got;

		if (r->foreign == 1)
			seal_minted(f, &r->m, rx, rk, &der);
		else if (r->foreign == 2)
			seal_minted(f, &r->m, NULL, NULL, &der);
		else
			seal_minted(f, &r->m, f->ca_cert, f->ca_key, &der);
		got = open_buf(f, &der);
		if (got != r->want)
			fail_msg("%s: got %s (%s), want %s", r->label, reason_code(got), f->detail,
			    reason_code(r->want));
		if (r->detail && strstr(f->detail, r->detail) == NULL)
			fail_msg("%s: detail \"%s\" lacks \"%s\"", r->label, f->detail, r->detail);
		/* The signature verified: the signer is described even when refused. */
		if (strlen(f->signer.fingerprint) != 64)
			fail_msg("%s: no fingerprint", r->label);
		if (got == R_NONE)
			assert_memory_equal(f->out.data, content, sizeof(content) - 1);
	}
	X509_free(rx);
	EVP_PKEY_free(rk);
	buf_free(&der);
}

/* A foreign chain carried inside the envelope is still not trusted. */
static void test_R1_foreign_root_in_envelope_not_trusted(void **state)
{
	struct fixture *f = *state;
	static const struct mint root = {"foreign root 2", -60, 86400, NULL, NULL, 1};
	static const struct mint leaf = {"1101230001", -60, 86400, KU, "emailProtection", 0};
	EVP_PKEY *rk = EVP_EC_gen("P-256"), *lk = EVP_EC_gen("P-256");
	X509 *rx = mint_cert(&root, rk, NULL, NULL), *lx = mint_cert(&leaf, lk, rx, rk);
	STACK_OF(X509) *extra = sk_X509_new_null();
	BIO *in = BIO_new_mem_buf(content, sizeof(content) - 1);
	struct buf der;

	buf_init(&der);
	sk_X509_push(extra, rx);
	der_of(CMS_sign(lx, lk, extra, in, CMS_BINARY), &der);
	assert_int_equal(open_buf(f, &der), R_CERT_UNTRUSTED);
	sk_X509_free(extra);
	BIO_free(in);
	X509_free(rx);
	X509_free(lx);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(lk);
	buf_free(&der);
}

/* The signature is checked before the certificate: tampered + untrusted → SIG_INVALID. */
static void test_R1_signature_checked_before_chain(void **state)
{
	struct fixture *f = *state;
	static const struct mint m = {"order1", -2 * 86400, -86400, KU, "emailProtection", 0};
	struct buf der;
	char *at;

	buf_init(&der);
	seal_minted(f, &m, f->ca_cert, f->ca_key, &der);
	assert_int_equal(open_buf(f, &der), R_CERT_EXPIRED);
	at = memmem(der.data, der.len, "EntrustRequest", 14);
	assert_non_null(at);
	at[1] = 'x';
	assert_int_equal(open_buf(f, &der), R_SIG_INVALID);
	buf_free(&der);
}


/* ---- hardening from the hostile corpus (issue #6, tests/hostile/) ---- */

/* A consignor envelope built step by step: digest md, signingTime at now + t_off
 * (no attribute when t_off is LONG_MIN), eContentType oid (NULL: id-data). */
static void sign_custom(struct fixture *f, const EVP_MD *md, long t_off, const char *oid, struct buf *der)
{
	char p[PATH_MAX];
	X509 *x = read_cert(tu_path(p, "%s/consignor.pem", f->pki));
	EVP_PKEY *k = read_key(tu_path(p, "%s/consignor.key", f->pki));
	BIO *in = BIO_new_mem_buf(content, sizeof(content) - 1);
	CMS_ContentInfo *cms = CMS_sign(NULL, NULL, NULL, NULL, CMS_BINARY | CMS_PARTIAL);
	CMS_SignerInfo *si;

	assert_non_null(cms);
	if (oid) {
		ASN1_OBJECT *type = OBJ_txt2obj(oid, 1);

		assert_int_equal(CMS_set1_eContentType(cms, type), 1);	/* set1: copies */
		ASN1_OBJECT_free(type);
	}
	si = CMS_add1_signer(cms, x, k, md, CMS_BINARY | CMS_PARTIAL);
	assert_non_null(si);
	if (t_off != LONG_MIN) {
		ASN1_TIME *t = X509_gmtime_adj(NULL, t_off);

		assert_int_equal(CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime, t->type, t, -1), 1);
		ASN1_TIME_free(t);
	}
	assert_int_equal(CMS_final(cms, in, NULL, CMS_BINARY), 1);
	der_of(cms, der);
	BIO_free(in);
	X509_free(x);
	EVP_PKEY_free(k);
}

/* Nothing may follow the envelope: bytes after the DER (or after the PEM block,
 * white space aside) would be archived as if signed. */
static void test_trailing_bytes_refused(void **state)
{
	struct fixture *f = *state;
	struct buf der;
	BIO *b = BIO_new(BIO_s_mem());
	CMS_ContentInfo *cms;
	const unsigned char *p;
	char *pem;
	long n;

	buf_init(&der);
	assert_int_equal(envelope_seal(f->trust, content, sizeof(content) - 1, &der), 0);
	assert_int_equal(open_buf(f, &der), R_NONE);
	p = (const unsigned char *)der.data;
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)der.len);
	assert_non_null(cms);
	CMS_ContentInfo_free(cms);
	assert_true(PEM_write_bio(b, "CMS", "", (const unsigned char *)der.data, (long)der.len) > 0);
	buf_adds(&der, "GARBAGE");
	assert_int_equal(open_buf(f, &der), R_ENV_UNREADABLE);
	assert_non_null(strstr(f->detail, "7 bytes after the DER envelope"));
	n = BIO_get_mem_data(b, &pem);
	buf_reset(&der);
	buf_add(&der, pem, (size_t)n);
	buf_adds(&der, "\r\n \n");
	assert_int_equal(open_buf(f, &der), R_NONE);	/* trailing white space is fine */
	buf_adds(&der, "x");
	assert_int_equal(open_buf(f, &der), R_ENV_UNREADABLE);
	assert_non_null(strstr(f->detail, "after the PEM envelope"));
	BIO_free(b);
	buf_free(&der);
}

/* docs/protocol.md §2.1: the signed content is id-data. */
static void test_econtent_type_must_be_data(void **state)
{
	struct fixture *f = *state;
	struct buf der;

	buf_init(&der);
	sign_custom(f, EVP_sha256(), LONG_MIN, NULL, &der);
	assert_int_equal(open_buf(f, &der), R_NONE);
	sign_custom(f, EVP_sha256(), LONG_MIN, "1.2.3.4", &der);
	assert_int_equal(open_buf(f, &der), R_ENV_NOT_SIGNED);
	assert_non_null(strstr(f->detail, "not id-data"));
	sign_custom(f, EVP_sha256(), LONG_MIN, "1.2.840.113549.1.9.16.1.4", &der);	/* TSTInfo */
	assert_int_equal(open_buf(f, &der), R_ENV_NOT_SIGNED);
	buf_free(&der);
}

/* R1: SHA-256/384/512 only; MD5, SHA-1 and SHA-224 signatures are refused even
 * though they verify. */
static void test_R1_digest_policy(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char	*md;
		enum reason	 want;
	} rows[] = {
		{"SHA256", R_NONE}, {"SHA384", R_NONE}, {"SHA512", R_NONE},
		{"SHA1", R_SIG_ALGORITHM}, {"SHA224", R_SIG_ALGORITHM}, {"MD5", R_SIG_ALGORITHM},
	};
	struct buf der;
	size_t i;

	buf_init(&der);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		EVP_MD *md = EVP_MD_fetch(NULL, rows[i].md, NULL);
		enum reason got;

		if (md == NULL)
			continue;	/* not offered by this OpenSSL (e.g. MD5 in FIPS mode) */
		sign_custom(f, md, LONG_MIN, NULL, &der);
		EVP_MD_free(md);
		got = open_buf(f, &der);
		if (got != rows[i].want)
			fail_msg("%s: got %s (%s), want %s", rows[i].md, reason_code(got), f->detail,
			    reason_code(rows[i].want));
	}
	buf_free(&der);
}

/* R1: a signingTime far from now is refused; the window is configurable and an
 * envelope without the attribute is accepted. */
static void test_R1_signing_time_window(void **state)
{
	struct fixture *f = *state;
	static const struct {
		long		 off;
		enum reason	 want;
	} rows[] = {
		{LONG_MIN, R_NONE}, {0, R_NONE}, {-86400, R_NONE}, {1800, R_NONE}, {-29L * 86400, R_NONE},
		{7200, R_SIG_TIME}, {-31L * 86400, R_SIG_TIME}, {-30L * 365 * 86400, R_SIG_TIME},
		{20L * 365 * 86400, R_SIG_TIME},
	};
	char p[PATH_MAX], k[PATH_MAX], err[256];
	struct envelope_keys *narrow;
	struct buf der;
	size_t i;

	buf_init(&der);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		enum reason got;

		sign_custom(f, EVP_sha256(), rows[i].off, NULL, &der);
		got = open_buf(f, &der);
		if (got != rows[i].want)
			fail_msg("offset %ld: got %s (%s), want %s", rows[i].off, reason_code(got), f->detail,
			    reason_code(rows[i].want));
	}
	/* a narrower window: one day behind is now too old */
	narrow = envelope_keys_load(f->ca, tu_path(p, "%s/hub.pem", f->pki), tu_path(k, "%s/hub.key", f->pki),
	    err, sizeof(err));
	assert_non_null(narrow);
	assert_int_equal(envelope_keys_policy(narrow, NULL, 60, 3600, err, sizeof(err)), 0);
	sign_custom(f, EVP_sha256(), -86400, NULL, &der);
	assert_int_equal(envelope_open(narrow, der.data, der.len, &f->out, &f->signer, f->detail,
	    sizeof(f->detail)), R_SIG_TIME);
	assert_non_null(strstr(f->detail, "behind"));
	envelope_keys_free(narrow);
	buf_free(&der);
}

/* A CRL of the demo CA revoking serial (nextUpdate at now + next_s), as PEM in path. */
static void write_crl(struct fixture *f, const char *path, X509 *revoked, long next_s)
{
	X509_CRL *crl = X509_CRL_new();
	X509_REVOKED *r = X509_REVOKED_new();
	ASN1_TIME *t = X509_gmtime_adj(NULL, -3600);
	BIO *b;

	assert_non_null(crl);
	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(f->ca_cert));
	X509_CRL_set1_lastUpdate(crl, t);
	X509_gmtime_adj(t, next_s);
	X509_CRL_set1_nextUpdate(crl, t);
	ASN1_TIME_free(t);
	if (revoked) {
		X509_REVOKED_set_serialNumber(r, X509_get_serialNumber(revoked));
		t = X509_gmtime_adj(NULL, -60);
		X509_REVOKED_set_revocationDate(r, t);
		ASN1_TIME_free(t);
		X509_CRL_add0_revoked(crl, r);
	} else {
		X509_REVOKED_free(r);
	}
	X509_CRL_sort(crl);
	assert_true(X509_CRL_sign(crl, f->ca_key, EVP_sha256()) > 0);
	b = BIO_new_file(path, "w");
	assert_int_equal(PEM_write_bio_X509_CRL(b, crl), 1);
	BIO_free(b);
	X509_CRL_free(crl);
}

/* R1 with crl_file: a revoked certificate is CERT_REVOKED, the others still open;
 * an expired CRL refuses everyone (fail closed); a file without a CRL, or a
 * certificate in it, does not load (no new trust anchor through crl_file). */
static void test_R1_crl(void **state)
{
	struct fixture *f = *state;
	static const struct mint m = {"1101230099", -60, 86400, KU, "emailProtection", 0};
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = mint_cert(&m, key, f->ca_cert, f->ca_key);
	struct envelope_keys *signer = as_keys(f, "revoked-one", x, key), *hub;
	char crl[PATH_MAX], p[PATH_MAX], k[PATH_MAX], err[256];
	struct buf rev, good;

	buf_init(&rev);
	buf_init(&good);
	assert_int_equal(envelope_seal(signer, content, sizeof(content) - 1, &rev), 0);
	sign_custom(f, EVP_sha256(), LONG_MIN, NULL, &good);
	assert_int_equal(open_buf(f, &rev), R_NONE);		/* no CRL configured: not checked */
	tu_path(crl, "%s/crl.pem", f->dir);
	write_crl(f, crl, x, 86400);
	hub = envelope_keys_load(f->ca, tu_path(p, "%s/hub.pem", f->pki), tu_path(k, "%s/hub.key", f->pki),
	    err, sizeof(err));
	assert_non_null(hub);
	assert_int_equal(envelope_keys_policy(hub, crl, ENVELOPE_AHEAD_S, ENVELOPE_BEHIND_S, err, sizeof(err)), 0);
	assert_int_equal(envelope_open(hub, rev.data, rev.len, &f->out, &f->signer, f->detail, sizeof(f->detail)),
	    R_CERT_REVOKED);
	assert_int_equal(envelope_open(hub, good.data, good.len, &f->out, &f->signer, f->detail,
	    sizeof(f->detail)), R_NONE);
	envelope_keys_free(hub);
	/* an expired CRL */
	write_crl(f, crl, NULL, -60);
	hub = envelope_keys_load(f->ca, p, k, err, sizeof(err));
	assert_int_equal(envelope_keys_policy(hub, crl, ENVELOPE_AHEAD_S, ENVELOPE_BEHIND_S, err, sizeof(err)), 0);
	assert_int_equal(envelope_open(hub, good.data, good.len, &f->out, &f->signer, f->detail,
	    sizeof(f->detail)), R_CERT_UNTRUSTED);
	assert_non_null(strstr(f->detail, "CRL"));
	/* no CRL in the file (a certificate only), or no file */
	assert_int_equal(envelope_keys_policy(hub, f->ca, ENVELOPE_AHEAD_S, ENVELOPE_BEHIND_S, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "CRL"));
	assert_int_equal(envelope_keys_policy(hub, tu_path(p, "%s/none.pem", f->dir), 1, 1, err, sizeof(err)), -1);
	envelope_keys_free(hub);
	envelope_keys_free(signer);
	X509_free(x);
	EVP_PKEY_free(key);
	buf_free(&rev);
	buf_free(&good);
}

/* ---- keys ---- */

static void test_keys_load_errors(void **state)
{
	struct fixture *f = *state;
	char err[256], c[PATH_MAX], k[PATH_MAX], x[PATH_MAX], bogus[PATH_MAX];

	tu_path(c, "%s/hub.pem", f->pki);
	tu_path(k, "%s/hub.key", f->pki);
	assert_int_equal(tu_writes(tu_path(bogus, "%s/bogus.pem", f->dir), "not PEM\n"), 0);

	assert_null(envelope_keys_load(tu_path(x, "%s/none.pem", f->dir), c, k, err, sizeof(err)));
	assert_non_null(strstr(err, "none.pem"));
	assert_null(envelope_keys_load(bogus, c, k, err, sizeof(err)));
	assert_non_null(strstr(err, "bogus.pem"));
	assert_null(envelope_keys_load(f->ca, bogus, k, err, sizeof(err)));
	assert_non_null(strstr(err, "bogus.pem"));
	/* A key file where the certificate should be. */
	assert_null(envelope_keys_load(f->ca, k, k, err, sizeof(err)));
	assert_non_null(strstr(err, "hub.key"));
	assert_null(envelope_keys_load(f->ca, c, tu_path(x, "%s/none.key", f->dir), err, sizeof(err)));
	assert_non_null(strstr(err, "none.key"));
	assert_null(envelope_keys_load(f->ca, c, tu_path(x, "%s/consignor.key", f->pki), err, sizeof(err)));
	assert_non_null(strstr(err, "does not match"));
	envelope_keys_free(NULL);
	assert_int_equal(ERR_peek_error(), 0);	/* no stale OpenSSL errors left behind */
}

static void test_sha256_hex(void **state)
{
	char out[65];

	(void)state;
	envelope_sha256_hex("", 0, out);
	assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	envelope_sha256_hex("abc", 3, out);
	assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* ---- the certificate cache (issue #7): certificates decoded once ---- */

static void cert_fpr(X509 *x, char out[65])
{
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);

	assert_true(n > 0);
	envelope_sha256_hex(der, (size_t)n, out);
	OPENSSL_free(der);
}

/* Two certificates with the same issuer and serial number but other keys
 * (a forgery's shape): each envelope is judged with its own certificate, the
 * second never with the first's cached copy. */
static void test_R1_cached_certificates_keyed_by_der(void **state)
{
	struct fixture *f = *state;
	static const struct mint m = {"1101239901", -60, 86400, KU, "emailProtection", 0};
	EVP_PKEY *k1 = EVP_EC_gen("P-256"), *k2 = EVP_EC_gen("P-256");
	X509 *x1 = mint_cert(&m, k1, f->ca_cert, f->ca_key), *x2 = X509_dup(x1);
	BIO *in = BIO_new_mem_buf(content, sizeof(content) - 1);
	struct buf d1, d2;
	char fp1[65], fp2[65];
	int round;

	X509_set_pubkey(x2, k2);
	assert_true(X509_sign(x2, f->ca_key, EVP_sha256()) > 0);
	cert_fpr(x1, fp1);
	cert_fpr(x2, fp2);
	assert_string_not_equal(fp1, fp2);
	buf_init(&d1);
	buf_init(&d2);
	der_of(CMS_sign(x1, k1, NULL, in, CMS_BINARY), &d1);
	BIO_reset(in);
	der_of(CMS_sign(x2, k2, NULL, in, CMS_BINARY), &d2);
	for (round = 0; round < 2; round++) {	/* the second round: both cached */
		assert_int_equal(open_buf(f, &d1), R_NONE);
		assert_string_equal(f->signer.fingerprint, fp1);
		assert_int_equal(open_buf(f, &d2), R_NONE);
		assert_string_equal(f->signer.fingerprint, fp2);
	}
	BIO_free(in);
	X509_free(x1);
	X509_free(x2);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
	buf_free(&d1);
	buf_free(&d2);
}

/* An intermediate CA carried in the envelope completes the chain, also when
 * the certificates come from the cache. */
static void test_R1_intermediate_in_envelope(void **state)
{
	struct fixture *f = *state;
	static const struct mint leaf = {"1101239902", -60, 86400, KU, "emailProtection", 0};
	EVP_PKEY *ik = EVP_EC_gen("P-256"), *lk = EVP_EC_gen("P-256");
	X509 *ix = X509_new(), *lx;
	STACK_OF(X509) *extra = sk_X509_new_null();
	BIO *in = BIO_new_mem_buf(content, sizeof(content) - 1);
	X509_NAME *name = X509_NAME_new();
	struct buf der, bare;
	int round;

	X509_set_version(ix, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(ix), 77);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)"unit intermediate", -1, -1, 0);
	X509_set_subject_name(ix, name);
	X509_set_issuer_name(ix, X509_get_subject_name(f->ca_cert));
	X509_NAME_free(name);
	X509_gmtime_adj(X509_getm_notBefore(ix), -60);
	X509_gmtime_adj(X509_getm_notAfter(ix), 86400);
	X509_set_pubkey(ix, ik);
	add_ext(ix, f->ca_cert, NID_basic_constraints, "critical,CA:TRUE");
	add_ext(ix, f->ca_cert, NID_key_usage, "critical,keyCertSign,cRLSign");
	assert_true(X509_sign(ix, f->ca_key, EVP_sha256()) > 0);
	lx = mint_cert(&leaf, lk, ix, ik);
	buf_init(&der);
	buf_init(&bare);
	sk_X509_push(extra, ix);
	der_of(CMS_sign(lx, lk, extra, in, CMS_BINARY), &der);
	for (round = 0; round < 2; round++)
		assert_int_equal(open_buf(f, &der), R_NONE);
	/* Without the intermediate the chain is incomplete. */
	BIO_reset(in);
	der_of(CMS_sign(lx, lk, NULL, in, CMS_BINARY), &bare);
	assert_int_equal(open_buf(f, &bare), R_CERT_UNTRUSTED);
	sk_X509_free(extra);
	BIO_free(in);
	X509_free(ix);
	X509_free(lx);
	EVP_PKEY_free(ik);
	EVP_PKEY_free(lk);
	buf_free(&der);
	buf_free(&bare);
}

/* BER with indefinite lengths (openssl cms -sign -stream) is not the shape
 * the cache path reads: OpenSSL's general parser opens it. */
static void test_open_ber_indefinite_length(void **state)
{
	struct fixture *f = *state;
	char in[PATH_MAX], out[PATH_MAX];
	struct buf der;

	buf_init(&der);
	assert_int_equal(tu_writes(tu_path(in, "%s/stream.xml", f->dir), content), 0);
	assert_int_equal(tu_sh("openssl cms -sign -stream -nodetach -binary -signer '%s/consignor.pem' "
	    "-inkey '%s/consignor.key' -in '%s' -outform DER -out '%s' 2>/dev/null", f->pki, f->pki, in,
	    tu_path(out, "%s/stream.p7m", f->dir)), 0);
	assert_int_equal(tu_read(out, &der), 0);
	assert_int_equal(((const unsigned char *)der.data)[1], 0x80);	/* indefinite */
	assert_int_equal(open_buf(f, &der), R_NONE);
	assert_memory_equal(f->out.data, content, sizeof(content) - 1);
	buf_free(&der);
}

/* ---- the SignedData the hub writes (issue #7: encoded by entrust, not CMS_sign) ---- */

/* Seal content of len bytes with k; openssl cms -verify (the partners' tool)
 * must accept it against the CA and give the content back; the parsed
 * structure must be what CMS_sign would make. */
static void seal_check_cli(struct fixture *f, struct envelope_keys *k, const char *stem, const char *data,
    size_t len)
{
	char p[PATH_MAX], o[PATH_MAX], pem[PATH_MAX];
	CMS_ContentInfo *cms;
	CMS_SignerInfo *si;
	X509_ALGOR *dig = NULL;
	STACK_OF(X509) *certs;
	const unsigned char *q;
	struct buf der, back;
	int day = 1, sec = 1, idx;

	buf_init(&der);
	buf_init(&back);
	assert_int_equal(envelope_seal(k, data, len, &der), 0);
	assert_int_equal(tu_write(tu_path(p, "%s/%s.p7m", f->dir, stem), der.data, der.len), 0);
	tu_path(pem, "%s/%s.pem", f->dir, stem);
	assert_int_equal(tu_sh("openssl cms -verify -binary -inform DER -in '%s' -CAfile '%s' -purpose any "
	    "-out '%s' 2>/dev/null", p, f->ca, tu_path(o, "%s/%s.out", f->dir, stem)), 0);
	assert_int_equal(tu_read(o, &back), 0);
	assert_int_equal(back.len, len);
	assert_memory_equal(back.data, data, len);
	q = (const unsigned char *)der.data;
	cms = d2i_CMS_ContentInfo(NULL, &q, (long)der.len);
	assert_non_null(cms);
	assert_ptr_equal(q, (const unsigned char *)der.data + der.len);	/* DER, nothing after */
	assert_int_equal(OBJ_obj2nid(CMS_get0_eContentType(cms)), NID_pkcs7_data);
	assert_int_equal(sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)), 1);
	si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, NULL);
	assert_int_equal(OBJ_obj2nid(dig->algorithm), NID_sha256);
	assert_int_equal(CMS_signed_get_attr_count(si), 3);	/* contentType, signingTime, messageDigest */
	assert_true((idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1)) >= 0);
	assert_int_equal(ASN1_TIME_diff(&day, &sec, NULL,
	    X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(si, idx), 0)->value.utctime), 1);
	assert_int_equal(day, 0);
	assert_true(sec <= 0 && sec > -60);
	certs = CMS_get1_certs(cms);
	assert_int_equal(sk_X509_num(certs), 1);		/* the hub certificate */
	sk_X509_pop_free(certs, X509_free);
	CMS_ContentInfo_free(cms);
	buf_free(&der);
	buf_free(&back);
	(void)pem;
}

/* RSA and P-256 hub keys, contents whose DER lengths take 1 to 4 bytes. */
static void test_seal_shapes_verify_with_openssl_cli(void **state)
{
	struct fixture *f = *state;
	static const size_t sizes[] = {0, 1, 100, 127, 128, 255, 256, 65535, 65536, 3 << 20};
	static const struct mint m = {"ENTRUSTHUB", -60, 86400, KU, "emailProtection", 0};
	EVP_PKEY *ek = EVP_EC_gen("P-256");
	X509 *ex = mint_cert(&m, ek, f->ca_cert, f->ca_key);
	struct envelope_keys *ec = as_keys(f, "hub-ec", ex, ek);
	char *data = malloc(3 << 20), stem[32];
	size_t i;

	for (i = 0; i < (size_t)(3 << 20); i++)
		data[i] = (char)("<X>委托\r\n\0"[i % 12]);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(stem, sizeof(stem), "rsa-%zu", sizes[i]);
		seal_check_cli(f, f->trust, stem, data, sizes[i]);
		snprintf(stem, sizeof(stem), "ec-%zu", sizes[i]);
		seal_check_cli(f, ec, stem, data, sizes[i]);
	}
	envelope_keys_free(ec);
	X509_free(ex);
	EVP_PKEY_free(ek);
	free(data);
}

/* A hub key of another type (RSA-PSS) is refused when the keys load: the
 * hub seals with RSA PKCS #1 v1.5 or ECDSA only. */
static void test_hub_key_other_type_refused(void **state)
{
	struct fixture *f = *state;
	EVP_PKEY_CTX *g = EVP_PKEY_CTX_new_from_name(NULL, "RSA-PSS", NULL);
	EVP_PKEY *k = NULL;
	X509 *x;
	char cp[PATH_MAX], kp[PATH_MAX], err[256];
	BIO *b;

	assert_non_null(g);
	assert_int_equal(EVP_PKEY_keygen_init(g), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_keygen_bits(g, 2048), 1);
	assert_int_equal(EVP_PKEY_keygen(g, &k), 1);
	EVP_PKEY_CTX_free(g);
	x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 4242);
	X509_set_subject_name(x, X509_get_subject_name(f->ca_cert));
	X509_set_issuer_name(x, X509_get_subject_name(f->ca_cert));
	X509_gmtime_adj(X509_getm_notBefore(x), -60);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, k);
	assert_true(X509_sign(x, f->ca_key, EVP_sha256()) > 0);
	b = BIO_new_file(tu_path(cp, "%s/pss.pem", f->dir), "w");
	assert_int_equal(PEM_write_bio_X509(b, x), 1);
	BIO_free(b);
	b = BIO_new_file(tu_path(kp, "%s/pss.key", f->dir), "w");
	assert_int_equal(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL), 1);
	BIO_free(b);
	assert_null(envelope_keys_load(f->ca, cp, kp, err, sizeof(err)));
	assert_non_null(strstr(err, "neither RSA nor EC"));
	X509_free(x);
	EVP_PKEY_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_R1_seal_and_open_binds_to_registry),
		cmocka_unit_test(test_R1_ec_party),
		cmocka_unit_test(test_open_openssl_cli_der_and_pem),
		cmocka_unit_test(test_seal_verifies_with_openssl_cli),
		cmocka_unit_test(test_seal_binary_content_round_trip),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_not_signed_data),
		cmocka_unit_test(test_detached),
		cmocka_unit_test(test_R1_signer_count),
		cmocka_unit_test(test_R1_tampered),
		cmocka_unit_test(test_R1_table_certificates),
		cmocka_unit_test(test_R1_foreign_root_in_envelope_not_trusted),
		cmocka_unit_test(test_R1_signature_checked_before_chain),
		cmocka_unit_test(test_trailing_bytes_refused),
		cmocka_unit_test(test_econtent_type_must_be_data),
		cmocka_unit_test(test_R1_digest_policy),
		cmocka_unit_test(test_R1_signing_time_window),
		cmocka_unit_test(test_R1_crl),
		cmocka_unit_test(test_keys_load_errors),
		cmocka_unit_test(test_sha256_hex),
		cmocka_unit_test(test_R1_cached_certificates_keyed_by_der),
		cmocka_unit_test(test_R1_intermediate_in_envelope),
		cmocka_unit_test(test_open_ber_indefinite_length),
		cmocka_unit_test(test_seal_shapes_verify_with_openssl_cli),
		cmocka_unit_test(test_hub_key_other_type_refused),
	};

	return cmocka_run_group_tests_name("envelope", tests, group_setup, group_teardown);
}
