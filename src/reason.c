/* reason — the table of refusal codes. Codes are stable: never renumber or rename. */
#include "reason.h"
#include "xmem.h"

struct reason_row {
	const char *code, *rule, *zh, *en;
};

static const struct reason_row reason_rows[R_COUNT] = {
	[R_NONE] = {"OK", NULL, "成功", "accepted"},
	[R_FILE_UNSAFE] = {"FILE_UNSAFE", NULL, "文件不安全：不是普通文件、是符号链接或有多个硬链接",
	    "not a plain file: a symlink, a special file or a file with several hard links"},
	[R_FILE_TOO_LARGE] = {"FILE_TOO_LARGE", NULL, "文件超过大小上限", "file larger than max_envelope_bytes"},
	[R_FILE_EMPTY] = {"FILE_EMPTY", NULL, "文件为空", "file is empty"},
	[R_FILE_CHANGED] = {"FILE_CHANGED", NULL, "文件在读取过程中被修改", "file changed while it was being read"},
	[R_ENV_UNREADABLE] = {"ENV_UNREADABLE", NULL, "无法解析的CMS信封（应为DER或PEM格式）",
	    "not a CMS envelope in DER or PEM form"},
	[R_ENV_NOT_SIGNED] = {"ENV_NOT_SIGNED", NULL, "信封不是签名数据（SignedData），或所签内容类型不是 id-data",
	    "CMS content type is not SignedData, or the signed content type is not id-data"},
	[R_ENV_DETACHED] = {"ENV_DETACHED", NULL, "信封不含报文内容（分离签名）",
	    "signature is detached: the envelope carries no content"},
	[R_ENV_SIGNER_COUNT] = {"ENV_SIGNER_COUNT", "R1", "信封必须恰好有一个签名者",
	    "the envelope must have exactly one signer"},
	[R_SIG_INVALID] = {"SIG_INVALID", "R1", "签名验证失败：内容被篡改或签名无效",
	    "signature does not verify: content altered or signature invalid"},
	[R_CERT_UNTRUSTED] = {"CERT_UNTRUSTED", "R1", "签名证书不受信任（未链接到信任的CA）",
	    "signer certificate does not chain to the trust store"},
	[R_CERT_EXPIRED] = {"CERT_EXPIRED", "R1", "签名证书已过期", "signer certificate has expired"},
	[R_CERT_NOT_YET_VALID] = {"CERT_NOT_YET_VALID", "R1", "签名证书尚未生效",
	    "signer certificate is not yet valid"},
	[R_CERT_PURPOSE] = {"CERT_PURPOSE", "R1", "签名证书用途不允许签名",
	    "signer certificate is not allowed for signing (key usage / extended key usage)"},
	[R_SIGNER_UNBOUND] = {"SIGNER_UNBOUND", "R1", "签名证书未绑定任何已登记企业",
	    "signer certificate is not bound to a registered party"},
	[R_SIGNER_AMBIGUOUS] = {"SIGNER_AMBIGUOUS", "R1", "签名证书绑定了多个企业",
	    "signer certificate is bound to more than one party"},
	[R_XML_MALFORMED] = {"XML_MALFORMED", NULL, "报文不是格式正确的XML", "content is not well-formed XML"},
	[R_XML_FORBIDDEN] = {"XML_FORBIDDEN", NULL, "报文含禁止的结构（DOCTYPE、实体）或不是UTF-8编码",
	    "content uses a forbidden construct (DOCTYPE, entities) or is not UTF-8"},
	[R_XML_INVALID] = {"XML_INVALID", NULL, "报文不符合XSD结构定义", "content is not valid against xsd/"},
	[R_MSG_TYPE_UNKNOWN] = {"MSG_TYPE_UNKNOWN", NULL, "未知的报文类型", "unknown message type"},
	[R_SENDER_MISMATCH] = {"SENDER_MISMATCH", "R1", "报文发送方与签名企业不一致",
	    "Header/Sender is not the party the signer certificate is bound to"},
	[R_ROLE_FORBIDDEN] = {"ROLE_FORBIDDEN", "R2", "该角色无权发送此报文或不是该单证的当事方",
	    "the sender's role may not send this message, or it is not a party to the document"},
	[R_PARTY_UNKNOWN] = {"PARTY_UNKNOWN", "R2", "对方企业未登记或角色不符",
	    "the counterparty is not registered in that role"},
	[R_LETTER_TERMS_MISSING] = {"LETTER_TERMS_MISSING", "R8", "建立委托书须填写委托方式、委托事项和有效期",
	    "a new letter needs Mode, Matter and ValidityMonths"},
	[R_LETTER_TERMS_FIXED] = {"LETTER_TERMS_FIXED", "R8", "追加委托协议不能修改委托书的有效期或自动确认设置",
	    "an append cannot change the live letter's validity or auto-confirm flag"},
	[R_BROKER_HALF_REQUIRED] = {"BROKER_HALF_REQUIRED", "R9", "报关企业发起委托须同时填写协议右半部分（被委托方）",
	    "a broker initiating must fill both halves (BrokerHalf)"},
	[R_DUPLICATE_REF] = {"DUPLICATE_REF", NULL, "同一报文中协议引用号（ref）重复",
	    "two agreements in one message share the same ref"},
	[R_DECLARANT_COUNT] = {"DECLARANT_COUNT", "R3", "报关员信息须为1至5条", "a registration needs 1 to 5 declarants"},
	[R_CREDIT_CODE_INVALID] = {"CREDIT_CODE_INVALID", NULL, "统一社会信用代码校验位错误（GB 32100）",
	    "unified social credit code fails its GB 32100 check character"},
	[R_REGISTRATION_NOT_PENDING] = {"REGISTRATION_NOT_PENDING", "R4", "该报关企业没有待审批的登记或变更",
	    "the broker has no registration or change awaiting approval"},
	[R_BROKER_NOT_APPROVED] = {"BROKER_NOT_APPROVED", "R5", "报关企业登记未经审批或已超过有效截止日期",
	    "the broker has no approved, unexpired registration"},
	[R_CODE_UNKNOWN] = {"CODE_UNKNOWN", "R12", "代码不在代码表中", "code not found in the code table"},
	[R_STATUS_TRANSITION] = {"STATUS_TRANSITION", "R13", "委托协议当前状态不允许此操作",
	    "the agreement's current status does not allow this change"},
	[R_AUTO_CONFIRM_CONSIGNOR_ONLY] = {"AUTO_CONFIRM_CONSIGNOR_ONLY", "R14", "只有委托方可以设置委托协议自动确认",
	    "only the consignor turns auto-confirm on or off"},
	[R_BILL_OF_LADING_MISMATCH] = {"BILL_OF_LADING_MISMATCH", "R15", "回执中的提(运)单号与委托协议不一致",
	    "the bill of lading in the receipt differs from the agreement's"},
	[R_REVOKE_FORBIDDEN] = {"REVOKE_FORBIDDEN", "R16", "只有委托方可以申请撤销，只有被委托方可以答复撤销",
	    "only the consignor asks for revocation and only the broker answers it"},
	[R_INSUFFICIENT_BALANCE] = {"INSUFFICIENT_BALANCE", "R19", "账户余额不足",
	    "insufficient balance: the payer has no available agreement unit"},
	[R_LETTER_UNKNOWN] = {"LETTER_UNKNOWN", "R2", "委托书不存在或您不是其当事方",
	    "no such letter, or you are not a party to it"},
	[R_AGREEMENT_UNKNOWN] = {"AGREEMENT_UNKNOWN", "R2", "委托协议不存在或您不是其当事方",
	    "no such agreement, or you are not a party to it"},
	[R_CONFIRM_FORBIDDEN] = {"CONFIRM_FORBIDDEN", "R9", "发起方不能确认自己发起的委托协议",
	    "the initiator cannot confirm its own agreement: the other side confirms"},
	[R_QUERY_INVALID] = {"QUERY_INVALID", NULL, "查询条件无效", "query conditions are invalid"},
	[R_INTERNAL] = {"INTERNAL", NULL, "系统内部错误，请联系运营方", "internal error; the operator has been told"},
	[R_CERT_REVOKED] = {"CERT_REVOKED", "R1", "签名证书已被吊销（证书吊销列表）",
	    "signer certificate has been revoked (certificate revocation list)"},
	[R_SIG_ALGORITHM] = {"SIG_ALGORITHM", "R1", "签名使用的摘要算法不被接受（仅限 SHA-256、SHA-384、SHA-512）",
	    "digest or signature algorithm not accepted (SHA-256, SHA-384 or SHA-512 only)"},
	[R_SIG_TIME] = {"SIG_TIME", "R1", "签名时间（signingTime）与枢纽时钟相差过大",
	    "signingTime is too far from the hub's clock"},
	[R_RETURN_TIME_INVALID] = {"RETURN_TIME_INVALID", NULL,
	    "回执时间（ReturnTime）不是有效的 yyyyMMddHHmmssSSS 时间（中国时间）",
	    "ReturnTime is not a real time in the form yyyyMMddHHmmssSSS (China time)"},
};

static const struct reason_row *reason_row(enum reason r)
{
	if ((unsigned)r >= R_COUNT || reason_rows[r].code == NULL)
		panic("reason: unknown code %d", (int)r);
	return &reason_rows[r];
}

const char *reason_code(enum reason r) { return reason_row(r)->code; }
const char *reason_rule(enum reason r) { return reason_row(r)->rule; }
const char *reason_zh(enum reason r) { return reason_row(r)->zh; }
const char *reason_en(enum reason r) { return reason_row(r)->en; }
