/* envelope — CMS SignedData verify and sign with OpenSSL 3. */
#include "envelope.h"
#include "xmem.h"
#include <openssl/pem.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* The certificates envelopes carry, each decoded once (issue #7): OpenSSL 3.0
 * takes 0.14 ms to decode an RSA certificate, eight times the RSA verify, and
 * partners sign with few certificates.  Keyed by the SHA-256 of the DER as
 * sent; a certificate from here is still checked in full (chain, purpose,
 * validity, CRL) in every envelope.  Full, the oldest entry makes room. */
#define ENVELOPE_CACHED	256
struct envelope_cache {
	pthread_mutex_t	 lock;
	struct {
		unsigned char	 sha[32];
		X509		*x;
	}		 slot[ENVELOPE_CACHED];
	size_t		 used, next;	/* next: the slot replaced when full */
};

struct envelope_keys {
	X509_STORE		*store;
	X509			*cert;
	EVP_PKEY		*key;
	long			 ahead_s, behind_s;	/* signingTime window around now */
	struct envelope_cache	*cache;
	struct buf		 seal_cert, seal_sid;	/* DER: the hub certificate; issuer + serial */
	const unsigned char	*seal_alg;	/* its signature algorithm */
	size_t			 seal_alg_len;
};

static int envelope_seal_prepare(struct envelope_keys *k);

/* Digests a signer may use (R1): SHA-2 of 256 bits or more.  MD5, SHA-1 and
 * SHA-224 are refused (SIG_ALGORITHM) even where OpenSSL would verify them. */
static int envelope_digest_ok(int nid)
{
	return nid == NID_sha256 || nid == NID_sha384 || nid == NID_sha512;
}

static void envelope_errstr(char *detail, size_t dlen)
{
	unsigned long e = ERR_peek_last_error();

	if (dlen == 0)
		return;
	if (e)
		ERR_error_string_n(e, detail, dlen);
	else
		detail[0] = '\0';
	ERR_clear_error();
}

static X509 *envelope_read_cert(const char *path)
{
	BIO *b = BIO_new_file(path, "r");
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	return x;
}

static EVP_PKEY *envelope_read_key(const char *path)
{
	BIO *b = BIO_new_file(path, "r");
	EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	return k;
}

struct envelope_keys *envelope_keys_load(const char *trust_ca, const char *cert,
    const char *key, char *err, size_t errlen)
{
	struct envelope_keys *k = xcalloc(1, sizeof(*k));
	const char *what = NULL;

	k->cache = xcalloc(1, sizeof(*k->cache));
	pthread_mutex_init(&k->cache->lock, NULL);

	k->store = X509_STORE_new();
	if (k->store == NULL || X509_STORE_load_file(k->store, trust_ca) != 1)
		what = trust_ca;
	else if ((k->cert = envelope_read_cert(cert)) == NULL)
		what = cert;
	else if ((k->key = envelope_read_key(key)) == NULL)
		what = key;
	else if (X509_check_private_key(k->cert, k->key) != 1)
		what = "hub_key does not match hub_cert 私钥与证书不匹配";
	else if (envelope_seal_prepare(k) < 0)
		what = "hub_key is neither RSA nor EC 枢纽私钥须为 RSA 或 EC 密钥";
	if (what == NULL) {
		k->ahead_s = ENVELOPE_AHEAD_S;
		k->behind_s = ENVELOPE_BEHIND_S;
		return k;
	}
	snprintf(err, errlen, "cannot load 无法加载: %s", what);
	ERR_clear_error();
	envelope_keys_free(k);
	return NULL;
}

/* Only the CRLs of the file are taken: a certificate in it never becomes a trust anchor. */
static int envelope_load_crls(X509_STORE *store, const char *path)
{
	BIO *b = BIO_new_file(path, "r");
	STACK_OF(X509_INFO) *infos = b ? PEM_X509_INFO_read_bio(b, NULL, NULL, NULL) : NULL;
	int i, n = 0;

	for (i = 0; infos != NULL && i < sk_X509_INFO_num(infos); i++) {
		X509_INFO *xi = sk_X509_INFO_value(infos, i);

		if (xi->crl == NULL)
			continue;
		if (X509_STORE_add_crl(store, xi->crl) != 1) {
			n = 0;
			break;
		}
		n++;
	}
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	BIO_free(b);
	return n;
}

