/* sample — the demo facts the unit tests' fixtures give a letter and an
 * agreement (docs/examples: 北京示例贸易有限公司 entrusts 郑州示例报关有限公司
 * with 笔记本电脑), written once; each caller then sets what its test is
 * about (numbers, parties, status, times) and overrides what it varies. */
#ifndef SAMPLE_H
#define SAMPLE_H
#include <string.h>
#include "entrust.h"

/* Letter number between consignor and broker, the consignor initiating:
 * the demo names and contacts, mode B, matters A and C, 6 months. */
static inline void sample_letter(struct letter *l, const char *number, const char *consignor, const char *broker)
{
	memset(l, 0, sizeof(*l));
	strcpy(l->number, number);
	strcpy(l->consignor.code, consignor);
	strcpy(l->consignor.credit, "91110000100000000R");
	strcpy(l->consignor.name, "北京示例贸易有限公司");
	strcpy(l->consignor.signer, "张三");
	strcpy(l->consignor.phone, "010-66668888");
	strcpy(l->broker.code, broker);
	strcpy(l->broker.name, "郑州示例报关有限公司");
	strcpy(l->initiator, consignor);
	strcpy(l->mode, "B");
	strcpy(l->matters, "AC");
	l->validity_months = 6;
	strcpy(l->signed_on, "2026-12-03");
}

/* The demo goods of an agreement (its left half): 300 laptops, USD 120,000. */
static inline void sample_goods(struct agreement *a)
{
	strcpy(a->goods_name, "笔记本电脑");
	strcpy(a->hs_code, "8471300000");
	strcpy(a->total_value, "120000.00");
	strcpy(a->currency, "USD");
	strcpy(a->quantity, "300");
	strcpy(a->unit, "001");
	strcpy(a->direction, "I");
	strcpy(a->date, "2026-12-20");
	strcpy(a->bill_of_lading, "COSU6123456780");
	strcpy(a->trade_mode, "0110");
	strcpy(a->origin, "502");
}
#endif
