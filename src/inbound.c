/* inbound — the per-envelope pipeline. */
#include "inbound.h"
#include "clock.h"
#include "envelope.h"
#include "log.h"
#include "msg.h"
#include "outbox.h"
#include "registry.h"
#include "reply.h"
#include "safeio.h"
#include "store.h"
#include "xmem.h"
#include "xmlin.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* What we know about the envelope in hand, stage by stage. */
struct job {
	struct hub		*hub;
	const char		*work_name;
	char			 id[32];
	const struct party	*party;		/* set once the signer is bound (R1) */
	struct reply		 reply;
	struct buf		 raw;
	struct buf		 content;
	char			 detail[512];
	time_t			 now;
};

static enum reason job_file_reason(int rc)
{
	switch (rc) {
	case SAFEIO_UNSAFE: return R_FILE_UNSAFE;
	case SAFEIO_TOO_LARGE: return R_FILE_TOO_LARGE;
	case SAFEIO_EMPTY: return R_FILE_EMPTY;
	case SAFEIO_CHANGED: return R_FILE_CHANGED;
	default: return R_INTERNAL;
	}
}

static void job_reason_text(const struct job *j, enum reason r, const char *path,
    const char *detail, struct buf *out)
{
	char ts[32];

	log_timestamp(ts);
	buf_reset(out);
	buf_printf(out, "code: %s\n", reason_code(r));
	if (reason_rule(r))
		buf_printf(out, "rule: %s\n", reason_rule(r));
	buf_printf(out, "zh: %s\nen: %s\n", reason_zh(r), reason_en(r));
	if (path && *path)
		buf_printf(out, "path: %s\n", path);
	if (detail && *detail)
		buf_printf(out, "detail: %s\n", detail);
	buf_printf(out, "file: %s\nid: %s\ntime: %s\n", spool_original_name(j->work_name), j->id, ts);
	if (j->party)
		buf_printf(out, "signer: %s %s\n", j->party->code, role_name(j->party->role));
}

/* Record ack in the outbox (and, for an applied message, in the seen table). */
static int job_queue_ack(struct job *j, store_txn *txn, const struct buf *ack, int remember)
{
	struct store *s = j->hub->store;
	char key[96], name[128];

	if (j->reply.in_msgid[0])
		snprintf(name, sizeof(name), "ACK_%s.p7m", j->reply.in_msgid);
	else
		snprintf(name, sizeof(name), "ACK_%s.p7m", j->id);
	snprintf(key, sizeof(key), "%s|%s", j->party->code, j->reply.in_msgid);
	if (remember && store_put(s, txn, SDB_SEEN, key, strlen(key), ack->data, ack->len) < 0)
		return -1;
	return outbox_add(s, txn, j->party->code, name, ack);
}

/* Emit what the outbox holds, then move the envelope to its final folder. */
static int job_finish(struct job *j, enum reason r, const char *path, const char *detail)
{
	struct hub *h = j->hub;
	struct buf text;
	int rc;

	if (outbox_flush(h->store, h->keys, h->spool.outbound) < 0) {
		log_warn(j->id, "file=%s status=deferred why=\"outbox not written 回执未能写出\"",
		    spool_original_name(j->work_name));
		return 1;
	}
	if (r == R_OK)
		rc = spool_archive(&h->spool, j->work_name, j->now);
	else {
		buf_init(&text);
		job_reason_text(j, r, path, detail, &text);
		rc = spool_reject(&h->spool, j->work_name, text.data);
		buf_free(&text);
	}
	if (rc < 0) {
		log_error(j->id, "file=%s error=\"cannot move out of work/ 无法移出工作目录: %s\"",
		    spool_original_name(j->work_name), strerror(errno));
		return 1;
	}
	return 0;
}

/* Refuse before apply: reason file, and a negative ack when the signer is known. */
static int job_refuse(struct job *j, enum reason r, const char *path, const char *detail)
{
	struct buf ack;
	store_txn *txn;

	log_warn(j->id, "file=%s from=%s status=refused code=%s detail=\"%s\"",
	    spool_original_name(j->work_name), j->party ? j->party->code : "-", reason_code(r),
	    detail ? detail : "");
	if (j->party) {
		buf_init(&ack);
		reply_error(&j->reply, -1, r, path, "%s", detail ? detail : "");
		reply_ack_xml(&j->reply, j->hub->codes, &ack);
		if ((txn = store_begin(j->hub->store)) == NULL
		    || job_queue_ack(j, txn, &ack, 0) < 0 || store_commit(txn) != 0) {
			buf_free(&ack);
			return -1;
		}
		buf_free(&ack);
	}
	return job_finish(j, r, path, detail);
}

