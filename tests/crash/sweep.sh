#!/usr/bin/env bash
# tests/crash/sweep.sh — a deterministic sweep over the pipeline's durable steps: with the
# LD_PRELOAD shim (faultshim.so) the daemon is stopped (kill -9) or hit by a failing system
# call at the Nth write/fsync/rename/unlink/creating open, for N = 1, 2, … in turn; after each,
# the daemon runs again without faults and the end state must be exact.
# 逐步故障扫描：在第 N 个持久化步骤处杀死进程或令系统调用失败，然后检查恢复结果。
#
# usage: tests/crash/sweep.sh MODE [BIN_DIR]
#   MODE  kill        SIGKILL just before the Nth call
#         kill-after  SIGKILL just after it
#         fail        the Nth call fails (FAULT_ERRNO: EIO by default, or ENOSPC)
#   CRASH_PROFILE=light (default: 10 steps, evenly spread) | heavy (every step)
#   SWEEP_MAX=K  at most K steps, evenly spread (0 = every step)
#   KEEP=1       keep the temporary directory
# The batch: an accepted request, a request refused by a rule (R12), and an envelope refused
# before apply (XSD) — each needs an ack; the accepted one a notice too.
# After a failing call, before the clean run: no envelope may have left work/ unless its
# ack is already whole in outbound/ (copy first, delete second).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
MODE=${1:-kill}
BIN=${2:-$H_REPO/bin}
case ${CRASH_PROFILE:-light} in
heavy) MAX=${SWEEP_MAX:-0} ;;
*) MAX=${SWEEP_MAX:-10} ;;
esac
ERRNO=${FAULT_ERRNO:-EIO}
START=$(date +%s)
T=$(mktemp -d "${TMPDIR:-/tmp}/entrust-sweep.XXXXXX") || exit 1
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "# kept $T"; else rm -rf -- "$T"; fi; }
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

SHIM=$(c_shim) || { echo "not ok - faultshim.so cannot be built"; exit 1; }
RUN=$T/run
SPOOL=$RUN/spool
if ! c_setup "$RUN" "$BIN" >/dev/null; then
	echo "not ok - setup"
	echo "crash-sweep-$MODE: 0 passed, 1 failed"
	exit 1
fi
# the batch
h_request_xml SWEEP-OK "$C1" "$C1" "$BR" new "$(h_agreement_xml a 集成电路 consignor 0 SWB1)" >"$T/ok.xml"
h_request_xml SWEEP-R12 "$C2" "$C2" "$BR" new "$(h_agreement_xml a 集成电路 consignor 0 SWB2 9999)" >"$T/r12.xml"
h_request_xml SWEEP-XSD "$C1" "$C1" "$BR" new "$(h_agreement_xml a 集成电路 consignor 0 SWB3)" | sed 's/version="1"/version="9"/' >"$T/xsd.xml"
h_sign consignor "$T/ok.xml" "$SPOOL/inbound/a-ok.p7m" DER "$PKI"
h_sign consignor2 "$T/r12.xml" "$SPOOL/inbound/b-r12.p7m" DER "$PKI"
h_sign consignor "$T/xsd.xml" "$SPOOL/inbound/c-xsd.p7m" DER "$PKI"
cp -a "$RUN" "$T/base"

# run_once [fault environment…] — one `entrustd --once` in RUN; prints the exit status
run_once() {
	env "$@" timeout 60 "$ENTRUSTD" -c "$CONF" --once >>"$T/daemon.log" 2>&1
	echo $?
}

# the reference run: how many steps, and which
rm -f "$T/trace.ref"
rc=$(run_once LD_PRELOAD="$SHIM" FAULT_PATH="$RUN" FAULT_SKIP=/log/ FAULT_TRACE="$T/trace.ref")
STEPS=$(wc -l <"$T/trace.ref")
if [ "$rc" != 0 ] || [ "$STEPS" -lt 5 ]; then
	echo "not ok - reference run (exit $rc, $STEPS steps counted)"
	echo "crash-sweep-$MODE: 0 passed, 1 failed"
	exit 1
fi
LIDX=$(awk '{print $2}' "$T/trace.ref" | sort | uniq -c | awk '{printf "%s %s, ", $1, $2}')

# durable_now — after a faulted run: every envelope out of work/ has its whole ack
durable_now() {
	local f n
	for n in a-ok b-r12 c-xsd; do
		f=$(find "$SPOOL/archive" "$SPOOL/error" -name "E*_$n.p7m" | head -1)
		[ -n "$f" ] || continue
		case $n in
		a-ok) f=$SPOOL/outbound/$C1/ACK_SWEEP-OK.p7m ;;
		b-r12) f=$SPOOL/outbound/$C2/ACK_SWEEP-R12.p7m ;;
		c-xsd) f=$(find "$SPOOL/outbound/$C1" -name 'ACK_E*.p7m' | head -1) ;;
		esac
		[ -n "$f" ] && [ "$(c_ack_info "$f" | awk '{print $2}')" != BAD ] || { echo "$n left work/ before its ack was written"; return 1; }
	done
}

