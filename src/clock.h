/* clock — the time the domain rules run on.  Normally the system clock;
 * ENTRUST_TIME_OFFSET (seconds, may be negative) moves it, so that tests of
 * expiry (R5, R11) move time instead of sleeping.  Read once at start.
 * Failure contract: a malformed offset is ignored with a warning. */
#ifndef CLOCK_H
#define CLOCK_H
#include <time.h>

time_t clock_now(void);
#endif
