#!/usr/bin/env bash
# tests/e2e/run.sh — end-to-end suite: drives the real entrustd through real spool folders
# with envelopes made by the openssl command line, and reads results only through the
# spool folders, the .reason files, the signed acks/notices and `entrustctl --json`.
# 端到端测试：用 openssl 命令行生成信封，通过真实的目录驱动守护进程。
#
# usage: tests/e2e/run.sh [BIN_DIR]     (BIN_DIR holds entrustd and entrustctl; default ./bin)
#        KEEP=1 tests/e2e/run.sh        keep the temporary directory for inspection
# Prints "ok - NAME" / "not ok - NAME: WHY" per test and "e2e: N passed, M failed" last;
# exits 1 when a test failed.  The binding interface is tests/e2e/CONTRACT.md; every test
# names the DOMAIN.md rule it covers (R1, R2, ...).  The domain stories (R2–R27: registration,
# confirmation, auto-confirm, revocation, customs receipts, expiry, accounts, queries) are in
# tests/e2e/domain.sh, sourced below; most run in their own fresh spool/store ("world").
# ONLY=ERE tests/e2e/run.sh runs only the tests whose name matches (stories depend on their
# earlier steps: select whole stories).
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${1:-./bin}
[ -d "$BIN" ] && BIN=$(cd "$BIN" && pwd)
ENTRUSTD=$BIN/entrustd
ENTRUSTCTL=$BIN/entrustctl
XSD=$REPO/xsd

PASS=0
FAILS=0
FAILMSG=""
DPID=""

T=$(mktemp -d "${TMPDIR:-/tmp}/entrust-e2e.XXXXXX") || {
	echo "not ok - setup: mktemp failed"
	echo "e2e: 0 passed, 1 failed"
	exit 1
}

