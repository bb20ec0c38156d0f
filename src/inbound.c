/* inbound — the per-envelope pipeline. */
#include "inbound.h"
#include "bundle.h"
#include "clock.h"
#include "envelope.h"
#include "log.h"
#include "metrics.h"
#include "msg.h"
#include "notify.h"
#include "outbox.h"
#include "pool.h"
#include "registry.h"
#include "reply.h"
#include "safeio.h"
#include "sealer.h"
#include "store.h"
#include "xmem.h"
#include "xmlin.h"
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Envelopes applied per transaction (one log flush and one or two syncfs for
 * all of them) are at most conf batch_envelopes and this total size: a batch
 * holds its answers and notices until it is written, so big envelopes make
 * small batches.  At 4 MiB, 40 receipts of 1,000 items (91 KB each) were one
 * batch, applied and then written on one thread with no overlap; at 1 MiB
 * they are four, each applied while the one before is written (workload B
 * P-256 28-34k -> 34-37k items/s, peak RSS 100 -> 69 MiB; A within
 * noise, issue #7). */
#define INBOUND_BATCH_BYTES	(1L << 20)
/* The envelope applied and those the pool prepares ahead of it hold at most
 * this much between them (the next one is always let ahead): the pool parsed a
 * whole batch while its first receipt was applied, eleven 1,000-item trees at
 * once (issue #7). */
#define INBOUND_AHEAD_BYTES	(256L << 10)
/* From this size of XML on, its freed tree is given back to the kernel at once. */
#define INBOUND_TRIM_BYTES	(1L << 20)

/* What we know about one envelope, stage by stage. */
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
	xmlDocPtr		 doc;		/* validated, when prepared */
	size_t			 xml_len;	/* of the content the tree was parsed from */
	long			 bytes;		/* of the file when claimed, 0 if unknown */
	const struct msg_type	*type;
	enum reason		 refusal;	/* before apply; R_NONE if none */
	const char		*refusal_path;
	int			 replayed;
	int			 recovered;	/* judged before a crash: see job_recovered */
	struct bundles		*bundles;	/* the batch's, while it is applied */
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

/* Where an answer is kept besides the outbox: nowhere (a refusal before
 * judgement), in the seen table from now on (a judged message, R25), or
 * there already (a replay).  An outbox row for a kept answer names its seen
 * record instead of holding a second copy. */
enum ack_kept { ACK_NOT_KEPT, ACK_KEEP, ACK_KEPT };

/* Record ack in the outbox (and, for a judged message, in the seen table).
 * A message that was judged is answered as ACK_<MessageId>; a refusal before
 * judgement as ACK_<envelope id>, so that it can never replace the answer to
 * an earlier message that had the same MessageId. */
static int job_queue_ack(struct job *j, store_txn *txn, const struct buf *ack, enum ack_kept kept)
{
	struct store *s = j->hub->store;
	char key[96], name[128];

	if (j->reply.in_msgid[0] && j->refusal == R_NONE)
		snprintf(name, sizeof(name), "ACK_%s.p7m", j->reply.in_msgid);
	else
		snprintf(name, sizeof(name), "ACK_%s.p7m", j->id);
	snprintf(key, sizeof(key), "%s|%s", j->party->code, j->reply.in_msgid);
	if (kept == ACK_KEEP && store_put(s, txn, SDB_SEEN, key, strlen(key), ack->data, ack->len) < 0)
		return -1;
	if (kept == ACK_NOT_KEPT ? outbox_add(s, txn, j->party->code, name, ack) < 0
	    : outbox_add_seen(s, txn, j->party->code, name, key) < 0)
		return -1;
	sealer_offer(j->hub->sealer, j->party->code, name, ack);
	return 0;
}

/* Read, open and bind: R1.  Returns R_NONE with j->party and j->content set. */
static enum reason job_open(struct job *j)
{
	struct hub *h = j->hub;
	struct envelope_signer signer;
	char sha[65], when[32];
	enum reason r;
	time_t ended;
	int rc;

	rc = safeio_read(h->spool.work, j->work_name, (size_t)h->conf.max_envelope_bytes, &j->raw);
	if (rc != SAFEIO_OK) {
		snprintf(j->detail, sizeof(j->detail), "%s", rc == SAFEIO_ERROR ? strerror(errno) : "");
		return job_file_reason(rc);
	}
	envelope_sha256_hex(j->raw.data, j->raw.len, sha);
	strlcopy(j->reply.in_sha256, sha, sizeof(j->reply.in_sha256));
	r = envelope_open(h->keys, j->raw.data, j->raw.len, &j->content, &signer, j->detail, sizeof(j->detail));
	if (r != R_NONE)
		return r;
	switch (registry_by_fingerprint(h->registry, signer.fingerprint, &j->party)) {
	case 0:
		if ((ended = registry_ended(h->registry, signer.fingerprint, clock_now())) != 0) {
			registry_time(when, ended);	/* a roll-over's old certificate (R1) */
			snprintf(j->detail, sizeof(j->detail), "%s sha256=%s: binding ended at %s 绑定已于该时间结束",
			    signer.subject, signer.fingerprint, when);
		} else
			snprintf(j->detail, sizeof(j->detail), "%s sha256=%s", signer.subject, signer.fingerprint);
		return R_SIGNER_UNBOUND;
	case 1:
		strlcopy(j->reply.receiver, j->party->code, sizeof(j->reply.receiver));
		return R_NONE;
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
	return R_NONE;
}

/* The stored answer to a message already applied (R25), or 1 if new. */
static int job_replay(struct job *j, store_txn *txn, struct buf *ack)
{
	char key[96];

	snprintf(key, sizeof(key), "%s|%s", j->party->code, j->reply.in_msgid);
	return store_get(j->hub->store, txn, SDB_SEEN, key, strlen(key), ack);
}

/* The first Error element of a stored answer, in document order. */
static xmlNodePtr job_first_error(xmlNodePtr n)
{
	xmlNodePtr c, e;

	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp((const char *)n->name, "Error") == 0)
			return n;
		for (c = n->children; c; c = c->next)
			if ((e = job_first_error(c)) != NULL)
				return e;
	}
	return NULL;
}

