/* entrustctl — the operator's console 运维控制台.
 *   entrustctl [-c CONF] VERB [ARGS] [--OPTION VALUE] [--json] [--help]
 * Each verb lives in a ctl_*.c module; this file is the table that names
 * them, their arguments, their options and their help, and main().
 * Exit codes: 0 ok, 1 not found, 2 usage, 3 configuration or store error. */
#include "ctl_log.h"
#include "ctl_metrics.h"
#include "ctl_out.h"
#include "ctl_party.h"
#include "ctl_print.h"
#include "ctl_query.h"
#include "ctl_show.h"
#include "ctl_spool.h"
#include "ctl_store.h"
#include "store.h"
#include "xmlin.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct verb {
	const char	*name;		/* one or two words: "status", "party add" */
	int		 min, max;	/* positional arguments after the name */
	const char	*opts;		/* options it takes, space-separated ("o" is -o) */
	const char	*synopsis;
	const char	*help;
	int		(*fn)(struct ctl *c);
};

static const struct verb verbs[] = {
	{"status", 0, 0, "", "status", "spool folders (count, oldest age), dead letters, daemon, last errors\n"
	    "  投递目录文件数与最早文件时长、死信、守护进程状态、最近错误", ctl_status},
	{"errors", 0, 0, "", "errors", "refused files in error/ with reason code and sentences 被拒文件及原因", ctl_errors},
	{"inspect", 1, 1, "", "inspect FILE", "signer, bound party, signing time, message type, pretty XML, schema\n"
	    "  result and what applying it would do — nothing is applied 检查信封（不处理）", ctl_inspect},
	{"retry", 1, 1, "", "retry NAME | CODE/NAME", "move error/NAME (or dead/NAME) back to inbound/ under its original name;\n"
	    "  its .reason is kept in error/ as NAME.reason.N 重新投递被拒文件;\n"
	    "  CODE/NAME: a delivery dead letter dead/CODE/NAME back to outbound/CODE/ 死信重新投递", ctl_retry},
	{"show agreement", 1, 1, "", "show agreement NUMBER", "one agreement 查看委托协议", ctl_show_agreement},
	{"show letter", 1, 1, "", "show letter NUMBER", "one letter and its agreements 查看委托书", ctl_show_letter},
	{"log", 0, 0, "id agreement party level since until", "log [--id ID] [--agreement N] [--party CODE]\n"
	    "      [--level debug|info|warn|error] [--since T] [--until T]",
	    "log lines, filtered; T is 2026-12-03[T10:00[:00]] (UTC) or 30m, 2h, 7d ago; --since keeps\n"
	    "  lines at or after T, --until lines before T 日志查询（按时间段等过滤）", ctl_log},
	{"trace", 1, 1, "", "trace AGREEMENT", "audit trail of one agreement in order, with times: status changes,\n"
	    "  notices to the parties (R26), data sent to customs (R27), customs' answers, the envelopes\n"
	    "  and their log lines 委托协议追踪（状态变更、通知、海关数据交换）", ctl_trace},
	{"backup", 1, 1, "", "backup DIR", "hot backup of the store into DIR (emptied first), safe while the daemon\n"
	    "  runs; restore: db_recover -c -h DIR 热备份", ctl_backup},
	{"verify", 0, 1, "", "verify [DIR]", "check every database (default: store_dir; best on a backup or with the\n"
	    "  daemon stopped) 数据库校验", ctl_verify},
	{"metrics", 0, 0, "", "metrics", "Prometheus text-format metrics (the file entrustd writes) 运行指标", ctl_metrics},
	{"checkpoint", 0, 0, "archive", "checkpoint [--archive DIR]", "checkpoint, then move the store's log files that\n"
	    "  recovery no longer needs to DIR (default: store_log_archive), or delete them if neither\n"
	    "  is set 检查点与日志归档（移入归档目录，未设置则删除）", ctl_checkpoint},
	{"party list", 0, 0, "", "party list", "registered parties and their certificates 企业列表", ctl_party_list},
	{"party show", 1, 1, "", "party show CODE", "one party: certificates, registration, account 企业详情", ctl_party_show},
	{"party add", 4, 4, "credit overlap notices", "party add CODE ROLE CERT.pem NAME [--credit CREDIT_CODE] [--overlap DAYS]\n"
	    "      [--notices bundle|single]",
	    "bind a certificate to a party; --credit: its 18-character unified social credit code\n"
	    "  (统一社会信用代码, GB 32100 check character; exit 2 if wrong); a second certificate for the\n"
	    "  same code is a roll-over: --overlap DAYS ends the earlier ones DAYS from now, after which\n"
	    "  they are refused (R1, SIGNER_UNBOUND); --notices bundle: the code's notices of one processing\n"
	    "  batch in one signed file (root Notices), single: a file per notice (the default); set on\n"
	    "  every line of the code, also for a certificate bound already; without it a new certificate\n"
	    "  keeps the code's setting 通知合并; reloads the daemon 登记企业证书（可设过渡期、通知合并）", ctl_party_add},
	{"party retire", 2, 2, "after", "party retire CODE FINGERPRINT [--after DAYS]",
	    "unbind a certificate now, or with --after DAYS let it end DAYS from now (the binding is\n"
	    "  kept, refused after its end, R1); reloads the daemon 注销证书（或到期注销）", ctl_party_retire},
	{"certs expiring", 0, 0, "days", "certs expiring [--days N]", "certificates (registry, hub, CA) that expire within\n"
	    "  N days (default 30) 即将过期的证书", ctl_certs_expiring},
	{"query brokers", 0, 0, "district name code", "query brokers [--district D] [--name FRAGMENT] [--code CODE]",
	    "broker search (R6) 选择报关企业", ctl_query_brokers},
	{"query status", 0, 0, "party counterparty letter agreement bill value status",
	    "query status [--party CODE] [--counterparty C] [--letter L] [--agreement N] [--bill B]\n"
	    "      [--value V] [--status S]", "status query (R21); without --party across all enterprises\n"
	    "  委托状态查询", ctl_query_status},
	{"query recent", 0, 0, "party counterparty", "query recent --party CODE --counterparty C",
	    "five most recently signed agreements (R22) 最近5条", ctl_query_recent},
	{"query stats", 0, 0, "party from to", "query stats --party CODE --from YYYY-MM-DD --to YYYY-MM-DD",
	    "agreements used by customs between two dates, inclusive (R23) 组合统计", ctl_query_stats},
	{"query account", 0, 0, "party", "query account --party CODE", "account (R18, R24) 账户查询", ctl_query_account},
	{"query topups", 0, 0, "party", "query topups --party CODE", "top-up records (R20) 充值记录", ctl_query_topups},
	{"print", 1, 1, "o xslt", "print AGREEMENT [-o FILE.html] [--xslt DIR]", "the agreement (status 2 only, R17)\n"
	    "  with its letter as printable A4 HTML 打印委托报关协议", ctl_print},
	{"report", 0, 0, "from to party o xslt", "report --from YYYY-MM-DD --to YYYY-MM-DD [--party CODE] [-o FILE.html]",
	    "usage per counterparty and month, customs-used agreements only (R23) 使用统计报表", ctl_report},
};
#define NVERBS (sizeof(verbs) / sizeof(verbs[0]))

