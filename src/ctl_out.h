/* ctl_out — what every verb of the operator's console (entrustctl) shares:
 * the parsed command line, the configuration, the output (human text with
 * bilingual labels, or JSON for scripts), the store opened on demand, and
 * the daemon's process id.
 * Exit codes, the same for every verb: 0 ok, 1 not found, 2 usage,
 * 3 configuration or store error (CTL_OK … CTL_STORE).
 * Failure contract: ctl_fail prints "entrustctl: why" on stderr and returns
 * the exit code; ctl_store returns NULL after printing why. */
#ifndef CTL_OUT_H
#define CTL_OUT_H
#include <stdint.h>
#include <sys/types.h>
#include "buf.h"
#include "conf.h"
#include "json.h"

enum { CTL_OK = 0, CTL_NOTFOUND = 1, CTL_USAGE = 2, CTL_STORE = 3 };

#define CTL_MAX_ARGS 8
#define CTL_MAX_OPTS 16

struct ctl_opt {
	const char	*name;		/* without the leading "--" ("o" for -o) */
	const char	*value;		/* NULL for a flag */
};

struct ctl {
	struct conf	 conf;
	const char	*conf_path;
	int		 as_json;
	struct buf	 out;		/* written to stdout at the end */
	struct json	 j;
	const char	*args[CTL_MAX_ARGS];	/* positional arguments after the verb */
	int		 nargs;
	struct ctl_opt	 opts[CTL_MAX_OPTS];
	int		 nopts;
	struct store	*store;
};

/* The value of option name (NULL if absent; "" for a flag given). */
const char *ctl_opt(const struct ctl *c, const char *name);
int ctl_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The store, opened on first use and closed by the caller of the verb. */
struct store *ctl_store(struct ctl *c);
/* A text member: "key": v in JSON, "label  v" as a line (skipped when empty). */
void ctl_kv(struct ctl *c, const char *key, const char *label, const char *v);
void ctl_kint(struct ctl *c, const char *key, const char *label, int64_t v);
void ctl_kbool(struct ctl *c, const char *key, const char *label, int v);
/* A time as ISO 8601 UTC ("-" for 0). */
void ctl_time(char out[32], int64_t t);
/* Parse "yyyy-mm-dd[Thh:mm[:ss]][Z]" (UTC) or a relative "30m", "2h", "7d" before now. */
int ctl_parse_since(const char *s, time_t now, time_t *t);
/* The pid of the entrustd holding the store lock, or 0 if none (from /proc/locks). */
pid_t ctl_daemon_pid(const struct conf *c);
/* The folder of path (".", if none) into out of PATH_MAX bytes. */
void ctl_dirname(char *out, const char *path);
#endif
