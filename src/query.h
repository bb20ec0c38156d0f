/* query — the questions an enterprise may ask (DOMAIN.md §6), answered the
 * same way for the Query message (msg_query.c) and for the operator's
 * console (entrustctl query): broker search (R5, R6), status query (R21),
 * recent five (R22), statistics (R23), account (R18, R24) and top-up
 * records (R20).  What is found is decided here; callers only render rows,
 * so the message and the console cannot drift apart.
 * "me" is the asking enterprise's customs code; the console may pass NULL
 * to ask across all enterprises (an operator's view, not a message's).
 * Failure contract: functions return 0, or -1 on a store error (logged by
 * store).  A visitor returns 0 to go on, non-zero to stop (not an error). */
#ifndef QUERY_H
#define QUERY_H
#include <stdint.h>
#include <time.h>
#include "entrust.h"
#include "store.h"

#define QUERY_MAX_ROWS 1000

/* R6: filters of a broker search; empty fields match everything. */
struct query_brokers {
	char	district[8];	/* 关区 code prefix */
	char	name[257];	/* a fragment of the name */
	char	code[11];
};

/* R21: filters of a status query, combined with AND; empty/-1 match everything. */
struct query_status {
	char	counterparty[11];
	char	letter[11];
	char	agreement[15];
	char	bill[33];
	char	value[32];	/* total value, canonical (query_amount) */
	int	status;		/* -1: any */
};

/* R20: one top-up record. */
struct query_topup {
	char	units[24];
	char	reference[256];
	int64_t	recorded_at;
};

typedef int (*query_agreement_fn)(void *arg, const struct agreement *a);

/* R5, R6: approved brokers valid at now that match f (at most QUERY_MAX_ROWS).
 * Only the public part may be shown: never manager_id nor declarant phones. */
int query_brokers(struct store *s, store_txn *txn, time_t now, const struct query_brokers *f,
    int (*fn)(void *arg, const struct registration *r), void *arg);
/* R21: me's agreements (both roles) that match f, at most QUERY_MAX_ROWS. */
int query_status(struct store *s, store_txn *txn, const char *me, const struct query_status *f,
    query_agreement_fn fn, void *arg);
/* R22: the five most recently signed (status 1, 2, 4, 5) with counterparty, newest first. */
int query_recent(struct store *s, store_txn *txn, const char *me, const char *counterparty,
    query_agreement_fn fn, void *arg);
/* R23: agreements of me that customs used (status 5) in [from, to); fn may be NULL. */
int query_used(struct store *s, store_txn *txn, const char *me, time_t from, time_t to,
    int64_t *count, query_agreement_fn fn, void *arg);
/* R18, R24: the account of code; available never below 0. */
int query_account(struct store *s, store_txn *txn, const char *code, struct account *a,
    int64_t *available);
/* R20: code's top-up records in time order. */
int query_topups(struct store *s, store_txn *txn, const char *code,
    int (*fn)(void *arg, const struct query_topup *t), void *arg);
/* The UTC instant of 00:00 in China (UTC+8) on the day "yyyy-mm-dd" (then
 * nothing, or a time or time zone, which are not applied); -1 if s is not
 * that, or not a day of the calendar, or before 1970. */
int query_date(const char *s, time_t *t);
/* The canonical form of the decimal s into out (no sign for 0, no leading
 * zeros, no trailing zeros after the point: "0012.50" is "12.5"), so that
 * amounts compare as strings, exactly, at every one of Money's 18 digits (a
 * double keeps 15–17); -1 if s is not a decimal or its form is n or longer. */
int query_amount(const char *s, char *out, size_t n);
/* The counterparty of me in a. */
const char *query_other(const struct agreement *a, const char *me);
#endif