/* A crash between the batch's commit and the moves out of work/ brings the
 * envelope back with its answer stored under this very claim (ACK-<its id>):
 * that is the first judgement finishing, not a replay (§10), so a refusal
 * still goes to error/ with its reason file. */
static void job_recovered(struct job *j, const struct buf *ack)
{
	char mine[64], code[64] = "", path[256] = "", detail[512] = "";
	xmlDocPtr doc;
	xmlNodePtr e;
	int r;

	snprintf(mine, sizeof(mine), "<MessageId>ACK-%s</MessageId>", j->id);
	if (memmem(ack->data, ack->len, mine, strlen(mine)) == NULL)
		return;
	j->recovered = 1;
	if (memmem(ack->data, ack->len, "<Outcome>refused</Outcome>", 26) == NULL)
		return;
	if ((doc = xmlReadMemory(ack->data, (int)ack->len, NULL, NULL, XML_PARSE_NONET)) == NULL)
		return;
	if ((e = job_first_error(xmlDocGetRootElement(doc))) != NULL) {
		xmlin_attr(e, "code", code, sizeof(code));
		xmlin_attr(e, "path", path, sizeof(path));
		xmlin_text(e, "Detail", detail, sizeof(detail));
	}
	xmlFreeDoc(doc);
	for (r = R_NONE + 1; r < R_COUNT && strcmp(reason_code((enum reason)r), code) != 0; r++)
		;
	j->reply.refused = 1;
	reply_error(&j->reply, -1, r < R_COUNT ? (enum reason)r : R_INTERNAL, path, "%s", detail);
}

static int job_apply_txn(struct job *j, const struct msg_type *type, xmlNodePtr root,
    store_txn *txn, struct buf *ack, int *replayed)
{
	struct hub *h = j->hub;
	struct msg_ctx ctx = {.store = h->store, .txn = txn, .registry = h->registry, .codes = h->codes,
	    .exporter = h->exporter, .conf = &h->conf, .sender = j->party, .now = j->now, .reply = &j->reply,
	    .sealer = h->sealer, .bundles = j->bundles};
	int rc;

	if ((rc = job_replay(j, txn, ack)) <= 0) {
		*replayed = 1;
		if (rc == 0)
			job_recovered(j, ack);
		return rc < 0 ? -1 : job_queue_ack(j, txn, ack, ACK_KEPT);
	}
	rc = type->apply(&ctx, root);
	xmlFreeDoc(j->doc);	/* judged: the tree goes before the answer's is built (memory, issue #7) */
	j->doc = NULL;
	/* A big tree was built on a pool thread, in that thread's malloc arena,
	 * where the answers built here cannot reuse it: give its pages back
	 * first (a 100,000-item receipt peaked at 228 or 355 MiB, by thread). */
	if (j->xml_len >= INBOUND_TRIM_BYTES)
		malloc_trim(0);
	if (rc == 0 && j->reply.refused)
		rc = 1;		/* refused by a rule: nothing of it may stay */
	if (rc == 0)
		rc = msg_flush(&ctx);
	msg_discard(&ctx);
	if (rc != 0)
		return rc;
	reply_ack_xml(&j->reply, h->codes, ack);
	return job_queue_ack(j, txn, ack, ACK_KEEP);
}

