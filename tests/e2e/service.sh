#!/usr/bin/env bash
# tests/e2e/service.sh — entrust as a Debian system service (issue #8):
#   `make install` into a DESTDIR (the tree, its modes, nothing world-writable; PREFIX
#   honoured; uninstall), the installed configuration passes `entrustd -n`, the systemd
#   unit passes `systemd-analyze verify`, the daemon's sd_notify messages (READY, RELOADING,
#   STOPPING, WATCHDOG) reach a socket standing in for systemd, SIGHUP reopens the log
#   (logrotate), the man pages render without warnings and cover every parameter, code and
#   verb, the metrics file parses strictly (and with promtool when installed) and its
#   counters match a run's events, `entrustctl metrics` prints it, and `make deb` builds a
#   package whose file list is checked (and in which lintian finds no error, if installed).
# The daemon runs from the DESTDIR tree with the installed configuration, paths rewritten
# into the DESTDIR.
#
# usage: tests/e2e/service.sh [BIN_DIR]    (BIN_DIR holds entrustd and entrustctl; default ./bin)
#        KEEP=1 keeps the temporary folder; SKIP_DEB=1 skips the package build (slow)
# Prints "ok - NAME", "ok - NAME # SKIP why" or "not ok - NAME: WHY" per test and
# "service: N passed, M failed" last; exits 1 when a test failed.
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${1:-$REPO/bin}
[ -d "$BIN" ] && BIN=$(cd "$BIN" && pwd)

PASS=0
FAILS=0
FAILMSG=""
SKIPMSG=""
DPID=""

T=$(mktemp -d "${TMPDIR:-/tmp}/entrust-service.XXXXXX") || {
	echo "not ok - setup: mktemp failed"
	echo "service: 0 passed, 1 failed"
	exit 1
}
D=$T/root              # DESTDIR, PREFIX=/usr
CONF=$T/installed.conf # the installed configuration, paths rewritten into $D
SPOOL=$D/var/spool/entrust
LOG=$D/var/log/entrust/entrustd.log
PKI=$D/etc/entrust/pki

