/* rules — the agreement status machine of DOMAIN.md (R13).
 * Pure functions; no store, no files.
 * Failure contract: none. */
#ifndef RULES_H
#define RULES_H

/* R13: 0→1|3|6, 1→2|10|6, 2→4|7|6, 4→5|2|6, 7→8|2|6, 8→9|11, 11→4|7|6. */
int rules_transition_ok(int from, int to);
#endif
