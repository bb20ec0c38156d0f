/* benchgen — make benchmark envelopes fast: EntrustRequest documents with 3
 * agreements each between many consignor/broker pairs, signed (CMS, DER)
 * with each consignor's own key through the same OpenSSL calls the hub uses.
 *   benchgen PKIDIR CONSIGNORS BROKERS N OUTDIR [PREFIX]
 * PKIDIR holds c<i>.pem/.key (i < CONSIGNORS) and ca.pem; brokers are
 * B<j> codes 4101B0000<j>… as scripts/bench writes them. */
#include "buf.h"
#include "envelope.h"
#include "xmem.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void request_xml(struct buf *b, const char *prefix, int n, const char *consignor, const char *broker)
{
	int i;

	buf_reset(b);
	buf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<EntrustRequest xmlns=\"urn:entrust:1\" version=\"1\">\n"
	    "<Header><MessageId>%s%08d</MessageId><Sender>%s</Sender>"
	    "<SentAt>2026-12-03T10:00:00+08:00</SentAt></Header>\n"
	    "<Letter><Consignor><Code>%s</Code><Name>基准测试委托方</Name></Consignor>"
	    "<Broker><Code>%s</Code></Broker><Mode>B</Mode><Matter>A</Matter>"
	    "<ValidityMonths>12</ValidityMonths><AutoConfirm>false</AutoConfirm></Letter>\n",
	    prefix, n, consignor, consignor, broker);
	for (i = 1; i <= 3; i++)
		buf_printf(b, "<Agreement ref=\"%d\"><GoodsName>笔记本电脑 %d</GoodsName><HsCode>8471300000</HsCode>"
		    "<TotalValue currency=\"USD\">%d.00</TotalValue><Quantity unit=\"001\">%d</Quantity>"
		    "<Direction>I</Direction><Date>2026-12-20</Date><BillOfLading>BL%08d%d</BillOfLading>"
		    "<TradeMode>0110</TradeMode><Origin>502</Origin><Payer>consignor</Payer></Agreement>\n",
		    i, i, 1000 * i + n % 1000, 10 * i, n, i);
	buf_adds(b, "</EntrustRequest>\n");
}

int main(int argc, char **argv)
{
	struct envelope_keys **keys;
	char path[4096], cert[4096], key[4096], err[256], code[16], broker[16];
	struct buf xml, der;
	int nc, nb, n, i;
	FILE *fp;

	if (argc < 6) {
		fprintf(stderr, "usage: benchgen PKIDIR CONSIGNORS BROKERS N OUTDIR [PREFIX]\n");
		return 2;
	}
	nc = atoi(argv[2]);
	nb = atoi(argv[3]);
	n = atoi(argv[4]);
	keys = xcalloc((size_t)nc, sizeof(*keys));
	for (i = 0; i < nc; i++) {
		snprintf(cert, sizeof(cert), "%s/c%d.pem", argv[1], i);
		snprintf(key, sizeof(key), "%s/c%d.key", argv[1], i);
		snprintf(path, sizeof(path), "%s/ca.pem", argv[1]);
		if ((keys[i] = envelope_keys_load(path, cert, key, err, sizeof(err))) == NULL) {
			fprintf(stderr, "benchgen: %s\n", err);
			return 1;
		}
	}
	buf_init(&xml);
	buf_init(&der);
	for (i = 0; i < n; i++) {
		int c = i % nc, b = (i / nc) % nb;

		snprintf(code, sizeof(code), "11%08d", c);
		snprintf(broker, sizeof(broker), "4101B%05d", b);
		request_xml(&xml, argc > 6 ? argv[6] : "BENCH", i, code, broker);
		if (envelope_seal(keys[c], xml.data, xml.len, &der) < 0)
			return 1;
		snprintf(path, sizeof(path), "%s/req%08d.p7m", argv[5], i);
		if ((fp = fopen(path, "w")) == NULL || fwrite(der.data, 1, der.len, fp) != der.len || fclose(fp) != 0)
			return 1;
	}
	for (i = 0; i < nc; i++)
		envelope_keys_free(keys[i]);
	free(keys);
	buf_free(&xml);
	buf_free(&der);
	return 0;
}
