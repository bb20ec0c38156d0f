/* conf — the daemon's configuration: one table of parameters, each with a
 * name, a default and bounds (documented in conf/entrustd.conf).
 * Failure contract: conf_load returns -1 and writes "file:line: reason"
 * into err; the caller decides whether that is fatal. */
#ifndef CONF_H
#define CONF_H
#include <limits.h>
#include <stddef.h>

struct conf {
	char	spool_dir[PATH_MAX];
	char	store_dir[PATH_MAX];
	char	xsd_dir[PATH_MAX];
	char	trust_ca[PATH_MAX];
	char	crl_file[PATH_MAX];	/* PEM CRLs of the trust store's CAs; empty: no revocation check */
	char	hub_cert[PATH_MAX];
	char	hub_key[PATH_MAX];
	char	registry[PATH_MAX];
	char	codes_dir[PATH_MAX];
	char	routes[PATH_MAX];		/* delivery routes per party (deliver.h) */
	char	xslt_dir[PATH_MAX];
	char	log_file[PATH_MAX];	/* empty: <spool_dir>/log/entrustd.log */
	char	store_log_archive[PATH_MAX];	/* store log files no longer needed go here; empty: deleted */
	char	hub_code[11];
	char	customs_code[11];		/* receives the customs-format exports (R27) */
	long	settle_ms;
	long	rescan_s;
	long	max_envelope_bytes;
	long	batch_envelopes;		/* at most this many per transaction (group commit) */
	long	store_cache_mib;		/* Berkeley DB cache (store.h) */
	long	signing_time_ahead_s;		/* signingTime may be at most this far in the future */
	long	signing_time_behind_s;		/* ... and at most this far in the past */
	long	registration_validity_days;
	long	registration_warn_days;
	long	delivery_attempts;		/* then the file goes to dead/ */
	long	delivery_backoff_s;		/* first retry delay; doubles, with jitter */
	long	delivery_parallel;		/* concurrent transfers per route */
};

void conf_defaults(struct conf *c);
int conf_load(const char *path, struct conf *c, char *err, size_t errlen);
#ifndef ENTRUST_SYSCONF
#define ENTRUST_SYSCONF "/etc/entrust/entrustd.conf"	/* make install's SYSCONFDIR */
#endif
/* The file to read without -c: $ENTRUST_CONF, else conf/entrustd.conf when the
 * current directory is a source tree (make run), else the installed one. */
const char *conf_default_path(void);
#endif