int envelope_keys_policy(struct envelope_keys *k, const char *crl_file, long ahead_s,
    long behind_s, char *err, size_t errlen)
{
	k->ahead_s = ahead_s;
	k->behind_s = behind_s;
	if (crl_file == NULL || crl_file[0] == '\0')
		return 0;
	if (envelope_load_crls(k->store, crl_file) == 0) {
		snprintf(err, errlen, "cannot load CRL 无法加载吊销列表: %s", crl_file);
		ERR_clear_error();
		return -1;
	}
	X509_STORE_set_flags(k->store, X509_V_FLAG_CRL_CHECK);
	return 0;
}

void envelope_keys_free(struct envelope_keys *k)
{
	size_t i;

	if (k == NULL)
		return;
	X509_STORE_free(k->store);
	X509_free(k->cert);
	EVP_PKEY_free(k->key);
	buf_free(&k->seal_cert);
	buf_free(&k->seal_sid);
	for (i = 0; i < k->cache->used; i++)
		X509_free(k->cache->slot[i].x);
	pthread_mutex_destroy(&k->cache->lock);
	free(k->cache);
	free(k);
}

void envelope_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1)
		panic("envelope: SHA-256 failed");
	for (i = 0; i < n && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[64] = '\0';
}

/* The certificate of this DER from the cache, decoded and added if new; a
 * reference for the caller, or NULL if it does not decode to exactly len bytes. */
static X509 *envelope_cert(struct envelope_cache *c, const unsigned char *der, size_t len)
{
	unsigned char sha[32];
	const unsigned char *p = der;
	X509 *x = NULL, *fresh;
	size_t i;

	if (EVP_Digest(der, len, sha, NULL, EVP_sha256(), NULL) != 1)
		panic("envelope: SHA-256 failed");
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < c->used && x == NULL; i++)
		if (memcmp(c->slot[i].sha, sha, sizeof(sha)) == 0 && X509_up_ref(c->slot[i].x) == 1)
			x = c->slot[i].x;
	pthread_mutex_unlock(&c->lock);
	if (x != NULL)
		return x;
	if ((fresh = d2i_X509(NULL, &p, (long)len)) == NULL || p != der + len) {
		X509_free(fresh);
		return NULL;
	}
	pthread_mutex_lock(&c->lock);
	if (c->used < ENVELOPE_CACHED)
		i = c->used++;
	else {
		i = c->next;
		c->next = (c->next + 1) % ENVELOPE_CACHED;
		X509_free(c->slot[i].x);	/* envelopes being opened hold their own references */
	}
	memcpy(c->slot[i].sha, sha, sizeof(sha));
	c->slot[i].x = fresh;
	X509_up_ref(fresh);
	pthread_mutex_unlock(&c->lock);
	return fresh;
}

/* One DER element (low tag number, definite length) at p, within end. */
struct der_tlv {
	unsigned		 tag;
	const unsigned char	*start, *body, *end;
};

static int der_read(const unsigned char *p, const unsigned char *end, struct der_tlv *t)
{
	size_t len = 0, n, i;

	if (end - p < 2 || (p[0] & 0x1f) == 0x1f)
		return -1;
	t->tag = p[0];
	t->start = p;
	if (p[1] < 0x80) {
		len = p[1];
		p += 2;
	} else {
		n = p[1] & 0x7f;	/* 0: indefinite length (BER), left to OpenSSL */
		if (n == 0 || n > 4 || (size_t)(end - p) < 2 + n)
			return -1;
		for (i = 0; i < n; i++)
			len = len << 8 | p[2 + i];
		p += 2 + n;
	}
	if (len > (size_t)(end - p))
		return -1;
	t->body = p;
	t->end = p + len;
	return 0;
}

static size_t der_header_len(size_t len)
{
	return len < 0x80 ? 2 : len <= 0xff ? 3 : len <= 0xffff ? 4 : len <= 0xffffff ? 5 : 6;
}

