#!/usr/bin/env bash
# tests/crash/kill.sh — kill -9 entrustd at random moments while thousands of requests flow
# through it, restart it every time, then prove: every envelope applied exactly once, every
# ack and notice exactly once and whole, the store verifies, nothing left in work/.
# 随机 kill -9 测试：每个信封恰好处理一次，每个回执恰好一次。
#
# usage: tests/crash/kill.sh [BIN_DIR]
#   CRASH_PROFILE=light (default: 500 envelopes, 20 kills) | heavy (6000 envelopes, 200 kills)
#   CRASH_N, CRASH_KILLS   override the profile;  KEEP=1 keeps the temporary directory
# Last line: "crash-kill: N passed, M failed"; figures on "# figures:" lines.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
BIN=${1:-$H_REPO/bin}
case ${CRASH_PROFILE:-light} in
heavy) N=${CRASH_N:-6000} KILLS=${CRASH_KILLS:-200} RATE=40 ;;
*) N=${CRASH_N:-500} KILLS=${CRASH_KILLS:-20} RATE=30 ;;
esac
START=$(date +%s)
T=$(mktemp -d "${TMPDIR:-/tmp}/entrust-kill.XXXXXX") || exit 1
FEEDER=""
cleanup() {
	[ -n "$FEEDER" ] && kill "$FEEDER" 2>/dev/null
	h_daemon_stop >/dev/null 2>&1
	if [ "${KEEP:-0}" = 1 ]; then echo "# kept $T"; else rm -rf -- "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

if ! c_setup "$T" "$BIN" || ! c_stock "$T" "$N"; then
	echo "not ok - setup (see $T)"
	echo "crash-kill: 0 passed, 1 failed"
	KEEP=1
	exit 1
fi
SETUP_S=$(($(date +%s) - START))

# The feeder drops the stock at about RATE envelopes a second, the safe way (.tmp + rename).
feed() {
	local i=0 name
	while IFS=$'\t' read -r name _; do
		cp "$T/env/$name" "$SPOOL/inbound/.$name.tmp" && mv "$SPOOL/inbound/.$name.tmp" "$SPOOL/inbound/$name"
		i=$((i + 1))
		((i % 10 == 0)) && sleep "$(awk -v r="$RATE" 'BEGIN {printf "%.3f", 10 / r}')"
	done <"$T/stock.tsv"
	: >"$T/fed"
}
feed &
FEEDER=$!

# The killer: start, wait a random 0.02–1.5 s, kill -9, again.  Some kills land in
# recovery or start-up, most in the middle of batches.
kills=0 exits=""
RANDOM=${CRASH_SEED:-$$}
while [ $kills -lt "$KILLS" ]; do
	h_daemon_start "$CONF" "$LOG" >/dev/null || true
	sleep "$(awk -v r=$RANDOM 'BEGIN {printf "%.3f", 0.02 + (r % 1480) / 1000}')"
	if kill -0 "$H_DPID" 2>/dev/null; then
		kill -KILL "$H_DPID"
		wait "$H_DPID" 2>/dev/null
		kills=$((kills + 1))
	else
		wait "$H_DPID" 2>/dev/null
		exits="$exits $?"	# the daemon exited by itself: recorded, and a failure below
	fi
	H_DPID=""
done
wait "$FEEDER"
FEEDER=""
KILL_S=$(($(date +%s) - START - SETUP_S))

# The last run: drain everything, then a clean stop.
h_daemon_start "$CONF" "$LOG"
h_wait_idle "$SPOOL" 300 "$H_DPID"
c_check "the daemon drains the spool after $kills kills" $? "$(h_pending "$SPOOL") files still pending after 300 s"
sleep 1.2	# one more rescan: nothing new may appear
h_daemon_stop
c_check "clean stop after the last run (exit 0)" $? "entrustd exited non-zero on SIGTERM"
c_check "the daemon never exited by itself during the kills" "$([ -z "$exits" ]; echo $?)" "exit statuses:$exits (see $LOG)"

c_account "$T" "$T/stock.tsv"
c_verify_store
left=$(c_staging_left)
c_check "no staging file left behind (.name.tmp)" "$([ "$left" -eq 0 ]; echo $?)" \
	"$left staging files: $(find "$SPOOL" -name '.*.tmp' | head -3 | tr '\n' ' ')"

echo "# figures: profile ${CRASH_PROFILE:-light}; envelopes $N (accepted ${N_ACCEPTED:-?}, refused ${N_REFUSED:-?});" \
	"kills survived $kills; lost ${LOST:-?}; filed twice ${FILED_TWICE:-?}; applied twice ${APPLIED_TWICE:-?};" \
	"staging files left $left; setup ${SETUP_S} s, kill phase ${KILL_S} s, total $(($(date +%s) - START)) s"
echo "crash-kill: $C_PASS passed, $C_FAILS failed"
[ $C_FAILS -eq 0 ]
