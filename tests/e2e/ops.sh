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
	FAILMSG=""
	if "$1"; then
		echo "ok - $1"
		PASS=$((PASS + 1))
	else
		echo "not ok - $1: ${FAILMSG:-failed}"
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

test_help_usage_and_exit_codes() {
	local v out
	for v in status errors "inspect" retry log trace backup verify checkpoint "party list" "party show" \
		"party add" "party retire" "certs expiring" "query brokers" "query status" "query recent" \
		"query stats" "query account" "query topups" print report "show agreement" "show letter"; do
		# shellcheck disable=SC2086
		out=$(ctl $v --help) || fail "entrustctl $v --help exited $?" || return 1
		[[ $out == *"usage"* && $out == *"exit:"* ]] || fail "$v --help lacks usage/exit lines" || return 1
	done
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
	j=$(ctl party show "$BR" --json) || fail "party show exited $?" || return 1
	expect_eq "$(jq -r '.bindings[0].role' <<<"$j")" broker "role" || return 1
	expect_eq "$(jq -r '.registration.credit_code' <<<"$j")" 91410100200000000E "registration credit code" || return 1
	expect_eq "$(jq -r '.account.purchased' <<<"$j")" 100 "account purchased" || return 1
	ctl party show 9999999999 >/dev/null 2>&1
	expect_eq "$?" 1 "exit of party show for an unknown code"
}