static void der_header(struct buf *b, unsigned tag, size_t len)
{
	unsigned char h[6];
	size_t n = der_header_len(len), i;

	h[0] = (unsigned char)tag;
	if (n == 2)
		h[1] = (unsigned char)len;
	else
		for (h[1] = (unsigned char)(0x80 | (n - 2)), i = 2; i < n; i++)
			h[i] = (unsigned char)(len >> (8 * (n - 1 - i)));
	buf_add(b, h, n);
}

/* ContentInfo { contentType, [0] SignedData { version, digestAlgorithms,
 * encapContentInfo, [0] certificates, [1] crls, signerInfos } }: the same
 * envelope without its certificates, for OpenSSL to parse, and those
 * certificates through the cache.  -1 (nothing made) where the DER has
 * another shape or no certificates: the general parser judges it then. */
static int envelope_split(struct envelope_cache *c, const unsigned char *der, size_t len,
    struct buf *bare, STACK_OF(X509) **certs)
{
	const unsigned char *end = der + len, *p;
	struct der_tlv ci, type, wrap, sd, field, set = {0, NULL, NULL, NULL}, cert;
	size_t sdlen, wraplen;
	X509 *x;

	if (der_read(der, end, &ci) < 0 || ci.tag != 0x30 || ci.end != end
	    || der_read(ci.body, end, &type) < 0 || type.tag != 0x06
	    || der_read(type.end, end, &wrap) < 0 || wrap.tag != 0xa0 || wrap.end != end
	    || der_read(wrap.body, end, &sd) < 0 || sd.tag != 0x30 || sd.end != end)
		return -1;
	for (p = sd.body; p < end; p = field.end)
		if (der_read(p, end, &field) < 0 || (field.tag == 0xa0 && set.start != NULL))
			return -1;
		else if (field.tag == 0xa0)
			set = field;
	if (set.start == NULL)
		return -1;
	*certs = sk_X509_new_null();
	for (p = set.body; *certs != NULL && p < set.end; p = cert.end)
		if (der_read(p, set.end, &cert) < 0 || cert.tag != 0x30
		    || (x = envelope_cert(c, cert.start, (size_t)(cert.end - cert.start))) == NULL) {
			sk_X509_pop_free(*certs, X509_free);
			*certs = NULL;
		} else if (sk_X509_push(*certs, x) <= 0)
			panic("envelope: out of memory");
	if (*certs == NULL)
		return -1;
	sdlen = (size_t)(set.start - sd.body) + (size_t)(end - set.end);
	wraplen = der_header_len(sdlen) + sdlen;
	buf_reset(bare);
	der_header(bare, 0x30, (size_t)(type.end - type.start) + der_header_len(wraplen) + wraplen);
	buf_add(bare, type.start, (size_t)(type.end - type.start));
	der_header(bare, 0xa0, wraplen);
	der_header(bare, 0x30, sdlen);
	buf_add(bare, sd.body, (size_t)(set.start - sd.body));
	buf_add(bare, set.end, (size_t)(end - set.end));
	return 0;
}

/* DER, or one PEM block; nothing may follow the envelope but (PEM) white space:
 * bytes after it would be archived as if they had been signed. */
static CMS_ContentInfo *envelope_parse_any(const void *data, size_t len, char *detail, size_t dlen)
{
	static const char pem[] = "-----BEGIN ";
	const unsigned char *p = data;
	CMS_ContentInfo *cms;
	BIO *in;
	char *rest;
	long n;

	if (!(len > sizeof(pem) && memcmp(data, pem, sizeof(pem) - 1) == 0)) {
		if ((cms = d2i_CMS_ContentInfo(NULL, &p, (long)len)) != NULL
		    && p != (const unsigned char *)data + len) {
			snprintf(detail, dlen, "%zu bytes after the DER envelope",
			    len - (size_t)(p - (const unsigned char *)data));
			CMS_ContentInfo_free(cms);
			return NULL;
		}
		return cms;
	}
	if ((in = BIO_new_mem_buf(data, (int)len)) == NULL)
		return NULL;
	cms = PEM_read_bio_CMS(in, NULL, NULL, NULL);
	for (n = cms ? BIO_get_mem_data(in, &rest) : 0; n > 0; n--, rest++)
		if (*rest != ' ' && *rest != '\t' && *rest != '\r' && *rest != '\n') {
			snprintf(detail, dlen, "%ld bytes after the PEM envelope", n);
			CMS_ContentInfo_free(cms);
			cms = NULL;
			break;
		}
	BIO_free(in);
	return cms;
}

