/* ctl_party — parties and their certificates (R1) from the console:
 * party list|show|add|retire and certs expiring.
 * The registry file named in the configuration is edited atomically (temp
 * + fsync + rename + folder fsync, safeio) and checked by registry_load
 * before the running daemon is told with SIGHUP.  A certificate added is
 * kept as <registry folder>/certs/<fingerprint>.pem so that its expiry can
 * be watched.  Two fingerprints for one code may coexist: that is the
 * overlap of a certificate roll-over (add the new, later retire the old).
 * Failure contract: CTL_USAGE for a bad code, role, name or certificate
 * (one that does not chain to trust_ca for signing, or is bound to another
 * party already); CTL_NOTFOUND for an unknown party or binding; CTL_STORE
 * when the registry cannot be read or written. */
#ifndef CTL_PARTY_H
#define CTL_PARTY_H
#include <stddef.h>
#include "ctl_out.h"

int ctl_party_list(struct ctl *c);
int ctl_party_show(struct ctl *c);
int ctl_party_add(struct ctl *c);
int ctl_party_retire(struct ctl *c);
int ctl_certs_expiring(struct ctl *c);
struct x509_st;
/* A certificate's subject as readable UTF-8 ("O=…, CN=…"), not \\x-escaped. */
void ctl_party_subject(struct x509_st *x, char *out, size_t n);
/* The registry text without the lines binding fpr to code; *removed counts them. */
void ctl_party_without(const char *text, const char *code, const char *fpr, struct buf *out, int *removed);
#endif
