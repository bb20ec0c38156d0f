#!/usr/bin/env python3
"""hubfiles.py — one line per hub file (ack or notice) under a folder, in one process:
   name outcome letter agreements whole
 outcome     accepted | refused | partial | - (a notice)
 letter      the letter number, or -
 agreements  the agreement numbers named, comma-separated, or -
 whole       1 when the file is one complete DER object (its outer length is the file's
             length) holding a complete XML document; 0 for a partial or corrupt file
The signature itself is checked by `openssl cms -verify` on a sample (tests/crash/lib.sh).
usage: hubfiles.py OUTBOUND_DIR   (files whose names start with '.' are staging: skipped)
"""
import os
import re
import sys


def der_whole(b):
    if len(b) < 2 or b[0] != 0x30:
        return False
    n = b[1]
    if n & 0x80:
        k = n & 0x7F
        if k == 0 or k > 4 or len(b) < 2 + k:
            return False
        return 2 + k + int.from_bytes(b[2:2 + k], "big") == len(b)
    return 2 + n == len(b)


def main(top):
    for root, _, files in os.walk(top):
        for name in sorted(files):
            if name.startswith("."):
                continue
            b = open(os.path.join(root, name), "rb").read()
            m = re.search(rb"<\?xml.*?</(Ack|Notice)>", b, re.S)
            whole = der_whole(b) and m is not None
            x = m.group(0) if m else b""
            o = re.search(rb"<Outcome>([a-z]+)</Outcome>", x)
            letter = re.search(rb"<Letter>\s*(?:<Number>)?([0-9]{10})<", x)
            agr = re.findall(rb"<Number>([0-9]{14})</Number>", x)
            print(name, o.group(1).decode() if o else "-", letter.group(1).decode() if letter else "-",
                  ",".join(a.decode() for a in agr) or "-", 1 if whole else 0)


if __name__ == "__main__":
    main(sys.argv[1])
