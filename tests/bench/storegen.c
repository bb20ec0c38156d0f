/* storegen — fill a fresh store fast through the store API, for workloads B
 * and C of scripts/bench (issue #7).  Not the pipeline: records are written
 * as the pipeline would leave them, in large transactions.
 *   storegen STOREDIR CONSIGNORS BROKERS HISTORY PENDING CONFIRMED OUTDIR
 * Parties are 11<8 digits> consignors and 4101B<5 digits> brokers, as
 * scripts/bench registers them; every consignor-broker pair gets one live,
 * confirmed letter (R8) holding PENDING agreements in status 0 (initiated by
 * the consignor, awaiting the broker) and CONFIRMED agreements in status 1,
 * numbered round-robin over the pairs.  HISTORY more letters of 10
 * agreements each, expired and used (status 5), come first, so that the
 * live agreements are the newest, as in a real store.
 * Writes OUTDIR/pending.txt ("letter consignor broker number" per line) and
 * OUTDIR/confirmed.txt ("number bill") for benchgen. */
#include "entrust.h"
#include "store.h"
#include "xmem.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PER_TXN 20000

static struct store *s;
static store_txn *txn;
static long ops;
static uint64_t next_letter, next_agreement, next_audit;
static int year;

/* Stop, closing the store: its shared-memory regions would otherwise stay
 * behind after the bench deletes the folder (store.h). */
static void fail(const char *what)
{
	fprintf(stderr, "storegen: %s failed\n", what);
	if (txn != NULL)
		store_abort(txn);
	store_close(s);
	exit(1);
}

static void tick(void)
{
	if (++ops % PER_TXN)
		return;
	if (store_commit(txn) != 0 || (txn = store_begin(s)) == NULL) {
		txn = NULL;
		fail("commit");
	}
}

static void put(enum store_db db, const void *k, size_t kl, const void *v, size_t vl)
{
	if (store_put(s, txn, db, k, kl, v, vl) < 0)
		fail("put");
	tick();
}

static void letter_make(struct letter *l, int c, int b, int status, time_t created, time_t until)
{
	memset(l, 0, sizeof(*l));
	snprintf(l->number, sizeof(l->number), "%02d%08llu", year % 100, (unsigned long long)++next_letter);
	snprintf(l->consignor.code, sizeof(l->consignor.code), "11%08d", c);
	snprintf(l->broker.code, sizeof(l->broker.code), "4101B%05d", b);
	strlcopy(l->consignor.name, "基准委托方", sizeof(l->consignor.name));
	strlcopy(l->broker.name, "基准报关行", sizeof(l->broker.name));
	strlcopy(l->initiator, l->consignor.code, sizeof(l->initiator));
	strlcopy(l->mode, "B", sizeof(l->mode));
	strlcopy(l->matters, "A", sizeof(l->matters));
	l->validity_months = 12;
	l->status = status;
	l->created_at = created;
	l->valid_until = until;
}

static void agreement_make(struct agreement *a, const struct letter *l, int status, time_t now)
{
	unsigned char key[15 + 8];
	char k[40], line[160];
	int n;

	memset(a, 0, sizeof(*a));
	snprintf(a->number, sizeof(a->number), "%04d%010llu", year, (unsigned long long)++next_agreement);
	strlcopy(a->letter, l->number, sizeof(a->letter));
	snprintf(a->ref, sizeof(a->ref), "G%llu", (unsigned long long)next_agreement);
	strlcopy(a->initiator, l->consignor.code, sizeof(a->initiator));
	strlcopy(a->consignor, l->consignor.code, sizeof(a->consignor));
	strlcopy(a->broker, l->broker.code, sizeof(a->broker));
	strlcopy(a->payer, "consignor", sizeof(a->payer));
	a->status = status;
	strlcopy(a->goods_name, "笔记本电脑", sizeof(a->goods_name));
	strlcopy(a->hs_code, "8471300000", sizeof(a->hs_code));
	strlcopy(a->total_value, "1000.00", sizeof(a->total_value));
	strlcopy(a->currency, "USD", sizeof(a->currency));
	strlcopy(a->quantity, "10", sizeof(a->quantity));
	strlcopy(a->unit, "001", sizeof(a->unit));
	strlcopy(a->direction, "I", sizeof(a->direction));
	strlcopy(a->date, "2026-12-20", sizeof(a->date));
	snprintf(a->bill_of_lading, sizeof(a->bill_of_lading), "BL%llu", (unsigned long long)next_agreement);
	strlcopy(a->trade_mode, "0110", sizeof(a->trade_mode));
	strlcopy(a->origin, "502", sizeof(a->origin));
	snprintf(a->message_id, sizeof(a->message_id), "GEN%llu", (unsigned long long)next_agreement);
	a->created_at = a->updated_at = now;
	if (status >= ST_CONFIRMED) {
		a->has_broker_half = 1;
		strlcopy(a->documents_received, "contract invoice", sizeof(a->documents_received));
		strlcopy(a->fee, "300.00", sizeof(a->fee));
		a->signed_at = now;
	}
	if (store_agreement_put(s, txn, a) < 0)
		exit(1);
	tick();
	snprintf(k, sizeof(k), "%s|%s", a->letter, a->number);
	put(SDB_BY_LETTER, k, strlen(k), "", 0);
	snprintf(k, sizeof(k), "%s|%s", a->consignor, a->number);
	put(SDB_BY_PARTY, k, strlen(k), "", 0);
	snprintf(k, sizeof(k), "%s|%s", a->broker, a->number);
	put(SDB_BY_PARTY, k, strlen(k), "", 0);
	n = snprintf(line, sizeof(line), "time=%lld by=%s msg=%s envelope=GEN status=new->%d letter=%s",
	    (long long)now, a->consignor, a->message_id, (int)a->status, a->letter);
	memcpy(key, a->number, 14);
	store_be64(key + 14, ++next_audit);
	put(SDB_AUDIT, key, 22, line, (size_t)n);
}

