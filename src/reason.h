/* reason — the stable refusal codes: machine code, the rule it enforces,
 * and a sentence in Chinese and English.  One table, used by reason files,
 * log lines and negative acknowledgements alike (docs/protocol.md §错误代码). */
#ifndef REASON_H
#define REASON_H

enum reason {
	R_NONE = 0,
	R_FILE_UNSAFE, R_FILE_TOO_LARGE, R_FILE_EMPTY, R_FILE_CHANGED,
	R_ENV_UNREADABLE, R_ENV_NOT_SIGNED, R_ENV_DETACHED, R_ENV_SIGNER_COUNT,
	R_SIG_INVALID, R_CERT_UNTRUSTED, R_CERT_EXPIRED, R_CERT_NOT_YET_VALID,
	R_CERT_PURPOSE, R_SIGNER_UNBOUND, R_SIGNER_AMBIGUOUS,
	R_XML_MALFORMED, R_XML_FORBIDDEN, R_XML_INVALID, R_MSG_TYPE_UNKNOWN,
	R_SENDER_MISMATCH, R_ROLE_FORBIDDEN, R_PARTY_UNKNOWN,
	R_LETTER_TERMS_MISSING, R_LETTER_TERMS_FIXED, R_BROKER_HALF_REQUIRED,
	R_DUPLICATE_REF, R_DECLARANT_COUNT, R_CREDIT_CODE_INVALID, R_REGISTRATION_NOT_PENDING,
	R_BROKER_NOT_APPROVED, R_CODE_UNKNOWN, R_STATUS_TRANSITION, R_AUTO_CONFIRM_CONSIGNOR_ONLY,
	R_BILL_OF_LADING_MISMATCH, R_REVOKE_FORBIDDEN, R_INSUFFICIENT_BALANCE, R_LETTER_UNKNOWN,
	R_AGREEMENT_UNKNOWN, R_CONFIRM_FORBIDDEN, R_QUERY_INVALID, R_INTERNAL,
	R_CERT_REVOKED, R_SIG_ALGORITHM, R_SIG_TIME,	/* added with issue #6: appended, never renumber */
	R_RETURN_TIME_INVALID,				/* added with issue #4 */
	R_COUNT
};

const char *reason_code(enum reason r);	/* "SIG_INVALID" */
const char *reason_rule(enum reason r);	/* "R1" or NULL */
const char *reason_zh(enum reason r);
const char *reason_en(enum reason r);
#endif