cleanup() {
	if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
		kill -TERM "$DPID" 2>/dev/null
		sleep 1
		kill -KILL "$DPID" 2>/dev/null
	fi
	[ "${KEEP:-0}" = 1 ] || rm -rf -- "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

PKI=$T/pki
REGISTRY=$T/parties.conf
ROGUE=$T/rogue
SPOOL=$T/spool
STORE=$T/store
CONF=$T/entrustd.conf
DOCS=$T/docs
ENV=$T/env
RECV=$T/recv
OUT=$T/out
LOG=$T/daemon-stderr.log
mkdir -p "$DOCS" "$ENV" "$RECV" "$OUT"

C1=1101230001   # consignor  (RSA)
C2=1101230002   # consignor2 (EC)
BR=4101W68006   # broker     (EC)
CU=0100HG0001   # customs
HUB=ENTRUSTHUB

# years an assigned number may start with (R7): UTC, local and Beijing time
Y4="($(date -u +%Y)|$(date +%Y)|$(TZ=Asia/Shanghai date +%Y))"
Y2="($(date -u +%y)|$(date +%y)|$(TZ=Asia/Shanghai date +%y))"

# ---------------------------------------------------------------------------------------
# helpers

# fail WHY — record why the current test failed; always returns 1
fail() {
	FAILMSG="$*"
	return 1
}

# expect_eq GOT WANT WHAT
expect_eq() {
	[ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"
}

# expect_re GOT ERE WHAT
expect_re() {
	[[ $1 =~ $2 ]] || fail "$3: got '$1', want /$2/"
}

# run_test NAME — run one test function and print its TAP-like line
run_test() {
	FAILMSG=""
	[ -n "${ONLY:-}" ] && [[ ! $1 =~ $ONLY ]] && return 0	# ONLY=ERE: run only the matching tests
	if "$1"; then
		echo "ok - $1"
		PASS=$((PASS + 1))
	else
		echo "not ok - $1: ${FAILMSG:-failed}"
		FAILS=$((FAILS + 1))
	fi
}

# xp FILE PATH — string value of a namespace-blind XPath (/Ack/Outcome, /Ack/Error/@code)
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

# is_true VALUE / is_false VALUE — xs:boolean
is_true() { [ "$1" = true ] || [ "$1" = 1 ]; }
is_false() { [ "$1" = false ] || [ "$1" = 0 ]; }

# fpr FILE — sha256 fingerprint of a certificate, as in the registry
fpr() {
	openssl x509 -in "$1" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr A-F a-f
}

# sign STEM DOC OUT [DER|PEM] [PKIDIR] — make an envelope with the openssl command line
sign() {
	openssl cms -sign -nodetach -binary -signer "${5:-$PKI}/$1.pem" -inkey "${5:-$PKI}/$1.key" \
		-in "$2" -outform "${4:-DER}" -out "$3" 2>>"$T/openssl.log"
}

# drop FILE NAME — deliver FILE into inbound/ as NAME the safe way (.tmp, then rename)
drop() {
	mkdir -p "$SPOOL/inbound"
	cp -- "$1" "$SPOOL/inbound/$2.tmp" && mv -- "$SPOOL/inbound/$2.tmp" "$SPOOL/inbound/$2"
}

# run_once — one `entrustd --once` pass
run_once() {
	local rc
	echo "=== $(date -u +%T.%N) entrustd --once" >>"$LOG"
	timeout 30 "$ENTRUSTD" -c "$CONF" --once >>"$LOG" 2>&1
	rc=$?
	[ $rc -eq 0 ] || fail "entrustd --once exited $rc (see $LOG)"
}

# ctl ARGS... — entrustctl with the test configuration
ctl() {
	timeout 10 "$ENTRUSTCTL" -c "$CONF" "$@" 2>>"$T/ctl-stderr.log"
}

# collect LABEL — what a partner does: take every file out of outbound/<code>/ into
# recv/LABEL/<code>/, so each step sees only its own output.  A file whose name was
# already collected in an earlier step is a resend: it goes to recv/LABEL.resent/<code>/
# instead (test_R25_restart_sends_nothing_again reports resends).
collect() {
	local f code name dest
	mkdir -p "$RECV/$1" "$RECV/.seen"
	for f in "$SPOOL"/outbound/*/*; do
		[ -f "$f" ] || continue
		code=$(basename "$(dirname "$f")")
		name=$(basename "$f")
		dest=$RECV/$1/$code
		if [ -e "$RECV/.seen/$code/$name" ]; then
			dest=$RECV/$1.resent/$code
			echo "$1: $code/$name" >>"$RECV/.resends"
		fi
		mkdir -p "$dest" "$RECV/.seen/$code"
		mv -- "$f" "$dest/" && : >"$RECV/.seen/$code/$name"
	done
}

# received LABEL — list of files collected in that step, "code/name" per line
received() {
	(cd "$RECV/$1" 2>/dev/null && find . -type f | sed 's#^\./##' | sort)
}

# verify_signed P7M XMLOUT — the hub's signed DER CMS: verifies against ca.pem (with the
# openssl command line), is signed by hub.pem, and its content is valid against xsd/
verify_signed() {
	openssl cms -verify -CAfile "$PKI/ca.pem" -inform DER -binary -in "$1" -out "$2" \
		-signer "$2.signer.pem" >/dev/null 2>>"$T/openssl.log" ||
		fail "$(basename "$1") does not verify with openssl cms -verify" || return 1
	[ "$(fpr "$2.signer.pem")" = "$(fpr "$PKI/hub.pem")" ] ||
		fail "$(basename "$1") is not signed by hub.pem" || return 1
	xmllint --noout --nonet --schema "$XSD/entrust.xsd" "$2" 2>"$2.xsd.log" ||
		fail "$(basename "$1") content not valid against xsd/entrust.xsd: $(grep -v validates "$2.xsd.log" | head -1)"
}

# error_file NAME — path of the envelope NAME in error/ (empty when absent)
error_file() {
	local f
	for f in "$SPOOL"/error/E*_"$1"; do
		[ -f "$f" ] && echo "$f" && return
	done
}

# archive_file NAME — path of the envelope NAME in archive/<yyyymmdd>/ (empty when absent)
archive_file() {
	local f
	for f in "$SPOOL"/archive/*/E*_"$1"; do
		[ -f "$f" ] && echo "$f" && return
	done
}

# envelope_id PATH — the ID part of <ID>_<name>
envelope_id() {
	local b
	b=$(basename "$1")
	echo "${b%%_*}"
}

# reason_field FILE KEY — value of "KEY: value" in a reason file
reason_field() {
	sed -n "s/^$2: *//p" "$1" | head -1
}

# expect_gone NAME — the envelope left inbound/ and no claimed copy is left in work/
expect_gone() {
	[ ! -e "$SPOOL/inbound/$1" ] || fail "$1 still in inbound/" || return 1
	[ -z "$(ls -A "$SPOOL/work" 2>/dev/null)" ] || fail "work/ not empty: $(find "$SPOOL/work" -mindepth 1 | head -3 | xargs -r -n1 basename)"
}

# expect_error NAME CODE [RULE] — envelope in error/ with a reason file giving CODE
expect_error() {
	local e r
	expect_gone "$1" || return 1
	e=$(error_file "$1")
	[ -n "$e" ] || fail "$1 not in error/ (archive: '$(archive_file "$1")')" || return 1
	[[ $(basename "$e") =~ ^E[0-9]{19}_ ]] || fail "bad error file name $(basename "$e")" || return 1
	r=$e.reason
	[ -f "$r" ] || fail "no reason file $(basename "$r")" || return 1
	expect_eq "$(reason_field "$r" code)" "$2" "reason code of $1" || return 1
	if [ -n "${3:-}" ]; then
		expect_eq "$(reason_field "$r" rule)" "$3" "reason rule of $1" || return 1
	fi
	[ -z "$(archive_file "$1")" ] || fail "$1 is in error/ and archive/"
}

# expect_nothing_sent LABEL — no ack nor notice was written for the step
expect_nothing_sent() {
	local got
	got=$(received "$1" | tr '\n' ' ')
	[ -z "$got" ] || fail "expected no ack/notice, got: $got"
}

# expect_negative_ack LABEL CODE ACKDIR CODE_IN_ACK RULE NAMES... — exactly one file was
# sent, to ACKDIR, named one of NAMES; it verifies, Outcome refused, Error/@code CODE
expect_negative_ack() {
	local label=$1 party=$2 code=$3 rule=$4 n f="" x
	shift 4
	for n in "$@"; do
		[ -f "$RECV/$label/$party/$n" ] && f=$RECV/$label/$party/$n && break
	done
	[ -n "$f" ] || fail "no negative ack $* for $party (got: $(received "$label" | tr '\n' ' '))" || return 1
	[ "$(received "$label" | wc -l)" -eq 1 ] ||
		fail "expected exactly one file sent, got: $(received "$label" | tr '\n' ' ')" || return 1
	x=$OUT/$label.ack.xml
	verify_signed "$f" "$x" || return 1
	expect_eq "$(xc "$x" /Ack)" 1 "root element Ack" || return 1
	expect_eq "$(xp "$x" /Ack/Outcome)" refused "Outcome" || return 1
	# the error is the envelope's (Ack/Error) or, for a refusal item by item, the first
	# refused item's (Ack/Agreement[@outcome='refused']/Error); nothing may be accepted
	expect_eq "$(xp "$x" '(//Error)[1]/@code')" "$code" "first Error/@code" || return 1
	if [ -n "$rule" ]; then
		expect_eq "$(xp "$x" '(//Error)[1]/@rule')" "$rule" "first Error/@rule" || return 1
	fi
	[ -n "$(xp "$x" '(//Error)[1]/En')" ] && [ -n "$(xp "$x" '(//Error)[1]/Zh')" ] ||
		fail "Ack/Error lacks Zh/En text" || return 1
	expect_eq "$(xmllint --xpath "count(//*[local-name()='Agreement'][not(@outcome='refused') or *[local-name()='Number']])" "$x" 2>/dev/null)" \
		0 "accepted or numbered agreements in a negative ack" || return 1
	expect_eq "$(xc "$x" /Ack/Letter)" 0 "letter in a negative ack" || return 1
	NEG_ACK=$(basename "$f")
}

# expect_refused_either NAME LABEL CODE RULE PARTY MSGID [judged|unjudged] — a refusal that the daemon may
# make before apply (error/ + reason) or during apply (archive/); either way a negative ack
expect_refused_either() {
	local name=$1 label=$2 code=$3 rule=$4 party=$5 msgid=$6 e a id
	expect_gone "$name" || return 1
	e=$(error_file "$name")
	a=$(archive_file "$name")
	if [ -n "$e" ]; then
		expect_error "$name" "$code" "$rule" || return 1
		id=$(envelope_id "$e")
	elif [ -n "$a" ]; then
		id=$(envelope_id "$a")
	else
		fail "$name neither in error/ nor in archive/"
		return 1
	fi
	expect_negative_ack "$label" "$party" "$code" "$rule" "ACK_$msgid.p7m" "ACK_$id.p7m" || return 1
	expect_eq "$(xp "$OUT/$label.ack.xml" /Ack/InReplyTo/MessageId)" "$msgid" "InReplyTo/MessageId" || return 1
	if [ "${7:-judged}" = judged ]; then
		expect_eq "$NEG_ACK" "ACK_$msgid.p7m" "ack file name (MessageId is readable)"
	else	# refused before judgement: named after the envelope, never ACK_<MessageId> (R25)
		expect_eq "$NEG_ACK" "ACK_$id.p7m" "ack file name (refused before judgement)"
	fi
}

# agreement_xml REF GOODS HSCODE PAYER BROKERHALF(0|1) BILL — one Agreement element
agreement_xml() {
	cat <<EOF
  <Agreement ref="$1">
    <GoodsName>$2</GoodsName>
    <HsCode>$3</HsCode>
    <TotalValue currency="USD">120000.00</TotalValue>
    <Quantity unit="001">300</Quantity>
    <Direction>I</Direction>
    <Date>2026-12-20</Date>
    <BillOfLading>$6</BillOfLading>
    <TradeMode>0110</TradeMode>
    <Origin>502</Origin>
    <OtherRequirements>请于到港后三日内申报</OtherRequirements>
    <Payer>$4</Payer>
EOF
	if [ "$5" = 1 ]; then
		cat <<EOF
    <BrokerHalf>
      <DocumentsReceived>contract invoice packing-list bill-of-lading</DocumentsReceived>
      <ReceivedOn>2026-12-02</ReceivedOn>
      <Fee>350.00</Fee>
      <Commitments>按委托方要求如实申报</Commitments>
    </BrokerHalf>
EOF
	fi
	echo "  </Agreement>"
}

# request_xml MSGID SENDER CONSIGNOR BROKER TERMS(new|append) AGREEMENTS-XML
request_xml() {
	cat <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<EntrustRequest xmlns="urn:entrust:1" version="1">
  <Header>
    <MessageId>$1</MessageId>
    <Sender>$2</Sender>
    <SentAt>$(date -u +%Y-%m-%dT%H:%M:%SZ)</SentAt>
  </Header>
  <Letter>
    <Consignor>
      <Code>$3</Code>
    </Consignor>
    <Broker>
      <Code>$4</Code>
    </Broker>
EOF
	if [ "$5" = new ]; then
		cat <<EOF
    <Mode>B</Mode>
    <Matter>A</Matter>
    <Matter>C</Matter>
    <ValidityMonths>6</ValidityMonths>
    <AutoConfirm>false</AutoConfirm>
    <SignedOn>$(date -u +%Y-%m-%d)</SignedOn>
EOF
	fi
	echo "  </Letter>"
	printf '%s\n' "$6"
	echo "</EntrustRequest>"
}

# check_doc DOC — our own test documents must be schema-valid (unless meant otherwise)
check_doc() {
	xmllint --noout --nonet --schema "$XSD/entrust.xsd" "$1" 2>/dev/null ||
		fail "test document $(basename "$1") is not valid against xsd/ (test bug)"
}

# ---------------------------------------------------------------------------------------
# setup: PKI, rogue CA, a registered-CA stranger, configuration

setup() {
	local x
	for x in openssl jq xmllint timeout; do
		command -v $x >/dev/null 2>&1 || fail "$x not installed (scripts/setup)" || return 1
	done
	[ -x "$ENTRUSTD" ] || fail "$ENTRUSTD not found or not executable (run make)" || return 1
	[ -x "$ENTRUSTCTL" ] || fail "$ENTRUSTCTL not found or not executable (run make)" || return 1
	"$REPO/scripts/demo-pki" "$PKI" "$REGISTRY" >"$T/demo-pki.log" 2>&1 ||
		fail "scripts/demo-pki failed: $(tail -1 "$T/demo-pki.log")" || return 1

	cat >"$T/ext.cnf" <<'EOF'
[ req ]
distinguished_name = dn
string_mask = utf8only
prompt = no
[ dn ]
CN = x
[ ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
[ ee ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection
EOF
	# rogue CA with its own certificate for 1101230001 (same subject as the real one)
	mkdir -p "$ROGUE"
	{
		openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$ROGUE/ca.key" &&
			openssl req -new -x509 -config "$T/ext.cnf" -utf8 -key "$ROGUE/ca.key" -days 365 \
				-subj "/O=rogue/CN=rogue CA" -extensions ca -out "$ROGUE/ca.pem" &&
			newcert "$ROGUE" consignor "/O=北京示例贸易有限公司/CN=$C1" &&
			newcert "$PKI" stranger "/O=北京冒名贸易有限公司/CN=$C1"
	} >>"$T/openssl.log" 2>&1 || fail "cannot make the rogue/stranger certificates" || return 1
	openssl verify -CAfile "$PKI/ca.pem" -purpose smimesign "$PKI/stranger.pem" >/dev/null 2>&1 ||
		fail "stranger cert does not verify (test bug)" || return 1
	grep -q "$(fpr "$PKI/stranger.pem")" "$REGISTRY" && { fail "stranger is in the registry"; return 1; }

	cat >"$CONF" <<EOF
# entrust e2e test configuration (written by tests/e2e/run.sh)
spool_dir = $SPOOL
store_dir = $STORE
xsd_dir = $XSD
codes_dir = $REPO/conf/codes
xslt_dir = $REPO/xslt
trust_ca = $PKI/ca.pem
hub_cert = $PKI/hub.pem
hub_key = $PKI/hub.key
registry = $REGISTRY
hub_code = $HUB
settle_ms = 0
rescan_s = 1
log_file = $SPOOL/log/entrustd.log
EOF
	return 0
}

# newcert DIR STEM SUBJECT — RSA end-entity cert in DIR signed by DIR/ca
newcert() {
	openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1/$2.key" &&
		openssl req -new -config "$T/ext.cnf" -utf8 -key "$1/$2.key" -subj "$3" -out "$1/$2.csr" &&
		openssl x509 -req -in "$1/$2.csr" -CA "$1/ca.pem" -CAkey "$1/ca.key" \
			-set_serial "0x$(openssl rand -hex 8)" -days 365 \
			-extfile "$T/ext.cnf" -extensions ee -out "$1/$2.pem"
}

# ---------------------------------------------------------------------------------------
# tests

# R1 groundwork: scripts/demo-pki makes S/MIME signing certs for every party, binds them
# in the registry by fingerprint, keeps keys private, and is quiet and idempotent
test_R1_demo_pki() {
	local code role fp name stem x
	x=$("$REPO/scripts/demo-pki" "$PKI" "$REGISTRY" 2>&1)
	[ -z "$x" ] || fail "scripts/demo-pki not quiet on a second run: $x" || return 1
	expect_eq "$(grep -vc '^#' "$REGISTRY")" 6 "registry lines" || return 1
	while read -r code role fp name; do
		case $role in
		consignor) stem=consignor ;;
		broker) stem=broker ;;
		association) stem=association ;;
		customs) stem=customs ;;
		operator) stem=operator ;;
		*) fail "unknown role $role in the registry"; return 1 ;;
		esac
		[ "$code" = "$C2" ] && stem=consignor2
		expect_eq "$fp" "$(fpr "$PKI/$stem.pem")" "registry fingerprint of $code" || return 1
		expect_eq "$(openssl x509 -in "$PKI/$stem.pem" -noout -subject -nameopt utf8,sep_multiline |
			sed -n 's/^ *CN=//p')" "$code" "CN of $stem.pem" || return 1
		[ -n "$name" ] || fail "no name for $code" || return 1
	done < <(grep -v '^#' "$REGISTRY")
	for x in hub consignor consignor2 broker association customs operator; do
		openssl verify -CAfile "$PKI/ca.pem" -purpose smimesign "$PKI/$x.pem" >/dev/null 2>&1 ||
			fail "$x.pem does not verify for smimesign" || return 1
		expect_eq "$(stat -c %a "$PKI/$x.key")" 600 "mode of $x.key" || return 1
	done
	openssl pkey -in "$PKI/broker.key" -noout -text 2>/dev/null | grep -q 'P-256' ||
		fail "broker.key is not EC P-256" || return 1
	! grep -q ENTRUSTHUB "$REGISTRY" || fail "the hub is in the registry"
}