static void usage(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage 用法: entrustctl [-c CONF] VERB [ARGS] [--json] [--help]\n");
	for (i = 0; i < NVERBS; i++)
		fprintf(fp, "  %s\n", verbs[i].synopsis);
	fprintf(fp, "`entrustctl VERB --help` tells more.  exit: 0 ok, 1 not found 未找到, 2 usage 用法错误,\n"
	    "3 config/store error 配置或数据库错误\n");
}

static void verb_help(const struct verb *v)
{
	printf("usage 用法: entrustctl [-c CONF] %s [--json]\n  %s\n"
	    "exit: 0 ok, 1 not found 未找到, 2 usage 用法错误, 3 config/store error 配置或数据库错误\n",
	    v->synopsis, v->help);
}

/* The verb named by the first one or two words; *used says how many. */
static const struct verb *verb_find(const char **words, int n, int *used)
{
	char two[64];
	size_t i;

	if (n >= 2 && snprintf(two, sizeof(two), "%s %s", words[0], words[1]) < (int)sizeof(two))
		for (i = 0; i < NVERBS; i++)
			if (strcmp(verbs[i].name, two) == 0) {
				*used = 2;
				return &verbs[i];
			}
	for (i = 0; n >= 1 && i < NVERBS; i++)
		if (strcmp(verbs[i].name, words[0]) == 0) {
			*used = 1;
			return &verbs[i];
		}
	return NULL;
}