# final_state — after the clean run: the exact end state; prints why not
final_state() {
	local f x e
	[ -z "$(ls -A "$SPOOL/work")" ] || { echo "work/ not empty: $(ls "$SPOOL/work")"; return 1; }
	[ "$(find "$SPOOL/archive" -name 'E*_a-ok.p7m' | wc -l)/$(find "$SPOOL/error" -name 'E*_a-ok.p7m' | wc -l)" = 1/0 ] ||
		{ echo "a-ok.p7m not once in archive/"; return 1; }
	for e in b-r12:CODE_UNKNOWN c-xsd:XML_INVALID; do
		f=$(find "$SPOOL/error" -name "E*_${e%%:*}.p7m")
		[ "$(wc -l <<<"$f")" = 1 ] && [ -n "$f" ] && [ -z "$(find "$SPOOL/archive" -name "E*_${e%%:*}.p7m")" ] ||
			{ echo "${e%%:*}.p7m not once in error/ (archive: $(find "$SPOOL/archive" -name "E*_${e%%:*}.p7m" | wc -l))"; return 1; }
		grep -q "^code: ${e#*:}$" "$f.reason" 2>/dev/null || { echo "${e%%:*}.p7m has no reason file with ${e#*:}"; return 1; }
	done
	x=$(c_ack_info "$SPOOL/outbound/$C1/ACK_SWEEP-OK.p7m")
	[ "$(awk '{print $2}' <<<"$x")" = accepted ] || { echo "ACK_SWEEP-OK: $x"; return 1; }
	[ "$(c_ack_info "$SPOOL/outbound/$C2/ACK_SWEEP-R12.p7m" | awk '{print $2}')" = refused ] || { echo "no refused ACK_SWEEP-R12"; return 1; }
	[ "$(find "$SPOOL/outbound/$C1" -name 'ACK_E*.p7m' | wc -l)" = 1 ] || { echo "not one ACK_<ID> for c-xsd"; return 1; }
	[ "$(c_ack_info "$(find "$SPOOL/outbound/$C1" -name 'ACK_E*.p7m' | head -1)" | awk '{print $2}')" = refused ] || { echo "bad ACK_<ID>"; return 1; }
	[ "$(find "$SPOOL/outbound/$BR" -name 'NTC_*.p7m' | wc -l)" -eq "$NTC0" ] || { echo "$(find "$SPOOL/outbound/$BR" -name 'NTC_*.p7m' | wc -l) notices for the broker, want $NTC0"; return 1; }
	[ "$(ctl show letter "$(awk '{print $3}' <<<"$x")" --json | jq '.agreements|length')" = 1 ] ||
		{ echo "letter $(awk '{print $3}' <<<"$x") holds $(ctl show letter "$(awk '{print $3}' <<<"$x")" --json | jq -c .agreements)"; return 1; }
	for f in "$STORE"/*.db; do
		db5.3_verify -q -h "$STORE" "${f##*/}" >/dev/null 2>&1 || { echo "${f##*/} does not verify"; return 1; }
	done
}
# the reference end state (notices to the broker) from the reference run
NTC0=$(find "$SPOOL/outbound/$BR" -name 'NTC_*.p7m' | wc -l)
why=$(final_state) || { echo "not ok - reference end state: $why"; echo "crash-sweep-$MODE: 0 passed, 1 failed"; exit 1; }

# the steps to try
if [ "$MAX" -eq 0 ] || [ "$STEPS" -le "$MAX" ]; then
	LIST=$(seq 1 "$STEPS")
else
	LIST=$(awk -v s="$STEPS" -v m="$MAX" 'BEGIN {for (i = 0; i < m; i++) print 1 + int(i * (s - 1) / (m - 1))}' | uniq)
fi
case $MODE in
kill) FENV=(FAULT_ACTION=kill) ;;
kill-after) FENV=(FAULT_ACTION=kill-after) ;;
fail) FENV=(FAULT_ACTION=fail FAULT_ERRNO="$ERRNO") ;;
*) echo "usage: sweep.sh kill|kill-after|fail [BIN_DIR]" >&2; exit 2 ;;
esac

tried=0 killed=0 exits="" leftovers=0
for n in $LIST; do
	rm -rf "$RUN" && cp -a "$T/base" "$RUN"
	step=$(sed -n "${n}p" "$T/trace.ref" | sed "s#$RUN/##")
	rc=$(run_once LD_PRELOAD="$SHIM" FAULT_PATH="$RUN" FAULT_SKIP=/log/ FAULT_AT="$n" "${FENV[@]}")
	tried=$((tried + 1))
	[ "$rc" = 137 ] && killed=$((killed + 1))
	[ "$MODE" = fail ] && exits="$exits $rc"
	if ! why=$(durable_now); then
		c_fail "step $n ($step): after the fault" "$why"
		continue
	fi
	# the clean runs: at most three (a failed batch stays in work/ for the next one)
	for _ in 1 2 3; do
		rc2=$(run_once)
		[ "$rc2" = 0 ] && [ -z "$(ls -A "$SPOOL/work")" ] && break
	done
	leftovers=$((leftovers + $(c_staging_left)))
	if why=$(final_state); then
		C_PASS=$((C_PASS + 1))
	else
		c_fail "step $n ($step)" "$why"
	fi
done
c_check "no staging file left behind after recovery" "$([ $leftovers -eq 0 ]; echo $?)" "$leftovers .tmp files left in total"
echo "# figures: mode $MODE${FAULT_ERRNO:+ ($ERRNO)}; $STEPS durable steps in the reference run ($LIDX); tried $tried;" \
	"killed $killed; $(($(date +%s) - START)) s"
[ "$MODE" = fail ] && echo "# exit statuses of the faulted runs: $(tr ' ' '\n' <<<"$exits" | grep . | sort | uniq -c | awk '{printf "%s×%s ", $1, $2}')"
echo "crash-sweep-$MODE: $C_PASS passed, $C_FAILS failed"
[ $C_FAILS -eq 0 ]