test_config_check_and_spool_layout() {
	local out d
	out=$("$ENTRUSTD" -c "$CONF" -n 2>&1)
	expect_eq "$?" 0 "entrustd -n exit code" || return 1
	[[ $out == *"configuration OK"* ]] || fail "entrustd -n said: $out" || return 1
	run_once || return 1
	for d in inbound work archive error outbound log; do
		[ -d "$SPOOL/$d" ] || fail "spool/$d not created" || return 1
	done
	[ -f "$SPOOL/log/entrustd.log" ] || fail "log_file $SPOOL/log/entrustd.log not written"
}

# R1 (signer = sender), R7 (numbers), R8 (new letter), R25 (ack), R26 (notice)
test_R1_R7_R25_R26_good_request_consignor_rsa_der() {
	local doc=$DOCS/good1.xml x n a j l
	MSG1=ERP-E2E-0001
	ENV1=$ENV/good1.p7m
	request_xml "$MSG1" "$C1" "$C1" "$BR" new \
		"$(agreement_xml 1 笔记本电脑 8471300000 consignor 0 COSU6123456780)" >"$doc"
	check_doc "$doc" || return 1
	sign consignor "$doc" "$ENV1" DER || fail "openssl cms -sign failed" || return 1
	drop "$ENV1" good1.p7m
	run_once
	collect good1
	expect_gone good1.p7m || return 1
	a=$(archive_file good1.p7m)
	[ -n "$a" ] || fail "good1.p7m not archived (error: '$(error_file good1.p7m)' $(grep ^code: "$(error_file good1.p7m).reason" 2>/dev/null))" || return 1
	[[ $(basename "$(dirname "$a")") =~ ^${Y4}[01][0-9][0-3][0-9]$ ]] ||
		fail "archive folder $(basename "$(dirname "$a")") is not yyyymmdd" || return 1
	cmp -s "$a" "$ENV1" || fail "archived envelope differs from the one sent" || return 1

	# the ack to the consignor
	[ -f "$RECV/good1/$C1/ACK_$MSG1.p7m" ] ||
		fail "no outbound/$C1/ACK_$MSG1.p7m (got: $(received good1 | tr '\n' ' '))" || return 1
	x=$OUT/good1.ack.xml
	ACK1_XML=$x
	verify_signed "$RECV/good1/$C1/ACK_$MSG1.p7m" "$x" || return 1
	expect_eq "$(xp "$x" /Ack/Outcome)" accepted "Outcome" || return 1
	expect_eq "$(xc "$x" /Ack/Error)" 0 "Error elements" || return 1
	expect_eq "$(xp "$x" /Ack/Header/Sender)" "$HUB" "Ack Header/Sender" || return 1
	n=$(xp "$x" /Ack/Header/Receiver)
	[ -z "$n" ] || expect_eq "$n" "$C1" "Ack Header/Receiver" || return 1
	expect_eq "$(xp "$x" /Ack/InReplyTo/MessageId)" "$MSG1" "InReplyTo/MessageId" || return 1
	n=$(xp "$x" /Ack/InReplyTo/MessageType)
	[ -z "$n" ] || expect_eq "$n" EntrustRequest "InReplyTo/MessageType" || return 1
	LETTER1=$(xp "$x" /Ack/Letter/Number)
	expect_re "$LETTER1" "^${Y2}[0-9]{8}$" "Letter/Number (R7: 2-digit year + 8 digits)" || return 1
	is_true "$(xp "$x" /Ack/Letter/Created)" || fail "Letter/Created is not true" || return 1
	expect_eq "$(xc "$x" /Ack/Agreement)" 1 "number of Agreement elements" || return 1
	expect_eq "$(xp "$x" /Ack/Agreement/@ref)" 1 "Agreement/@ref echo" || return 1
	AGR1=$(xp "$x" /Ack/Agreement/Number)
	expect_re "$AGR1" "^${Y4}[0-9]{10}$" "Agreement/Number (R7: 4-digit year + 10 digits)" || return 1
	expect_eq "$(xp "$x" /Ack/Agreement/Status)" 0 "Agreement/Status" || return 1

	# the notice to the broker (R26)
	n=$(cd "$RECV/good1/$BR" 2>/dev/null && ls NTC_*.p7m 2>/dev/null)
	[ "$(echo "$n" | grep -c .)" -eq 1 ] ||
		fail "expected one notice in outbound/$BR (got: $(received good1 | tr '\n' ' '))" || return 1
	expect_re "$n" '^NTC_[0-9]{12}\.p7m$' "notice file name" || return 1
	x=$OUT/good1.ntc.xml
	verify_signed "$RECV/good1/$BR/$n" "$x" || return 1
	expect_eq "$(xp "$x" /Notice/Event)" request-waiting "Notice/Event" || return 1
	expect_eq "$(xp "$x" /Notice/From)" "$C1" "Notice/From" || return 1
	expect_eq "$(xp "$x" /Notice/Letter)" "$LETTER1" "Notice/Letter" || return 1
	expect_eq "$(xp "$x" /Notice/Agreement/Number)" "$AGR1" "Notice/Agreement/Number" || return 1
	expect_eq "$(xp "$x" /Notice/Agreement/Status)" 0 "Notice/Agreement/Status" || return 1
	expect_eq "$(received good1 | wc -l)" 2 "files sent (ack + notice)" || return 1

	# the store, through entrustctl
	j=$(ctl show agreement "$AGR1" --json) || fail "entrustctl show agreement $AGR1 failed" || return 1
	jq -e . >/dev/null 2>&1 <<<"$j" || fail "show agreement: not JSON: $j" || return 1
	expect_eq "$(jq -r '.number|tostring' <<<"$j")" "$AGR1" "show agreement .number" || return 1
	expect_eq "$(jq -r '.letter|tostring' <<<"$j")" "$LETTER1" ".letter" || return 1
	expect_eq "$(jq -r '.status|type' <<<"$j")" number ".status type" || return 1
	expect_eq "$(jq -r .status <<<"$j")" 0 ".status" || return 1
	[ -n "$(jq -r '.status_name // empty' <<<"$j")" ] || fail ".status_name empty" || return 1
	expect_eq "$(jq -r .consignor <<<"$j")" "$C1" ".consignor" || return 1
	expect_eq "$(jq -r .broker <<<"$j")" "$BR" ".broker" || return 1
	expect_eq "$(jq -r .payer <<<"$j")" consignor ".payer" || return 1
	expect_eq "$(jq -r .goods_name <<<"$j")" 笔记本电脑 ".goods_name" || return 1
	expect_eq "$(jq -r .hs_code <<<"$j")" 8471300000 ".hs_code" || return 1
	expect_eq "$(jq -r '.total_value|tonumber' <<<"$j")" 120000 ".total_value" || return 1
	expect_eq "$(jq -r .currency <<<"$j")" USD ".currency" || return 1
	expect_eq "$(jq -r '.quantity|tonumber' <<<"$j")" 300 ".quantity" || return 1
	expect_eq "$(jq -r .unit <<<"$j")" 001 ".unit" || return 1
	expect_eq "$(jq -r .direction <<<"$j")" I ".direction" || return 1
	expect_eq "$(jq -r .date <<<"$j")" 2026-12-20 ".date" || return 1
	expect_eq "$(jq -r .bill_of_lading <<<"$j")" COSU6123456780 ".bill_of_lading" || return 1
	expect_eq "$(jq -r .trade_mode <<<"$j")" 0110 ".trade_mode" || return 1
	expect_eq "$(jq -r .origin <<<"$j")" 502 ".origin" || return 1
	expect_eq "$(jq -r .other_requirements <<<"$j")" 请于到港后三日内申报 ".other_requirements" || return 1
	l=$(jq -r .initiator <<<"$j")
	[ "$l" = "$C1" ] || [ "$l" = consignor ] || fail ".initiator: got '$l', want $C1 (or consignor)" || return 1

	j=$(ctl show letter "$LETTER1" --json) || fail "entrustctl show letter $LETTER1 failed" || return 1
	expect_eq "$(jq -r '.number|tostring' <<<"$j")" "$LETTER1" "show letter .number" || return 1
	expect_eq "$(jq -r .consignor <<<"$j")" "$C1" "letter .consignor" || return 1
	expect_eq "$(jq -r .broker <<<"$j")" "$BR" "letter .broker" || return 1
	expect_eq "$(jq -r .mode <<<"$j")" B "letter .mode" || return 1
	expect_eq "$(jq -r '.validity_months|tostring' <<<"$j")" 6 "letter .validity_months" || return 1
	expect_eq "$(jq -r '.auto_confirm|tostring' <<<"$j")" false "letter .auto_confirm" || return 1
	jq -e '.matters|tostring|test("A") and test("C")' >/dev/null <<<"$j" ||
		fail "letter .matters lacks A and C: $(jq -c .matters <<<"$j")" || return 1
	expect_eq "$(jq -r '.status|type' <<<"$j")" string "letter .status type" || return 1
	expect_eq "$(jq -c '[.agreements[]|tostring]' <<<"$j")" "[\"$AGR1\"]" "letter .agreements"
}

