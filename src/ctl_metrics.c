/* ctl_metrics — print the metrics file, or measure the disk gauges now. */
#include "ctl_metrics.h"
#include "metrics.h"
#include "metrics_scan.h"
#include "registry.h"
#include "safeio.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int ctl_metrics(struct ctl *c)
{
	char path[PATH_MAX], err[1024];
	struct registry *r;
	struct buf text;
	FILE *fp;
	size_t n;

	if (metrics_scan_path(&c->conf, path) < 0)
		return ctl_fail(CTL_STORE, "%s: spool_dir too long", c->conf.spool_dir);
	if ((fp = fopen(path, "re")) != NULL) {
		buf_init(&text);
		while ((n = fread(err, 1, sizeof(err), fp)) > 0)
			buf_add(&text, err, n);
		fclose(fp);
		if (ctl_daemon_pid(&c->conf) == 0)
			buf_adds(&c->out, "# entrustd is not running: the counters are those of its last run\n");
		buf_add(&c->out, text.data, text.len);
		buf_free(&text);
		return CTL_OK;
	}
	if (errno != ENOENT)
		return ctl_fail(CTL_STORE, "%s: %s", path, strerror(errno));
	if ((r = registry_load(c->conf.registry, err, sizeof(err))) == NULL)
		return ctl_fail(CTL_STORE, "%s", err);
	metrics_scan(&c->conf, r, time(NULL));
	metrics_scan_done();
	registry_free(r);
	buf_printf(&c->out, "# no %s yet (entrustd has not run): disk gauges measured now\n", path);
	metrics_render(&c->out);
	return CTL_OK;
}
