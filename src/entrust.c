/* entrust — names of statuses and calendar helpers for the domain records. */
#include "entrust.h"
#include <string.h>

static const char *status_zh[ST_COUNT] = {
	"委托发起待确认", "委托确认已发往海关", "委托协议可报关", "委托发起被拒绝",
	"委托协议正使用", "委托协议海关已用", "委托协议过期", "委托撤销待确认",
	"委托撤销已确认", "协议撤销成功", "委托协议新增失败", "委托协议撤销失败",
};

static const char *status_en[ST_COUNT] = {
	"initiated, awaiting confirmation", "confirmed, sent to customs", "declarable", "rejected",
	"in use by a declaration under review", "used by customs", "expired",
	"revocation awaiting broker", "revocation confirmed, sent to customs", "revoked",
	"customs refused the agreement data", "customs refused the revocation",
};

static const char *letter_names[LS_COUNT] = {
	"initiated", "confirmed", "rejected", "expired", "terminated",
};

int agreement_status_reserved(int s)
{
	return s == ST_CONFIRMED || s == ST_DECLARABLE || s == ST_IN_USE || s == ST_REVOKE_ASKED
	    || s == ST_REVOKE_CONFIRMED || s == ST_REVOKE_FAILED;
}

const char *agreement_status_zh(int s) { return s >= 0 && s < ST_COUNT ? status_zh[s] : "?"; }
const char *agreement_status_en(int s) { return s >= 0 && s < ST_COUNT ? status_en[s] : "?"; }
const char *letter_status_name(int s) { return s >= 0 && s < LS_COUNT ? letter_names[s] : "?"; }

#define CHINA_OFFSET (8 * 3600)

int entrust_year(time_t t)
{
	time_t local = t + CHINA_OFFSET;
	struct tm tm;

	gmtime_r(&local, &tm);
	return tm.tm_year + 1900;
}

static int days_in_month(int year, int mon)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return mon == 1 && leap ? 29 : days[mon];
}

time_t entrust_add_months(time_t t, int months)
{
	time_t local = t + CHINA_OFFSET;
	struct tm tm;
	int dim;

	gmtime_r(&local, &tm);
	tm.tm_mon += months;
	tm.tm_year += tm.tm_mon / 12;
	tm.tm_mon %= 12;
	dim = days_in_month(tm.tm_year + 1900, tm.tm_mon);
	if (tm.tm_mday > dim)
		tm.tm_mday = dim;
	return timegm(&tm) - CHINA_OFFSET;
}

int customs_code_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!(s[i] >= '0' && s[i] <= '9') && !(s[i] >= 'A' && s[i] <= 'Z'))
			return 0;
	return i == 10;
}

/* GB 32100: weights 3^i mod 31 over the first 17 characters; the 18th is
 * (31 - sum mod 31) mod 31 in the same 31-character alphabet. */
int credit_code_ok(const char *s)
{
	static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	int i, w = 1, sum = 0;
	const char *p;

	if (strlen(s) != 18)
		return 0;
	for (i = 0; i < 18; i++) {
		if (s[i] == '\0' || (p = strchr(alphabet, s[i])) == NULL)
			return 0;
		if (i == 17)
			return (int)(p - alphabet) == (31 - sum % 31) % 31;
		sum += (int)(p - alphabet) * w;
		w = w * 3 % 31;
	}
	return 0;
}
