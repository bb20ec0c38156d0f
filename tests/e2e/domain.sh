# tests/e2e/domain.sh — the domain stories (DOMAIN.md R2–R26) for tests/e2e/run.sh, which
# sources this file: it defines helpers, the party bootstrap (setup_parties) and the tests,
# and domain_tests runs them.  Every test name carries the rule(s) it proves.
# 业务规则端到端测试：由 run.sh 引入，不单独运行。
#
# Most stories run in a fresh "world" (own spool, store, config and received files, same
# PKI and registry), so one story's letters, accounts or moved clock never leak into
# another.  The clock is moved with ENTRUST_TIME_OFFSET (seconds) in the daemon's
# environment.  Every file the hub sends is verified as it is collected: CMS signature
# against ca.pem by the openssl command line, signer = hub.pem, content valid against
# xsd/entrust.xsd (R25), Header/Receiver = the folder it was written to (R26).

AS=1100XH0001   # association
OP=ENTRUSTOPS   # operator
DAY=86400
QN=0            # counter for query message ids

# ---------------------------------------------------------------------------------------
# documents

# stem_of CODE — the demo-pki file stem of a party
stem_of() {
	case $1 in
	"$C1") echo consignor ;;
	"$C2") echo consignor2 ;;
	"$BR") echo broker ;;
	"$AS") echo association ;;
	"$CU") echo customs ;;
	"$OP") echo operator ;;
	*) echo "unknown-party-$1" ;;
	esac
}

# doc ROOT MSGID SENDER BODY — a whole message
doc() {
	local now
	TZ=UTC printf -v now '%(%Y-%m-%dT%H:%M:%SZ)T' -1
	printf '%s\n' "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<$1 xmlns=\"urn:entrust:1\" version=\"1\">
  <Header>
    <MessageId>$2</MessageId>
    <Sender>$3</Sender>
    <SentAt>$now</SentAt>
  </Header>
$4
</$1>"
}

# letter_xml CONSIGNOR BROKER new MONTHS AUTO | append [MONTHS [AUTO]] — the Letter terms
letter_xml() {
	printf '  <Letter>\n    <Consignor><Code>%s</Code></Consignor>\n    <Broker><Code>%s</Code></Broker>\n' "$1" "$2"
	if [ "$3" = new ]; then
		printf '    <Mode>B</Mode>\n    <Matter>A</Matter>\n    <Matter>C</Matter>\n'
		printf '    <ValidityMonths>%s</ValidityMonths>\n    <AutoConfirm>%s</AutoConfirm>\n' "$4" "$5"
		TZ=UTC printf '    <SignedOn>%(%Y-%m-%d)T</SignedOn>\n' -1
	else
		[ -n "${4:-}" ] && printf '    <ValidityMonths>%s</ValidityMonths>\n' "$4"
		[ -n "${5:-}" ] && printf '    <AutoConfirm>%s</AutoConfirm>\n' "$5"
	fi
	printf '  </Letter>\n'
}

bh_xml() {
	printf '%s\n' "    <BrokerHalf>
      <DocumentsReceived>contract invoice packing-list bill-of-lading</DocumentsReceived>
      <ReceivedOn>2026-12-02</ReceivedOn>
      <Fee>350.00</Fee>
      <Commitments>按委托方要求如实申报</Commitments>
    </BrokerHalf>"
}

# agr REF PAYER BROKERHALF(0|1) BILL [TRADEMODE [ORIGIN [VALUE]]] — one Agreement
agr() {
	printf '%s\n' "  <Agreement ref=\"$1\">
    <GoodsName>货物$1</GoodsName>
    <HsCode>8471300000</HsCode>
    <TotalValue currency=\"USD\">${7:-120000.00}</TotalValue>
    <Quantity unit=\"001\">300</Quantity>
    <Direction>I</Direction>
    <Date>2026-12-20</Date>
    <BillOfLading>$4</BillOfLading>
    <TradeMode>${5:-0110}</TradeMode>
    <Origin>${6:-502}</Origin>
    <Payer>$2</Payer>"
	[ "$3" = 1 ] && bh_xml
	echo "  </Agreement>"
}

# decision AGR true|false [bh] — one Decision of an EntrustConfirm
decision() {
	echo "  <Decision><Agreement>$1</Agreement><Accept>$2</Accept>"
	[ "${3:-}" = bh ] && bh_xml
	echo "  </Decision>"
}

# answer AGR true|false — one Decision of a RevocationAnswer
answer() {
	echo "  <Decision><Agreement>$1</Agreement><Agree>$2</Agree></Decision>"
}

# item REF AGR EVENT [BILL] — one Item of a CustomsReceipt
item() {
	echo "  <Item ref=\"$1\"><Agreement>$2</Agreement><Event>$3</Event>${4:+<BillOfLading>$4</BillOfLading>}</Item>"
}

# reg_body NDECLARANTS [NAME] — a BrokerRegistration of the demo broker
reg_body() {
	local i
	cat <<EOF
  <Enterprise>
    <Code>$BR</Code>
    <CreditCode>91410100200000000E</CreditCode>
    <Name>${2:-郑州示例报关有限公司}</Name>
    <District>4601</District>
    <Address>郑州市航空港区示例路1号</Address>
    <Introduction>专业代理进出口报关</Introduction>
    <PublicPhone>0371-66668888</PublicPhone>
    <Manager><Name>李四</Name><IdNumber>410100198001010011</IdNumber></Manager>
  </Enterprise>
EOF
	for ((i = 1; i <= $1; i++)); do
		echo "  <Declarant><Name>报关员$i</Name><Number>460100012$i</Number><Phone>1390001777$i</Phone></Declarant>"
	done
}

# ---------------------------------------------------------------------------------------
# exchanging messages

