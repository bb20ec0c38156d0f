/* ctl_log — log filtering and the audit trail of an agreement. */
#include "ctl_log.h"
#include "entrust.h"
#include "store.h"
#include "xmem.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const levels[] = {"debug", "info", "warn", "error"};

struct log_filter {
	const char	*id, *agreement, *party;
	int		 level;
	time_t		 since;		/* 0: any */
	time_t		 until;		/* lines before it only; 0: any */
	struct buf	 envelopes;	/* ids from the audit trail, NUL-separated */
};

/* One log line split: "TIME LEVEL ID: TEXT". */
struct log_line {
	char		 time[32], level[8], id[64];
	const char	*text;
	time_t		 t;
};

static int level_of(const char *s)
{
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, levels[i]) == 0)
			return i;
	return -1;
}

static int log_split(const char *line, struct log_line *l)
{
	struct tm tm;
	int n = 0;

	memset(l, 0, sizeof(*l));
	if (sscanf(line, "%31s %7s %63[^:]: %n", l->time, l->level, l->id, &n) < 3 || n == 0)
		return -1;
	l->text = line + n;
	memset(&tm, 0, sizeof(tm));
	if (strptime(l->time, "%Y-%m-%dT%H:%M:%S", &tm) != NULL)
		l->t = timegm(&tm);
	return 0;
}

static int has_envelope(const struct buf *ids, const char *id)
{
	size_t off;

	for (off = 0; off < ids->len; off += strlen(ids->data + off) + 1)
		if (strcmp(ids->data + off, id) == 0)
			return 1;
	return 0;
}

static int log_match(const struct log_filter *f, const char *line, const struct log_line *l)
{
	if (f->id && strcmp(l->id, f->id) != 0)
		return 0;
	if (f->party && strstr(line, f->party) == NULL)
		return 0;
	if (f->level > 0 && level_of(l->level) < f->level)
		return 0;
	if (f->since && l->t < f->since)
		return 0;
	if (f->until && l->t >= f->until)
		return 0;
	if (f->agreement && strstr(line, f->agreement) == NULL && !has_envelope(&f->envelopes, l->id))
		return 0;
	return 1;
}

static void log_emit(struct ctl *c, const char *line, const struct log_line *l)
{
	if (!c->as_json) {
		buf_printf(&c->out, "%s\n", line);
		return;
	}
	json_open(&c->j, '{');
	json_kstr(&c->j, "time", l->time);
	json_kstr(&c->j, "level", l->level);
	json_kstr(&c->j, "id", l->id);
	json_kstr(&c->j, "text", l->text);
	json_close(&c->j, '}');
}

