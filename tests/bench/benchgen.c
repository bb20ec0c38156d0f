/* benchgen — make benchmark envelopes fast, signed (CMS, DER) with each
 * sender's own key through the same OpenSSL calls the hub uses.
 *   benchgen PKIDIR CONSIGNORS BROKERS N OUTDIR [PREFIX [MODE [LISTDIR [ITEMS]]]]
 * MODE request (default): N EntrustRequest documents with 3 agreements each
 *   between many consignor/broker pairs (workload A);
 * MODE mixed: N envelopes alternating an EntrustConfirm by the broker (3
 *   pending agreements of one live letter, from LISTDIR/pending.txt) and an
 *   append of 3 agreements by the consignor to the pair's live letter
 *   (workload C);
 * MODE receipt: N CustomsReceipt batches of ITEMS data-received items each,
 *   on the agreements of LISTDIR/confirmed.txt in order (workload B).
 * PKIDIR holds c<i>, b<j> and customs .pem/.key; consignors are 11<8 digits>,
 * brokers 4101B<5 digits>, customs 0100HG0001, as scripts/bench writes them.
 * BENCH_FIRST=K in the environment numbers the envelopes from K (a second set
 * on later agreements).  Files are req<8 digits>.p7m; OUTDIR/expect.txt lists "file sender msgid"
 * per envelope, from which tests/bench/drive.py knows each ack's name. */
#include "buf.h"
#include "envelope.h"
#include "xmem.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CUSTOMS "0100HG0001"

static void header(struct buf *b, const char *root, const char *prefix, int n, const char *sender)
{
	buf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<%s xmlns=\"urn:entrust:1\" version=\"1\">\n"
	    "<Header><MessageId>%s%08d</MessageId><Sender>%s</Sender>"
	    "<SentAt>2026-12-03T10:00:00+08:00</SentAt></Header>\n", root, prefix, n, sender);
}

static void request_xml(struct buf *b, const char *prefix, int n, const char *consignor, const char *broker,
    int append)
{
	int i;

	buf_reset(b);
	header(b, "EntrustRequest", prefix, n, consignor);
	if (append)
		buf_printf(b, "<Letter><Consignor><Code>%s</Code></Consignor><Broker><Code>%s</Code></Broker></Letter>\n",
		    consignor, broker);
	else
		buf_printf(b, "<Letter><Consignor><Code>%s</Code><Name>基准测试委托方</Name></Consignor>"
		    "<Broker><Code>%s</Code></Broker><Mode>B</Mode><Matter>A</Matter>"
		    "<ValidityMonths>12</ValidityMonths><AutoConfirm>false</AutoConfirm></Letter>\n",
		    consignor, broker);
	for (i = 1; i <= 3; i++)
		buf_printf(b, "<Agreement ref=\"%d\"><GoodsName>笔记本电脑 %d</GoodsName><HsCode>8471300000</HsCode>"
		    "<TotalValue currency=\"USD\">%d.00</TotalValue><Quantity unit=\"001\">%d</Quantity>"
		    "<Direction>I</Direction><Date>2026-12-20</Date><BillOfLading>BL%08d%d</BillOfLading>"
		    "<TradeMode>0110</TradeMode><Origin>502</Origin><Payer>consignor</Payer></Agreement>\n",
		    i, i, 1000 * i + n % 1000, 10 * i, n, i);
	buf_adds(b, "</EntrustRequest>\n");
}

static void confirm_xml(struct buf *b, const char *prefix, int n, const char *broker, const char *letter,
    char *const *numbers)
{
	int i;

	buf_reset(b);
	header(b, "EntrustConfirm", prefix, n, broker);
	buf_printf(b, "<Letter>%s</Letter>\n", letter);
	for (i = 0; i < 3; i++)
		buf_printf(b, "<Decision><Agreement>%s</Agreement><Accept>true</Accept><BrokerHalf>"
		    "<DocumentsReceived>contract invoice packing-list</DocumentsReceived>"
		    "<ReceivedOn>2026-12-03</ReceivedOn><Fee>300.00</Fee><Commitments>按时如实申报</Commitments>"
		    "</BrokerHalf></Decision>\n", numbers[i]);
	buf_adds(b, "</EntrustConfirm>\n");
}

/* Lines of a list file, split into words. */
struct list {
	char	**word;
	size_t	  n, cap;
};

static void list_read(struct list *l, const char *dir, const char *name)
{
	char path[4096], line[512], *w, *save;
	FILE *fp;

	memset(l, 0, sizeof(*l));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "r")) == NULL) {
		perror(path);
		exit(1);
	}
	while (fgets(line, sizeof(line), fp))
		for (w = strtok_r(line, " \n", &save); w; w = strtok_r(NULL, " \n", &save)) {
			if (l->n == l->cap) {
				l->cap = l->cap ? 2 * l->cap : 4096;
				l->word = xrealloc(l->word, l->cap * sizeof(char *));
			}
			l->word[l->n++] = xstrdup(w);
		}
	fclose(fp);
}

static struct envelope_keys *keys_of(const char *pki, const char *who)
{
	char path[4096], cert[4096], key[4096], err[256];
	struct envelope_keys *k;

