#!/usr/bin/env python3
"""Adds the project's own cases to vectors.json, one or more per rule of the contract.

The signatures are computed here with Python's standard `hmac`, independently of the Rust core.
Entries whose names this script does not make (the starter set from Qonto's docs) are kept as they
are; this script's entries are replaced, so running it twice changes nothing.

Every rejection's `message` (the core's exact text) comes from the core, not from this script:

    python3 testkit/vectors/generate_vectors.py
    UPDATE_VECTORS=1 cargo test -p qonto-webhooks --test vectors
"""

import base64
import hashlib
import hmac
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
VECTORS = HERE / "vectors.json"

SECRET = "whsec_public_example_secret_0123456789abcdef"
NOW = 1735689600
BODY = (
    b'{"id":"0196f5a2-7c3e-7b1a-9d4e-2f1c3a5b7d9e","subscription_id":"7f3c2a10-5b8e-4d2f-9a61-0c4e8b2d6f13",'
    b'"organization_id":"c1a2b3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d","membership_id":"5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a",'
    b'"type":"v1/transactions","created_at":"2025-01-01T00:00:00.123Z",'
    b'"data":{"event":"transactions.created","id":"e2b1c3d4-0000-4000-8000-000000000001","amount":"12.50","currency":"EUR"}}'
)
HEX = "0123456789abcdef"


def mac(secret, message):
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def business(secret, t_text, body):
    return mac(secret, t_text.encode() + b"." + body)


def sig(t=NOW, body=BODY, secret=SECRET):
    return business(secret, str(t), body)


def case(
    name,
    header,
    *,
    scheme="business",
    secrets=(SECRET,),
    body=BODY,
    now=NOW,
    tolerance=300,
    expect="ok",
    secret_index=0,
):
    v = {
        "name": name,
        "scheme": scheme,
        "secrets": list(secrets),
        "header": header,
        "body_b64": base64.b64encode(body).decode(),
        "now": now,
        "tolerance": tolerance,
        "expect": expect,
    }
    if expect == "ok":
        v["secret_index"] = secret_index
    return v


