/* reply — the hub's answers as XML: the Ack every inbound envelope gets
 * (R25) and the Notices sent to the other party (R26).  Builds documents
 * with libxml2's tree API, so every text is escaped.
 * Failure contract: none; memory failure is fatal. */
#ifndef REPLY_H
#define REPLY_H
#include "buf.h"
#include "entrust.h"
#include "reason.h"

struct reply_error {
	enum reason	code;
	char		path[128];
	char		detail[512];
};

struct reply {
	char			 id[64];	/* the envelope's work id: names our messages */
	char			 hub_code[11];
	char			 receiver[11];
	char			 in_msgid[65];
	char			 in_type[32];
	char			 in_file[160];
	char			 in_sha256[65];
	struct reply_error	*errors;
	int			 nerrors;
	char			 letter[11];
	int			 letter_created;
	struct agreement	*items;		/* number, ref, status are used */
	int			 nitems;
};

void reply_init(struct reply *r, const char *id, const char *hub_code, const char *file,
    const char *sha256);
void reply_free(struct reply *r);
void reply_error(struct reply *r, enum reason code, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void reply_item(struct reply *r, const struct agreement *a);
void reply_ack_xml(const struct reply *r, struct buf *out);
/* A Notice of event to receiver about agreements (all of one letter). */
void reply_notice_xml(const struct reply *r, const char *receiver, const char *event,
    const char *from, const struct agreement *list, int n, struct buf *out);
#endif
