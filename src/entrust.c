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