static void job_log_outcome(struct job *j, int replayed)
{
	const struct reply *r = &j->reply;

	const char *outcome = reply_outcome(r);

	metrics_reply(j->type->root, r, replayed, metrics_age(j->id));
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

/* Stage 1, on the pool's threads: read, open, bind, parse, check. */
static void job_prepare(void *arg, size_t i)
{
	struct job *j = &((struct job *)arg)[i];
	enum reason r;

	if ((r = job_open(j)) == R_NONE)
		r = xmlin_parse(j->hub->xmlin, j->content.data, j->content.len, &j->doc, j->detail, sizeof(j->detail));
	if (r == R_NONE && (r = job_check(j, xmlDocGetRootElement(j->doc), &j->type)) != R_NONE)
		j->refusal_path = "/Header";
	j->refusal = r;
	j->xml_len = j->content.len;
	/* The tree (or the refusal) is all that is needed from here: a batch
	 * need not hold every envelope twice more in memory. */
	buf_free(&j->raw);
	buf_free(&j->content);
}

/* Stage 2, in the batch's transaction: a child transaction per envelope, so
 * that a refusal by a rule leaves nothing but its recorded answer (R25). */
static int job_apply(struct job *j, store_txn *txn)
{
	struct buf ack;
	store_txn *child;
	int rc;

	buf_init(&ack);
	if (j->refusal != R_NONE) {
		log_warn(j->id, "file=%s from=%s status=refused code=%s detail=\"%s\"",
		    spool_original_name(j->work_name), j->party ? j->party->code : "-",
		    reason_code(j->refusal), j->detail);
		metrics_envelope(j->type ? j->type->root : NULL, "refused", reason_code(j->refusal), metrics_age(j->id));
		rc = 0;
		if (j->party) {		/* a negative ack only to an identified signer */
			reply_error(&j->reply, -1, j->refusal, j->refusal_path, "%s", j->detail);
			reply_ack_xml(&j->reply, j->hub->codes, &ack);
			rc = job_queue_ack(j, txn, &ack, ACK_NOT_KEPT);
		}
		buf_free(&ack);
		return rc;
	}
	if ((child = store_begin_child(j->hub->store, txn)) == NULL)
		return -1;
	rc = job_apply_txn(j, j->type, xmlDocGetRootElement(j->doc), child, &ack, &j->replayed);
	if (rc == 0)
		rc = store_commit(child) == 0 ? 0 : -1;
	else {
		store_abort(child);
		if (rc == 1) {		/* refused by a rule: record the answer only */
			reply_ack_xml(&j->reply, j->hub->codes, &ack);
			rc = job_queue_ack(j, txn, &ack, ACK_KEEP);
		}
	}
	buf_free(&ack);
	if (rc == 0)
		job_log_outcome(j, j->replayed);
	return rc;
}

/* Stage 4: the envelope leaves work/ — its effect and answer are durable. */
static int job_finish(struct job *j)
{
	const struct reply_error *e = j->reply.nerrors ? &j->reply.errors[0] : NULL;
	struct buf text;
	int rc;

	if (j->refusal == R_NONE && ((j->replayed && !j->recovered) || strcmp(reply_outcome(&j->reply), "refused") != 0 || e == NULL))
		rc = spool_archive(&j->hub->spool, j->work_name, j->now);
	else {
		buf_init(&text);
		if (j->refusal != R_NONE)
			job_reason_text(j, j->refusal, j->refusal_path, j->detail, &text);
		else
			job_reason_text(j, e->code, e->path, e->detail, &text);
		rc = spool_reject(&j->hub->spool, j->work_name, text.data);
		buf_free(&text);
	}
	if (rc < 0)
		log_error(j->id, "file=%s error=\"cannot move out of work/ 无法移出工作目录: %s\"",
		    spool_original_name(j->work_name), strerror(errno));
	return rc;
}

/* The size of a file of work/, 0 if it cannot be known (job_open will say why). */
static long work_bytes(const struct hub *h, const char *work_name)
{
	char path[PATH_MAX];
	struct stat st;

	if (safeio_path(path, h->spool.work, work_name) == 0 && lstat(path, &st) == 0)
		return (long)st.st_size;
	return 0;
}

static void job_init(struct job *j, struct hub *h, const char *work_name, long bytes, time_t now)
{
	memset(j, 0, sizeof(*j));
	j->hub = h;
	j->work_name = work_name;
	j->now = now;
	j->bytes = bytes;
	spool_work_id(work_name, j->id, sizeof(j->id));
	reply_init(&j->reply, j->id, h->conf.hub_code, spool_original_name(work_name), "");
	buf_init(&j->raw);
	buf_init(&j->content);
}

static void job_free(struct job *j)
{
	buf_free(&j->raw);
	buf_free(&j->content);
	reply_free(&j->reply);
	if (j->doc)
		xmlFreeDoc(j->doc);
}

/* A batch on its way through the stages. */
struct batch {
	struct job		*jobs;
	size_t			 n;
	time_t			 now;
	struct pool_task	*preparing;	/* on the pool's threads; NULL: prepared */
	unsigned long		 round;		/* of the sealer, while applied and emitted */
};

/* Past the envelopes the pool may prepare while envelope i is applied.  A
 * big one (INBOUND_TRIM_BYTES) and those after it are left to the applying
 * thread: its tree then comes from, and goes back to, that thread's malloc
 * arena, where the answers built next reuse its room (a 100,000-item receipt
 * peaked at 228 or 280 MiB, by the thread that parsed it). */
static size_t batch_ahead(const struct batch *b, size_t i)
{
	size_t k = i;
	long held = 0;

	while (k < b->n && b->jobs[k].bytes < INBOUND_TRIM_BYTES
	    && (k < i + 2 || held + b->jobs[k].bytes <= INBOUND_AHEAD_BYTES))
		held += b->jobs[k++].bytes;
	return k;
}

/* Stage 1 starts: the batch is the first of the n names (at least one, at
 * most batch_envelopes, and no more than INBOUND_BATCH_BYTES of envelopes;
 * b->n of them), prepared on the pool's threads (here, without a pool) while
 * the caller goes on, e.g. with the batch before it. */
static void batch_start(struct hub *h, char **names, size_t n, struct batch *b)
{
	long bytes, total = 0;
	size_t i;

	if (n > (size_t)h->conf.batch_envelopes)
		n = (size_t)h->conf.batch_envelopes;
	b->jobs = xcalloc(n, sizeof(*b->jobs));
	b->now = clock_now();
	b->preparing = NULL;
	for (i = 0; i < n; i++) {
		bytes = work_bytes(h, names[i]);
		if (i > 0 && total + bytes > INBOUND_BATCH_BYTES)
			break;
		total += bytes;
		job_init(&b->jobs[i], h, names[i], bytes, b->now);
	}
	b->n = i;
	if (h->pool)
		b->preparing = pool_start(h->pool, b->n, batch_ahead(b, 0), job_prepare, b->jobs);
	else
		for (i = 0; i < b->n; i++)
			job_prepare(b->jobs, i);
}

static void batch_prepared(struct hub *h, struct batch *b)
{
	if (b->preparing != NULL)
		pool_wait(h->pool, b->preparing);
	b->preparing = NULL;
}

static void batch_free(struct hub *h, struct batch *b)
{
	size_t i;

	batch_prepared(h, b);
	for (i = 0; i < b->n; i++)
		job_free(&b->jobs[i]);
	free(b->jobs);
}

/* Stage 2: every envelope of the batch applied in ONE transaction (group
 * commit), not yet committed, with the notice bundles of the parties that
 * take them (bundle.h); the answers are signed meanwhile (sealer).  Each
 * envelope is applied as soon as it is prepared, while the pool prepares
 * those after it (issue #7: the whole batch was awaited first, the main
 * thread preparing beside the pool while nothing was applied).
 * 0 with *txn, or -1 on a store failure. */
static int batch_apply(struct hub *h, struct batch *b, store_txn **txn)
{
	struct bundles *bundles;
	size_t i;
	int rc = 0;

	b->round = sealer_begin(h->sealer, h->keys);	/* its answers are signed while it is applied */
	if ((*txn = store_begin(h->store)) == NULL)
		return -1;
	bundles = bundles_new(h->conf.hub_code, b->jobs[0].id, h->sealer);
	for (i = 0; rc == 0 && i < b->n; i++) {
		if (b->preparing != NULL) {	/* each envelope as soon as it is prepared */
			pool_ahead(h->pool, b->preparing, batch_ahead(b, i));
			pool_wait_index(h->pool, b->preparing, i);
		}
		b->jobs[i].bundles = bundles;
		rc = job_apply(&b->jobs[i], *txn);
		b->jobs[i].bundles = NULL;
		if (b->jobs[i].doc) {	/* a replay or a refusal: its tree is no longer needed */
			xmlFreeDoc(b->jobs[i].doc);
			b->jobs[i].doc = NULL;
		}
	}
	batch_prepared(h, b);
	if (rc == 0)
		rc = bundles_flush(bundles, h->store, *txn);
	bundles_free(bundles);
	return rc;
}

/* Stage 4, once the batch's files are durable (written): every envelope
 * leaves work/.  The number finished. */
static int batch_finish(struct hub *h, struct batch *b, int written)
{
	size_t i;
	int done = 0;

	if (!written)
		log_warn(NULL, "outbox not fully written 回执未能全部写出: %zu envelopes stay in work/ for a retry", b->n);
	else {
		for (i = 0; i < b->n; i++)
			done += job_finish(&b->jobs[i]) == 0;
		spool_sync(&h->spool, b->now);
	}
	sealer_end(h->sealer, b->round);
	return done;
}

/* Stages 3 and 4 of a committed batch, on the caller's thread. */
static int batch_emit(struct hub *h, struct batch *b)
{
	return batch_finish(h, b, outbox_flush_pool(h->store, h->keys, h->spool.outbound, h->pool, h->sealer) == 0);
}

/* Commit, then stages 3 and 4; the batch is freed.  Returns the number
 * finished, or -1 on a store failure. */
static int batch_commit(struct hub *h, struct batch *b, store_txn *txn, int rc)
{
	int done = 0;

	if (txn != NULL)
		rc = rc == 0 ? (store_commit(txn) == 0 ? 0 : -1) : (store_abort(txn), -1);
	if (rc == 0)
		done = batch_emit(h, b);
	else
		sealer_end(h->sealer, b->round);
	batch_free(h, b);
	return rc < 0 ? -1 : done;
}

/* A committed batch whose files the emitter writes. */
struct emission {
	struct batch		 b;
	struct outbox_set	*rows;		/* collected after its commit */
	int			 finished;	/* envelopes moved out of work/ */
};

/* The emitter: a thread that writes one committed batch's files and moves
 * its envelopes out of work/ while the caller applies the next batch, so that
 * the waits for the disk (syncfs, the renames) leave the serial path (issue
 * #7).  It writes ahead: one syncfs makes a batch's temp files durable
 * together with the renames of the batch before, whose envelopes then leave
 * work/ (outbox_write_ahead; two syncfs per batch wrote each folder's and
 * each file's metadata twice).  It touches no store: the rows come
 * collected, and the caller forgets those written in the next batch's
 * transaction.  A crash before that only writes the same files again
 * (outbox.h). */
struct emitter {
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	struct hub	*hub;
	struct emission	*todo;		/* handed over; NULL: none */
	struct emission	*placed;	/* files in place, their renames not yet durable */
	struct emission	*written;	/* final: its rows are to be forgotten */
	uint64_t	 last;		/* the highest outbox row handed over */
	int		 done, stop, running;
};

/* Write e's files ahead; the emission placed before is final. */
static void emission_run(struct hub *h, struct emitter *m, struct emission *e)
{
	struct emission *prev = m->placed;
	int ok;

	ok = outbox_write_ahead(e->rows, prev ? prev->rows : NULL, h->keys, h->spool.outbound, h->pool,
	    h->sealer) == 0;
	if (prev != NULL) {
		prev->finished = batch_finish(h, &prev->b, ok);
		m->written = prev;
	}
	m->placed = e;
}

static void emission_free(struct hub *h, struct emission *e)
{
	outbox_set_free(e->rows);
	batch_free(h, &e->b);
	free(e);
}

static void *emitter_main(void *arg)
{
	struct emitter *m = arg;
	struct emission *e;

	pthread_mutex_lock(&m->lock);
	for (;;) {
		while (!m->stop && (m->todo == NULL || m->done))
			pthread_cond_wait(&m->cond, &m->lock);
		if (m->stop)
			break;
		e = m->todo;
		pthread_mutex_unlock(&m->lock);
		emission_run(m->hub, m, e);
		pthread_mutex_lock(&m->lock);
		m->done = 1;
		pthread_cond_broadcast(&m->cond);
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

static void emitter_hand(struct emitter *m, struct emission *e)
{
	if (!m->running) {		/* started for the first batch that needs it */
		pthread_mutex_init(&m->lock, NULL);
		pthread_cond_init(&m->cond, NULL);
		xthreads_start(&m->thread, 1, emitter_main, m, "emit");
		m->running = 1;
	}
	pthread_mutex_lock(&m->lock);
	m->todo = e;
	m->done = 0;
	pthread_cond_broadcast(&m->cond);
	pthread_mutex_unlock(&m->lock);
}

/* Once the emission handed over last is written ahead (the emitter is then
 * idle), the one it made final; NULL if none. */
static struct emission *emitter_wait(struct emitter *m)
{
	struct emission *e;

	if (!m->running)
		return NULL;
	pthread_mutex_lock(&m->lock);
	while (m->todo != NULL && !m->done)
		pthread_cond_wait(&m->cond, &m->lock);
	m->todo = NULL;
	e = m->written;
	m->written = NULL;
	pthread_mutex_unlock(&m->lock);
	return e;
}

static void emitter_stop(struct emitter *m)
{
	if (!m->running)
		return;
	pthread_mutex_lock(&m->lock);
	m->stop = 1;
	pthread_cond_broadcast(&m->cond);
	pthread_mutex_unlock(&m->lock);
	pthread_join(m->thread, NULL);
	pthread_cond_destroy(&m->cond);
	pthread_mutex_destroy(&m->lock);
	m->running = 0;
}

/* A final emission's written rows forgotten in txn (or, with txn NULL, in a
 * transaction of their own), its envelopes counted, the emission freed.  The
 * rows of a failed write stay for the next outbox_flush. */
static int emission_forget(struct hub *h, struct emission *e, store_txn *txn, int *finished)
{
	store_txn *own = NULL;
	int rc = 0;

	if (txn == NULL && (txn = own = store_begin(h->store)) == NULL)
		rc = -1;
	else if (outbox_forget(h->store, txn, e->rows) < 0)
		rc = -1;
	if (own != NULL)
		rc = rc == 0 ? (store_commit(own) == 0 ? 0 : -1) : (store_abort(own), -1);
	*finished += e->finished;
	emission_free(h, e);
	return rc;
}

/* The emission made final by the last one handed over, forgotten in txn. */
static int emitter_settle(struct hub *h, struct emitter *m, store_txn *txn, int *finished)
{
	struct emission *e = emitter_wait(m);

	return e == NULL ? 0 : emission_forget(h, e, txn, finished);
}

/* Everything handed over made final and forgotten, each in a transaction
 * of its own: the renames of the batch placed last made durable here. */
static int emitter_drain(struct hub *h, struct emitter *m, int *finished)
{
	struct emission *e;
	int rc = emitter_settle(h, m, NULL, finished);

	if ((e = m->placed) != NULL) {
		m->placed = NULL;
		e->finished = batch_finish(h, &e->b, outbox_write_settle(e->rows) == 0);
		if (emission_forget(h, e, NULL, finished) < 0)
			rc = -1;
	}
	return rc;
}

/* Commit the applied batch (with the forgetting of the one made final),
 * then hand it to the emitter.  A batch with more rows than one outbox
 * round is emitted here instead, once everything before is final.  0, or
 * -1 on a store failure (the batch is freed). */
static int pipeline_commit(struct hub *h, struct emitter *m, struct batch *b, store_txn *txn, int rc,
    int *finished)
{
	struct emission *e;
	uint64_t last = m->last;
	int more = 0;

	if (rc != 0 && txn != NULL) {	/* before anything else waits for its locks */
		store_abort(txn);
		txn = NULL;
		rc = -1;
	}
	if (emitter_settle(h, m, txn, finished) < 0)
		rc = -1;
	if (txn != NULL)
		rc = rc == 0 ? (store_commit(txn) == 0 ? 0 : -1) : (store_abort(txn), -1);
	if (rc < 0) {
		sealer_end(h->sealer, b->round);
		batch_free(h, b);
		return -1;
	}
	e = xcalloc(1, sizeof(*e));
	e->b = *b;
	/* The rows after those handed over: the batch placed last is not forgotten yet. */
	if ((e->rows = outbox_collect(h->store, m->last, &last, &more)) != NULL && !more) {
		m->last = last;
		emitter_hand(m, e);
		return 0;
	}
	rc = emitter_drain(h, m, finished);
	if (e->rows != NULL)
		*finished += batch_emit(h, b);
	else {
		sealer_end(h->sealer, b->round);
		rc = -1;
	}
	emission_free(h, e);
	return rc;
}

int inbound_process(struct hub *h, const char *work_name)
{
	char *names[1] = {(char *)work_name};
	struct batch b;
	store_txn *txn = NULL;
	int rc;

	batch_start(h, names, 1, &b);
	rc = batch_apply(h, &b, &txn);
	rc = batch_commit(h, &b, txn, rc);
	return rc < 0 ? -1 : rc == 1 ? 0 : 1;
}

/* Claim the ready names into work/, appending their work names to l. */
static void inbound_claim(struct hub *h, const struct spool_list *ready, struct spool_list *l,
    int (*stop)(void))
{
	char work_name[SPOOL_WORK_MAX];
	size_t i;

	for (i = 0; i < ready->n && !(stop && stop()); i++) {
		if (spool_claim(&h->spool, ready->names[i], work_name, sizeof(work_name)) < 0) {
			if (errno != ENOENT)
				log_error(ready->names[i], "error=\"cannot claim 无法领取: %s\"", strerror(errno));
			continue;
		}
		spool_list_add(l, work_name);
	}
}

int inbound_run(struct hub *h, int (*stop)(void), size_t *waiting)
{
	struct spool_list work, ready;
	struct batch cur, next;
	struct emitter em;
	store_txn *txn;
	size_t i, k;
	int n = 0, rc, more, pipeline;

	/* Leftovers in work/ first (claimed before a crash, or deferred), then new files. */
	if (spool_work(&h->spool, &work) < 0)
		return -1;
	if (spool_ready(&h->spool, h->conf.settle_ms, &ready) < 0) {
		spool_list_free(&work);
		return -1;
	}
	inbound_claim(h, &ready, &work, stop);
	if (waiting != NULL)
		*waiting = ready.waiting;
	spool_list_free(&ready);
	memset(&em, 0, sizeof(em));
	em.hub = h;
	rc = 0;
	cur.n = 0;
	if (work.n > 0 && !(stop && stop()))
		batch_start(h, work.names, work.n, &cur);
	/* A backlog of several batches goes through the pipeline; one batch
	 * alone is committed and emitted right away. */
	pipeline = h->pool != NULL && cur.n < work.n;
	for (i = 0; cur.n > 0; i += k, cur = next) {
		k = cur.n;
		notify_watchdog();	/* a long backlog is progress, not a hang */
		txn = NULL;
		rc = batch_apply(h, &cur, &txn);
		/* The next batch is prepared while this one is committed and emitted. */
		more = rc == 0 && i + k < work.n && !(stop && stop());
		next.n = 0;
		if (more)
			batch_start(h, work.names + i + k, work.n - i - k, &next);
		if (pipeline)
			rc = pipeline_commit(h, &em, &cur, txn, rc, &n);
		else if ((rc = batch_commit(h, &cur, txn, rc)) > 0)
			n += rc;
		if (rc < 0 && more) {
			batch_free(h, &next);
			break;
		}
	}
	if (emitter_drain(h, &em, &n) < 0)
		rc = -1;
	emitter_stop(&em);
	spool_list_free(&work);
	return rc < 0 ? -1 : n;
}