# R25: the ack names the envelope it answers (file name and SHA-256 of its bytes)
test_R25_ack_names_envelope() {
	local x=${ACK1_XML:-} f
	[ -n "$x" ] && [ -f "$x" ] || fail "no ack from the good request to look at" || return 1
	expect_eq "$(xp "$x" /Ack/InReplyTo/Sha256)" "$(sha256sum "$ENV1" | cut -c1-64)" \
		"InReplyTo/Sha256 (sha256 of the envelope bytes)" || return 1
	f=$(xp "$x" /Ack/InReplyTo/File)
	[[ $f == good1.p7m || $f == E*_good1.p7m ]] || fail "InReplyTo/File: got '$f', want good1.p7m"
}

# R9: a broker initiates with both halves; EC key, PEM envelope; new letter with 1101230002
test_R9_broker_request_ec_pem_with_broker_half() {
	local doc=$DOCS/broker1.xml x n j msg=BRK-E2E-0001 agr
	request_xml "$msg" "$BR" "$C2" "$BR" new \
		"$(agreement_xml b1 工业机器人 8479501000 broker 1 MSCU1234567)" >"$doc"
	check_doc "$doc" || return 1
	sign broker "$doc" "$ENV/broker1.pem" PEM || fail "openssl cms -sign failed" || return 1
	head -1 "$ENV/broker1.pem" | grep -q -- '-----BEGIN' || fail "envelope is not PEM (test bug)" || return 1
	drop "$ENV/broker1.pem" broker1.pem
	run_once
	collect broker1
	expect_gone broker1.pem || return 1
	[ -n "$(archive_file broker1.pem)" ] ||
		fail "broker1.pem not archived ($(grep ^code: "$(error_file broker1.pem).reason" 2>/dev/null))" || return 1
	[ -f "$RECV/broker1/$BR/ACK_$msg.p7m" ] ||
		fail "no outbound/$BR/ACK_$msg.p7m (got: $(received broker1 | tr '\n' ' '))" || return 1
	x=$OUT/broker1.ack.xml
	verify_signed "$RECV/broker1/$BR/ACK_$msg.p7m" "$x" || return 1
	expect_eq "$(xp "$x" /Ack/Outcome)" accepted "Outcome" || return 1
	LETTER2=$(xp "$x" /Ack/Letter/Number)
	expect_re "$LETTER2" "^${Y2}[0-9]{8}$" "Letter/Number" || return 1
	[ "$LETTER2" != "${LETTER1:-}" ] || fail "same letter number as the consignor's letter with another pair" || return 1
	is_true "$(xp "$x" /Ack/Letter/Created)" || fail "Letter/Created is not true" || return 1
	expect_eq "$(xp "$x" /Ack/Agreement/@ref)" b1 "Agreement/@ref echo" || return 1
	agr=$(xp "$x" /Ack/Agreement/Number)
	expect_re "$agr" "^${Y4}[0-9]{10}$" "Agreement/Number" || return 1
	[ "$agr" != "${AGR1:-}" ] || fail "agreement number reused" || return 1
	expect_eq "$(xp "$x" /Ack/Agreement/Status)" 0 "Agreement/Status" || return 1
	# notice to the consignor 1101230002 (R26)
	n=$(cd "$RECV/broker1/$C2" 2>/dev/null && ls NTC_*.p7m 2>/dev/null)
	[ "$(echo "$n" | grep -c .)" -eq 1 ] ||
		fail "expected one notice for $C2 (got: $(received broker1 | tr '\n' ' '))" || return 1
	verify_signed "$RECV/broker1/$C2/$n" "$OUT/broker1.ntc.xml" || return 1
	expect_eq "$(xp "$OUT/broker1.ntc.xml" /Notice/Event)" request-waiting "Notice/Event" || return 1
	expect_eq "$(xp "$OUT/broker1.ntc.xml" /Notice/From)" "$BR" "Notice/From" || return 1
	j=$(ctl show agreement "$agr" --json) || fail "entrustctl show agreement $agr failed" || return 1
	expect_eq "$(jq -r .status <<<"$j")" 0 ".status" || return 1
	expect_eq "$(jq -r .consignor <<<"$j")" "$C2" ".consignor" || return 1
	expect_eq "$(jq -r .broker <<<"$j")" "$BR" ".broker" || return 1
	expect_eq "$(jq -r .payer <<<"$j")" broker ".payer" || return 1
	expect_eq "$(jq -r .goods_name <<<"$j")" 工业机器人 ".goods_name" || return 1
	n=$(jq -r .initiator <<<"$j")
	[ "$n" = "$BR" ] || [ "$n" = broker ] || fail ".initiator: got '$n', want $BR (or broker)"
}

