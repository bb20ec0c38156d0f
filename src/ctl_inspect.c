/* ctl_inspect — entrustctl inspect FILE: everything the daemon would find
 * out about an envelope, without applying it: the CMS envelope and its
 * signer (R1), the party bound to it (or when its binding ended), the
 * signing time, the content type, the XML pretty-printed, the schema
 * result, the header and role checks (R1, R2), whether it is a replay
 * (R25), and a dry summary of its items.
 * Failure contract: CTL_NOTFOUND if the file cannot be found, CTL_STORE if
 * the trust store, registry or schema cannot be loaded; a bad envelope is
 * a finding, reported with exit 0. */
#include "clock.h"
#include "ctl_party.h"
#include "ctl_spool.h"
#include "envelope.h"
#include "msg.h"
#include "registry.h"
#include "safeio.h"
#include "spool.h"
#include "store.h"
#include "xmem.h"
#include "xmlin.h"
#include <libxml/parser.h>
#include <openssl/pem.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct finding {
	struct buf		 raw, content, summary;	/* summary: NUL-separated lines */
	struct envelope_signer	 signer;
	enum reason		 env, schema, verdict;
	char			 env_detail[512], schema_detail[512], verdict_detail[256];
	char			 signing_time[32], content_type[64], sha256[65];
	char			 type[64], msgid[65], sender[11];
	const struct party	*party;		/* &bound, when the signer is bound (R1) */
	struct party		 bound;
	int			 replay;
	xmlChar			*pretty;
	int			 pretty_len;
};

/* FILE as given, else error/FILE, inbound/FILE, dead/FILE; dir and name split. */
static int inspect_locate(const struct ctl *c, const char *file, char *dir, char *name)
{
	static const char *const where[] = {"error", "inbound", "dead", "work"};
	char path[PATH_MAX];
	struct stat st;
	size_t i;

	if (stat(file, &st) == 0) {
		ctl_dirname(dir, file);
		strlcopy(name, strrchr(file, '/') ? strrchr(file, '/') + 1 : file, PATH_MAX);
		return 0;
	}
	for (i = 0; strchr(file, '/') == NULL && i < sizeof(where) / sizeof(where[0]); i++)
		if (safeio_path(dir, c->conf.spool_dir, where[i]) == 0 && safeio_path(path, dir, file) == 0
		    && stat(path, &st) == 0) {
			strlcopy(name, file, PATH_MAX);
			return 0;
		}
	return -1;
}

/* The signer's subject as readable UTF-8: the certificate with the signer's fingerprint. */
static void inspect_subject(CMS_ContentInfo *cms, struct finding *f)
{
	STACK_OF(X509) *certs = CMS_get1_certs(cms);
	char fpr[65];
	int i;

	for (i = 0; certs && i < sk_X509_num(certs); i++) {
		X509 *x = sk_X509_value(certs, i);
		unsigned char *der = NULL;
		int len = i2d_X509(x, &der);

		if (len > 0) {
			envelope_sha256_hex(der, (size_t)len, fpr);
			if (strcmp(fpr, f->signer.fingerprint) == 0)
				ctl_party_subject(x, f->signer.subject, sizeof(f->signer.subject));
		}
		OPENSSL_free(der);
	}
	sk_X509_pop_free(certs, X509_free);
}

/* The CMS content type and signingTime attribute, which envelope_open does not report. */
static void inspect_cms_attrs(struct finding *f)
{
	BIO *in = BIO_new_mem_buf(f->raw.data, (int)f->raw.len);
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *si;
	ASN1_TYPE *t;
	struct tm tm;
	int i;

	if (in != NULL)
		cms = f->raw.len > 11 && memcmp(f->raw.data, "-----BEGIN ", 11) == 0
		    ? PEM_read_bio_CMS(in, NULL, NULL, NULL) : d2i_CMS_bio(in, NULL);
	if (cms != NULL && OBJ_obj2nid(CMS_get0_type(cms)) == NID_pkcs7_signed) {
		OBJ_obj2txt(f->content_type, sizeof(f->content_type), CMS_get0_eContentType(cms), 0);
		if (sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)) == 1) {
			si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
			i = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
			t = i >= 0 ? X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(si, i), 0) : NULL;
			if (t && (t->type == V_ASN1_UTCTIME || t->type == V_ASN1_GENERALIZEDTIME)
			    && ASN1_TIME_to_tm((ASN1_TIME *)t->value.ptr, &tm) == 1)
				strftime(f->signing_time, sizeof(f->signing_time), "%Y-%m-%dT%H:%M:%SZ", &tm);
		}
	}
	if (cms != NULL && f->signer.fingerprint[0])
		inspect_subject(cms, f);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	ERR_clear_error();
}

