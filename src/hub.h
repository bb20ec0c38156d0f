/* hub — everything the pipeline needs, opened together from one config:
 * spool folders, store, trust store and hub key, registry, compiled schema,
 * code tables.
 * Failure contract: hub_open returns -1 with a one-line reason in err (the
 * daemon exits 1); hub_reload keeps the old parts if a new one fails. */
#ifndef HUB_H
#define HUB_H
#include <stddef.h>
#include "conf.h"
#include "spool.h"

struct hub {
	struct conf		 conf;
	struct spool		 spool;
	struct registry		*registry;
	struct envelope_keys	*keys;
	struct xmlin		*xmlin;
	struct codes		*codes;
	struct exporter		*exporter;
	struct store		*store;
	struct pool		*pool;		/* CPU stages of the pipeline; NULL: serial */
	struct sealer		*sealer;	/* answers signed during apply; NULL: none */
};

int hub_open(struct hub *h, const char *conf_path, int with_store, char *err, size_t errlen);
int hub_reload(struct hub *h, const char *conf_path, char *err, size_t errlen);
void hub_close(struct hub *h);
#endif
