/* msg — the inbound message types: each names its root element, the roles
 * that may send it (R2) and the function that applies it inside the
 * caller's transaction.  Adding a message type means one msg_*.c and one
 * row in the table in msg.c; the pipeline does not change.
 * Also the helpers every message shares: notices to the other party (R26),
 * broker registration state (R5), code checks (R12).
 * Failure contract: an apply function returns 0 when the message was judged
 * (the reply then holds results, item errors or a message-level refusal)
 * and -1 on a store error (the caller aborts the transaction). */
#ifndef MSG_H
#define MSG_H
#include <libxml/tree.h>
#include <time.h>
#include "codes.h"
#include "conf.h"
#include "registry.h"
#include "reply.h"
#include "store.h"
#include "strmap.h"

struct msg_ctx {
	struct store		*store;
	store_txn		*txn;
	const struct registry	*registry;
	const struct codes	*codes;
	const struct exporter	*exporter;	/* customs-format data (R27) */
	const struct conf	*conf;
	const struct party	*sender;	/* the party bound to the signer (R1); NULL: the hub */
	time_t			 now;
	struct reply		*reply;
	struct notice		*notices;	/* collected, written by msg_flush */
	int			 nnotices;
	struct sealer		*sealer;	/* signs what goes to the outbox ahead; NULL: none */
	struct bundles		*bundles;	/* the batch's notice bundles (bundle.h); NULL: a file per notice */
	size_t			 capnotices;
	struct strmap		 notice_at;	/* "receiver event" -> index + 1 in notices */
	struct strmap		 audit;		/* agreement number -> its audit lines (struct buf *), written by msg_flush */
};

struct msg_type {
	const char	*root;
	unsigned	 roles;		/* bit (1 << enum role) per role allowed to send it */
	int		(*apply)(struct msg_ctx *ctx, xmlNodePtr root);
};

const struct msg_type *msg_lookup(const char *root);
const char *msg_from(const struct msg_ctx *ctx);	/* sender code, or the hub's */

/* Add agreement a (may be NULL) to the notice of event for receiver (R26). */
struct notice *msg_notice(struct msg_ctx *ctx, const char *receiver, const char *event,
    const struct agreement *a);
/* Tell both parties of a, except the sender. */
void msg_notice_parties(struct msg_ctx *ctx, const char *event, const struct agreement *a);
/* The end of a message: its notices into the outbox and its audit lines
 * into the store, in ctx->txn; what was collected is freed either way. */
int msg_flush(struct msg_ctx *ctx);
void msg_discard(struct msg_ctx *ctx);		/* what was collected, freed unwritten */

/* store_scan visitor: append each key, NUL-terminated, to the struct buf arg. */
int msg_collect_keys(void *arg, const void *key, size_t klen, const void *val, size_t vlen);
/* Read a BrokerHalf element (R9) into a; nothing if node is NULL. */
void msg_broker_half(xmlNodePtr node, struct agreement *a);
/* Load letter number if ctx->sender is its consignor or broker (R2): 0, 1 unknown, -1. */
int msg_own_letter(struct msg_ctx *ctx, const char *number, struct letter *l);

/* R5: the broker has an approved registration valid at ctx->now. */
int msg_broker_active(struct msg_ctx *ctx, const char *code);
/* The agreement, if it exists and ctx->sender is its consignor or broker (R2). */
int msg_own_agreement(struct msg_ctx *ctx, const char *number, struct agreement *a);

int msg_request_apply(struct msg_ctx *ctx, xmlNodePtr root);		/* msg_request.c */
int msg_confirm_apply(struct msg_ctx *ctx, xmlNodePtr root);		/* msg_confirm.c */
int msg_autoconfirm_apply(struct msg_ctx *ctx, xmlNodePtr root);	/* msg_confirm.c */
int msg_revoke_apply(struct msg_ctx *ctx, xmlNodePtr root);		/* msg_revoke.c */
int msg_revoke_answer_apply(struct msg_ctx *ctx, xmlNodePtr root);	/* msg_revoke.c */
int msg_registration_apply(struct msg_ctx *ctx, xmlNodePtr root);	/* msg_registration.c */
int msg_decision_apply(struct msg_ctx *ctx, xmlNodePtr root);		/* msg_registration.c */
int msg_topup_apply(struct msg_ctx *ctx, xmlNodePtr root);		/* msg_topup.c */
int msg_receipt_apply(struct msg_ctx *ctx, xmlNodePtr root);		/* msg_receipt.c */
int msg_query_apply(struct msg_ctx *ctx, xmlNodePtr root);		/* msg_query.c */
#endif
