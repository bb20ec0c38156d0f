/* route — where each party's outbound files go: the routes file, one line
 * per party (format in deliver.h):
 *   <code> local
 *   <code> sftp://user@host[:port]/path  key=FILE [pubkey=FILE] known_hosts=FILE
 *   <code> https://host[:port]/path      ca=FILE [cert=FILE key=FILE] [method=PUT|POST]
 * and on sftp and https lines [parallel=N]: at most N transfers at a time on
 * that route (1..ROUTE_PARALLEL_MAX; default the global delivery_parallel).
 * The file is configuration written by people and checked as hostile input:
 * every URL part and option is validated, files named by options must be
 * readable regular files (private keys not readable by others).
 * Failure contract: route_load returns -1 and writes "file:line: why" (in
 * English and Chinese) into err; nothing else fails. */
#ifndef ROUTE_H
#define ROUTE_H
#include <limits.h>
#include <stddef.h>

#define ROUTE_PATH_MAX	1024		/* remote folder */
#define ROUTE_URL_MAX	(ROUTE_PATH_MAX + 400)
#define ROUTE_PARALLEL_MAX 16		/* as delivery_parallel's bound in conf.c */

enum route_kind { ROUTE_LOCAL, ROUTE_SFTP, ROUTE_HTTPS };
enum route_method { ROUTE_PUT, ROUTE_POST };

struct route {
	char		  code[11];
	enum route_kind	  kind;
	int		  line;			/* in the routes file, for messages */
	char		  url[ROUTE_URL_MAX];	/* scheme://[user@]host:port/path, no trailing '/' */
	char		  user[65];		/* sftp only */
	char		  host[256];		/* as in the URL ("[::1]" for IPv6) */
	int		  port;
	char		  path[ROUTE_PATH_MAX];	/* "/dir/sub" or "" for the root; no trailing '/' */
	char		  key[PATH_MAX];	/* sftp: SSH private key; https: client key */
	char		  pubkey[PATH_MAX];	/* sftp, optional (else derived from key) */
	char		  known_hosts[PATH_MAX];/* sftp */
	char		  ca[PATH_MAX];		/* https: the only CA the server may chain to */
	char		  cert[PATH_MAX];	/* https, optional client certificate */
	enum route_method method;		/* https */
	int		  parallel;		/* parallel=N, 1..ROUTE_PARALLEL_MAX; 0: not given */
};

struct routes {
	struct route	*v;
	size_t		 n;
};

/* Parse and check the routes file at path into out (empty on error). */
int route_load(const char *path, struct routes *out, char *err, size_t errlen);
void route_free(struct routes *r);
/* The route for a party code, or NULL (the party is local). */
const struct route *route_find(const struct routes *r, const char *code);
const char *route_kind_name(enum route_kind kind);
/* The route's limit of concurrent transfers: its parallel=N, else dflt. */
long route_parallel(const struct route *r, long dflt);
#endif
