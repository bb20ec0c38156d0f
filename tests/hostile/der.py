#!/usr/bin/env python3
"""der.py — small DER surgery on CMS SignedData envelopes made by `openssl cms -sign`
(DER, definite lengths), for the hostile corpus.  Standard library only; signing is done
by the openssl command line.  敌意样本：对 CMS 信封做 DER 级修改。

usage:
  der.py nosigners IN OUT               remove every SignerInfo (a SignedData with 0 signers)
  der.py signtime IN OUT KEY TIME       set the signingTime attribute to TIME
                                        (YYYYmmddHHMMSS, UTC) and sign the attributes again
                                        with KEY (RSA, PKCS#1 v1.5, SHA-256)
  der.py offset IN WHAT                 print the byte offset of WHAT inside IN:
                                        sig (signature value), content (eContent octets),
                                        cert-key (signer certificate's public key bits),
                                        cert-sig (certificate signature bits),
                                        cert-serial (certificate serial number),
                                        msgdigest (messageDigest attribute value)
"""
import subprocess
import sys
import tempfile

OID_SIGNING_TIME = bytes.fromhex("2a864886f70d010905")
OID_MESSAGE_DIGEST = bytes.fromhex("2a864886f70d010904")


class Node:
    """A TLV; constructed nodes keep their children, primitive ones their value."""

    def __init__(self, tag, value=b"", children=None, offset=0, hdr=0):
        self.tag, self.value, self.children = tag, value, children
        self.offset, self.hdr = offset, hdr     # where the node starts and its header size

    def encode(self):
        body = b"".join(c.encode() for c in self.children) if self.children is not None else self.value
        return bytes([self.tag]) + enc_len(len(body)) + body


def enc_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def parse(buf, start=0, end=None):
    """All TLVs between start and end (recursively for constructed tags)."""
    end = len(buf) if end is None else end
    out, i = [], start
    while i < end:
        tag, j = buf[i], i + 1
        n = buf[j]
        j += 1
        if n & 0x80:
            k = n & 0x7F
            if k == 0:
                raise ValueError("indefinite length: sign without -stream")
            n = int.from_bytes(buf[j:j + k], "big")
            j += k
        if tag & 0x20:
            node = Node(tag, children=parse(buf, j, j + n), offset=i, hdr=j - i)
        else:
            node = Node(tag, value=buf[j:j + n], offset=i, hdr=j - i)
        out.append(node)
        i = j + n
    return out


def signed_data(root):
    """ContentInfo → [0] → SignedData SEQUENCE."""
    return root.children[1].children[0]


def signer_info(sd):
    return sd.children[-1].children[0]


def certificate(sd):
    for c in sd.children:
        if c.tag == 0xA0:
            return c.children[0]
    raise ValueError("no certificate in the envelope")


def find_attr(attrs, oid):
    for a in attrs.children:
        if a.children[0].value == oid:
            return a.children[1].children[0]
    raise ValueError("attribute not found")


def cmd_nosigners(src, dst):
    root = parse(open(src, "rb").read())[0]
    signed_data(root).children[-1].children = []
    open(dst, "wb").write(root.encode())


def cmd_signtime(src, dst, key, when):
    root = parse(open(src, "rb").read())[0]
    si = signer_info(signed_data(root))
    attrs = next(c for c in si.children if c.tag == 0xA0)
    t = find_attr(attrs, OID_SIGNING_TIME)
    year = int(when[:4])
    if 1950 <= year < 2050:
        t.tag, t.value = 0x17, (when[2:] + "Z").encode()        # UTCTime
    else:
        t.tag, t.value = 0x18, (when + "Z").encode()            # GeneralizedTime
    tbs = bytes([0x31]) + attrs.encode()[1:]    # the signature covers the SET OF encoding
    with tempfile.NamedTemporaryFile() as f:
        f.write(tbs)
        f.flush()
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key, "-binary", f.name],
                             check=True, capture_output=True).stdout
    next(c for c in si.children if c.tag == 0x04).value = sig
    open(dst, "wb").write(root.encode())


def value_offset(node):
    return node.offset + node.hdr


def cmd_offset(src, what):
    root = parse(open(src, "rb").read())[0]
    sd = signed_data(root)
    si = signer_info(sd)
    cert = certificate(sd)
    tbs = cert.children[0]
    if what == "sig":
        node = next(c for c in si.children if c.tag == 0x04)
    elif what == "content":
        node = sd.children[2].children[1].children[0]
    elif what == "cert-key":
        node = next(c for c in tbs.children if c.tag == 0x30 and c.children
                    and c.children[-1].tag == 0x03)              # SubjectPublicKeyInfo
        node = node.children[-1]
    elif what == "cert-sig":
        node = cert.children[2]
    elif what == "cert-serial":
        node = tbs.children[1]
    elif what == "msgdigest":
        node = find_attr(next(c for c in si.children if c.tag == 0xA0), OID_MESSAGE_DIGEST)
    else:
        raise SystemExit("unknown WHAT " + what)
    # the middle of the value: away from headers and padding bytes
    print(value_offset(node) + max(1, len(node.value) // 2) if node.value else value_offset(node))


def main(argv):
    if len(argv) >= 3 and argv[0] == "nosigners":
        cmd_nosigners(argv[1], argv[2])
    elif len(argv) == 5 and argv[0] == "signtime":
        cmd_signtime(argv[1], argv[2], argv[3], argv[4])
    elif len(argv) == 3 and argv[0] == "offset":
        cmd_offset(argv[1], argv[2])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