# R8: a later request between the same pair appends to the live letter
test_R8_append_to_live_letter() {
	local doc=$DOCS/append1.xml x msg=ERP-E2E-0002 a1 a2 j
	[ -n "${LETTER1:-}" ] || fail "needs the letter of the good request" || return 1
	request_xml "$msg" "$C1" "$C1" "$BR" append \
		"$(agreement_xml a1 显示器 8528521100 consignor 0 COSU6123456781)
$(agreement_xml a2 键盘 8471607100 broker 0 COSU6123456782)" >"$doc"
	check_doc "$doc" || return 1
	sign consignor "$doc" "$ENV/append1.p7m" || fail "openssl cms -sign failed" || return 1
	drop "$ENV/append1.p7m" append1.p7m
	run_once
	collect append1
	expect_gone append1.p7m || return 1
	[ -n "$(archive_file append1.p7m)" ] ||
		fail "append1.p7m not archived ($(grep ^code: "$(error_file append1.p7m).reason" 2>/dev/null))" || return 1
	[ -f "$RECV/append1/$C1/ACK_$msg.p7m" ] ||
		fail "no ACK_$msg.p7m (got: $(received append1 | tr '\n' ' '))" || return 1
	x=$OUT/append1.ack.xml
	verify_signed "$RECV/append1/$C1/ACK_$msg.p7m" "$x" || return 1
	expect_eq "$(xp "$x" /Ack/Outcome)" accepted "Outcome ($(xp "$x" /Ack/Error/@code))" || return 1
	expect_eq "$(xp "$x" /Ack/Letter/Number)" "$LETTER1" "Letter/Number (same live letter)" || return 1
	is_false "$(xp "$x" /Ack/Letter/Created)" || fail "Letter/Created is not false" || return 1
	expect_eq "$(xc "$x" /Ack/Agreement)" 2 "number of agreements" || return 1
	expect_eq "$(xp "$x" '/Ack/Agreement[1]/@ref') $(xp "$x" '/Ack/Agreement[2]/@ref')" "a1 a2" "refs" || return 1
	a1=$(xp "$x" '/Ack/Agreement[1]/Number')
	a2=$(xp "$x" '/Ack/Agreement[2]/Number')
	expect_re "$a1" "^${Y4}[0-9]{10}$" "Agreement[1]/Number" || return 1
	expect_re "$a2" "^${Y4}[0-9]{10}$" "Agreement[2]/Number" || return 1
	[ "$a1" != "$a2" ] && [ "$a1" != "$AGR1" ] && [ "$a2" != "$AGR1" ] ||
		fail "agreement numbers not unique: $AGR1 $a1 $a2" || return 1
	[ -n "$(cd "$RECV/append1/$BR" 2>/dev/null && ls NTC_*.p7m 2>/dev/null)" ] ||
		fail "no notice to the broker (R26)" || return 1
	j=$(ctl show letter "$LETTER1" --json) || fail "entrustctl show letter failed" || return 1
	expect_eq "$(jq -c '[.agreements[]|tostring]|sort' <<<"$j")" \
		"$(printf '%s\n' "$AGR1" "$a1" "$a2" | jq -R . | jq -sc sort)" "letter .agreements" || return 1
	LETTER1_AGREEMENTS=$(jq -c '[.agreements[]|tostring]|sort' <<<"$j")
}

# R25: the same envelope again (new file name) gets the same answer and has no effect
test_R25_replay_same_answer_no_effect() {
	local x j f
	[ -n "${ACK1_XML:-}" ] && [ -f "$ACK1_XML" ] || fail "needs the ack of the good request" || return 1
	drop "$ENV1" good1-again.p7m
	run_once
	collect replay
	expect_gone good1-again.p7m || return 1
	[ -n "$(archive_file good1-again.p7m)$(error_file good1-again.p7m)" ] ||
		fail "replayed envelope neither archived nor in error/" || return 1
	# the ack has the name of the first one, so collect files it under replay.resent/
	f=$RECV/replay.resent/$C1/ACK_$MSG1.p7m
	[ -f "$f" ] || f=$RECV/replay/$C1/ACK_$MSG1.p7m
	[ -f "$f" ] || fail "no ACK_$MSG1.p7m again (got: $(received replay | tr '\n' ' '))" || return 1
	expect_eq "$(received replay | tr '\n' ' ')" "" "new files sent (no second notice)" || return 1
	x=$OUT/replay.ack.xml
	verify_signed "$f" "$x" || return 1
	cmp -s "$x" "$ACK1_XML" ||
		fail "replay ack differs from the first: $(diff "$ACK1_XML" "$x" | grep '^[<>]' | head -2 | tr '\n' ' ')" || return 1
	j=$(ctl show letter "$LETTER1" --json) || fail "entrustctl show letter failed" || return 1
	expect_eq "$(jq -c '[.agreements[]|tostring]|sort' <<<"$j")" "${LETTER1_AGREEMENTS:-?}" \
		"letter agreements after replay" || return 1
	expect_eq "$(ctl show agreement "$AGR1" --json | jq -r .status)" 0 "status of the first agreement"
}

# R25: exactly one ack per envelope — a pass with nothing to do sends nothing, and no
# earlier step re-sent a file the partner had already taken (only the replay may)
test_R25_restart_sends_nothing_again() {
	local r
	run_once || return 1
	collect idle
	r=$(grep -v '^replay: ' "$RECV/.resends" 2>/dev/null)
	[ -z "$r" ] || fail "$(grep -c . <<<"$r") files the partner had already taken were written again" \
		"to outbound/ by later passes (the outbox re-emits rows already written), e.g." \
		"$(head -3 <<<"$r" | tr '\n' ' ')" || return 1
	r=$(received idle | tr '\n' ' ')
	[ -z "$r" ] || fail "a pass with an empty inbound/ sent: $r"
}

# R1: consignor2 signs a document whose Header/Sender is 1101230001
test_R1_wrong_signer_sender_mismatch() {
	local doc=$DOCS/wrongsigner.xml msg=ERP-E2E-WRONG id
	request_xml "$msg" "$C1" "$C1" "$BR" append \
		"$(agreement_xml 1 笔记本电脑 8471300000 consignor 0 COSU6123456790)" >"$doc"
	check_doc "$doc" || return 1
	sign consignor2 "$doc" "$ENV/wrongsigner.p7m" || fail "openssl cms -sign failed" || return 1
	drop "$ENV/wrongsigner.p7m" wrongsigner.p7m
	run_once
	collect wrongsigner
	expect_error wrongsigner.p7m SENDER_MISMATCH R1 || return 1
	id=$(envelope_id "$(error_file wrongsigner.p7m)")
	expect_negative_ack wrongsigner "$C2" SENDER_MISMATCH R1 "ACK_$msg.p7m" "ACK_$id.p7m" || return 1
	# refused before judgement: named after the envelope, never ACK_<MessageId> (R25)
	expect_eq "$NEG_ACK" "ACK_$id.p7m" "negative ack file name"
}

# R1: a certificate from an unknown CA → CERT_UNTRUSTED, nothing sent
test_R1_unknown_ca_cert_untrusted() {
	local doc=$DOCS/rogue.xml
	request_xml ERP-E2E-ROGUE "$C1" "$C1" "$BR" append \
		"$(agreement_xml 1 笔记本电脑 8471300000 consignor 0 COSU6123456791)" >"$doc"
	sign consignor "$doc" "$ENV/rogue.p7m" DER "$ROGUE" || fail "openssl cms -sign failed" || return 1
	drop "$ENV/rogue.p7m" rogue.p7m
	run_once
	collect rogue
	expect_error rogue.p7m CERT_UNTRUSTED R1 || return 1
	expect_nothing_sent rogue
}

# R1: one byte of the signed content changed → SIG_INVALID, nothing sent
test_R1_tampered_sig_invalid() {
	local doc=$DOCS/tamper.xml env=$ENV/tamper.p7m off byte
	request_xml ERP-E2E-TAMPER "$C1" "$C1" "$BR" append \
		"$(agreement_xml 1 笔记本电脑 8471300000 consignor 0 COSU6123456792)" >"$doc"
	sign consignor "$doc" "$env" || fail "openssl cms -sign failed" || return 1
	off=$(LC_ALL=C grep -obUaP '<GoodsName>' "$env" | head -1 | cut -d: -f1)
	[ -n "$off" ] || fail "GoodsName not found in the DER envelope (test bug)" || return 1
	off=$((off + 11 + 2))   # third byte of 笔 (E7 AC 94) → 笕: still UTF-8, other text
	byte=$(od -An -tx1 -j "$off" -N1 "$env" | tr -d ' ')
	printf '%b' "\\x$(printf %02x $((0x$byte ^ 1)))" | dd of="$env" bs=1 seek="$off" conv=notrunc status=none
	openssl cms -verify -CAfile "$PKI/ca.pem" -inform DER -binary -in "$env" -out /dev/null 2>/dev/null &&
		{ fail "tampered envelope still verifies (test bug)"; return 1; }
	drop "$env" tamper.p7m
	run_once
	collect tamper
	expect_error tamper.p7m SIG_INVALID || return 1
	expect_nothing_sent tamper
}

# a plain XML file is not a CMS envelope → ENV_UNREADABLE, nothing sent
test_not_cms_env_unreadable() {
	request_xml ERP-E2E-PLAIN "$C1" "$C1" "$BR" append \
		"$(agreement_xml 1 笔记本电脑 8471300000 consignor 0 COSU6123456793)" >"$DOCS/plain.xml"
	drop "$DOCS/plain.xml" plain.xml
	run_once
	collect plain
	expect_error plain.xml ENV_UNREADABLE || return 1
	expect_nothing_sent plain
}