/* Read, open and bind: R1.  Returns R_OK with j->party and j->content set. */
static enum reason job_open(struct job *j)
{
	struct hub *h = j->hub;
	struct envelope_signer signer;
	char sha[65];
	enum reason r;
	int rc;

	rc = safeio_read(h->spool.work, j->work_name, (size_t)h->conf.max_envelope_bytes, &j->raw);
	if (rc != SAFEIO_OK) {
		snprintf(j->detail, sizeof(j->detail), "%s", rc == SAFEIO_ERROR ? strerror(errno) : "");
		return job_file_reason(rc);
	}
	envelope_sha256_hex(j->raw.data, j->raw.len, sha);
	strlcopy(j->reply.in_sha256, sha, sizeof(j->reply.in_sha256));
	r = envelope_open(h->keys, j->raw.data, j->raw.len, &j->content, &signer, j->detail, sizeof(j->detail));
	if (r != R_OK)
		return r;
	switch (registry_by_fingerprint(h->registry, signer.fingerprint, &j->party)) {
	case 0:
		snprintf(j->detail, sizeof(j->detail), "%s sha256=%s", signer.subject, signer.fingerprint);
		return R_SIGNER_UNBOUND;
	case 1:
		strlcopy(j->reply.receiver, j->party->code, sizeof(j->reply.receiver));
		return R_OK;
	default:
		snprintf(j->detail, sizeof(j->detail), "sha256=%s", signer.fingerprint);
		j->party = NULL;
		return R_SIGNER_AMBIGUOUS;
	}
}

/* Header and type checks (R1, R2) on the validated document. */
static enum reason job_check(struct job *j, xmlNodePtr root, const struct msg_type **type)
{
	char sender[11];
	xmlNodePtr header = xmlin_child(root, "Header");

	strlcopy(j->reply.in_type, (const char *)root->name, sizeof(j->reply.in_type));
	xmlin_text(header, "MessageId", j->reply.in_msgid, sizeof(j->reply.in_msgid));
	xmlin_text(header, "Sender", sender, sizeof(sender));
	if ((*type = msg_lookup((const char *)root->name)) == NULL) {
		snprintf(j->detail, sizeof(j->detail), "%s is not accepted inbound", root->name);
		return R_MSG_TYPE_UNKNOWN;
	}
	if (strcmp(sender, j->party->code) != 0) {
		snprintf(j->detail, sizeof(j->detail), "Header/Sender %s, signer bound to %s", sender, j->party->code);
		return R_SENDER_MISMATCH;
	}
	if (!((*type)->roles & (1u << j->party->role))) {
		snprintf(j->detail, sizeof(j->detail), "a %s may not send %s", role_name(j->party->role), root->name);
		return R_ROLE_FORBIDDEN;
	}
	return R_OK;
}

/* The stored answer to a message already applied (R25), or 1 if new. */
static int job_replay(struct job *j, store_txn *txn, struct buf *ack)
{
	char key[96];

	snprintf(key, sizeof(key), "%s|%s", j->party->code, j->reply.in_msgid);
	return store_get(j->hub->store, txn, SDB_SEEN, key, strlen(key), ack);
}

static int job_apply_txn(struct job *j, const struct msg_type *type, xmlNodePtr root,
    store_txn *txn, struct buf *ack, int *replayed)
{
	struct hub *h = j->hub;
	struct msg_ctx ctx = {h->store, txn, h->registry, h->codes, h->exporter, &h->conf, j->party,
	    j->now, &j->reply, NULL, 0};
	int rc;

	if ((rc = job_replay(j, txn, ack)) <= 0) {
		*replayed = 1;
		return rc < 0 ? -1 : job_queue_ack(j, txn, ack, 0);
	}
	rc = type->apply(&ctx, root);
	if (rc == 0 && j->reply.refused)
		rc = 1;		/* refused by a rule: nothing of it may stay */
	if (rc == 0)
		rc = msg_notices_flush(&ctx);
	msg_notices_free(&ctx);
	if (rc != 0)
		return rc;
	reply_ack_xml(&j->reply, h->codes, ack);
	return job_queue_ack(j, txn, ack, 1);
}

/* Apply in one transaction.  A rule refusal is recorded in a fresh one, so
 * that a replay of the refused message gets the same answer (R25). */