/* Whether every option given is one the verb takes. */
static int verb_opts_ok(const struct verb *v, const struct ctl *c)
{
	char list[160], want[64];
	int i;

	snprintf(list, sizeof(list), " %s ", v->opts);
	for (i = 0; i < c->nopts; i++) {
		snprintf(want, sizeof(want), " %s ", c->opts[i].name);
		if (strstr(list, want) == NULL)
			return 0;
	}
	return 1;
}

/* Split argv into global options, verb options and words. */
static int parse_args(struct ctl *c, int argc, char **argv, const char **words, int *nwords, int *help)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-c") == 0 && i + 1 < argc)
			c->conf_path = argv[++i];
		else if (strcmp(a, "--json") == 0)
			c->as_json = 1;
		else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
			*help = 1;
		else if ((strncmp(a, "--", 2) == 0 && a[2]) || strcmp(a, "-o") == 0) {
			if (i + 1 >= argc || c->nopts == CTL_MAX_OPTS)
				return ctl_fail(CTL_USAGE, "%s needs a value 缺少取值", a);
			c->opts[c->nopts].name = a[1] == '-' ? a + 2 : a + 1;
			c->opts[c->nopts++].value = argv[++i];
		} else if (*nwords < CTL_MAX_ARGS + 2)
			words[(*nwords)++] = a;
		else
			return ctl_fail(CTL_USAGE, "too many arguments 参数过多");
	}
	return 0;
}

static int run(struct ctl *c, const struct verb *v)
{
	char err[1024];

	if (conf_load(c->conf_path, &c->conf, err, sizeof(err)) < 0)
		return ctl_fail(CTL_STORE, "%s", err);
	return v->fn(c);
}

int main(int argc, char **argv)
{
	const char *words[CTL_MAX_ARGS + 2];
	const struct verb *v;
	int nwords = 0, help = 0, used = 0, rc, i;
	struct ctl c;

	memset(&c, 0, sizeof(c));
	c.conf_path = conf_default_path();
	if ((rc = parse_args(&c, argc, argv, words, &nwords, &help)) != 0)
		return rc;
	if ((v = verb_find(words, nwords, &used)) == NULL) {
		usage(help ? stdout : stderr);
		return help ? CTL_OK : CTL_USAGE;
	}
	if (help) {
		verb_help(v);
		return CTL_OK;
	}
	for (i = used; i < nwords; i++)
		c.args[c.nargs++] = words[i];
	if (c.nargs < v->min || c.nargs > v->max || !verb_opts_ok(v, &c)) {
		fprintf(stderr, "usage 用法: entrustctl [-c CONF] %s [--json]\n", v->synopsis);
		return CTL_USAGE;
	}
	xmlin_global_init();
	buf_init(&c.out);
	json_init(&c.j, &c.out);
	rc = run(&c, v);
	if (c.out.len)
		fwrite(c.out.data, 1, c.out.len, stdout);
	buf_free(&c.out);
	store_close(c.store);
	xmlin_global_done();
	return rc;
}
