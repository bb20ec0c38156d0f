/* hub — open, reload and close the pipeline's parts. */
#include "hub.h"
#include "envelope.h"
#include "registry.h"
#include "store.h"
#include "xmlin.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The parts a reload replaces: keys, registry, schema. */
static int hub_load_parts(const struct conf *c, struct envelope_keys **keys,
    struct registry **reg, struct xmlin **x, char *err, size_t errlen)
{
	char xsd[PATH_MAX];

	*keys = NULL;
	*reg = NULL;
	*x = NULL;
	if ((*keys = envelope_keys_load(c->trust_ca, c->hub_cert, c->hub_key, err, errlen)) == NULL)
		return -1;
	if ((*reg = registry_load(c->registry, err, errlen)) == NULL)
		return -1;
	if (snprintf(xsd, sizeof(xsd), "%s/entrust.xsd", c->xsd_dir) >= (int)sizeof(xsd)) {
		snprintf(err, errlen, "xsd_dir too long");
		return -1;
	}
	if ((*x = xmlin_load(xsd, err, errlen)) == NULL)
		return -1;
	return 0;
}

static void hub_free_parts(struct envelope_keys *keys, struct registry *reg, struct xmlin *x)
{
	envelope_keys_free(keys);
	registry_free(reg);
	xmlin_free(x);
}

int hub_open(struct hub *h, const char *conf_path, int with_store, char *err, size_t errlen)
{
	memset(h, 0, sizeof(*h));
	if (conf_load(conf_path, &h->conf, err, errlen) < 0)
		return -1;
	if (spool_init(&h->spool, h->conf.spool_dir) < 0) {
		snprintf(err, errlen, "%s: cannot create spool folders 无法创建投递目录: %s",
		    h->conf.spool_dir, strerror(errno));
		return -1;
	}
	if (hub_load_parts(&h->conf, &h->keys, &h->registry, &h->xmlin, err, errlen) < 0) {
		hub_close(h);
		return -1;
	}
	if (with_store && (h->store = store_open(h->conf.store_dir, err, errlen)) == NULL) {
		hub_close(h);
		return -1;
	}
	return 0;
}

int hub_reload(struct hub *h, const char *conf_path, char *err, size_t errlen)
{
	struct envelope_keys *keys;
	struct registry *reg;
	struct xmlin *x;
	struct conf c;

	if (conf_load(conf_path, &c, err, errlen) < 0)
		return -1;
	if (strcmp(c.spool_dir, h->conf.spool_dir) != 0 || strcmp(c.store_dir, h->conf.store_dir) != 0) {
		snprintf(err, errlen, "spool_dir and store_dir change only with a restart 目录变更需要重启");
		return -1;
	}
	if (hub_load_parts(&c, &keys, &reg, &x, err, errlen) < 0) {
		hub_free_parts(keys, reg, x);
		return -1;
	}
	hub_free_parts(h->keys, h->registry, h->xmlin);
	h->keys = keys;
	h->registry = reg;
	h->xmlin = x;
	h->conf = c;
	return 0;
}

void hub_close(struct hub *h)
{
	hub_free_parts(h->keys, h->registry, h->xmlin);
	store_close(h->store);
	memset(h, 0, sizeof(*h));
}
