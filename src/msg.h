/* msg — the inbound message types: each names its root element, the roles
 * that may send it (R2) and the function that applies it inside the
 * caller's transaction.  Adding a message type means adding one msg_*.c
 * and one row to the table in msg.c; the pipeline does not change.
 * Failure contract: an apply function returns 0 when the message was
 * judged (the reply then holds either results or refusal errors) and -1
 * on a store error (the caller aborts the transaction). */
#ifndef MSG_H
#define MSG_H
#include <libxml/tree.h>
#include <time.h>
#include "registry.h"
#include "reply.h"
#include "store.h"

struct msg_ctx {
	struct store		*store;
	store_txn		*txn;
	const struct registry	*registry;
	const struct party	*sender;	/* the party bound to the signer (R1) */
	time_t			 now;
	struct reply		*reply;
};

struct msg_type {
	const char	*root;
	unsigned	 roles;		/* bit (1 << enum role) per role allowed to send it */
	int		(*apply)(struct msg_ctx *ctx, xmlNodePtr root);
};

const struct msg_type *msg_lookup(const char *root);

/* Queue a Notice of event to receiver about list[0..n). */
int msg_notify(struct msg_ctx *ctx, const char *receiver, const char *event,
    const struct agreement *list, int n);

int msg_request_apply(struct msg_ctx *ctx, xmlNodePtr root);	/* msg_request.c */
#endif
