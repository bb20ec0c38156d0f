/* rules — the R13 transition table. */
#include "rules.h"
#include "entrust.h"

#define B(s) (1u << (s))

static const unsigned rules_next[ST_COUNT] = {
	[ST_INITIATED] = B(ST_CONFIRMED) | B(ST_REJECTED) | B(ST_EXPIRED),
	[ST_CONFIRMED] = B(ST_DECLARABLE) | B(ST_ADD_FAILED) | B(ST_EXPIRED),
	[ST_DECLARABLE] = B(ST_IN_USE) | B(ST_REVOKE_ASKED) | B(ST_EXPIRED),
	[ST_IN_USE] = B(ST_USED) | B(ST_DECLARABLE) | B(ST_EXPIRED),
	[ST_REVOKE_ASKED] = B(ST_REVOKE_CONFIRMED) | B(ST_DECLARABLE) | B(ST_EXPIRED),
	[ST_REVOKE_CONFIRMED] = B(ST_REVOKED) | B(ST_REVOKE_FAILED),
	[ST_REVOKE_FAILED] = B(ST_IN_USE) | B(ST_REVOKE_ASKED) | B(ST_EXPIRED),
};

int rules_transition_ok(int from, int to)
{
	if (from < 0 || from >= ST_COUNT || to < 0 || to >= ST_COUNT)
		return 0;
	return (rules_next[from] & B(to)) != 0;
}
