#!/usr/bin/env bash
# tests/hostile/run.sh — drop the hostile corpus (tests/hostile/gen.sh) through the real
# entrustd in daemon mode and check every case: the reason file with the expected code (or
# the file left alone), a signed negative ack exactly when the sender is identifiable, no
# effect on the store (canaries at the end), the daemon still running, RSS bounded.
# 敌意输入测试：经真实守护进程投递全部样本并逐一检查。
#
# usage: tests/hostile/run.sh [BIN_DIR]        (default ./bin; `make hostile`)
#   KEEP=1          keep the temporary directory
#   STRICT=1        known gaps count as failures
#   HOSTILE_RSS_MB  peak RSS allowed (VmHWM), default 256
#   HOSTILE_CASE_S  seconds one big case may take, default 10
# Prints one line per failed case (and per known gap), per-class counts, and last
# "hostile: N passed, M failed" (+ known gaps); exits 1 when a case failed.
set -u
export LC_ALL=C
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

BIN=${1:-$H_REPO/bin}
RSS_MB=${HOSTILE_RSS_MB:-256}
CASE_S=${HOSTILE_CASE_S:-10}
START=$(date +%s)
DEADLINE=$((START + ${HOSTILE_DEADLINE_S:-300}))	# a stalled daemon must not hang the suite
STALLS=""

