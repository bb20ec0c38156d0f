/* log — event log lines to a file and stderr. */
#include "log.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int log_fd = -1;
static int log_stderr = 1;
static const char *level_names[] = {"debug", "info", "warn", "error"};

/* A file whose last line has no newline (a crash in mid-write, an editor)
 * gets one first: our first line must not be glued to that one, which a
 * reader (entrustctl log, grep) would take as one event. */
static void log_end_last_line(int fd)
{
	struct stat st;
	char last;

	if (fstat(fd, &st) == 0 && st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n'
	    && write(fd, "\n", 1) != 1)
		return;	/* nothing better to do: the next line is still written */
}

int log_open(const char *path, int to_stderr)
{
	int fd = -1;

	log_stderr = to_stderr;
	if (path) {
		fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
		if (fd >= 0)
			log_end_last_line(fd);
		else if (errno == EACCES)	/* a file we may write but not read */
			fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			return -1;
	}
	/* A reopen (logrotate) swaps the file under the same descriptor number
	 * in one step: delivery threads writing at that moment never write to a
	 * closed descriptor, or to one the number was reused for. */
	if (fd >= 0 && log_fd >= 0) {
		if (dup3(fd, log_fd, O_CLOEXEC) < 0) {
			close(fd);
			return -1;
		}
		close(fd);
		return 0;
	}
	log_close();
	log_fd = fd;
	return 0;
}

void log_close(void)
{
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
}

void log_timestamp(char out[32])
{
	struct timeval tv;
	struct tm tm;
	size_t n;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%03uZ", (unsigned)(tv.tv_usec / 1000) % 1000u);
}

/* Replace control characters so that one event stays one line. */
static void log_sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

void log_msg(enum log_level level, const char *id, const char *fmt, ...)
{
	char line[2048], ts[32];
	size_t n;
	int k;
	va_list ap;

	log_timestamp(ts);
	k = snprintf(line, sizeof(line), "%s %s %s: ", ts, level_names[level], id ? id : "entrustd");
	n = k < 0 ? 0 : (size_t)k;
	if (n < sizeof(line)) {
		va_start(ap, fmt);
		vsnprintf(line + n, sizeof(line) - n, fmt, ap);
		va_end(ap);
	}
	log_sanitize(line);
	n = strlen(line);
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (log_fd >= 0 && write(log_fd, line, n) < 0 && log_stderr)
		(void)!write(2, "entrust: log file write failed\n", 31);
	if (log_stderr)
		(void)!write(2, line, n);
}
