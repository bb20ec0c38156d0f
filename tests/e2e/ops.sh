#!/usr/bin/env bash
# tests/e2e/ops.sh — the operator's console end to end: every entrustctl verb against a
# store filled by the real entrustd (envelopes made with the openssl command line), the
# --json answers compared with jq, the operator queries compared with the answers of the
# Query message (same code, same answers: R6, R20–R24), backup → db_recover -c → read,
# and the print (R17) and report (R23) pages rendered by headless Chromium to PNG and PDF.
# Each walk-through of docs/operations.md is one or more tests here.
# 运维控制台端到端测试。
#
# usage: tests/e2e/ops.sh [BIN_DIR]     (default ./bin);  KEEP=1 keeps the temporary folder
# Prints "ok - NAME" / "not ok - NAME: WHY" per test and "ops: N passed, M failed" last;
# exits 1 when a test failed.
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${1:-./bin}
[ -d "$BIN" ] && BIN=$(cd "$BIN" && pwd)
ENTRUSTD=$BIN/entrustd
ENTRUSTCTL=$BIN/entrustctl

PASS=0
FAILS=0
FAILMSG=""
DPID=""

T=$(mktemp -d "${TMPDIR:-/tmp}/entrust-ops.XXXXXX") || {
	echo "not ok - setup: mktemp failed"
	echo "ops: 0 passed, 1 failed"
	exit 1
}