/* The envelope and the certificates it carries (*certs, the caller's to
 * free): the usual DER shape without decoding a known certificate again,
 * anything else through OpenSSL alone. */
static CMS_ContentInfo *envelope_parse(const struct envelope_keys *k, const void *data, size_t len,
    STACK_OF(X509) **certs, char *detail, size_t dlen)
{
	CMS_ContentInfo *cms = NULL;
	const unsigned char *p;
	struct buf bare;

	*certs = NULL;
	if (len > LONG_MAX || len > INT_MAX)
		return NULL;
	buf_init(&bare);
	if (envelope_split(k->cache, data, len, &bare, certs) == 0) {
		p = (const unsigned char *)bare.data;
		if ((cms = d2i_CMS_ContentInfo(NULL, &p, (long)bare.len)) == NULL
		    || p != (const unsigned char *)bare.data + bare.len) {
			CMS_ContentInfo_free(cms);	/* let the general parser say why */
			cms = NULL;
			sk_X509_pop_free(*certs, X509_free);
			*certs = NULL;
			ERR_clear_error();
		}
	}
	buf_free(&bare);
	if (cms == NULL && (cms = envelope_parse_any(data, len, detail, dlen)) != NULL)
		*certs = CMS_get1_certs(cms);
	return cms;
}

static enum reason envelope_cert_reason(int err)
{
	switch (err) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return R_CERT_EXPIRED;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return R_CERT_NOT_YET_VALID;
	case X509_V_ERR_INVALID_PURPOSE:
		return R_CERT_PURPOSE;
	case X509_V_ERR_CERT_REVOKED:
		return R_CERT_REVOKED;
	case X509_V_ERR_CA_MD_TOO_WEAK:
		return R_SIG_ALGORITHM;
	default:
		return R_CERT_UNTRUSTED;
	}
}

/* Chain the signer to the trust store, for signing, at the current time. */
static enum reason envelope_chain(const struct envelope_keys *k, STACK_OF(X509) *untrusted,
    X509 *signer, char *detail, size_t dlen)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	enum reason r = R_NONE;
	int err;

	if (ctx == NULL || X509_STORE_CTX_init(ctx, k->store, signer, untrusted) != 1)
		panic("envelope: cannot set up certificate verification");
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SMIME_SIGN);
	/* 112-bit security: RSA and DSA keys of 2048 bits or more, no SHA-1 certificates. */
	X509_VERIFY_PARAM_set_auth_level(X509_STORE_CTX_get0_param(ctx), 2);
	if (X509_verify_cert(ctx) != 1) {
		err = X509_STORE_CTX_get_error(ctx);
		r = envelope_cert_reason(err);
		snprintf(detail, dlen, "%s", X509_verify_cert_error_string(err));
	}
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return r;
}

static void envelope_describe(X509 *x, struct envelope_signer *signer)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (X509_digest(x, EVP_sha256(), md, &n) != 1)
		panic("envelope: certificate digest failed");
	for (i = 0; i < n && i < 32; i++)
		snprintf(signer->fingerprint + 2 * i, 3, "%02x", md[i]);
	X509_NAME_oneline(X509_get_subject_name(x), signer->subject, sizeof(signer->subject));
}

/* Check the signature over the content and copy the content out. */
static enum reason envelope_signature(CMS_ContentInfo *cms, STACK_OF(X509) *certs, struct buf *content,
    char *detail, size_t dlen)
{
	BIO *out = BIO_new(BIO_s_mem());
	char *p;
	long n;

	if (out == NULL)
		panic("envelope: out of memory");
	if (CMS_verify(cms, certs, NULL, NULL, out, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) != 1) {
		envelope_errstr(detail, dlen);
		BIO_free(out);
		return R_SIG_INVALID;
	}
	n = BIO_get_mem_data(out, &p);
	buf_reset(content);
	buf_add(content, p, (size_t)n);
	BIO_free(out);
	return R_NONE;
}

