/* testutil — helpers shared by the unit tests (tests/unit/test_*.c): temp
 * folders, whole-file I/O, the demo PKI and a few assertions about folders.
 * Everything here is static inline so that a test that uses part of it
 * compiles cleanly under -Wall -Wextra -Werror.
 * Include it LAST, after the project's headers: <unistd.h>, <fcntl.h>,
 * <signal.h> and <db.h> define R_NONE (access(2)), which collides with
 * reason.h's enum constant R_NONE; the macro is dropped at the end of this
 * file so that R_NONE in a test means the enum's. */
#ifndef TESTUTIL_H
#define TESTUTIL_H
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "buf.h"

/* The repository root: $ENTRUST_SRC (set by `make unit`), else ".". */
static inline const char *tu_src(void)
{
	const char *s = getenv("ENTRUST_SRC");

	return s && *s ? s : ".";
}

/* A fresh folder /tmp/entrust-unit-<what>-XXXXXX; the caller frees the name. */
static inline char *tu_tmpdir(const char *what)
{
	char tmpl[PATH_MAX], *d;

	snprintf(tmpl, sizeof(tmpl), "/tmp/entrust-unit-%s-XXXXXX", what);
	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp");
		abort();
	}
	d = malloc(strlen(tmpl) + 1);
	if (d == NULL)
		abort();
	return strcpy(d, tmpl);
}

static inline int tu_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

/* rm -rf path (never follows symlinks). */
static inline void tu_rmrf(const char *path)
{
	if (path != NULL && strncmp(path, "/tmp/entrust-unit-", 18) == 0)
		nftw(path, tu_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* path = printf(fmt, ...) into a PATH_MAX buffer. */
static inline const char *tu_path(char *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline const char *tu_path(char *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(out, PATH_MAX, fmt, ap) >= PATH_MAX)
		abort();
	va_end(ap);
	return out;
}

static inline int tu_write(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int rc;

	if (f == NULL)
		return -1;
	rc = fwrite(data, 1, len, f) == len ? 0 : -1;
	return fclose(f) == 0 ? rc : -1;
}

static inline int tu_writes(const char *path, const char *s)
{
	return tu_write(path, s, strlen(s));
}

/* The whole file into out (NUL-terminated); 0 or -1. */
static inline int tu_read(const char *path, struct buf *out)
{
	char chunk[8192];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return -1;
	buf_reset(out);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(out, chunk, n);
	buf_add(out, "", 0);
	fclose(f);
	return 0;
}

static inline int tu_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Number of entries in dir (not "." and ".."), -1 if it cannot be read.
 * With suffix, only names that end in it; first receives the first name
 * in readdir order when non-NULL (enough for folders of one entry). */
static inline int tu_count(const char *dir, const char *suffix, char *first, size_t n)
{
	struct dirent *d;
	DIR *dp = opendir(dir);
	int k = 0;

	if (dp == NULL)
		return -1;
	while ((d = readdir(dp)) != NULL) {
		size_t a = strlen(d->d_name), b = suffix ? strlen(suffix) : 0;

		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		if (suffix && (a < b || strcmp(d->d_name + a - b, suffix) != 0))
			continue;
		if (k++ == 0 && first && n > 0) {
			size_t len = a < n ? a : n - 1;

			memcpy(first, d->d_name, len);
			first[len] = '\0';
		}
	}
	closedir(dp);
	return k;
}

/* Run a shell command; 0 when it exited 0. */
static inline int tu_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int tu_sh(const char *fmt, ...)
{
	char cmd[4 * PATH_MAX];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	if (vsnprintf(cmd, sizeof(cmd), fmt, ap) >= (int)sizeof(cmd))
		abort();
	va_end(ap);
	fflush(NULL);
	rc = system(cmd);
	return rc == 0 ? 0 : -1;
}

/* The demo PKI (scripts/demo-pki) in dir, registry dir/parties.conf. */
static inline int tu_pki(const char *dir)
{
	return tu_sh("'%s/scripts/demo-pki' '%s' '%s/parties.conf' >/dev/null 2>&1", tu_src(), dir, dir);
}

/* The same with an EC P-256 hub key (quicker signing, e.g. under valgrind). */
static inline int tu_pki_ec_hub(const char *dir)
{
	return tu_sh("'%s/scripts/demo-pki' --hub-key ec '%s' '%s/parties.conf' >/dev/null 2>&1", tu_src(),
	    dir, dir);
}

/* Sign in with pki/<stem> as a partner does (openssl cms, DER, content attached). */
static inline int tu_sign_cli(const char *pki, const char *stem, const char *in, const char *out)
{
	return tu_sh("openssl cms -sign -nodetach -binary -signer '%s/%s.pem' -inkey '%s/%s.key' "
	    "-in '%s' -outform DER -out '%s' 2>/dev/null", pki, stem, pki, stem, in, out);
}

/* The fingerprint the registry holds for code (from pki/parties.conf). */
static inline int tu_registry_fpr(const char *registry, const char *code, char fpr[65])
{
	char line[1024], c[32], role[32], f[80];
	FILE *fp = fopen(registry, "r");
	int found = -1;

	if (fp == NULL)
		return -1;
	while (found < 0 && fgets(line, sizeof(line), fp) != NULL)
		if (line[0] != '#' && sscanf(line, "%31s %31s %79s", c, role, f) == 3
		    && strcmp(c, code) == 0 && strlen(f) == 64) {
			memcpy(fpr, f, 65);
			found = 0;
		}
	fclose(fp);
	return found;
}
#undef R_NONE
#endif
