/* clock — system time plus an optional test offset. */
#include "clock.h"
#include "log.h"
#include <errno.h>
#include <stdlib.h>

time_t clock_now(void)
{
	static int loaded;
	static long long offset;
	const char *s;
	char *end;

	if (!loaded) {
		loaded = 1;
		if ((s = getenv("ENTRUST_TIME_OFFSET")) != NULL && *s) {
			errno = 0;
			offset = strtoll(s, &end, 10);
			if (errno || *end) {
				log_warn(NULL, "ENTRUST_TIME_OFFSET=%s ignored: not a number of seconds", s);
				offset = 0;
			}
		}
	}
	return time(NULL) + (time_t)offset;
}
