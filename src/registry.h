/* registry — registered parties and the certificates bound to them (R1).
 * Loaded from a text file: "<code> <role> <sha256-hex> <name…>" per line.
 * Failure contract: registry_load returns NULL and writes "file:line: why"
 * into err; lookups never fail, they answer with a count or NULL. */
#ifndef REGISTRY_H
#define REGISTRY_H
#include <stddef.h>

enum role { ROLE_CONSIGNOR, ROLE_BROKER, ROLE_ASSOCIATION, ROLE_CUSTOMS, ROLE_OPERATOR, ROLE_COUNT };

struct party {
	char		code[11];
	enum role	role;
	char		fingerprint[65];	/* SHA-256 of the certificate DER, lowercase hex */
	char		name[256];
};

struct registry;

struct registry *registry_load(const char *path, char *err, size_t errlen);
void registry_free(struct registry *r);
/* Parties bound to the fingerprint; *found is the first. R1 wants exactly one. */
int registry_by_fingerprint(const struct registry *r, const char *fpr, const struct party **found);
const struct party *registry_by_code(const struct registry *r, const char *code, enum role role);
size_t registry_count(const struct registry *r);
/* The i-th party, or NULL past the end (for iteration). */
const struct party *registry_at(const struct registry *r, size_t i);
const char *role_name(enum role role);
int role_parse(const char *s, enum role *role);
#endif
