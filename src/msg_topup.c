/* msg_topup — 充值 TopUp: the operator records units an enterprise bought
 * (R20); the account's purchased count grows (R18) and the record is kept
 * for 充值记录 queries. */
#include "msg.h"
#include "xmem.h"
#include "xmlin.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int msg_topup_apply(struct msg_ctx *ctx, xmlNodePtr root)
{
	char code[11], units[16], ref[257], paid[40];
	unsigned char key[10 + 16];
	struct account acc;
	struct buf rec;
	uint64_t seq;
	long n;
	int rc;

	xmlin_text(root, "Enterprise", code, sizeof(code));
	xmlin_text(root, "Units", units, sizeof(units));
	xmlin_text(root, "Reference", ref, sizeof(ref));
	xmlin_text(root, "PaidAt", paid, sizeof(paid));
	n = strtol(units, NULL, 10);
	if (!registry_by_code(ctx->registry, code, ROLE_CONSIGNOR) && !registry_by_code(ctx->registry, code, ROLE_BROKER)) {
		reply_error(ctx->reply, -1, R_PARTY_UNKNOWN, "/TopUp/Enterprise", "%s is not a registered enterprise", code);
		return 0;
	}
	if (store_account_get(ctx->store, ctx->txn, code, &acc) < 0 || store_next(ctx->store, ctx->txn, "topup", &seq) < 0)
		return -1;
	acc.purchased += n;
	memcpy(key, code, 10);
	store_be64(key + 10, (uint64_t)ctx->now);
	store_be64(key + 18, seq);
	buf_init(&rec);
	buf_printf(&rec, "%ld|%s|%s|%s", n, ref, paid, ctx->reply->in_msgid);
	rc = store_put(ctx->store, ctx->txn, SDB_TOPUPS, key, sizeof(key), rec.data, rec.len);
	buf_free(&rec);
	if (rc < 0 || store_account_put(ctx->store, ctx->txn, code, &acc) < 0)
		return -1;
	msg_notice(ctx, code, "top-up", NULL);
	return 0;
}