T=$(mktemp -d "${TMPDIR:-/tmp}/entrust-hostile.XXXXXX") || exit 1
H_DPID=""
cleanup() {
	h_daemon_stop >/dev/null 2>&1
	jobs -p | xargs -r kill 2>/dev/null
	if [ "${KEEP:-0}" = 1 ]; then echo "# kept $T"; else rm -rf -- "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

PKI=$T/pki REG=$T/parties.conf SPOOL=$T/spool STORE=$T/store CONF=$T/entrustd.conf
LOG=$T/daemon.log CORPUS=$T/corpus D=$T/docs RES=$T/results.tsv
H_LOG=$T/openssl.log
mkdir -p "$T/bin" "$D" "$SPOOL/inbound"
: >"$RES"

fatal() {
	echo "not ok - setup: $*"
	echo "hostile: 0 passed, 1 failed"
	exit 1
}

# Our own copy of the binaries: other work may rebuild bin/ while we run.
for b in entrustd entrustctl; do
	cp "$BIN/$b" "$T/bin/$b" || fatal "no $BIN/$b (run make)"
done
ENTRUSTD=$T/bin/entrustd
ctl() { timeout 20 "$T/bin/entrustctl" -c "$CONF" "$@" 2>>"$T/ctl.log"; }

# ---------------------------------------------------------------------------------------
# setup: PKI, configuration, daemon, seed and a baseline the rule cases refer to

h_pki "$PKI" "$REG" || fatal "test PKI"
"$HERE/gen.sh" pki "$PKI" "$REG" || fatal "gen.sh pki"
SETTLE_MS=200 h_conf "$CONF" "$SPOOL" "$STORE" "$PKI" "$REG" "crl_file = $PKI/crl.pem"
H_CONF=$CONF
"$ENTRUSTD" -c "$CONF" -n >/dev/null 2>&1 || fatal "entrustd -n refuses $CONF"
h_daemon_start "$CONF" "$LOG" || fatal "entrustd did not start (see $LOG)"
DPID=$H_DPID
h_seed "$SPOOL" "$D" "$PKI" "$DPID" || fatal "seed (registration, approval, top-ups) not accepted"

# wait_idle SECONDS WHAT — h_wait_idle within the suite's deadline; a timeout is a stall
wait_idle() {
	local left=$((DEADLINE - $(date +%s)))
	[ "$left" -lt 5 ] && left=5
	h_wait_idle "$SPOOL" $(($1 < left ? $1 : left)) "$DPID" && return 0
	STALLS="$STALLS $2"
	return 1
}

# base NAME STEM DOC — deliver one baseline envelope and wait
base() {
	h_sign "$2" "$3" "$D/$1" DER "$PKI" || fatal "sign $1"
	h_drop "$D/$1" "$1" "$SPOOL" && h_wait_idle "$SPOOL" 30 "$DPID" || fatal "baseline $1 not processed"
}
# ack_of PARTY MSGID OUT — the XML of an ack
ack_of() {
	h_open_signed "$SPOOL/outbound/$1/ACK_$2.p7m" "$3" "$PKI" >/dev/null || fatal "no valid ack $1/ACK_$2.p7m"
}

h_request_xml BASE-C1-0001 "$C1" "$C1" "$BR" new "$(h_agreement_xml b1 笔记本电脑 consignor 0 RULE-BASE-1)
$(h_agreement_xml b2 显示器 consignor 0 RULE-BASE-2)" >"$D/base1.xml"
base base1.p7m consignor "$D/base1.xml"
ack_of "$C1" BASE-C1-0001 "$D/base1.ack.xml"
[ "$(h_xp "$D/base1.ack.xml" /Ack/Outcome)" = accepted ] || fatal "baseline request refused: $(h_xp "$D/base1.ack.xml" /Ack/Error/@code)"
L1=$(h_xp "$D/base1.ack.xml" /Ack/Letter/Number)
A1=$(h_xp "$D/base1.ack.xml" '/Ack/Agreement[1]/Number')
A2=$(h_xp "$D/base1.ack.xml" '/Ack/Agreement[2]/Number')
h_request_xml BASE-C3-0001 "$C3" "$C3" "$BR" new "$(h_agreement_xml b3 服务器 consignor 0 RULE-BASE-3)" >"$D/base2.xml"
base base2.p7m consignor3 "$D/base2.xml"
ack_of "$C3" BASE-C3-0001 "$D/base2.ack.xml"
L3=$(h_xp "$D/base2.ack.xml" /Ack/Letter/Number)
A3=$(h_xp "$D/base2.ack.xml" /Ack/Agreement/Number)
h_doc EntrustConfirm BASE-BR-0001 "$BR" "  <Letter>$L1</Letter>
  <Decision>
    <Agreement>$A2</Agreement>
    <Accept>true</Accept>
    <BrokerHalf><DocumentsReceived>contract</DocumentsReceived><ReceivedOn>2026-12-03</ReceivedOn><Fee>1.00</Fee></BrokerHalf>
  </Decision>" >"$D/base3.xml"
base base3.p7m broker "$D/base3.xml"
ack_of "$BR" BASE-BR-0001 "$D/base3.ack.xml"
[ "$(h_xp "$D/base3.ack.xml" /Ack/Outcome)" = accepted ] || fatal "baseline confirmation refused: $(h_xp "$D/base3.ack.xml" /Ack/Error/@code)"
h_request_xml BASE-C1-REFUSED "$C1" "$C1" "$BR" append "$(h_agreement_xml r 笔 consignor 0 RULE-BASE-9 9999)" >"$D/base4.xml"
base base4.p7m consignor "$D/base4.xml"
ack_of "$C1" BASE-C1-REFUSED "$D/base4.ack.xml"
[ "$(h_xp "$D/base4.ack.xml" /Ack/Outcome)" = refused ] || fatal "baseline refusal was not refused"
for v in L1 A1 A2 L3 A3; do
	[ -n "${!v}" ] || fatal "baseline: no $v in the acks"
done

# ---------------------------------------------------------------------------------------
# the corpus

GEN_START=$(date +%s)
L1=$L1 A1=$A1 A2=$A2 L3=$L3 A3=$A3 REPLAY_OK=$D/base1.p7m MSG_OK=BASE-C1-0001 \
	REPLAY_REFUSED=$D/base4.p7m MSG_REFUSED=BASE-C1-REFUSED \
	"$HERE/gen.sh" corpus "$PKI" "$CORPUS" 2>"$T/gen.log" || fatal "gen.sh corpus: $(tail -1 "$T/gen.log")"
GEN_S=$(($(date +%s) - GEN_START))
FILES=$CORPUS/files OUTSIDE=$CORPUS/outside

# name_of NAME-FIELD — the real file name ("hex:…" decoded)
name_of() {
	if [[ $1 == hex:* ]]; then
		printf '%b' "$(sed 's/../\\x&/g' <<<"${1#hex:}")"
	else
		printf '%s' "$1"
	fi
}

# place SETUP NAME — put case NAME into inbound/ the way SETUP says (static setups only)
place() {
	local setup=$1 name=$2 in=$SPOOL/inbound t
	case $setup in
	drop) h_drop "$FILES/$name" "$name" "$SPOOL" ;;
	inplace) cp -- "$FILES/bad-name-content" "$in/$name" ;;
	sparse:*) truncate -s "${setup#sparse:}" "$in/.$name.tmp" && mv -- "$in/.$name.tmp" "$in/$name" ;;
	symlink:*)
		t=${setup#symlink:}
		[[ $t == /* ]] || t=$OUTSIDE/$t
		ln -s -- "$t" "$in/$name"
		;;
	hardlink:*) ln -- "$OUTSIDE/${setup#hardlink:}" "$in/$name" ;;
	dir) mkdir -- "$in/$name" ;;
	fifo) mkfifo -- "$in/$name" ;;
	socket) python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$in/$name" ;;
	chardev) mknod -- "$in/$name" c 1 3 ;;
	*) return 2 ;;
	esac
}

OUTSIDE_SUM=$(cd "$OUTSIDE" && sha256sum -- *.txt *.p7m)
PASSWD_SUM=$(sha256sum /etc/passwd)

# phase 1: every static case at once
while IFS=$'\t' read -r class nfield expect ack msgid setup gap; do
	case $setup in big | grow-* | rewrite | held-open | replay | burst) continue ;; esac
	place "$setup" "$(name_of "$nfield")" || echo "# cannot place $nfield ($setup)" >>"$T/place.log"
done <"$CORPUS/cases.tsv"
wait_idle 180 static
PHASE1_OK=$?
kill -0 "$DPID" 2>/dev/null && HWM1=$(awk '/VmHWM/ {print $2}' /proc/"$DPID"/status) || HWM1=0
PHASE_S="static $(($(date +%s) - GEN_START - GEN_S)) s"

# drop_setup KIND — every case of that setup at once
drop_setup() {
	while IFS=$'\t' read -r class nfield expect ack msgid setup gap; do
		[ "$setup" = "$1" ] && h_drop "$FILES/$nfield" "$nfield" "$SPOOL"
	done <"$CORPUS/cases.tsv"
}

# replays (dropped together)
t0=$(date +%s)
drop_setup replay
wait_idle 60 replay
PHASE_S="$PHASE_S, replay $(($(date +%s) - t0)) s"
t0=$(date +%s)

# phase 2: big cases one at a time, each with its time and peak RSS
declare -A CASE_MS CASE_KB
while IFS=$'\t' read -r class nfield expect ack msgid setup gap; do
	[ "$setup" = big ] || continue
	kill -0 "$DPID" 2>/dev/null || break
	echo 5 >/proc/"$DPID"/clear_refs 2>/dev/null	# reset VmHWM
	t1=$(date +%s%N)
	h_drop "$FILES/$nfield" "$nfield" "$SPOOL"
	wait_idle 120 "$nfield"
	CASE_MS[$nfield]=$((($(date +%s%N) - t1) / 1000000))
	CASE_KB[$nfield]=$(awk '/VmHWM/ {print $2}' /proc/"$DPID"/status 2>/dev/null || echo 0)
done <"$CORPUS/cases.tsv"

PHASE_S="$PHASE_S, big $(($(date +%s) - t0)) s"
t0=$(date +%s)

# phase 3: writers still at work
declare -A GROW_NOTE
in_inbound() { [ -e "$SPOOL/inbound/$1" ]; }
while IFS=$'\t' read -r class nfield expect ack msgid setup gap; do
	f=$FILES/$nfield
	case $setup in
	grow-settle)	# the whole envelope, in place, 256 bytes every 50 ms (settle is 200 ms)
		python3 - "$f" "$SPOOL/inbound/$nfield" <<'EOF'
import sys, time
data = open(sys.argv[1], "rb").read()
with open(sys.argv[2], "wb") as out:
    for i in range(0, len(data), 256):
        out.write(data[i:i + 256]); out.flush(); time.sleep(0.05)
EOF
		;;
	grow-stall)	# half, a pause longer than settle + rescan with the file open, then the rest:
		# never taken while its writer has it open (issue #2), so taken whole
		python3 - "$f" "$SPOOL/inbound/$nfield" <<'EOF' &
import sys, time
data = open(sys.argv[1], "rb").read()
with open(sys.argv[2], "wb") as out:
    out.write(data[:len(data) // 2]); out.flush(); time.sleep(2.5)
    out.write(data[len(data) // 2:]); out.flush()
EOF
		wpid=$!
		sleep 2
		in_inbound "$nfield" && GROW_NOTE[$nfield]=left-alone-while-open || GROW_NOTE[$nfield]=taken-while-open
		wait "$wpid"
		;;
	grow-forever)	# 1 KiB every 50 ms for 3 s: never settled while it grows
		python3 - "$SPOOL/inbound/$nfield" <<'EOF' &
import os, sys, time
with open(sys.argv[1], "wb") as out:
    for _ in range(60):
        out.write(os.urandom(1024)); out.flush(); time.sleep(0.05)
EOF
		wpid=$!
		sleep 2
		in_inbound "$nfield" && GROW_NOTE[$nfield]=left-alone-while-growing || GROW_NOTE[$nfield]=taken-while-growing
		wait "$wpid"
		;;
	rewrite)	# settled, then rewritten in place every millisecond for 2 s
		python3 - "$f" "$SPOOL/inbound/$nfield" <<'EOF'
import os, random, sys, time
data = open(sys.argv[1], "rb").read()
fd = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
os.write(fd, data)
time.sleep(0.3)
end = time.time() + 2
while time.time() < end:
    os.pwrite(fd, os.urandom(1), random.randrange(len(data)))
    if random.random() < 0.05:
        os.ftruncate(fd, random.randrange(len(data)))
    time.sleep(0.001)
os.close(fd)
EOF
		;;
	held-open)	# whole and settled, but the writer keeps its descriptor for 2 s, then
		# changes a signed byte of the content and closes: never taken while open,
		# so the bytes judged (and archived) are the final ones, refused SIG_INVALID
		python3 - "$f" "$SPOOL/inbound/$nfield" <<'EOF' &
import os, sys, time
data = open(sys.argv[1], "rb").read()
fd = os.open(sys.argv[2], os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
os.write(fd, data)
time.sleep(2)
os.pwrite(fd, b"HOS-HELD-SHUT", data.index(b"HOS-HELD-OPEN"))
os.close(fd)
EOF
		wpid=$!
		sleep 1.5
		in_inbound "$nfield" && GROW_NOTE[$nfield]=left-alone-while-open || GROW_NOTE[$nfield]=taken-while-open
		wait "$wpid"
		;;
	*) continue ;;
	esac
	wait_idle 30 "$nfield"
done <"$CORPUS/cases.tsv"

PHASE_S="$PHASE_S, writers $(($(date +%s) - t0)) s"

# global checks, each recorded as a case of class "daemon" or "store"
# (kept until the per-case results are recorded, then recorded after them)
GLOBS=()
glob() {	# class name condition-result why
	GLOBS+=("$1"$'\t'"$2"$'\t'"$3"$'\t'"$4")
}
kill -0 "$DPID" 2>/dev/null
glob daemon still-running $? "entrustd (pid $DPID) died during the run; see $LOG"
glob daemon drained "$PHASE1_OK" "the spool did not drain within 180 s ($(h_pending "$SPOOL") pending)"
[ -z "$(ls -A "$SPOOL/work" 2>/dev/null)" ]
glob daemon work-empty $? "files left in work/: $(ls "$SPOOL/work" | head -3 | tr '\n' ' ')"
[ "$HWM1" -le $((RSS_MB * 1024)) ]
glob daemon rss-bounded $? "VmHWM $((HWM1 / 1024)) MiB after the static cases (limit $RSS_MB)"
[ -z "$(find "$SPOOL/outbound" -name '.*')" ]
glob daemon no-staging-left $? "staging files left in outbound/: $(find "$SPOOL/outbound" -name '.*' | head -3)"
! grep -rqa 'root:x:0:0' "$SPOOL/error" "$SPOOL/outbound" "$LOG" "$SPOOL/log" 2>/dev/null
glob daemon no-file-disclosure $? "/etc/passwd content appears in error/, outbound/ or the log"
[ "$OUTSIDE_SUM" = "$(cd "$OUTSIDE" && sha256sum -- *.txt *.p7m)" ] && [ "$PASSWD_SUM" = "$(sha256sum /etc/passwd)" ]
glob daemon outside-untouched $? "a file outside the spool changed"

# canaries: if any case had been applied, the numbers would have moved on
canary() {	# NAME STEM DOC PARTY MSGID
	h_sign "$2" "$3" "$D/$1" DER "$PKI" && h_drop "$D/$1" "$1" "$SPOOL" && wait_idle 30 "$1" &&
		h_open_signed "$SPOOL/outbound/$4/ACK_$5.p7m" "$D/$1.ack.xml" "$PKI" >/dev/null
}
inc() { printf "%0${#1}d" $((10#$1 + 1)); }
h_request_xml CANARY-C1 "$C1" "$C1" "$BR" append "$(h_agreement_xml c 鼠标 consignor 0 CANARY-1)" >"$D/canary1.xml"
if canary canary1.p7m consignor "$D/canary1.xml" "$C1" CANARY-C1; then
	x=$D/canary1.p7m.ack.xml
	[ "$(h_xp "$x" /Ack/Outcome)/$(h_xp "$x" /Ack/Letter/Number)/$(h_xp "$x" /Ack/Agreement/Number)" = "accepted/$L1/$(inc "$A3")" ]
	glob store agreement-counter $? "canary got $(h_xp "$x" /Ack/Outcome) letter $(h_xp "$x" /Ack/Letter/Number) agreement $(h_xp "$x" /Ack/Agreement/Number), want $L1 $(inc "$A3"): a case changed the store"
else
	glob store agreement-counter 1 "canary request not answered"
fi
h_request_xml CANARY-C2 "$C2" "$C2" "$BR" new "$(h_agreement_xml c 鼠标 consignor 0 CANARY-2)" >"$D/canary2.xml"
if canary canary2.p7m consignor2 "$D/canary2.xml" "$C2" CANARY-C2; then
	x=$D/canary2.p7m.ack.xml
	[ "$(h_xp "$x" /Ack/Outcome)/$(h_xp "$x" /Ack/Letter/Number)" = "accepted/$(inc "$L3")" ]
	glob store letter-counter $? "canary got $(h_xp "$x" /Ack/Outcome) letter $(h_xp "$x" /Ack/Letter/Number), want $(inc "$L3"): a case changed the store"
else
	glob store letter-counter 1 "canary request not answered"
fi
# last, because a stall there would stop everything after it: a burst of replays of one
# MessageId together with a rule refusal
t0=$(date +%s)
drop_setup burst
wait_idle 30 burst
BURST_OK=$?
PHASE_S="$PHASE_S, burst $(($(date +%s) - t0)) s"
# peak RSS over the whole run: VmHWM is reset before each big case, so take the largest reading
HWM_END=$(awk '/VmHWM/ {print $2}' /proc/"$DPID"/status 2>/dev/null || echo 0)
PEAK_KB=$HWM1 PEAK_AT="the static cases"
for n in "${!CASE_KB[@]}"; do
	[ "${CASE_KB[$n]:-0}" -gt "$PEAK_KB" ] && PEAK_KB=${CASE_KB[$n]} PEAK_AT=$n
done
[ "${HWM_END:-0}" -gt "$PEAK_KB" ] && PEAK_KB=$HWM_END PEAK_AT="the writers, canaries and burst"
[ "$PEAK_KB" -le $((RSS_MB * 1024)) ]
glob daemon rss-peak-bounded $? "peak VmHWM $((PEAK_KB / 1024)) MiB during $PEAK_AT (limit $RSS_MB)"
h_daemon_stop
glob daemon clean-exit $? "entrustd did not exit 0 on SIGTERM"
[ "$BURST_OK" = 0 ]
glob daemon burst-drained $? "a burst of replays of one MessageId never left work/ ($(ls "$SPOOL/work" | wc -l) files; $(grep -c 'cannot write' "$SPOOL/log/entrustd.log") failed outbound writes logged)"
[ -z "$STALLS" ]
glob daemon no-stall $? "the spool stopped draining during:$STALLS"
s="$(ctl show agreement "$A1" --json | jq -r .status)$(ctl show agreement "$A2" --json | jq -r .status)$(ctl show agreement "$A3" --json | jq -r .status)"
[ "$s" = 010 ]
glob store statuses $? "statuses of A1 A2 A3 are $s, want 0 1 0"
s=$(ctl show letter "$L1" --json | jq -c '[.agreements[]|tostring]|sort')
[ "$s" = "$(printf '%s\n' "$A1" "$A2" "$(inc "$A3")" | jq -R . | jq -sc sort)" ]
glob store letter-agreements $? "letter $L1 holds $s"

# ---------------------------------------------------------------------------------------
# checks

declare -A ERR ARC
index_spool() {
	local f b
	for f in "$SPOOL"/error/E* "$SPOOL"/archive/*/E*; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		b=${f##*/}
		[[ $b == *.reason ]] && continue
		[[ $b =~ ^(E[0-9]{19})_(.*)$ ]] || continue
		case $f in
		*/error/*) ERR[${BASH_REMATCH[2]}]+="${BASH_REMATCH[1]} " ;;
		*) ARC[${BASH_REMATCH[2]}]+="${BASH_REMATCH[1]} " ;;
		esac
	done
}
index_spool

WHY=""
# one case: 0 pass, 1 fail (WHY says why)
check_case() {
	local class=$1 name=$2 expect=$3 ack=$4 msgid=$5 setup=$6 id e a r code ackf x codes want
	WHY=""
	if [ "$expect" = ignored ]; then
		[ -e "$SPOOL/inbound/$name" ] || { WHY="taken from inbound/ (must be left alone)"; return 1; }
		[ -z "${ERR[$name]:-}${ARC[$name]:-}" ] || { WHY="processed (must be left alone)"; return 1; }
		return 0
	fi
	e=${ERR[$name]:-} a=${ARC[$name]:-}
	if [ -e "$SPOOL/inbound/$name" ] || [ -L "$SPOOL/inbound/$name" ]; then
		WHY="still in inbound/"
		return 1
	fi
	[ "$(wc -w <<<"$e $a")" -eq 1 ] || { WHY="expected once in error/ or archive/, found error:[$e] archive:[$a]"; return 1; }
	id=$(tr -d ' ' <<<"$e$a")
	case $expect in
	accepted | replay)
		[ -n "$a" ] || { WHY="refused: $(sed -n 's/^code: //p' "$SPOOL/error/${id}_$name.reason")"; return 1; }
		;;
	*)
		[ -n "$e" ] || { WHY="accepted (archived), expected $expect"; return 1; }
		r=$SPOOL/error/${id}_$name.reason
		[ -f "$r" ] || { WHY="no reason file"; return 1; }
		code=$(sed -n 's/^code: //p' "$r")
		WHY="code $code"
		if [ "$expect" != refused ] && [[ "|$expect|" != *"|$code|"* ]]; then
			WHY="reason code $code, want $expect ($(sed -n 's/^detail: //p' "$r" | cut -c1-100))"
			return 1
		fi
		grep -q '^zh: ..' "$r" && grep -q '^en: ..' "$r" || { WHY="reason file lacks zh:/en:"; return 1; }
		[ "$(sed -n 's/^file: //p' "$r")" = "$name" ] || { WHY="reason file: line is not $name"; return 1; }
		[ "$(sed -n 's/^id: //p' "$r")" = "$id" ] || { WHY="reason id: line is not $id"; return 1; }
		;;
	esac
	# acks: exactly when the signer is a bound party
	if [ "$ack" = - ]; then
		x=$(find "$SPOOL/outbound" -name "ACK_$id.p7m" | head -1)
		[ -z "$x" ] || { WHY="$WHY; an ack was sent ($x) to an unidentified sender"; return 1; }
		return 0
	fi
	ackf=""
	[ "$msgid" != - ] && [ -f "$SPOOL/outbound/$ack/ACK_$msgid.p7m" ] && ackf=$SPOOL/outbound/$ack/ACK_$msgid.p7m
	[ -z "$ackf" ] && [ -f "$SPOOL/outbound/$ack/ACK_$id.p7m" ] && ackf=$SPOOL/outbound/$ack/ACK_$id.p7m
	[ -n "$ackf" ] || { WHY="$WHY; no ack ACK_${msgid/-/$id}.p7m for $ack"; return 1; }
	x=$T/ack.xml
	r=$(h_open_signed "$ackf" "$x" "$PKI") || { WHY="$WHY; ack $r"; return 1; }
	case $expect in
	replay)
		if [ "$msgid" = BASE-C1-0001 ]; then want=$D/base1.ack.xml; else want=$D/base4.ack.xml; fi
		cmp -s "$x" "$want" || { WHY="replay answered differently from the first time"; return 1; }
		return 0
		;;
	accepted)
		[ "$(h_xp "$x" /Ack/Outcome)" = accepted ] || { WHY="ack Outcome $(h_xp "$x" /Ack/Outcome)"; return 1; }
		;;
	*)
		[ "$(h_xp "$x" /Ack/Outcome)" = refused ] || { WHY="$WHY; ack Outcome $(h_xp "$x" /Ack/Outcome)"; return 1; }
		codes=" $(h_xall "$x" //Error/@code | tr '\n' ' ')"
		[[ $codes == *" $code "* ]] || { WHY="$WHY; ack codes [$codes] lack $code"; return 1; }
		[ "$(h_xc "$x" "/Ack/Agreement[@outcome='accepted']")" = 0 ] || { WHY="$WHY; ack accepts agreements"; return 1; }
		;;
	esac
	[ "$(h_xp "$x" /Ack/InReplyTo/File)" = "$name" ] || { WHY="$WHY; ack InReplyTo/File is $(h_xp "$x" /Ack/InReplyTo/File)"; return 1; }
	if [ "$setup" = drop ] || [ "$setup" = big ] || [ "$setup" = burst ]; then
		[ "$(h_xp "$x" /Ack/InReplyTo/Sha256)" = "$(sha256sum <"$FILES/$name" | cut -c1-64)" ] ||
			{ WHY="$WHY; ack InReplyTo/Sha256 is not the envelope's"; return 1; }
	fi
	return 0
}

declare -A CN CP CF CG
CLASSES=()
record() {	# class name result detail
	[ -n "${CN[$1]:-}" ] || CLASSES+=("$1")
	CN[$1]=$((${CN[$1]:-0} + 1))
	case $3 in
	PASS) CP[$1]=$((${CP[$1]:-0} + 1)) ;;
	FAIL) CF[$1]=$((${CF[$1]:-0} + 1)); echo "not ok - $1/$2: $4" ;;
	GAP) CG[$1]=$((${CG[$1]:-0} + 1)); echo "known gap - $1/$2: $4" ;;
	esac
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$RES"
}

while IFS=$'\t' read -r class nfield expect ack msgid setup gap; do
	name=$(name_of "$nfield")
	shown=$nfield
	if check_case "$class" "$name" "$expect" "$ack" "$msgid" "$setup"; then
		res=PASS
	else
		res=FAIL
	fi
	if [ "$setup" = big ]; then
		WHY="$WHY; ${CASE_MS[$nfield]:-?} ms, VmHWM $((${CASE_KB[$nfield]:-0} / 1024)) MiB"
		if [ "${CASE_MS[$nfield]:-999999}" -gt $((CASE_S * 1000)) ]; then
			res=FAIL
			WHY="$WHY; took longer than ${CASE_S} s (the daemon answers nobody meanwhile)"
		fi
		if [ "${CASE_KB[$nfield]:-0}" -gt $((RSS_MB * 1024)) ]; then
			[ $res = PASS ] && res=FAIL
			WHY="$WHY; peak RSS over ${RSS_MB} MiB"
		fi
	fi
	case $setup in grow-forever | grow-stall | held-open)
		WHY="$WHY; ${GROW_NOTE[$nfield]:-?}"
		[[ "${GROW_NOTE[$nfield]:-}" == left-alone-while-* ]] || res=FAIL
	esac
	if [ $res = FAIL ] && [ "$gap" != - ] && [ "${STRICT:-0}" != 1 ]; then
		res=GAP
		WHY="$gap ($WHY)"
	fi
	record "$class" "$shown" $res "$WHY"
done <"$CORPUS/cases.tsv"

for g in "${GLOBS[@]}"; do
	IFS=$'\t' read -r c n r w <<<"$g"
	if [ "$r" = 0 ]; then record "$c" "$n" PASS ""; else record "$c" "$n" FAIL "$w"; fi
done

# ---------------------------------------------------------------------------------------
# summary

echo "# class                          cases  pass  fail  gap"
total=0 pass=0 failn=0 gaps=0
for c in "${CLASSES[@]}"; do
	printf '# %-30s %5d %5d %5d %4d\n' "$c" "${CN[$c]}" "${CP[$c]:-0}" "${CF[$c]:-0}" "${CG[$c]:-0}"
	total=$((total + CN[$c])) pass=$((pass + ${CP[$c]:-0})) failn=$((failn + ${CF[$c]:-0})) gaps=$((gaps + ${CG[$c]:-0}))
done
echo "# $total cases in ${#CLASSES[@]} classes; corpus generated in ${GEN_S} s; $PHASE_S; run $(($(date +%s) - START)) s; VmHWM $((HWM1 / 1024)) MiB after the static cases, peak $((PEAK_KB / 1024)) MiB (during $PEAK_AT)"
cp "$RES" "${HOSTILE_RESULTS:-/dev/null}" 2>/dev/null
echo "hostile: $pass passed, $failn failed, $gaps known gaps"
[ "$failn" -eq 0 ]
