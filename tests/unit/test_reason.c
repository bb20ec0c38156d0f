/* test_reason — the stable refusal codes (tests/e2e/CONTRACT.md, docs/protocol.md
 * §错误代码): each code, the rule it cites and its two sentences. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "reason.h"
#include <signal.h>
#include <sys/wait.h>
#include "testutil.h"

/* Table: the contract's codes and rules.  Codes are stable forever. */
static const struct {
	enum reason	 r;
	const char	*code;
	const char	*rule;	/* NULL: no rule */
} rows[] = {
	{R_NONE, "OK", NULL},
	{R_FILE_UNSAFE, "FILE_UNSAFE", NULL},
	{R_FILE_TOO_LARGE, "FILE_TOO_LARGE", NULL},
	{R_FILE_EMPTY, "FILE_EMPTY", NULL},
	{R_FILE_CHANGED, "FILE_CHANGED", NULL},
	{R_ENV_UNREADABLE, "ENV_UNREADABLE", NULL},
	{R_ENV_NOT_SIGNED, "ENV_NOT_SIGNED", NULL},
	{R_ENV_DETACHED, "ENV_DETACHED", NULL},
	{R_ENV_SIGNER_COUNT, "ENV_SIGNER_COUNT", "R1"},
	{R_SIG_INVALID, "SIG_INVALID", "R1"},
	{R_CERT_UNTRUSTED, "CERT_UNTRUSTED", "R1"},
	{R_CERT_EXPIRED, "CERT_EXPIRED", "R1"},
	{R_CERT_NOT_YET_VALID, "CERT_NOT_YET_VALID", "R1"},
	{R_CERT_PURPOSE, "CERT_PURPOSE", "R1"},
	{R_SIGNER_UNBOUND, "SIGNER_UNBOUND", "R1"},
	{R_SIGNER_AMBIGUOUS, "SIGNER_AMBIGUOUS", "R1"},
	{R_XML_MALFORMED, "XML_MALFORMED", NULL},
	{R_XML_FORBIDDEN, "XML_FORBIDDEN", NULL},
	{R_XML_INVALID, "XML_INVALID", NULL},
	{R_MSG_TYPE_UNKNOWN, "MSG_TYPE_UNKNOWN", NULL},
	{R_SENDER_MISMATCH, "SENDER_MISMATCH", "R1"},
	{R_ROLE_FORBIDDEN, "ROLE_FORBIDDEN", "R2"},
	{R_PARTY_UNKNOWN, "PARTY_UNKNOWN", "R2"},
	{R_LETTER_TERMS_MISSING, "LETTER_TERMS_MISSING", "R8"},
	{R_LETTER_TERMS_FIXED, "LETTER_TERMS_FIXED", "R8"},
	{R_BROKER_HALF_REQUIRED, "BROKER_HALF_REQUIRED", "R9"},
	{R_DUPLICATE_REF, "DUPLICATE_REF", NULL},
	{R_INTERNAL, "INTERNAL", NULL},
	/* added by the hostile-input work (issue #6) */
	{R_CERT_REVOKED, "CERT_REVOKED", "R1"},
	{R_SIG_ALGORITHM, "SIG_ALGORITHM", "R1"},
	{R_SIG_TIME, "SIG_TIME", "R1"},
	/* added with customs' receipt conventions (issue #4) */
	{R_RETURN_TIME_INVALID, "RETURN_TIME_INVALID", NULL},
};

static void test_table_contract_codes(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *rule = reason_rule(rows[i].r);

		assert_string_equal(reason_code(rows[i].r), rows[i].code);
		if (rows[i].rule == NULL && rule != NULL)
			fail_msg("%s: rule %s, want none", rows[i].code, rule);
		if (rows[i].rule != NULL && (rule == NULL || strcmp(rule, rows[i].rule) != 0))
			fail_msg("%s: rule %s, want %s", rows[i].code, rule ? rule : "(none)", rows[i].rule);
	}
}

/* Every refusal code, also ones added later: Ack/Error/@code and @rule
 * patterns of xsd/reply.xsd, both sentences present, codes unique.
 * (R_NONE is not a refusal: it never appears in an Error.) */
static void test_every_code_fits_the_schema(void **state)
{
	int i, j;

	(void)state;
	for (i = R_NONE + 1; i < R_COUNT; i++) {
		const char *c = reason_code((enum reason)i), *rule = reason_rule((enum reason)i);
		size_t k, n = strlen(c);

		if (n < 3 || n > 32 || c[0] < 'A' || c[0] > 'Z')
			fail_msg("code %d \"%s\" does not match [A-Z][A-Z0-9_]{2,31}", i, c);
		for (k = 1; k < n; k++)
			if (!((c[k] >= 'A' && c[k] <= 'Z') || (c[k] >= '0' && c[k] <= '9') || c[k] == '_'))
				fail_msg("code \"%s\": bad character", c);
		if (rule != NULL) {
			n = strlen(rule);
			if (n < 2 || n > 3 || rule[0] != 'R' || rule[1] < '0' || rule[1] > '9'
			    || (n == 3 && (rule[2] < '0' || rule[2] > '9')))
				fail_msg("%s: rule \"%s\" does not match R[0-9]{1,2}", c, rule);
		}
		if (reason_zh((enum reason)i)[0] == '\0' || reason_en((enum reason)i)[0] == '\0')
			fail_msg("%s: a sentence is missing", c);
		/* The Chinese sentence is Chinese: it has a non-ASCII byte. */
		for (k = 0; reason_zh((enum reason)i)[k]; k++)
			if ((unsigned char)reason_zh((enum reason)i)[k] >= 0x80)
				break;
		if (reason_zh((enum reason)i)[k] == '\0')
			fail_msg("%s: zh sentence is ASCII only", c);
		for (j = 0; j < i; j++)
			if (strcmp(reason_code((enum reason)j), c) == 0)
				fail_msg("code %s used twice", c);
	}
}

static void test_sentences_say_what_they_mean(void **state)
{
	(void)state;
	assert_non_null(strstr(reason_en(R_LETTER_TERMS_MISSING), "ValidityMonths"));
	assert_non_null(strstr(reason_en(R_BROKER_HALF_REQUIRED), "BrokerHalf"));
	assert_non_null(strstr(reason_zh(R_SIG_INVALID), "签名"));
	assert_string_equal(reason_en(R_NONE), "accepted");
}

/* An unknown code is an impossible state: panic (abort), never a NULL. */
static void test_unknown_code_panics(void **state)
{
	const enum reason bad[] = {R_COUNT, (enum reason)-1, (enum reason)1000};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int status = 0;
		pid_t pid;

		fflush(NULL);
		if ((pid = fork()) == 0) {
			int fd = open("/dev/null", O_WRONLY);

			dup2(fd, 2);	/* the panic message */
			(void)reason_code(bad[i]);
			_exit(0);
		}
		assert_true(pid > 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
			fail_msg("code %d: child status %#x, want SIGABRT", (int)bad[i], status);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_contract_codes),
		cmocka_unit_test(test_every_code_fits_the_schema),
		cmocka_unit_test(test_sentences_say_what_they_mean),
		cmocka_unit_test(test_unknown_code_panics),
	};

	return cmocka_run_group_tests_name("reason", tests, NULL, NULL);
}
