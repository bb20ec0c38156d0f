/* ctl_party — parties and their certificates (R1) from the console:
 * party list|show|add|retire and certs expiring.
 * The registry file named in the configuration is edited atomically (temp
 * + fsync + rename + folder fsync, safeio) and checked by registry_load
 * before the running daemon is told with SIGHUP.  A certificate added is
 * kept as <registry folder>/certs/<fingerprint>.pem so that its expiry can
 * be watched.  party add --credit records the party's unified social
 * credit code (GB 32100).  Two fingerprints for one code may coexist: that
 * is the overlap of a certificate roll-over.  It is bounded in time by
 * party add --overlap DAYS (the earlier bindings of the code and role end
 * DAYS from now) or party retire --after DAYS (that binding ends then); a
 * binding past its end is refused by the daemon (R1, SIGNER_UNBOUND) with
 * no reload needed.  Times are the processing clock (clock_now).
 * party add --notices bundle|single sets how the party's code takes its
 * notices (notices=bundle: one signed Notices file per processing batch)
 * on every line of the code, even for a certificate bound already; without
 * it a new line takes the code's setting (registry_bundles_notices), so a
 * roll-over keeps it.
 * Failure contract: CTL_USAGE for a bad code, role, name, credit code,
 * --notices value, number of days or certificate (one that does not chain to trust_ca for
 * signing, or is bound to another party already), or a credit code other
 * than the one the party has; CTL_NOTFOUND for an unknown party or binding;
 * CTL_STORE when the registry cannot be read or written. */
#ifndef CTL_PARTY_H
#define CTL_PARTY_H
#include <stddef.h>
#include <time.h>
#include "ctl_out.h"

int ctl_party_list(struct ctl *c);
int ctl_party_show(struct ctl *c);
int ctl_party_add(struct ctl *c);
int ctl_party_retire(struct ctl *c);
int ctl_certs_expiring(struct ctl *c);
struct x509_st;
/* A certificate's subject as readable UTF-8 ("O=…, CN=…"), not \\x-escaped. */
void ctl_party_subject(struct x509_st *x, char *out, size_t n);
/* Which registry lines ctl_party_end gives an end (until) to. */
struct ctl_binding_edit {
	const char	*code;
	int		 role;		/* enum role; -1: any */
	const char	*fpr;		/* NULL: any fingerprint */
	const char	*except;	/* NULL: none; else this fingerprint is left alone */
	time_t		 until;
	int		 shorten_only;	/* only lines open-ended or ending later than until */
};

/* The registry text with until set on the lines e matches (rewritten by
 * registry_format; all others byte for byte); *changed counts them. */
void ctl_party_end(const char *text, const struct ctl_binding_edit *e, struct buf *out, int *changed);
/* The registry text with notices=bundle (bundle 1) or without it (0) on every line
 * of code (rewritten by registry_format; all others byte for byte); *changed
 * counts the lines whose setting changed. */
void ctl_party_notices(const char *text, const char *code, int bundle, struct buf *out, int *changed);
/* The registry text without the lines binding fpr to code; *removed counts them. */
void ctl_party_without(const char *text, const char *code, const char *fpr, struct buf *out, int *removed);
#endif