static int job_apply(struct job *j, const struct msg_type *type, xmlNodePtr root, int *replayed)
{
	struct buf ack;
	store_txn *txn;
	int rc;

	buf_init(&ack);
	if ((txn = store_begin(j->hub->store)) == NULL)
		return -1;
	rc = job_apply_txn(j, type, root, txn, &ack, replayed);
	if (rc == 1) {
		store_abort(txn);
		reply_ack_xml(&j->reply, j->hub->codes, &ack);
		if ((txn = store_begin(j->hub->store)) == NULL)
			rc = -1;
		else
			rc = job_queue_ack(j, txn, &ack, 1);
	}
	if (rc < 0) {
		store_abort(txn);
		buf_free(&ack);
		return -1;
	}
	buf_free(&ack);
	return store_commit(txn) != 0 ? -1 : 0;
}

static void job_log_outcome(struct job *j, int replayed)
{
	const struct reply *r = &j->reply;

	const char *outcome = reply_outcome(r);

	if (replayed)
		log_info(j->id, "file=%s from=%s type=%s msgid=%s status=replay",
		    spool_original_name(j->work_name), j->party->code, r->in_type, r->in_msgid);
	else if (r->nerrors)
		log_warn(j->id, "file=%s from=%s type=%s msgid=%s items=%d errors=%d status=%s code=%s detail=\"%s\"",
		    spool_original_name(j->work_name), j->party->code, r->in_type, r->in_msgid, r->nitems,
		    r->nerrors, outcome, reason_code(r->errors[0].code), r->errors[0].detail);
	else
		log_info(j->id, "file=%s from=%s type=%s msgid=%s letter=%s items=%d status=accepted",
		    spool_original_name(j->work_name), j->party->code, r->in_type, r->in_msgid,
		    r->letter[0] ? r->letter : "-", r->nitems);
}

static int job_run(struct job *j)
{
	const struct msg_type *type = NULL;
	xmlDocPtr doc = NULL;
	enum reason r;
	int replayed = 0, rc;

	if ((r = job_open(j)) != R_OK)
		return job_refuse(j, r, NULL, j->detail);
	r = xmlin_parse(j->hub->xmlin, j->content.data, j->content.len, &doc, j->detail, sizeof(j->detail));
	if (r != R_OK)
		return job_refuse(j, r, NULL, j->detail);
	if ((r = job_check(j, xmlDocGetRootElement(doc), &type)) != R_OK) {
		xmlFreeDoc(doc);
		return job_refuse(j, r, "/Header", j->detail);
	}
	rc = job_apply(j, type, xmlDocGetRootElement(doc), &replayed);
	xmlFreeDoc(doc);
	if (rc < 0)
		return -1;
	job_log_outcome(j, replayed);
	if (!replayed && strcmp(reply_outcome(&j->reply), "refused") == 0 && j->reply.nerrors)
		return job_finish(j, j->reply.errors[0].code, j->reply.errors[0].path, j->reply.errors[0].detail);
	return job_finish(j, R_OK, NULL, NULL);
}

int inbound_process(struct hub *h, const char *work_name)
{
	struct job j;
	int rc;

	memset(&j, 0, sizeof(j));
	j.hub = h;
	j.work_name = work_name;
	j.now = clock_now();
	spool_work_id(work_name, j.id, sizeof(j.id));
	reply_init(&j.reply, j.id, h->conf.hub_code, spool_original_name(work_name), "");
	buf_init(&j.raw);
	buf_init(&j.content);
	rc = job_run(&j);
	buf_free(&j.raw);
	buf_free(&j.content);
	reply_free(&j.reply);
	return rc;
}

static int inbound_list(struct hub *h, struct spool_list *l, int from_work, volatile int *stop)
{
	char work_name[SPOOL_WORK_MAX];
	size_t i;
	int n = 0, rc;

	for (i = 0; i < l->n && !(stop && *stop); i++) {
		if (from_work)
			strlcopy(work_name, l->names[i], sizeof(work_name));
		else if (spool_claim(&h->spool, l->names[i], work_name, sizeof(work_name)) < 0) {
			if (errno != ENOENT)
				log_error(l->names[i], "error=\"cannot claim 无法领取: %s\"", strerror(errno));
			continue;
		}
		if ((rc = inbound_process(h, work_name)) < 0)
			return -1;
		n += rc == 0;
	}
	return n;
}

int inbound_run(struct hub *h, volatile int *stop)
{
	struct spool_list l;
	int n, m;

	/* Leftovers in work/ first: claimed before a crash or deferred. */
	if (spool_work(&h->spool, &l) < 0)
		return -1;
	n = inbound_list(h, &l, 1, stop);
	spool_list_free(&l);
	if (n < 0)
		return -1;
	if (spool_ready(&h->spool, h->conf.settle_ms, &l) < 0)
		return -1;
	m = inbound_list(h, &l, 0, stop);
	spool_list_free(&l);
	return m < 0 ? -1 : n + m;
}