# xpath_blind PATH — make an XPath namespace-blind: every element name right after / [ ( or a
# space (not "or"/"and", not a function name) becomes *[local-name()='name'].  Pure bash: the
# suite makes thousands of these and a process each is slow on a loaded machine.
xpath_blind() {
	local in=$1 out="" pre name prev
	while [[ $in =~ ^([^A-Za-z_]*)([A-Za-z_][A-Za-z0-9_]*)(.*)$ ]]; do
		pre=${BASH_REMATCH[1]} name=${BASH_REMATCH[2]} in=${BASH_REMATCH[3]}
		out+=$pre
		prev=${out: -1}
		if [[ (-z $out || $prev == [/\[\(\ ]) && $name != or && $name != and && ${in:0:1} != [\(-] ]]; then
			out+="*[local-name()='$name']"
		else
			out+=$name
		fi
	done
	printf '%s' "$out$in"
}

# dx FILE PATH — like xp, namespace-blind also inside predicates: /Ack/Agreement[Number='x']
dx() {
	xmllint --xpath "string($(xpath_blind "$2"))" "$1" 2>/dev/null
}

# dn FILE PATH — number of nodes (predicates namespace-blind too)
dn() {
	xmllint --xpath "count($(xpath_blind "$2"))" "$1" 2>/dev/null
}

# dvals FILE PATH — the string values of every node PATH selects, space-separated
dvals() {
	local n i out=""
	n=$(dn "$1" "$2")
	for ((i = 1; i <= ${n:-0}; i++)); do
		out+="${out:+ }$(dx "$1" "($2)[$i]")"
	done
	echo "$out"
}

# send CODE ROOT MSGID BODY — the party CODE signs the message and drops it as MSGID.p7m
# (signed straight into inbound/ as .MSGID.p7m.tmp, then renamed; the daemon keeps the
# envelope in archive/ or error/, where envelope_of finds it for a replay)
send() {
	local d=$DOCS/$3.xml e=$SPOOL/inbound/.$3.p7m.tmp
	[ ! -e "$d" ] || fail "MessageId $3 used twice in this world (test bug)" || return 1
	doc "$2" "$3" "$1" "$4" >"$d"
	check_doc "$d" || return 1
	[ -d "$SPOOL/inbound" ] || mkdir -p "$SPOOL/inbound"
	sign "$(stem_of "$1")" "$d" "$e" || fail "openssl cms -sign failed for $3" || return 1
	mv -- "$e" "$SPOOL/inbound/$3.p7m"
}

# envelope_of NAME — the envelope NAME as the daemon kept it (archive/ or error/)
envelope_of() {
	local f
	f=$(archive_file "$1")
	[ -n "$f" ] || f=$(error_file "$1")
	echo "$f"
}

# run_at OFFSET — one `entrustd --once` pass with the clock moved by OFFSET seconds
run_at() {
	local rc
	TZ=UTC printf '=== %(%T)T entrustd --once ENTRUST_TIME_OFFSET=%s\n' -1 "${1:-0}" >>"$LOG"
	ENTRUST_TIME_OFFSET=${1:-0} timeout 30 "$ENTRUSTD" -c "$CONF" --once >>"$LOG" 2>&1
	rc=$?
	[ $rc -eq 0 ] || fail "entrustd --once (offset $1) exited $rc (see $LOG)"
}

# collect_fast LABEL — collect (run.sh) without a process per path operation
collect_fast() {
	local f code name dest
	[ -d "$RECV/$1" ] || mkdir -p "$RECV/$1"
	for f in "$SPOOL"/outbound/*/*; do
		[ -f "$f" ] || continue
		code=${f%/*} name=${f##*/}
		code=${code##*/}
		dest=$RECV/$1/$code
		if [ -e "$RECV/.seen/$code/$name" ]; then
			dest=$RECV/$1.resent/$code
			echo "$1: $code/$name" >>"$RECV/.resends"
		fi
		[ -d "$dest" ] || mkdir -p "$dest"
		[ -d "$RECV/.seen/$code" ] || mkdir -p "$RECV/.seen/$code"
		mv -- "$f" "$dest/" && : >"$RECV/.seen/$code/$name"
	done
}

# step LABEL [OFFSET] — a daemon pass, then take everything sent (recv/LABEL/) and check
# every file: it verifies (openssl cms -verify -CAfile ca.pem), is signed by the hub, is valid
# against xsd/entrust.xsd (the customs-format export of R27: xsd/customs/agent-agreement.xsd),
# and is addressed (Header/Receiver, TransferHead/ReceiverCode) to the folder it is in.
# Decoded copies go to out/LABEL/<code>/<name>.xml; out/LABEL/<code>/events lists
# "<name> <Event>" of the notices; $T/verified.list every file verified.
step() {
	local f code name x info receiver event customs xs=() cx=()
	run_at "${2:-}" || return 1
	collect_fast "$1"
	for f in "$RECV/$1"/*/*; do
		[ -f "$f" ] || continue
		code=${f%/*} name=${f##*/}
		code=${code##*/} name=${name%.p7m}
		[ -d "$OUT/$1/$code" ] || mkdir -p "$OUT/$1/$code"
		x=$OUT/$1/$code/$name.xml
		verify_sig "$f" "$x" || return 1
		receiver="" event="" customs=""
		while read -r info; do
			case $info in
			"<Receiver>"*) receiver=${info#*>} ;;
			"<ReceiverCode>"*) receiver=${info#*>} ;;
			"<Event>"*) event=${info#*>} ;;
			urn:*) customs=1 ;;
			esac
		done < <(grep -oE '<(Receiver|ReceiverCode|Event)>[^<]*|urn:entrust:customs:1' "$x")
		expect_eq "$receiver" "$code" "Header/Receiver of $code/$name" || return 1
		[ -n "$event" ] && echo "$name $event" >>"$OUT/$1/$code/events"
		if [ -n "$customs" ]; then cx+=("$x"); else xs+=("$x"); fi
		echo "$f" >>"$T/verified.list"
	done
	xsd_valid "$XSD/entrust.xsd" "${xs[@]}" && xsd_valid "$XSD/customs/agent-agreement.xsd" "${cx[@]}"
}

# verify_sig P7M XMLOUT — like verify_signed: openssl cms -verify -CAfile ca.pem, and the
# signer certificate is hub.pem (compared as PEM text: no process per file)
verify_sig() {
	local s=""
	[ -n "${HUB_PEM:-}" ] || IFS= read -r -d '' HUB_PEM <"$PKI/hub.pem"
	openssl cms -verify -CAfile "$PKI/ca.pem" -inform DER -binary -in "$1" -out "$2" \
		-signer "$2.signer.pem" >/dev/null 2>>"$T/openssl.log" ||
		fail "${1#$T/} does not verify with openssl cms -verify -CAfile ca.pem" || return 1
	IFS= read -r -d '' s <"$2.signer.pem"
	[ "$s" = "$HUB_PEM" ] || fail "${1#$T/} is not signed by hub.pem"
}

# xsd_valid XSD FILES... — every file is valid against XSD (one xmllint for all)
xsd_valid() {
	local xsd=$1
	shift
	[ $# -gt 0 ] || return 0
	xmllint --noout --nonet --schema "$xsd" "$@" 2>"$T/xsd.log" >/dev/null ||
		fail "not valid against ${xsd#$REPO/}: $(grep -v ' validates$' "$T/xsd.log" | head -1 | sed "s#$T/##")"
}

# say CODE ROOT MSGID BODY [OFFSET] — send one message, run the daemon, A = its decoded ack
say() {
	send "$1" "$2" "$3" "$4" || return 1
	step "$3" "${5:-}" || return 1
	LAST=$3
	A=$OUT/$3/$1/ACK_$3.xml
	[ -f "$A" ] && return 0
	# refused before judgement (wrong role for the message type, R1/R2): the ack is named
	# after the envelope, ACK_<ID>.p7m (the MessageId stays free, R25)
	for A in "$OUT/$3/$1"/ACK_E*.xml; do
		[ -f "$A" ] && [ "$(dx "$A" /Ack/InReplyTo/MessageId)" = "$3" ] && return 0
	done
	fail "no ACK_$3.p7m to $1 (sent: $(received "$3" | tr '\n' ' '))"
}

# ack_codes FILE — every Error/@code in an ack
ack_codes() {
	grep -o 'code="[^"]*"' "$1" 2>/dev/null | cut -d'"' -f2 | tr '\n' ' '
}

# ack_accepted — the last ack: Outcome accepted, no Error anywhere, envelope archived
ack_accepted() {
	local o
	o=$(dx "$A" "concat(/Ack/Outcome,'|',count(//Error))")
	[ "$o" = "accepted|0" ] || fail "$LAST: Outcome|Errors '$o', want accepted|0 (errors: $(ack_codes "$A"))" || return 1
	[ -n "$(archive_file "$LAST.p7m")" ] || fail "$LAST.p7m not in archive/"
}

# ack_refused CODE [RULE] — the last ack: Outcome refused, an Error CODE (with @rule RULE, Zh
# and En); the envelope is in error/ with a reason file whose code is CODE
ack_refused() {
	local e="(//Error[@code='$1'])[1]" oc has rule zhen
	IFS='|' read -r oc has rule zhen < <(dx "$A" \
		"concat(/Ack/Outcome,'|',count(//Error[@code='$1'])>0,'|',$e/@rule,'|',string-length($e/Zh)>0 and string-length($e/En)>0)")
	[ "$oc|$has" = "refused|true" ] ||
		fail "$LAST: Outcome '$oc', want refused with $1 (errors: $(ack_codes "$A"))" || return 1
	[ -z "${2:-}" ] || expect_eq "$rule" "$2" "$LAST: rule of $1" || return 1
	[ "$zhen" = true ] || fail "$LAST: Error $1 lacks Zh/En" || return 1
	expect_error "$LAST.p7m" "$1" "${2:-}"
}

# item_ok SEL STATUS — the ack item selected by SEL (an XPath predicate: "@ref='x'" or
# "Number='2026…'") has outcome accepted, Status STATUS and no Error
item_ok() {
	local i="/Ack/Agreement[$1]" o
	o=$(dx "$A" "concat(count($i),'|',$i/@outcome,'|',$i/Status,'|',count($i/Error))")
	[ "$o" = "1|accepted|$2|0" ] ||
		fail "$LAST: item [$1] count|outcome|Status|errors: '$o', want '1|accepted|$2|0' (errors: $(dvals "$A" "$i/Error/@code"))"
}

# item_bad SEL CODE [RULE] — the item is refused with an Error CODE (rule RULE)
item_bad() {
	local i="/Ack/Agreement[$1]" n oc has rule
	IFS='|' read -r n oc has rule < <(dx "$A" \
		"concat(count($i),'|',$i/@outcome,'|',count($i/Error[@code='$2'])>0,'|',($i/Error[@code='$2'])[1]/@rule)")
	[ "$n|$oc|$has" = "1|refused|true" ] ||
		fail "$LAST: item [$1] count|outcome|has $2: '$n|$oc|$has', want '1|refused|true' (errors: $(dvals "$A" "$i/Error/@code"))" || return 1
	[ -z "${3:-}" ] || expect_eq "$rule" "$3" "$LAST: rule of $2 in item [$1]"
}

# sel AGR — selector of the ack item about agreement AGR (by its Number, or by @ref when a
# refused item carries no Number)
sel() {
	echo "Number='$1' or @ref='$1'"
}

# num REF — Number of the ack item with @ref REF
num() {
	dx "$A" "/Ack/Agreement[@ref='$1']/Number"
}

# events_of LABEL CODE — the Events of the notices sent to CODE in step LABEL
events_of() {
	local name ev out=""
	if [ -f "$OUT/$1/$2/events" ]; then
		while read -r name ev; do out+="${out:+ }$ev"; done <"$OUT/$1/$2/events"
	fi
	echo "${out:-none}"
}

# count_notices LABEL CODE EVENT
count_notices() {
	local name ev n=0
	if [ -f "$OUT/$1/$2/events" ]; then
		while read -r name ev; do [ "$ev" = "$3" ] && n=$((n + 1)); done <"$OUT/$1/$2/events"
	fi
	echo $n
}

# notice LABEL CODE EVENT [FROM] — N = the one notice EVENT sent to CODE in step LABEL
notice() {
	local name ev n=0
	N=""
	if [ -f "$OUT/$1/$2/events" ]; then
		while read -r name ev; do
			[ "$ev" = "$3" ] && n=$((n + 1)) && N=$OUT/$1/$2/$name.xml
		done <"$OUT/$1/$2/events"
	fi
	[ -n "$N" ] || fail "$1: no '$3' notice to $2 (R26; notices to $2: $(events_of "$1" "$2"))" || return 1
	expect_eq "$n" 1 "$1: number of '$3' notices to $2" || return 1
	[ -z "${4:-}" ] || expect_eq "$(dx "$N" /Notice/From)" "$4" "$1: From of the '$3' notice to $2"
}

# notice_agr AGR STATUS — the notice N names agreement AGR with STATUS
notice_agr() {
	expect_eq "$(dx "$N" "/Notice/Agreement[Number='$1']/Status")" "$2" \
		"status of $1 in the '$(dx "$N" /Notice/Event)' notice"
}

# notice_lacks AGR — the notice N does not name agreement AGR
notice_lacks() {
	expect_eq "$(dn "$N" "/Notice/Agreement[Number='$1']")" 0 \
		"agreement $1 in the '$(dx "$N" /Notice/Event)' notice"
}

# no_notice LABEL CODE EVENT — no notice EVENT went to CODE in step LABEL
no_notice() {
	expect_eq "$(count_notices "$1" "$2" "$3")" 0 "$1: '$3' notices to $2"
}

# st AGR — status of an agreement through entrustctl
st() {
	local j
	j=$(ctl show agreement "$1" --json)
	[[ $j =~ \"status\"[[:space:]]*:[[:space:]]*([0-9]+) ]] && echo "${BASH_REMATCH[1]}"
}

# expect_st AGR=STATUS... — the store's statuses (entrustctl show agreement --json)
expect_st() {
	local p a w
	for p in "$@"; do
		a=${p%%=*}
		w=${p#*=}
		expect_eq "$(st "$a")" "$w" "status of agreement $a (entrustctl)" || return 1
	done
}

# letter_field LETTER KEY — a field of entrustctl show letter --json
letter_field() {
	local j re a n=()
	j=$(ctl show letter "$1" --json)
	if [ "$2" = 'agreements|length' ]; then
		re='"agreements"[[:space:]]*:[[:space:]]*\[([^]]*)\]'
		[[ $j =~ $re ]] || return 0
		a=${BASH_REMATCH[1]//[[:space:]]/}
		[ -n "$a" ] && IFS=, read -ra n <<<"$a"
		echo "${#n[@]}"
	else
		re="\"$2\"[[:space:]]*:[[:space:]]*\"?([^\",}]*)"
		[[ $j =~ $re ]] && echo "${BASH_REMATCH[1]}"
	fi
}

# query CODE BODY [OFFSET] — a Query; A = its accepted ack with the Result
query() {
	QN=$((QN + 1))
	say "$1" Query "Q$QN-$(stem_of "$1")" "$2" "${3:-}" || return 1
	ack_accepted
}

# expect_account CODE "PURCHASED USED INUSE AVAILABLE" [OFFSET] — AccountQuery answer (R24)
expect_account() {
	query "$1" "  <AccountQuery/>" "${3:-}" || return 1
	local r=/Ack/Result/Account
	expect_eq "$(dx "$A" "concat($r/Purchased,' ',$r/Used,' ',$r/InUse,' ',$r/Available)")" \
		"$2" "account of $1 (purchased used in-use available)"
}

# result_numbers — the agreement numbers of the last Result, in order
result_numbers() {
	dvals "$A" /Ack/Result/Agreement/Number
}

# sorted WORDS... — the words sorted, space-separated
sorted() {
	printf '%s\n' "$@" | grep . | sort | tr '\n' ' ' | sed 's/ $//'
}

# ---------------------------------------------------------------------------------------
# worlds and the party bootstrap

# bootstrap [noreg] [notopup] — R4/R20 groundwork in the current world: the demo broker
# registers and the association approves it (R5: a broker must be approved before it can be
# asked or act); the operator tops up 100 units for both consignors and the broker (R19)
bootstrap() {
	local opts=" $* " code n=0
	case $opts in *" noreg "*) ;; *)
		send "$BR" BrokerRegistration BOOT-REG "$(reg_body 2)" || return 1
		n=1
		;;
	esac
	case $opts in *" notopup "*) ;; *)
		for code in "$C1" "$C2" "$BR"; do
			send "$OP" TopUp "BOOT-TOPUP-$code" \
				"  <Enterprise>$code</Enterprise><Units>100</Units><Reference>BOOT-$code</Reference>" || return 1
		done
		n=1
		;;
	esac
	[ $n = 1 ] || return 0
	step boot1 || return 1
	for A in "$OUT"/boot1/*/ACK_*.xml; do
		LAST=$(basename "$A" .xml)
		LAST=${LAST#ACK_}
		ack_accepted || return 1
	done
	case $opts in *" noreg "*) return 0 ;; esac
	say "$AS" RegistrationDecision BOOT-DECISION \
		"  <Broker>$BR</Broker><Decision>approve</Decision><Remark>准予登记</Remark>" || return 1
	ack_accepted
}

# setup_parties — run.sh's setup step for its own world
setup_parties() {
	bootstrap || return 1
	notice BOOT-DECISION "$BR" registration-approved "$AS"
}

# world NAME [noreg] [notopup] — switch to a fresh world (own spool, store, configuration,
# received files) and bootstrap it
world() {
	local w=$T/w/$1
	shift
	SPOOL=$w/spool STORE=$w/store CONF=$w/entrustd.conf RECV=$w/recv OUT=$w/out DOCS=$w/docs
	mkdir -p "$RECV" "$OUT" "$DOCS" "$SPOOL/inbound"
	cat >"$CONF" <<EOF
# entrust e2e test configuration for one world (written by tests/e2e/domain.sh)
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
	bootstrap "$@" || fail "world bootstrap: $FAILMSG"
}

# confirmed_letter TAG N [MONTHS] — the consignor asks the broker for a new letter with N
# consignor-paid agreements (bills TAGBILL1..N), the broker accepts them all (R9, R10):
# L = the letter, AG[1..N] = its agreements, all in status 1
confirmed_letter() {
	local tag=$1 n=$2 i body decs=""
	body=$(letter_xml "$C1" "$BR" new "${3:-6}" false)
	for ((i = 1; i <= n; i++)); do body+=$'\n'$(agr "$i" consignor 0 "${tag}BILL$i"); done
	say "$C1" EntrustRequest "$tag-REQ" "$body" || return 1
	ack_accepted || return 1
	L=$(dx "$A" /Ack/Letter/Number)
	AG=()
	for ((i = 1; i <= n; i++)); do
		AG[$i]=$(num "$i")
		decs+=$(decision "${AG[$i]}" true bh)$'\n'
	done
	say "$BR" EntrustConfirm "$tag-CONF" "  <Letter>$L</Letter>
$decs" || return 1
	ack_accepted || return 1
	for ((i = 1; i <= n; i++)); do item_ok "$(sel "${AG[$i]}")" 1 || return 1; done
}

# receipt MSGID ITEMS... — customs sends one CustomsReceipt
receipt() {
	local id=$1
	shift
	say "$CU" CustomsReceipt "$id" "$(printf '%s\n' "$@")"
}

# ---------------------------------------------------------------------------------------
# R9/R10/R19/R26: consignor-initiated letter, confirmed by the broker

test_R9_R10_R19_R26_consignor_request_confirmed_by_broker() {
	local a
	world confirm || return 1
	say "$C1" EntrustRequest CF-REQ "$(letter_xml "$C1" "$BR" new 6 false)
$(agr 1 consignor 0 CFBILL1)" || return 1
	ack_accepted || return 1
	is_true "$(dx "$A" /Ack/Letter/Created)" || fail "Letter/Created is not true" || return 1
	CF_L=$(dx "$A" /Ack/Letter/Number)
	a=$(num 1)
	CF_A=$a
	item_ok "@ref='1'" 0 || return 1
	notice CF-REQ "$BR" request-waiting "$C1" || return 1
	notice_agr "$a" 0 || return 1
	expect_account "$C1" "100 0 0 100" || return 1

	# R9: the broker accepting a consignor's agreement must fill the right half
	say "$BR" EntrustConfirm CF-NOBH "  <Letter>$CF_L</Letter>
$(decision "$a" true)" || return 1
	ack_refused BROKER_HALF_REQUIRED R9 || return 1
	expect_eq "$(received CF-NOBH | tr '\n' ' ')" "$BR/ACK_CF-NOBH.p7m " "files sent for a refused confirmation" || return 1
	expect_st "$a=0" || return 1

	say "$BR" EntrustConfirm CF-CONF "  <Letter>$CF_L</Letter>
$(decision "$a" true bh)" || return 1
	ack_accepted || return 1
	item_ok "$(sel "$a")" 1 || return 1
	[ -z "$(dx "$A" /Ack/Letter/Status)" ] || expect_eq "$(dx "$A" /Ack/Letter/Status)" confirmed "Ack Letter/Status" || return 1
	notice CF-CONF "$C1" confirmed "$BR" || return 1
	notice_agr "$a" 1 || return 1
	no_notice CF-CONF "$BR" confirmed || return 1
	expect_st "$a=1" || return 1
	expect_eq "$(letter_field "$CF_L" status)" confirmed "letter status (entrustctl)" || return 1
	# R18/R19: reaching 1 reserves one unit of the payer (the consignor), not of the broker
	expect_account "$C1" "100 0 1 99" || return 1
	expect_account "$BR" "100 0 0 100"
}

# R27: an agreement reaching 1 sends its formatted data to customs, signed by the hub
test_R27_confirmed_agreement_data_sent_to_customs() {
	local f found=""
	[ -n "${CF_A:-}" ] || fail "needs the confirmed agreement of the R9/R10 story" || return 1
	for f in "$OUT/CF-CONF/$CU"/*.xml; do
		[ -f "$f" ] && grep -q "$CF_A" "$f" && found=$f
	done
	[ -n "$found" ] || fail "nothing was sent to customs $CU (outbound/$CU/) when $CF_A reached 1 (sent: $(received CF-CONF | tr '\n' ' '))" || return 1
	grep -q 10000001 "$found" || fail "the data sent to customs lacks document type 10000001"
}

# ---------------------------------------------------------------------------------------
# R14: auto-confirm

test_R14_R26_auto_confirm_broker_paid_appends_only() {
	local a0 p b c
	world auto || return 1
	say "$BR" EntrustRequest AU-REQ "$(letter_xml "$C1" "$BR" new 6 true)
$(agr 1 broker 1 AUBILL1)" || return 1
	ack_accepted || return 1
	AU_L=$(dx "$A" /Ack/Letter/Number)
	a0=$(num 1)
	item_ok "@ref='1'" 0 || return 1
	notice AU-REQ "$C1" request-waiting "$BR" || return 1
	expect_eq "$(letter_field "$AU_L" auto_confirm)" true "letter auto_confirm (proposed by the initiator)" || return 1

	# the proposal takes effect only when the letter is confirmed
	say "$BR" EntrustRequest AU-APP0 "$(letter_xml "$C1" "$BR" append)
$(agr p broker 1 AUBILLP)" || return 1
	ack_accepted || return 1
	p=$(num p)
	item_ok "@ref='p'" 0 || return 1
	no_notice AU-APP0 "$C1" auto-confirmed || return 1

	say "$C1" EntrustConfirm AU-CONF "  <Letter>$AU_L</Letter>
$(decision "$a0" true)" || return 1
	ack_accepted || return 1
	item_ok "$(sel "$a0")" 1 || return 1
	notice AU-CONF "$BR" confirmed "$C1" || return 1
	notice_agr "$a0" 1 || return 1

	say "$BR" EntrustRequest AU-APP1 "$(letter_xml "$C1" "$BR" append)
$(agr b broker 1 AUBILL2)
$(agr c consignor 1 AUBILL3)" || return 1
	ack_accepted || return 1
	is_false "$(dx "$A" /Ack/Letter/Created)" || fail "AU-APP1: Letter/Created is not false" || return 1
	expect_eq "$(dx "$A" /Ack/Letter/Number)" "$AU_L" "AU-APP1: Letter/Number" || return 1
	b=$(num b)
	c=$(num c)
	item_ok "@ref='b'" 1 || return 1
	item_ok "@ref='c'" 0 || return 1
	notice AU-APP1 "$C1" auto-confirmed "$BR" || return 1
	notice_agr "$b" 1 || return 1
	notice_lacks "$c" || return 1
	notice AU-APP1 "$C1" request-waiting "$BR" || return 1
	notice_agr "$c" 0 || return 1
	notice_lacks "$b" || return 1
	expect_st "$a0=1" "$p=0" "$b=1" "$c=0" || return 1
	# the broker pays for a0 and b: two reservations (R19)
	expect_account "$BR" "100 0 2 98" || return 1
	expect_account "$C1" "100 0 0 100"
}

test_R14_consignor_initiated_append_waits_for_broker() {
	[ -n "${AU_L:-}" ] || fail "needs the auto-confirm letter" || return 1
	say "$C1" EntrustRequest AU-APPC "$(letter_xml "$C1" "$BR" append)
$(agr k broker 0 AUBILLK)" || return 1
	ack_accepted || return 1
	item_ok "@ref='k'" 0 || return 1
	notice AU-APPC "$BR" request-waiting "$C1" || return 1
	no_notice AU-APPC "$BR" auto-confirmed
}

test_R14_auto_confirm_setting_by_broker_refused() {
	[ -n "${AU_L:-}" ] || fail "needs the auto-confirm letter" || return 1
	say "$BR" AutoConfirmSetting AU-SET-BR "  <Letter>$AU_L</Letter><Enabled>false</Enabled>" || return 1
	ack_refused AUTO_CONFIRM_CONSIGNOR_ONLY R14 || return 1
	expect_eq "$(letter_field "$AU_L" auto_confirm)" true "letter auto_confirm after the broker's try"
}

test_R14_auto_confirm_off_by_consignor_then_on() {
	local d e
	[ -n "${AU_L:-}" ] || fail "needs the auto-confirm letter" || return 1
	say "$C1" AutoConfirmSetting AU-SET-OFF "  <Letter>$AU_L</Letter><Enabled>false</Enabled>" || return 1
	ack_accepted || return 1
	expect_eq "$(letter_field "$AU_L" auto_confirm)" false "letter auto_confirm after the consignor turned it off" || return 1
	say "$BR" EntrustRequest AU-APP2 "$(letter_xml "$C1" "$BR" append)
$(agr d broker 1 AUBILL4)" || return 1
	ack_accepted || return 1
	d=$(num d)
	item_ok "@ref='d'" 0 || return 1
	notice AU-APP2 "$C1" request-waiting "$BR" || return 1
	no_notice AU-APP2 "$C1" auto-confirmed || return 1
	# on again: effective at once, no broker consent
	say "$C1" AutoConfirmSetting AU-SET-ON "  <Letter>$AU_L</Letter><Enabled>true</Enabled>" || return 1
	ack_accepted || return 1
	say "$BR" EntrustRequest AU-APP3 "$(letter_xml "$C1" "$BR" append)
$(agr e broker 1 AUBILL5)" || return 1
	ack_accepted || return 1
	e=$(num e)
	item_ok "@ref='e'" 1 || return 1
	notice AU-APP3 "$C1" auto-confirmed "$BR" || return 1
	expect_st "$d=0" "$e=1"
}

# ---------------------------------------------------------------------------------------
# R10: rejection

test_R10_R26_rejecting_all_agreements_rejects_new_letter() {
	local l a1 a2
	world reject || return 1
	say "$C1" EntrustRequest RJ-REQ "$(letter_xml "$C1" "$BR" new 6 false)
$(agr 1 consignor 0 RJBILL1)
$(agr 2 consignor 0 RJBILL2)" || return 1
	ack_accepted || return 1
	l=$(dx "$A" /Ack/Letter/Number)
	a1=$(num 1)
	a2=$(num 2)
	say "$BR" EntrustConfirm RJ-CONF "  <Letter>$l</Letter>
$(decision "$a1" false)
$(decision "$a2" false)" || return 1
	ack_accepted || return 1
	item_ok "$(sel "$a1")" 3 || return 1
	item_ok "$(sel "$a2")" 3 || return 1
	[ -z "$(dx "$A" /Ack/Letter/Status)" ] || expect_eq "$(dx "$A" /Ack/Letter/Status)" rejected "Ack Letter/Status" || return 1
	expect_st "$a1=3" "$a2=3" || return 1
	expect_eq "$(letter_field "$l" status)" rejected "letter status (entrustctl)" || return 1
	notice RJ-CONF "$C1" rejected "$BR" || return 1
	notice_agr "$a1" 3 || return 1
	notice_agr "$a2" 3 || return 1
	# the pair has no live letter any more: a new request creates a new one (R8)
	say "$C1" EntrustRequest RJ-REQ2 "$(letter_xml "$C1" "$BR" new 6 false)
$(agr 3 consignor 0 RJBILL3)
$(agr 4 consignor 0 RJBILL4)" || return 1
	ack_accepted || return 1
	is_true "$(dx "$A" /Ack/Letter/Created)" || fail "RJ-REQ2: Letter/Created is not true" || return 1
	RJ_L2=$(dx "$A" /Ack/Letter/Number)
	RJ_A3=$(num 3)
	RJ_A4=$(num 4)
	[ -n "$RJ_L2" ] && [ "$RJ_L2" != "$l" ] || fail "RJ-REQ2: letter number '$RJ_L2', want a new one (not $l)"
}

test_R10_accepting_one_confirms_letter_appends_one_by_one() {
	local a5
	[ -n "${RJ_L2:-}" ] || fail "needs the second letter of the R10 story" || return 1
	say "$BR" EntrustConfirm RJ-CONF2 "  <Letter>$RJ_L2</Letter>
$(decision "$RJ_A3" true bh)
$(decision "$RJ_A4" false)" || return 1
	ack_accepted || return 1
	item_ok "$(sel "$RJ_A3")" 1 || return 1
	item_ok "$(sel "$RJ_A4")" 3 || return 1
	expect_eq "$(letter_field "$RJ_L2" status)" confirmed "letter status" || return 1
	notice RJ-CONF2 "$C1" confirmed "$BR" || return 1
	notice_agr "$RJ_A3" 1 || return 1
	notice RJ-CONF2 "$C1" rejected "$BR" || return 1
	notice_agr "$RJ_A4" 3 || return 1
	# an appended agreement rejected alone leaves the confirmed letter as it is
	say "$C1" EntrustRequest RJ-APP "$(letter_xml "$C1" "$BR" append)
$(agr 5 consignor 0 RJBILL5)" || return 1
	ack_accepted || return 1
	expect_eq "$(dx "$A" /Ack/Letter/Number)" "$RJ_L2" "RJ-APP: Letter/Number" || return 1
	a5=$(num 5)
	say "$BR" EntrustConfirm RJ-CONF3 "  <Letter>$RJ_L2</Letter>
$(decision "$a5" false)" || return 1
	ack_accepted || return 1
	item_ok "$(sel "$a5")" 3 || return 1
	expect_st "$RJ_A3=1" "$a5=3" || return 1
	expect_eq "$(letter_field "$RJ_L2" status)" confirmed "letter status after rejecting an append"
}

# ---------------------------------------------------------------------------------------
# R8: one live letter per pair; terms fixed on append

test_R8_append_to_live_letter_created_false() {
	local l
	world append || return 1
	say "$C1" EntrustRequest AP-REQ "$(letter_xml "$C1" "$BR" new 6 false)
$(agr 1 consignor 0 APBILL1)" || return 1
	ack_accepted || return 1
	l=$(dx "$A" /Ack/Letter/Number)
	AP_L=$l
	say "$C1" EntrustRequest AP-APP1 "$(letter_xml "$C1" "$BR" append)
$(agr 2 consignor 0 APBILL2)" || return 1
	ack_accepted || return 1
	is_false "$(dx "$A" /Ack/Letter/Created)" || fail "AP-APP1: Letter/Created is not false" || return 1
	expect_eq "$(dx "$A" /Ack/Letter/Number)" "$l" "AP-APP1: Letter/Number" || return 1
	item_ok "@ref='2'" 0 || return 1
	notice AP-APP1 "$BR" request-waiting "$C1" || return 1
	# the broker appending to the same pair's live letter lands on the same letter
	say "$BR" EntrustRequest AP-APP2 "$(letter_xml "$C1" "$BR" append)
$(agr 3 broker 1 APBILL3)" || return 1
	ack_accepted || return 1
	is_false "$(dx "$A" /Ack/Letter/Created)" || fail "AP-APP2: Letter/Created is not false" || return 1
	expect_eq "$(dx "$A" /Ack/Letter/Number)" "$l" "AP-APP2: Letter/Number" || return 1
	notice AP-APP2 "$C1" request-waiting "$BR" || return 1
	# an append repeating the letter's own terms is fine
	say "$C1" EntrustRequest AP-APP3 "$(letter_xml "$C1" "$BR" append 6 false)
$(agr 4 consignor 0 APBILL4)" || return 1
	ack_accepted || return 1
	expect_eq "$(dx "$A" /Ack/Letter/Number)" "$l" "AP-APP3: Letter/Number" || return 1
	expect_eq "$(letter_field "$l" 'agreements|length')" 4 "agreements on the letter"
}

test_R8_letter_terms_fixed() {
	[ -n "${AP_L:-}" ] || fail "needs the live letter of the R8 story" || return 1
	say "$C1" EntrustRequest AP-FIX1 "$(letter_xml "$C1" "$BR" append 12)
$(agr 5 consignor 0 APBILL5)" || return 1
	ack_refused LETTER_TERMS_FIXED R8 || return 1
	expect_eq "$(dn "$A" /Ack/Agreement)" 0 "agreements in the refusal" || return 1
	say "$C1" EntrustRequest AP-FIX2 "$(letter_xml "$C1" "$BR" append "" true)
$(agr 6 consignor 0 APBILL6)" || return 1
	ack_refused LETTER_TERMS_FIXED R8 || return 1
	expect_eq "$(letter_field "$AP_L" 'agreements|length')" 4 "agreements on the letter after refused appends" || return 1
	expect_eq "$(letter_field "$AP_L" validity_months)" 6 "letter validity" || return 1
	expect_eq "$(letter_field "$AP_L" auto_confirm)" false "letter auto_confirm"
}

# ---------------------------------------------------------------------------------------
# R13/R15: customs receipts in a batch

test_R13_R15_R26_customs_batch_partial() {
	local a1 a2 a3 d
	world customs || return 1
	confirmed_letter CU 3 || return 1
	a1=${AG[1]} a2=${AG[2]} a3=${AG[3]}
	receipt CU-R1 "$(item r1 "$a1" data-received)" "$(item r2 "$a2" data-received)" || return 1
	ack_accepted || return 1
	item_ok "@ref='r1'" 2 || return 1
	item_ok "@ref='r2'" 2 || return 1
	# customs' return time (yyyyMMddHHmmssSSS, China time): g1's is kept in the audit trail;
	# m1's month 13 refuses m1 alone (a2 would otherwise go 2 -> 4)
	receipt CU-R2 \
		"$(item g1 "$a1" declaration-filed CUBILL1 | sed 's#</Item>#<ReturnTime>20261203150000123</ReturnTime></Item>#')" \
		"$(item u1 20269999999999 data-received)" \
		"$(item b1 "$a2" declaration-filed WRONGBILL9)" \
		"$(item n1 "$a2" declaration-filed)" \
		"$(item t1 "$a3" declaration-concluded CUBILL3)" \
		"$(item g2 "$a3" data-received)" \
		"$(item m1 "$a2" declaration-filed CUBILL2 | sed 's#</Item>#<ReturnTime>20261301120000000</ReturnTime></Item>#')" || return 1
	expect_eq "$(dx "$A" /Ack/Outcome)" partial "CU-R2: Outcome (errors: $(ack_codes "$A"))" || return 1
	expect_eq "$(dn "$A" /Ack/Agreement)" 7 "CU-R2: one ack item per receipt item" || return 1
	item_bad "@ref='m1'" RETURN_TIME_INVALID || return 1
	expect_eq "$(dx "$A" "/Ack/Agreement[@ref='m1']/Error/@path")" "/CustomsReceipt/Item[7]/ReturnTime" "CU-R2: path of RETURN_TIME_INVALID" || return 1
	ctl trace "$a1" | grep -q "customs=declaration-filed return_time=20261203150000123" ||
		fail "CU-R2: entrustctl trace $a1 does not show the ReturnTime" || return 1
	item_ok "@ref='g1'" 4 || return 1
	item_ok "@ref='g2'" 2 || return 1
	item_bad "@ref='u1'" AGREEMENT_UNKNOWN || return 1
	item_bad "@ref='b1'" BILL_OF_LADING_MISMATCH R15 || return 1
	item_bad "@ref='n1'" BILL_OF_LADING_MISMATCH R15 || return 1
	item_bad "@ref='t1'" STATUS_TRANSITION R13 || return 1
	# R13: refused "with the current and the requested status"
	d=$(dx "$A" "/Ack/Agreement[@ref='t1']/Error/Detail")
	[[ $d =~ (^|[^0-9])1([^0-9]|$) && $d =~ (^|[^0-9])5([^0-9]|$) ]] ||
		fail "CU-R2: the STATUS_TRANSITION detail does not give current 1 and requested 5: '$d'" || return 1
	[ -n "$(archive_file CU-R2.p7m)" ] || fail "a partial batch is not in archive/" || return 1
	[ -z "$(error_file CU-R2.p7m)" ] || fail "a partial batch is in error/" || return 1
	expect_st "$a1=4" "$a2=2" "$a3=2" || return 1
	notice CU-R2 "$C1" customs-update "$CU" || return 1
	notice_agr "$a1" 4 || return 1
	notice_agr "$a3" 2 || return 1
	notice_lacks "$a2" || return 1
	notice CU-R2 "$BR" customs-update "$CU" || return 1
	notice_agr "$a1" 4
}

test_R13_customs_batch_all_bad_refused() {
	[ -n "${AG[1]:-}" ] || fail "needs the customs story" || return 1
	receipt CU-R3 "$(item x1 20269999999998 data-received)" "$(item x2 "${AG[2]}" declaration-concluded CUBILL2)" || return 1
	ack_refused AGREEMENT_UNKNOWN || return 1
	item_bad "@ref='x2'" STATUS_TRANSITION R13 || return 1
	expect_st "${AG[2]}=2"
}

# ---------------------------------------------------------------------------------------
# R15/R18: a returned declaration makes the agreement usable again

test_R15_R18_declaration_returned_then_reused() {
	local a ev want i=0
	world reuse || return 1
	confirmed_letter RU 1 || return 1
	a=${AG[1]}
	expect_account "$C1" "100 0 1 99" || return 1
	for ev in data-received:2 declaration-filed:4 declaration-returned:2 declaration-filed:4; do
		i=$((i + 1))
		want=${ev#*:}
		ev=${ev%:*}
		receipt "RU-R$i" "$(item i$i "$a" "$ev" RUBILL1)" || return 1
		ack_accepted || return 1
		item_ok "@ref='i$i'" "$want" || return 1
		notice "RU-R$i" "$C1" customs-update "$CU" || return 1
		notice_agr "$a" "$want" || return 1
		notice "RU-R$i" "$BR" customs-update "$CU" || return 1
	done
	expect_account "$C1" "100 0 1 99" || return 1
	receipt RU-R5 "$(item i5 "$a" declaration-concluded RUBILL1)" || return 1
	ack_accepted || return 1
	item_ok "@ref='i5'" 5 || return 1
	expect_st "$a=5" || return 1
	# R18: used +1, in use -1
	expect_account "$C1" "100 1 0 99" || return 1
	expect_account "$BR" "100 0 0 100"
}

# ---------------------------------------------------------------------------------------
# R16: revocation

test_R16_revocation_asked_by_broker_forbidden() {
	world revoke || return 1
	confirmed_letter RV 3 || return 1
	RV_A=("" "${AG[1]}" "${AG[2]}" "${AG[3]}")
	receipt RV-R1 "$(item 1 "${AG[1]}" data-received)" "$(item 2 "${AG[2]}" data-received)" \
		"$(item 3 "${AG[3]}" data-received)" || return 1
	ack_accepted || return 1
	say "$BR" RevocationRequest RV-BR "  <Agreement>${AG[1]}</Agreement>" || return 1
	ack_refused REVOKE_FORBIDDEN R16 || return 1
	expect_st "${AG[1]}=2"
}

test_R16_R26_revocation_agreed_and_refused_by_broker() {
	local a1=${RV_A[1]:-} a2=${RV_A[2]:-} a3=${RV_A[3]:-}
	[ -n "$a1" ] || fail "needs the revocation story" || return 1
	expect_account "$C1" "100 0 3 97" || return 1
	say "$C1" RevocationRequest RV-ASK "  <Agreement>$a1</Agreement>
  <Agreement>$a2</Agreement>
  <Agreement>$a3</Agreement>
  <Remark>合同取消</Remark>" || return 1
	ack_accepted || return 1
	item_ok "$(sel "$a1")" 7 || return 1
	item_ok "$(sel "$a2")" 7 || return 1
	item_ok "$(sel "$a3")" 7 || return 1
	notice RV-ASK "$BR" revocation-asked "$C1" || return 1
	notice_agr "$a1" 7 || return 1
	notice_agr "$a3" 7 || return 1
	# only the broker answers
	say "$C1" RevocationAnswer RV-ANS-C1 "$(answer "$a1" true)" || return 1
	ack_refused REVOKE_FORBIDDEN R16 || return 1
	say "$BR" RevocationAnswer RV-ANS "$(answer "$a1" true)
$(answer "$a2" false)
$(answer "$a3" true)" || return 1
	ack_accepted || return 1
	item_ok "$(sel "$a1")" 8 || return 1
	item_ok "$(sel "$a2")" 2 || return 1
	item_ok "$(sel "$a3")" 8 || return 1
	notice RV-ANS "$C1" revocation-confirmed "$BR" || return 1
	notice_agr "$a1" 8 || return 1
	notice_agr "$a3" 8 || return 1
	notice_lacks "$a2" || return 1
	notice RV-ANS "$C1" revocation-refused "$BR" || return 1
	notice_agr "$a2" 2 || return 1
	expect_st "$a1=8" "$a2=2" "$a3=8" || return 1
	# 8 still holds the reservation
	expect_account "$C1" "100 0 3 97"
}

# R27: an agreement reaching 8 goes to customs again (the revocation to act on)
test_R27_revocation_confirmed_sent_to_customs() {
	local a f n=0
	[ -n "${RV_A[1]:-}" ] || fail "needs the revocation story" || return 1
	for a in "${RV_A[1]}" "${RV_A[3]}"; do
		for f in "$OUT/RV-ANS/$CU"/*.xml; do
			[ -f "$f" ] && grep -q "$a" "$f" && n=$((n + 1)) && break
		done
	done
	expect_eq "$n" 2 "agreements in 8 whose data went to customs $CU (sent: $(received RV-ANS | tr '\n' ' '))" || return 1
	! grep -lq "${RV_A[2]}" "$OUT/RV-ANS/$CU"/*.xml 2>/dev/null || fail "the agreement whose revocation was refused (2) went to customs"
}

test_R16_R18_customs_revocation_accepted_releases_unit() {
	local a1=${RV_A[1]:-} a3=${RV_A[3]:-}
	[ -n "$a1" ] || fail "needs the revocation story" || return 1
	receipt RV-R2 "$(item ok "$a1" revocation-accepted)" "$(item no "$a3" revocation-refused)" || return 1
	ack_accepted || return 1
	item_ok "@ref='ok'" 9 || return 1
	item_ok "@ref='no'" 11 || return 1
	notice RV-R2 "$C1" customs-update "$CU" || return 1
	notice_agr "$a1" 9 || return 1
	notice RV-R2 "$BR" customs-update "$CU" || return 1
	expect_st "$a1=9" "$a3=11" || return 1
	# 9 releases the unit; 11 keeps it (usable, as in 2)
	expect_account "$C1" "100 0 2 98"
}

test_R13_R16_revocation_refused_by_customs_usable_again() {
	local a3=${RV_A[3]:-}
	[ -n "$a3" ] || fail "needs the revocation story" || return 1
	receipt RV-R3 "$(item f "$a3" declaration-filed RVBILL3)" || return 1
	ack_accepted || return 1
	item_ok "@ref='f'" 4 || return 1
	# R16: only status 2 can be revoked
	say "$C1" RevocationRequest RV-REQ2 "  <Agreement>$a3</Agreement>" || return 1
	ack_refused STATUS_TRANSITION R13 || return 1
	expect_st "$a3=4"
}

# ---------------------------------------------------------------------------------------
# R11: letter expiry

# a 3-month letter whose agreements stand in 5 (x), 2 (y), 4 (v), 0 (z), 1 (u), 7 (s) and 8 (r)
test_R11_R18_R26_letter_expiry_keeps_status_5() {
	local x y v z u s r l off=$((100 * DAY))
	world expiry || return 1
	say "$C1" EntrustRequest EX-REQ "$(letter_xml "$C1" "$BR" new 3 false)
$(agr x consignor 0 EXBILLX)
$(agr y consignor 0 EXBILLY)
$(agr v consignor 0 EXBILLV)
$(agr z consignor 0 EXBILLZ)
$(agr u consignor 0 EXBILLU)
$(agr s consignor 0 EXBILLS)
$(agr r consignor 0 EXBILLR)" || return 1
	ack_accepted || return 1
	l=$(dx "$A" /Ack/Letter/Number)
	EX_L=$l
	x=$(num x) y=$(num y) v=$(num v) z=$(num z) u=$(num u) s=$(num s) r=$(num r)
	EX_V=$v EX_R=$r
	say "$BR" EntrustConfirm EX-CONF "  <Letter>$l</Letter>
$(decision "$x" true bh)
$(decision "$y" true bh)
$(decision "$v" true bh)
$(decision "$u" true bh)
$(decision "$s" true bh)
$(decision "$r" true bh)" || return 1
	ack_accepted || return 1
	receipt EX-R1 "$(item 1 "$x" data-received)" "$(item 2 "$y" data-received)" "$(item 3 "$v" data-received)" \
		"$(item 4 "$s" data-received)" "$(item 5 "$r" data-received)" || return 1
	ack_accepted || return 1
	receipt EX-R2 "$(item 1 "$x" declaration-filed EXBILLX)" "$(item 2 "$v" declaration-filed EXBILLV)" || return 1
	ack_accepted || return 1
	receipt EX-R3 "$(item 1 "$x" declaration-concluded EXBILLX)" || return 1
	ack_accepted || return 1
	say "$C1" RevocationRequest EX-REV "  <Agreement>$s</Agreement>
  <Agreement>$r</Agreement>" || return 1
	ack_accepted || return 1
	say "$BR" RevocationAnswer EX-REVANS "$(answer "$r" true)" || return 1
	ack_accepted || return 1
	expect_st "$x=5" "$y=2" "$v=4" "$z=0" "$u=1" "$s=7" "$r=8" || return 1
	expect_account "$C1" "100 1 5 94" || return 1

	# ~100 days later: the 3-month letter has expired
	step EX-EXPIRE "$off" || return 1
	# 0, 1, 2, 7 → 6; 5 kept; 4 and 8 wait for customs
	expect_st "$x=5" "$y=6" "$z=6" "$u=6" "$s=6" "$v=4" "$r=8" || return 1
	expect_eq "$(letter_field "$l" status)" expired "letter status (entrustctl)" || return 1
	notice EX-EXPIRE "$C1" expired || return 1
	expect_eq "$(dx "$N" /Notice/Letter)" "$l" "Letter of the expired notice" || return 1
	notice_agr "$y" 6 || return 1
	notice_agr "$z" 6 || return 1
	notice_agr "$u" 6 || return 1
	notice_agr "$s" 6 || return 1
	notice_lacks "$x" || return 1
	notice_lacks "$v" || return 1
	notice_lacks "$r" || return 1
	notice EX-EXPIRE "$BR" expired || return 1
	notice_agr "$y" 6 || return 1
	notice_agr "$z" 6 || return 1
	# y, u, s release their units; v (4) and r (8) keep theirs; x stays used
	expect_account "$C1" "100 1 2 97" "$off" || return 1
	# a second pass does not expire it again
	step EX-EXPIRE2 "$off" || return 1
	no_notice EX-EXPIRE2 "$C1" expired
}

# R11: after expiry customs still decides 4 and 8, but "back to usable" becomes 6
test_R11_declaration_returned_after_expiry_becomes_6() {
	local off=$((100 * DAY))
	[ -n "${EX_V:-}" ] || fail "needs the expiry story" || return 1
	receipt EX-R4 "$(item 1 "$EX_V" declaration-returned EXBILLV)" || return 1
	ack_accepted || return 1
	item_ok "@ref='1'" 6 || return 1
	expect_st "$EX_V=6" || return 1
	expect_account "$C1" "100 1 1 98" "$off"
}

test_R11_revocation_refused_after_expiry_becomes_6() {
	local off=$((100 * DAY))
	[ -n "${EX_R:-}" ] || fail "needs the expiry story" || return 1
	receipt EX-R5 "$(item 1 "$EX_R" revocation-refused)" || return 1
	ack_accepted || return 1
	item_ok "@ref='1'" 6 || return 1
	expect_st "$EX_R=6" || return 1
	expect_account "$C1" "100 1 0 99" "$off"
}

test_R8_R11_request_after_expiry_creates_new_letter() {
	local off=$((100 * DAY))
	[ -n "${EX_L:-}" ] || fail "needs the expiry story" || return 1
	say "$C1" EntrustRequest EX-REQ2 "$(letter_xml "$C1" "$BR" new 6 false)
$(agr w consignor 0 EXBILLW)" "$off" || return 1
	ack_accepted || return 1
	is_true "$(dx "$A" /Ack/Letter/Created)" || fail "EX-REQ2: Letter/Created is not true" || return 1
	[ "$(dx "$A" /Ack/Letter/Number)" != "$EX_L" ] || fail "EX-REQ2: appended to the expired letter $EX_L"
}

# ---------------------------------------------------------------------------------------
# R3–R6: broker registration

test_R4_decision_with_nothing_pending_refused() {
	world reg noreg notopup || return 1
	say "$AS" RegistrationDecision RG-DEC0 "  <Broker>$BR</Broker><Decision>approve</Decision>" || return 1
	ack_refused REGISTRATION_NOT_PENDING R4
}

test_R3_declarant_count_0_or_6_refused() {
	say "$BR" BrokerRegistration RG-REG0 "$(reg_body 0)" || return 1
	ack_refused DECLARANT_COUNT R3 || return 1
	say "$BR" BrokerRegistration RG-REG6 "$(reg_body 6)" || return 1
	ack_refused DECLARANT_COUNT R3 || return 1
	# nothing was kept pending
	say "$AS" RegistrationDecision RG-DEC1 "  <Broker>$BR</Broker><Decision>approve</Decision>" || return 1
	ack_refused REGISTRATION_NOT_PENDING R4 || return 1
	# 5 is allowed
	say "$BR" BrokerRegistration RG-REG5 "$(reg_body 5)" || return 1
	ack_accepted || return 1
	say "$AS" RegistrationDecision RG-DEC2 "  <Broker>$BR</Broker><Decision>approve</Decision>" || return 1
	ack_accepted || return 1
	notice RG-DEC2 "$BR" registration-approved "$AS" || return 1
	RG_OK=1
	# decided: nothing pending any more
	say "$AS" RegistrationDecision RG-DEC3 "  <Broker>$BR</Broker><Decision>reject</Decision>" || return 1
	ack_refused REGISTRATION_NOT_PENDING R4
}

test_R6_broker_search_public_part_only() {
	local q
	[ -n "${RG_OK:-}" ] || fail "needs the approved registration of the R3 story" || return 1
	for q in "<District>46</District>" "<NameContains>示例报关</NameContains>" "<Code>$BR</Code>" \
		"<District>4601</District><NameContains>郑州</NameContains>"; do
		query "$C1" "  <BrokerSearch>$q</BrokerSearch>" || return 1
		expect_eq "$(dvals "$A" /Ack/Result/Broker/Code)" "$BR" "brokers found by $q" || return 1
		expect_eq "$(dx "$A" /Ack/Result/Broker/Name)" 郑州示例报关有限公司 "Broker/Name" || return 1
		expect_eq "$(dx "$A" /Ack/Result/Broker/District)" 4601 "Broker/District" || return 1
		expect_eq "$(dn "$A" /Ack/Result/Broker/Declarant)" 5 "declarants listed" || return 1
		! grep -q 410100198001010011 "$A" || fail "the answer to $q contains the manager's identity number" || return 1
		! grep -q 1390001777 "$A" || fail "the answer to $q contains a declarant's phone" || return 1
		! grep -qi 'IdNumber\|<Phone>' "$A" || fail "the answer to $q has IdNumber/Phone elements" || return 1
	done
	for q in "<District>11</District>" "<NameContains>不存在的名称</NameContains>" "<Code>4101W68007</Code>"; do
		query "$C1" "  <BrokerSearch>$q</BrokerSearch>" || return 1
		expect_eq "$(dn "$A" /Ack/Result/Broker)" 0 "brokers found by $q" || return 1
	done
}

test_R4_change_pending_keeps_approved_facts() {
	[ -n "${RG_OK:-}" ] || fail "needs the approved registration of the R3 story" || return 1
	say "$BR" BrokerRegistration RG-CHG "$(reg_body 1 郑州新名报关有限公司)" || return 1
	ack_accepted || return 1
	query "$C1" "  <BrokerSearch><Code>$BR</Code></BrokerSearch>" || return 1
	expect_eq "$(dx "$A" /Ack/Result/Broker/Name)" 郑州示例报关有限公司 "Broker/Name while the change is pending" || return 1
	# still approved meanwhile: a request to it is accepted
	say "$C1" EntrustRequest RG-REQ "$(letter_xml "$C1" "$BR" new 6 false)
$(agr 1 consignor 0 RGBILL1)" || return 1
	ack_accepted || return 1
	say "$AS" RegistrationDecision RG-DEC4 "  <Broker>$BR</Broker><Decision>approve</Decision>" || return 1
	ack_accepted || return 1
	query "$C1" "  <BrokerSearch><Code>$BR</Code></BrokerSearch>" || return 1
	expect_eq "$(dx "$A" /Ack/Result/Broker/Name)" 郑州新名报关有限公司 "Broker/Name after the change was approved" || return 1
	expect_eq "$(dn "$A" /Ack/Result/Broker/Declarant)" 1 "declarants after the change" || return 1
	# a rejected change leaves the approved facts as they are
	say "$BR" BrokerRegistration RG-CHG2 "$(reg_body 3 郑州再改报关有限公司)" || return 1
	ack_accepted || return 1
	say "$AS" RegistrationDecision RG-DEC5 "  <Broker>$BR</Broker><Decision>reject</Decision>" || return 1
	ack_accepted || return 1
	notice RG-DEC5 "$BR" registration-rejected "$AS" || return 1
	query "$C1" "  <BrokerSearch><Code>$BR</Code></BrokerSearch>" || return 1
	expect_eq "$(dx "$A" /Ack/Result/Broker/Name)" 郑州新名报关有限公司 "Broker/Name after a rejected change" || return 1
	expect_eq "$(dn "$A" /Ack/Result/Broker/Declarant)" 1 "declarants after a rejected change"
}

# R5: the same broker before approval, pending, rejected, approved, expiring, expired
test_R5_unregistered_broker_refused() {
	world r5 noreg || return 1
	say "$C1" EntrustRequest R5-REQ1 "$(letter_xml "$C1" "$BR" new 6 false)
$(agr 1 consignor 0 R5BILL1)" || return 1
	ack_refused BROKER_NOT_APPROVED R5 || return 1
	expect_eq "$(received R5-REQ1 | tr '\n' ' ')" "$C1/ACK_R5-REQ1.p7m " "files sent (no notice for a refused request)" || return 1
	say "$BR" EntrustRequest R5-BRQ1 "$(letter_xml "$C1" "$BR" new 6 false)
$(agr 1 broker 1 R5BILL2)" || return 1
	ack_refused BROKER_NOT_APPROVED R5 || return 1
	query "$C1" "  <BrokerSearch><Code>$BR</Code></BrokerSearch>" || return 1
	expect_eq "$(dn "$A" /Ack/Result/Broker)" 0 "unregistered brokers found by search"
}

test_R4_R5_R26_pending_or_rejected_registration_refused() {
	say "$BR" BrokerRegistration R5-REG1 "$(reg_body 2)" || return 1
	ack_accepted || return 1
	say "$C1" EntrustRequest R5-REQ2 "$(letter_xml "$C1" "$BR" new 6 false)
$(agr 1 consignor 0 R5BILL3)" || return 1
	ack_refused BROKER_NOT_APPROVED R5 || return 1
	query "$C1" "  <BrokerSearch><District>46</District></BrokerSearch>" || return 1
	expect_eq "$(dn "$A" /Ack/Result/Broker)" 0 "brokers found while the registration is pending" || return 1
	say "$AS" RegistrationDecision R5-DEC1 "  <Broker>$BR</Broker><Decision>reject</Decision><Remark>材料不全</Remark>" || return 1
	ack_accepted || return 1
	notice R5-DEC1 "$BR" registration-rejected "$AS" || return 1
	say "$C1" EntrustRequest R5-REQ3 "$(letter_xml "$C1" "$BR" new 6 false)
$(agr 1 consignor 0 R5BILL4)" || return 1
	ack_refused BROKER_NOT_APPROVED R5
}

test_R4_R5_R26_approved_registration_valid_365_days() {
	local vu want
	say "$BR" BrokerRegistration R5-REG2 "$(reg_body 2)" || return 1
	ack_accepted || return 1
	say "$AS" RegistrationDecision R5-DEC2 "  <Broker>$BR</Broker><Decision>approve</Decision>" || return 1
	ack_accepted || return 1
	notice R5-DEC2 "$BR" registration-approved "$AS" || return 1
	vu=$(dx "$N" /Notice/ValidUntil)
	want="$(date -u -d '+365 days' +%Y-%m-%d)|$(date -u -d '+364 days' +%Y-%m-%d)|$(date -u -d '+366 days' +%Y-%m-%d)"
	[[ ${vu:0:10} =~ ^($want)$ ]] || fail "ValidUntil in the approval notice: '$vu', want about $(date -u -d '+365 days' +%F)" || return 1
	say "$C1" EntrustRequest R5-REQ4 "$(letter_xml "$C1" "$BR" new 6 false)
$(agr 1 consignor 0 R5BILL5)" || return 1
	ack_accepted || return 1
	R5_OK=1
}

test_R5_R26_registration_expiring_notice_once() {
	[ -n "${R5_OK:-}" ] || fail "needs the approved registration" || return 1
	# 200 days on (the 6-month letter has expired): a new 12-month letter, no warning yet
	say "$C1" EntrustRequest R5-REQ5 "$(letter_xml "$C1" "$BR" new 12 false)
$(agr 1 consignor 0 R5BILL6)" $((200 * DAY)) || return 1
	ack_accepted || return 1
	R5_L=$(dx "$A" /Ack/Letter/Number)
	R5_A=$(num 1)
	no_notice R5-REQ5 "$BR" registration-expiring || return 1
	# 340 days on: 25 days before valid_until
	step R5-WARN1 $((340 * DAY)) || return 1
	notice R5-WARN1 "$BR" registration-expiring || return 1
	[ -n "$(dx "$N" /Notice/ValidUntil)" ] || fail "the registration-expiring notice has no ValidUntil" || return 1
	step R5-WARN2 $((341 * DAY)) || return 1
	no_notice R5-WARN2 "$BR" registration-expiring
}

test_R5_expired_registration_broker_refused() {
	local off=$((366 * DAY))
	[ -n "${R5_A:-}" ] || fail "needs the letter made at +200 days" || return 1
	say "$BR" EntrustConfirm R5-CONF "  <Letter>$R5_L</Letter>
$(decision "$R5_A" true bh)" "$off" || return 1
	ack_refused BROKER_NOT_APPROVED R5 || return 1
	expect_st "$R5_A=0" || return 1
	say "$BR" EntrustRequest R5-BRQ2 "$(letter_xml "$C2" "$BR" new 6 false)
$(agr 1 broker 1 R5BILL7)" "$off" || return 1
	ack_refused BROKER_NOT_APPROVED R5 || return 1
	query "$C1" "  <BrokerSearch><Code>$BR</Code></BrokerSearch>" "$off" || return 1
	expect_eq "$(dn "$A" /Ack/Result/Broker)" 0 "expired brokers found by search (R6)"
}

# ---------------------------------------------------------------------------------------
# R19: balance

test_R19_insufficient_balance_on_confirmation() {
	local l a1 a2
	world balance notopup || return 1
	say "$C1" EntrustRequest BL-REQ "$(letter_xml "$C1" "$BR" new 6 false)
$(agr 1 consignor 0 BLBILL1)
$(agr 2 consignor 0 BLBILL2)" || return 1
	ack_accepted || return 1
	l=$(dx "$A" /Ack/Letter/Number)
	a1=$(num 1) a2=$(num 2)
	BL_L=$l BL_A2=$a2
	say "$BR" EntrustConfirm BL-CONF1 "  <Letter>$l</Letter>
$(decision "$a1" true bh)" || return 1
	ack_refused INSUFFICIENT_BALANCE R19 || return 1
	no_notice BL-CONF1 "$C1" confirmed || return 1
	expect_st "$a1=0" || return 1
	say "$OP" TopUp BL-TOP1 "  <Enterprise>$C1</Enterprise><Units>1</Units><Reference>BL-1</Reference>" || return 1
	ack_accepted || return 1
	say "$BR" EntrustConfirm BL-CONF2 "  <Letter>$l</Letter>
$(decision "$a1" true bh)" || return 1
	ack_accepted || return 1
	item_ok "$(sel "$a1")" 1 || return 1
	# the one unit is reserved: the second agreement cannot be confirmed
	say "$BR" EntrustConfirm BL-CONF3 "  <Letter>$l</Letter>
$(decision "$a2" true bh)" || return 1
	ack_refused INSUFFICIENT_BALANCE R19 || return 1
	item_bad "$(sel "$a2")" INSUFFICIENT_BALANCE R19 || return 1
	expect_st "$a1=1" "$a2=0" || return 1
	expect_account "$C1" "1 0 1 0"
}

# R25: a MessageId once judged (here: refused) keeps its answer, even when it would now pass
test_R25_R19_replayed_refusal_same_answer_no_effect() {
	local f x
	[ -n "${BL_A2:-}" ] && [ -n "$(envelope_of BL-CONF3.p7m)" ] || fail "needs the balance story" || return 1
	say "$C1" Query BL-ACQ "  <AccountQuery/>" || return 1
	ack_accepted || return 1
	expect_eq "$(dx "$A" /Ack/Result/Account/Purchased)" 1 "purchased before the second top-up" || return 1
	say "$OP" TopUp BL-TOP2 "  <Enterprise>$C1</Enterprise><Units>5</Units><Reference>BL-2</Reference>" || return 1
	ack_accepted || return 1
	drop "$(envelope_of BL-CONF3.p7m)" replay-BL-CONF3.p7m
	step replay-BL-CONF3 || return 1
	f=$RECV/replay-BL-CONF3.resent/$BR/ACK_BL-CONF3.p7m
	[ -f "$f" ] || f=$RECV/replay-BL-CONF3/$BR/ACK_BL-CONF3.p7m
	[ -f "$f" ] || fail "no ACK_BL-CONF3.p7m again for the replay" || return 1
	x=$OUT/replay-BL-CONF3.ack.xml
	verify_sig "$f" "$x" || return 1
	xsd_valid "$XSD/entrust.xsd" "$x" || return 1
	cmp -s "$x" "$OUT/BL-CONF3/$BR/ACK_BL-CONF3.xml" || fail "the replayed refusal got another answer" || return 1
	expect_eq "$(received replay-BL-CONF3 | tr '\n' ' ')" "" "new files sent for the replay" || return 1
	expect_st "$BL_A2=0" || return 1
	# a replayed top-up adds nothing
	drop "$(envelope_of BL-TOP2.p7m)" replay-BL-TOP2.p7m
	step replay-BL-TOP2 || return 1
	expect_account "$C1" "6 0 1 5" || return 1
	# a replayed query gets its first answer again, not a new one
	drop "$(envelope_of BL-ACQ.p7m)" replay-BL-ACQ.p7m
	step replay-BL-ACQ || return 1
	f=$RECV/replay-BL-ACQ.resent/$C1/ACK_BL-ACQ.p7m
	[ -f "$f" ] || f=$RECV/replay-BL-ACQ/$C1/ACK_BL-ACQ.p7m
	[ -f "$f" ] || fail "no ACK_BL-ACQ.p7m again for the replayed query" || return 1
	verify_sig "$f" "$OUT/replay-BL-ACQ.ack.xml" || return 1
	cmp -s "$OUT/replay-BL-ACQ.ack.xml" "$OUT/BL-ACQ/$C1/ACK_BL-ACQ.xml" ||
		fail "the replayed query got another answer: $(dx "$OUT/replay-BL-ACQ.ack.xml" /Ack/Result/Account/Purchased) purchased" || return 1
	# a fresh MessageId is judged anew
	say "$BR" EntrustConfirm BL-CONF4 "  <Letter>$BL_L</Letter>
$(decision "$BL_A2" true bh)" || return 1
	ack_accepted || return 1
	item_ok "$(sel "$BL_A2")" 1
}

# R14/R19: an auto-confirm the broker cannot pay for is refused for that agreement alone
test_R14_R19_auto_confirm_without_balance_refused() {
	local l m n o
	[ -n "${BL_L:-}" ] || fail "needs the balance world" || return 1
	say "$OP" TopUp BL-TOPC2 "  <Enterprise>$C2</Enterprise><Units>1</Units><Reference>BL-C2</Reference>" || return 1
	ack_accepted || return 1
	say "$BR" EntrustRequest BL-BRQ "$(letter_xml "$C2" "$BR" new 6 true)
$(agr m consignor 1 BLBILLM)" || return 1
	ack_accepted || return 1
	l=$(dx "$A" /Ack/Letter/Number)
	m=$(num m)
	say "$C2" EntrustConfirm BL-C2CONF "  <Letter>$l</Letter>
$(decision "$m" true)" || return 1
	ack_accepted || return 1
	item_ok "$(sel "$m")" 1 || return 1
	# the broker has no unit: its own auto-confirmed agreement is refused, the other one waits
	say "$BR" EntrustRequest BL-BRAPP "$(letter_xml "$C2" "$BR" append)
$(agr n broker 1 BLBILLN)
$(agr o consignor 1 BLBILLO)" || return 1
	expect_eq "$(dx "$A" /Ack/Outcome)" partial "BL-BRAPP: Outcome (errors: $(ack_codes "$A"))" || return 1
	item_bad "@ref='n'" INSUFFICIENT_BALANCE R19 || return 1
	expect_eq "$(dn "$A" "/Ack/Agreement[@ref='n']/Number")" 0 "a number for the refused agreement n" || return 1
	item_ok "@ref='o'" 0 || return 1
	o=$(num o)
	no_notice BL-BRAPP "$C2" auto-confirmed || return 1
	notice BL-BRAPP "$C2" request-waiting "$BR" || return 1
	notice_agr "$o" 0 || return 1
	expect_eq "$(letter_field "$l" 'agreements|length')" 2 "agreements stored on the letter" || return 1
	expect_account "$BR" "0 0 0 0" || return 1
	expect_account "$C2" "1 0 1 0"
}

# ---------------------------------------------------------------------------------------
# R12: code tables

test_R12_unknown_codes_refused_known_echoed() {
	local p
	world codes || return 1
	say "$C1" EntrustRequest CD-REQ "$(letter_xml "$C1" "$BR" new 6 false)
$(agr g consignor 0 CDBILL1 0110 502)
$(agr h consignor 0 CDBILL2 0214 116)
$(agr t consignor 0 CDBILL3 9999 502)
$(agr o consignor 0 CDBILL4 0110 888)" || return 1
	expect_eq "$(dx "$A" /Ack/Outcome)" partial "CD-REQ: Outcome (errors: $(ack_codes "$A"))" || return 1
	item_ok "@ref='g'" 0 || return 1
	item_ok "@ref='h'" 0 || return 1
	expect_eq "$(dx "$A" "/Ack/Agreement[@ref='g']/Code[@field='TradeMode'][@value='0110']")" 一般贸易 "echo of TradeMode 0110" || return 1
	expect_eq "$(dx "$A" "/Ack/Agreement[@ref='g']/Code[@field='Origin'][@value='502']")" 美国 "echo of Origin 502" || return 1
	expect_eq "$(dx "$A" "/Ack/Agreement[@ref='h']/Code[@field='TradeMode'][@value='0214']")" 来料加工 "echo of TradeMode 0214" || return 1
	expect_eq "$(dx "$A" "/Ack/Agreement[@ref='h']/Code[@field='Origin'][@value='116']")" 日本 "echo of Origin 116" || return 1
	item_bad "@ref='t'" CODE_UNKNOWN R12 || return 1
	item_bad "@ref='o'" CODE_UNKNOWN R12 || return 1
	p="$(dx "$A" "/Ack/Agreement[@ref='t']/Error/@path") $(dx "$A" "/Ack/Agreement[@ref='t']/Error/Detail")"
	[[ $p == *TradeMode* ]] || fail "the CODE_UNKNOWN error of item t does not name TradeMode: $p" || return 1
	[[ $p != *Origin* ]] || fail "the CODE_UNKNOWN error of item t names Origin: $p" || return 1
	p="$(dx "$A" "/Ack/Agreement[@ref='o']/Error/@path") $(dx "$A" "/Ack/Agreement[@ref='o']/Error/Detail")"
	[[ $p == *Origin* ]] || fail "the CODE_UNKNOWN error of item o does not name Origin: $p" || return 1
	expect_eq "$(dn "$A" "/Ack/Agreement[@ref='t']/Number")" 0 "a number for the refused item t" || return 1
	[ -n "$(archive_file CD-REQ.p7m)" ] || fail "a partly accepted request is not in archive/" || return 1
	expect_eq "$(letter_field "$(dx "$A" /Ack/Letter/Number)" 'agreements|length')" 2 "agreements stored" || return 1
	# only bad codes: refused whole
	say "$C1" EntrustRequest CD-REQ2 "$(letter_xml "$C1" "$BR" append)
$(agr u consignor 0 CDBILL5 0110 000)" || return 1
	ack_refused CODE_UNKNOWN R12
}

# ---------------------------------------------------------------------------------------
# R20/R24: top-ups and the account

test_R20_R24_top_up_records_and_account() {
	world accounts || return 1
	say "$OP" TopUp AC-TOP2 "  <Enterprise>$C1</Enterprise><Units>25</Units><Reference>INV-R20-0002</Reference><PaidAt>2026-12-01T07:30:00+08:00</PaidAt>" || return 1
	ack_accepted || return 1
	query "$C1" "  <TopUpRecords/>" || return 1
	expect_eq "$(dn "$A" /Ack/Result/TopUpRecord)" 2 "top-up records of $C1" || return 1
	expect_eq "$(sorted $(dvals "$A" /Ack/Result/TopUpRecord/Units))" "100 25" "units of the records" || return 1
	expect_eq "$(sorted $(dvals "$A" /Ack/Result/TopUpRecord/Reference))" "BOOT-$C1 INV-R20-0002" "references of the records" || return 1
	[[ $(dx "$A" "(/Ack/Result/TopUpRecord/RecordedAt)[2]") =~ ^20[0-9]{2}-[01][0-9]-[0-3][0-9]T ]] ||
		fail "RecordedAt missing" || return 1
	query "$C2" "  <TopUpRecords/>" || return 1
	expect_eq "$(dvals "$A" /Ack/Result/TopUpRecord/Reference)" "BOOT-$C2" "top-up records of $C2 (only its own)" || return 1
	expect_account "$C1" "125 0 0 125" || return 1
	expect_account "$C2" "100 0 0 100" || return 1
	say "$OP" TopUp AC-TOP3 "  <Enterprise>9999999999</Enterprise><Units>5</Units><Reference>X</Reference>" || return 1
	ack_refused PARTY_UNKNOWN || return 1
	expect_account "$C1" "125 0 0 125"
}

# ---------------------------------------------------------------------------------------
# R21–R23: queries

test_R21_status_query_combined_filters() {
	local q1 q2 q3 l
	world queries || return 1
	say "$C1" EntrustRequest QS-REQ "$(letter_xml "$C1" "$BR" new 6 false)
$(agr 1 consignor 0 QBILL1 0110 502 100.00)
$(agr 2 consignor 0 QBILL2 0110 502 200.00)
$(agr 3 consignor 0 QBILL3 0110 502 200.00)" || return 1
	ack_accepted || return 1
	l=$(dx "$A" /Ack/Letter/Number)
	q1=$(num 1) q2=$(num 2) q3=$(num 3)
	QS=("" "$q1" "$q2" "$q3")
	say "$BR" EntrustConfirm QS-CONF "  <Letter>$l</Letter>
$(decision "$q1" true bh)
$(decision "$q2" true bh)" || return 1
	ack_accepted || return 1
	query "$C1" "  <StatusQuery><Counterparty>$BR</Counterparty><Status>1</Status></StatusQuery>" || return 1
	expect_eq "$(sorted $(result_numbers))" "$(sorted "$q1" "$q2")" "counterparty $BR + status 1" || return 1
	expect_eq "$(dx "$A" "/Ack/Result/Agreement[Number='$q1']/BillOfLading")" QBILL1 "BillOfLading of a result row" || return 1
	query "$C1" "  <StatusQuery><TotalValue>200</TotalValue><Status>1</Status></StatusQuery>" || return 1
	expect_eq "$(result_numbers)" "$q2" "total value 200 + status 1" || return 1
	query "$C1" "  <StatusQuery><BillOfLading>QBILL3</BillOfLading></StatusQuery>" || return 1
	expect_eq "$(result_numbers)" "$q3" "bill of lading QBILL3" || return 1
	query "$C1" "  <StatusQuery><Letter>$l</Letter><Status>0</Status></StatusQuery>" || return 1
	expect_eq "$(result_numbers)" "$q3" "letter + status 0" || return 1
	query "$C1" "  <StatusQuery><Agreement>$q1</Agreement><Status>0</Status></StatusQuery>" || return 1
	expect_eq "$(result_numbers)" "" "agreement $q1 + status 0 (it is 1)" || return 1
	query "$C1" "  <StatusQuery><Counterparty>$C2</Counterparty></StatusQuery>" || return 1
	expect_eq "$(result_numbers)" "" "counterparty $C2" || return 1
	query "$BR" "  <StatusQuery><Counterparty>$C1</Counterparty><TotalValue>200.00</TotalValue></StatusQuery>" || return 1
	expect_eq "$(sorted $(result_numbers))" "$(sorted "$q2" "$q3")" "the broker: counterparty $C1 + total value 200.00"
}

test_R23_statistics_count_only_status_5() {
	local q1=${QS[1]:-} q2=${QS[2]:-} from to
	[ -n "$q1" ] || fail "needs the status-query story" || return 1
	receipt QS-R1 "$(item 1 "$q1" data-received)" "$(item 2 "$q2" data-received)" || return 1
	ack_accepted || return 1
	receipt QS-R2 "$(item 1 "$q1" declaration-filed QBILL1)" "$(item 2 "$q2" declaration-filed QBILL2)" || return 1
	ack_accepted || return 1
	receipt QS-R3 "$(item 1 "$q1" declaration-concluded QBILL1)" || return 1
	ack_accepted || return 1
	expect_st "$q1=5" "$q2=4" "${QS[3]}=0" || return 1
	from=$(TZ=Asia/Shanghai date -d yesterday +%F)
	to=$(TZ=Asia/Shanghai date -d tomorrow +%F)
	query "$C1" "  <Statistics><From>$from</From><To>$to</To></Statistics>" || return 1
	expect_eq "$(dx "$A" /Ack/Result/Count)" 1 "statistics of $C1 $from..$to (only status 5 counts)" || return 1
	query "$BR" "  <Statistics><From>$from</From><To>$to</To></Statistics>" || return 1
	expect_eq "$(dx "$A" /Ack/Result/Count)" 1 "statistics of $BR $from..$to" || return 1
	query "$C2" "  <Statistics><From>$from</From><To>$to</To></Statistics>" || return 1
	expect_eq "$(dx "$A" /Ack/Result/Count)" 0 "statistics of $C2 (no agreements)" || return 1
	query "$C1" "  <Statistics><From>2020-01-01</From><To>2020-12-31</To></Statistics>" || return 1
	expect_eq "$(dx "$A" /Ack/Result/Count)" 0 "statistics of $C1 in 2020"
}

test_R22_recent_five_most_recent_first() {
	local l i body decs="" r got want
	world recent || return 1
	body=$(letter_xml "$C1" "$BR" new 6 false)
	for i in 1 2 3 4 5 6 7 8; do body+=$'\n'$(agr "$i" consignor 0 "RCBILL$i"); done
	say "$C1" EntrustRequest RC-REQ "$body" || return 1
	ack_accepted || return 1
	l=$(dx "$A" /Ack/Letter/Number)
	for i in 1 2 3 4 5 6 7 8; do r[$i]=$(num $i); done
	# one confirmation per minute (clock moved), r7 rejected, r8 left waiting
	for i in 1 2 3 4 5 6; do
		decs="$(decision "${r[$i]}" true bh)"
		[ $i = 6 ] && decs+=$'\n'"$(decision "${r[7]}" false)"
		say "$BR" EntrustConfirm "RC-CONF$i" "  <Letter>$l</Letter>
$decs" $((i * 60)) || return 1
		ack_accepted || return 1
	done
	say "$CU" CustomsReceipt RC-R1 "$(item 1 "${r[3]}" data-received)" 400 || return 1
	ack_accepted || return 1
	want="${r[6]} ${r[5]} ${r[4]} ${r[3]} ${r[2]}"
	query "$C1" "  <RecentFive><Counterparty>$BR</Counterparty></RecentFive>" 500 || return 1
	got=$(result_numbers)
	expect_eq "$got" "$want" "recent five of $C1 with $BR (most recent first)" || return 1
	got=$(dvals "$A" /Ack/Result/Agreement/SignedAt)
	[ "$got" = "$(tr ' ' '\n' <<<"$got" | sort -r | tr '\n' ' ' | sed 's/ $//')" ] ||
		fail "SignedAt not descending: $got" || return 1
	query "$BR" "  <RecentFive><Counterparty>$C1</Counterparty></RecentFive>" 500 || return 1
	expect_eq "$(result_numbers)" "$want" "recent five of $BR with $C1" || return 1
	query "$BR" "  <RecentFive><Counterparty>$C2</Counterparty></RecentFive>" 500 || return 1
	expect_eq "$(result_numbers)" "" "recent five of $BR with $C2"
}

# ---------------------------------------------------------------------------------------
# R2: parties and roles

test_R2_not_a_party_agreement_and_letter_unknown() {
	local a
	world parties || return 1
	confirmed_letter PT 1 || return 1
	a=${AG[1]}
	PT_A=$a
	receipt PT-R1 "$(item 1 "$a" data-received)" || return 1
	ack_accepted || return 1
	say "$C2" RevocationRequest PT-REV "  <Agreement>$a</Agreement>" || return 1
	ack_refused AGREEMENT_UNKNOWN R2 || return 1
	say "$C2" EntrustConfirm PT-C2CONF "  <Letter>$L</Letter>
$(decision "$a" true)" || return 1
	ack_refused LETTER_UNKNOWN R2 || return 1
	say "$C2" AutoConfirmSetting PT-AUTO "  <Letter>$L</Letter><Enabled>true</Enabled>" || return 1
	ack_refused LETTER_UNKNOWN R2 || return 1
	# a query never shows another pair's agreement (an empty answer or AGREEMENT_UNKNOWN)
	QN=$((QN + 1))
	say "$C2" Query "Q$QN-c2" "  <StatusQuery><Agreement>$a</Agreement></StatusQuery>" || return 1
	if [ "$(dx "$A" /Ack/Outcome)" = refused ]; then
		ack_refused AGREEMENT_UNKNOWN R2 || return 1
	else
		ack_accepted || return 1
		expect_eq "$(result_numbers)" "" "$C2 querying $C1's agreement" || return 1
	fi
	! grep -q "$a" "$A" || fail "the answer to $C2 names $C1's agreement $a" || return 1
	query "$C2" "  <StatusQuery/>" || return 1
	expect_eq "$(result_numbers)" "" "$C2 querying everything" || return 1
	expect_st "$a=2" || return 1
	expect_eq "$(letter_field "$L" auto_confirm)" false "letter auto_confirm"
}

test_R2_only_customs_sends_receipts() {
	[ -n "${PT_A:-}" ] || fail "needs the R2 story" || return 1
	say "$C1" CustomsReceipt PT-RC1 "$(item 1 "$PT_A" declaration-filed PTBILL1)" || return 1
	ack_refused ROLE_FORBIDDEN R2 || return 1
	say "$BR" CustomsReceipt PT-RC2 "$(item 1 "$PT_A" declaration-filed PTBILL1)" || return 1
	ack_refused ROLE_FORBIDDEN R2 || return 1
	expect_st "$PT_A=2"
}

test_R2_only_operator_tops_up_only_association_decides() {
	say "$C1" TopUp PT-TOP "  <Enterprise>$C1</Enterprise><Units>1000</Units><Reference>SELF</Reference>" || return 1
	ack_refused ROLE_FORBIDDEN R2 || return 1
	say "$BR" RegistrationDecision PT-DEC "  <Broker>$BR</Broker><Decision>approve</Decision>" || return 1
	ack_refused ROLE_FORBIDDEN R2 || return 1
	say "$C1" BrokerRegistration PT-REG "$(reg_body 1)" || return 1
	ack_refused ROLE_FORBIDDEN R2 || return 1
	expect_account "$C1" "100 0 1 99"
}

test_R9_initiator_cannot_confirm_own_agreement() {
	local a
	[ -n "${PT_A:-}" ] || fail "needs the R2 story" || return 1
	say "$C1" EntrustRequest PT-APP "$(letter_xml "$C1" "$BR" append)
$(agr 2 consignor 0 PTBILL2)" || return 1
	ack_accepted || return 1
	a=$(num 2)
	say "$C1" EntrustConfirm PT-SELF "  <Letter>$L</Letter>
$(decision "$a" true)" || return 1
	ack_refused CONFIRM_FORBIDDEN R9 || return 1
	expect_st "$a=0"
}

# R26, issue #7 (通知合并 notice bundles): a party registered with notices=bundle gets every
# notice the hub made for it while applying one processing batch in ONE signed file
# NTC_<seq>.p7m, root Notices: its Header (MessageId NTS-<the batch's first envelope>-<code>),
# then each Notice exactly as it would have been a file of its own, in message order.  The
# senders' acks do not change.  Control: the same broker switched back to single gets a file
# per notice.  The world has its own registry, switched with entrustctl party add --notices.
test_R26_notices_bundled_per_receiver() {
	local reg j f x id i n nts ids=() want got msg ack file
	world bundle || return 1
	reg=$T/w/bundle/parties.conf
	cp "$REGISTRY" "$reg" && sed -i "s#^registry = .*#registry = $reg#" "$CONF" || fail "world registry" || return 1
	j=$(ctl party add "$BR" broker "$PKI/broker.pem" 郑州示例报关有限公司 --notices bundle --json) ||
		fail "party add --notices bundle exited $?" || return 1
	expect_eq "$(jq -r .notices <<<"$j")" bundle "party add --notices bundle: .notices" || return 1
	grep -q "^$BR broker [0-9a-f]\{64\} .*notices=bundle " "$reg" || fail "registry line of $BR lacks notices=bundle" || return 1
	expect_eq "$(ctl party show "$BR" --json | jq -r '.bindings[0].notices')" bundle "party show $BR: .notices" || return 1
	expect_eq "$(ctl party show "$C1" --json | jq -r '.bindings[0].notices')" single "party show $C1: .notices" || return 1

	# three requests from two consignors, all in inbound/ before one daemon pass: one batch
	send "$C1" EntrustRequest BN-REQ1 "$(letter_xml "$C1" "$BR" new 6 false)
$(agr 1 consignor 0 BNBILL1)" || return 1
	send "$C2" EntrustRequest BN-REQ2 "$(letter_xml "$C2" "$BR" new 6 false)
$(agr 1 consignor 0 BNBILL2)
$(agr 2 consignor 0 BNBILL3)" || return 1
	send "$C1" EntrustRequest BN-REQ3 "$(letter_xml "$C1" "$BR" append)
$(agr 1 consignor 0 BNBILL4)" || return 1
	step BN-BATCH || return 1	# verifies every file (cms -verify -CAfile ca.pem, hub signer, xsd/entrust.xsd)

	# the consignors: their acks, as ever, and nothing else
	expect_eq "$(received BN-BATCH | grep -v "^$BR/" | tr '\n' ' ')" \
		"$C1/ACK_BN-REQ1.p7m $C1/ACK_BN-REQ3.p7m $C2/ACK_BN-REQ2.p7m " "files to the consignors" || return 1
	# the broker: exactly one file, a Notices bundle of the three request-waiting notices
	expect_eq "$(received BN-BATCH | grep "^$BR/" | grep -c '^[^/]*/NTC_[0-9]\{12\}\.p7m$')" 1 "NTC files to $BR" || return 1
	expect_eq "$(received BN-BATCH | grep -c "^$BR/")" 1 "files to $BR" || return 1
	file=$(received BN-BATCH | grep "^$BR/")
	file=${file#*/}
	x=$OUT/BN-BATCH/$BR/${file%.p7m}.xml
	openssl cms -verify -CAfile "$PKI/ca.pem" -inform DER -binary -in "$RECV/BN-BATCH/$BR/$file" \
		-out "$T/bundle.xml" 2>>"$T/openssl.log" >/dev/null || fail "$file does not verify" || return 1
	xmllint --noout --nonet --schema "$XSD/entrust.xsd" "$T/bundle.xml" 2>>"$T/xsd.log" ||
		fail "$file is not valid against xsd/entrust.xsd" || return 1
	expect_eq "$(xmllint --xpath 'concat(local-name(/*),"|",namespace-uri(/*),"|",/*/@version)' "$x")" \
		"Notices|urn:entrust:1|1" "root of $file" || return 1
	expect_eq "$(dn "$x" /Notices/Notice)" 3 "Notice children of the bundle" || return 1
	expect_eq "$(dn "$x" "/Notices/Notice[Event='request-waiting']")" 3 "request-waiting notices in the bundle" || return 1
	expect_eq "$(dx "$x" "concat(/Notices/Header/Sender,'|',/Notices/Header/Receiver)")" "$HUB|$BR" \
		"bundle Header Sender|Receiver" || return 1
	# each request's notice: the one the hub would have sent alone (MessageId of its envelope's
	# id, From, Letter and agreements of the consignor's ack), in the order of the envelopes' ids
	for msg in BN-REQ1:"$C1" BN-REQ2:"$C2" BN-REQ3:"$C1"; do
		ack=$OUT/BN-BATCH/${msg#*:}/ACK_${msg%%:*}.xml
		A=$ack LAST=${msg%%:*}
		ack_accepted || return 1
		id=$(dx "$ack" /Ack/Header/MessageId)
		id=${id#ACK-}
		ids+=("$id")
		n="/Notices/Notice[Header/MessageId='NTC-$id-$BR-request-waiting']"
		expect_eq "$(dn "$x" "$n")" 1 "${msg%%:*}: its notice in the bundle" || return 1
		want="${msg#*:}|$(dx "$ack" /Ack/Letter/Number)|$(dvals "$ack" /Ack/Agreement/Number)|$BR"
		got="$(dx "$x" "$n/From")|$(dx "$x" "$n/Letter")|$(dvals "$x" "$n/Agreement/Number")|$(dx "$x" "$n/Header/Receiver")"
		expect_eq "$got" "$want" "${msg%%:*}: From|Letter|Agreements|Receiver of its notice" || return 1
		expect_eq "$(dvals "$x" "$n/Agreement/Status")" "$(dvals "$ack" /Ack/Agreement/Status)" \
			"${msg%%:*}: statuses in its notice" || return 1
		# the audit trail names the bundle's file
		for i in $(dvals "$ack" /Ack/Agreement/Number); do
			expect_eq "$(ctl trace "$i" --json | jq -r --arg b "$BR" '.events[]|select(.kind=="notice" and
				(.change|contains("to="+$b)))|.change|capture("file=(?<f>[^ ]+)").f')" "$file" \
				"trace $i: the notice's file" || return 1
		done
	done
	want=$(printf '%s\n' "${ids[@]}" | sort | sed "s/.*/NTC-&-$BR-request-waiting/" | tr '\n' ' ')
	expect_eq "$(dvals "$x" /Notices/Notice/Header/MessageId) " "$want" "notices in the order the hub made them" || return 1
	nts=$(printf '%s\n' "${ids[@]}" | sort | head -1)
	expect_eq "$(dx "$x" /Notices/Header/MessageId)" "NTS-$nts-$BR" "bundle MessageId" || return 1

	# control: switched back to single, the broker gets one file per notice, root Notice
	j=$(ctl party add "$BR" broker "$PKI/broker.pem" 郑州示例报关有限公司 --notices single --json) ||
		fail "party add --notices single exited $?" || return 1
	expect_eq "$(jq -r .notices <<<"$j")" single "party add --notices single: .notices" || return 1
	! grep -q "notices=bundle" "$reg" || fail "notices=bundle left in the registry" || return 1
	send "$C1" EntrustRequest BN-REQ4 "$(letter_xml "$C1" "$BR" append)
$(agr 1 consignor 0 BNBILL5)" || return 1
	send "$C2" EntrustRequest BN-REQ5 "$(letter_xml "$C2" "$BR" append)
$(agr 1 consignor 0 BNBILL6)" || return 1
	step BN-SINGLE || return 1
	expect_eq "$(received BN-SINGLE | grep "^$BR/" | grep -c '^[^/]*/NTC_[0-9]\{12\}\.p7m$')" 2 "NTC files to $BR without bundles" || return 1
	for f in "$OUT/BN-SINGLE/$BR"/NTC_*.xml; do
		expect_eq "$(xmllint --xpath 'local-name(/*)' "$f")|$(dx "$f" /Notice/Event)" "Notice|request-waiting" \
			"root|Event of ${f##*/}" || return 1
	done
	expect_eq "$(received BN-SINGLE | grep -v "^$BR/" | tr '\n' ' ')" "$C1/ACK_BN-REQ4.p7m $C2/ACK_BN-REQ5.p7m " \
		"files to the consignors without bundles"
}

# ---------------------------------------------------------------------------------------
# R25/R26 over everything sent

test_R25_R26_every_answer_signed_valid_sent_once() {
	local f x n=0 ev need seen=" " r w name xs=() cx=()
	local -A done=()
	while read -r f; do done[$f]=1; done <"$T/verified.list"
	# every file a partner took: verified as it was taken (step), or now (run.sh's own world)
	while read -r f; do
		n=$((n + 1))
		[ -n "${done[$f]:-}" ] && continue
		x=$T/final/$n.xml
		mkdir -p "$T/final"
		verify_sig "$f" "$x" || return 1
		if grep -q 'urn:entrust:customs:1' "$x"; then cx+=("$x"); else xs+=("$x"); fi
	done < <(find "$T" -path '*/recv/*' ! -path '*/.seen/*' -type f -name '*.p7m')
	[ "$n" -ge 300 ] || fail "only $n answers collected" || return 1
	# and every decoded answer is valid against its schema (one pass over all of them)
	while read -r f; do
		if grep -q 'urn:entrust:customs:1' "$f"; then cx+=("$f"); else xs+=("$f"); fi
	done < <(find "$T/w" -path '*/out/*' -name '*.xml')
	xsd_valid "$XSD/entrust.xsd" "${xs[@]}" || return 1
	xsd_valid "$XSD/customs/agent-agreement.xsd" "${cx[@]}" || return 1
	[ "${#cx[@]}" -ge 1 ] || fail "no customs-format export was ever sent (R27)" || return 1
	# R26: every kind of change was told to the party it concerns
	for f in "$T"/w/*/out/*/*/events; do
		while read -r name ev; do seen+="$ev "; done <"$f"
	done
	for need in request-waiting confirmed rejected auto-confirmed revocation-asked revocation-confirmed \
		revocation-refused customs-update expired registration-approved registration-rejected registration-expiring; do
		[[ $seen == *" $need "* ]] || fail "no '$need' notice was ever sent (R26)" || return 1
	done
	# R25: exactly once — nothing a partner took was written again (but replays), nothing left
	for w in "$T"/w/*; do
		r=$(grep -v '^replay' "$w/recv/.resends" 2>/dev/null)
		[ -z "$r" ] || fail "${w##*/}: files the partner had already taken were written again: $(head -2 <<<"$r" | tr '\n' ' ')" || return 1
		[ -z "$(find "$w/spool/outbound" -type f ! -name '.*' 2>/dev/null)" ] ||
			fail "${w##*/}: outbound/ not empty after the last collect" || return 1
		[ -z "$(ls -A "$w/spool/work" 2>/dev/null)" ] || fail "${w##*/}: work/ not empty" || return 1
	done
}

# ---------------------------------------------------------------------------------------

domain_tests() {
	run_test test_R9_R10_R19_R26_consignor_request_confirmed_by_broker
	run_test test_R27_confirmed_agreement_data_sent_to_customs
	run_test test_R14_R26_auto_confirm_broker_paid_appends_only
	run_test test_R14_consignor_initiated_append_waits_for_broker
	run_test test_R14_auto_confirm_setting_by_broker_refused
	run_test test_R14_auto_confirm_off_by_consignor_then_on
	run_test test_R10_R26_rejecting_all_agreements_rejects_new_letter
	run_test test_R10_accepting_one_confirms_letter_appends_one_by_one
	run_test test_R8_append_to_live_letter_created_false
	run_test test_R8_letter_terms_fixed
	run_test test_R13_R15_R26_customs_batch_partial
	run_test test_R13_customs_batch_all_bad_refused
	run_test test_R15_R18_declaration_returned_then_reused
	run_test test_R16_revocation_asked_by_broker_forbidden
	run_test test_R16_R26_revocation_agreed_and_refused_by_broker
	run_test test_R27_revocation_confirmed_sent_to_customs
	run_test test_R16_R18_customs_revocation_accepted_releases_unit
	run_test test_R13_R16_revocation_refused_by_customs_usable_again
	run_test test_R11_R18_R26_letter_expiry_keeps_status_5
	run_test test_R11_declaration_returned_after_expiry_becomes_6
	run_test test_R11_revocation_refused_after_expiry_becomes_6
	run_test test_R8_R11_request_after_expiry_creates_new_letter
	run_test test_R4_decision_with_nothing_pending_refused
	run_test test_R3_declarant_count_0_or_6_refused
	run_test test_R6_broker_search_public_part_only
	run_test test_R4_change_pending_keeps_approved_facts
	run_test test_R5_unregistered_broker_refused
	run_test test_R4_R5_R26_pending_or_rejected_registration_refused
	run_test test_R4_R5_R26_approved_registration_valid_365_days
	run_test test_R5_R26_registration_expiring_notice_once
	run_test test_R5_expired_registration_broker_refused
	run_test test_R19_insufficient_balance_on_confirmation
	run_test test_R25_R19_replayed_refusal_same_answer_no_effect
	run_test test_R14_R19_auto_confirm_without_balance_refused
	run_test test_R12_unknown_codes_refused_known_echoed
	run_test test_R20_R24_top_up_records_and_account
	run_test test_R21_status_query_combined_filters
	run_test test_R23_statistics_count_only_status_5
	run_test test_R22_recent_five_most_recent_first
	run_test test_R2_not_a_party_agreement_and_letter_unknown
	run_test test_R2_only_customs_sends_receipts
	run_test test_R2_only_operator_tops_up_only_association_decides
	run_test test_R9_initiator_cannot_confirm_own_agreement
	run_test test_R26_notices_bundled_per_receiver
	run_test test_R25_R26_every_answer_signed_valid_sent_once
}