# signed, but the content is not XML → XML_MALFORMED, negative ack ACK_<ID>.p7m (R25)
test_R25_xml_malformed_negative_ack() {
	local id x
	printf 'this is not XML <<< 这不是XML\n' >"$DOCS/notxml.txt"
	sign consignor "$DOCS/notxml.txt" "$ENV/notxml.p7m" || fail "openssl cms -sign failed" || return 1
	drop "$ENV/notxml.p7m" notxml.p7m
	run_once
	collect notxml
	expect_error notxml.p7m XML_MALFORMED || return 1
	id=$(envelope_id "$(error_file notxml.p7m)")
	expect_negative_ack notxml "$C1" XML_MALFORMED "" "ACK_$id.p7m" || return 1
	x=$OUT/notxml.ack.xml
	expect_eq "$(xc "$x" /Ack/InReplyTo/MessageId)" 0 "InReplyTo/MessageId in ack of unreadable XML" || return 1
	expect_eq "$(xp "$x" /Ack/InReplyTo/Sha256)" "$(sha256sum "$ENV/notxml.p7m" | cut -c1-64)" "InReplyTo/Sha256"
}

# XSD: HsCode of 3 digits → XML_INVALID, negative ack (R25)
test_R25_xml_invalid_xsd_negative_ack() {
	local doc=$DOCS/badhs.xml id
	request_xml ERP-E2E-BADHS "$C1" "$C1" "$BR" append \
		"$(agreement_xml 1 笔记本电脑 847 consignor 0 COSU6123456794)" >"$doc"
	xmllint --noout --schema "$XSD/entrust.xsd" "$doc" 2>/dev/null && { fail "doc is valid (test bug)"; return 1; }
	sign consignor "$doc" "$ENV/badhs.p7m" || fail "openssl cms -sign failed" || return 1
	drop "$ENV/badhs.p7m" badhs.p7m
	run_once
	collect badhs
	expect_error badhs.p7m XML_INVALID || return 1
	id=$(envelope_id "$(error_file badhs.p7m)")
	expect_negative_ack badhs "$C1" XML_INVALID "" "ACK_ERP-E2E-BADHS.p7m" "ACK_$id.p7m"
}

# DOCTYPE with an internal entity → XML_FORBIDDEN, negative ack (R25)
test_R25_xml_forbidden_doctype_entity() {
	local doc=$DOCS/doctype.xml id
	request_xml ERP-E2E-DTD "$C1" "$C1" "$BR" append \
		"$(agreement_xml 1 '&goods;' 8471300000 consignor 0 COSU6123456795)" |
		sed '1a <!DOCTYPE EntrustRequest [ <!ENTITY goods "笔记本电脑"> ]>' >"$doc"
	grep -q '<!DOCTYPE' "$doc" || fail "no DOCTYPE in the document (test bug)" || return 1
	sign consignor "$doc" "$ENV/doctype.p7m" || fail "openssl cms -sign failed" || return 1
	drop "$ENV/doctype.p7m" doctype.p7m
	run_once
	collect doctype
	expect_error doctype.p7m XML_FORBIDDEN || return 1
	id=$(envelope_id "$(error_file doctype.p7m)")
	expect_negative_ack doctype "$C1" XML_FORBIDDEN "" "ACK_ERP-E2E-DTD.p7m" "ACK_$id.p7m"
}

# R9: a broker initiating without BrokerHalf → BROKER_HALF_REQUIRED
test_R9_broker_half_required() {
	local doc=$DOCS/nohalf.xml msg=BRK-E2E-NOHALF
	request_xml "$msg" "$BR" "$C1" "$BR" append \
		"$(agreement_xml 1 笔记本电脑 8471300000 broker 0 COSU6123456796)" >"$doc"
	check_doc "$doc" || return 1
	sign broker "$doc" "$ENV/nohalf.p7m" || fail "openssl cms -sign failed" || return 1
	drop "$ENV/nohalf.p7m" nohalf.p7m
	run_once
	collect nohalf
	expect_refused_either nohalf.p7m nohalf BROKER_HALF_REQUIRED R9 "$BR" "$msg" || return 1
	[ -z "${LETTER1_AGREEMENTS:-}" ] ||
		expect_eq "$(ctl show letter "$LETTER1" --json | jq -c '[.agreements[]|tostring]|sort')" \
			"$LETTER1_AGREEMENTS" "letter agreements after a refused request"
}

# R1: a certificate of the trusted CA that no registry entry binds → SIGNER_UNBOUND
test_R1_signer_unbound() {
	local doc=$DOCS/stranger.xml
	request_xml ERP-E2E-STRANGER "$C1" "$C1" "$BR" append \
		"$(agreement_xml 1 笔记本电脑 8471300000 consignor 0 COSU6123456797)" >"$doc"
	sign stranger "$doc" "$ENV/stranger.p7m" || fail "openssl cms -sign failed" || return 1
	drop "$ENV/stranger.p7m" stranger.p7m
	run_once
	collect stranger
	expect_error stranger.p7m SIGNER_UNBOUND R1 || return 1
	expect_nothing_sent stranger
}

# R2: customs (a real, bound party) sends an EntrustRequest as itself → ROLE_FORBIDDEN
test_R2_role_forbidden_customs_sends_request() {
	local doc=$DOCS/customs.xml msg=HG-E2E-0001
	request_xml "$msg" "$CU" "$C1" "$BR" append \
		"$(agreement_xml 1 笔记本电脑 8471300000 consignor 0 COSU6123456798)" >"$doc"
	check_doc "$doc" || return 1
	sign customs "$doc" "$ENV/customs.p7m" || fail "openssl cms -sign failed" || return 1
	drop "$ENV/customs.p7m" customs.p7m
	run_once
	collect customs
	expect_refused_either customs.p7m customs ROLE_FORBIDDEN R2 "$CU" "$msg" unjudged
}

# spool rule: hidden, .tmp, .part and badly named files are left in inbound/ untouched
test_spool_ignores_hidden_tmp_part() {
	local rc
	check_ignored_names
	rc=$?
	rm -f -- "$SPOOL/inbound/.hidden" "$SPOOL/inbound/x.tmp" "$SPOOL/inbound/y.part" "$SPOOL/inbound/bad name.p7m"
	return $rc
}

check_ignored_names() {
	local n before after
	for n in .hidden x.tmp y.part 'bad name.p7m'; do
		cp "$ENV1" "$SPOOL/inbound/$n"
	done
	before=$(cd "$SPOOL/inbound" && ls -la --time-style=full-iso . && sha256sum -- * .hidden)
	run_once || return 1
	collect ignored
	after=$(cd "$SPOOL/inbound" && ls -la --time-style=full-iso . && sha256sum -- * .hidden)
	[ "$before" = "$after" ] || fail "inbound/ changed: $(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | head -2 | tr '\n' ' ')" || return 1
	for n in .hidden x.tmp y.part 'bad name.p7m'; do
		[ -z "$(error_file "$n")$(archive_file "$n")" ] || fail "$n was processed" || return 1
	done
	expect_nothing_sent ignored
}

# entrustctl: show of an unknown agreement exits 1
test_ctl_show_unknown_agreement_exit_1() {
	ctl show agreement 19990000000001 --json >/dev/null
	expect_eq "$?" 1 "exit code of show agreement <unknown>"
}

# entrustctl status --json counts the folders and lists the last errors
test_ctl_status_json_counts() {
	local doc=$DOCS/status.xml j k want
	request_xml ERP-E2E-STATUS "$C1" "$C1" "$BR" append \
		"$(agreement_xml 1 鼠标 8471607200 consignor 0 COSU6123456799)" >"$doc"
	sign consignor "$doc" "$ENV/status.p7m" || fail "openssl cms -sign failed" || return 1
	drop "$ENV/status.p7m" status.p7m
	run_once || return 1
	j=$(ctl status --json) || fail "entrustctl status --json failed" || return 1
	jq -e . >/dev/null 2>&1 <<<"$j" || fail "status: not JSON: $j" || return 1
	expect_eq "$(jq -r .daemon <<<"$j")" stopped ".daemon" || return 1
	expect_eq "$(jq -r .folders.inbound <<<"$j")" "$(find "$SPOOL/inbound" -type f | wc -l)" ".folders.inbound" || return 1
	expect_eq "$(jq -r .folders.work <<<"$j")" 0 ".folders.work" || return 1
	expect_eq "$(jq -r .folders.archive <<<"$j")" "$(find "$SPOOL/archive" -type f | wc -l)" ".folders.archive" || return 1
	k=$(find "$SPOOL/outbound" -type f | wc -l)
	[ "$k" -ge 2 ] || fail "expected an ack and a notice in outbound/, found $k" || return 1
	expect_eq "$(jq -r .folders.outbound <<<"$j")" "$k" ".folders.outbound" || return 1
	want=$(find "$SPOOL/error" -type f ! -name '*.reason' | wc -l)
	k=$(jq -r .folders.error <<<"$j")
	# envelopes in error/ (a count of every file there, .reason included, is also accepted)
	[ "$k" = "$want" ] || [ "$k" = "$(find "$SPOOL/error" -type f | wc -l)" ] ||
		fail ".folders.error: got $k, want $want" || return 1
	collect status
	jq -e '.last_errors|type=="array" and length>0' >/dev/null <<<"$j" ||
		fail ".last_errors empty or missing" || return 1
	jq -e '.last_errors|all(has("file") and has("code") and has("en") and has("zh"))' >/dev/null <<<"$j" ||
		fail ".last_errors entries lack file/code/en/zh" || return 1
	k=$(find "$SPOOL/error" -type f -name 'E*' ! -name '*.reason' -printf '%f\n' | sort | tail -1)
	jq -e --arg f "$k" 'any(.last_errors[]; .file==$f)' >/dev/null <<<"$j" ||
		fail ".last_errors lacks the latest error $k" || return 1
	for k in $(jq -r '.last_errors[].file' <<<"$j"); do
		[ -f "$SPOOL/error/$k" ] || fail "last_errors names $k, not in error/" || return 1
		expect_eq "$(jq -r --arg f "$k" '.last_errors[]|select(.file==$f)|.code' <<<"$j" | head -1)" \
			"$(reason_field "$SPOOL/error/$k.reason" code)" "last_errors code of $k" || return 1
	done
}