cleanup() {
	stop_daemon
	[ "${KEEP:-0}" = 1 ] || rm -rf -- "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

PKI=$T/pki
REGISTRY=$T/conf/parties.conf
SPOOL=$T/spool
STORE=$T/store
CONF=$T/conf/entrustd.conf
DOCS=$T/docs
ENV=$T/env
OUT=$T/out
LOG=$T/daemon.log
mkdir -p "$T/conf" "$DOCS" "$ENV" "$OUT"

C1=1101230001   # consignor
BR=4101W68006   # broker
P3=1101230003   # a partner registered by the operator during the tests

TODAY=$(TZ=Asia/Shanghai date +%Y-%m-%d)
YESTERDAY=$(TZ=Asia/Shanghai date -d yesterday +%Y-%m-%d)
TOMORROW=$(TZ=Asia/Shanghai date -d tomorrow +%Y-%m-%d)

# ---------------------------------------------------------------------------------------
# helpers (the conventions of run.sh)

fail() {
	FAILMSG="$*"
	return 1
}

expect_eq() {
	[ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"
}

run_test() {
	local t0=$SECONDS
	FAILMSG=""
	if "$1"; then
		echo "ok - $1 ($((SECONDS - t0)) s)"
		PASS=$((PASS + 1))
	else
		echo "not ok - $1: ${FAILMSG:-failed} ($((SECONDS - t0)) s)"
		FAILS=$((FAILS + 1))
	fi
	stop_daemon	# a failed test must not leave its daemon holding the lock for the next
}

# xp FILE PATH — string value of a namespace-blind XPath
xp() {
	local path
	path=$(sed -E "s#(^|/)([A-Za-z_][A-Za-z0-9_]*)#\1*[local-name()='\2']#g" <<<"$2")
	xmllint --xpath "string($path)" "$1" 2>/dev/null
}

# xc FILE PATH — number of nodes matching the namespace-blind XPath
xc() {
	local path
	path=$(sed -E "s#(^|/)([A-Za-z_][A-Za-z0-9_]*)#\1*[local-name()='\2']#g" <<<"$2")
	xmllint --xpath "count($path)" "$1" 2>/dev/null
}

fpr() {
	openssl x509 -in "$1" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr A-F a-f
}

# sign STEM DOC OUT — an envelope as a partner makes it
sign() {
	openssl cms -sign -nodetach -binary -signer "$PKI/$1.pem" -inkey "$PKI/$1.key" \
		-in "$2" -outform DER -out "$3" 2>>"$T/openssl.log"
}

# drop FILE NAME — deliver safely (.tmp, then rename)
drop() {
	cp -- "$1" "$SPOOL/inbound/$2.tmp" && mv -- "$SPOOL/inbound/$2.tmp" "$SPOOL/inbound/$2"
}

run_once() {
	timeout 30 "$ENTRUSTD" -c "$CONF" --once >>"$LOG" 2>&1 || fail "entrustd --once exited $?"
}

# ctl ARGS... — entrustctl with the test configuration; stderr to ctl-stderr.log
ctl() {
	timeout 20 "$ENTRUSTCTL" -c "$CONF" "$@" 2>>"$T/ctl-stderr.log"
}

# ack CODE MSGID — the signed ack for MSGID, verified, as XML on stdout's file path
ack() {
	local f=$SPOOL/outbound/$1/ACK_$2.p7m x=$OUT/ACK_$2.xml
	[ -f "$f" ] || return 1
	openssl cms -verify -CAfile "$PKI/ca.pem" -inform DER -binary -in "$f" -out "$x" >/dev/null 2>>"$T/openssl.log" || return 1
	echo "$x"
}

# send STEM NAME XML — sign, drop, process once
send() {
	sign "$1" "$3" "$ENV/$2" || fail "openssl cms -sign $2" || return 1
	drop "$ENV/$2" "$2"
	run_once
}

header() {	# header MSGID SENDER
	printf '  <Header>\n    <MessageId>%s</MessageId>\n    <Sender>%s</Sender>\n    <SentAt>%s</SentAt>\n  </Header>\n' \
		"$1" "$2" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}

agreement_xml() {	# REF GOODS BILL
	cat <<EOX
  <Agreement ref="$1">
    <GoodsName>$2</GoodsName>
    <HsCode>8471300000</HsCode>
    <TotalValue currency="USD">120000.00</TotalValue>
    <Quantity unit="001">300</Quantity>
    <Direction>I</Direction>
    <Date>2026-12-20</Date>
    <BillOfLading>$3</BillOfLading>
    <TradeMode>0110</TradeMode>
    <Origin>502</Origin>
    <OtherRequirements>请于到港后三日内申报</OtherRequirements>
    <Payer>consignor</Payer>
  </Agreement>
EOX
}

query_xml() {	# MSGID SENDER BODY
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<Query xmlns="urn:entrust:1" version="1">\n%s\n%s\n</Query>\n' \
		"$(header "$1" "$2")" "$3"
}

# newcert STEM CODE DAYS — an RSA signing certificate from the demo CA
newcert() {
	openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$PKI/$1.key" &&
		openssl req -new -key "$PKI/$1.key" -subj "/O=北京第三贸易有限公司/CN=$2" -utf8 -out "$PKI/$1.csr" &&
		openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" \
			-set_serial "0x$(openssl rand -hex 8)" -days "$3" -extfile "$T/ee.cnf" -extensions ee -out "$PKI/$1.pem"
} >>"$T/openssl.log" 2>&1

start_daemon() {
	"$ENTRUSTD" -c "$CONF" >>"$LOG" 2>&1 &
	DPID=$!
	for _ in $(seq 50); do
		[ "$(ctl status --json | jq -r .daemon 2>/dev/null)" = running ] && return 0
		sleep 0.1
	done
	fail "entrustd did not start"
}

daemon_running() {
	[ "$(ctl status --json | jq -r .daemon 2>/dev/null)" = running ]
}

stop_daemon() {
	[ -n "$DPID" ] || return 0
	kill -TERM "$DPID" 2>/dev/null
	for _ in $(seq 50); do
		kill -0 "$DPID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
	DPID=""
}

# wait_for CMD... — up to 10 s until CMD succeeds
wait_for() {
	for _ in $(seq 100); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# log_count_above WORD N — the daemon's log has more than N lines with WORD (re-read each call)
log_count_above() {
	[ "$(grep -c "$1" "$SPOOL/log/entrustd.log")" -gt "$2" ]
}

# in_error NAME — the envelope NAME has been refused into error/
in_error() {
	compgen -G "$SPOOL/error/E*_$1" >/dev/null
}

# render HTML NAME — headless Chromium to PNG and PDF; the PDF's text into $OUT/NAME.txt
render() {
	local prof
	prof=$(mktemp -d "$T/chromium.XXXXXX")
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run \
		--user-data-dir="$prof" --window-size=1240,1754 --screenshot="$OUT/$2.png" "file://$1" \
		>>"$T/chromium.log" 2>&1 || fail "chromium --screenshot failed for $2 (see chromium.log)" || return 1
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run \
		--user-data-dir="$prof" --no-pdf-header-footer --print-to-pdf="$OUT/$2.pdf" "file://$1" \
		>>"$T/chromium.log" 2>&1 || fail "chromium --print-to-pdf failed for $2 (see chromium.log)" || return 1
	[ -s "$OUT/$2.png" ] && [ "$(head -c 8 "$OUT/$2.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
		fail "$2.png is not a PNG" || return 1
	[ "$(head -c 5 "$OUT/$2.pdf")" = "%PDF-" ] || fail "$2.pdf is not a PDF" || return 1
	pdftotext -layout "$OUT/$2.pdf" "$OUT/$2.txt" 2>>"$T/chromium.log" || fail "pdftotext $2.pdf failed"
}

# pdf_has NAME TEXT... — every TEXT appears in the PDF's text (spaces ignored)
pdf_has() {
	local name=$1 t flat
	shift
	flat=$(tr -d ' \n' <"$OUT/$name.txt")
	for t in "$@"; do
		[[ $flat == *"${t// /}"* ]] || fail "$name.pdf lacks '$t'" || return 1
	done
}

# ---------------------------------------------------------------------------------------
# setup: PKI, configuration, and a store filled by the real daemon

setup() {
	local x
	for x in openssl jq xmllint chromium pdftotext db_recover db_verify; do
		command -v $x >/dev/null 2>&1 || x=${x/db_/db5.3_}
		command -v $x >/dev/null 2>&1 || fail "$x not installed (scripts/setup)" || return 1
	done
	[ -x "$ENTRUSTD" ] && [ -x "$ENTRUSTCTL" ] || fail "$BIN/entrustd or entrustctl missing (make all)" || return 1
	"$REPO/scripts/demo-pki" "$PKI" "$REGISTRY" >"$T/demo-pki.log" 2>&1 || fail "scripts/demo-pki failed" || return 1
	cat >"$T/ee.cnf" <<'EOX'
[ ee ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection
EOX
	cat >"$CONF" <<EOX
# entrust ops test configuration (tests/e2e/ops.sh)
spool_dir = $SPOOL
store_dir = $STORE
xsd_dir = $REPO/xsd
codes_dir = $REPO/conf/codes
trust_ca = $PKI/ca.pem
hub_cert = $PKI/hub.pem
hub_key = $PKI/hub.key
registry = $REGISTRY
settle_ms = 0
rescan_s = 1
log_file = $SPOOL/log/entrustd.log
EOX
	run_once || return 1
	"$ENTRUSTD" -n -c "$CONF" >/dev/null 2>&1 || fail "entrustd -n refuses the test configuration"
}

# The opening of docs/operations.md: registration, approval, top-ups, a request of two
# agreements, the broker's confirmation, customs receipts: AGR1 ends in 2, AGR2 in 5.
fill_store() {
	local x
	send broker reg.p7m "$REPO/docs/examples/broker-registration.xml" || return 1
	send association dec.p7m "$REPO/docs/examples/registration-decision.xml" || return 1
	send operator topup1.p7m "$REPO/docs/examples/top-up.xml" || return 1
	sed 's/OPS-TOPUP-0001/OPS-TOPUP-0002/; s/<Enterprise>1101230001</<Enterprise>4101W68006</' \
		"$REPO/docs/examples/top-up.xml" >"$DOCS/topup2.xml"
	send operator topup2.p7m "$DOCS/topup2.xml" || return 1
	sed '/<Agreement ref="1">/,$d' "$REPO/docs/examples/entrust-request.xml" |
		sed 's/ERP-20261203-0001/OPS-REQ-0001/' >"$DOCS/req.xml"
	{ agreement_xml 1 笔记本电脑 COSU6123456780; agreement_xml 2 显示器 COSU6123456781; echo "</EntrustRequest>"; } >>"$DOCS/req.xml"
	send consignor req.p7m "$DOCS/req.xml" || return 1
	x=$(ack "$C1" OPS-REQ-0001) || fail "no ack for the request (error/: $(ls "$SPOOL/error"))" || return 1
	expect_eq "$(xp "$x" /Ack/Outcome)" accepted "request outcome ($(xp "$x" /Ack/Error/Detail))" || return 1
	LETTER=$(xp "$x" /Ack/Letter/Number)
	AGR1=$(xp "$x" '/Ack/Agreement[1]/Number')
	AGR2=$(xp "$x" '/Ack/Agreement[2]/Number')
	cat >"$DOCS/confirm.xml" <<EOX
<?xml version="1.0" encoding="UTF-8"?>
<EntrustConfirm xmlns="urn:entrust:1" version="1">
$(header OPS-CONF-0001 "$BR")
  <Letter>$LETTER</Letter>
$(for a in "$AGR1" "$AGR2"; do cat <<EOY
  <Decision>
    <Agreement>$a</Agreement>
    <Accept>true</Accept>
    <BrokerHalf>
      <DocumentsReceived>contract invoice packing-list bill-of-lading</DocumentsReceived>
      <ReceivedOn>2026-12-03</ReceivedOn>
      <Fee>300.00</Fee>
      <Commitments>按时如实申报</Commitments>
    </BrokerHalf>
  </Decision>
EOY
done)
</EntrustConfirm>
EOX
	send broker confirm.p7m "$DOCS/confirm.xml" || return 1
	x=$(ack "$BR" OPS-CONF-0001) || fail "no ack for the confirmation" || return 1
	expect_eq "$(xp "$x" /Ack/Outcome)" accepted "confirm outcome ($(xp "$x" /Ack/Error/Detail))" || return 1
	receipt OPS-RCPT-1 "$AGR1" data-received "" && receipt OPS-RCPT-2 "$AGR2" data-received "" &&
		receipt OPS-RCPT-3 "$AGR2" declaration-filed COSU6123456781 &&
		receipt OPS-RCPT-4 "$AGR2" declaration-concluded COSU6123456781 "$RETURN_INFO" || return 1
	expect_eq "$(ctl show agreement "$AGR1" --json | jq -r .status)" 2 "status of AGR1" || return 1
	expect_eq "$(ctl show agreement "$AGR2" --json | jq -r .status)" 5 "status of AGR2"
}

RETURN_INFO='已结关 concluded,
第二行 second line'
receipt() {	# MSGID AGREEMENT EVENT BILL [RETURNINFO]
	local x
	cat >"$DOCS/$1.xml" <<EOX
<?xml version="1.0" encoding="UTF-8"?>
<CustomsReceipt xmlns="urn:entrust:1" version="1">
$(header "$1" 0100HG0001)
  <Item ref="1">
    <Agreement>$2</Agreement>
    <Event>$3</Event>
$([ -n "$4" ] && echo "    <BillOfLading>$4</BillOfLading>")
$([ -n "${5:-}" ] && echo "    <ReturnInfo>$5</ReturnInfo>")
  </Item>
</CustomsReceipt>
EOX
	send customs "$1.p7m" "$DOCS/$1.xml" || return 1
	x=$(ack 0100HG0001 "$1") || fail "no ack for receipt $1" || return 1
	expect_eq "$(xp "$x" /Ack/Outcome)" accepted "receipt $1 outcome ($(xp "$x" /Ack/Error/Detail))"
}

# ---------------------------------------------------------------------------------------
# tests

# Every verb entrustctl lists has --help with usage and exit lines; the list is read from
# `entrustctl --help` itself and must equal the verbs this suite knows (a new verb fails
# here until it is added, with its tests).
test_help_usage_and_exit_codes() {
	local v out listed want
	listed=$(ctl --help | sed -n 's/^  \([a-z][a-z]*\)\( [a-z][a-z]*\)\{0,1\}\( .*\)\{0,1\}$/\1\2/p' | sort -u | paste -sd'|')
	want=$(printf '%s\n' status errors inspect retry "show agreement" "show letter" log trace backup verify metrics \
		checkpoint "party list" "party show" "party add" "party retire" "certs expiring" "query brokers" \
		"query status" "query recent" "query stats" "query account" "query topups" print report | sort -u | paste -sd'|')
	expect_eq "$listed" "$want" "verbs in entrustctl --help" || return 1
	while IFS= read -r v; do
		# shellcheck disable=SC2086
		out=$(ctl $v --help) || fail "entrustctl $v --help exited $?" || return 1
		[[ $out == *"usage"* && $out == *"exit:"* && $out == *"entrustctl [-c CONF] $v"* ]] ||
			fail "$v --help lacks usage/exit lines: $out" || return 1
	done < <(tr '|' '\n' <<<"$want")
	ctl frobnicate >/dev/null 2>&1
	expect_eq "$?" 2 "exit of an unknown verb" || return 1
	ctl log --bogus 1 >/dev/null 2>&1
	expect_eq "$?" 2 "exit of an unknown option" || return 1
	ctl show agreement 20269999999999 >/dev/null 2>&1
	expect_eq "$?" 1 "exit of an unknown agreement" || return 1
	timeout 10 "$ENTRUSTCTL" -c "$T/nonexistent.conf" status >/dev/null 2>&1
	expect_eq "$?" 3 "exit with a missing configuration"
}

test_status_json() {
	local j
	mkdir -p "$SPOOL/dead"
	echo dead >"$SPOOL/dead/E20260101000000000_lost.p7m"
	touch -d '2 hours ago' "$SPOOL/dead/E20260101000000000_lost.p7m"
	j=$(ctl status --json) || fail "status --json exited $?" || return 1
	expect_eq "$(jq -r .daemon <<<"$j")" stopped ".daemon" || return 1
	expect_eq "$(jq -r .folders.archive <<<"$j")" "$(find "$SPOOL/archive" -type f | wc -l)" ".folders.archive" || return 1
	expect_eq "$(jq -r .folders.outbound <<<"$j")" "$(find "$SPOOL/outbound" -type f | wc -l)" ".folders.outbound" || return 1
	expect_eq "$(jq -r .dead_letters <<<"$j")" 1 ".dead_letters" || return 1
	jq -e '.oldest_age_s.dead >= 7000 and .oldest_age_s.archive >= 0 and .oldest_age_s.inbound == 0' >/dev/null <<<"$j" ||
		fail "oldest_age_s: $(jq -c .oldest_age_s <<<"$j")" || return 1
	ctl status | grep -q '死信' || fail "human status lacks 死信" || return 1
	rm -rf "$SPOOL/dead"
}

# dead_letter CODE NAME ERROR AGE — a delivery dead letter as entrustd's route leaves it
# (dead/CODE/NAME, its NAME.reason written first), AGE e.g. '3 hours ago'
dead_letter() {
	mkdir -p "$SPOOL/dead/$1"
	cat >"$SPOOL/dead/$1/$2.reason" <<EOX
code: DELIVERY_FAILED
zh: 多次投递均失败，文件已移入死信目录
en: delivery failed on every attempt; the file was moved to the dead-letter folder
detail: $3
route: sftp://entrust@sftp.broker.example:22/upload/entrust
party: $1
attempts: 8
file: $2
time: $(date -u -d "$4" +%Y-%m-%dT%H:%M:%S.000Z)
EOX
	echo "signed bytes of $2" >"$SPOOL/dead/$1/$2"
	touch -d "$4" "$SPOOL/dead/$1/$2"
}

# docs/operations.md "A stuck delivery": status names each delivery dead letter (newest
# first, at most five) with its last error from dead/CODE/NAME.reason; errors lists them
# after the refused files, marked as dead letters 投递死信.
test_dead_letters_in_status_and_errors() {
	local j i
	dead_letter "$BR" ACK_OLD-0001.p7m 'curl 7 Failed to connect to sftp.broker.example port 22' '3 hours ago'
	dead_letter "$BR" NTC_000000000042.p7m 'curl 60 host key does not match known_hosts 主机密钥不符' '1 hour ago'
	j=$(ctl status --json) || fail "status --json exited $?" || return 1
	expect_eq "$(jq -r .dead_letters <<<"$j")" 2 ".dead_letters" || return 1
	expect_eq "$(jq -r '[.dead[].file]|join(" ")' <<<"$j")" "$BR/NTC_000000000042.p7m $BR/ACK_OLD-0001.p7m" \
		"dead letters, newest first" || return 1
	expect_eq "$(jq -r '.dead[0]|[.party,.code,(.attempts|tostring),.detail]|join("|")' <<<"$j")" \
		"$BR|DELIVERY_FAILED|8|curl 60 host key does not match known_hosts 主机密钥不符" "last error of the newest" || return 1
	ctl status | grep -q "$BR/ACK_OLD-0001.p7m.*DELIVERY_FAILED" || fail "human status lacks the dead letter" || return 1
	ctl status | grep -q "last error 最后错误: curl 7 Failed to connect" || fail "human status lacks the last error" || return 1
	for i in 1 2 3 4 5; do dead_letter 1100XH0001 "NTC_00000000010$i.p7m" "HTTP 503 #$i" "$i minutes ago"; done
	j=$(ctl status --json)
	expect_eq "$(jq -r '.dead_letters, (.dead|length)' <<<"$j" | paste -sd' ')" "7 5" "count 7, the newest five shown" || return 1
	expect_eq "$(jq -r '.dead[0].detail' <<<"$j")" "HTTP 503 #1" "newest first" || return 1
	ctl status | grep -q 'newest five 最新5个' || fail "human status does not say only five are shown" || return 1
	j=$(ctl errors --json) || fail "errors --json exited $?" || return 1
	expect_eq "$(jq -r '[.[]|select(.kind=="dead_letter")]|length' <<<"$j")" 7 "dead letters in errors" || return 1
	expect_eq "$(jq -r --arg f "$BR/ACK_OLD-0001.p7m" '.[]|select(.file==$f)|[.kind,.code,.detail,.route]|join("|")' <<<"$j")" \
		"dead_letter|DELIVERY_FAILED|curl 7 Failed to connect to sftp.broker.example port 22|sftp://entrust@sftp.broker.example:22/upload/entrust" \
		"the dead letter in errors --json" || return 1
	jq -e 'all(.kind=="refused" or .kind=="dead_letter")' >/dev/null <<<"$j" || fail "errors without kind" || return 1
	ctl errors | grep -q '投递死信' || fail "human errors does not mark dead letters (投递死信)" || return 1
	ctl errors | grep -q "retry CODE/NAME" || fail "human errors does not say how to retry a dead letter" || return 1
	rm -rf "$SPOOL/dead"
}

test_query_account_same_as_message() {
	local j x
	query_xml OPS-Q-ACC "$C1" "  <AccountQuery/>" >"$DOCS/q-acc.xml"
	send consignor q-acc.p7m "$DOCS/q-acc.xml" || return 1
	x=$(ack "$C1" OPS-Q-ACC) || fail "no ack to the AccountQuery" || return 1
	j=$(ctl query account --party "$C1" --json) || fail "query account exited $?" || return 1
	expect_eq "$(jq -r '[.purchased,.used,.in_use,.available]|join(" ")' <<<"$j")" \
		"$(xp "$x" /Ack/Result/Account/Purchased) $(xp "$x" /Ack/Result/Account/Used) $(xp "$x" /Ack/Result/Account/InUse) $(xp "$x" /Ack/Result/Account/Available)" \
		"console account vs message account" || return 1
	# R18: 100 bought, AGR2 used, AGR1 reserved
	expect_eq "$(jq -c '[.purchased,.used,.in_use,.available]' <<<"$j")" "[100,1,1,98]" "account of $C1"
}

test_query_status_same_as_message() {
	local j x
	query_xml OPS-Q-ST "$C1" "  <StatusQuery><Counterparty>$BR</Counterparty></StatusQuery>" >"$DOCS/q-st.xml"
	send consignor q-st.p7m "$DOCS/q-st.xml" || return 1
	x=$(ack "$C1" OPS-Q-ST) || fail "no ack to the StatusQuery" || return 1
	j=$(ctl query status --party "$C1" --counterparty "$BR" --json) || fail "query status exited $?" || return 1
	expect_eq "$(jq -r '[.[]|.number+":"+(.status|tostring)]|sort|join(" ")' <<<"$j")" \
		"$(for i in $(seq "$(xc "$x" /Ack/Result/Agreement)"); do
			echo "$(xp "$x" "/Ack/Result/Agreement[$i]/Number"):$(xp "$x" "/Ack/Result/Agreement[$i]/Status")"
		done | sort | tr '\n' ' ' | sed 's/ $//')" "console status query vs message" || return 1
	expect_eq "$(jq -r length <<<"$j")" 2 "agreements with $BR" || return 1
	j=$(ctl query status --party "$C1" --status 2 --json)
	expect_eq "$(jq -r '[.[].number]|join(" ")' <<<"$j")" "$AGR1" "status 2 filter" || return 1
	j=$(ctl query status --bill COSU6123456781 --json)
	expect_eq "$(jq -r '[.[].number]|join(" ")' <<<"$j")" "$AGR2" "operator-wide bill of lading filter"
}

test_query_recent_stats_topups_same_as_message() {
	local j x
	query_xml OPS-Q-R5 "$C1" "  <RecentFive><Counterparty>$BR</Counterparty></RecentFive>" >"$DOCS/q-r5.xml"
	query_xml OPS-Q-STAT "$C1" "  <Statistics><From>$YESTERDAY</From><To>$TOMORROW</To></Statistics>" >"$DOCS/q-stat.xml"
	query_xml OPS-Q-TOP "$C1" "  <TopUpRecords/>" >"$DOCS/q-top.xml"
	sign consignor "$DOCS/q-r5.xml" "$ENV/q-r5.p7m" && sign consignor "$DOCS/q-stat.xml" "$ENV/q-stat.p7m" &&
		sign consignor "$DOCS/q-top.xml" "$ENV/q-top.p7m" || fail "sign" || return 1
	drop "$ENV/q-r5.p7m" q-r5.p7m && drop "$ENV/q-stat.p7m" q-stat.p7m && drop "$ENV/q-top.p7m" q-top.p7m
	run_once || return 1
	x=$(ack "$C1" OPS-Q-R5) || fail "no ack to RecentFive" || return 1
	j=$(ctl query recent --party "$C1" --counterparty "$BR" --json) || fail "query recent exited $?" || return 1
	expect_eq "$(jq -r '[.[].number]|join(" ")' <<<"$j")" \
		"$(for i in $(seq "$(xc "$x" /Ack/Result/Agreement)"); do echo "$(xp "$x" "/Ack/Result/Agreement[$i]/Number")"; done | paste -sd' ')" \
		"recent five: console vs message (same order)" || return 1
	expect_eq "$(jq -r length <<<"$j")" 2 "recent five count" || return 1
	x=$(ack "$C1" OPS-Q-STAT) || fail "no ack to Statistics" || return 1
	j=$(ctl query stats --party "$C1" --from "$YESTERDAY" --to "$TOMORROW" --json) || fail "query stats exited $?" || return 1
	expect_eq "$(jq -r .count <<<"$j")" "$(xp "$x" /Ack/Result/Count)" "statistics: console vs message" || return 1
	expect_eq "$(jq -r .count <<<"$j")" 1 "R23: only the customs-used agreement counts" || return 1
	x=$(ack "$C1" OPS-Q-TOP) || fail "no ack to TopUpRecords" || return 1
	j=$(ctl query topups --party "$C1" --json) || fail "query topups exited $?" || return 1
	expect_eq "$(jq -r '[.[]|(.units|tostring)+"|"+.reference]|join(" ")' <<<"$j")" \
		"$(xp "$x" /Ack/Result/TopUpRecord/Units)|$(xp "$x" /Ack/Result/TopUpRecord/Reference)" "top-ups: console vs message" || return 1
	expect_eq "$(jq -r '.[0].reference' <<<"$j")" INV-2026-000123 "top-up reference"
}

test_query_brokers_public_part_only() {
	local j x out
	query_xml OPS-Q-BRK "$C1" "  <BrokerSearch><District>46</District></BrokerSearch>" >"$DOCS/q-brk.xml"
	send consignor q-brk.p7m "$DOCS/q-brk.xml" || return 1
	x=$(ack "$C1" OPS-Q-BRK) || fail "no ack to BrokerSearch" || return 1
	j=$(ctl query brokers --district 46 --json) || fail "query brokers exited $?" || return 1
	expect_eq "$(jq -r '[.[].code]|join(" ")' <<<"$j")" "$(xp "$x" /Ack/Result/Broker/Code)" "brokers: console vs message" || return 1
	expect_eq "$(jq -r '.[0].code' <<<"$j")" "$BR" "broker found" || return 1
	out=$(ctl query brokers --district 46; ctl query brokers --json)
	[[ $out != *410100198001010011* && $out != *13800000001* ]] ||
		fail "R6: manager id or declarant phone shown" || return 1
	expect_eq "$(ctl query brokers --district 11 --json | jq -r length)" 0 "no broker in district 11"
}

test_party_list_and_show() {
	local j
	j=$(ctl party list --json) || fail "party list exited $?" || return 1
	expect_eq "$(jq -r 'length' <<<"$j")" "$(grep -vc '^#' "$REGISTRY")" "parties listed" || return 1
	expect_eq "$(jq -r --arg c "$C1" '.[]|select(.code==$c)|.certificates[0].fingerprint' <<<"$j")" \
		"$(fpr "$PKI/consignor.pem")" "fingerprint of $C1" || return 1
	jq -e --arg c "$C1" '.[]|select(.code==$c)|.certificates[0].not_after|test("^20[0-9]{2}-")' >/dev/null <<<"$j" ||
		fail "certificate details of $C1 not found (conf/pki scanned)" || return 1
	# the credit code scripts/demo-pki registered (credit= in the registry)
	expect_eq "$(jq -r --arg c "$C1" '.[]|select(.code==$c)|.credit_code' <<<"$j")" 91110000100000000R "credit code of $C1" || return 1
	jq -e '.[0].certificates[0]|.until=="" and .in_force==true' >/dev/null <<<"$j" || fail "open binding shown ended" || return 1
	ctl party list | grep -q "^$C1 .*统一社会信用代码 credit code 91110000100000000R" || fail "human party list lacks the credit code" || return 1
	j=$(ctl party show "$BR" --json) || fail "party show exited $?" || return 1
	expect_eq "$(jq -r '.bindings[0].role' <<<"$j")" broker "role" || return 1
	expect_eq "$(jq -r '.bindings[0].credit_code' <<<"$j")" 91410100200000000E "registry credit code of $BR" || return 1
	expect_eq "$(jq -r '.registration.credit_code' <<<"$j")" 91410100200000000E "registration credit code" || return 1
	expect_eq "$(jq -r '.account.purchased' <<<"$j")" 100 "account purchased" || return 1
	ctl party show 9999999999 >/dev/null 2>&1
	expect_eq "$?" 1 "exit of party show for an unknown code"
}

# docs/operations.md "A stuck delivery" (where is my agreement?): trace shows every envelope,
# status change, notice (R26) and customs exchange (R27 export, receipts) in order, with times.
test_trace_agreement() {
	local j f
	j=$(ctl trace "$AGR2" --json) || fail "trace exited $?" || return 1
	# events in store order (seq), each with a kind; the broker's confirmation 0->1 sends the data
	# to customs and tells the consignor, before customs' receipts move it on
	jq -e '[.events[].seq] as $s | $s == ($s|sort)' >/dev/null <<<"$j" || fail "events not in order" || return 1
	expect_eq "$(jq -r '[.events[]|.kind+":"+(.change|capture("^[a-z]+=(?<v>[^ ]+)").v)]|join(" ")' <<<"$j" |
		grep -o 'status:0->1 export:AGREEMENT_ADD notice:confirmed status:1->2')" \
		"status:0->1 export:AGREEMENT_ADD notice:confirmed status:1->2" "0->1, the export to customs, the notice, then 1->2" || return 1
	expect_eq "$(jq -r '.events[]|select(.kind=="notice")|.change' <<<"$j" | head -1 | cut -d' ' -f1-2)" \
		"notice=request-waiting to=$BR" "the broker was told of the request (R26)" || return 1
	f=$(jq -r '.events[]|select(.kind=="export")|.change|capture("file=(?<f>[^ ]+)").f' <<<"$j")
	[[ $f == EXP_*.p7m ]] && [ -f "$SPOOL/outbound/0100HG0001/$f" ] || fail "export file '$f' not in outbound/0100HG0001/" || return 1
	expect_eq "$(jq -r '.events[]|select(.kind=="export")|.by' <<<"$j")" "$BR" "the export was caused by the broker's confirmation" || return 1
	f=$(jq -r --arg c "$C1" '.events[]|select(.kind=="notice" and (.change|contains("to="+$c)))|.change|capture("file=(?<f>[^ ]+)").f' <<<"$j" | head -1)
	[[ $f == NTC_*.p7m ]] && [ -f "$SPOOL/outbound/$C1/$f" ] || fail "notice file '$f' not in outbound/$C1/" || return 1
	jq -e '[.events[]|select(.kind=="notice" and (.change|startswith("notice=customs-update")))]|length >= 3' >/dev/null <<<"$j" ||
		fail "customs' receipts did not notify the parties" || return 1
	ctl trace "$AGR2" | grep -q '通知 notice .*notice=confirmed' || fail "human trace lacks the notice" || return 1
	ctl trace "$AGR2" | grep -q '报关数据 export .*export=AGREEMENT_ADD to=0100HG0001 file=EXP_' || fail "human trace lacks the export" || return 1
	# status changes in order, and who made them (other events, e.g. exports to customs, may come between)
	expect_eq "$(jq -r '[.events[]|select(.change|startswith("status="))|.change|capture("status=(?<s>[^ ]+)").s]|join(" ")' <<<"$j")" \
		"new->0 0->1 1->2 2->4 4->5" "status changes of AGR2 in order" || return 1
	expect_eq "$(jq -r '[.events[]|select(.change|startswith("status="))|.by]|join(" ")' <<<"$j")" \
		"$C1 $BR 0100HG0001 0100HG0001 0100HG0001" "who" || return 1
	jq -e '.events|all(.time|test("^20[0-9]{2}-[0-9]{2}-[0-9]{2}T")) and all(.envelope|test("^E[0-9]{19}$"))' >/dev/null <<<"$j" ||
		fail "events lack times or envelope ids: $(jq -c '.events[0]' <<<"$j")" || return 1
	jq -e '.log|length >= 4' >/dev/null <<<"$j" || fail "trace has no log lines of its envelopes" || return 1
	expect_eq "$(jq -r .status <<<"$j")" 5 "current status" || return 1
	# customs' ReturnInfo is kept in the audit trail, on one line
	expect_eq "$(jq -r '[.events[]|select(.change|startswith("customs="))|.change]|join("|")' <<<"$j")" \
		"customs=declaration-concluded return_info=已结关 concluded, 第二行 second line" "ReturnInfo in the trail" || return 1
	ctl trace "$AGR2" | grep -q 'status=4->5' || fail "human trace lacks status=4->5" || return 1
	ctl trace 20269999999999 >/dev/null 2>&1
	expect_eq "$?" 1 "exit of trace for an unknown agreement"
}

test_log_filters() {
	local j id cut want
	j=$(ctl log --json) || fail "log exited $?" || return 1
	jq -e 'length > 10' >/dev/null <<<"$j" || fail "log --json: $(jq length <<<"$j") lines" || return 1
	id=$(ctl trace "$AGR2" --json | jq -r '.events[-1].envelope')
	j=$(ctl log --id "$id" --json)
	jq -e --arg i "$id" 'length >= 1 and all(.id == $i)' >/dev/null <<<"$j" || fail "log --id $id: $j" || return 1
	j=$(ctl log --agreement "$AGR2" --json)
	jq -e 'length >= 4' >/dev/null <<<"$j" || fail "log --agreement: $(jq length <<<"$j") lines" || return 1
	j=$(ctl log --party "$BR" --json)
	jq -e --arg p "$BR" 'length >= 1 and all(.text|contains($p))' >/dev/null <<<"$j" || fail "log --party" || return 1
	j=$(ctl log --level warn --json)
	jq -e 'all(.level == "warn" or .level == "error")' >/dev/null <<<"$j" || fail "log --level warn shows lower levels" || return 1
	expect_eq "$(ctl log --since 1h --json | jq length)" "$(ctl log --json | jq length)" "log --since 1h (all is recent)" || return 1
	expect_eq "$(ctl log --since "$TOMORROW" --json | jq length)" 0 "log --since tomorrow" || return 1
	ctl log --since yesterday-ish >/dev/null 2>&1
	expect_eq "$?" 2 "exit of a malformed --since" || return 1
	# --until T: lines before T only; cut at the second of the last line (filling the store
	# took several seconds, so there are lines on both sides)
	j=$(ctl log --json)
	cut=$(jq -r '.[-1].time[0:19]' <<<"$j")
	want=$(jq --arg t "$cut" '[.[]|select(.time[0:19] < $t)]|length' <<<"$j")
	[ "$want" -gt 0 ] && [ "$want" -lt "$(jq length <<<"$j")" ] || fail "no line on both sides of $cut" || return 1
	expect_eq "$(ctl log --until "${cut}Z" --json | jq length)" "$want" "log --until $cut" || return 1
	jq -e --arg t "$cut" 'all(.time[0:19] < $t)' >/dev/null <<<"$(ctl log --until "$cut" --json)" || fail "a line at or after $cut" || return 1
	expect_eq "$(ctl log --since "$cut" --until "$TOMORROW" --json | jq length)" "$(($(jq length <<<"$j") - want))" \
		"--since and --until split the log" || return 1
	expect_eq "$(ctl log --until "$YESTERDAY" --json | jq length)" 0 "log --until yesterday" || return 1
	expect_eq "$(ctl log --until 1h --json | jq length)" 0 "log --until an hour ago (all is recent)" || return 1
	ctl log --until "$cut" | grep -q . || fail "human log --until printed nothing" || return 1
	ctl log --until soon >/dev/null 2>&1
	expect_eq "$?" 2 "exit of a malformed --until" || return 1
	ctl log --since "$TOMORROW" --until "$YESTERDAY" >/dev/null 2>&1
	expect_eq "$?" 2 "exit of --until before --since"
}

# docs/operations.md "A refused file: read it, fix the cause, retry" and "Registering a
# partner and its certificate": an unregistered partner's query is refused (R1), the
# operator reads why, registers the partner, retries, and the file goes through.
test_refused_file_register_partner_and_retry() {
	local j e name x
	newcert partner "$P3" 400 || fail "cannot make the partner certificate" || return 1
	query_xml OPS-P3-0001 "$P3" "  <AccountQuery/>" >"$DOCS/p3.xml"
	sign partner "$DOCS/p3.xml" "$ENV/p3.p7m" || fail "sign" || return 1
	# inspect before processing: bound to nobody yet
	j=$(ctl inspect "$ENV/p3.p7m" --json) || fail "inspect exited $?" || return 1
	expect_eq "$(jq -r .envelope <<<"$j")" OK "inspect .envelope" || return 1
	expect_eq "$(jq -r .signer.fingerprint <<<"$j")" "$(fpr "$PKI/partner.pem")" "inspect signer fingerprint" || return 1
	expect_eq "$(jq -r .verdict_code <<<"$j")" SIGNER_UNBOUND "inspect verdict before registration" || return 1
	drop "$ENV/p3.p7m" p3.p7m
	run_once || return 1
	j=$(ctl errors --json) || fail "errors exited $?" || return 1
	name=$(jq -r '.[]|select(.original=="p3.p7m")|.file' <<<"$j")
	[ -n "$name" ] || fail "p3.p7m not listed by errors: $j" || return 1
	expect_eq "$(jq -r --arg n "$name" '.[]|select(.file==$n)|.code' <<<"$j")" SIGNER_UNBOUND "reason code" || return 1
	jq -e --arg n "$name" '.[]|select(.file==$n)|(.zh|length>0) and (.en|length>0) and .rule=="R1"' >/dev/null <<<"$j" ||
		fail "reason sentences or rule missing" || return 1
	ctl errors | grep -q "$name" || fail "human errors lacks $name" || return 1
	# a wrong credit code (check character, GB 32100) is refused, bilingual, exit 2; nothing written
	cp "$REGISTRY" "$T/registry.before"
	timeout 20 "$ENTRUSTCTL" -c "$CONF" party add "$P3" consignor "$PKI/partner.pem" 北京第三贸易有限公司 \
		--credit 91110000600000000K >/dev/null 2>"$OUT/credit.err"
	expect_eq "$?" 2 "exit of party add with a wrong credit code" || return 1
	grep -q '统一社会信用代码' "$OUT/credit.err" && grep -q 'not a unified social credit code' "$OUT/credit.err" ||
		fail "credit code refusal not bilingual: $(cat "$OUT/credit.err")" || return 1
	cmp -s "$REGISTRY" "$T/registry.before" || fail "registry changed by a refused party add" || return 1
	j=$(ctl party add "$P3" consignor "$PKI/partner.pem" 北京第三贸易有限公司 --credit 91110000600000000J --json) ||
		fail "party add exited $?" || return 1
	expect_eq "$(jq -r .fingerprint <<<"$j")" "$(fpr "$PKI/partner.pem")" "party add fingerprint" || return 1
	expect_eq "$(jq -r .credit_code <<<"$j")" 91110000600000000J "party add credit code" || return 1
	grep -q "^$P3 consignor $(fpr "$PKI/partner.pem") credit=91110000600000000J 北京第三贸易有限公司$" "$REGISTRY" ||
		fail "registry line not written: $(grep "^$P3" "$REGISTRY")" || return 1
	expect_eq "$(ctl party show "$P3" --json | jq -r '.bindings[0].credit_code')" 91110000600000000J "party show credit code" || return 1
	ctl party show "$P3" | grep -q '统一社会信用代码 credit code 91110000600000000J' || fail "human party show lacks the credit code" || return 1
	[ -f "$(dirname "$REGISTRY")/certs/$(fpr "$PKI/partner.pem").pem" ] || fail "certificate copy not kept" || return 1
	ctl party add "$C1" consignor "$PKI/partner.pem" x >/dev/null 2>&1
	expect_eq "$?" 2 "exit of binding one certificate to two parties (R1)" || return 1
	j=$(ctl retry "$name" --json) || fail "retry exited $?" || return 1
	expect_eq "$(jq -r .inbound <<<"$j")" p3.p7m "retry .inbound" || return 1
	[ -f "$SPOOL/inbound/p3.p7m" ] || fail "not back in inbound/" || return 1
	[ -f "$SPOOL/error/$name.reason.1" ] && [ ! -e "$SPOOL/error/$name" ] || fail "reason history not kept as $name.reason.1" || return 1
	run_once || return 1
	x=$(ack "$P3" OPS-P3-0001) || fail "no ack after the retry (errors: $(ctl errors --json | jq -c '[.[].code]'))" || return 1
	expect_eq "$(xp "$x" /Ack/Outcome)" accepted "retried query outcome" || return 1
	jq -e '[.[]|select(.original=="p3.p7m")]|length==0' >/dev/null <<<"$(ctl errors --json)" || fail "still listed in errors" || return 1
	ctl retry "$name" >/dev/null 2>&1
	expect_eq "$?" 1 "exit of a second retry"
}

test_inspect_good_envelope_and_replay() {
	local j
	query_xml OPS-INS-0001 "$C1" "  <AccountQuery/>" >"$DOCS/ins.xml"
	sign consignor "$DOCS/ins.xml" "$ENV/ins.p7m" || fail "sign" || return 1
	j=$(ctl inspect "$ENV/ins.p7m" --json) || fail "inspect exited $?" || return 1
	expect_eq "$(jq -r '[.envelope,.schema,.verdict,.party.code,.party.role,.message_type,.message_id]|join(" ")' <<<"$j")" \
		"OK OK apply $C1 consignor Query OPS-INS-0001" "inspect summary" || return 1
	[[ $(jq -r .signer.signing_time <<<"$j") =~ ^20[0-9]{2}- ]] || fail "no signing time" || return 1
	expect_eq "$(jq -r .content_type <<<"$j")" pkcs7-data "content type" || return 1
	jq -e '.xml|contains("<AccountQuery/>")' >/dev/null <<<"$j" || fail "pretty XML missing" || return 1
	j=$(ctl inspect "$ENV/req.p7m" --json) || fail "inspect of the request exited $?" || return 1
	expect_eq "$(jq -r .verdict <<<"$j")" replay "an applied envelope again is a replay (R25)" || return 1
	jq -e '.summary|any(contains("笔记本电脑"))' >/dev/null <<<"$j" || fail "summary lacks the agreements" || return 1
	ctl inspect "$ENV/req.p7m" | grep -q 'EntrustRequest' || fail "human inspect" || return 1
	# an invalid document is still shown, with the schema's complaint
	sed 's/<HsCode>8471300000</<HsCode>847</' "$DOCS/req.xml" >"$DOCS/bad.xml"
	sign consignor "$DOCS/bad.xml" "$ENV/bad.p7m" || return 1
	j=$(ctl inspect "$ENV/bad.p7m" --json)
	expect_eq "$(jq -r .schema <<<"$j")" XML_INVALID "schema result" || return 1
	jq -e '.xml|contains("<HsCode>847</HsCode>")' >/dev/null <<<"$j" || fail "invalid XML not pretty-printed"
}

# roll NAME STEM MSGID — an AccountQuery of P3 signed with STEM, dropped for the running daemon
roll() {
	query_xml "$3" "$P3" "  <AccountQuery/>" >"$DOCS/$1.xml"
	sign "$2" "$DOCS/$1.xml" "$ENV/$1.p7m" && drop "$ENV/$1.p7m" "$1.p7m"
}

# docs/operations.md "Certificate roll-over" (R1): the new certificate is bound next to the
# old with --overlap 1 (a day); during the overlap both sign; once it is over — the daemon's
# clock moved two days on with ENTRUST_TIME_OFFSET, no registry change, no reload — the old
# one is refused (SIGNER_UNBOUND) and inspect says when its binding ended; retire --after 0
# ends a binding at once; retire removes it.
test_certificate_rollover_with_running_daemon() {
	local j old new until name
	newcert partner-new "$P3" 700 || fail "cannot make the new certificate" || return 1
	old=$(fpr "$PKI/partner.pem")
	new=$(fpr "$PKI/partner-new.pem")
	start_daemon || return 1
	j=$(ctl party add "$P3" consignor "$PKI/partner-new.pem" 北京第三贸易有限公司 --overlap 1 --json) ||
		fail "party add --overlap exited $?" || return 1
	[[ $(jq -r .daemon <<<"$j") == *"SIGHUP sent to entrustd pid $DPID"* ]] || fail "no SIGHUP to $DPID: $j" || return 1
	until=$(jq -r .until <<<"$j")
	[[ $until =~ ^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$ ]] || fail "party add --overlap .until: '$until'" || return 1
	[ $(($(date -d "$until" +%s) - $(date +%s) - 86400)) -le 5 ] && [ $(($(date -d "$until" +%s) - $(date +%s))) -ge 86300 ] ||
		fail "overlap end $until is not a day from now" || return 1
	expect_eq "$(jq -r .credit_code <<<"$j")" 91110000600000000J "the new binding keeps the party's credit code" || return 1
	grep -q "^$P3 consignor $old credit=91110000600000000J until=$until 北京第三贸易有限公司$" "$REGISTRY" ||
		fail "old binding without until=: $(grep "^$P3" "$REGISTRY")" || return 1
	j=$(ctl party show "$P3" --json)
	expect_eq "$(jq -r '[.bindings[].certificates[]|.fingerprint+"|"+.until+"|"+(.in_force|tostring)]|sort|join(" ")' <<<"$j")" \
		"$(printf '%s\n' "$old|$until|true" "$new||true" | sort | paste -sd' ')" "two certificates during the overlap" || return 1
	ctl party show "$P3" | grep -q "$old.*bound until 绑定截止 $until" || fail "human party show lacks the end time" || return 1
	timeout 20 "$ENTRUSTCTL" -c "$CONF" party add "$P3" consignor "$PKI/partner-new.pem" x --credit 91110000700000000X >/dev/null 2>&1
	expect_eq "$?" 2 "exit of a second, different credit code for $P3" || return 1
	wait_for grep -q 'reloaded' "$SPOOL/log/entrustd.log" || fail "daemon did not reload" || return 1
	roll roll-new partner-new OPS-ROLL-NEW
	roll roll-old partner OPS-ROLL-OLD
	wait_for test -f "$SPOOL/outbound/$P3/ACK_OPS-ROLL-NEW.p7m" || fail "new certificate not accepted during overlap" || return 1
	wait_for test -f "$SPOOL/outbound/$P3/ACK_OPS-ROLL-OLD.p7m" || fail "old certificate not accepted during overlap" || return 1
	stop_daemon

	# two days later by the processing clock: the overlap is over
	ENTRUST_TIME_OFFSET=172800 start_daemon || return 1
	roll roll-old-after partner OPS-ROLL-OLD-AFTER
	roll roll-new-after partner-new OPS-ROLL-NEW-AFTER
	wait_for in_error roll-old-after.p7m || fail "old certificate still accepted after the overlap" || return 1
	wait_for test -f "$SPOOL/outbound/$P3/ACK_OPS-ROLL-NEW-AFTER.p7m" || fail "new certificate refused after the overlap" || return 1
	expect_eq "$(ctl errors --json | jq -r '.[]|select(.original=="roll-old-after.p7m")|.code+" "+.rule')" "SIGNER_UNBOUND R1" \
		"code after the overlap" || return 1
	name=$(ctl errors --json | jq -r '.[]|select(.original=="roll-old-after.p7m")|.file')
	j=$(ENTRUST_TIME_OFFSET=172800 ctl inspect "$name" --json)
	expect_eq "$(jq -r .verdict_code <<<"$j")" SIGNER_UNBOUND "inspect after the overlap" || return 1
	[[ $(jq -r .verdict_detail <<<"$j") == "binding ended at $until"* ]] || fail "inspect detail: $(jq -r .verdict_detail <<<"$j")" || return 1
	grep -q "^detail: .*binding ended at $until" "$SPOOL/error/$name.reason" ||
		fail "the reason file does not say when the binding ended: $(grep '^detail:' "$SPOOL/error/$name.reason")" || return 1
	expect_eq "$(ENTRUST_TIME_OFFSET=172800 ctl party show "$P3" --json |
		jq -r --arg f "$old" '.bindings[].certificates[]|select(.fingerprint==$f)|.in_force')" false "party show: ended" || return 1
	ENTRUST_TIME_OFFSET=172800 ctl party show "$P3" | grep -q 'ended 已结束' || fail "human party show does not say ended" || return 1
	stop_daemon

	# retire --after 0: a binding that ends now (today's clock); then retire removes it
	j=$(ctl party retire "$P3" "$old" --after 0 --json) || fail "party retire --after exited $?" || return 1
	[ $(($(date -d "$(jq -r .until <<<"$j")" +%s) - $(date +%s))) -le 2 ] || fail "retire --after 0 .until: $j" || return 1
	ctl party retire "$P3" "$old" --after x >/dev/null 2>&1
	expect_eq "$?" 2 "exit of retire --after with a bad number" || return 1
	start_daemon || return 1
	roll roll-old-ended partner OPS-ROLL-OLD-ENDED
	wait_for in_error roll-old-ended.p7m || fail "old certificate accepted after retire --after 0" || return 1
	j=$(ctl party retire "$P3" "$old" --json) || fail "party retire exited $?" || return 1
	[[ $(jq -r .daemon <<<"$j") == *"SIGHUP"* ]] || fail "retire did not signal the daemon" || return 1
	! grep -q "$old" "$REGISTRY" || fail "retired binding still in the registry" || return 1
	ctl party retire "$P3" "$old" >/dev/null 2>&1
	expect_eq "$?" 1 "exit of retiring twice"
}

# docs/operations.md "Upgrading the configuration": check, rename, SIGHUP the pid status gives;
# the new value takes effect without a restart (max_envelope_bytes lowered: an envelope that
# passed before is now refused FILE_TOO_LARGE), and the old file back restores it.
test_upgrade_config_reload() {
	local pid n size
	start_daemon || return 1
	pid=$(ctl status --json | jq .daemon_pid)
	expect_eq "$pid" "$DPID" "status .daemon_pid" || return 1
	cp "$CONF" "$CONF.orig"
	query_xml OPS-CONF-BIG-1 "$C1" "  <AccountQuery/>" >"$DOCS/big1.xml"
	sign consignor "$DOCS/big1.xml" "$ENV/big1.p7m" || fail "sign" || return 1
	size=$(stat -c %s "$ENV/big1.p7m")
	[ "$size" -gt 1024 ] || fail "test envelope too small ($size bytes)" || return 1
	drop "$ENV/big1.p7m" big1.p7m
	wait_for test -f "$SPOOL/outbound/$C1/ACK_OPS-CONF-BIG-1.p7m" || fail "envelope of $size bytes refused before the change" || return 1
	sed 's/^rescan_s = .*/rescan_s = 2/' "$CONF" >"$CONF.new" && echo "max_envelope_bytes = 1024" >>"$CONF.new"
	"$ENTRUSTD" -n -c "$CONF.new" | grep -q 'configuration OK' || fail "entrustd -n refuses the new file" || return 1
	mv "$CONF.new" "$CONF"
	n=$(grep -c 'reloaded' "$SPOOL/log/entrustd.log")
	kill -HUP "$pid"
	wait_for log_count_above reloaded "$n" || fail "no reload after SIGHUP" || return 1
	ctl log --since 5m | grep -q 'reloaded' || fail "log --since 5m lacks the reload" || return 1
	query_xml OPS-CONF-BIG-2 "$C1" "  <AccountQuery/>" >"$DOCS/big2.xml"
	sign consignor "$DOCS/big2.xml" "$ENV/big2.p7m" && drop "$ENV/big2.p7m" big2.p7m
	wait_for in_error big2.p7m || fail "the new max_envelope_bytes did not take effect" || return 1
	expect_eq "$(ctl errors --json | jq -r '.[]|select(.original=="big2.p7m")|.code')" FILE_TOO_LARGE "code with the new limit" || return 1
	expect_eq "$(ctl status --json | jq .daemon_pid)" "$pid" "same daemon (no restart)" || return 1
	mv "$CONF.orig" "$CONF"
	n=$(grep -c 'reloaded' "$SPOOL/log/entrustd.log")
	kill -HUP "$pid"
	wait_for log_count_above reloaded "$n" || fail "no reload of the old file" || return 1
	ctl retry "$(ctl errors --json | jq -r '.[]|select(.original=="big2.p7m")|.file')" >/dev/null || fail "retry big2" || return 1
	wait_for test -f "$SPOOL/outbound/$C1/ACK_OPS-CONF-BIG-2.p7m" || fail "old limit not back after the reload" || return 1
	echo "bogus = 1" >>"$CONF.bad"
	"$ENTRUSTD" -n -c "$CONF.bad" >/dev/null 2>&1 && { fail "entrustd -n accepts a bad file"; return 1; }
	stop_daemon
}

# docs/operations.md "A stuck delivery": a dead letter is seen by status and put through by retry
test_dead_letter_retry() {
	local j
	mkdir -p "$SPOOL/dead"
	query_xml OPS-DEAD-0001 "$C1" "  <AccountQuery/>" >"$DOCS/dead.xml"
	sign consignor "$DOCS/dead.xml" "$SPOOL/dead/E20261203000000000001_dead.p7m" || fail "sign" || return 1
	expect_eq "$(ctl status --json | jq .dead_letters)" 1 "dead letters" || return 1
	j=$(ctl inspect E20261203000000000001_dead.p7m --json) || fail "inspect of a dead letter by name" || return 1
	expect_eq "$(jq -r .verdict <<<"$j")" apply "dead letter verdict" || return 1
	j=$(ctl retry E20261203000000000001_dead.p7m --json) || fail "retry of a dead letter exited $?" || return 1
	expect_eq "$(jq -r .from <<<"$j")" dead "retry .from" || return 1
	run_once || return 1
	ack "$C1" OPS-DEAD-0001 >/dev/null || fail "no ack for the retried dead letter" || return 1
	expect_eq "$(ctl status --json | jq .dead_letters)" 0 "dead letters after retry" || return 1
	rmdir "$SPOOL/dead"
}

test_certs_expiring() {
	local j
	newcert soon 1101230004 10 || fail "cannot make a short certificate" || return 1
	ctl party add 1101230004 consignor "$PKI/soon.pem" 短期证书企业 >/dev/null || fail "party add" || return 1
	j=$(ctl certs expiring --days 30 --json) || fail "certs expiring exited $?" || return 1
	expect_eq "$(jq -r '[.[]|select(.bound|contains("1101230004"))|.fingerprint]|join(" ")' <<<"$j")" \
		"$(fpr "$PKI/soon.pem")" "expiring within 30 days" || return 1
	jq -e '[.[].days_left]|all(. <= 30)' >/dev/null <<<"$j" || fail "a certificate beyond 30 days listed" || return 1
	expect_eq "$(ctl certs expiring --days 5 --json | jq length)" 0 "nothing within 5 days" || return 1
	expect_eq "$(ctl certs expiring --days 800 --json | jq '[.[]|select(.bound|test("hub"))]|length')" 1 "the hub's own certificate is watched"
}

# restore_block — the restore lines of docs/operations.md (between "restore: begin" and
# "restore: end"), with this test's paths for the guide's example paths
restore_block() {
	local recover=db_recover
	command -v db_recover >/dev/null 2>&1 || recover=db5.3_recover
	sed -n '/<!-- restore: begin -->/,/<!-- restore: end -->/p' "$REPO/docs/operations.md" | grep -v '^<!--\|^```' |
		sed -e "s#bin/entrustctl#\"\$ENTRUSTCTL\" -c \"\$CONF\"#g" -e "s#bin/entrustd -c conf/entrustd.conf#\"\$ENTRUSTD\" -c \"\$CONF\"#g" \
			-e "s#/backup/entrust-20261203#\"$1\"#g" -e "s#var/store#\"\$STORE\"#g" -e "s#^db_recover #$recover #" \
			-e "s#20260000000001#\$AGR1#g"
}

# acks_of PREFIX — how many acks for message ids PREFIX* the consignor has
acks_of() {
	compgen -G "$SPOOL/outbound/$C1/ACK_$1*.p7m" | wc -l
}

# acks_at_least PREFIX N — (for wait_for, re-counted each call)
acks_at_least() {
	[ "$(acks_of "$1")" -ge "$2" ]
}

# docs/operations.md "Backup and restore": a hot backup while the daemon runs and processes
# envelopes (some answered before it, some after), verify of the copy, then the restore
# procedure of the guide run line by line as written (it stops the daemon, moves the store
# aside, copies the backup in, db_recover -c, verify, starts the daemon, shows an agreement):
# the restored agreement is the same JSON, and a new envelope is processed.
test_backup_verify_restore() {
	local j b=$T/backup before i line n1 n2 feeder
	before=$(ctl show agreement "$AGR1" --json) || fail "show agreement" || return 1
	for i in $(seq 30); do
		query_xml "OPS-HOT-$i" "$C1" "  <AccountQuery/>" >"$DOCS/hot-$i.xml"
		sign consignor "$DOCS/hot-$i.xml" "$ENV/hot-$i.p7m" || fail "sign" || return 1
	done
	start_daemon || return 1
	(for i in $(seq 30); do drop "$ENV/hot-$i.p7m" "hot-$i.p7m"; sleep 0.1; done) &
	feeder=$!
	wait_for acks_at_least OPS-HOT- 3 || fail "the daemon is not processing" || return 1
	n1=$(acks_of OPS-HOT-)
	j=$(ctl backup "$b" --json) || fail "backup exited $?" || return 1
	n2=$(acks_of OPS-HOT-)
	expect_eq "$(jq -r .backup <<<"$j")" ok "backup" || return 1
	expect_eq "$(ctl status --json | jq .daemon_pid)" "$DPID" "the daemon ran through the backup" || return 1
	wait "$feeder"
	wait_for acks_at_least OPS-HOT- 30 || fail "not every envelope answered: $(acks_of OPS-HOT-)" || return 1
	[ "$n1" -lt 30 ] && [ "$n2" -lt 30 ] || fail "processing was over before the backup ended ($n1, $n2 of 30)" || return 1
	ls "$b"/log.* >/dev/null 2>&1 && [ -f "$b/agreements.db" ] || fail "backup lacks logs or databases" || return 1
	j=$(ctl verify "$b" --json) || fail "verify of the backup exited $?" || return 1
	expect_eq "$(jq -r .verify <<<"$j")" ok "verify" || return 1
	# the restore, as the guide says
	restore_block "$b" >"$T/restore.sh"
	[ "$(grep -c . "$T/restore.sh")" -ge 8 ] || fail "restore lines not found in docs/operations.md" || return 1
	while IFS= read -r line; do
		eval "$line" >>"$T/restore.log" 2>&1 || fail "restore step failed: $line (see restore.log)" || return 1
		[[ $line == *'"$ENTRUSTD"'*'&'* ]] && DPID=$!	# the daemon the guide starts, for stop_daemon
	done <"$T/restore.sh"
	[ -d "$STORE.broken" ] && [ -f "$STORE/agreements.db" ] || fail "store not moved aside and restored" || return 1
	grep -q 'ok 校验通过' "$T/restore.log" || fail "verify of the restored store did not pass: $(cat "$T/restore.log")" || return 1
	grep -q "$AGR1" "$T/restore.log" || fail "the guide's show agreement printed nothing" || return 1
	wait_for daemon_running || fail "daemon not started on the restored store" || return 1
	expect_eq "$(ctl status --json | jq .daemon_pid)" "$DPID" "the daemon the guide started" || return 1
	expect_eq "$(ctl show agreement "$AGR1" --json)" "$before" "AGR1 in the restored store (JSON)" || return 1
	expect_eq "$(ctl query account --party "$C1" --json | jq -c '[.purchased,.used]')" "[100,1]" "account in the restored store" || return 1
	expect_eq "$(ctl trace "$AGR2" --json | jq -r '[.events[]|select(.kind=="status")|.change|split(" ")[0]]|join(" ")')" \
		"status=new->0 status=0->1 status=1->2 status=2->4 status=4->5" "audit trail restored" || return 1
	query_xml OPS-AFTER-RESTORE "$C1" "  <AccountQuery/>" >"$DOCS/after-restore.xml"
	sign consignor "$DOCS/after-restore.xml" "$ENV/after-restore.p7m" && drop "$ENV/after-restore.p7m" after-restore.p7m
	wait_for test -f "$SPOOL/outbound/$C1/ACK_OPS-AFTER-RESTORE.p7m" || fail "no new envelope processed after the restore" || return 1
	stop_daemon
	ctl verify >/dev/null || fail "verify of the live store (daemon stopped) failed"
}

# big_receipt MSGID N R — a customs receipt of N items for unknown agreements (refused item by
# item: a big ack, kept for replays, R25) and R replays of it (each answered from what was
# kept: little log): about 0.25 MB of store log per 1,000 items, cheap even under the sanitizers
big_receipt() {
	local i
	{
		printf '<?xml version="1.0" encoding="UTF-8"?>\n<CustomsReceipt xmlns="urn:entrust:1" version="1">\n%s\n' \
			"$(header "$1" 0100HG0001)"
		seq "$2" | awk '{printf "  <Item ref=\"%d\"><Agreement>2026%010d</Agreement><Event>data-received</Event></Item>\n", $1, $1 + 900000}'
		echo "</CustomsReceipt>"
	} >"$DOCS/$1.xml"
	sign customs "$DOCS/$1.xml" "$ENV/$1.p7m" || fail "sign $1" || return 1
	for i in $(seq 0 "$3"); do drop "$ENV/$1.p7m" "$1-$i.p7m"; done
	timeout 300 "$ENTRUSTD" -c "$CONF" --once >>"$LOG" 2>&1 || fail "entrustd --once exited $? on $1"
}

# docs/operations.md "Checkpoint and log archiving" and "Restore": once the store's log runs
# into a new file, checkpoint --archive moves the old one out (logs_removed and logs_archived
# are numbers, the file is in the archive, not in the store); a second checkpoint has nothing
# to move; and backup + archived logs + the store's current log recover a top-up made
# after the backup (db_recover -c past the backup).
test_checkpoint_archives_logs() {
	local j b=$T/backup2 arch=$T/log-archive pitr=$T/pitr first k
	ctl backup "$b" >/dev/null || fail "backup" || return 1
	first=$(cd "$STORE" && ls log.* | head -1)
	for k in 1 2 3 4 5 6 7 8; do	# each answer (20,000 refused items) is kept for replays (R25)
		big_receipt "OPS-BIG-$k" 20000 0 || return 1
		[ "$(cd "$STORE" && ls log.* | wc -l)" -ge 2 ] && break
	done
	[ "$(cd "$STORE" && ls log.* | wc -l)" -ge 2 ] || fail "the store log did not reach a second file" || return 1
	sed 's/OPS-TOPUP-0001/OPS-TOPUP-0003/' "$REPO/docs/examples/top-up.xml" >"$DOCS/topup3.xml"
	send operator topup3.p7m "$DOCS/topup3.xml" || return 1
	expect_eq "$(ctl query account --party "$C1" --json | jq .purchased)" 200 "the top-up after the backup" || return 1
	j=$(ctl checkpoint --archive "$arch" --json) || fail "checkpoint exited $?" || return 1
	expect_eq "$(jq -r .checkpoint <<<"$j")" ok "checkpoint" || return 1
	jq -e '(.logs_removed|type)=="number" and .logs_removed >= 1 and .logs_archived == .logs_removed' >/dev/null <<<"$j" ||
		fail "checkpoint counts: $j" || return 1
	expect_eq "$(jq -r .archive <<<"$j")" "$arch" "checkpoint .archive" || return 1
	[ -f "$arch/$first" ] && [ ! -e "$STORE/$first" ] || fail "$first not moved from the store to the archive" || return 1
	expect_eq "$(find "$arch" -name 'log.*' | wc -l)" "$(jq .logs_archived <<<"$j")" "files in the archive" || return 1
	j=$(ctl checkpoint --json)
	jq -e '.logs_removed == 0 and .logs_archived == 0' >/dev/null <<<"$j" || fail "second checkpoint: $j" || return 1
	ctl checkpoint | grep -q '完成' || fail "human checkpoint" || return 1
	# recovery past the backup: the backup, the archived logs, then the store's current ones
	cp -a "$b" "$pitr" && cp -a "$arch"/log.* "$pitr"/ && cp -a "$STORE"/log.* "$pitr"/ || fail "copy" || return 1
	if command -v db_recover >/dev/null 2>&1; then db_recover -c -h "$pitr"; else db5.3_recover -c -h "$pitr"; fi ||
		fail "db_recover -c of backup + archived logs" || return 1
	sed "s#^store_dir = .*#store_dir = $pitr#" "$CONF" >"$T/conf/pitr.conf"
	expect_eq "$(timeout 20 "$ENTRUSTCTL" -c "$T/conf/pitr.conf" query account --party "$C1" --json | jq .purchased)" 200 \
		"the top-up made after the backup, recovered from the archived logs" || return 1
	ctl verify >/dev/null || fail "verify of the live store after the checkpoint"
}

# docs/operations.md: every walk-through (## N.) says in the line under its heading which
# tests exercise it, and every test named there exists (a shell test function in
# tests/e2e/*.sh, or a unit test file or function in tests/unit/).
test_operations_guide_names_real_tests() {
	local doc=$REPO/docs/operations.md heads names n
	heads=$(grep -c '^## [0-9]*\. ' "$doc")
	expect_eq "$(grep -A1 '^## [0-9]*\. ' "$doc" | grep -c '^\*(测试 tested by: ')" "$heads" \
		"walk-throughs with a tested-by line" || return 1
	names=$(awk '/^\*\(测试 tested by: /{on=1} on{print} /\)\*$/{on=0}' "$doc" | grep -oE '\b(test_[a-z0-9_]+|prepare)\b' | sort -u)
	[ "$(wc -l <<<"$names")" -ge 20 ] || fail "too few test names in the guide: $names" || return 1
	for n in $names; do
		grep -qE "^$n\(\) \{" "$REPO"/tests/e2e/*.sh || [ -f "$REPO/tests/unit/$n.c" ] ||
			grep -qE "^static void $n\(" "$REPO"/tests/unit/*.c || fail "the guide names $n, which is no test" || return 1
	done
	grep -q 'test_dead_letter_retry_after_fix' <(sed -n '/^## 4\. /,/^## 5\. /p' "$doc") ||
		fail "the stuck-delivery walk-through does not name transport.sh test_dead_letter_retry_after_fix"
}

test_print_agreement_chromium() {
	local j page=$OUT/agreement.html
	j=$(ctl print "$AGR1" -o "$page" --json) || fail "print exited $? ($(tail -1 "$T/ctl-stderr.log"))" || return 1
	expect_eq "$(jq -r .file <<<"$j")" "$page" "print .file" || return 1
	grep -q '委托报关协议' "$page" && grep -q '代理报关委托书' "$page" || fail "titles missing" || return 1
	grep -q '@page' "$page" && grep -q 'A4' "$page" || fail "no A4 page rule" || return 1
	render "$page" agreement || return 1
	pdf_has agreement 委托报关协议 代理报关委托书 "$AGR1" "$LETTER" 笔记本电脑 COSU6123456780 8471300000 120000.00 \
		一般贸易 美国 北京示例贸易有限公司 郑州示例报关有限公司 可报关 300.00 按时如实申报 || return 1
	timeout 20 "$ENTRUSTCTL" -c "$CONF" print "$AGR2" >/dev/null 2>"$OUT/print2.err"
	expect_eq "$?" 1 "exit of printing a status-5 agreement (R17)" || return 1
	grep -q 'R17' "$OUT/print2.err" && grep -q '只有' "$OUT/print2.err" || fail "refusal not bilingual: $(cat "$OUT/print2.err")"
}

test_report_chromium() {
	local j page=$OUT/report.html
	j=$(ctl report --from "$YESTERDAY" --to "$TOMORROW" -o "$page" --json) || fail "report exited $? ($(tail -1 "$T/ctl-stderr.log"))" || return 1
	expect_eq "$(jq -r .page <<<"$j")" report "report .page" || return 1
	grep -q '<svg' "$page" && grep -q '<rect' "$page" || fail "no SVG bar chart" || return 1
	render "$page" report || return 1
	pdf_has report 委托协议使用统计 "$YESTERDAY" "$TOMORROW" 北京示例贸易有限公司 郑州示例报关有限公司 "$(TZ=Asia/Shanghai date +%Y-%m)" || return 1
	grep -q 'id="total">1<' "$page" || fail "R23: total is not 1 (only status 5 counts)" || return 1
	ctl report --from "$YESTERDAY" --to "$TOMORROW" --party "$C1" -o "$OUT/report-c1.html" >/dev/null || fail "report --party" || return 1
	grep -q "$BR 郑州示例报关有限公司" "$OUT/report-c1.html" || fail "report --party lacks the counterparty" || return 1
	ctl report --from "$TOMORROW" --to "$YESTERDAY" >/dev/null 2>&1
	expect_eq "$?" 2 "exit of a report with from > to"
}

# ---------------------------------------------------------------------------------------

FILLED=0
prepare() {
	setup && fill_store && FILLED=1
}
run_test prepare
if [ "$FILLED" = 1 ]; then
	run_test test_help_usage_and_exit_codes
	run_test test_status_json
	run_test test_dead_letters_in_status_and_errors
	run_test test_query_account_same_as_message
	run_test test_query_status_same_as_message
	run_test test_query_recent_stats_topups_same_as_message
	run_test test_query_brokers_public_part_only
	run_test test_party_list_and_show
	run_test test_trace_agreement
	run_test test_log_filters
	run_test test_refused_file_register_partner_and_retry
	run_test test_inspect_good_envelope_and_replay
	run_test test_certificate_rollover_with_running_daemon
	stop_daemon
	run_test test_upgrade_config_reload
	run_test test_dead_letter_retry
	run_test test_certs_expiring
	run_test test_backup_verify_restore
	run_test test_checkpoint_archives_logs
	run_test test_operations_guide_names_real_tests
	run_test test_print_agreement_chromium
	run_test test_report_chromium
fi
echo "ops: $PASS passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
