/* msg — the table of inbound message types, and notices shared by them. */
#include "msg.h"
#include "outbox.h"
#include <string.h>

#define ROLE(r) (1u << (r))

static const struct msg_type msg_types[] = {
	{"EntrustRequest", ROLE(ROLE_CONSIGNOR) | ROLE(ROLE_BROKER), msg_request_apply},
};

const struct msg_type *msg_lookup(const char *root)
{
	size_t i;

	for (i = 0; i < sizeof(msg_types) / sizeof(msg_types[0]); i++)
		if (strcmp(msg_types[i].root, root) == 0)
			return &msg_types[i];
	return NULL;
}

int msg_notify(struct msg_ctx *ctx, const char *receiver, const char *event,
    const struct agreement *list, int n)
{
	struct buf xml;
	int rc;

	buf_init(&xml);
	reply_notice_xml(ctx->reply, receiver, event, ctx->sender->code, list, n, &xml);
	rc = outbox_add(ctx->store, ctx->txn, receiver, NULL, &xml);
	buf_free(&xml);
	return rc;
}
