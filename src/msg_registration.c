/* msg_registration — 报关企业信息登记/变更 BrokerRegistration (R3) and the
 * association's RegistrationDecision (R4).  A registration or change is
 * kept pending beside the approved facts, which stay in force until an
 * approval replaces them; approval sets valid_until = now + the configured
 * validity (registration_validity_days). */
#include "msg.h"
#include "xmem.h"
#include "xmlin.h"
#include <stdio.h>
#include <string.h>

static void registration_read(xmlNodePtr root, struct registration *r)
{
	xmlNodePtr e = xmlin_child(root, "Enterprise"), d;
	int i = 0;

	memset(r, 0, sizeof(*r));
	xmlin_text(e, "Code", r->code, sizeof(r->code));
	xmlin_text(e, "CreditCode", r->credit, sizeof(r->credit));
	xmlin_text(e, "Name", r->name, sizeof(r->name));
	xmlin_text(e, "District", r->district, sizeof(r->district));
	xmlin_text(e, "Address", r->address, sizeof(r->address));
	xmlin_text(e, "Introduction", r->introduction, sizeof(r->introduction));
	xmlin_text(e, "PublicPhone", r->public_phone, sizeof(r->public_phone));
	xmlin_text(xmlin_child(e, "Manager"), "Name", r->manager_name, sizeof(r->manager_name));
	xmlin_text(xmlin_child(e, "Manager"), "IdNumber", r->manager_id, sizeof(r->manager_id));
	for (d = xmlin_child(root, "Declarant"); d; d = xmlin_next(d, "Declarant"), i++) {
		if (i >= MAX_DECLARANTS)
			continue;
		xmlin_text(d, "Name", r->declarants[i].name, sizeof(r->declarants[i].name));
		xmlin_text(d, "Number", r->declarants[i].number, sizeof(r->declarants[i].number));
		xmlin_text(d, "Phone", r->declarants[i].phone, sizeof(r->declarants[i].phone));
	}
	r->ndeclarants = i;
}

int msg_registration_apply(struct msg_ctx *ctx, xmlNodePtr root)
{
	const struct party *p;
	struct registration r;
	size_t i;

	registration_read(root, &r);
	if (strcmp(r.code, ctx->sender->code) != 0) {
		reply_error(ctx->reply, -1, R_ROLE_FORBIDDEN, "/BrokerRegistration/Enterprise/Code",
		    "a broker registers itself only, not %s", r.code);
		return 0;
	}
	if (r.ndeclarants < 1 || r.ndeclarants > MAX_DECLARANTS) {	/* R3 */
		reply_error(ctx->reply, -1, R_DECLARANT_COUNT, "/BrokerRegistration/Declarant",
		    "%d declarants given", (int)r.ndeclarants);
		return 0;
	}
	if (!credit_code_ok(r.credit)) {
		reply_error(ctx->reply, -1, R_CREDIT_CODE_INVALID, "/BrokerRegistration/Enterprise/CreditCode",
		    "%s", r.credit);
		return 0;
	}
	r.submitted_at = ctx->now;
	if (store_registration_put(ctx->store, ctx->txn, 'P', &r) < 0)
		return -1;
	for (i = 0; (p = registry_at(ctx->registry, i)) != NULL; i++)	/* R4: for the association */
		if (p->role == ROLE_ASSOCIATION)
			msg_notice(ctx, p->code, "registration-waiting", NULL);
	return 0;
}

int msg_decision_apply(struct msg_ctx *ctx, xmlNodePtr root)
{
	char broker[11], decision[16];
	struct registration r;
	struct notice *n;
	int rc, approve;

	xmlin_text(root, "Broker", broker, sizeof(broker));
	xmlin_text(root, "Decision", decision, sizeof(decision));
	approve = strcmp(decision, "approve") == 0;
	if ((rc = store_registration_get(ctx->store, ctx->txn, broker, 'P', &r)) != 0) {
		if (rc > 0)
			reply_error(ctx->reply, -1, R_REGISTRATION_NOT_PENDING, "/RegistrationDecision/Broker",
			    "broker %s", broker);
		return rc < 0 ? -1 : 0;
	}
	if (store_registration_del(ctx->store, ctx->txn, broker, 'P') < 0)
		return -1;
	n = msg_notice(ctx, broker, approve ? "registration-approved" : "registration-rejected", NULL);
	xmlin_text(root, "Remark", n->remark, sizeof(n->remark));
	if (!approve)
		return 0;	/* the approved facts, if any, stay in force (R4) */
	r.approved_at = ctx->now;
	r.valid_until = ctx->now + ctx->conf->registration_validity_days * 86400L;
	r.warned_for = 0;
	strlcopy(r.approved_by, ctx->sender->code, sizeof(r.approved_by));
	n->valid_until = r.valid_until;
	return store_registration_put(ctx->store, ctx->txn, 'A', &r);
}