# daemon mode: lock (exit 3), a dropped file is answered, SIGTERM → exit 0
test_daemon_mode_lock_drop_sigterm() {
	local rc
	check_daemon_mode
	rc=$?
	stop_daemon
	return $rc
}

# stop_daemon — make sure the background entrustd we started is gone
stop_daemon() {
	[ -n "$DPID" ] || return 0
	if kill -0 "$DPID" 2>/dev/null; then
		kill -TERM "$DPID" 2>/dev/null
		for _ in $(seq 50); do
			kill -0 "$DPID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$DPID" 2>/dev/null
	fi
	wait "$DPID" 2>/dev/null
	DPID=""
}

check_daemon_mode() {
	local doc=$DOCS/live.xml msg=ERP-E2E-LIVE rc j_running ready=0 ack=""
	"$ENTRUSTD" -c "$CONF" >>"$LOG" 2>&1 &
	DPID=$!
	# ready when entrustctl says so (at most 5 s; the checks below go on regardless)
	for _ in $(seq 50); do
		[ "$(ctl status --json | jq -r .daemon 2>/dev/null)" = running ] && ready=1 && break
		kill -0 "$DPID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$DPID" 2>/dev/null || { wait "$DPID"; fail "entrustd exited at once with $?"; } || return 1
	timeout 5 "$ENTRUSTD" -c "$CONF" >>"$LOG" 2>&1
	expect_eq "$?" 3 "exit code of a second entrustd on the same store" || return 1
	# the same spool with another store: refused too, and its store is left untouched (issue #2)
	sed "s|^store_dir = .*|store_dir = $T/other-store|" "$CONF" >"$T/other.conf"
	timeout 5 "$ENTRUSTD" -c "$T/other.conf" >"$T/other.err" 2>&1
	expect_eq "$?" 3 "exit code of a second entrustd on the same spool" || return 1
	grep -q "another entrustd is running on $SPOOL" "$T/other.err" || fail "no 'another entrustd' message for the spool" || return 1
	[ ! -e "$T/other-store/log.0000000001" ] || fail "the second entrustd opened its store" || return 1

	request_xml "$msg" "$C1" "$C1" "$BR" append \
		"$(agreement_xml 1 打印机 8443321000 consignor 0 COSU6123456800)" >"$doc"
	sign consignor "$doc" "$ENV/live.p7m" || fail "openssl cms -sign failed" || return 1
	cp "$ENV/live.p7m" "$SPOOL/inbound/live.p7m.tmp"
	mv "$SPOOL/inbound/live.p7m.tmp" "$SPOOL/inbound/live.p7m"
	for _ in $(seq 50); do
		[ -f "$SPOOL/outbound/$C1/ACK_$msg.p7m" ] && ack=$SPOOL/outbound/$C1/ACK_$msg.p7m && break
		sleep 0.1
	done
	[ -n "$ack" ] || fail "no ACK_$msg.p7m within 5 s" || return 1
	verify_signed "$ack" "$OUT/live.ack.xml" || return 1
	expect_eq "$(xp "$OUT/live.ack.xml" /Ack/Outcome)" accepted "Outcome" || return 1
	j_running=$(ctl status --json)

	kill -TERM "$DPID"
	for _ in $(seq 50); do
		kill -0 "$DPID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$DPID" 2>/dev/null && { fail "entrustd still running 5 s after SIGTERM"; return 1; }
	wait "$DPID"
	rc=$?
	DPID=""
	expect_eq "$rc" 0 "exit code after SIGTERM" || return 1
	collect live
	[ -n "$(archive_file live.p7m)" ] || fail "live.p7m not archived after SIGTERM" || return 1
	[ -z "$(ls -A "$SPOOL/work")" ] || fail "work/ not empty after SIGTERM" || return 1

	[ $ready = 1 ] || fail "entrustctl status --json never said .daemon running" || return 1
	expect_eq "$(jq -r .daemon <<<"$j_running" 2>/dev/null)" running "status .daemon while running" || return 1
	jq -e '.folders|(.inbound,.work,.archive,.error,.outbound)|type=="number"' >/dev/null 2>&1 <<<"$j_running" ||
		fail "status .folders counts are not numbers: $j_running" || return 1
	expect_eq "$(ctl status --json | jq -r .daemon 2>/dev/null)" stopped "status .daemon after SIGTERM"
}

# every reason file has code:, zh:, en: lines (and one per envelope in error/)
test_reason_files_complete() {
	local r e n=0
	for r in "$SPOOL"/error/*.reason; do
		[ -f "$r" ] || continue
		n=$((n + 1))
		for e in code zh en; do
			grep -q "^$e: ..*" "$r" || fail "$(basename "$r") has no '$e:' line" || return 1
		done
	done
	[ "$n" -ge 6 ] || fail "only $n reason files in error/" || return 1
	for e in "$SPOOL"/error/E*; do
		case $e in *.reason) continue ;; esac
		[ -f "$e.reason" ] || fail "$(basename "$e") has no reason file" || return 1
	done
}

# one log line per envelope (issue #2): every envelope in archive/ and error/ has exactly
# one event line under its ID, naming the file; a refused one names its reason code too
test_log_one_line_per_envelope() {
	local f b id n code lines=0
	for f in "$SPOOL"/archive/*/E* "$SPOOL"/error/E*; do
		[ -f "$f" ] || continue
		case $f in *.reason) continue ;; esac
		b=$(basename "$f") id=${b%%_*}
		n=$(grep -c " $id: " "$SPOOL/log/entrustd.log")
		expect_eq "$n" 1 "log lines for envelope $id ($b)" || return 1
		grep " $id: " "$SPOOL/log/entrustd.log" | grep -qF "file=${b#*_}" ||
			fail "log line of $id does not name file=${b#*_}" || return 1
		if [ -f "$f.reason" ]; then
			code=$(reason_field "$f.reason" code)
			grep " $id: " "$SPOOL/log/entrustd.log" | grep -q "code=$code" ||
				fail "log line of refused $id lacks code=$code" || return 1
		fi
		lines=$((lines + 1))
	done
	[ $lines -ge 10 ] || fail "only $lines envelopes checked"
}

