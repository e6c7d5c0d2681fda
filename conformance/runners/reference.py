#!/usr/bin/env python3
"""An independent reference of the contract, in plain Python (stdlib hmac), written from the
contract's text rather than from the Rust core. Prints one verdict per case, like every runner.

    python3 conformance/runners/reference.py CASES.json
"""

import base64
import hashlib
import hmac
import json
import sys

MAX_HEADER = 4096
MAX_SECRETS = 8
HEXDIGITS = set(b"0123456789abcdefABCDEF")


class Reject(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


def strip_blank(b):
    return b.strip(b" \t")


def is_sig(v):
    return len(v) == 64 and all(c in HEXDIGITS for c in v)


def parse_business(header):
    if len(header) > MAX_HEADER:
        raise Reject("malformed_header")
    value = strip_blank(header)
    if not value:
        raise Reject("missing_header")
    t_text, sigs = None, []
    for item in value.split(b","):
        item = strip_blank(item)
        if b"=" not in item:
            raise Reject("malformed_header")
        key, val = item.split(b"=", 1)
        if key == b"t":
            if t_text is not None:
                raise Reject("malformed_header")
            if not val or not all(0x30 <= c <= 0x39 for c in val) or int(val) > 2**64 - 1:
                raise Reject("malformed_header")
            t_text = val
        elif key == b"v1":
            if not is_sig(val):
                raise Reject("malformed_header")
            sigs.append(bytes.fromhex(val.decode()))
    if t_text is None:
        raise Reject("missing_timestamp")
    if not sigs:
        raise Reject("missing_signature")
    return t_text, sigs


def parse_onboarding(header):
    if len(header) > MAX_HEADER:
        raise Reject("malformed_header")
    value = strip_blank(header)
    if not value:
        raise Reject("missing_header")
    if not is_sig(value):
        raise Reject("malformed_header")
    return [bytes.fromhex(value.decode())]


def verify(case):
    secrets = [s.encode() for s in case["secrets"]]
    if not secrets or len(secrets) > MAX_SECRETS or any(not s for s in secrets):
        raise Reject("invalid_secret")
    header = case["header"].encode()
    body = base64.b64decode(case["body_b64"])
    if case["scheme"] == "onboarding":
        sigs = parse_onboarding(header)
        message = body
    else:
        t_text, sigs = parse_business(header)
        t, now, tolerance = int(t_text), case["now"], case["tolerance"]
        if tolerance is not None:
            if now - t > tolerance:
                raise Reject("timestamp_too_old")
            if t - now > tolerance:
                raise Reject("timestamp_in_future")
        message = t_text + b"." + body
    for index, secret in enumerate(secrets):
        mac = hmac.new(secret, message, hashlib.sha256).digest()
        if any(hmac.compare_digest(mac, s) for s in sigs):
            return index
    raise Reject("signature_mismatch")


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    out = []
    for case in cases:
        try:
            out.append(f"ok {verify(case)}")
        except Reject as r:
            out.append(r.code)
    sys.stdout.write("\n".join(out) + ("\n" if out else ""))


if __name__ == "__main__":
    main()
