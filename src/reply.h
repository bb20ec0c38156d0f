/* reply — the hub's answers as XML: the Ack every inbound envelope gets
 * (R25) — message-level errors, one outcome per item, codes echoed with
 * their names (R12), and for a query its Result — and the Notices sent to
 * the other party (R26).  Documents are built with libxml2's tree API, so
 * every text is escaped.
 * Failure contract: none; memory failure is fatal. */
#ifndef REPLY_H
#define REPLY_H
#include <stdint.h>
#include "buf.h"
#include "entrust.h"
#include "reason.h"

struct codes;

/* One item of a message: an agreement of a request, a decision, a receipt line. */
struct reply_item {
	char	ref[33];
	char	number[15];
	char	letter[11];
	int	status;			/* -1: not reported */
	char	trade_mode[5];		/* codes echoed with their names when set (R12) */
	char	origin[4];
	char	currency[4];
	char	unit[4];
	int	refused;
};

struct reply_error {
	int		item;		/* index into items, or -1 for the whole message */
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
	size_t			 caperrors;
	int			 refused;	/* a message-level error was added */
	char			 letter[11];
	int			 letter_created;
	const char		*letter_status;
	struct reply_item	*items;
	int			 nitems;
	size_t			 capitems;
	void			*result;	/* xmlNodePtr <Result>, given to the Ack */
};

/* A notice to one party about one event, with the agreements it concerns. */
struct notice {
	char			 receiver[11];
	char			 event[32];
	char			 from[11];
	char			 letter[11];	/* when the notice is about a letter as a whole */
	char			 remark[512];
	int64_t			 valid_until;	/* 0: none */
	struct reply_item	*items;
	int			 nitems;
	size_t			 capitems;
};

void reply_init(struct reply *r, const char *id, const char *hub_code, const char *file,
    const char *sha256);
void reply_free(struct reply *r);
/* Add an item (ref may be ""); returns its index. */
int reply_item_add(struct reply *r, const char *ref);
/* Report agreement a (number, letter, status) on item i; with_codes echoes its codes. */
void reply_item_set(struct reply *r, int i, const struct agreement *a, int with_codes);
/* An error on item i (-1: the whole message, which is then refused). */
void reply_error(struct reply *r, int item, enum reason code, const char *path,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
const char *reply_outcome(const struct reply *r);	/* accepted | partial | refused */
void reply_ack_xml(struct reply *r, const struct codes *codes, struct buf *out);
void reply_notice_xml(const struct reply *r, const struct notice *n, struct buf *out);
/* A notice bundle (root Notices, issue #7): its head with its Header into
 * out; then each Notice document made by reply_notice_xml, whole but for its
 * XML declaration; then the end. */
void reply_notices_begin(const char *msgid, const char *hub_code, const char *receiver, struct buf *out);
void reply_notices_add(struct buf *out, const struct buf *notice);
void reply_notices_end(struct buf *out);
/* Copy agreement fields into an item for notices. */
void reply_item_from(struct reply_item *it, const struct agreement *a);
#endif
