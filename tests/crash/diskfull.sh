#!/usr/bin/env bash
# tests/crash/diskfull.sh — the spool on a small tmpfs that is full: the daemon keeps every
# envelope (nothing leaves work/ before its ack is whole in outbound/), never shows a partial
# file in outbound/, keeps running, retries at a bounded rate, and finishes everything once
# space returns.  Needs root (mount -t tmpfs); prints "# skip" otherwise.
# 磁盘满测试：投递目录放在写满的 tmpfs 上。
#
# usage: tests/crash/diskfull.sh [BIN_DIR]      KEEP=1 keeps the temporary directory
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
BIN=${1:-$H_REPO/bin}
N=${DISKFULL_N:-60}
FULL_S=${DISKFULL_S:-5}
START=$(date +%s)
T=$(mktemp -d "${TMPDIR:-/tmp}/entrust-diskfull.XXXXXX") || exit 1
SPOOL=$T/spool
mkdir -p "$SPOOL"
MOUNTED=0
cleanup() {
	h_daemon_stop >/dev/null 2>&1
	if [ "${KEEP:-0}" = 1 ]; then
		echo "# kept $T (tmpfs still mounted on $SPOOL: umount it)"
		return
	fi
	[ $MOUNTED = 1 ] && umount "$SPOOL"
	rm -rf -- "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

if ! mount -t tmpfs -o size=8m,mode=0755 entrust-diskfull "$SPOOL" 2>/dev/null; then
	echo "# skip: cannot mount a tmpfs (needs root)"
	echo "crash-diskfull: 0 passed, 0 failed"
	exit 0
fi
MOUNTED=1
if ! c_setup "$T" "$BIN" || ! c_stock "$T" "$N"; then
	echo "not ok - setup"
	echo "crash-diskfull: 0 passed, 1 failed"
	exit 1
fi

# Deliver everything while the daemon is stopped, then fill the file system to the brim.
while IFS=$'\t' read -r name _; do
	h_drop "$T/env/$name" "$name" "$SPOOL"
done <"$T/stock.tsv"
dd if=/dev/zero of="$SPOOL/filler" bs=64k 2>/dev/null
dd if=/dev/zero of="$SPOOL/filler2" bs=1k 2>/dev/null
sync
echo "# spool: $(df -k --output=avail "$SPOOL" | tail -1) KiB free after the filler"

h_daemon_start "$CONF" "$T/daemon.stderr" || { c_fail "daemon starts on a full spool" "exited at once"; }
sleep "$FULL_S"
kill -0 "$H_DPID" 2>/dev/null
c_check "the daemon keeps running on a full spool" $? "it exited (see $T/daemon.stderr)"

# Nothing may have left work/ without its whole ack; nothing partial in outbound/.
early=0 unsafe=""
while IFS=$'\t' read -r name msgid sender expect _; do
	f=$(find "$SPOOL/archive" "$SPOOL/error" -name "E*_$name" 2>/dev/null | head -1)
	[ -n "$f" ] || continue
	early=$((early + 1))
	a=$SPOOL/outbound/$sender/ACK_$msgid.p7m
	[ -f "$a" ] && [ "$(c_ack_info "$a" | awk '{print $2}')" != BAD ] || unsafe="$unsafe $name"
done <"$T/stock.tsv"
c_check "no envelope left work/ before its ack was whole ($early of $N left it)" "$([ -z "$unsafe" ]; echo $?)" \
	"without a whole ack:$unsafe"
python3 "$HERE/hubfiles.py" "$SPOOL/outbound" >"$T/hub-full.txt"
c_check "no partial file visible in outbound/ while full" "$(awk '$5 != 1' "$T/hub-full.txt" | grep -q .; [ $? -ne 0 ]; echo $?)" \
	"partial: $(awk '$5 != 1 {print $1}' "$T/hub-full.txt" | head -3 | tr '\n' ' ')"
# backing off: how often one outbound file was attempted while the disk was full
tries=$(grep -o 'error [A-Z]*_[^:]*: to=[^ ]* error="cannot write' "$T/daemon.stderr" | sort | uniq -c | sort -rn | awk 'NR == 1 {print $1}')
rate=$(awk -v t="${tries:-0}" -v s="$FULL_S" 'BEGIN {printf "%.1f", t / s}')
echo "# while full: one outbound file was attempted ${tries:-0} times in ${FULL_S} s ($rate/s; rescan_s is 1)"
c_check "retries are paced (≤ 3 attempts per file per second while full)" "$(awk -v r="$rate" 'BEGIN {exit !(r <= 3)}'; echo $?)" "$rate attempts/s"

# Space returns: everything must be finished, exactly once.
rm -f "$SPOOL/filler" "$SPOOL/filler2"
t0=$(date +%s)
h_wait_idle "$SPOOL" 60 "$H_DPID"
c_check "the daemon finishes the spool once space returns ($(($(date +%s) - t0)) s)" $? "$(h_pending "$SPOOL") still pending after 60 s"
sleep 1.2
h_daemon_stop
c_check "clean stop" $? "entrustd exited non-zero on SIGTERM"
c_account "$T" "$T/stock.tsv"
c_verify_store
left=$(c_staging_left)
c_check "no staging file left behind" "$([ "$left" -eq 0 ]; echo $?)" "$(find "$SPOOL" -name '.*.tmp' | head -3 | tr '\n' ' ')"
echo "# figures: $N envelopes on an 8 MiB tmpfs full for ${FULL_S} s: $early left work/ while full; $rate attempts/s per file; lost ${LOST:-?}; applied twice ${APPLIED_TWICE:-?}; $(($(date +%s) - START)) s"
echo "crash-diskfull: $C_PASS passed, $C_FAILS failed"
[ $C_FAILS -eq 0 ]
