#!/usr/bin/env python3
"""drive — feed prepared envelopes into a running entrustd and time the answers.

  drive.py STAGE INBOUND OUTBOUND PID RATE
STAGE holds req*.p7m made by benchgen and its expect.txt ("file sender
msgid" per envelope); they are renamed into INBOUND (an
atomic drop, as a partner would) either all at once (RATE 0) or at RATE
files/s.  The run ends when every envelope's ack (ACK_<MessageId>.p7m in the
sender's OUTBOUND folder) exists.  Prints one JSON line: envelopes, seconds,
envelopes_per_s, p50_ms, p99_ms, cpu_s (daemon user+sys during the run) and
peak_rss_kib (VmHWM).
"""
import json, os, sys, time

def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def disk_written_kib():
    """KiB written to the block devices since boot (/proc/diskstats, whole disks)."""
    total = 0
    with open("/proc/diskstats") as f:
        for line in f:
            v = line.split()
            if os.path.exists("/sys/block/%s/device" % v[2]):
                total += int(v[9]) // 2
    return total

def peak_rss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0

def main():
    stage, inbound, outbound, pid, rate = sys.argv[1:6]
    pid, rate = int(pid), float(rate)
    names = sorted(n for n in os.listdir(stage) if n.endswith(".p7m"))
    # the ack of each envelope is ACK_<msgid>.p7m in its sender's folder
    who = {}
    with open(os.path.join(stage, "expect.txt")) as f:
        for line in f:
            name, sender, msgid = line.split()
            who[name] = os.path.join(outbound, sender, "ACK_%s.p7m" % msgid)
    expect = {n: who[n] for n in names}
    cpu0 = cpu_seconds(pid)
    disk0 = disk_written_kib()
    dropped = {}
    t0 = time.time()
    for k, n in enumerate(names):
        if rate > 0:
            target = t0 + k / rate
            while time.time() < target:
                time.sleep(max(0.0, min(0.002, target - time.time())))
        os.rename(os.path.join(stage, n), os.path.join(inbound, n))
        dropped[n] = time.time()
    pending = dict(expect)
    done = {}
    deadline = time.time() + 3600
    while pending and time.time() < deadline:
        misses = 0	# acks come about in name order: look a little ahead only, to stay cheap
        for n, path in list(pending.items()):
            try:
                done[n] = os.stat(path).st_mtime
                del pending[n]
            except FileNotFoundError:
                misses += 1
                if misses > 200:
                    break
        if pending:
            time.sleep(0.02)
    t1 = max(done.values()) if done else time.time()
    lat = sorted(max(0.0, done[n] - dropped[n]) * 1000 for n in done)
    pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] if lat else -1
    print(json.dumps({
        "envelopes": len(done), "missing": len(pending), "seconds": round(t1 - t0, 3),
        "envelopes_per_s": round(len(done) / max(1e-9, t1 - t0), 1),
        "p50_ms": round(pct(0.50), 1), "p99_ms": round(pct(0.99), 1),
        "cpu_s_per_envelope": round((cpu_seconds(pid) - cpu0) / max(1, len(done)), 6),
        "peak_rss_kib": peak_rss(pid),
        "disk_kib_per_envelope": round((disk_written_kib() - disk0) / max(1, len(done)), 1)}))

main()
