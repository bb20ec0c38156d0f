/* fuzz_envelope — libFuzzer harness for envelope_open (src/envelope.c): the
 * unwrap-and-verify path every inbound file takes (DER/PEM CMS parse, content
 * type, detached, signer count, signature, chain to the trust store).
 * The trust store and hub keys are the fixed test PKI in tests/fuzz/pki/
 * (FUZZ_PKI overrides), so the seed corpus verifies all the way through.
 * Built by tests/fuzz/fuzz.mk with -fsanitize=fuzzer,address,undefined. */
#include "envelope.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_PKI_DEFAULT
#define FUZZ_PKI_DEFAULT "tests/fuzz/pki"
#endif

static struct envelope_keys *keys;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("FUZZ_PKI") ? getenv("FUZZ_PKI") : FUZZ_PKI_DEFAULT;
	char ca[1024], cert[1024], key[1024], err[256];

	(void)argc;
	(void)argv;
	snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
	snprintf(cert, sizeof(cert), "%s/hub.pem", dir);
	snprintf(key, sizeof(key), "%s/hub.key", dir);
	if ((keys = envelope_keys_load(ca, cert, key, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fuzz_envelope: %s\n", err);
		abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct envelope_signer signer;
	struct buf content;
	char detail[512];
	enum reason r;

	buf_init(&content);
	r = envelope_open(keys, data, size, &content, &signer, detail, sizeof(detail));
	/* What the pipeline relies on: a NUL-terminated detail, and on success a
	 * 64-hex-digit fingerprint and content it may hand to the XML parser. */
	if (memchr(detail, '\0', sizeof(detail)) == NULL)
		abort();
	if ((int)r == 0 && (strlen(signer.fingerprint) != 64 || strspn(signer.fingerprint, "0123456789abcdef") != 64))
		abort();
	buf_free(&content);
	return 0;
}
