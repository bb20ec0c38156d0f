/* envelope — CMS SignedData: open (verify) inbound envelopes, seal (sign)
 * outbound ones.  The only module that touches the hub's private key.
 * Opening checks, in order: DER/PEM CMS with nothing after it, SignedData,
 * attached content, exactly one signer, eContentType id-data, SHA-256/384/512
 * digests, the signature over the content, then the signer certificate's chain
 * to the trust store with purpose smimesign at the current time, at security
 * level 2, against the CRLs when configured, and last the signingTime
 * attribute (when present) within the window around now (R1).  Binding the certificate to a party is registry's job.
 * Failure contract: envelope_open returns a reason (R_NONE on success) with a
 * one-line detail; keys that cannot be loaded make envelope_keys_load
 * return NULL with err filled. */
#ifndef ENVELOPE_H
#define ENVELOPE_H
#include <stddef.h>
#include "buf.h"
#include "reason.h"

struct envelope_keys;

struct envelope_signer {
	char	fingerprint[65];	/* SHA-256 of the certificate DER, lowercase hex */
	char	subject[256];
};

struct envelope_keys *envelope_keys_load(const char *trust_ca, const char *cert,
    const char *key, char *err, size_t errlen);
void envelope_keys_free(struct envelope_keys *k);
/* Revocation lists (crl_file: PEM; NULL or "" for none) and the signingTime window;
 * without this call: no CRL and the default window.  -1 with err if no CRL loads. */
#define ENVELOPE_AHEAD_S	3600L
#define ENVELOPE_BEHIND_S	2592000L
int envelope_keys_policy(struct envelope_keys *k, const char *crl_file, long ahead_s,
    long behind_s, char *err, size_t errlen);

enum reason envelope_open(const struct envelope_keys *k, const void *data, size_t len,
    struct buf *content, struct envelope_signer *signer, char *detail, size_t dlen);
int envelope_seal(const struct envelope_keys *k, const void *data, size_t len, struct buf *der);
void envelope_sha256_hex(const void *data, size_t len, char out[65]);
#endif
