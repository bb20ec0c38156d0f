/* test_route — the routes file parser: good lines give the right route,
 * hostile lines give "file:line: why" naming the exact problem; a route's
 * parallel=N (its limit of concurrent transfers, issue #4) is read within
 * 1..ROUTE_PARALLEL_MAX and defaults to delivery_parallel. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "route.h"
#include "testutil.h"

struct fixture {
	char	*dir;
	char	 file[PATH_MAX];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char p[PATH_MAX];

	f->dir = tu_tmpdir("route");
	tu_path(f->file, "%s/routes.conf", f->dir);
	/* the files options name: keys 0600, one key readable by all, a folder */
	assert_int_equal(tu_writes(tu_path(p, "%s/id", f->dir), "private\n"), 0);
	assert_int_equal(chmod(p, 0600), 0);
	assert_int_equal(tu_writes(tu_path(p, "%s/open.key", f->dir), "private\n"), 0);
	assert_int_equal(chmod(p, 0644), 0);
	assert_int_equal(tu_writes(tu_path(p, "%s/id.pub", f->dir), "ssh-ed25519 AAAA\n"), 0);
	assert_int_equal(tu_writes(tu_path(p, "%s/kh", f->dir), "[127.0.0.1]:2222 ssh-ed25519 AAAA\n"), 0);
	assert_int_equal(tu_writes(tu_path(p, "%s/ca.pem", f->dir), "ca\n"), 0);
	assert_int_equal(tu_writes(tu_path(p, "%s/c.pem", f->dir), "cert\n"), 0);
	assert_int_equal(mkdir(tu_path(p, "%s/folder", f->dir), 0700), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tu_rmrf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* Write text (with every "@D" replaced by the fixture folder) and load it. */
static int load(struct fixture *f, const char *text, size_t len, struct routes *r, char *err, size_t n)
{
	struct buf b;
	size_t i;
	int rc;

	buf_init(&b);
	for (i = 0; i < len; i++)
		if (text[i] == '@' && i + 1 < len && text[i + 1] == 'D') {
			buf_adds(&b, f->dir);
			i++;
		} else
			buf_add(&b, text + i, 1);
	assert_int_equal(tu_write(f->file, b.len ? b.data : "", b.len), 0);
	buf_free(&b);
	err[0] = '\0';
	rc = route_load(f->file, r, err, n);
	return rc;
}

#define SFTP_OPTS " key=@D/id known_hosts=@D/kh"
#define HTTPS_OPTS " ca=@D/ca.pem"

struct good_row {
	const char	*label;
	const char	*text;
	size_t		 n;		/* routes */
	const char	*code;		/* of the last route */
	enum route_kind	 kind;
	const char	*url, *user, *host, *path;
	int		 port;
	enum route_method method;
};

static const struct good_row good_rows[] = {
	{"empty file", "", 0, NULL, 0, NULL, NULL, NULL, NULL, 0, 0},
	{"comments and blanks", "# routes\n\n   \t\n# 1101230001 local\n", 0, NULL, 0, NULL, NULL, NULL, NULL, 0, 0},
	{"local", "1101230001 local\n", 1, "1101230001", ROUTE_LOCAL, "", "", "", "", 0, ROUTE_PUT},
	{"local, comment after, no newline", "1101230001\tlocal   # collects itself", 1, "1101230001", ROUTE_LOCAL,
	    "", "", "", "", 0, ROUTE_PUT},
	{"sftp full", "4101W68006 sftp://entrust@127.0.0.1:2222/in" SFTP_OPTS "\n", 1, "4101W68006", ROUTE_SFTP,
	    "sftp://entrust@127.0.0.1:2222/in", "entrust", "127.0.0.1", "/in", 2222, ROUTE_PUT},
	{"sftp default port, top folder, pubkey", "4101W68006 sftp://a.b_c-d@files.example.com/" SFTP_OPTS
	    " pubkey=@D/id.pub\n", 1, "4101W68006", ROUTE_SFTP, "sftp://a.b_c-d@files.example.com:22",
	    "a.b_c-d", "files.example.com", "", 22, ROUTE_PUT},
	{"sftp trailing slash and home folder", "4101W68006 sftp://u@h/~/in/box/" SFTP_OPTS, 1, "4101W68006",
	    ROUTE_SFTP, "sftp://u@h:22/~/in/box", "u", "h", "/~/in/box", 22, ROUTE_PUT},
	{"https default", "1100XH0001 https://localhost/upload" HTTPS_OPTS "\n", 1, "1100XH0001", ROUTE_HTTPS,
	    "https://localhost:443/upload", "", "localhost", "/upload", 443, ROUTE_PUT},
	{"https mutual TLS, POST, IPv6", "1100XH0001 https://[::1]:8443/a/b" HTTPS_OPTS
	    " cert=@D/c.pem key=@D/id method=POST\n", 1, "1100XH0001", ROUTE_HTTPS, "https://[::1]:8443/a/b", "",
	    "[::1]", "/a/b", 8443, ROUTE_POST},
	{"three parties", "1101230001 local\n4101W68006 sftp://u@h:1/x" SFTP_OPTS "\n0100HG0001 https://h:65535/"
	    HTTPS_OPTS " method=PUT\n", 3, "0100HG0001", ROUTE_HTTPS, "https://h:65535", "", "h", "", 65535,
	    ROUTE_PUT},
};

static void test_good(void **state)
{
	struct fixture *f = *state;
	const struct route *r;
	struct routes rs;
	char err[1024];
	size_t i;

	for (i = 0; i < sizeof(good_rows) / sizeof(good_rows[0]); i++) {
		const struct good_row *g = &good_rows[i];

		print_message("  good: %s\n", g->label);
		if (load(f, g->text, strlen(g->text), &rs, err, sizeof(err)) != 0)
			fail_msg("%s: %s", g->label, err);
		assert_int_equal(rs.n, g->n);
		if (g->n > 0) {
			r = route_find(&rs, g->code);
			assert_non_null(r);
			assert_ptr_equal(r, &rs.v[g->n - 1]);
			assert_int_equal(r->kind, g->kind);
			assert_string_equal(r->url, g->url);
			assert_string_equal(r->user, g->user);
			assert_string_equal(r->host, g->host);
			assert_string_equal(r->path, g->path);
			assert_int_equal(r->port, g->port);
			assert_int_equal(r->method, g->method);
			assert_int_equal(r->line, (int)g->n);
		}
		assert_null(route_find(&rs, "9999999999"));
		route_free(&rs);
	}
}

static void test_files_kept(void **state)
{
	struct fixture *f = *state;
	struct routes rs;
	char err[1024], p[PATH_MAX];
	static const char text[] = "4101W68006 sftp://u@h/in key=@D/id pubkey=@D/id.pub known_hosts=@D/kh\n"
	    "1100XH0001 https://h/in ca=@D/ca.pem cert=@D/c.pem key=@D/id\n";

	assert_int_equal(load(f, text, strlen(text), &rs, err, sizeof(err)), 0);
	assert_int_equal(rs.n, 2);
	assert_string_equal(rs.v[0].key, tu_path(p, "%s/id", f->dir));
	assert_string_equal(rs.v[0].pubkey, tu_path(p, "%s/id.pub", f->dir));
	assert_string_equal(rs.v[0].known_hosts, tu_path(p, "%s/kh", f->dir));
	assert_string_equal(rs.v[1].ca, tu_path(p, "%s/ca.pem", f->dir));
	assert_string_equal(rs.v[1].cert, tu_path(p, "%s/c.pem", f->dir));
	assert_string_equal(rs.v[1].key, tu_path(p, "%s/id", f->dir));
	route_free(&rs);
}

struct bad_row {
	const char	*label;
	const char	*text;
	size_t		 len;		/* 0: strlen(text) */
	int		 line;
	const char	*why;		/* expected in the message after "file:line: " */
};

#define NUL_TEXT "1101230001 local\n1101230002 lo\0cal\n"
#define S "4101W68006 sftp://u@h:22/in"
#define H "1100XH0001 https://h:8443/in"

static const struct bad_row bad_rows[] = {
	{"code only", "1101230001\n", 0, 1, "expected \"CODE local|sftp"},
	{"short code", "110123000 local\n", 0, 1, "bad party code \"110123000\""},
	{"lowercase code", "1101w68006 local\n", 0, 1, "bad party code"},
	{"code given twice", "1101230001 local\n\n1101230001 local\n", 0, 3, "route for 1101230001 given twice (first at line 1)"},
	{"local with options", "1101230001 local key=x\n", 0, 1, "local takes no options"},
	{"unknown scheme", "1101230001 ftp://h/in\n", 0, 1, "unknown route \"ftp://h/in\""},
	{"scheme case", "1101230001 SFTP://u@h/in" SFTP_OPTS "\n", 0, 1, "unknown route"},
	{"sftp without user", "4101W68006 sftp://h:22/in" SFTP_OPTS, 0, 1, "sftp needs user@host"},
	{"sftp empty user", "4101W68006 sftp://@h:22/in" SFTP_OPTS, 0, 1, "user name missing or bad"},
	{"user like an option", "4101W68006 sftp://-oProxyCommand=x@h/in" SFTP_OPTS, 0, 1, "user name missing or bad"},
	{"user with colon (password)", "4101W68006 sftp://u:pw@h/in" SFTP_OPTS, 0, 1, "bad character in user name"},
	{"two @", "4101W68006 sftp://u@v@h/in" SFTP_OPTS, 0, 1, "bad character in host name"},
	{"https with credentials", "1100XH0001 https://u:p@h/in" HTTPS_OPTS, 0, 1, "no user name or password"},
	{"empty host", "4101W68006 sftp://u@:22/in" SFTP_OPTS, 0, 1, "host missing"},
	{"host underscore", "4101W68006 sftp://u@ho_st/in" SFTP_OPTS, 0, 1, "bad character in host name"},
	{"host leading dash", "4101W68006 sftp://u@-h/in" SFTP_OPTS, 0, 1, "bad host name"},
	{"host double dot", "4101W68006 sftp://u@a..b/in" SFTP_OPTS, 0, 1, "bad host name"},
	{"bad IPv6", "1100XH0001 https://[zz::1]:1/in" HTTPS_OPTS, 0, 1, "bad IPv6 address"},
	{"unclosed IPv6", "1100XH0001 https://[::1/in" HTTPS_OPTS, 0, 1, "bad IPv6 address"},
	{"port zero", "4101W68006 sftp://u@h:0/in" SFTP_OPTS, 0, 1, "bad port"},
	{"port too big", "4101W68006 sftp://u@h:65536/in" SFTP_OPTS, 0, 1, "bad port"},
	{"port not a number", "4101W68006 sftp://u@h:22a/in" SFTP_OPTS, 0, 1, "bad port"},
	{"port empty", "4101W68006 sftp://u@h:/in" SFTP_OPTS, 0, 1, "bad port"},
	{"port long", "4101W68006 sftp://u@h:000022/in" SFTP_OPTS, 0, 1, "bad port"},
	{"no path", "4101W68006 sftp://u@h:22" SFTP_OPTS, 0, 1, "no path"},
	{"dot-dot in path", "4101W68006 sftp://u@h/in/../etc" SFTP_OPTS, 0, 1, "'.' or '..' in path"},
	{"dot in path", "4101W68006 sftp://u@h/./in" SFTP_OPTS, 0, 1, "'.' or '..' in path"},
	{"empty path component", "4101W68006 sftp://u@h/in//x" SFTP_OPTS, 0, 1, "empty component in path"},
	{"percent escape", "4101W68006 sftp://u@h/in%20x" SFTP_OPTS, 0, 1, "bad character '%' in path"},
	{"query string", "1100XH0001 https://h/in?x=1" HTTPS_OPTS, 0, 1, "bad character '?' in path"},
	{"quote in path", "4101W68006 sftp://u@h/in\"x" SFTP_OPTS, 0, 1, "bad character '\"' in path"},
	{"no key", S " known_hosts=@D/kh", 0, 1, "sftp route needs key=FILE"},
	{"no known_hosts", S " key=@D/id", 0, 1, "sftp route needs known_hosts=FILE"},
	{"no ca", H " method=PUT", 0, 1, "https route needs ca=FILE"},
	{"cert without key", H HTTPS_OPTS " cert=@D/c.pem", 0, 1, "cert= and key= go together"},
	{"key without cert", H HTTPS_OPTS " key=@D/id", 0, 1, "cert= and key= go together"},
	{"unknown option", S SFTP_OPTS " proxy=x", 0, 1, "sftp: unknown option \"proxy\""},
	{"https option on sftp", S SFTP_OPTS " ca=@D/ca.pem", 0, 1, "sftp: unknown option \"ca\""},
	{"sftp option on https", H HTTPS_OPTS " known_hosts=@D/kh", 0, 1, "https: unknown option \"known_hosts\""},
	{"option twice", S SFTP_OPTS " key=@D/id", 0, 1, "option key given twice"},
	{"empty value", S " key= known_hosts=@D/kh", 0, 1, "option key: empty value"},
	{"option without =", S SFTP_OPTS " insecure", 0, 1, "\"insecure\": expected option=value"},
	{"method GET", H HTTPS_OPTS " method=GET", 0, 1, "method=GET: want PUT or POST"},
	{"method lowercase", H HTTPS_OPTS " method=put", 0, 1, "want PUT or POST"},
	{"parallel 0", S SFTP_OPTS " parallel=0", 0, 1, "parallel=0: want a number from 1 to 16"},
	{"parallel above 16", H HTTPS_OPTS " parallel=17", 0, 1, "parallel=17: want a number from 1 to 16"},
	{"parallel negative", S SFTP_OPTS " parallel=-1", 0, 1, "parallel=-1: want a number"},
	{"parallel with sign", S SFTP_OPTS " parallel=+2", 0, 1, "parallel=+2: want a number"},
	{"parallel not a number", S SFTP_OPTS " parallel=two", 0, 1, "parallel=two: want a number"},
	{"parallel trailing junk", H HTTPS_OPTS " parallel=2x", 0, 1, "parallel=2x: want a number"},
	{"parallel huge", S SFTP_OPTS " parallel=99999999999999999999", 0, 1, "parallel=9999999999999999: want"},
	{"parallel empty", S SFTP_OPTS " parallel=", 0, 1, "option parallel: empty value"},
	{"parallel twice", S SFTP_OPTS " parallel=1 parallel=2", 0, 1, "option parallel given twice"},
	{"parallel on local", "1101230001 local parallel=1\n", 0, 1, "local takes no options"},
	{"key missing", S " key=@D/nokey known_hosts=@D/kh", 0, 1, "/nokey: cannot read"},
	{"key readable by all", S " key=@D/open.key known_hosts=@D/kh", 0, 1, "private key readable by others"},
	{"client key readable by all", H HTTPS_OPTS " cert=@D/c.pem key=@D/open.key", 0, 1, "readable by others"},
	{"known_hosts a folder", S " key=@D/id known_hosts=@D/folder", 0, 1, "known_hosts=" },
	{"ca missing", H " ca=@D/none.pem", 0, 1, "ca=" },
	{"control character", "1101230001 lo\001cal\n", 0, 1, "control character"},
	{"escape sequence", "1101230001 local\n1101230002 local \033[2J\n", 0, 2, "control character"},
	{"NUL byte", NUL_TEXT, sizeof(NUL_TEXT) - 1, 2, "NUL byte"},
	{"error after good lines", "1101230001 local\n# fine\n4101W68006 carrier-pigeon\n", 0, 3, "unknown route"},
};

static void test_bad(void **state)
{
	struct fixture *f = *state;
	struct routes rs;
	char err[1024], want[PATH_MAX + 32];
	size_t i;

	for (i = 0; i < sizeof(bad_rows) / sizeof(bad_rows[0]); i++) {
		const struct bad_row *b = &bad_rows[i];

		print_message("  bad: %s\n", b->label);
		if (load(f, b->text, b->len ? b->len : strlen(b->text), &rs, err, sizeof(err)) == 0)
			fail_msg("%s: accepted", b->label);
		snprintf(want, sizeof(want), "%s:%d: ", f->file, b->line);
		if (strncmp(err, want, strlen(want)) != 0 || strstr(err, b->why) == NULL)
			fail_msg("%s: got \"%s\", want \"%s…%s…\"", b->label, err, want, b->why);
		assert_int_equal(rs.n, 0);
		assert_null(rs.v);
	}
}

/* Folder/not regular and bilingual messages: every error has Chinese text too. */
static void test_messages_bilingual(void **state)
{
	struct fixture *f = *state;
	struct routes rs;
	char err[1024];
	size_t i;

	for (i = 0; i < sizeof(bad_rows) / sizeof(bad_rows[0]); i++) {
		const struct bad_row *b = &bad_rows[i];
		const unsigned char *p;
		int cjk = 0;

		load(f, b->text, b->len ? b->len : strlen(b->text), &rs, err, sizeof(err));
		for (p = (const unsigned char *)err; *p; p++)
			cjk |= *p >= 0xe4 && *p <= 0xe9;	/* lead byte of a CJK ideograph in UTF-8 */
		if (!cjk)
			fail_msg("%s: no Chinese in \"%s\"", b->label, err);
	}
	static const char folder[] = "4101W68006 sftp://u@h/in key=@D/id known_hosts=@D/folder\n";

	assert_int_equal(load(f, folder, strlen(folder), &rs, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a regular file"));
}

static void test_long_line_and_missing_file(void **state)
{
	struct fixture *f = *state;
	struct routes rs;
	char err[1024], *text, p[PATH_MAX];
	size_t n = 9000;

	text = malloc(n + 40);
	assert_non_null(text);
	strcpy(text, "1101230001 local\n1101230002 local #");
	memset(text + strlen(text), 'x', n);
	text[35 + n] = '\n';
	assert_int_equal(load(f, text, 36 + n, &rs, err, sizeof(err)), -1);
	free(text);
	assert_non_null(strstr(err, ":2: line too long"));
	assert_int_equal(route_load(tu_path(p, "%s/none.conf", f->dir), &rs, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot open"));
	assert_int_equal(rs.n, 0);
}

/* Table: parallel=N on a route line → the route's limit (dflt: delivery_parallel = 2). */
static const struct {
	const char	*label;
	const char	*text;
	int		 parallel;	/* struct route field (0: not given) */
	long		 limit;		/* route_parallel(r, 2) */
} parallel_rows[] = {
	{"sftp without: the global default", "4101W68006 sftp://u@h/in" SFTP_OPTS "\n", 0, 2},
	{"https without: the global default", "1100XH0001 https://h/in" HTTPS_OPTS "\n", 0, 2},
	{"sftp limited to 1", "4101W68006 sftp://u@h/in" SFTP_OPTS " parallel=1\n", 1, 1},
	{"https above the default", "1100XH0001 https://h/in parallel=5" HTTPS_OPTS " method=POST\n", 5, 5},
	{"the upper bound", "1100XH0001 https://h/in" HTTPS_OPTS " parallel=16\n", 16, 16},
	{"leading zero", "4101W68006 sftp://u@h/in parallel=03" SFTP_OPTS "\n", 3, 3},
	{"local: the default (no threads are started for it)", "1101230001 local\n", 0, 2},
};

static void test_table_parallel(void **state)
{
	struct fixture *f = *state;
	struct routes rs;
	char err[1024];
	size_t i;

	assert_int_equal(ROUTE_PARALLEL_MAX, 16);	/* delivery_parallel's bound (conf.c) */
	for (i = 0; i < sizeof(parallel_rows) / sizeof(parallel_rows[0]); i++) {
		print_message("  parallel: %s\n", parallel_rows[i].label);
		if (load(f, parallel_rows[i].text, strlen(parallel_rows[i].text), &rs, err, sizeof(err)) != 0)
			fail_msg("%s: %s", parallel_rows[i].label, err);
		assert_int_equal(rs.n, 1);
		assert_int_equal(rs.v[0].parallel, parallel_rows[i].parallel);
		assert_int_equal(route_parallel(&rs.v[0], 2), parallel_rows[i].limit);
		route_free(&rs);
	}
}

static void test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(route_kind_name(ROUTE_LOCAL), "local");
	assert_string_equal(route_kind_name(ROUTE_SFTP), "sftp");
	assert_string_equal(route_kind_name(ROUTE_HTTPS), "https");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_files_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_messages_bilingual, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_line_and_missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_parallel, setup, teardown),
		cmocka_unit_test(test_kind_names),
	};

	return cmocka_run_group_tests_name("route", tests, NULL, NULL);
}