test_trace_agreement() {
	local j
	j=$(ctl trace "$AGR2" --json) || fail "trace exited $?" || return 1
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
	local j id
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
	expect_eq "$?" 2 "exit of a malformed --since"
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
	j=$(ctl party add "$P3" consignor "$PKI/partner.pem" 北京第三贸易有限公司 --json) || fail "party add exited $?" || return 1
	expect_eq "$(jq -r .fingerprint <<<"$j")" "$(fpr "$PKI/partner.pem")" "party add fingerprint" || return 1
	grep -q "^$P3 consignor $(fpr "$PKI/partner.pem") 北京第三贸易有限公司$" "$REGISTRY" || fail "registry line not written" || return 1
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

# docs/operations.md "Certificate roll-over": new certificate next to the old (overlap),
# both sign; retire the old one with the daemon running (SIGHUP), old is refused.
test_certificate_rollover_with_running_daemon() {
	local j old new
	newcert partner-new "$P3" 700 || fail "cannot make the new certificate" || return 1
	old=$(fpr "$PKI/partner.pem")
	new=$(fpr "$PKI/partner-new.pem")
	start_daemon || return 1
	j=$(ctl party add "$P3" consignor "$PKI/partner-new.pem" 北京第三贸易有限公司 --json) || fail "party add exited $?" || return 1
	[[ $(jq -r .daemon <<<"$j") == *"SIGHUP sent to entrustd pid $DPID"* ]] || fail "no SIGHUP to $DPID: $j" || return 1
	expect_eq "$(ctl party show "$P3" --json | jq -r '[.bindings[].certificates[].fingerprint]|sort|join(" ")')" \
		"$(printf '%s\n' "$old" "$new" | sort | paste -sd' ')" "two certificates during the overlap" || return 1
	wait_for grep -q 'reloaded' "$SPOOL/log/entrustd.log" || fail "daemon did not reload" || return 1
	query_xml OPS-ROLL-NEW "$P3" "  <AccountQuery/>" >"$DOCS/roll-new.xml"
	sign partner-new "$DOCS/roll-new.xml" "$ENV/roll-new.p7m" && drop "$ENV/roll-new.p7m" roll-new.p7m
	wait_for test -f "$SPOOL/outbound/$P3/ACK_OPS-ROLL-NEW.p7m" || fail "new certificate not accepted during overlap" || return 1
	j=$(ctl party retire "$P3" "$old" --json) || fail "party retire exited $?" || return 1
	[[ $(jq -r .daemon <<<"$j") == *"SIGHUP"* ]] || fail "retire did not signal the daemon" || return 1
	wait_for test "$(grep -c reloaded "$SPOOL/log/entrustd.log")" -ge 2 || fail "daemon did not reload twice" || return 1
	query_xml OPS-ROLL-OLD "$P3" "  <AccountQuery/>" >"$DOCS/roll-old.xml"
	sign partner "$DOCS/roll-old.xml" "$ENV/roll-old.p7m" && drop "$ENV/roll-old.p7m" roll-old.p7m
	wait_for in_error roll-old.p7m || fail "retired certificate still accepted" || return 1
	expect_eq "$(ctl errors --json | jq -r '.[]|select(.original=="roll-old.p7m")|.code')" SIGNER_UNBOUND "code" || return 1
	ctl party retire "$P3" "$old" >/dev/null 2>&1
	expect_eq "$?" 1 "exit of retiring twice"
}

# docs/operations.md "Upgrading the configuration": check, rename, SIGHUP the pid status gives
test_upgrade_config_reload() {
	local pid n
	start_daemon || return 1
	pid=$(ctl status --json | jq .daemon_pid)
	expect_eq "$pid" "$DPID" "status .daemon_pid" || return 1
	sed 's/^rescan_s = .*/rescan_s = 2/' "$CONF" >"$CONF.new"
	"$ENTRUSTD" -n -c "$CONF.new" | grep -q 'configuration OK' || fail "entrustd -n refuses the new file" || return 1
	mv "$CONF.new" "$CONF"
	n=$(grep -c 'reloaded' "$SPOOL/log/entrustd.log")
	kill -HUP "$pid"
	wait_for log_count_above reloaded "$n" || fail "no reload after SIGHUP" || return 1
	ctl log --since 5m | grep -q 'reloaded' || fail "log --since 5m lacks the reload" || return 1
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

# docs/operations.md "Backup and restore": hot backup while the daemon runs, verify, then
# restore as a catastrophic recovery would (db_recover -c) and read the copy.
test_backup_verify_restore() {
	local j b=$T/backup rc
	j=$(ctl backup "$b" --json) || fail "backup exited $?" || return 1
	expect_eq "$(jq -r .backup <<<"$j")" ok "backup" || return 1
	ls "$b"/log.* >/dev/null 2>&1 && [ -f "$b/agreements.db" ] || fail "backup lacks logs or databases" || return 1
	j=$(ctl verify "$b" --json) || fail "verify of the backup exited $?" || return 1
	expect_eq "$(jq -r .verify <<<"$j")" ok "verify" || return 1
	stop_daemon
	if command -v db_recover >/dev/null 2>&1; then db_recover -c -h "$b"; else db5.3_recover -c -h "$b"; fi
	rc=$?
	expect_eq "$rc" 0 "db_recover -c" || return 1
	sed "s#^store_dir = .*#store_dir = $b#" "$CONF" >"$T/conf/restored.conf"
	j=$(timeout 20 "$ENTRUSTCTL" -c "$T/conf/restored.conf" show agreement "$AGR1" --json) || fail "restored store unreadable" || return 1
	expect_eq "$(jq -r .status <<<"$j")" 2 "AGR1 in the restored store" || return 1
	expect_eq "$(timeout 20 "$ENTRUSTCTL" -c "$T/conf/restored.conf" query account --party "$C1" --json | jq -c '[.purchased,.used]')" \
		"[100,1]" "account in the restored store" || return 1
	expect_eq "$(timeout 20 "$ENTRUSTCTL" -c "$T/conf/restored.conf" trace "$AGR2" --json | jq -c '[.events[].change]')" \
		"$(ctl trace "$AGR2" --json | jq -c '[.events[].change]')" "audit trail restored" || return 1
	j=$(ctl checkpoint --json) || fail "checkpoint exited $?" || return 1
	expect_eq "$(jq -r .checkpoint <<<"$j")" ok "checkpoint" || return 1
	ctl verify >/dev/null || fail "verify of the live store (daemon stopped) failed"
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
	run_test test_print_agreement_chromium
	run_test test_report_chromium
fi
echo "ops: $PASS passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
