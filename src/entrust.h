/* entrust — the domain records: letter of entrustment (代理报关委托书) and
 * agreement (委托报关协议), as DOMAIN.md §3–4 defines them.  Plain data with
 * fixed-size text fields (UTF-8, sized for the XSD's character limits x 4),
 * so records copy by assignment and encode through codec without pointers.
 * Failure contract: none; these are definitions and pure functions. */
#ifndef ENTRUST_H
#define ENTRUST_H
#include <stdint.h>
#include <time.h>

/* 委托协议状态 (DOMAIN.md status table). */
enum agreement_status {
	ST_INITIATED = 0, ST_CONFIRMED = 1, ST_DECLARABLE = 2, ST_REJECTED = 3,
	ST_IN_USE = 4, ST_USED = 5, ST_EXPIRED = 6, ST_REVOKE_ASKED = 7,
	ST_REVOKE_CONFIRMED = 8, ST_REVOKED = 9, ST_ADD_FAILED = 10, ST_REVOKE_FAILED = 11,
	ST_COUNT
};

/* 委托书状态 letter status. */
enum letter_status { LS_INITIATED, LS_CONFIRMED, LS_REJECTED, LS_EXPIRED, LS_TERMINATED, LS_COUNT };

struct letter_party {
	char	code[11];
	char	credit[19];
	char	name[513];
	char	signer[257];
	char	phone[33];
};

struct letter {
	char			number[11];	/* R7: yy + 8 digits */
	struct letter_party	consignor;
	struct letter_party	broker;
	char			initiator[11];
	char			mode[2];		/* A 逐票, B 长期 */
	char			matters[9];		/* subset of A..H, in order */
	char			other_matter[513];
	int64_t			validity_months;
	int64_t			auto_confirm;
	char			signed_on[11];
	int64_t			status;			/* enum letter_status */
	int64_t			created_at;
	int64_t			valid_until;
	int64_t			agreement_count;
};

struct agreement {
	char	number[15];	/* R7: yyyy + 10 digits */
	char	letter[11];
	char	ref[33];
	char	initiator[11];
	char	consignor[11];
	char	broker[11];
	char	payer[10];	/* "consignor" | "broker" */
	int64_t	status;		/* enum agreement_status */
	/* left half 委托方 */
	char	goods_name[513];
	char	hs_code[11];
	char	total_value[24];
	char	currency[4];
	char	quantity[24];
	char	unit[4];
	char	direction[2];
	char	date[11];
	char	bill_of_lading[33];
	char	trade_mode[5];
	char	origin[4];
	char	other_requirements[2049];
	/* right half 被委托方 (R9) */
	int64_t	has_broker_half;
	char	documents_received[128];
	char	received_on[11];
	char	fee[24];
	char	commitments[2049];
	char	declaration_number[19];
	char	message_id[65];
	int64_t	created_at;
	int64_t	updated_at;
	int64_t	signed_at;	/* reached 1: "signed" for R22 */
	int64_t	used_at;	/* reached 5: counts for R23 */
};

/* 报关企业登记 broker registration (R3, R4).  Kept twice per broker: the
 * approved facts in force and a pending change awaiting the association. */
#define MAX_DECLARANTS 5

struct declarant {
	char	name[257];
	char	number[33];
	char	phone[33];
};

struct registration {
	char			code[11];
	char			credit[19];
	char			name[513];
	char			district[5];
	char			address[513];
	char			introduction[2049];
	char			public_phone[33];
	char			manager_name[257];
	char			manager_id[33];
	struct declarant	declarants[MAX_DECLARANTS];
	int64_t			ndeclarants;
	int64_t			submitted_at;
	int64_t			approved_at;
	int64_t			valid_until;
	char			approved_by[11];
	int64_t			warned_for;	/* valid_until already warned about (R5) */
};

/* 账户 account (R18): units purchased, used (reached 5), in use (reserved). */
struct account {
	int64_t	purchased;
	int64_t	used;
	int64_t	in_use;
};

const char *agreement_status_zh(int status);
/* Whether a status holds a reserved unit of the payer's account (R18). */
int agreement_status_reserved(int status);
const char *agreement_status_en(int status);
const char *letter_status_name(int status);
/* 海关编码: 10 characters [0-9A-Z] (real codes contain letters, e.g. 4101W68006). */
int customs_code_ok(const char *s);
/* 统一社会信用代码: 18 characters of GB 32100's charset with a valid check character. */
int credit_code_ok(const char *s);
/* The calendar year in China (UTC+8) at time t: numbers and dates use it. */
int entrust_year(time_t t);
/* t + months, same day of month clipped to the month's end, UTC+8 calendar. */
time_t entrust_add_months(time_t t, int months);
#endif