/* The digest and signature algorithms of the one SignerInfo. */
static enum reason envelope_algorithms(CMS_SignerInfo *si, char *detail, size_t dlen)
{
	X509_ALGOR *dig = NULL, *sig = NULL;
	int dnid, snid, md = NID_undef, pk = NID_undef;

	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, &sig);
	dnid = dig ? OBJ_obj2nid(dig->algorithm) : NID_undef;
	if (!envelope_digest_ok(dnid)) {
		snprintf(detail, dlen, "digest %s", dnid != NID_undef ? OBJ_nid2sn(dnid) : "unknown");
		return R_SIG_ALGORITHM;
	}
	snid = sig ? OBJ_obj2nid(sig->algorithm) : NID_undef;
	if (snid == NID_undef || (OBJ_find_sigid_algs(snid, &md, &pk) == 1 && md != NID_undef
	    && !envelope_digest_ok(md))) {
		snprintf(detail, dlen, "signature algorithm %s", snid != NID_undef ? OBJ_nid2sn(snid) : "unknown");
		return R_SIG_ALGORITHM;
	}
	return R_NONE;
}

/* The signed signingTime attribute, when present, must be near now. */
static enum reason envelope_signing_time(const struct envelope_keys *k, CMS_SignerInfo *si,
    char *detail, size_t dlen)
{
	int idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1), day = 0, sec = 0;
	X509_ATTRIBUTE *a;
	ASN1_TYPE *t;
	long long diff;

	if (idx < 0)
		return R_NONE;
	a = CMS_signed_get_attr(si, idx);
	t = a && X509_ATTRIBUTE_count(a) == 1 ? X509_ATTRIBUTE_get0_type(a, 0) : NULL;
	if (t == NULL || CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, idx) >= 0
	    || (t->type != V_ASN1_UTCTIME && t->type != V_ASN1_GENERALIZEDTIME)
	    || ASN1_TIME_diff(&day, &sec, NULL, t->value.utctime) != 1) {
		snprintf(detail, dlen, "malformed signingTime");
		return R_SIG_TIME;
	}
	diff = (long long)day * 86400 + sec;	/* signingTime - now */
	if (diff > k->ahead_s || -diff > k->behind_s) {
		snprintf(detail, dlen, "signingTime %.*s is %lld s %s the hub's clock (allowed %ld)",
		    t->value.utctime->length, (const char *)t->value.utctime->data,
		    diff > 0 ? diff : -diff, diff > 0 ? "ahead of" : "behind",
		    diff > 0 ? k->ahead_s : k->behind_s);
		return R_SIG_TIME;
	}
	return R_NONE;
}

enum reason envelope_open(const struct envelope_keys *k, const void *data, size_t len,
    struct buf *content, struct envelope_signer *signer, char *detail, size_t dlen)
{
	CMS_ContentInfo *cms;
	STACK_OF(X509) *signers, *certs;
	enum reason r;

	detail[0] = '\0';
	memset(signer, 0, sizeof(*signer));
	if ((cms = envelope_parse(k, data, len, &certs, detail, dlen)) == NULL) {
		if (detail[0] == '\0')
			envelope_errstr(detail, dlen);
		ERR_clear_error();
		return R_ENV_UNREADABLE;
	}
	if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed)
		r = R_ENV_NOT_SIGNED;
	else if (CMS_is_detached(cms))
		r = R_ENV_DETACHED;
	else if (sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)) != 1)
		r = R_ENV_SIGNER_COUNT;
	else if (OBJ_obj2nid(CMS_get0_eContentType(cms)) != NID_pkcs7_data) {
		snprintf(detail, dlen, "eContentType %s, not id-data",
		    OBJ_nid2sn(OBJ_obj2nid(CMS_get0_eContentType(cms))));
		r = R_ENV_NOT_SIGNED;
	} else if ((r = envelope_algorithms(sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0),
	    detail, dlen)) != R_NONE)
		;
	else if ((r = envelope_signature(cms, certs, content, detail, dlen)) == R_NONE) {
		signers = CMS_get0_signers(cms);
		if (signers == NULL || sk_X509_num(signers) != 1)
			panic("envelope: verified envelope without its signer");
		envelope_describe(sk_X509_value(signers, 0), signer);
		r = envelope_chain(k, certs, sk_X509_value(signers, 0), detail, dlen);
		sk_X509_free(signers);
		if (r == R_NONE)
			r = envelope_signing_time(k, sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0),
			    detail, dlen);
	}
	CMS_ContentInfo_free(cms);
	sk_X509_pop_free(certs, X509_free);
	ERR_clear_error();
	return r;
}

