/* hub — open, reload and close the pipeline's parts. */
#include "hub.h"
#include "codes.h"
#include "envelope.h"
#include "export.h"
#include "pool.h"
#include "registry.h"
#include "sealer.h"
#include "store.h"
#include "xmlin.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The parts a reload replaces. */
struct hub_parts {
	struct envelope_keys	*keys;
	struct registry		*registry;
	struct xmlin		*xmlin;
	struct codes		*codes;
	struct exporter		*exporter;
};

static int hub_load_parts(const struct conf *c, struct hub_parts *p, char *err, size_t errlen)
{
	char xsd[PATH_MAX];

	memset(p, 0, sizeof(*p));
	if ((p->keys = envelope_keys_load(c->trust_ca, c->hub_cert, c->hub_key, err, errlen)) == NULL)
		return -1;
	if (envelope_keys_policy(p->keys, c->crl_file, c->signing_time_ahead_s, c->signing_time_behind_s,
	    err, errlen) < 0)
		return -1;
	if ((p->registry = registry_load(c->registry, err, errlen)) == NULL)
		return -1;
	if ((p->codes = codes_load(c->codes_dir, err, errlen)) == NULL)
		return -1;
	if (snprintf(xsd, sizeof(xsd), "%s/entrust.xsd", c->xsd_dir) >= (int)sizeof(xsd)) {
		snprintf(err, errlen, "xsd_dir too long");
		return -1;
	}
	if ((p->xmlin = xmlin_load(xsd, err, errlen)) == NULL)
		return -1;
	if ((p->exporter = export_load(c->xslt_dir, c->xsd_dir, err, errlen)) == NULL)
		return -1;
	return 0;
}

static void hub_free_parts(struct hub_parts *p)
{
	envelope_keys_free(p->keys);
	registry_free(p->registry);
	xmlin_free(p->xmlin);
	codes_free(p->codes);
	export_free(p->exporter);
}

static void hub_set_parts(struct hub *h, const struct hub_parts *p)
{
	h->keys = p->keys;
	h->registry = p->registry;
	h->xmlin = p->xmlin;
	h->codes = p->codes;
	h->exporter = p->exporter;
}

static void hub_get_parts(const struct hub *h, struct hub_parts *p)
{
	p->keys = h->keys;
	p->registry = h->registry;
	p->xmlin = h->xmlin;
	p->codes = h->codes;
	p->exporter = h->exporter;
}

int hub_open(struct hub *h, const char *conf_path, int with_store, char *err, size_t errlen)
{
	struct hub_parts p;

	memset(h, 0, sizeof(*h));
	if (conf_load(conf_path, &h->conf, err, errlen) < 0)
		return -1;
	if (spool_init(&h->spool, h->conf.spool_dir) < 0) {
		snprintf(err, errlen, "%s: cannot create spool folders 无法创建投递目录: %s",
		    h->conf.spool_dir, strerror(errno));
		return -1;
	}
	if (hub_load_parts(&h->conf, &p, err, errlen) < 0) {
		hub_free_parts(&p);
		return -1;
	}
	hub_set_parts(h, &p);
	if (with_store && (h->store = store_open(h->conf.store_dir, h->conf.store_cache_mib, err, errlen)) == NULL) {
		hub_close(h);
		return -1;
	}
	if (h->store)
		store_set_log_archive(h->store, h->conf.store_log_archive);
	if (with_store && sysconf(_SC_NPROCESSORS_ONLN) > 1) {	/* the caller is one worker too */
		h->pool = pool_new((int)sysconf(_SC_NPROCESSORS_ONLN) - 1);
		h->sealer = sealer_new((int)sysconf(_SC_NPROCESSORS_ONLN) - 1);
	}
	return 0;
}

int hub_reload(struct hub *h, const char *conf_path, char *err, size_t errlen)
{
	struct hub_parts p, old;
	struct conf c;

	if (conf_load(conf_path, &c, err, errlen) < 0)
		return -1;
	if (strcmp(c.spool_dir, h->conf.spool_dir) != 0 || strcmp(c.store_dir, h->conf.store_dir) != 0
	    || c.store_cache_mib != h->conf.store_cache_mib) {
		snprintf(err, errlen, "spool_dir, store_dir and store_cache_mib change only with a restart "
		    "目录与数据库缓存变更需要重启");
		return -1;
	}
	if (hub_load_parts(&c, &p, err, errlen) < 0) {
		hub_free_parts(&p);
		return -1;
	}
	hub_get_parts(h, &old);
	hub_free_parts(&old);
	hub_set_parts(h, &p);
	h->conf = c;
	if (h->store)
		store_set_log_archive(h->store, h->conf.store_log_archive);	/* takes effect on reload */
	return 0;
}

void hub_close(struct hub *h)
{
	struct hub_parts p;

	sealer_free(h->sealer);
	pool_free(h->pool);
	hub_get_parts(h, &p);
	hub_free_parts(&p);
	store_close(h->store);
	memset(h, 0, sizeof(*h));
}