# every complete example of docs/examples/ is valid against xsd/ (issue #2, #3: the examples
# an integrator copies must be right); customs-format examples against xsd/customs/
test_docs_examples_valid() {
	local f n=0 xsd
	for f in "$REPO"/docs/examples/*.xml "$REPO"/docs/examples/customs/*.xml; do
		[ -f "$f" ] || continue
		xsd=$XSD/entrust.xsd
		[[ $f == */customs/* ]] && xsd=$XSD/customs/agent-agreement.xsd
		xmllint --noout --nonet --schema "$xsd" "$f" >>"$T/xsd.log" 2>&1 ||
			fail "docs/examples/${f#"$REPO"/docs/examples/} is not valid against ${xsd#"$REPO"/} (see xsd.log)" || return 1
		n=$((n + 1))
	done
	[ $n -ge 20 ] || fail "only $n examples found"
}

# wait_ack CODE MSGID — the ack's path once it exists (at most 5 s)
wait_ack() {
	local _
	for _ in $(seq 50); do
		[ -f "$SPOOL/outbound/$1/ACK_$2.p7m" ] && echo "$SPOOL/outbound/$1/ACK_$2.p7m" && return 0
		sleep 0.1
	done
	return 1
}

# wait_log TEXT COUNT — the log holds more than COUNT lines with TEXT (at most 5 s)
wait_log() {
	local _
	for _ in $(seq 50); do
		[ "$(grep -c "$1" "$SPOOL/log/entrustd.log")" -gt "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# drop_trade_mode MSGID MODE — a consignor append whose agreement has trade mode MODE
drop_trade_mode() {
	request_xml "$1" "$C1" "$C1" "$BR" append \
		"$(agreement_xml 1 扫描仪 8471900000 consignor 0 COSU61234568${1: -2} | sed "s#<TradeMode>0110#<TradeMode>$2#")" \
		>"$DOCS/$1.xml"
	sign consignor "$DOCS/$1.xml" "$ENV/$1.p7m" && drop "$ENV/$1.p7m" "$1.p7m"
}

# SIGHUP (issue #2): code tables are reloaded (R12: a code added to conf/ is accepted and
# echoed with its name), and a configuration that fails to load is refused with the old one
# kept: the daemon goes on processing with it
test_R12_sighup_reloads_code_tables_bad_config_keeps_old() {
	local saved=$T/entrustd.conf.saved ack n rc=0
	rm -rf "$T/codes" && cp -r "$REPO/conf/codes" "$T/codes" && cp "$CONF" "$saved"
	sed -i "s|^codes_dir = .*|codes_dir = $T/codes|" "$CONF"
	"$ENTRUSTD" -c "$CONF" >>"$LOG" 2>&1 &
	DPID=$!
	check_sighup || rc=1
	stop_daemon
	cp "$saved" "$CONF"
	collect sighup
	return $rc
}

check_sighup() {
	local ack n x=$OUT/sighup.ack.xml
	drop_trade_mode ERP-E2E-HUP-01 9998 || fail "cannot make the envelope" || return 1
	ack=$(wait_ack "$C1" ERP-E2E-HUP-01) || fail "no ack for ERP-E2E-HUP-01" || return 1
	verify_signed "$ack" "$x" || return 1
	expect_eq "$(xp "$x" "/Ack/Agreement/Error/@code")" CODE_UNKNOWN "trade mode 9998 before the reload" || return 1
	printf '9998\t测试监管方式\tTest trade mode\n' >>"$T/codes/trade-modes.tsv"
	n=$(grep -c 'reloaded' "$SPOOL/log/entrustd.log")
	kill -HUP "$DPID"
	wait_log reloaded "$n" || fail "no 'reloaded' log line after SIGHUP" || return 1
	drop_trade_mode ERP-E2E-HUP-02 9998 || return 1
	ack=$(wait_ack "$C1" ERP-E2E-HUP-02) || fail "no ack for ERP-E2E-HUP-02" || return 1
	verify_signed "$ack" "$x" || return 1
	expect_eq "$(xp "$x" /Ack/Outcome)" accepted "trade mode 9998 after the reload" || return 1
	expect_eq "$(xp "$x" "/Ack/Agreement/Code[@field='TradeMode']")" 测试监管方式 "echoed name of 9998" || return 1
	echo "bogus_parameter = 1" >>"$CONF"
	n=$(grep -c 'reload refused' "$SPOOL/log/entrustd.log")
	kill -HUP "$DPID"
	wait_log 'reload refused' "$n" || fail "a bad configuration was not refused on SIGHUP" || return 1
	grep 'reload refused' "$SPOOL/log/entrustd.log" | tail -1 | grep -q bogus_parameter ||
		fail "the refusal does not name the bad line" || return 1
	kill -0 "$DPID" 2>/dev/null || fail "entrustd died on a bad reload" || return 1
	drop_trade_mode ERP-E2E-HUP-03 9998 || return 1
	ack=$(wait_ack "$C1" ERP-E2E-HUP-03) || fail "no ack after the refused reload" || return 1
	verify_signed "$ack" "$x" || return 1
	expect_eq "$(xp "$x" /Ack/Outcome)" accepted "old configuration (with 9998) kept" || return 1
}

# README's first screen (issue #2): `make run` in a copy of this tree makes the demo PKI,
# registry and sample, starts entrustd on spool/ and processes the demo seed; then the
# README's own commands (its second sh block, run as written, with `sleep 1` turned into a
# wait of at most 20 s) give a verified ack, and status and the letter show it.
test_readme_quick_start() {
	local q=$T/quickstart pid rc=0
	mkdir -p "$q"
	(cd "$REPO" && git ls-files -z | tar --null -T - -cf -) | tar -xf - -C "$q" || fail "cannot copy the tree" || return 1
	cp -a "$REPO/bin" "$REPO/build" "$q/" 2>/dev/null	# built already: make finds it up to date
	rm -rf "$q/build/asan" "$q/build/fuzz" "$q/build/crash" "$q/build/deb"
	(cd "$q" && exec setsid make --no-print-directory run >"$q/make-run.log" 2>&1) &
	pid=$!
	check_quick_start "$q" || rc=1
	kill -TERM -- "-$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return $rc
}

check_quick_start() {
	local q=$1 block _
	for _ in $(seq 600); do
		[ -f "$q/spool/outbound/ENTRUSTOPS/ACK_OPS-TOPUP-0002.p7m" ] && break
		sleep 0.1
	done
	[ -f "$q/spool/outbound/ENTRUSTOPS/ACK_OPS-TOPUP-0002.p7m" ] ||
		fail "make run: the demo seed was not processed within 60 s (see $q/make-run.log)" || return 1
	block=$(awk '/^```sh$/ {n++; on = (n == 2); next} /^```$/ {on = 0} on' "$q/README.md")
	[ -n "$block" ] || fail "README has no second sh block" || return 1
	block=$(sed 's/^sleep 1$/for i in $(seq 200); do [ -f spool\/outbound\/1101230001\/ACK_ERP-20261203-0001.p7m ] \&\& break; sleep 0.1; done/' <<<"$block")
	(cd "$q" && bash -eo pipefail -c "$block") >"$q/readme.out" 2>&1 ||
		fail "README's commands failed: $(tail -3 "$q/readme.out")" || return 1
	grep -q "Verification successful" "$q/readme.out" || fail "README's openssl cms -verify did not verify" || return 1
	grep -q "<Outcome>accepted</Outcome>" "$q/readme.out" || fail "the sample was not accepted: $(grep -o '<Error.*' "$q/readme.out" | head -1)" || return 1
	grep -q "$(TZ=Asia/Shanghai date +%y)00000001" "$q/readme.out" || fail "show letter printed no letter" || return 1
	# the human form of show agreement (issue #2): labelled Chinese + English, status with its name
	(cd "$q" && bin/entrustctl show agreement "$(TZ=Asia/Shanghai date +%Y)0000000001") >"$q/show.out" 2>&1 ||
		fail "show agreement failed: $(head -1 "$q/show.out")" || return 1
	grep -Eq '^状态 status +0 委托发起待确认 initiated' "$q/show.out" || fail "show agreement: no status line" || return 1
	grep -Eq "^委托书 letter +$(TZ=Asia/Shanghai date +%y)00000001$" "$q/show.out" || fail "show agreement: no letter line" || return 1
	grep -Eq '^提\(运\)单号 B/L +[A-Z0-9]+' "$q/show.out" || fail "show agreement: no bill of lading line"
}

# ---------------------------------------------------------------------------------------
# the domain stories (R2-R27), their helpers and setup_parties
# shellcheck source=tests/e2e/domain.sh
. "$REPO/tests/e2e/domain.sh"

# ---------------------------------------------------------------------------------------

START=$(date +%s)
FAILMSG=""
MSG1="" ENV1="" ACK1_XML="" LETTER1="" LETTER2="" AGR1="" LETTER1_AGREEMENTS="" NEG_ACK=""
if ! setup; then
	echo "not ok - setup: $FAILMSG"
	echo "e2e: 0 passed, 1 failed"
	exit 1
fi

run_test test_R1_demo_pki
run_test test_config_check_and_spool_layout
# R4/R5/R20 groundwork: the demo broker registers and is approved by the association,
# the operator tops up 100 units for both consignors and the broker (collected as "boot1")
FAILMSG=""
if ! setup_parties; then
	echo "not ok - setup: registering/approving $BR and topping up: $FAILMSG"
	echo "e2e: $PASS passed, $((FAILS + 1)) failed"
	exit 1
fi
run_test test_R1_R7_R25_R26_good_request_consignor_rsa_der
run_test test_R25_ack_names_envelope
run_test test_R9_broker_request_ec_pem_with_broker_half
run_test test_R8_append_to_live_letter
run_test test_R25_replay_same_answer_no_effect
run_test test_R1_wrong_signer_sender_mismatch
run_test test_R1_unknown_ca_cert_untrusted
run_test test_R1_tampered_sig_invalid
run_test test_not_cms_env_unreadable
run_test test_R25_xml_malformed_negative_ack
run_test test_R25_xml_invalid_xsd_negative_ack
run_test test_R25_xml_forbidden_doctype_entity
run_test test_R9_broker_half_required
run_test test_R1_signer_unbound
run_test test_R2_role_forbidden_customs_sends_request
run_test test_spool_ignores_hidden_tmp_part
run_test test_ctl_show_unknown_agreement_exit_1
run_test test_ctl_status_json_counts
run_test test_daemon_mode_lock_drop_sigterm
run_test test_R12_sighup_reloads_code_tables_bad_config_keeps_old
run_test test_reason_files_complete
run_test test_log_one_line_per_envelope
run_test test_docs_examples_valid
run_test test_readme_quick_start
run_test test_R25_restart_sends_nothing_again
domain_tests

[ "${KEEP:-0}" = 1 ] && echo "# kept $T"
[ "$FAILS" -gt 0 ] && [ "${KEEP:-0}" != 1 ] && echo "# $(($(date +%s) - START)) s; rerun with KEEP=1 to keep the temporary directory"
echo "e2e: $PASS passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