	snprintf(cert, sizeof(cert), "%s/%s.pem", pki, who);
	snprintf(key, sizeof(key), "%s/%s.key", pki, who);
	snprintf(path, sizeof(path), "%s/ca.pem", pki);
	if ((k = envelope_keys_load(path, cert, key, err, sizeof(err))) == NULL) {
		fprintf(stderr, "benchgen: %s\n", err);
		exit(1);
	}
	return k;
}

int main(int argc, char **argv)
{
	struct envelope_keys **ck, **bk, *signer, *customs = NULL;
	char path[4096], who[32], code[16], broker[16], sender[16];
	const char *prefix = argc > 6 ? argv[6] : "BENCH", *mode = argc > 7 ? argv[7] : "request";
	struct list lst;
	int nc, nb, np, n, i, j, first = getenv("BENCH_FIRST") ? atoi(getenv("BENCH_FIRST")) : 0, items = argc > 9 ? atoi(argv[9]) : 1000;
	struct buf xml, der;
	FILE *fp, *expect;

	if (argc < 6) {
		fprintf(stderr, "usage: benchgen PKIDIR CONSIGNORS BROKERS N OUTDIR [PREFIX [MODE [LISTDIR [ITEMS]]]]\n");
		return 2;
	}
	nc = atoi(argv[2]);
	nb = atoi(argv[3]);
	n = atoi(argv[4]);
	np = nc * nb;
	ck = xcalloc((size_t)nc, sizeof(*ck));
	bk = xcalloc((size_t)nb, sizeof(*bk));
	for (i = 0; i < nc; i++) {
		snprintf(who, sizeof(who), "c%d", i);
		ck[i] = keys_of(argv[1], who);
	}
	if (strcmp(mode, "request") != 0) {
		for (i = 0; i < nb; i++) {
			snprintf(who, sizeof(who), "b%d", i);
			bk[i] = keys_of(argv[1], who);
		}
		customs = keys_of(argv[1], "customs");
		list_read(&lst, argc > 8 ? argv[8] : ".", strcmp(mode, "mixed") == 0 ? "pending.txt" : "confirmed.txt");
	}
	snprintf(path, sizeof(path), "%s/expect.txt", argv[5]);
	if ((expect = fopen(path, "a")) == NULL)
		return 1;
	buf_init(&xml);
	buf_init(&der);
	for (i = first; i < first + n; i++) {
		int c = i % nc, b = (i / nc) % nb;

		snprintf(code, sizeof(code), "11%08d", c);
		snprintf(broker, sizeof(broker), "4101B%05d", b);
		signer = ck[c];
		strlcopy(sender, code, sizeof(sender));
		if (strcmp(mode, "request") == 0)
			request_xml(&xml, prefix, i, code, broker, 0);
		else if (strcmp(mode, "mixed") == 0 && i % 2 == 1)
			request_xml(&xml, prefix, i, code, broker, 1);
		else if (strcmp(mode, "mixed") == 0) {
			/* the (i/2)-th confirm: pair p, its round r-th three pending agreements */
			int k = i / 2, p = k % np, r = k / np;
			char *num[3];
			size_t line;

			for (j = 0; j < 3; j++) {
				line = (size_t)(3 * r + j) * (size_t)np + (size_t)p;
				if (4 * line + 3 >= lst.n) {
					fprintf(stderr, "benchgen: not enough pending agreements for %d envelopes\n", n);
					return 1;
				}
				num[j] = lst.word[4 * line + 3];
			}
			b = (int)(strtol(lst.word[4 * ((size_t)3 * r * np + p) + 2] + 5, NULL, 10));
			strlcopy(sender, lst.word[4 * ((size_t)3 * r * np + p) + 2], sizeof(sender));
			signer = bk[b];
			confirm_xml(&xml, prefix, i, sender, lst.word[4 * ((size_t)3 * r * np + p)], num);
		} else {	/* receipt */
			buf_reset(&xml);
			header(&xml, "CustomsReceipt", prefix, i, CUSTOMS);
			for (j = 0; j < items; j++) {
				size_t line = (size_t)i * (size_t)items + (size_t)j;

				if (2 * line + 1 >= lst.n) {
					fprintf(stderr, "benchgen: not enough confirmed agreements\n");
					return 1;
				}
				buf_printf(&xml, "<Item ref=\"R%d\"><Agreement>%s</Agreement><Event>data-received</Event></Item>\n",
				    j + 1, lst.word[2 * line]);
			}
			buf_adds(&xml, "</CustomsReceipt>\n");
			signer = customs;
			strlcopy(sender, CUSTOMS, sizeof(sender));
		}
		if (envelope_seal(signer, xml.data, xml.len, &der) < 0)
			return 1;
		snprintf(path, sizeof(path), "%s/req%08d.p7m", argv[5], i);
		if ((fp = fopen(path, "w")) == NULL || fwrite(der.data, 1, der.len, fp) != der.len || fclose(fp) != 0)
			return 1;
		fprintf(expect, "req%08d.p7m %s %s%08d\n", i, sender, prefix, i);
	}
	fclose(expect);
	buf_free(&xml);
	buf_free(&der);
	return 0;
}
