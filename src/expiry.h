/* expiry — the rules that time applies by itself, run by the daemon at start
 * and on every rescan, each change in its own transaction:
 *   R11: a letter whose valid_until has passed expires; its agreements in 0,
 *        1, 2, 7 and 11 become 6 (reservations released, R19); 5 stays; 4
 *        and 8 are left to customs.  Both parties get an "expired" notice.
 *   R5:  a broker gets one "registration-expiring" notice when its approved
 *        registration has registration_warn_days or fewer left.
 * Failure contract: returns the number of changes made, or -1 on a store
 * error (fatal for the caller, as in inbound). */
#ifndef EXPIRY_H
#define EXPIRY_H
#include <time.h>
#include "hub.h"

int expiry_run(struct hub *h, time_t now);
#endif