/* ---- sealing: the SignedData the hub writes, encoded here (issue #7) ----
 * CMS_sign builds and re-encodes a whole ASN.1 tree per document: a third of
 * a P-256 seal and 8 % of an RSA-2048 one.  The hub's SignedData has one
 * fixed shape, so it is written directly: version 1, SHA-256, id-data
 * content attached, the hub certificate, one SignerInfo (issuer and serial
 * number) with the signed attributes contentType, signingTime and
 * messageDigest (RFC 5652; DER, the attributes in SET OF order).  The hub
 * key is RSA (PKCS #1 v1.5) or EC (ECDSA with SHA-256). */
static const unsigned char der_oid_signed_data[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02};
static const unsigned char der_oid_data[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01};
static const unsigned char der_alg_sha256[] = {0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01};
static const unsigned char der_alg_rsa[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
static const unsigned char der_alg_ecdsa_sha256[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
static const unsigned char der_version1[] = {0x02, 0x01, 0x01};
#define DER_ATTR_OID(last) 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, (last)
static const unsigned char der_attr_content_type[] = {0x30, 0x18, DER_ATTR_OID(0x03), 0x31, 0x0b,
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01};

static size_t der_tlv_len(size_t len)
{
	return der_header_len(len) + len;
}

/* What the hub's seals share: its certificate, its SignerInfo's sid and
 * algorithm; -1 for a key neither RSA nor EC. */
static int envelope_seal_prepare(struct envelope_keys *k)
{
	unsigned char *p = NULL;
	int n;

	if (EVP_PKEY_get_base_id(k->key) == EVP_PKEY_RSA)
		k->seal_alg = der_alg_rsa, k->seal_alg_len = sizeof(der_alg_rsa);
	else if (EVP_PKEY_get_base_id(k->key) == EVP_PKEY_EC)
		k->seal_alg = der_alg_ecdsa_sha256, k->seal_alg_len = sizeof(der_alg_ecdsa_sha256);
	else
		return -1;
	if ((n = i2d_X509(k->cert, &p)) <= 0)
		return -1;
	buf_add(&k->seal_cert, p, (size_t)n);
	OPENSSL_free(p);
	p = NULL;
	if ((n = i2d_X509_NAME(X509_get_issuer_name(k->cert), &p)) <= 0)
		return -1;
	buf_add(&k->seal_sid, p, (size_t)n);
	OPENSSL_free(p);
	p = NULL;
	if ((n = i2d_ASN1_INTEGER(X509_get_serialNumber(k->cert), &p)) <= 0)
		return -1;
	buf_add(&k->seal_sid, p, (size_t)n);
	OPENSSL_free(p);
	return 0;
}

/* The signed attributes' content: contentType, signingTime (now), messageDigest. */
static void envelope_seal_attrs(const void *data, size_t len, struct buf *attrs)
{
	static const unsigned char time_oid[] = {DER_ATTR_OID(0x05)}, digest_oid[] = {DER_ATTR_OID(0x04)};
	unsigned char md[32];
	char when[20];
	struct tm tm;
	time_t now = time(NULL);
	size_t tlen;
	int utc;

	if (EVP_Digest(data, len, md, NULL, EVP_sha256(), NULL) != 1)
		panic("envelope: SHA-256 failed");
	gmtime_r(&now, &tm);
	utc = tm.tm_year >= 50 && tm.tm_year < 150;	/* UTCTime for 1950..2049 (RFC 5280) */
	tlen = strftime(when, sizeof(when), utc ? "%y%m%d%H%M%SZ" : "%Y%m%d%H%M%SZ", &tm);
	buf_reset(attrs);
	buf_add(attrs, der_attr_content_type, sizeof(der_attr_content_type));
	der_header(attrs, 0x30, sizeof(time_oid) + der_tlv_len(der_tlv_len(tlen)));
	buf_add(attrs, time_oid, sizeof(time_oid));
	der_header(attrs, 0x31, der_tlv_len(tlen));
	der_header(attrs, utc ? 0x17 : 0x18, tlen);
	buf_add(attrs, when, tlen);
	der_header(attrs, 0x30, sizeof(digest_oid) + der_tlv_len(der_tlv_len(sizeof(md))));
	buf_add(attrs, digest_oid, sizeof(digest_oid));
	der_header(attrs, 0x31, der_tlv_len(sizeof(md)));
	der_header(attrs, 0x04, sizeof(md));
	buf_add(attrs, md, sizeof(md));
}

/* The signature over the attributes as a SET OF (the DER they are signed as). */
static int envelope_seal_sign(const struct envelope_keys *k, const struct buf *attrs, unsigned char *sig,
    size_t *slen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	struct buf set;
	int ok;

	buf_init(&set);
	der_header(&set, 0x31, attrs->len);
	buf_add(&set, attrs->data, attrs->len);
	ok = ctx != NULL && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k->key) == 1
	    && EVP_DigestSign(ctx, sig, slen, (const unsigned char *)set.data, set.len) == 1;
	EVP_MD_CTX_free(ctx);
	buf_free(&set);
	return ok ? 0 : -1;
}

/* ContentInfo { signedData, [0] SignedData }: the lengths first, then one pass. */
static void envelope_seal_write(const struct envelope_keys *k, const void *data, size_t len,
    const struct buf *attrs, const unsigned char *sig, size_t slen, struct buf *der)
{
	size_t econtent = der_tlv_len(der_tlv_len(len)), encap = sizeof(der_oid_data) + econtent;
	size_t si = sizeof(der_version1) + der_tlv_len(k->seal_sid.len) + sizeof(der_alg_sha256)
	    + der_tlv_len(attrs->len) + k->seal_alg_len + der_tlv_len(slen);
	size_t sd = sizeof(der_version1) + der_tlv_len(sizeof(der_alg_sha256)) + der_tlv_len(encap)
	    + der_tlv_len(k->seal_cert.len) + der_tlv_len(der_tlv_len(si));

	buf_reset(der);
	buf_reserve(der, der_tlv_len(sizeof(der_oid_signed_data) + der_tlv_len(der_tlv_len(sd))));
	der_header(der, 0x30, sizeof(der_oid_signed_data) + der_tlv_len(der_tlv_len(sd)));
	buf_add(der, der_oid_signed_data, sizeof(der_oid_signed_data));
	der_header(der, 0xa0, der_tlv_len(sd));
	der_header(der, 0x30, sd);
	buf_add(der, der_version1, sizeof(der_version1));
	der_header(der, 0x31, sizeof(der_alg_sha256));
	buf_add(der, der_alg_sha256, sizeof(der_alg_sha256));
	der_header(der, 0x30, encap);
	buf_add(der, der_oid_data, sizeof(der_oid_data));
	der_header(der, 0xa0, der_tlv_len(len));
	der_header(der, 0x04, len);
	buf_add(der, data, len);
	der_header(der, 0xa0, k->seal_cert.len);	/* certificates [0] IMPLICIT */
	buf_add(der, k->seal_cert.data, k->seal_cert.len);
	der_header(der, 0x31, der_tlv_len(si));
	der_header(der, 0x30, si);
	buf_add(der, der_version1, sizeof(der_version1));
	der_header(der, 0x30, k->seal_sid.len);
	buf_add(der, k->seal_sid.data, k->seal_sid.len);
	buf_add(der, der_alg_sha256, sizeof(der_alg_sha256));
	der_header(der, 0xa0, attrs->len);		/* signedAttrs [0] IMPLICIT */
	buf_add(der, attrs->data, attrs->len);
	buf_add(der, k->seal_alg, k->seal_alg_len);
	der_header(der, 0x04, slen);
	buf_add(der, sig, slen);
}

int envelope_seal(const struct envelope_keys *k, const void *data, size_t len, struct buf *der)
{
	unsigned char sig[1024];
	size_t slen = sizeof(sig);
	struct buf attrs;
	int rc;

	buf_init(&attrs);
	envelope_seal_attrs(data, len, &attrs);
	if ((rc = envelope_seal_sign(k, &attrs, sig, &slen)) == 0)
		envelope_seal_write(k, data, len, &attrs, sig, slen, der);
	buf_free(&attrs);
	ERR_clear_error();
	return rc;
}
