/* test_entrust — the calendar of the domain (China time, UTC+8): the year
 * that numbers carry (R7) and letter validity by months (R8, R11), with
 * month-end clipping and year rollover; and the status names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "entrust.h"
#include "testutil.h"

/* Seconds since the epoch of a wall-clock time in China (UTC+8). */
static time_t cst(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return timegm(&tm) - 8 * 3600;
}

/* Table: the year in China, which is what R7 numbers begin with. */
static const struct {
	const char	*label;
	time_t		 t;
	int		 want;
} years[] = {
	{"epoch is 08:00 on 1970-01-01 in China", 0, 1970},
	{"last second of 2025 in China", 1767196799, 2025},	/* 2025-12-31T15:59:59Z */
	{"first second of 2026 in China, still 2025 in UTC", 1767196800, 2026},
	{"2026-12-03 noon", 1796270400, 2026},
	{"2026-12-31T15:59:59Z", 1798732799, 2026},
	{"2026-12-31T16:00:00Z", 1798732800, 2027},
	{"2099-12-31T16:00:00Z", 4102416000, 2100},
};

static void test_R7_table_year_in_china(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(years) / sizeof(years[0]); i++)
		if (entrust_year(years[i].t) != years[i].want)
			fail_msg("%s: got %d, want %d", years[i].label, entrust_year(years[i].t), years[i].want);
	/* The helper agrees with the table. */
	assert_int_equal(cst(2026, 1, 1, 0, 0, 0), 1767196800);
}

/* Table: t + months, same day clipped to the month's end, China calendar. */
struct add_row {
	const char	*label;
	int		 y, mo, d, h, mi;	/* start, China time */
	int		 months;
	int		 wy, wmo, wd;		/* want, same time of day */
};

static const struct add_row adds[] = {
	{"plain 3 months", 2026, 3, 15, 10, 30, 3, 2026, 6, 15},
	{"plain 6 months", 2026, 1, 10, 0, 0, 6, 2026, 7, 10},
	{"zero months", 2026, 5, 31, 23, 59, 0, 2026, 5, 31},
	{"Jan 31 + 1 → Feb 28", 2026, 1, 31, 9, 0, 1, 2026, 2, 28},
	{"Jan 31 + 1 → Feb 29 in a leap year", 2028, 1, 31, 9, 0, 1, 2028, 2, 29},
	{"Aug 31 + 3 → Nov 30", 2026, 8, 31, 12, 0, 3, 2026, 11, 30},
	{"Oct 31 + 6 → Apr 30 next year", 2026, 10, 31, 8, 0, 6, 2027, 4, 30},
	{"Nov 30 + 3 → Feb 28 next year", 2026, 11, 30, 8, 0, 3, 2027, 2, 28},
	{"Dec 31 + 1 → Jan 31 next year", 2026, 12, 31, 23, 59, 1, 2027, 1, 31},
	{"Dec 15 + 12 → Dec 15 next year", 2026, 12, 15, 7, 0, 12, 2027, 12, 15},
	{"Dec 3 + 9 → Sep 3 next year", 2026, 12, 3, 10, 0, 9, 2027, 9, 3},
	{"Feb 29 + 12 → Feb 28", 2028, 2, 29, 6, 0, 12, 2029, 2, 28},
	{"Feb 28 + 1 → Mar 28 (no growing back)", 2026, 2, 28, 6, 0, 1, 2026, 3, 28},
	{"Mar 31 + 11 → Feb 29 of a leap year", 2027, 3, 31, 0, 0, 11, 2028, 2, 29},
	{"over two years", 2026, 1, 31, 0, 0, 25, 2028, 2, 29},
	{"2100 is not a leap year", 2099, 12, 31, 0, 0, 2, 2100, 2, 28},
	{"2400 is a leap year", 2399, 12, 31, 0, 0, 2, 2400, 2, 29},
	/* 2026-01-31T17:00Z is Feb 1, 01:00 in China: the China date counts. */
	{"UTC still January, China already February", 2026, 2, 1, 1, 0, 1, 2026, 3, 1},
	/* 2026-05-31T20:00Z is Jun 1 04:00 in China; in UTC it would clip to Jun 30. */
	{"UTC May 31 is China June 1", 2026, 6, 1, 4, 0, 1, 2026, 7, 1},
	/* 2026-01-31 07:00 China is Jan 30 23:00 UTC: clipping uses China's day 31. */
	{"China Jan 31 early morning", 2026, 1, 31, 7, 0, 1, 2026, 2, 28},
};

