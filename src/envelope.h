/* envelope — CMS SignedData: open (verify) inbound envelopes, seal (sign)
 * outbound ones.  The only module that touches the hub's private key.
 * Opening checks, in order: DER/PEM CMS, SignedData, attached content,
 * exactly one signer, the signature over the content, then the signer
 * certificate's chain to the trust store with purpose smimesign at the
 * current time (R1).  Binding the certificate to a party is registry's job.
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

enum reason envelope_open(const struct envelope_keys *k, const void *data, size_t len,
    struct buf *content, struct envelope_signer *signer, char *detail, size_t dlen);
int envelope_seal(const struct envelope_keys *k, const void *data, size_t len, struct buf *der);
void envelope_sha256_hex(const void *data, size_t len, char out[65]);
#endif
