#!/usr/bin/env bash
# tests/crash/overflow.sh — inotify overflow: with fs.inotify.max_queued_events made tiny
# (restored afterwards), tens of thousands of files dropped at once must all be processed
# through the rescan path.  Needs root for the sysctl; without it the default queue (16384)
# still overflows with OVERFLOW_N above it.
# inotify 溢出测试：大量文件一次投递，全部须被处理。
#
# usage: tests/crash/overflow.sh [BIN_DIR]
#   CRASH_PROFILE=light (default: 5000 files) | heavy (30000);  OVERFLOW_N overrides;  KEEP=1
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
BIN=${1:-$H_REPO/bin}
case ${CRASH_PROFILE:-light} in
heavy) N=${OVERFLOW_N:-30000} ;;
*) N=${OVERFLOW_N:-5000} ;;
esac
START=$(date +%s)
T=$(mktemp -d "${TMPDIR:-/tmp}/entrust-overflow.XXXXXX") || exit 1
Q=/proc/sys/fs/inotify/max_queued_events
OLDQ=$(cat "$Q")
cleanup() {
	[ "$(cat "$Q")" != "$OLDQ" ] && echo "$OLDQ" >"$Q" 2>/dev/null
	h_daemon_stop >/dev/null 2>&1
	if [ "${KEEP:-0}" = 1 ]; then echo "# kept $T"; else rm -rf -- "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

RESCAN_S=5 c_setup "$T" "$BIN" >/dev/null || { echo "not ok - setup"; echo "crash-overflow: 0 passed, 1 failed"; exit 1; }
# a tiny queue only while the daemon creates its inotify instance
if echo 16 >"$Q" 2>/dev/null; then small=16; else small=$OLDQ; fi
h_daemon_start "$CONF" "$LOG"
# max_queued_events is read when the daemon creates its inotify instance: wait for that fd
for ((i = 0; i < 600; i++)); do
	ls -l "/proc/$H_DPID/fd" 2>/dev/null | grep -q 'anon_inode:inotify' && break
	sleep 0.05
done
ls -l "/proc/$H_DPID/fd" 2>/dev/null | grep -q 'anon_inode:inotify'
c_check "the daemon watches inbound/ (inotify instance made with a queue of $small)" $? "no inotify descriptor after 30 s"
echo "$OLDQ" >"$Q" 2>/dev/null
# N small garbage files, each written as .tmp and renamed (one IN_MOVED_TO each)
t_drop=$(date +%s)
python3 - "$SPOOL/inbound" "$N" <<'EOF'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    t = os.path.join(d, ".g%06d.tmp" % i)
    with open(t, "wb") as f:
        f.write(os.urandom(64))
    os.rename(t, os.path.join(d, "g%06d.p7m" % i))
EOF
t0=$(date +%s)
DROP_S=$((t0 - t_drop))
h_wait_idle "$SPOOL" 900 "$H_DPID"
rc=$?
DRAIN_S=$(($(date +%s) - t0))
c_check "all $N files processed with an inotify queue of $small events ($DRAIN_S s)" $rc \
	"$(h_pending "$SPOOL") still pending"
h_daemon_stop
done_n=$(find "$SPOOL/error" -name 'E*_g*.p7m' | wc -l)
bad=$(grep -L '^code: ENV_UNREADABLE' "$SPOOL"/error/E*_g*.p7m.reason 2>/dev/null | wc -l)
c_check "each is in error/ once with ENV_UNREADABLE ($done_n)" "$([ "$done_n" = "$N" ] && [ "$bad" = 0 ]; echo $?)" \
	"$done_n in error/, $bad with another code"
echo "# figures: $N files, inotify queue $small events; drop ${DROP_S} s, drained ${DRAIN_S} s after the last drop ($(awk -v n="$N" -v s="$((DROP_S + DRAIN_S))" 'BEGIN {printf "%.0f", n / (s ? s : 1)}') files/s overall); total $(($(date +%s) - START)) s"
echo "crash-overflow: $C_PASS passed, $C_FAILS failed"
[ $C_FAILS -eq 0 ]
