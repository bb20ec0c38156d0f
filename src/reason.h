/* reason — the stable refusal codes: machine code, the rule it enforces,
 * and a sentence in Chinese and English.  One table, used by reason files,
 * log lines and negative acknowledgements alike (docs/protocol.md §错误代码). */
#ifndef REASON_H
#define REASON_H

enum reason {
	R_OK = 0,
	R_FILE_UNSAFE, R_FILE_TOO_LARGE, R_FILE_EMPTY, R_FILE_CHANGED,
	R_ENV_UNREADABLE, R_ENV_NOT_SIGNED, R_ENV_DETACHED, R_ENV_SIGNER_COUNT,
	R_SIG_INVALID, R_CERT_UNTRUSTED, R_CERT_EXPIRED, R_CERT_NOT_YET_VALID,
	R_CERT_PURPOSE, R_SIGNER_UNBOUND, R_SIGNER_AMBIGUOUS,
	R_XML_MALFORMED, R_XML_FORBIDDEN, R_XML_INVALID, R_MSG_TYPE_UNKNOWN,
	R_SENDER_MISMATCH, R_ROLE_FORBIDDEN, R_PARTY_UNKNOWN,
	R_LETTER_TERMS_MISSING, R_LETTER_TERMS_FIXED, R_BROKER_HALF_REQUIRED,
	R_DUPLICATE_REF, R_INTERNAL,
	R_COUNT
};

const char *reason_code(enum reason r);	/* "SIG_INVALID" */
const char *reason_rule(enum reason r);	/* "R1" or NULL */
const char *reason_zh(enum reason r);
const char *reason_en(enum reason r);
#endif