static void test_R8_table_add_months(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(adds) / sizeof(adds[0]); i++) {
		const struct add_row *r = &adds[i];
		time_t from = cst(r->y, r->mo, r->d, r->h, r->mi, 17);
		time_t want = cst(r->wy, r->wmo, r->wd, r->h, r->mi, 17);
		time_t got = entrust_add_months(from, r->months);

		if (got != want) {
			time_t local = got + 8 * 3600;
			struct tm tm;

			gmtime_r(&local, &tm);
			fail_msg("%s: got %04d-%02d-%02d %02d:%02d, want %04d-%02d-%02d", r->label,
			    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			    r->wy, r->wmo, r->wd);
		}
	}
}

/* R8 validity periods are 3, 6, 9 or 12 months: every start day of a year. */
static void test_R8_validity_periods_all_days(void **state)
{
	static const int periods[] = {3, 6, 9, 12};
	time_t t = cst(2027, 1, 1, 15, 0, 0);
	int day, k;

	(void)state;
	for (day = 0; day < 366 + 365; day++, t += 86400) {
		time_t lt = t + 8 * 3600;
		struct tm from;

		gmtime_r(&lt, &from);
		for (k = 0; k < 4; k++) {
			time_t got = entrust_add_months(t, periods[k]) + 8 * 3600;
			struct tm to;
			int months;

			gmtime_r(&got, &to);
			months = (to.tm_year - from.tm_year) * 12 + to.tm_mon - from.tm_mon;
			if (months != periods[k] || to.tm_hour != from.tm_hour || to.tm_min != from.tm_min
			    || to.tm_mday > from.tm_mday
			    || (to.tm_mday < from.tm_mday && to.tm_mday < 28))
				fail_msg("%04d-%02d-%02d + %d → %04d-%02d-%02d %02d:%02d",
				    from.tm_year + 1900, from.tm_mon + 1, from.tm_mday, periods[k],
				    to.tm_year + 1900, to.tm_mon + 1, to.tm_mday, to.tm_hour, to.tm_min);
		}
	}
}

static void test_status_names(void **state)
{
	(void)state;
	assert_string_equal(agreement_status_zh(ST_INITIATED), "委托发起待确认");
	assert_string_equal(agreement_status_zh(ST_DECLARABLE), "委托协议可报关");
	assert_string_equal(agreement_status_zh(ST_USED), "委托协议海关已用");
	assert_string_equal(agreement_status_zh(ST_REVOKE_FAILED), "委托协议撤销失败");
	assert_string_equal(agreement_status_en(ST_DECLARABLE), "declarable");
	assert_string_equal(agreement_status_en(ST_EXPIRED), "expired");
	assert_string_equal(agreement_status_en(ST_REVOKED), "revoked");
	assert_string_equal(letter_status_name(LS_INITIATED), "initiated");
	assert_string_equal(letter_status_name(LS_CONFIRMED), "confirmed");
	assert_string_equal(letter_status_name(LS_TERMINATED), "terminated");
	/* The status codes are the numbers of DOMAIN.md's table. */
	assert_int_equal(ST_INITIATED, 0);
	assert_int_equal(ST_USED, 5);
	assert_int_equal(ST_REVOKE_FAILED, 11);
	assert_int_equal(ST_COUNT, 12);
}