def cases():
    good = f"t={NOW},v1={sig()}"
    out = []
    add = out.append

    # 2. The secret.
    official_body = b'{"test":"data"}'
    whsec = "whsec_VuvcYxzMbryt1UBytq58jtGBxCgbQdzX/c0vj5ZLjUA="
    add(
        case(
            "whsec_ secret is used whole, prefix included",
            f"t=1704110400,v1={business(whsec, '1704110400', official_body)}",
            secrets=[whsec],
            body=official_body,
            now=1704110400,
        )
    )
    decoded = base64.b64decode(whsec[len("whsec_") :])
    add(
        case(
            "whsec_ secret is not base64-decoded",
            f"t=1704110400,v1={business(decoded, '1704110400', official_body)}",
            secrets=[whsec],
            body=official_body,
            now=1704110400,
            expect="signature_mismatch",
        )
    )
    add(
        case(
            "secret stripped of whsec_ does not match",
            f"t=1704110400,v1={business(whsec[6:], '1704110400', official_body)}",
            secrets=[whsec],
            body=official_body,
            now=1704110400,
            expect="signature_mismatch",
        )
    )
    add(
        case(
            "multi-byte UTF-8 secret is its UTF-8 bytes",
            f"t={NOW},v1={sig(secret='clé-secrète-🔑')}",
            secrets=["clé-secrète-🔑"],
        )
    )
    add(
        case(
            "secret with surrounding spaces is used as given",
            f"t={NOW},v1={sig(secret=' padded ')}",
            secrets=[" padded "],
        )
    )
    add(
        case(
            "secret with surrounding spaces is not trimmed",
            f"t={NOW},v1={sig(secret='padded')}",
            secrets=[" padded "],
            expect="signature_mismatch",
        )
    )
    add(case("rotation: the first matching secret is reported", good, secrets=[SECRET, SECRET]))
    add(
        case(
            "rotation: third of three secrets matches",
            good,
            secrets=["old-1", "old-2", SECRET],
            secret_index=2,
        )
    )
    add(
        case(
            "rotation: eight secrets are accepted",
            good,
            secrets=[f"s{i}" for i in range(7)] + [SECRET],
            secret_index=7,
        )
    )
    add(
        case(
            "more than eight secrets is invalid_secret",
            good,
            secrets=[f"s{i}" for i in range(8)] + [SECRET],
            expect="invalid_secret",
        )
    )
    add(
        case(
            "an empty secret among others is invalid_secret",
            good,
            secrets=[SECRET, ""],
            expect="invalid_secret",
        )
    )
    add(case("no secret at all is invalid_secret", good, secrets=[], expect="invalid_secret"))
    add(case("invalid_secret wins over missing_header", "", secrets=[""], expect="invalid_secret"))
    add(
        case(
            "onboarding: empty secret is invalid_secret",
            mac(SECRET, BODY),
            scheme="onboarding",
            secrets=[""],
            expect="invalid_secret",
        )
    )

    # 3. Parsing X-Qonto-Signature.
    add(case("header of spaces and tabs is missing_header", " \t \t", expect="missing_header"))
    pad = "x=" + "a" * (4096 - len(good) - 1 - 2)
    add(case("header of exactly 4096 bytes is accepted", f"{good},{pad}"))
    add(
        case(
            "header of 4097 bytes is malformed_header", f"{good},{pad}a", expect="malformed_header"
        )
    )
    add(case("length is checked before blankness", " " * 4097, expect="malformed_header"))
    add(case("spaces and tabs around items are ignored", f" \tt={NOW} ,\t v1={sig()}\t "))
    add(case("items in any order", f"v1={sig()},t={NOW}"))
    add(case("uppercase hex signature", f"t={NOW},v1={sig().upper()}"))
    add(
        case(
            "trailing comma (empty item) is malformed_header", f"{good},", expect="malformed_header"
        )
    )
    add(
        case(
            "leading comma (empty item) is malformed_header", f",{good}", expect="malformed_header"
        )
    )
    add(case("item without = is malformed_header", f"{good},v2", expect="malformed_header"))
    add(
        case(
            "spaces around = make another key", f"t = {NOW},v1={sig()}", expect="missing_timestamp"
        )
    )
    add(
        case(
            "keys are case-sensitive: T is not t", f"T={NOW},v1={sig()}", expect="missing_timestamp"
        )
    )
    add(
        case(
            "keys are case-sensitive: V1 is not v1",
            f"t={NOW},V1={sig()}",
            expect="missing_signature",
        )
    )
    add(
        case(
            "unknown keys with any value are ignored",
            f"t={NOW},v0=,v2=not hex at all,=x,ü=é,v1={sig()},sha256={sig()}",
        )
    )
    add(case("empty t is malformed_header", f"t=,v1={sig()}", expect="malformed_header"))
    add(case("signed t is malformed_header", f"t=+{NOW},v1={sig()}", expect="malformed_header"))
    add(case("negative t is malformed_header", f"t=-{NOW},v1={sig()}", expect="malformed_header"))
    add(
        case("fractional t is malformed_header", f"t={NOW}.5,v1={sig()}", expect="malformed_header")
    )
    add(
        case(
            "t in non-ASCII digits is malformed_header",
            f"t=١٧٣٥٦٨٩٦٠٠,v1={sig()}",
            expect="malformed_header",
        )
    )
    add(
        case(
            "t above 2^64-1 is malformed_header",
            f"t=18446744073709551616,v1={sig()}",
            expect="malformed_header",
        )
    )
    add(
        case(
            "t of 2^64-1 is accepted with the window disabled",
            f"t=18446744073709551615,v1={sig(t=18446744073709551615)}",
            tolerance=None,
        )
    )
    add(
        case(
            "t with many leading zeros still fits",
            f"t={'0' * 40}{NOW},v1=" + business(SECRET, "0" * 40 + str(NOW), BODY),
        )
    )
    add(
        case(
            "two t items are malformed_header",
            f"t={NOW},t={NOW},v1={sig()}",
            expect="malformed_header",
        )
    )
    add(
        case(
            "leading zeros are signed as received",
            f"t=000{NOW},v1=" + business(SECRET, f"000{NOW}", BODY),
        )
    )
    add(
        case(
            "leading zeros stripped before signing do not match",
            f"t=000{NOW},v1={sig()}",
            expect="signature_mismatch",
        )
    )
    add(
        case(
            "v1 of 63 hex digits is malformed_header",
            f"t={NOW},v1={sig()[:-1]}",
            expect="malformed_header",
        )
    )
    add(
        case(
            "v1 of 65 hex digits is malformed_header",
            f"t={NOW},v1={sig()}0",
            expect="malformed_header",
        )
    )
    add(
        case(
            "v1 with 0x prefix is malformed_header",
            f"t={NOW},v1=0x{sig()[:62]}",
            expect="malformed_header",
        )
    )
    add(
        case(
            "base64 v1 is malformed_header",
            f"t={NOW},v1={base64.b64encode(bytes.fromhex(sig())).decode()}",
            expect="malformed_header",
        )
    )
    add(case("empty v1 is malformed_header", f"t={NOW},v1=", expect="malformed_header"))
    add(case("a newline is not whitespace", f"{good}\n", expect="malformed_header"))
    add(
        case(
            "one malformed v1 among good ones is malformed_header",
            f"t={NOW},v1={sig()},v1=xyz",
            expect="malformed_header",
        )
    )
    add(
        case(
            "an onboarding header on the business scheme is malformed_header",
            sig(),
            expect="malformed_header",
        )
    )
    add(
        case(
            "several v1, none matches",
            f"t={NOW},v1={'0' * 64},v1={'f' * 64}",
            expect="signature_mismatch",
        )
    )

    # 5. Order of checks.
    add(case("malformed_header wins over missing_timestamp", "v1=abc", expect="malformed_header"))
    add(case("missing_timestamp wins over missing_signature", "x=1", expect="missing_timestamp"))
    add(
        case(
            "malformed_header wins over a stale timestamp",
            f"t={NOW - 10_000},v1=abc",
            expect="malformed_header",
        )
    )
    add(
        case(
            "a stale timestamp wins over a bad signature",
            f"t={NOW - 301},v1={'0' * 64}",
            expect="timestamp_too_old",
        )
    )
    add(
        case(
            "a future timestamp wins over a bad signature",
            f"t={NOW + 301},v1={'0' * 64}",
            expect="timestamp_in_future",
        )
    )

    # 6. The window.
    add(case("exactly tolerance seconds old is accepted", f"t={NOW - 300},v1={sig(t=NOW - 300)}"))
    add(case("exactly tolerance seconds ahead is accepted", f"t={NOW + 300},v1={sig(t=NOW + 300)}"))
    add(case("tolerance 0 accepts t equal to now", good, tolerance=0))
    add(
        case(
            "tolerance 0 rejects one second old",
            f"t={NOW - 1},v1={sig(t=NOW - 1)}",
            tolerance=0,
            expect="timestamp_too_old",
        )
    )
    add(
        case(
            "a custom tolerance of an hour accepts 3600 s",
            f"t={NOW - 3600},v1={sig(t=NOW - 3600)}",
            tolerance=3600,
        )
    )
    add(
        case(
            "a custom tolerance of an hour rejects 3601 s",
            f"t={NOW - 3601},v1={sig(t=NOW - 3601)}",
            tolerance=3600,
            expect="timestamp_too_old",
        )
    )
    add(
        case(
            "t of 0 against a large now is too old",
            f"t=0,v1={sig(t=0)}",
            expect="timestamp_too_old",
        )
    )
    add(
        case(
            "t far in the future",
            f"t=18446744073709551615,v1={sig(t=18446744073709551615)}",
            expect="timestamp_in_future",
        )
    )
    add(
        case(
            "disabled window accepts a future t",
            f"t={NOW + 10**9},v1={sig(t=NOW + 10**9)}",
            tolerance=None,
        )
    )

    # Bodies.
    add(case("empty body", f"t={NOW},v1={sig(body=b'')}", body=b""))
    binary = bytes(range(256)) * 3
    add(case("binary, non-UTF-8 body", f"t={NOW},v1={sig(body=binary)}", body=binary))
    add(
        case(
            "body signed alone (without t.) does not match",
            f"t={NOW},v1={mac(SECRET, BODY)}",
            expect="signature_mismatch",
        )
    )
    pretty = json.dumps(json.loads(BODY), indent=2).encode()
    add(
        case(
            "re-serialised (pretty) JSON does not match",
            good,
            body=pretty,
            expect="signature_mismatch",
        )
    )
    add(
        case(
            "a trailing newline added to the body does not match",
            good,
            body=BODY + b"\n",
            expect="signature_mismatch",
        )
    )
    add(
        case(
            "wrong secret",
            good,
            secrets=["whsec_someone_elses_secret_0000000000"],
            expect="signature_mismatch",
        )
    )

    # 4. Qonto-SHA256-Signature.
    ob = mac(SECRET, BODY)
    add(case("onboarding: valid", ob, scheme="onboarding"))
    add(case("onboarding: uppercase hex", ob.upper(), scheme="onboarding"))
    add(case("onboarding: spaces and tabs around the value", f" \t{ob}\t ", scheme="onboarding"))
    add(
        case(
            "onboarding: rotation, second secret",
            ob,
            scheme="onboarding",
            secrets=["old", SECRET],
            secret_index=1,
        )
    )
    add(case("onboarding: empty header", "", scheme="onboarding", expect="missing_header"))
    add(case("onboarding: blank header", " \t ", scheme="onboarding", expect="missing_header"))
    add(
        case(
            "onboarding: sha256= prefix is malformed_header",
            f"sha256={ob}",
            scheme="onboarding",
            expect="malformed_header",
        )
    )
    add(
        case(
            "onboarding: 63 hex digits is malformed_header",
            ob[:-1],
            scheme="onboarding",
            expect="malformed_header",
        )
    )
    add(
        case(
            "onboarding: base64 is malformed_header",
            base64.b64encode(bytes.fromhex(ob)).decode(),
            scheme="onboarding",
            expect="malformed_header",
        )
    )
    add(
        case(
            "onboarding: a business header is malformed_header",
            good,
            scheme="onboarding",
            expect="malformed_header",
        )
    )
    add(
        case(
            "onboarding: header longer than 4096 bytes is malformed_header",
            ob + " " * 4033,
            scheme="onboarding",
            expect="malformed_header",
        )
    )
    add(case("onboarding: empty body", mac(SECRET, b""), scheme="onboarding", body=b""))
    official = (
        b'{"id":"75341dcb-0376-474d-97d7-d2c03ff3973c","event_type":"registrations.pending",'
        b'"resource_type":"registration","resource_id":"525817f7-93e8-4f31-a83d-20319778b4b0",'
        b'"created_at":"2022-08-29T13:17:32Z"}'
    )
    spaced = json.dumps(json.loads(official)).encode()
    add(
        case(
            "onboarding: re-serialised with spaces does not match",
            "b0d249e653f1310fa5b7f26d5682548afa1799353b92fcafd4cacbd90312023e",
            scheme="onboarding",
            secrets=["secret_key"],
            body=spaced,
            expect="signature_mismatch",
        )
    )
    add(case("onboarding: the window does not apply", ob, scheme="onboarding", now=0, tolerance=0))
    return out


def main():
    existing = json.loads(VECTORS.read_text(encoding="utf-8"))
    ours = cases()
    names = {v["name"] for v in ours}
    assert len(names) == len(ours), "duplicate vector names"
    kept = [v for v in existing if v["name"] not in names]
    # `message` is the core's text, written by the core's vector test (UPDATE_VECTORS=1), never
    # here: a case whose fields are unchanged keeps its message; a new or changed case has none
    # until the core fills it in, and the core's test fails until then.
    before = {v["name"]: v for v in existing}
    for v in ours:
        old = before.get(v["name"], {})
        if "message" in old and {k: x for k, x in old.items() if k != "message"} == v:
            v["message"] = old["message"]
    VECTORS.write_text(
        json.dumps(kept + ours, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"{len(kept)} kept, {len(ours)} generated, {len(kept) + len(ours)} in all")


if __name__ == "__main__":
    main()