static void counter(const char *name, uint64_t v)
{
	unsigned char be[8];

	store_be64(be, v);
	put(SDB_COUNTERS, name, strlen(name), be, 8);
}

int main(int argc, char **argv)
{
	int nc, nb, np, pending, confirmed, i, k, removed;
	long history, h;
	time_t now = time(NULL);
	struct letter *live, l;
	struct agreement a;
	struct registration r;
	struct account acc;
	char err[256], path[4096], name[16];
	unsigned char key[18];
	FILE *fp, *fc;

	if (argc != 8) {
		fprintf(stderr, "usage: storegen STOREDIR CONSIGNORS BROKERS HISTORY PENDING CONFIRMED OUTDIR\n");
		return 2;
	}
	nc = atoi(argv[2]);
	nb = atoi(argv[3]);
	history = atol(argv[4]);
	pending = atoi(argv[5]);
	confirmed = atoi(argv[6]);
	np = nc * nb;
	year = entrust_year(now);
	if ((s = store_open(argv[1], 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "storegen: %s\n", err);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/pending.txt", argv[7]);
	fp = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/confirmed.txt", argv[7]);
	fc = fopen(path, "w");
	if (fp == NULL || fc == NULL)
		fail("opening the lists in OUTDIR");
	if ((txn = store_begin(s)) == NULL)
		fail("begin");
	/* brokers approved (R5), consignors with units to reserve (R19) */
	for (i = 0; i < nb; i++) {
		memset(&r, 0, sizeof(r));
		snprintf(r.code, sizeof(r.code), "4101B%05d", i);
		strlcopy(r.name, "基准报关行", sizeof(r.name));
		strlcopy(r.credit, "91410100MA00000000", sizeof(r.credit));
		strlcopy(r.public_phone, "0371-55556666", sizeof(r.public_phone));
		r.approved_at = now;
		r.valid_until = now + 3 * 365 * 86400L;
		strlcopy(r.approved_by, "1100XH0001", sizeof(r.approved_by));
		if (store_registration_put(s, txn, 'A', &r) < 0)
			fail("store write");
	}
	memset(&acc, 0, sizeof(acc));
	acc.purchased = 100000000;
	for (i = 0; i < nc; i++) {
		snprintf(name, sizeof(name), "11%08d", i);
		if (store_account_put(s, txn, name, &acc) < 0)
			fail("store write");
	}
	/* history: expired letters of 10 used agreements */
	for (h = 0; h < history; h++) {
		letter_make(&l, (int)(h % nc), (int)(h / nc % nb), LS_EXPIRED, now - 400 * 86400L, now - 30 * 86400L);
		for (k = 0; k < 10; k++)
			agreement_make(&a, &l, ST_USED, now - 300 * 86400L);
		l.agreement_count = 10;
		if (store_letter_put(s, txn, &l) < 0)
			fail("store write");
		tick();
	}
	/* one live letter per pair */
	live = xcalloc((size_t)np, sizeof(*live));
	for (i = 0; i < np; i++) {
		char pair[24];

		letter_make(&live[i], i % nc, i / nc % nb, LS_CONFIRMED, now - 86400, entrust_add_months(now, 12));
		snprintf(pair, sizeof(pair), "%s|%s", live[i].consignor.code, live[i].broker.code);
		put(SDB_LIVE, pair, strlen(pair), live[i].number, strlen(live[i].number) + 1);
		store_be64(key, (uint64_t)live[i].valid_until);
		memcpy(key + 8, live[i].number, 10);
		put(SDB_EXPIRY, key, 18, "", 0);
	}
	for (k = 0; k < confirmed; k++)
		for (i = 0; i < np; i++) {
			agreement_make(&a, &live[i], ST_CONFIRMED, now - 3600);
			live[i].agreement_count++;
			fprintf(fc, "%s %s\n", a.number, a.bill_of_lading);
		}
	for (k = 0; k < pending; k++)
		for (i = 0; i < np; i++) {
			agreement_make(&a, &live[i], ST_INITIATED, now - 3600);
			live[i].agreement_count++;
			fprintf(fp, "%s %s %s %s\n", live[i].number, a.consignor, a.broker, a.number);
		}
	for (i = 0; i < np; i++) {
		if (store_letter_put(s, txn, &live[i]) < 0)
			fail("store write");
		tick();
	}
	/* units reserved by the confirmed agreements (R18) */
	acc.in_use = (int64_t)confirmed * nb;
	for (i = 0; i < nc; i++) {
		snprintf(name, sizeof(name), "11%08d", i);
		if (store_account_put(s, txn, name, &acc) < 0)
			fail("store write");
	}
	snprintf(name, sizeof(name), "L%d", year);
	counter(name, next_letter);
	snprintf(name, sizeof(name), "A%d", year);
	counter(name, next_agreement);
	counter("audit", next_audit);
	i = store_commit(txn);
	txn = NULL;
	if (i != 0)
		fail("commit");
	if (store_archive_logs(s, &removed) < 0)
		fail("log archive");
	store_close(s);
	free(live);
	if (fclose(fp) != 0 || fclose(fc) != 0)
		return 1;
	printf("%llu letters, %llu agreements\n", (unsigned long long)next_letter, (unsigned long long)next_agreement);
	return 0;
}
