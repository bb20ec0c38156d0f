# tests/hostile/lib.sh — helpers shared by the hostile-input corpus (tests/hostile/) and the
# crash tests (tests/crash/): a test PKI and registry, a daemon configuration, signing with
# the openssl command line, the daemon's life, waiting for the spool to drain, XML builders
# and reading the hub's signed answers.  Sourced, never run; needs bash.
# 敌意输入与崩溃测试共用的辅助函数。
#
# Everything here goes through the daemon's public interfaces only (spool folders, reason
# files, signed outbound files, entrustctl --json), as tests/e2e/CONTRACT.md asks.

H_REPO=${H_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

# The demo parties (scripts/demo-pki) and two more that only the tests register.
C1=1101230001	# consignor  (RSA)   topped up
C2=1101230002	# consignor2 (EC)    no top-up, no letter until the canary
C3=1101230003	# consignor3 (EC)    registered by the tests; a letter, no units (R19)
BR=4101W68006	# broker     (EC)    registered (R3) and approved (R4)
B2=4101W68007	# broker2    (EC)    in the party registry, never approved (R5)
AS=1100XH0001	# association
CU=0100HG0001	# customs
OP=ENTRUSTOPS	# operator
HUB=ENTRUSTHUB

# h_fpr FILE — sha256 fingerprint of a certificate, as the registry writes it
h_fpr() {
	openssl x509 -in "$1" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr A-F a-f
}

# h_eckey FILE — a P-256 key (fast to make)
h_eckey() {
	openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-pkeyopt ec_param_enc:named_curve -out "$1" && chmod 600 "$1"
}

# h_pki DIR REGISTRY — the demo PKI plus consignor3 and broker2, both in the registry
h_pki() {
	local dir=$1 reg=$2 stem
	"$H_REPO/scripts/demo-pki" "$dir" "$reg" >/dev/null || return 1
	[ -f "$dir/broker2.pem" ] && return 0
	cat >"$dir/ee.cnf" <<'EOF'
[ req ]
distinguished_name = dn
string_mask = utf8only
prompt = no
[ dn ]
CN = x
[ ee ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection
EOF
	for stem in consignor3 broker2; do
		h_eckey "$dir/$stem.key" || return 1
		openssl req -new -config "$dir/ee.cnf" -utf8 -key "$dir/$stem.key" \
			-subj "/O=$stem/CN=$stem" -out "$dir/$stem.csr" 2>/dev/null &&
			openssl x509 -req -in "$dir/$stem.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
				-set_serial "0x$(openssl rand -hex 8)" -days 365 -extfile "$dir/ee.cnf" \
				-extensions ee -out "$dir/$stem.pem" 2>/dev/null || return 1
	done
	{
		echo "$C3 consignor $(h_fpr "$dir/consignor3.pem") 测试第三贸易有限公司"
		echo "$B2 broker $(h_fpr "$dir/broker2.pem") 未审批报关有限公司"
	} >>"$reg"
}

# h_conf CONF SPOOL STORE PKI REGISTRY [EXTRA-LINES] — a daemon configuration
h_conf() {
	cat >"$1" <<EOF
# written by tests/hostile/lib.sh
spool_dir = $2
store_dir = $3
xsd_dir = $H_REPO/xsd
xslt_dir = $H_REPO/xslt
codes_dir = $H_REPO/conf/codes
trust_ca = $4/ca.pem
hub_cert = $4/hub.pem
hub_key = $4/hub.key
registry = $5
hub_code = $HUB
settle_ms = ${SETTLE_MS:-0}
rescan_s = ${RESCAN_S:-1}
log_file = $2/log/entrustd.log
${6:-}
EOF
}

# h_sign STEM DOC OUT [DER|PEM] [PKIDIR] [openssl cms options...] — make an envelope
h_sign() {
	local stem=$1 doc=$2 out=$3 form=${4:-DER} pki=${5:-$PKI}
	shift 5 2>/dev/null || shift $#
	openssl cms -sign -nodetach -binary -signer "$pki/$stem.pem" -inkey "$pki/$stem.key" \
		-in "$doc" -outform "$form" -out "$out" "$@" 2>>"${H_LOG:-/dev/null}"
}

# h_drop FILE NAME SPOOL — deliver FILE into SPOOL/inbound/ as NAME (.tmp, then rename)
h_drop() {
	cp -- "$1" "$3/inbound/.$2.tmp" && mv -- "$3/inbound/.$2.tmp" "$3/inbound/$2"
}

# h_name_ok NAME — what spool_name_ok accepts (the daemon takes only these)
h_name_ok() {
	[[ $1 =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$ ]] && [[ $1 != *.tmp ]] && [[ $1 != *.part ]]
}

# h_pending SPOOL — number of files the daemon still has to take or finish
h_pending() {
	local n=0 f b
	for f in "$1"/inbound/* "$1"/work/*; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		b=${f##*/}
		case $f in
		"$1"/work/*) n=$((n + 1)) ;;
		*) h_name_ok "$b" && n=$((n + 1)) ;;
		esac
	done
	echo "$n"
}

# h_wait_idle SPOOL [TIMEOUT_S] [PID] — until inbound/ holds nothing to take and work/ is
# empty, twice in a row; 1 on timeout or when PID died
h_wait_idle() {
	local spool=$1 limit=$((${2:-60} * 20)) pid=${3:-} i quiet=0
	for ((i = 0; i < limit; i++)); do
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
			return 1
		fi
		if [ "$(h_pending "$spool")" -eq 0 ]; then
			quiet=$((quiet + 1))
			[ $quiet -ge 2 ] && return 0
		else
			quiet=0
		fi
		sleep 0.05
	done
	return 1
}

# h_daemon_start CONF LOG — start entrustd in daemon mode; H_DPID is its pid
h_daemon_start() {
	"${ENTRUSTD:-$H_REPO/bin/entrustd}" -c "$1" >>"$2" 2>&1 &
	H_DPID=$!
	sleep 0.2
	kill -0 "$H_DPID" 2>/dev/null
}

# h_daemon_stop — SIGTERM, then SIGKILL after 10 s; returns the exit status
h_daemon_stop() {
	local rc i
	[ -n "${H_DPID:-}" ] || return 0
	kill -TERM "$H_DPID" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$H_DPID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$H_DPID" 2>/dev/null
	wait "$H_DPID" 2>/dev/null
	rc=$?
	H_DPID=""
	return $rc
}

# h_xp FILE PATH — string value of a namespace-blind XPath (/Ack/Outcome, /Ack/Error/@code)
h_xp() {
	local path
	path=$(sed -E "s#(^|/)([A-Za-z_][A-Za-z0-9_]*)#\1*[local-name()='\2']#g" <<<"$2")
	xmllint --xpath "string($path)" "$1" 2>/dev/null
}

# h_xc FILE PATH — number of nodes matching the namespace-blind XPath
h_xc() {
	local path
	path=$(sed -E "s#(^|/)([A-Za-z_][A-Za-z0-9_]*)#\1*[local-name()='\2']#g" <<<"$2")
	xmllint --xpath "count($path)" "$1" 2>/dev/null
}

# h_xall FILE PATH — every value of the namespace-blind XPath, one per line
h_xall() {
	local n i
	n=$(h_xc "$1" "$2")
	for ((i = 1; i <= ${n:-0}; i++)); do
		h_xp "$1" "($2)[$i]" 2>/dev/null || true
	done
}

# h_open_signed P7M XMLOUT PKIDIR — a hub file: verifies against the CA, signer is hub.pem;
# the content goes to XMLOUT.  1 with a reason on stdout otherwise.
h_open_signed() {
	openssl cms -verify -CAfile "$3/ca.pem" -inform DER -binary -in "$1" -out "$2" \
		-signer "$2.signer.pem" >/dev/null 2>&1 || {
		echo "does not verify"
		return 1
	}
	[ "$(h_fpr "$2.signer.pem")" = "$(h_fpr "$3/hub.pem")" ] || {
		echo "not signed by the hub"
		return 1
	}
}

# h_agreement_xml REF GOODS PAYER HALF(0|1) BILL [TRADE ORIGIN CURRENCY UNIT]
h_agreement_xml() {
	cat <<EOF
  <Agreement ref="$1">
    <GoodsName>$2</GoodsName>
    <HsCode>8471300000</HsCode>
    <TotalValue currency="${8:-USD}">120000.00</TotalValue>
    <Quantity unit="${9:-001}">300</Quantity>
    <Direction>I</Direction>
    <Date>2026-12-20</Date>
    <BillOfLading>$5</BillOfLading>
    <TradeMode>${6:-0110}</TradeMode>
    <Origin>${7:-502}</Origin>
    <Payer>$3</Payer>
EOF
	if [ "$4" = 1 ]; then
		cat <<EOF
    <BrokerHalf>
      <DocumentsReceived>contract invoice packing-list bill-of-lading</DocumentsReceived>
      <ReceivedOn>2026-12-02</ReceivedOn>
      <Fee>350.00</Fee>
    </BrokerHalf>
EOF
	fi
	echo "  </Agreement>"
}

# h_header MSGID SENDER — the Header element
h_header() {
	printf '  <Header>\n    <MessageId>%s</MessageId>\n    <Sender>%s</Sender>\n    <SentAt>%s</SentAt>\n  </Header>\n' \
		"$1" "$2" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}

# h_request_xml MSGID SENDER CONSIGNOR BROKER TERMS AGREEMENTS-XML
#   TERMS: new (Mode B, A+C, 6 months, no auto-confirm), append (none), or literal XML lines
h_request_xml() {
	echo '<?xml version="1.0" encoding="UTF-8"?>'
	echo '<EntrustRequest xmlns="urn:entrust:1" version="1">'
	h_header "$1" "$2"
	printf '  <Letter>\n    <Consignor>\n      <Code>%s</Code>\n    </Consignor>\n    <Broker>\n      <Code>%s</Code>\n    </Broker>\n' "$3" "$4"
	case $5 in
	new) printf '    <Mode>B</Mode>\n    <Matter>A</Matter>\n    <Matter>C</Matter>\n    <ValidityMonths>6</ValidityMonths>\n    <AutoConfirm>false</AutoConfirm>\n' ;;
	append) ;;
	*) printf '%s\n' "$5" ;;
	esac
	echo "  </Letter>"
	printf '%s\n' "$6"
	echo "</EntrustRequest>"
}

# h_doc ROOT MSGID SENDER BODY-XML — any message type
h_doc() {
	echo '<?xml version="1.0" encoding="UTF-8"?>'
	echo "<$1 xmlns=\"urn:entrust:1\" version=\"1\">"
	h_header "$2" "$3"
	printf '%s\n' "$4"
	echo "</$1>"
}

# h_valid DOC — the document is valid against xsd/ (test documents that should be)
h_valid() {
	xmllint --noout --nonet --schema "$H_REPO/xsd/entrust.xsd" "$1" >/dev/null 2>&1
}

# h_seed_docs DIR — the opening messages every test store needs, as XML in DIR:
#   00 broker registration (R3), 01 association approval (R4), 02/03 top-ups of 1000
#   units for the consignor and the broker (R20).  Sign with: broker association operator operator
h_seed_docs() {
	local d=$1
	sed "s/REG-4101W68006-0001/SEED-REG-0001/" "$H_REPO/docs/examples/broker-registration.xml" >"$d/00-reg.xml"
	sed "s/ASSOC-DEC-0001/SEED-DEC-0001/" "$H_REPO/docs/examples/registration-decision.xml" >"$d/01-dec.xml"
	sed "s/OPS-TOPUP-0001/SEED-TOPUP-C1/; s#<Units>100</Units>#<Units>100000</Units>#" \
		"$H_REPO/docs/examples/top-up.xml" >"$d/02-topup.xml"
	sed "s/OPS-TOPUP-0001/SEED-TOPUP-BR/; s/<Enterprise>1101230001</<Enterprise>$BR</; s#<Units>100</Units>#<Units>100000</Units>#" \
		"$H_REPO/docs/examples/top-up.xml" >"$d/03-topup.xml"
}

# h_seed SPOOL DIR PKIDIR [PID] — sign and deliver the seed messages one by one, waiting
# for each; 1 if one was not accepted
h_seed() {
	local spool=$1 d=$2 pki=$3 pid=${4:-} i stems=(broker association operator operator) f n=0
	h_seed_docs "$d"
	for f in 00-reg 01-dec 02-topup 03-topup; do
		h_sign "${stems[$n]}" "$d/$f.xml" "$d/$f.p7m" DER "$pki" || return 1
		h_drop "$d/$f.p7m" "seed-$f.p7m" "$spool" || return 1
		if [ -n "$pid" ]; then
			h_wait_idle "$spool" 30 "$pid" || return 1
		else
			"${ENTRUSTD:-$H_REPO/bin/entrustd}" -c "$H_CONF" --once >>"${H_LOG:-/dev/null}" 2>&1 || return 1
		fi
		n=$((n + 1))
	done
	[ "$(find "$spool/archive" -name 'E*_seed-*' | wc -l)" -eq 4 ]
}