static void summary_add(struct finding *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void summary_add(struct finding *f, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	buf_add(&f->summary, line, strlen(line) + 1);
}

/* The current status of an agreement named in the message, for the summary. */
static void summary_agreement(struct finding *f, struct store *s, const char *what, const char *number)
{
	struct agreement *a = xmalloc(sizeof(*a));

	if (s && store_agreement_get(s, NULL, number, a) == 0)
		summary_add(f, "%s %s: now 当前 %d %s (%s ↔ %s)", what, number, (int)a->status,
		    agreement_status_zh((int)a->status), a->consignor, a->broker);
	else
		summary_add(f, "%s %s: not in the store 库中无此协议", what, number);
	free(a);
}

/* What applying would touch, item by item (rules are judged only at apply time). */
static void inspect_items(struct finding *f, struct store *s, xmlNodePtr root)
{
	char a[64], b[64], cc[64], d[64];
	xmlNodePtr n, l = xmlin_child(root, "Letter");
	int k = 0;

	if (strcmp(f->type, "EntrustRequest") == 0) {
		xmlin_text(xmlin_child(l, "Consignor"), "Code", a, sizeof(a));
		xmlin_text(xmlin_child(l, "Broker"), "Code", b, sizeof(b));
		summary_add(f, "letter 委托书: consignor 委托方 %s, broker 被委托方 %s, %s", a, b,
		    xmlin_child(l, "Mode") ? "new letter terms 新建委托书" : "append to the live letter 追加协议");
		for (n = xmlin_child(root, "Agreement"); n; n = xmlin_next(n, "Agreement"), k++) {
			xmlin_attr(n, "ref", a, sizeof(a));
			xmlin_text(n, "GoodsName", b, sizeof(b));
			xmlin_text(n, "BillOfLading", cc, sizeof(cc));
			xmlin_text(n, "Payer", d, sizeof(d));
			summary_add(f, "agreement 协议 ref=%s goods=%s bill=%s payer=%s%s", a, b, cc, d,
			    xmlin_child(n, "BrokerHalf") ? " +broker half 含右半" : "");
		}
		summary_add(f, "would create %d agreement(s) in status 0 将新建%d份协议", k, k);
		return;
	}
	for (n = root->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, "Header") == 0)
			continue;
		if (xmlin_text(n, "Agreement", a, sizeof(a)) > 0) {
			xmlin_text(n, "Event", b, sizeof(b));
			if (b[0] == '\0')
				xmlin_text(n, xmlin_child(n, "Accept") ? "Accept" : "Agree", b, sizeof(b));
			summary_agreement(f, s, b[0] ? b : (const char *)n->name, a);
		} else if (n->children == NULL || n->children->type == XML_TEXT_NODE) {
			xmlChar *t = xmlNodeGetContent(n);

			summary_add(f, "%s: %s", n->name, t ? (const char *)t : "");
			xmlFree(t);
		} else
			summary_add(f, "%s", n->name);
	}
	if (strcmp(f->type, "EntrustRequest") != 0 && (n = xmlin_child(root, "Agreement")) && n->children
	    && n->children->type == XML_TEXT_NODE)
		summary_agreement(f, s, "agreement", (const char *)n->children->content);
}

/* R1, R2 and R25 as the daemon would judge them, on a valid document. */
static void inspect_verdict(struct finding *f, struct store *s, xmlNodePtr root)
{
	const struct msg_type *t = msg_lookup((const char *)root->name);
	char key[96];

	xmlNodePtr h = xmlin_child(root, "Header");

	xmlin_text(h, "MessageId", f->msgid, sizeof(f->msgid));
	xmlin_text(h, "Sender", f->sender, sizeof(f->sender));
	if (t == NULL)
		f->verdict = R_MSG_TYPE_UNKNOWN;
	else if (f->party == NULL)
		f->verdict = f->env;
	else if (strcmp(f->sender, f->party->code) != 0) {
		f->verdict = R_SENDER_MISMATCH;
		snprintf(f->verdict_detail, sizeof(f->verdict_detail), "Header/Sender %s, signer bound to %s",
		    f->sender, f->party->code);
	} else if (!(t->roles & (1u << f->party->role))) {
		f->verdict = R_ROLE_FORBIDDEN;
		snprintf(f->verdict_detail, sizeof(f->verdict_detail), "a %s may not send %s",
		    role_name(f->party->role), root->name);
	}
	snprintf(key, sizeof(key), "%s|%s", f->party ? f->party->code : "", f->msgid);
	if (f->verdict == R_NONE && s && store_get(s, NULL, SDB_SEEN, key, strlen(key), NULL) == 0)
		f->replay = 1;
	inspect_items(f, s, root);
}

/* The content pretty-printed: the valid document, or an invalid one parsed
 * again without the schema (xmlin_parse has already refused DOCTYPEs). */