/* Matching lines of the log file into the output (a JSON array is open); -1 if unreadable. */
static int log_scan(struct ctl *c, const struct log_filter *f, int *count)
{
	struct log_line l;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *fp;

	if ((fp = fopen(c->conf.log_file, "re")) == NULL)
		return -1;
	while ((n = getline(&line, &cap, fp)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (log_split(line, &l) == 0 && log_match(f, line, &l)) {
			log_emit(c, line, &l);
			(*count)++;
		}
	}
	free(line);
	fclose(fp);
	return 0;
}

/* One audit event: "time=T by=B msg=M envelope=E change…". */
struct audit_event {
	uint64_t	seq;
	int64_t		time;
	char		by[16], msg[72], envelope[64];
	const char	*change;
};

static int audit_split(const char *v, struct audit_event *e)
{
	long long t;
	int n = 0;

	if (sscanf(v, "time=%lld by=%15s msg=%71s envelope=%63s %n", &t, e->by, e->msg, e->envelope, &n) < 4)
		return -1;
	e->time = t;
	e->change = n ? v + n : "";
	return 0;
}

/* What an audit event is, from its change: a status move, a notice to a party (R26),
 * the data sent to customs (R27) or customs' return text (R15). */
static const char *audit_kind(const char *change, const char **label)
{
	static const struct { const char *prefix, *kind, *label; } kinds[] = {
		{"status=", "status", "状态 status"},
		{"notice=", "notice", "通知 notice"},
		{"export=", "export", "报关数据 export"},
		{"customs=", "customs", "海关回执 customs"},
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strncmp(change, kinds[i].prefix, strlen(kinds[i].prefix)) == 0) {
			*label = kinds[i].label;
			return kinds[i].kind;
		}
	*label = "其他 other";
	return "other";
}

struct trail {
	struct ctl	*c;		/* NULL: collect the envelopes only */
	size_t		 nlen;
	struct buf	*envelopes;
	int		 n;
};

/* s padded with spaces to width terminal columns (a CJK character takes two). */
static void pad_columns(struct buf *out, const char *s, int width)
{
	const unsigned char *u;
	int w = 0;

	for (u = (const unsigned char *)s; *u; u++)
		if ((*u & 0xc0) != 0x80)
			w += *u >= 0xe0 ? 2 : 1;
	buf_printf(out, "%s%*s", s, w < width ? width - w : 0, "");
}

static void trace_event(struct ctl *c, const struct audit_event *e, const char *when)
{
	const char *label, *kind = audit_kind(e->change, &label);

	if (!c->as_json) {
		buf_printf(&c->out, "  %s  ", when);
		pad_columns(&c->out, label, 16);
		buf_printf(&c->out, "  by 发送方 %-10s  msg 报文 %s  envelope 信封 %s  %s\n", e->by, e->msg, e->envelope,
		    e->change);
		return;
	}
	json_open(&c->j, '{');
	json_kint(&c->j, "seq", (int64_t)e->seq);
	json_kstr(&c->j, "time", when);
	json_kstr(&c->j, "kind", kind);
	json_kstr(&c->j, "by", e->by);
	json_kstr(&c->j, "msg", e->msg);
	json_kstr(&c->j, "envelope", e->envelope);
	json_kstr(&c->j, "change", e->change);
	json_close(&c->j, '}');
}

/* One audit record: a message's lines for the agreement, '\n' between them
 * (lifecycle_audit), each an event of its own. */
static int trace_visit(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct trail *tr = arg;
	struct audit_event e;
	char *v, *line, *next, when[32];

	if (klen != tr->nlen + 8)
		return 0;	/* another agreement whose number starts with ours */
	v = xmalloc(vlen + 1);
	memcpy(v, val, vlen);
	v[vlen] = '\0';
	for (line = v; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		memset(&e, 0, sizeof(e));
		if (audit_split(line, &e) < 0)
			continue;
		e.seq = store_get_be64((const unsigned char *)key + tr->nlen);
		ctl_time(when, e.time);
		if (!has_envelope(tr->envelopes, e.envelope))
			buf_add(tr->envelopes, e.envelope, strlen(e.envelope) + 1);
		if (tr->c != NULL)
			trace_event(tr->c, &e, when);
		tr->n++;
	}
	free(v);
	return 0;
}

/* The audit trail of number into c's output (if c); the envelope ids into envelopes. */
static int trace_trail(struct ctl *c, struct store *s, const char *number, struct buf *envelopes, int *n)
{
	struct trail tr = {c, strlen(number), envelopes, 0};
	int rc = store_scan(s, NULL, SDB_AUDIT, number, strlen(number), trace_visit, &tr);

	*n = tr.n;
	return rc;
}

static int log_filter_init(struct ctl *c, struct log_filter *f)
{
	const char *lv = ctl_opt(c, "level"), *since = ctl_opt(c, "since"), *until = ctl_opt(c, "until");
	struct store *s;
	int n;

	memset(f, 0, sizeof(*f));
	buf_init(&f->envelopes);
	f->id = ctl_opt(c, "id");
	f->agreement = ctl_opt(c, "agreement");
	f->party = ctl_opt(c, "party");
	if (lv && (f->level = level_of(lv)) < 0)
		return ctl_fail(CTL_USAGE, "--level: debug, info, warn or error");
	if (since && ctl_parse_since(since, time(NULL), &f->since) < 0)
		return ctl_fail(CTL_USAGE, "--since: yyyy-mm-dd[Thh:mm[:ss]] (UTC) or 30m, 2h, 7d 时间格式错误");
	if (until && ctl_parse_since(until, time(NULL), &f->until) < 0)
		return ctl_fail(CTL_USAGE, "--until: yyyy-mm-dd[Thh:mm[:ss]] (UTC) or 30m, 2h, 7d (ago) 时间格式错误");
	if (f->since && f->until && f->until <= f->since)
		return ctl_fail(CTL_USAGE, "--until must be later than --since 结束时间应晚于开始时间");
	if (f->agreement && (s = ctl_store(c)) != NULL)
		trace_trail(NULL, s, f->agreement, &f->envelopes, &n);
	return 0;
}

int ctl_log(struct ctl *c)
{
	struct log_filter f;
	int rc, n = 0;

	if ((rc = log_filter_init(c, &f)) != 0) {
		buf_free(&f.envelopes);
		return rc;
	}
	if (c->as_json)
		json_open(&c->j, '[');
	rc = log_scan(c, &f, &n);
	if (c->as_json) {
		json_close(&c->j, ']');
		buf_adds(&c->out, "\n");
	}
	buf_free(&f.envelopes);
	if (rc < 0)
		return ctl_fail(CTL_STORE, "%s: cannot read the log 无法读取日志", c->conf.log_file);
	return CTL_OK;
}

int ctl_trace(struct ctl *c)
{
	struct agreement *a = xmalloc(sizeof(*a));
	struct log_filter f;
	struct store *s;
	int n = 0, k = 0, rc, known;

	if ((s = ctl_store(c)) == NULL) {
		free(a);
		return CTL_STORE;
	}
	known = store_agreement_get(s, NULL, c->args[0], a) == 0;
	memset(&f, 0, sizeof(f));
	buf_init(&f.envelopes);
	if (c->as_json) {
		json_open(&c->j, '{');
		json_kstr(&c->j, "agreement", c->args[0]);
		json_kint(&c->j, "status", known ? a->status : -1);
		json_key(&c->j, "events");
		json_open(&c->j, '[');
	} else if (known)
		buf_printf(&c->out, "trace 追踪 %s — now 当前 %d %s %s\n", c->args[0], (int)a->status,
		    agreement_status_zh((int)a->status), agreement_status_en((int)a->status));
	rc = trace_trail(c, s, c->args[0], &f.envelopes, &n);
	f.agreement = c->args[0];
	if (c->as_json) {
		json_close(&c->j, ']');
		json_key(&c->j, "log");
		json_open(&c->j, '[');
	} else if (n > 0)
		buf_printf(&c->out, "log 日志 (%s):\n", c->conf.log_file);
	if (n > 0 && log_scan(c, &f, &k) < 0 && !c->as_json)
		buf_printf(&c->out, "  (log not readable 日志无法读取)\n");
	if (c->as_json) {
		json_close(&c->j, ']');
		json_close(&c->j, '}');
		buf_adds(&c->out, "\n");
	}
	buf_free(&f.envelopes);
	free(a);
	if (rc < 0)
		return CTL_STORE;
	if (n == 0 && !known) {
		buf_reset(&c->out);
		return ctl_fail(CTL_NOTFOUND, "agreement %s: no trail 无此协议记录", c->args[0]);
	}
	return CTL_OK;
}