static void test_status_names_out_of_range(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < ST_COUNT; i++) {
		assert_string_not_equal(agreement_status_zh(i), "?");
		assert_string_not_equal(agreement_status_en(i), "?");
	}
	for (i = 0; i < LS_COUNT; i++)
		assert_string_not_equal(letter_status_name(i), "?");
	assert_string_equal(agreement_status_zh(-1), "?");
	assert_string_equal(agreement_status_zh(ST_COUNT), "?");
	assert_string_equal(agreement_status_en(12), "?");
	assert_string_equal(letter_status_name(-1), "?");
	assert_string_equal(letter_status_name(LS_COUNT), "?");
}

/* R18: the statuses that hold a unit of the payer's account: 1, 2, 4, 7, 8, 11. */
static void test_R18_reserved_statuses(void **state)
{
	static const int want[ST_COUNT] = {0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 0, 1};
	int s;

	(void)state;
	for (s = 0; s < ST_COUNT; s++)
		if (agreement_status_reserved(s) != want[s])
			fail_msg("status %d: reserved %d, want %d", s, agreement_status_reserved(s), want[s]);
	assert_false(agreement_status_reserved(-1));
	assert_false(agreement_status_reserved(ST_COUNT));
}

/* Table: 统一社会信用代码 with the GB 32100 check character (weights 3^i mod 31). */
static const struct {
	const char	*code;
	int		 ok;
} credits[] = {
	{"91110000100000000R", 1},	/* docs/examples */
	{"91350100M000100Y43", 1},
	{"91330100799655058B", 1},
	{"911100007109288314", 1},
	{"91330000MA27U03C2A", 1},
	{"911100001000000020", 1},	/* check value 0 */
	{"9111000010000000CY", 1},	/* check value 30, the last character */
	{"000000000000000000", 1},
	{"91110000100000000Q", 0},	/* wrong check character */
	{"91330100799655058C", 0},
	{"91110000100000000r", 0},	/* lower case */
	{"9111000010000000IR", 0},	/* I is not in the alphabet */
	{"9111000010000000OR", 0},	/* nor O */
	{"9111000010000000SR", 0},	/* nor S */
	{"9111000010000000VR", 0},	/* nor V */
	{"9111000010000000ZR", 0},	/* nor Z */
	{"91110000100000000", 0},	/* 17 characters */
	{"91110000100000000RR", 0},	/* 19 */
	{"", 0},
	{"91110000 00000000R", 0},
};

static void test_table_credit_codes(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(credits) / sizeof(credits[0]); i++)
		if (credit_code_ok(credits[i].code) != credits[i].ok)
			fail_msg("\"%s\": got %d, want %d", credits[i].code, !credits[i].ok, credits[i].ok);
}

/* 海关编码 (DOMAIN.md §1): [0-9A-Z]{10}; real codes contain letters. */
static const struct {
	const char	*code;
	int		 ok;
} customs_codes[] = {
	{"1101230001", 1},
	{"4101W68006", 1},
	{"ENTRUSTHUB", 1},
	{"4101w68006", 0},	/* lower case */
	{"410168006", 0},	/* 9 */
	{"41010680060", 0},	/* 11 */
	{"4101-68006", 0},
	{"4101 68006", 0},
	{"", 0},
};

static void test_table_customs_codes(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(customs_codes) / sizeof(customs_codes[0]); i++)
		if (customs_code_ok(customs_codes[i].code) != customs_codes[i].ok)
			fail_msg("\"%s\": got %d, want %d", customs_codes[i].code, !customs_codes[i].ok, customs_codes[i].ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_customs_codes),
		cmocka_unit_test(test_R7_table_year_in_china),
		cmocka_unit_test(test_R8_table_add_months),
		cmocka_unit_test(test_R8_validity_periods_all_days),
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_status_names_out_of_range),
		cmocka_unit_test(test_R18_reserved_statuses),
		cmocka_unit_test(test_table_credit_codes),
	};

	return cmocka_run_group_tests_name("entrust", tests, NULL, NULL);
}
