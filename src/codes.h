/* codes — the shipped code tables (conf/codes/NAME.tsv: "code<TAB>中文<TAB>English"):
 * trade modes, countries, currencies, units.  Used to refuse unknown codes
 * with the field's name and to echo accepted codes with their names (R12).
 * Failure contract: codes_load returns NULL with "file:line: why" in err. */
#ifndef CODES_H
#define CODES_H
#include <stddef.h>

enum code_table { CODES_TRADE_MODE, CODES_COUNTRY, CODES_CURRENCY, CODES_UNIT, CODES_COUNT };

struct codes;

struct codes *codes_load(const char *dir, char *err, size_t errlen);
void codes_free(struct codes *c);
/* The Chinese name of code in table t, or NULL when the code is unknown. */
const char *codes_name(const struct codes *c, enum code_table t, const char *code);
size_t codes_count(const struct codes *c, enum code_table t);
#endif