cleanup() {
	stop_daemon
	[ "${KEEP:-0}" = 1 ] && echo "# kept $T" || rm -rf -- "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# ---------------------------------------------------------------------------------------
# helpers

fail() {
	FAILMSG="$*"
	return 1
}

skip() {
	SKIPMSG="$*"
	return 0
}

run_test() {
	FAILMSG=""
	SKIPMSG=""
	[ -n "${ONLY:-}" ] && [[ ! $1 =~ $ONLY ]] && return 0
	if "$1"; then
		if [ -n "$SKIPMSG" ]; then
			echo "ok - $1 # SKIP $SKIPMSG"
		else
			echo "ok - $1"
		fi
		PASS=$((PASS + 1))
	else
		echo "not ok - $1: ${FAILMSG:-failed}"
		FAILS=$((FAILS + 1))
	fi
}

expect_eq() {
	[ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"
}

# make_install DESTDIR [VAR=VALUE...] — install the binaries of BIN_DIR without rebuilding
make_install() {
	local dest=$1
	shift
	make -C "$REPO" --no-print-directory -o all BINDIR="$BIN" DESTDIR="$dest" "$@" install \
		>>"$T/install.log" 2>&1
}

# mode PATH — octal mode as stat prints it (e.g. 3770)
mode() {
	stat -c %a "$1" 2>/dev/null
}

# sample FILE NAME LABELS — the value of NAME{LABELS} (or NAME when LABELS is empty)
sample() {
	local want=$2
	[ -n "$3" ] && want="$2{$3}"
	awk -v w="$want" 'index($0, w " ") == 1 { v = substr($0, length(w) + 2) } END { print (v == "" ? "absent" : v) }' "$1"
}

# sign STEM XML OUT — an envelope as a partner makes it
sign() {
	openssl cms -sign -nodetach -binary -signer "$PKI/$1.pem" -inkey "$PKI/$1.key" \
		-in "$2" -outform DER -out "$3" 2>>"$T/openssl.log"
}

# drop FILE NAME — into inbound/ the safe way
drop() {
	cp -- "$1" "$SPOOL/inbound/.$2.tmp" && mv -- "$SPOOL/inbound/.$2.tmp" "$SPOOL/inbound/$2"
}

# query_xml MSGID SENDER — a status query (accepted when SENDER is the signer's code)
query_xml() {
	sed -e "s#<MessageId>[^<]*</MessageId>#<MessageId>$1</MessageId>#" \
		-e "s#<Sender>[^<]*</Sender>#<Sender>$2</Sender>#" "$REPO/docs/examples/query-status.xml"
}

# start_daemon [ENV=VALUE...] — the installed entrustd with the installed configuration
start_daemon() {
	local i n before
	before=$(grep -c "starting" "$LOG" 2>/dev/null)
	before=${before:-0}
	env -u NOTIFY_SOCKET -u WATCHDOG_USEC -u WATCHDOG_PID "$@" \
		sh -c 'WATCHDOG_PID=$$; export WATCHDOG_PID; exec "$0" -c "$1"' \
		"$D/usr/sbin/entrustd" "$CONF" >>"$T/daemon-stderr.log" 2>&1 &
	DPID=$!
	for i in $(seq 50); do
		n=$(grep -c "starting" "$LOG" 2>/dev/null)
		[ "${n:-0}" -gt "$before" ] && return 0
		kill -0 "$DPID" 2>/dev/null || break
		sleep 0.1
	done
	fail "entrustd did not start (see $T/daemon-stderr.log: $(tail -1 "$T/daemon-stderr.log"))"
}

# stop_daemon — SIGTERM and wait; DAEMON_RC holds the exit status
stop_daemon() {
	DAEMON_RC=""
	[ -n "$DPID" ] || return 0
	kill -TERM "$DPID" 2>/dev/null
	local i
	for i in $(seq 100); do
		kill -0 "$DPID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
	DAEMON_RC=$?
	DPID=""
}

# settled TOTAL — wait until TOTAL envelopes have left inbound/ and work/ for archive/ or error/
settled() {
	local i n
	for i in $(seq 100); do
		n=$(find "$SPOOL/archive" "$SPOOL/error" -type f -name 'E*' ! -name '*.reason' | wc -l)
		if [ "$n" -ge "$1" ] && [ -z "$(find "$SPOOL/inbound" "$SPOOL/work" -mindepth 1 | head -1)" ]; then
			return 0
		fi
		sleep 0.1
	done
	fail "only $n of $1 envelopes processed"
}

# A strict reader of the Prometheus text format (version 0.0.4), as a scraper reads it.
promcheck() {
	python3 - "$1" <<'EOF'
import math, re, sys

NAME = re.compile(r'[a-zA-Z_:][a-zA-Z0-9_:]*$')
LABEL = re.compile(r'[a-zA-Z_][a-zA-Z0-9_]*$')

def die(n, why):
    print("line %d: %s" % (n, why))
    sys.exit(1)

def value(n, s):
    if s in ("+Inf", "-Inf", "NaN"):
        return float(s.replace("Inf", "inf"))
    if not re.fullmatch(r'-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?', s):
        die(n, "bad value %r" % s)
    return float(s)

def labels(n, s):
    out, i = {}, 0
    while i < len(s):
        m = re.match(r'([a-zA-Z_][a-zA-Z0-9_]*)="', s[i:])
        if not m:
            die(n, "bad label at %r" % s[i:])
        name, i, v = m.group(1), i + m.end(), ""
        while True:
            if i >= len(s):
                die(n, "unterminated label value")
            c = s[i]
            if c == '\\':
                if i + 1 >= len(s) or s[i + 1] not in '\\"n':
                    die(n, "bad escape")
                v += {'\\': '\\', '"': '"', 'n': '\n'}[s[i + 1]]
                i += 2
            elif c == '"':
                i += 1
                break
            elif c == '\n':
                die(n, "newline in label value")
            else:
                v += c
                i += 1
        if name in out or name.startswith("__"):
            die(n, "label %s repeated or reserved" % name)
        out[name] = v
        if i < len(s):
            if s[i] != ',':
                die(n, "expected , at %r" % s[i:])
            i += 1
    return out

text = open(sys.argv[1], encoding="utf-8").read()
if not text.endswith("\n"):
    die(0, "no final newline")
families, order, current, seen = {}, [], None, set()
for n, line in enumerate(text.split("\n")[:-1], 1):
    if line.startswith("# HELP ") or line.startswith("# TYPE "):
        parts = line[7:].split(" ", 1)
        if not NAME.match(parts[0]) or len(parts) != 2:
            die(n, "bad " + line[2:6])
        f = families.setdefault(parts[0], {"type": None, "help": None, "samples": []})
        key = "help" if line[2] == "H" else "type"
        if f[key] is not None:
            die(n, "second %s for %s" % (key, parts[0]))
        if key == "type":
            if parts[1] not in ("counter", "gauge", "histogram", "summary", "untyped"):
                die(n, "bad type")
            if f["samples"]:
                die(n, "TYPE after samples")
        f[key] = parts[1]
        if parts[0] != current:
            if parts[0] in order:
                die(n, "family %s not contiguous" % parts[0])
            order.append(parts[0])
            current = parts[0]
        continue
    if line.startswith("#") or line.strip() == "":
        continue
    m = re.fullmatch(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?', line)
    if not m:
        die(n, "not a sample: %r" % line)
    name, lab, v = m.group(1), labels(n, m.group(3) or ""), value(n, m.group(4))
    fam = name
    for suf in ("_bucket", "_sum", "_count"):
        if name.endswith(suf) and name[:-len(suf)] in families and families[name[:-len(suf)]]["type"] == "histogram":
            fam = name[:-len(suf)]
    if fam != current or families.get(fam, {}).get("type") is None:
        die(n, "sample %s outside its typed family (%s)" % (name, current))
    key = (name, tuple(sorted(lab.items())))
    if key in seen:
        die(n, "duplicate series %s" % line)
    seen.add(key)
    families[fam]["samples"].append((name, lab, v))
for fam in order:
    f = families[fam]
    if f["type"] == "counter":
        if not fam.endswith("_total"):
            die(0, "counter %s not named _total" % fam)
        for s in f["samples"]:
            if s[2] < 0 or math.isnan(s[2]):
                die(0, "counter %s negative" % fam)
    if f["type"] == "histogram":
        groups = {}
        for name, lab, v in f["samples"]:
            rest = tuple(sorted((k, x) for k, x in lab.items() if k != "le"))
            g = groups.setdefault(rest, {"buckets": [], "sum": None, "count": None})
            if name.endswith("_bucket"):
                if "le" not in lab:
                    die(0, "bucket without le")
                g["buckets"].append((value(0, lab["le"]), v))
            elif name.endswith("_sum"):
                g["sum"] = v
            else:
                g["count"] = v
        for g in groups.values():
            b = g["buckets"]
            if not b or b[-1][0] != math.inf or g["sum"] is None or g["count"] is None:
                die(0, "histogram %s incomplete" % fam)
            if [x for x, _ in b] != sorted(x for x, _ in b) or [c for _, c in b] != sorted(c for _, c in b):
                die(0, "histogram %s buckets not ascending and cumulative" % fam)
            if b[-1][1] != g["count"]:
                die(0, "histogram %s: +Inf bucket != _count" % fam)
print("ok %d families %d samples" % (len(order), len(seen)))
EOF
}

# ---------------------------------------------------------------------------------------
# tests

setup() {
	local x
	for x in openssl python3 make awk stat; do
		command -v $x >/dev/null 2>&1 || fail "$x not installed (scripts/setup)" || return 1
	done
	[ -x "$BIN/entrustd" ] && [ -x "$BIN/entrustctl" ] || fail "no entrustd/entrustctl in $BIN (run make)" || return 1
	make_install "$D" PREFIX=/usr UNITDIR=/lib/systemd/system ||
		fail "make install failed: $(tail -3 "$T/install.log" | tr '\n' ' ')"
}

# Table: every installed path with its mode (FHS: sbin, bin, /etc/entrust, /usr/share/entrust,
# /var/spool/entrust, /var/lib/entrust, /var/log/entrust).
test_install_tree_and_modes() {
	local line m p
	while read -r m p; do
		[ -e "$D/$p" ] || fail "missing $p" || return 1
		expect_eq "$(mode "$D/$p")" "$m" "mode of $p" || return 1
	done <<'EOF'
755 usr/sbin/entrustd
755 usr/bin/entrustctl
750 etc/entrust
640 etc/entrust/entrustd.conf
750 etc/entrust/pki
755 etc/entrust/codes
644 etc/entrust/codes/countries.tsv
644 etc/entrust/codes/currencies.tsv
644 etc/entrust/codes/trade-modes.tsv
644 etc/entrust/codes/units.tsv
644 etc/logrotate.d/entrust
644 lib/systemd/system/entrustd.service
644 usr/share/entrust/xsd/entrust.xsd
644 usr/share/entrust/xsd/customs/agent-agreement.xsd
644 usr/share/entrust/xslt/customs-export.xsl
644 usr/share/entrust/xslt/print.xsl
755 usr/share/entrust/entrust-system-setup
644 usr/share/man/man8/entrustd.8
644 usr/share/man/man8/entrustctl.8
644 usr/share/man/man5/entrustd.conf.5
644 usr/share/man/man7/entrust-protocol.7
644 usr/share/doc/entrust/protocol.md
755 var/spool/entrust
3770 var/spool/entrust/inbound
2750 var/spool/entrust/outbound
750 var/spool/entrust/work
750 var/spool/entrust/archive
750 var/spool/entrust/error
750 var/spool/entrust/dead
755 var/spool/entrust/metrics
750 var/lib/entrust
2750 var/log/entrust
EOF
	for line in spool_dir=/var/spool/entrust store_dir=/var/lib/entrust xsd_dir=/usr/share/entrust/xsd \
		xslt_dir=/usr/share/entrust/xslt codes_dir=/etc/entrust/codes trust_ca=/etc/entrust/pki/ca.pem \
		hub_key=/etc/entrust/pki/hub.key registry=/etc/entrust/parties.conf log_file=/var/log/entrust/entrustd.log; do
		expect_eq "$(grep -c "^${line%%=*} = ${line#*=}\$" "$D/etc/entrust/entrustd.conf")" 1 \
			"installed entrustd.conf: ${line%%=*}" || return 1
	done
	grep -q "^ExecStart=/usr/sbin/entrustd -c /etc/entrust/entrustd.conf$" "$D/lib/systemd/system/entrustd.service" ||
		fail "unit: ExecStart is not /usr/sbin/entrustd -c /etc/entrust/entrustd.conf"
}

test_install_nothing_world_writable() {
	local bad
	bad=$(cd "$D" && find . ! -type l \( -perm -o+w -o -perm -u+s \) | head -3)
	[ -z "$bad" ] || fail "world-writable or setuid: $bad" || return 1
	bad=$(cd "$D" && find . -type f -perm -g+w | head -3)
	[ -z "$bad" ] || fail "group-writable files: $bad"
}

# PREFIX=/usr/local moves programs and shared files, not /etc or /var; uninstall removes
# them and keeps configuration and data.
test_install_prefix_and_uninstall() {
	local d2=$T/local
	make_install "$d2" PREFIX=/usr/local || fail "make install PREFIX=/usr/local failed" || return 1
	for p in usr/local/sbin/entrustd usr/local/bin/entrustctl usr/local/share/entrust/xsd/entrust.xsd \
		usr/local/share/man/man8/entrustd.8 usr/local/lib/systemd/system/entrustd.service \
		etc/entrust/entrustd.conf var/spool/entrust/inbound; do
		[ -e "$d2/$p" ] || fail "PREFIX=/usr/local: missing $p" || return 1
	done
	grep -q "^xsd_dir = /usr/local/share/entrust/xsd$" "$d2/etc/entrust/entrustd.conf" ||
		fail "PREFIX=/usr/local: xsd_dir not under the prefix" || return 1
	grep -q "^ExecStart=/usr/local/sbin/entrustd " "$d2/usr/local/lib/systemd/system/entrustd.service" ||
		fail "PREFIX=/usr/local: unit's ExecStart" || return 1
	echo "# local edit" >>"$d2/etc/entrust/entrustd.conf"
	make_install "$d2" PREFIX=/usr/local || fail "second make install failed" || return 1
	grep -q "^# local edit" "$d2/etc/entrust/entrustd.conf" || fail "install overwrote entrustd.conf" || return 1
	[ -f "$d2/etc/entrust/entrustd.conf.new" ] || fail "no entrustd.conf.new beside the kept one" || return 1
	make -C "$REPO" --no-print-directory DESTDIR="$d2" PREFIX=/usr/local uninstall >>"$T/install.log" 2>&1 ||
		fail "make uninstall failed" || return 1
	[ ! -e "$d2/usr/local/sbin/entrustd" ] && [ ! -e "$d2/usr/local/share/entrust" ] &&
		[ ! -e "$d2/usr/local/share/man/man8/entrustd.8" ] || fail "uninstall left programs behind" || return 1
	[ -f "$d2/etc/entrust/entrustd.conf" ] && [ -d "$d2/var/spool/entrust/inbound" ] ||
		fail "uninstall removed configuration or data"
}

# The installed configuration, with a demo PKI and registry where the package expects them,
# passes `entrustd -n`; a bad line is named.
test_installed_conf_checks() {
	local out
	"$REPO/scripts/demo-pki" "$PKI" "$D/etc/entrust/parties.conf" >"$T/demo-pki.log" 2>&1 ||
		fail "demo-pki failed" || return 1
	sed -E -e "s#^([a-z_]+) = /#\1 = $D/#" -e "s#^settle_ms = .*#settle_ms = 0#" -e "s#^rescan_s = .*#rescan_s = 1#" \
		"$D/etc/entrust/entrustd.conf" >"$CONF"
	grep -q "^settle_ms = 0$" "$CONF" || echo "settle_ms = 0" >>"$CONF"
	grep -q "^rescan_s = 1$" "$CONF" || echo "rescan_s = 1" >>"$CONF"
	out=$("$D/usr/sbin/entrustd" -n -c "$CONF" 2>&1) || fail "entrustd -n: $out" || return 1
	[[ $out == "configuration OK"* ]] || fail "entrustd -n said: $out" || return 1
	sed 's/^rescan_s = .*/rescan_s = 0/' "$CONF" >"$T/bad.conf"
	out=$("$D/usr/sbin/entrustd" -n -c "$T/bad.conf" 2>&1) && fail "rescan_s = 0 accepted" && return 1
	[[ $out == "$T/bad.conf:"[0-9]*": out of range"* ]] || fail "bad line not named: $out"
}

# The system user and groups (issue #8), as the package's postinst makes them: run the
# installed entrust-system-setup on a tree of its own, check owners and modes, then run the
# installed daemon as user entrust with only CAP_LEASE (as the unit does) while a partner
# account of group entrust-drop drops an envelope: it is answered, the partner reads its
# answer but not work/ nor archive/, a file the partner still holds open is not taken, and
# without CAP_LEASE the daemon says so at start.  Accounts this test made are removed.
SYS_MADE=""
test_system_user_least_privilege() {
	local rc=0
	[ "$(id -u)" = 0 ] || { skip "needs root (useradd)"; return 0; }
	command -v setpriv >/dev/null 2>&1 && command -v runuser >/dev/null 2>&1 ||
		fail "setpriv/runuser missing (util-linux)" || return 1
	getent passwd entrust >/dev/null || SYS_MADE="$SYS_MADE user"
	getent group entrust-drop >/dev/null || SYS_MADE="$SYS_MADE drop"
	check_system_user || rc=1
	stop_daemon
	userdel entrusttp 2>/dev/null
	[[ $SYS_MADE == *user* ]] && { userdel entrust 2>/dev/null; groupdel entrust 2>/dev/null; }
	[[ $SYS_MADE == *drop* ]] && groupdel entrust-drop 2>/dev/null
	return $rc
}

check_system_user() {
	local S=$T/sys sconf=$T/sys.conf p want got ack fd
	mkdir -p "$S/etc" && cp -a "$D/etc/entrust" "$S/etc/" || return 1
	"$D/usr/share/entrust/entrust-system-setup" "$S/etc" "$S/var" >"$T/system-setup.log" 2>&1 ||
		fail "entrust-system-setup: $(tail -2 "$T/system-setup.log")" || return 1
	"$D/usr/share/entrust/entrust-system-setup" "$S/etc" "$S/var" >>"$T/system-setup.log" 2>&1 ||
		fail "entrust-system-setup is not idempotent" || return 1
	id -nG entrust | tr ' ' '\n' | grep -qx entrust-drop || fail "entrust is not in entrust-drop" || return 1
	[ "$(getent passwd entrust | cut -d: -f7)" = /usr/sbin/nologin ] || fail "entrust has a login shell" || return 1
	for p in "etc/entrust root:entrust 750" "etc/entrust/pki root:entrust 750" \
		"etc/entrust/pki/hub.key root:entrust 640" "etc/entrust/parties.conf root:entrust 640" \
		"var/spool/entrust entrust:entrust 755" "var/spool/entrust/inbound entrust:entrust-drop 3770" \
		"var/spool/entrust/outbound entrust:entrust-drop 2750" "var/spool/entrust/work entrust:entrust 750" \
		"var/spool/entrust/archive entrust:entrust 750" "var/lib/entrust entrust:entrust 750" \
		"var/log/entrust entrust:adm 2750"; do
		set -- $p
		got=$(stat -c '%U:%G %a' "$S/$1")
		expect_eq "$got" "$2 $3" "owner and mode of $1" || return 1
	done
	sed -e "s#$D/var/#$S/var/#g" -e "s#$D/etc/#$S/etc/#g" "$CONF" >"$sconf" && chmod 0644 "$sconf"
	chmod 0711 "$T"
	useradd --system --no-create-home --shell /usr/sbin/nologin -G entrust-drop entrusttp ||
		fail "cannot make the partner account" || return 1
	query_xml SYS-0001 1101230001 >"$T/sys1.xml" && sign consignor "$T/sys1.xml" "$T/sys1.p7m" && chmod 0644 "$T/sys1.p7m"
	p=$S/var/spool/entrust
	runuser -u entrusttp -- sh -c "cp '$T/sys1.p7m' '$p/inbound/.sys1.tmp' && mv '$p/inbound/.sys1.tmp' '$p/inbound/sys1.p7m'" ||
		fail "the partner cannot drop into inbound/" || return 1
	# without CAP_LEASE: it works, and says what it cannot tell
	setpriv --reuid=entrust --regid=entrust --init-groups "$D/usr/sbin/entrustd" -c "$sconf" --once \
		>>"$T/daemon-stderr.log" 2>&1 || fail "entrustd --once as entrust failed: $(tail -1 "$T/daemon-stderr.log")" || return 1
	grep -q "no CAP_LEASE" "$S/var/log/entrust/entrustd.log" || fail "no warning about CAP_LEASE" || return 1
	ack=$p/outbound/1101230001/ACK_SYS-0001.p7m
	[ -f "$ack" ] || fail "no ack for the partner's envelope" || return 1
	runuser -u entrusttp -- cat "$ack" >/dev/null 2>&1 || fail "the partner cannot read its ack" || return 1
	runuser -u entrusttp -- ls "$p/work" >/dev/null 2>&1 && { fail "the partner can list work/"; return 1; }
	runuser -u entrusttp -- ls "$p/archive" >/dev/null 2>&1 && { fail "the partner can list archive/"; return 1; }
	runuser -u entrusttp -- cat "$S/etc/entrust/pki/hub.key" >/dev/null 2>&1 && { fail "the partner can read the hub key"; return 1; }
	stat -c %U "$S/var/lib/entrust/"log.* | sort -u | grep -qx entrust || fail "store files not owned by entrust" || return 1
	# with CAP_LEASE only, in daemon mode: a file the partner holds open is left alone
	query_xml SYS-0002 1101230001 >"$T/sys2.xml" && sign consignor "$T/sys2.xml" "$T/sys2.p7m" && chmod 0644 "$T/sys2.p7m"
	: >"$T/sys.hold"
	runuser -u entrusttp -- sh -c "exec 3>'$p/inbound/sys2.p7m'; cat '$T/sys2.p7m' >&3; while [ -e '$T/sys.hold' ]; do sleep 0.1; done" &
	fd=$!
	setpriv --reuid=entrust --regid=entrust --init-groups --inh-caps=+lease --ambient-caps=+lease \
		"$D/usr/sbin/entrustd" -c "$sconf" >>"$T/daemon-stderr.log" 2>&1 &
	DPID=$!
	sleep 2
	[ -e "$p/inbound/sys2.p7m" ] || { rm -f "$T/sys.hold"; fail "a file the partner holds open was taken"; return 1; }
	rm -f "$T/sys.hold"
	wait "$fd"
	for _ in $(seq 50); do [ -f "$p/outbound/1101230001/ACK_SYS-0002.p7m" ] && break; sleep 0.1; done
	[ -f "$p/outbound/1101230001/ACK_SYS-0002.p7m" ] || fail "no ack once the partner closed its file" || return 1
	[ "$(grep -c "no CAP_LEASE" "$S/var/log/entrust/entrustd.log")" = 1 ] || fail "warned about CAP_LEASE with CAP_LEASE" || return 1
	# root edits the registry with the console: it stays root:entrust 0640, readable by the daemon
	printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=emailProtection\n' >"$T/new.ext"
	{ openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/new.key" \
		-subj "/CN=1101239998" -out "$T/new.csr" &&
		openssl x509 -req -in "$T/new.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -set_serial 777 -days 30 \
			-extfile "$T/new.ext" -out "$T/new.pem"; } >>"$T/openssl.log" 2>&1 || fail "cannot make a certificate" || return 1
	"$D/usr/bin/entrustctl" -c "$sconf" party add 1101239998 consignor "$T/new.pem" 测试委托方 \
		>>"$T/ctl.log" 2>&1 || fail "party add as root failed: $(tail -1 "$T/ctl.log")" || return 1
	expect_eq "$(stat -c '%U:%G %a' "$S/etc/entrust/parties.conf")" "root:entrust 640" "registry after party add" || return 1
	kill -HUP "$DPID"
	for _ in $(seq 50); do grep -q "reloaded" "$S/var/log/entrust/entrustd.log" && break; sleep 0.1; done
	grep -q "reloaded" "$S/var/log/entrust/entrustd.log" || fail "the daemon (user entrust) could not reload the registry root wrote: $(grep 'reload refused' "$S/var/log/entrust/entrustd.log" | tail -1)"
}

test_unit_verifies() {
	local u=$D/lib/systemd/system/entrustd.service k out
	for k in "^Type=notify$" "^WatchdogSec=" "^ExecReload=/bin/kill -HUP \\\$MAINPID$" "^KillSignal=SIGTERM$" \
		"^User=entrust$" "^SupplementaryGroups=entrust-drop$" "^ProtectSystem=strict$" \
		"^ReadWritePaths=/var/spool/entrust /var/lib/entrust /var/log/entrust$" "^NoNewPrivileges=yes$" \
		"^PrivateTmp=yes$" "^CapabilityBoundingSet=CAP_LEASE$" "^AmbientCapabilities=CAP_LEASE$" "^ProtectHome=yes$" "^ExecStartPre=/usr/sbin/entrustd -n "; do
		grep -q "$k" "$u" || fail "unit lacks $k" || return 1
	done
	command -v systemd-analyze >/dev/null 2>&1 || fail "systemd-analyze not installed (scripts/setup installs systemd)" || return 1
	# The executables must exist where the unit names them: verify a copy pointing into DESTDIR.
	sed "s#/usr/sbin/entrustd#$D/usr/sbin/entrustd#g" "$u" >"$T/entrustd.service"
	out=$(MANPATH=$D/usr/share/man systemd-analyze verify "$T/entrustd.service" 2>&1)
	if [ $? -ne 0 ] || [ -n "$out" ]; then
		# Does it verify a trivial unit here?  If not, the tool cannot run in this place.
		printf '[Unit]\nDescription=probe\n[Service]\nExecStart=/bin/true\n' >"$T/probe.service"
		if ! systemd-analyze verify "$T/probe.service" >/dev/null 2>&1; then
			skip "systemd-analyze cannot run here: $(systemd-analyze verify "$T/probe.service" 2>&1 | head -1)"
			return 0
		fi
		fail "systemd-analyze verify: $(echo "$out" | head -3 | tr '\n' ' ')"
	fi
}

test_logrotate_snippet() {
	local s=$D/etc/logrotate.d/entrust
	grep -q "^/var/log/entrust/\*.log {" "$s" || fail "logrotate: not for /var/log/entrust/*.log" || return 1
	grep -q "kill --signal=HUP --kill-whom=main entrustd.service" "$s" || fail "logrotate: no SIGHUP to entrustd" || return 1
	grep -q "create 0640 entrust adm" "$s" || fail "logrotate: new file not 0640 entrust:adm"
}

# A datagram socket standing in for systemd: READY=1 after start, RELOADING=1 and READY=1
# around SIGHUP, WATCHDOG=1 within the interval, STOPPING=1 at SIGTERM; exit status 0.
test_sd_notify() {
	local sock=$T/notify.sock msgs=$T/notify.log lpid i
	python3 - "$sock" "$msgs" <<'EOF' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(0.2)
end = time.time() + 20
with open(sys.argv[2], "w") as out:
    while time.time() < end:
        try:
            m = s.recv(4096).decode()
        except socket.timeout:
            continue
        out.write("%.3f %s\n" % (time.time(), m.replace("\n", "|")))
        out.flush()
        if "STOPPING=1" in m:
            break
EOF
	lpid=$!
	for i in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
	start_daemon NOTIFY_SOCKET="$sock" WATCHDOG_USEC=2000000 || { kill "$lpid" 2>/dev/null; return 1; }
	for i in $(seq 50); do grep -q "READY=1" "$msgs" 2>/dev/null && break; sleep 0.1; done
	sleep 2.5
	kill -HUP "$DPID"
	for i in $(seq 50); do [ "$(grep -c "READY=1" "$msgs")" -ge 2 ] && break; sleep 0.1; done
	stop_daemon
	wait "$lpid" 2>/dev/null
	expect_eq "$DAEMON_RC" 0 "exit status after SIGTERM" || return 1
	grep -q "READY=1" "$msgs" || fail "no READY=1 ($(head -c 200 "$msgs"))" || return 1
	grep -q "WATCHDOG=1" "$msgs" || fail "no WATCHDOG=1 within 2.5 s of a 2 s watchdog" || return 1
	grep -q "RELOADING=1" "$msgs" || fail "no RELOADING=1 on SIGHUP" || return 1
	expect_eq "$(grep -c "READY=1" "$msgs")" 2 "READY=1 at start and after the reload" || return 1
	expect_eq "$(grep -o "READY=1\|RELOADING=1\|STOPPING=1" "$msgs" | tr '\n' ' ')" \
		"READY=1 RELOADING=1 READY=1 STOPPING=1 " "order of notifications"
}

# Without systemd nothing changes: no NOTIFY_SOCKET, the daemon starts, works and stops.
test_runs_without_systemd() {
	start_daemon NOTIFY_SOCKET= WATCHDOG_USEC= || return 1
	stop_daemon
	expect_eq "$DAEMON_RC" 0 "exit status without systemd"
}

# logrotate's way: the file is moved away, SIGHUP, the daemon writes a new file.
test_sighup_reopens_log() {
	local old
	start_daemon || return 1
	mv "$LOG" "$LOG.1"
	old=$(grep -c "reloaded" "$LOG.1")
	kill -HUP "$DPID"
	for i in $(seq 50); do grep -q "reloaded" "$LOG" 2>/dev/null && break; sleep 0.1; done
	stop_daemon
	[ -f "$LOG" ] || fail "no new log file after SIGHUP" || return 1
	grep -q "reloaded" "$LOG" || fail "reload not logged in the new file" || return 1
	grep -q "stopping on signal" "$LOG" || fail "later lines not in the new file" || return 1
	expect_eq "$(grep -c "reloaded" "$LOG.1")" "$old" "reload lines in the rotated file"
}

# Drop N good and M bad envelopes (and one replay) through the daemon; the metrics file
# written at stop parses strictly and counts exactly those events.
N=5
test_metrics_match_run() {
	local m=$SPOOL/metrics/entrust.prom i n want got check
	mkdir -p "$T/env"
	for i in $(seq $N); do
		query_xml "SVC-Q-$i" 1101230001 >"$T/env/q$i.xml" && sign consignor "$T/env/q$i.xml" "$T/env/q$i.p7m" ||
			fail "cannot sign" || return 1
	done
	query_xml SVC-MISMATCH 4101W68006 >"$T/env/mm.xml" && sign consignor "$T/env/mm.xml" "$T/env/mm.p7m"
	printf 'not an envelope\n' >"$T/env/junk1"
	head -c 300 "$T/env/q1.p7m" >"$T/env/junk2"
	start_daemon || return 1
	for i in $(seq $N); do drop "$T/env/q$i.p7m" "q$i.p7m"; done
	drop "$T/env/mm.p7m" mm.p7m
	drop "$T/env/junk1" junk1.p7m
	drop "$T/env/junk2" junk2.p7m
	settled $((N + 3)) || { stop_daemon; return 1; }
	drop "$T/env/q1.p7m" q1-again.p7m		# a replay (R25)
	settled $((N + 4)) || { stop_daemon; return 1; }
	stop_daemon
	expect_eq "$DAEMON_RC" 0 "exit status" || return 1
	[ -f "$m" ] || fail "no $m" || return 1
	expect_eq "$(mode "$m")" 644 "metrics file mode" || return 1
	[ -z "$(find "$SPOOL/metrics" -name '.*')" ] || fail "temporary file left in metrics/" || return 1
	check=$(promcheck "$m") || fail "strict parser: $check" || return 1
	# want: name labels value (from the events dropped above)
	while read -r n labels want; do
		[ "$labels" = - ] && labels=""
		got=$(sample "$m" "$n" "$labels")
		expect_eq "$got" "$want" "$n{$labels}" || return 1
	done <<EOF
entrust_envelopes_total type="Query",status="accepted" $N
entrust_envelopes_total type="Query",status="replay" 1
entrust_envelopes_total type="Query",status="refused" 1
entrust_envelopes_total type="none",status="refused" 2
entrust_envelopes_refused_total code="SENDER_MISMATCH" 1
entrust_envelopes_refused_total code="ENV_UNREADABLE" 2
entrust_envelope_seconds_count - $((N + 4))
entrust_envelope_seconds_bucket le="+Inf" $((N + 4))
entrust_outbound_files_total kind="ack" $((N + 2))
entrust_spool_files folder="inbound" 0
entrust_spool_files folder="work" 0
entrust_spool_files folder="error" 3
entrust_spool_files folder="outbound" $((N + 1))
entrust_metrics_dropped_total - 0
EOF
	# the same events, counted in the log
	expect_eq "$(grep -c 'type=Query .*status=accepted' "$LOG")" "$N" "accepted lines in the log" || return 1
	expect_eq "$(grep -c 'status=refused code=' "$LOG")" 3 "refused lines in the log" || return 1
	want=$(date -d "$(openssl x509 -in "$PKI/hub.pem" -noout -enddate | cut -d= -f2)" +%s)
	got=$(grep '^entrust_certificate_expiry_timestamp_seconds{kind="hub",code="ENTRUSTHUB"' "$m" | awk '{print $2}')
	expect_eq "$got" "$want" "hub certificate expiry" || return 1
	expect_eq "$(grep -c '^entrust_certificate_expiry_timestamp_seconds{kind="party"' "$m")" \
		"$(grep -vc '^#' "$D/etc/entrust/parties.conf")" "one expiry per registered party"
}

test_metrics_promtool() {
	local m=$SPOOL/metrics/entrust.prom out
	[ -f "$m" ] || fail "no metrics file (test_metrics_match_run first)" || return 1
	command -v promtool >/dev/null 2>&1 || fail "promtool not installed (scripts/setup installs prometheus)" || return 1
	out=$(promtool check metrics <"$m" 2>&1) || fail "promtool: $out"
}

test_ctl_metrics() {
	local m=$SPOOL/metrics/entrust.prom out fresh=$T/fresh.conf
	out=$("$D/usr/bin/entrustctl" -c "$CONF" metrics 2>&1) || fail "entrustctl metrics: $out" || return 1
	expect_eq "$(grep -v '^# entrustd is not running' <<<"$out")" "$(cat "$m")" "entrustctl metrics vs the file" ||
		return 1
	# before the daemon ever ran: the disk gauges, measured now
	sed "s#^spool_dir = .*#spool_dir = $T/fresh-spool#" "$CONF" >"$fresh"
	mkdir -p "$T/fresh-spool/inbound" && printf x >"$T/fresh-spool/inbound/a.p7m"
	"$D/usr/bin/entrustctl" -c "$fresh" metrics >"$T/fresh.prom" 2>&1 || fail "entrustctl metrics (fresh)" || return 1
	promcheck "$T/fresh.prom" >/dev/null || fail "fresh metrics: $(promcheck "$T/fresh.prom")" || return 1
	expect_eq "$(sample "$T/fresh.prom" entrust_spool_files 'folder="inbound"')" 1 "fresh inbound gauge"
}

test_man_pages_render_clean() {
	local p out
	for p in "$REPO"/man/*.[1-8] "$D"/usr/share/man/man*/*; do
		out=$(man --warnings -l "$p" 2>&1 >/dev/null)
		[ -z "$out" ] || fail "$(basename "$p"): $(head -2 <<<"$out" | tr '\n' ' ')" || return 1
		out=$(MANWIDTH=80 man -l "$p" 2>/dev/null | wc -l)
		[ "$out" -gt 20 ] || fail "$(basename "$p") renders only $out lines" || return 1
	done
}

# Every configuration parameter (src/conf.c), refusal code (src/reason.c) and console verb
# (src/entrustctl.c) is documented.
test_man_pages_cover() {
	local x
	for x in $(sed -n 's/^[[:space:]]*P(\([a-z_]*\),.*/\1/p' "$REPO/src/conf.c"); do
		grep -q "^\.B $x\$" "$REPO/man/entrustd.conf.5" || fail "entrustd.conf(5) lacks $x" || return 1
	done
	for x in $(sed -n 's/^[[:space:]]*\[R_[A-Z_]*\] = {"\([A-Z_]*\)".*/\1/p' "$REPO/src/reason.c" | grep -v '^OK$'); do
		grep -q "^\.B $x\$" "$REPO/man/entrust-protocol.7" || fail "entrust-protocol(7) lacks $x" || return 1
	done
	for x in $(sed -n 's/^[[:space:]]*{"\([a-z ]*\)", [0-9].*/\1/p' "$REPO/src/entrustctl.c" | tr ' ' '_'); do
		x=${x//_/ }
		grep -qE "^(\\.B[IR]? \"?|\\\\fB)${x}([ \"]|\\\\f|\$)" "$REPO/man/entrustctl.8" ||
			fail "entrustctl(8) lacks the verb '$x'" || return 1
	done
}

test_deb_builds() {
	local deb list p info
	[ "${SKIP_DEB:-0}" = 1 ] && { skip "SKIP_DEB=1"; return 0; }
	command -v dpkg-buildpackage >/dev/null 2>&1 || fail "dpkg-buildpackage not installed (scripts/setup)" || return 1
	make -C "$REPO" --no-print-directory deb >"$T/deb.log" 2>&1 || fail "make deb: $(tail -5 "$T/deb.log" | tr '\n' ' ')" ||
		return 1
	deb=$(ls "$REPO"/build/deb/entrust_*.deb 2>/dev/null | head -1)
	[ -f "$deb" ] || fail "no build/deb/entrust_*.deb" || return 1
	list=$(dpkg-deb -c "$deb" | awk '{print $6}')
	for p in ./usr/sbin/entrustd ./usr/bin/entrustctl ./lib/systemd/system/entrustd.service \
		./etc/entrust/entrustd.conf ./etc/entrust/codes/countries.tsv ./etc/logrotate.d/entrust \
		./usr/share/entrust/xsd/entrust.xsd ./usr/share/entrust/xsd/customs/agent-agreement.xsd \
		./usr/share/entrust/xslt/customs-export.xsl ./usr/share/entrust/entrust-system-setup \
		./usr/share/man/man8/entrustd.8.gz ./usr/share/man/man8/entrustctl.8.gz \
		./usr/share/man/man5/entrustd.conf.5.gz ./usr/share/man/man7/entrust-protocol.7.gz \
		./usr/share/doc/entrust/copyright ./var/spool/entrust/inbound/ ./var/lib/entrust/ ./var/log/entrust/; do
		grep -qx -- "$p" <<<"$list" || fail "package lacks $p" || return 1
	done
	info=$(dpkg-deb -I "$deb")
	grep -q "Depends:.*libsystemd0" <<<"$info" || fail "Depends lacks libsystemd0" || return 1
	dpkg-deb -e "$deb" "$T/control"
	grep -qx /etc/entrust/entrustd.conf "$T/control/conffiles" || fail "entrustd.conf is not a conffile" || return 1
	grep -q entrust-system-setup "$T/control/postinst" || fail "postinst does not set up the system" || return 1
	grep -q "deb-systemd-helper\|systemctl" "$T/control/postinst" || fail "postinst does not enable the unit" || return 1
	if command -v lintian >/dev/null 2>&1; then
		lintian --tag-display-limit 0 "$deb" >"$T/lintian.log" 2>&1
		grep -q "^E: " "$T/lintian.log" && fail "lintian: $(grep '^E: ' "$T/lintian.log" | head -3 | tr '\n' ' ')" && return 1
		echo "# lintian: $(grep -c '^W: ' "$T/lintian.log") warnings, $(grep -c '^I: ' "$T/lintian.log") info"
	fi
	return 0
}

run_test setup
if [ "$FAILS" -eq 0 ]; then
	run_test test_install_tree_and_modes
	run_test test_install_nothing_world_writable
	run_test test_install_prefix_and_uninstall
	run_test test_installed_conf_checks
	run_test test_unit_verifies
	run_test test_logrotate_snippet
	run_test test_sd_notify
	run_test test_runs_without_systemd
	run_test test_sighup_reopens_log
	run_test test_metrics_match_run
	run_test test_metrics_promtool
	run_test test_ctl_metrics
	run_test test_system_user_least_privilege
fi
run_test test_man_pages_render_clean
run_test test_man_pages_cover
run_test test_deb_builds

echo "service: $PASS passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
