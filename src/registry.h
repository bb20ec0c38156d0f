/* registry — registered parties and the certificates bound to them (R1).
 * Loaded from a text file, one binding per line:
 *   <code> <role> <sha256-hex> [credit=<credit code>] [until=<yyyy-mm-ddThh:mm:ssZ>]
 *       [notices=bundle|single] <name…>
 * The key=value tokens before the name are optional (files without them load
 * as before; a name cannot begin with "credit=", "until=" or "notices="):
 *   credit=  the party's 18-character unified social credit code
 *            (统一社会信用代码, checked per GB 32100: credit_code_ok);
 *   until=   the end of this binding (UTC), set for a certificate roll-over
 *            overlap: from then on, by the processing clock (clock_now), the
 *            certificate no longer speaks for the party (R1: SIGNER_UNBOUND);
 *   notices= bundle: the party takes the notices of one processing batch
 *            in one signed file (root Notices, issue #7); single (the
 *            default): a file per notice (R26).
 * Failure contract: registry_load returns NULL and writes "file:line: why"
 * into err; lookups never fail, they answer with a count or NULL. */
#ifndef REGISTRY_H
#define REGISTRY_H
#include <stddef.h>
#include <time.h>
#include "buf.h"

enum role { ROLE_CONSIGNOR, ROLE_BROKER, ROLE_ASSOCIATION, ROLE_CUSTOMS, ROLE_OPERATOR, ROLE_COUNT };

struct party {
	char		code[11];
	enum role	role;
	char		fingerprint[65];	/* SHA-256 of the certificate DER, lowercase hex */
	char		name[256];
	char		credit[19];		/* unified social credit code; "" if not given */
	time_t		until;			/* end of the binding; 0: open-ended */
	int		bundle_notices;		/* notices=bundle on this line */
};

struct registry;

struct registry *registry_load(const char *path, char *err, size_t errlen);
void registry_free(struct registry *r);
/* Parties bound to the fingerprint now (clock_now); *found is the first. R1 wants exactly one. */
int registry_by_fingerprint(const struct registry *r, const char *fpr, const struct party **found);
/* The same at time now: a binding whose until is at or before now does not count (R1). */
int registry_bound_at(const struct registry *r, const char *fpr, time_t now, const struct party **found);
/* The latest end of fpr's bindings that had ended by now, or 0 if none had: the
 * "binding ended at T" of a refusal (R1). */
time_t registry_ended(const struct registry *r, const char *fpr, time_t now);
const struct party *registry_by_code(const struct registry *r, const char *code, enum role role);
/* The party takes its notices in bundles: notices=bundle on any of its lines. */
int registry_bundles_notices(const struct registry *r, const char *code);
size_t registry_count(const struct registry *r);
/* The i-th party, or NULL past the end (for iteration). */
const struct party *registry_at(const struct registry *r, size_t i);
const char *role_name(enum role role);
int role_parse(const char *s, enum role *role);
/* Parse one line (modified) into p: 0, 1 for a blank or comment line, -1 with *why. */
int registry_parse(char *line, struct party *p, const char **why);
/* The line for p, as registry_parse reads it, with its '\n', appended to out. */
void registry_format(const struct party *p, struct buf *out);
/* t as until= writes it ("2026-12-03T10:00:00Z") into out; "" for 0. */
void registry_time(char out[32], time_t t);
#endif