static void inspect_pretty(struct finding *f, xmlDocPtr doc)
{
	xmlDocPtr d = doc;

	if (d == NULL && f->schema == R_XML_INVALID)
		d = xmlReadMemory(f->content.data, (int)f->content.len, "content.xml", "UTF-8",
		    XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR);
	if (d != NULL)
		xmlDocDumpFormatMemoryEnc(d, &f->pretty, &f->pretty_len, "UTF-8", 1);
	if (d != doc)
		xmlFreeDoc(d);
}
/* R1: bound to nobody; say so when a binding ended (a roll-over overlap ran out). */
static void inspect_unbound(struct finding *f, const struct registry *reg)
{
	char when[32];
	time_t ended = registry_ended(reg, f->signer.fingerprint, clock_now());

	f->verdict = R_SIGNER_UNBOUND;
	if (ended == 0)
		return;
	registry_time(when, ended);
	snprintf(f->verdict_detail, sizeof(f->verdict_detail), "binding ended at %s 证书绑定已于 %s 结束 sha256=%s",
	    when, when, f->signer.fingerprint);
}


/* Open the envelope, bind the signer, parse and validate the content. */
static int inspect_run(struct ctl *c, struct finding *f, const char *dir, const char *name)
{
	char err[1024], xsd[PATH_MAX];
	struct envelope_keys *keys;
	struct registry *reg;
	const struct party *p;
	struct xmlin *x;
	xmlDocPtr doc = NULL;
	int rc;

	if ((rc = safeio_read(dir, name, (size_t)c->conf.max_envelope_bytes, &f->raw)) != SAFEIO_OK)
		return ctl_fail(CTL_NOTFOUND, "%s/%s: cannot read safely 无法安全读取 (%d)", dir, name, rc);
	envelope_sha256_hex(f->raw.data, f->raw.len, f->sha256);
	if ((keys = envelope_keys_load(c->conf.trust_ca, c->conf.hub_cert, c->conf.hub_key, err, sizeof(err))) == NULL)
		return ctl_fail(CTL_STORE, "%s", err);
	if (envelope_keys_policy(keys, c->conf.crl_file, c->conf.signing_time_ahead_s,
	    c->conf.signing_time_behind_s, err, sizeof(err)) < 0) {
		envelope_keys_free(keys);
		return ctl_fail(CTL_STORE, "%s", err);
	}
	if ((reg = registry_load(c->conf.registry, err, sizeof(err))) == NULL) {
		envelope_keys_free(keys);
		return ctl_fail(CTL_STORE, "%s", err);
	}
	if (safeio_path(xsd, c->conf.xsd_dir, "entrust.xsd") < 0 || (x = xmlin_load(xsd, err, sizeof(err))) == NULL) {
		envelope_keys_free(keys);
		registry_free(reg);
		return ctl_fail(CTL_STORE, "%s", err);
	}
	f->env = envelope_open(keys, f->raw.data, f->raw.len, &f->content, &f->signer, f->env_detail,
	    sizeof(f->env_detail));
	inspect_cms_attrs(f);
	if (f->signer.fingerprint[0] && registry_by_fingerprint(reg, f->signer.fingerprint, &p) == 1) {
		f->bound = *p;
		f->party = &f->bound;
	}
	f->verdict = f->env;
	if (f->env == R_NONE && f->party == NULL)
		inspect_unbound(f, reg);
	if (f->content.len) {
		f->schema = xmlin_parse(x, f->content.data, f->content.len, &doc, f->schema_detail,
		    sizeof(f->schema_detail));
		inspect_pretty(f, doc);
		if (doc) {
			strlcopy(f->type, (const char *)xmlDocGetRootElement(doc)->name, sizeof(f->type));
			if (f->verdict == R_NONE)
				inspect_verdict(f, ctl_store(c), xmlDocGetRootElement(doc));
			xmlFreeDoc(doc);
		} else if (f->verdict == R_NONE)
			f->verdict = f->schema;
	}
	xmlin_free(x);
	registry_free(reg);
	envelope_keys_free(keys);
	return CTL_OK;
}

static const char *reason_or_ok(enum reason r)
{
	return r == R_NONE ? "OK" : reason_code(r);
}

