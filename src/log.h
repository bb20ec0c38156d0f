/* log — one line per event: time, level, id, then key=value pairs.
 *   2026-12-03T19:22:25.123Z info E2026…: from=1101230001 status=accepted
 * Lines go to the log file (appended, reopened on SIGHUP) and to stderr.
 * Failure contract: a log that cannot be written is reported once on
 * stderr and otherwise ignored; logging never stops processing. */
#ifndef LOG_H
#define LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

int log_open(const char *path, int to_stderr);	/* 0 or -1 */
void log_close(void);
void log_msg(enum log_level level, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_info(id, ...)  log_msg(LOG_INFO, id, __VA_ARGS__)
#define log_warn(id, ...)  log_msg(LOG_WARN, id, __VA_ARGS__)
#define log_error(id, ...) log_msg(LOG_ERROR, id, __VA_ARGS__)

/* Format now as ISO 8601 UTC with milliseconds into out[32]. */
void log_timestamp(char out[32]);
#endif
