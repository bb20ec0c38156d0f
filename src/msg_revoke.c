/* msg_revoke — 撤销 RevocationRequest (consignor: 2→7) and RevocationAnswer
 * (broker: agree 7→8, refuse 7→2), R16.  Each agreement is its own item. */
#include "lifecycle.h"
#include "msg.h"
#include "xmem.h"
#include "xmlin.h"
#include <stdio.h>
#include <string.h>

/* Move one of the sender's agreements from status `from` (-1: any that R13
 * allows); item errors for unknown or refused moves. */
static int revoke_move(struct msg_ctx *ctx, const char *number, const char *path, int from, int to,
    const char *event, const char *tell)
{
	char detail[256];
	struct agreement a;
	enum reason why;
	int item = reply_item_add(ctx->reply, number), rc;

	if ((rc = msg_own_agreement(ctx, number, &a)) != 0) {
		if (rc > 0)
			reply_error(ctx->reply, item, R_AGREEMENT_UNKNOWN, path, "agreement %s", number);
		return rc < 0 ? -1 : 0;
	}
	if (from >= 0 && a.status != from) {	/* R16: the broker answers only a revocation asked */
		reply_error(ctx->reply, item, R_STATUS_TRANSITION, path, "agreement %s is in status %d, not %d",
		    number, (int)a.status, from);
		return 0;
	}
	if ((rc = lifecycle_move(ctx, &a, to, &why, detail, sizeof(detail))) != 0) {
		if (rc > 0)
			reply_error(ctx->reply, item, why, path, "%s", detail);
		return rc < 0 ? -1 : 0;
	}
	reply_item_set(ctx->reply, item, &a, 0);
	msg_notice(ctx, strcmp(tell, "broker") == 0 ? a.broker : a.consignor, event, &a);	/* R26 */
	return 0;
}

int msg_revoke_apply(struct msg_ctx *ctx, xmlNodePtr root)
{
	char number[16], path[64];
	xmlNodePtr n;
	int i = 0;

	if (ctx->sender->role != ROLE_CONSIGNOR) {
		reply_error(ctx->reply, -1, R_REVOKE_FORBIDDEN, "/RevocationRequest", "only the consignor asks");
		return 0;
	}
	for (n = xmlin_child(root, "Agreement"); n; n = xmlin_next(n, "Agreement")) {
		xmlChar *s = xmlNodeGetContent(n);

		strlcopy(number, s ? (const char *)s : "", sizeof(number));
		xmlFree(s);
		snprintf(path, sizeof(path), "/RevocationRequest/Agreement[%d]", ++i);
		if (revoke_move(ctx, number, path, -1, ST_REVOKE_ASKED, "revocation-asked", "broker") < 0)
			return -1;
	}
	return 0;
}

int msg_revoke_answer_apply(struct msg_ctx *ctx, xmlNodePtr root)
{
	char number[16], path[64];
	xmlNodePtr d;
	int i = 0, rc, yes;

	if (ctx->sender->role != ROLE_BROKER) {
		reply_error(ctx->reply, -1, R_REVOKE_FORBIDDEN, "/RevocationAnswer", "only the broker answers");
		return 0;
	}
	if ((rc = msg_broker_active(ctx, ctx->sender->code)) <= 0) {
		if (rc == 0)
			reply_error(ctx->reply, -1, R_BROKER_NOT_APPROVED, "/RevocationAnswer/Header/Sender", NULL);
		return rc < 0 ? -1 : 0;
	}
	for (d = xmlin_child(root, "Decision"); d; d = xmlin_next(d, "Decision")) {
		xmlin_text(d, "Agreement", number, sizeof(number));
		yes = xmlin_bool(d, "Agree", 0);
		snprintf(path, sizeof(path), "/RevocationAnswer/Decision[%d]", ++i);
		if (revoke_move(ctx, number, path, ST_REVOKE_ASKED, yes ? ST_REVOKE_CONFIRMED : ST_DECLARABLE,
		    yes ? "revocation-confirmed" : "revocation-refused", "consignor") < 0)
			return -1;
	}
	return 0;
}
