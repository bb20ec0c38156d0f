/* query — the enterprise queries of DOMAIN.md §6, output-neutral. */
#include "query.h"
#include "codec.h"
#include "xmem.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *query_other(const struct agreement *a, const char *me)
{
	return strcmp(a->consignor, me) == 0 ? a->broker : a->consignor;
}

static int query_digits(const char *s, int n)
{
	int v = 0;

	for (; n > 0; n--, s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/* Exactly yyyy-mm-dd, a day of the calendar (not 2026-02-30, which timegm
 * would move to March), then nothing, a time or a time zone. */
int query_date(const char *s, time_t *t)
{
	int year, month, day;
	struct tm tm;
	time_t v;

	if (strlen(s) < 10 || s[4] != '-' || s[7] != '-' || (s[10] != '\0' && strchr("TZ+-", s[10]) == NULL))
		return -1;
	year = query_digits(s, 4);
	month = query_digits(s + 5, 2);
	day = query_digits(s + 8, 2);
	if (year < 1970 || month < 1 || month > 12 || day < 1)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = month - 1;
	tm.tm_mday = day;
	v = timegm(&tm);	/* normalises: 02-30 comes back as March */
	if (tm.tm_mon != month - 1 || tm.tm_mday != day)
		return -1;
	*t = v - 8 * 3600;
	return 0;
}

int query_amount(const char *s, char *out, size_t n)
{
	const char *int0, *frac0 = NULL;
	size_t len, nint, nfrac = 0;
	int neg = 0;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	for (int0 = s; *s >= '0' && *s <= '9'; s++)
		;
	nint = (size_t)(s - int0);
	if (*s == '.')
		for (frac0 = ++s; *s >= '0' && *s <= '9'; s++)
			nfrac++;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	if (*s != '\0' || nint + nfrac == 0)
		return -1;
	while (nint > 0 && *int0 == '0')
		int0++, nint--;
	while (nfrac > 0 && frac0[nfrac - 1] == '0')
		nfrac--;
	neg = neg && nint + nfrac > 0;	/* -0 is 0 */
	len = (size_t)neg + (nint ? nint : 1) + (nfrac ? nfrac + 1 : 0);
	if (len >= n)
		return -1;
	snprintf(out, n, "%s%.*s%s%.*s", neg ? "-" : "", (int)(nint ? nint : 1), nint ? int0 : "0",
	    nfrac ? "." : "", (int)nfrac, nfrac ? frac0 : "");
	return 0;
}

struct broker_walk {
	const struct query_brokers	*f;
	time_t				 now;
	int				(*fn)(void *, const struct registration *);
	void				*arg;
	int				 n;
};

static int query_broker_visit(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct broker_walk *w = arg;
	const struct query_brokers *f = w->f;
	struct registration *r;
	int stop = 0;

	if (klen != 12 || ((const char *)key)[11] != 'A' || w->n >= QUERY_MAX_ROWS)
		return 0;
	r = xmalloc(sizeof(*r));
	if (codec_decode(&codec_registration, val, vlen, r) < 0 || r->valid_until <= w->now
	    || (f->district[0] && strncmp(r->district, f->district, strlen(f->district)) != 0)
	    || (f->name[0] && strstr(r->name, f->name) == NULL)
	    || (f->code[0] && strcmp(r->code, f->code) != 0)) {
		free(r);	/* R5: an expired broker is not found either */
		return 0;
	}
	w->n++;
	stop = w->fn(w->arg, r);
	free(r);
	return stop;
}

int query_brokers(struct store *s, store_txn *txn, time_t now, const struct query_brokers *f,
    int (*fn)(void *arg, const struct registration *r), void *arg)
{
	struct broker_walk w = {f, now, fn, arg, 0};

	return store_scan(s, txn, SDB_REGISTRATIONS, NULL, 0, query_broker_visit, &w);
}

/* store_scan visitor: the agreement numbers of by_party keys "code|number", NUL-separated. */
static int query_collect(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct buf *numbers = arg;

	(void)val;
	(void)vlen;
	if (klen > 11) {
		buf_add(numbers, (const char *)key + 11, klen - 11);
		buf_add(numbers, "", 1);
	}
	return 0;
}

struct all_walk {
	query_agreement_fn	 fn;
	void			*arg;
	struct agreement	*a;
};

static int query_all_visit(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct all_walk *w = arg;

	(void)key;
	(void)klen;
	if (codec_decode(&codec_agreement, val, vlen, w->a) < 0)
		return 0;
	return w->fn(w->arg, w->a);
}

/* Every agreement of me (both roles), or of everyone when me is NULL, to fn. */
static int query_each(struct store *s, store_txn *txn, const char *me, query_agreement_fn fn, void *arg)
{
	struct all_walk w = {fn, arg, xmalloc(sizeof(struct agreement))};
	char prefix[16];
	struct buf numbers;
	size_t off;
	int rc, stop = 0;

	if (me == NULL) {
		rc = store_scan(s, txn, SDB_AGREEMENTS, NULL, 0, query_all_visit, &w);
		free(w.a);
		return rc;
	}
	snprintf(prefix, sizeof(prefix), "%s|", me);
	buf_init(&numbers);
	rc = store_scan(s, txn, SDB_BY_PARTY, prefix, strlen(prefix), query_collect, &numbers);
	for (off = 0; rc == 0 && !stop && off < numbers.len; off += strlen(numbers.data + off) + 1) {
		if ((rc = store_agreement_get(s, txn, numbers.data + off, w.a)) == 1)
			rc = 0;		/* an index entry without its record: skip it */
		else if (rc == 0)
			stop = fn(arg, w.a) != 0;
	}
	buf_free(&numbers);
	free(w.a);
	return rc < 0 ? -1 : 0;
}

struct status_walk {
	const char			*me;
	const struct query_status	*f;
	query_agreement_fn		 fn;
	void				*arg;
	int				 n;
};

/* R21: the stored amount equals the filter's, canonical (query_amount). */
static int query_same_amount(const char *stored, const char *canonical)
{
	char v[sizeof(((struct query_status *)0)->value)];

	return query_amount(stored, v, sizeof(v)) == 0 && strcmp(v, canonical) == 0;
}

static int query_counterparty_ok(const struct status_walk *w, const struct agreement *a)
{
	const char *cp = w->f->counterparty;

	if (cp[0] == '\0')
		return 1;
	if (w->me == NULL)	/* operator's view: either side */
		return strcmp(a->consignor, cp) == 0 || strcmp(a->broker, cp) == 0;
	return strcmp(query_other(a, w->me), cp) == 0;
}

static int query_status_visit(void *arg, const struct agreement *a)
{
	struct status_walk *w = arg;
	const struct query_status *f = w->f;

	if (!query_counterparty_ok(w, a)
	    || (f->letter[0] && strcmp(a->letter, f->letter) != 0)
	    || (f->agreement[0] && strcmp(a->number, f->agreement) != 0)
	    || (f->bill[0] && strcmp(a->bill_of_lading, f->bill) != 0)
	    || (f->value[0] && !query_same_amount(a->total_value, f->value))
	    || (f->status >= 0 && a->status != f->status))
		return 0;
	if (w->n++ >= QUERY_MAX_ROWS)
		return 1;
	return w->fn(w->arg, a);
}

int query_status(struct store *s, store_txn *txn, const char *me, const struct query_status *f,
    query_agreement_fn fn, void *arg)
{
	struct status_walk w = {me, f, fn, arg, 0};

	return query_each(s, txn, me, query_status_visit, &w);
}

struct recent {
	const char		*me;
	const char		*counterparty;
	struct agreement	 top[5];
	int			 n;
};

/* R22: keep the five most recently signed (status 1, 2, 4 or 5). */
static int query_recent_visit(void *arg, const struct agreement *a)
{
	struct recent *r = arg;
	int i;

	if (strcmp(query_other(a, r->me), r->counterparty) != 0 || !(a->status == ST_CONFIRMED
	    || a->status == ST_DECLARABLE || a->status == ST_IN_USE || a->status == ST_USED))
		return 0;
	for (i = r->n < 5 ? r->n++ : 5; i > 0 && r->top[i - 1].signed_at < a->signed_at; i--)
		if (i < 5)
			r->top[i] = r->top[i - 1];
	if (i < 5)
		r->top[i] = *a;
	return 0;
}

int query_recent(struct store *s, store_txn *txn, const char *me, const char *counterparty,
    query_agreement_fn fn, void *arg)
{
	struct recent *r = xcalloc(1, sizeof(*r));
	int i, rc;

	r->me = me;
	r->counterparty = counterparty;
	rc = query_each(s, txn, me, query_recent_visit, r);
	for (i = 0; rc == 0 && i < r->n; i++)
		if (fn(arg, &r->top[i]) != 0)
			break;
	free(r);
	return rc;
}

struct used_walk {
	time_t			 from, to;
	int64_t			*count;
	query_agreement_fn	 fn;
	void			*arg;
};

static int query_used_visit(void *arg, const struct agreement *a)
{
	struct used_walk *w = arg;

	if (a->status != ST_USED || a->used_at < w->from || a->used_at >= w->to)
		return 0;	/* R23: only customs-used agreements count */
	(*w->count)++;
	return w->fn ? w->fn(w->arg, a) : 0;
}

int query_used(struct store *s, store_txn *txn, const char *me, time_t from, time_t to,
    int64_t *count, query_agreement_fn fn, void *arg)
{
	struct used_walk w = {from, to, count, fn, arg};

	*count = 0;
	return query_each(s, txn, me, query_used_visit, &w);
}

int query_account(struct store *s, store_txn *txn, const char *code, struct account *a,
    int64_t *available)
{
	if (store_account_get(s, txn, code, a) < 0)
		return -1;
	*available = a->purchased - a->used - a->in_use;
	if (*available < 0)
		*available = 0;		/* R18: never below 0 */
	return 0;
}

struct topup_walk {
	int	(*fn)(void *, const struct query_topup *);
	void	*arg;
};

/* topups: key code(10)|time(8 BE)|seq(8 BE), value "units|reference". */
static int query_topup_visit(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct topup_walk *w = arg;
	struct query_topup t;
	char rec[512], *units, *ref, *save = NULL;

	if (klen != 26 || vlen >= sizeof(rec))
		return 0;
	memcpy(rec, val, vlen);
	rec[vlen] = '\0';
	units = strtok_r(rec, "|", &save);
	ref = strtok_r(NULL, "|", &save);
	memset(&t, 0, sizeof(t));
	strlcopy(t.units, units ? units : "0", sizeof(t.units));
	strlcopy(t.reference, ref ? ref : "", sizeof(t.reference));
	t.recorded_at = (int64_t)store_get_be64((const unsigned char *)key + 10);
	return w->fn(w->arg, &t);
}

int query_topups(struct store *s, store_txn *txn, const char *code,
    int (*fn)(void *arg, const struct query_topup *t), void *arg)
{
	struct topup_walk w = {fn, arg};

	return store_scan(s, txn, SDB_TOPUPS, code, strlen(code), query_topup_visit, &w);
}