static void inspect_json(struct ctl *c, struct finding *f, const char *verdict)
{
	size_t off;

	json_open(&c->j, '{');
	json_kint(&c->j, "size", (int64_t)f->raw.len);
	json_kstr(&c->j, "sha256", f->sha256);
	json_kstr(&c->j, "envelope", reason_or_ok(f->env));
	json_kstr(&c->j, "envelope_detail", f->env_detail);
	json_key(&c->j, "signer");
	json_open(&c->j, '{');
	json_kstr(&c->j, "subject", f->signer.subject);
	json_kstr(&c->j, "fingerprint", f->signer.fingerprint);
	json_kstr(&c->j, "signing_time", f->signing_time);
	json_close(&c->j, '}');
	json_key(&c->j, "party");
	json_open(&c->j, '{');
	json_kstr(&c->j, "code", f->party ? f->party->code : "");
	json_kstr(&c->j, "role", f->party ? role_name(f->party->role) : "");
	json_kstr(&c->j, "name", f->party ? f->party->name : "");
	json_close(&c->j, '}');
	json_kstr(&c->j, "content_type", f->content_type);
	json_kstr(&c->j, "message_type", f->type);
	json_kstr(&c->j, "message_id", f->msgid);
	json_kstr(&c->j, "sender", f->sender);
	json_kstr(&c->j, "schema", f->content.len ? reason_or_ok(f->schema) : "");
	json_kstr(&c->j, "schema_detail", f->schema_detail);
	json_kstr(&c->j, "verdict", verdict);
	json_kstr(&c->j, "verdict_code", f->verdict == R_NONE ? "" : reason_code(f->verdict));
	json_kstr(&c->j, "verdict_detail", f->verdict_detail);
	json_key(&c->j, "summary");
	json_open(&c->j, '[');
	for (off = 0; off < f->summary.len; off += strlen(f->summary.data + off) + 1)
		json_str(&c->j, f->summary.data + off);
	json_close(&c->j, ']');
	json_kstr(&c->j, "xml", f->pretty ? (const char *)f->pretty : "");
	json_close(&c->j, '}');
	buf_adds(&c->out, "\n");
}

static void inspect_text(struct ctl *c, struct finding *f, const char *verdict)
{
	char line[600];
	size_t off;

	ctl_kint(c, "size", "大小 size (bytes)", (int64_t)f->raw.len);
	ctl_kv(c, "sha256", "SHA-256", f->sha256);
	snprintf(line, sizeof(line), "%s%s%s", reason_or_ok(f->env), f->env_detail[0] ? " — " : "", f->env_detail);
	ctl_kv(c, "envelope", "信封 envelope (CMS)", line);
	ctl_kv(c, "subject", "签名者 signer", f->signer.subject);
	ctl_kv(c, "fingerprint", "证书指纹 fingerprint", f->signer.fingerprint);
	ctl_kv(c, "signing_time", "签名时间 signing time", f->signing_time);
	if (f->party)
		snprintf(line, sizeof(line), "%s %s %s", f->party->code, role_name(f->party->role), f->party->name);
	ctl_kv(c, "party", "绑定企业 bound party", f->party ? line : "(none 未绑定)");
	ctl_kv(c, "content_type", "内容类型 content type", f->content_type);
	ctl_kv(c, "message_type", "报文类型 message type", f->type);
	ctl_kv(c, "message_id", "报文编号 message id", f->msgid);
	snprintf(line, sizeof(line), "%s%s%s", f->content.len ? reason_or_ok(f->schema) : "-",
	    f->schema_detail[0] ? " — " : "", f->schema_detail);
	ctl_kv(c, "schema", "结构校验 schema", line);
	snprintf(line, sizeof(line), "%s%s%s%s%s", verdict, f->verdict == R_NONE ? "" : " ",
	    f->verdict == R_NONE ? "" : reason_code(f->verdict), f->verdict_detail[0] ? " — " : "", f->verdict_detail);
	ctl_kv(c, "verdict", "处理结果 would be", line);
	for (off = 0; off < f->summary.len; off += strlen(f->summary.data + off) + 1)
		buf_printf(&c->out, "  · %s\n", f->summary.data + off);
	if (f->pretty)
		buf_printf(&c->out, "--- XML ---\n%s", (const char *)f->pretty);
}

int ctl_inspect(struct ctl *c)
{
	char dir[PATH_MAX], name[PATH_MAX];
	const char *verdict;
	struct finding *f;
	int rc;

	if (inspect_locate(c, c->args[0], dir, name) < 0)
		return ctl_fail(CTL_NOTFOUND, "%s: no such file (nor in error/, inbound/, dead/) 未找到", c->args[0]);
	f = xcalloc(1, sizeof(*f));
	buf_init(&f->raw);
	buf_init(&f->content);
	buf_init(&f->summary);
	if ((rc = inspect_run(c, f, dir, name)) == CTL_OK) {
		verdict = f->verdict != R_NONE ? "refused 拒收" : f->replay ? "replay 重复报文 (same ack again)"
		    : "applied 受理 (rules judged at apply time)";
		if (c->as_json)
			inspect_json(c, f, f->verdict != R_NONE ? "refused" : f->replay ? "replay" : "apply");
		else
			inspect_text(c, f, verdict);
	}
	xmlFree(f->pretty);
	buf_free(&f->raw);
	buf_free(&f->content);
	buf_free(&f->summary);
	free(f);
	return rc;
}
