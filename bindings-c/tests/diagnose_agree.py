#!/usr/bin/env python3
"""The diagnose cases (those of core/tests/diagnose.rs, each mistake committed on purpose) run
through `qonto-webhooks diagnose` and through each program given, which takes the CLI's arguments
and prints what the CLI prints: every program must print exactly the CLI's lines and exit with
its code, and the findings must be the mistake each case commits.

Usage: diagnose_agree.py CLI PROGRAM [PROGRAM...]   (a PROGRAM may be "cmd arg ..." in one string)
"""

import base64
import hashlib
import hmac
import json
import os
import shlex
import subprocess
import sys
import tempfile

SECRET = "whsec_VuvcYxzMbryt1UBytq58jtGBxCgbQdzX/c0vj5ZLjUA="
DECODED = base64.b64decode(SECRET[len("whsec_") :])
NOW = 1735689600
BODY = '{"id":"e1","type":"v1/clients","data":{"event":"created","name":"Société Générale ☕"}}'.encode()
VALUE = json.loads(BODY)


def mac(secret, data):
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def sign(secret, body, t=NOW):
    return f"t={t},v1={mac(secret, str(t).encode() + b'.' + body)}"


def case(
    name,
    secrets,
    header,
    body,
    expect,
    mistakes,
    scheme="business",
    tolerance=None,
    no_tolerance=False,
):
    return dict(
        name=name,
        secrets=secrets,
        header=header,
        body=body,
        expect=expect,
        mistakes=mistakes,
        scheme=scheme,
        tolerance=tolerance,
        no_tolerance=no_tolerance,
    )


MISMATCH = "signature_mismatch"
CASES = [
    case("good", [SECRET], sign(SECRET, BODY), BODY, "ok", []),
    case("good onboarding", [SECRET], mac(SECRET, BODY), BODY, "ok", [], scheme="onboarding"),
    case("rotation, second secret", ["whsec_old", SECRET], sign(SECRET, BODY), BODY, "ok", []),
    case(
        "secret base64-decoded by the user",
        [DECODED],
        sign(SECRET, BODY),
        BODY,
        MISMATCH,
        ["secret_base64"],
    ),
    case(
        "secret base64-decoded by the signer",
        [SECRET],
        sign(DECODED, BODY),
        BODY,
        MISMATCH,
        ["secret_base64"],
    ),
    case(
        "prefix stripped by the user",
        [SECRET[6:]],
        sign(SECRET, BODY),
        BODY,
        MISMATCH,
        ["secret_prefix"],
    ),
    case(
        "prefix stripped by the signer",
        [SECRET],
        sign(SECRET[6:], BODY),
        BODY,
        MISMATCH,
        ["secret_prefix"],
    ),
    case(
        "secret with a trailing newline",
        [SECRET + "\n"],
        sign(SECRET, BODY),
        BODY,
        MISMATCH,
        ["secret_whitespace"],
    ),
    case(
        "body pretty-printed",
        [SECRET],
        sign(SECRET, BODY),
        json.dumps(VALUE, indent=2, ensure_ascii=False).encode(),
        MISMATCH,
        ["body_reserialized"],
    ),
    case(
        "body with Python's separators and escapes",
        [SECRET],
        sign(SECRET, BODY),
        json.dumps(VALUE).encode(),
        MISMATCH,
        ["body_reserialized"],
    ),
    case(
        "keys sorted by the signer",
        [SECRET],
        sign(
            SECRET,
            json.dumps(VALUE, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(),
        ),
        BODY,
        MISMATCH,
        ["body_reserialized"],
    ),
    case(
        "body with an added newline",
        [SECRET],
        sign(SECRET, BODY),
        BODY + b"\n",
        MISMATCH,
        ["body_trailing_newline"],
    ),
    case(
        "CRLF line endings",
        [SECRET],
        sign(SECRET, b'{\n  "id": "e1"\n}'),
        b'{\r\n  "id": "e1"\r\n}',
        MISMATCH,
        None,
    ),
    case(
        "signed without the timestamp",
        [SECRET],
        f"t={NOW},v1={mac(SECRET, BODY)}",
        BODY,
        MISMATCH,
        ["body_signed_without_timestamp"],
    ),
    case(
        "onboarding header, business scheme",
        [SECRET],
        mac(SECRET, BODY),
        BODY,
        "malformed_header",
        ["wrong_scheme"],
    ),
    case(
        "business header, onboarding scheme",
        [SECRET],
        sign(SECRET, BODY),
        BODY,
        "malformed_header",
        ["wrong_scheme"],
        scheme="onboarding",
    ),
    case(
        "timestamp in milliseconds",
        [SECRET],
        sign(SECRET, BODY, NOW * 1000),
        BODY,
        "timestamp_in_future",
        ["timestamp_milliseconds"],
    ),
    case(
        "a skewed clock",
        [SECRET],
        sign(SECRET, BODY, NOW - 900),
        BODY,
        "timestamp_too_old",
        ["clock_skew"],
    ),
    case(
        "a wider window accepts it",
        [SECRET],
        sign(SECRET, BODY, NOW - 900),
        BODY,
        "ok",
        [],
        tolerance=1000,
    ),
    case(
        "no window for archived events",
        [SECRET],
        sign(SECRET, BODY, NOW - 86400 * 365),
        BODY,
        "ok",
        [],
        no_tolerance=True,
    ),
    case(
        "the wrong secret",
        [SECRET, "whsec_old"],
        sign("whsec_another_subscription_secret_00000000", BODY),
        BODY,
        MISMATCH,
        ["wrong_secret"],
    ),
    case("a malformed header", [SECRET], "t=1,v1=zz", BODY, "malformed_header", []),
    case("an empty header", [SECRET], "", BODY, "missing_header", []),
    case("an empty secret", [""], sign(SECRET, BODY), BODY, "invalid_secret", []),
]


def arguments(c, body_path):
    args = ["--scheme", c["scheme"]]
    for s in c["secrets"]:
        args += ["--secret", s]
    args += ["--header", c["header"], "--now", str(NOW)]
    if c["tolerance"] is not None:
        args += ["--tolerance", str(c["tolerance"])]
    if c["no_tolerance"]:
        args.append("--no-tolerance")
    return args + [body_path]


def run(command, args):
    p = subprocess.run(command + args, capture_output=True, env={**os.environ, "LC_ALL": "C"})
    return p.returncode, p.stdout


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cli = shlex.split(sys.argv[1])
    programs = [shlex.split(p) for p in sys.argv[2:]]
    failures = 0
    compared = 0
    with tempfile.TemporaryDirectory() as tmp:
        for c in CASES:
            body_path = os.path.join(tmp, "body")
            with open(body_path, "wb") as f:
                f.write(c["body"])
            args = arguments(c, body_path)
            # clap takes UTF-8 secrets only: a raw-bytes secret is checked against the
            # expectation and between the programs.
            utf8 = all(isinstance(s, str) for s in c["secrets"])
            # The CLI reads QONTO_WEBHOOK_SECRET only when no --secret is given; an empty
            # --secret is passed as is.
            reference = run(cli, args) if utf8 else None
            outputs = [run(p, args) for p in programs]
            first = reference or outputs[0]
            lines = first[1].decode().splitlines()
            code = "ok" if first[0] == 0 else lines[0][len("error[") :].split("]")[0]
            found = [line.split("[", 1)[1].split("]")[0] for line in lines[1:] if "[" in line]
            problems = []
            if code != c["expect"]:
                problems.append(f"verdict {code}, expected {c['expect']}")
            if c["mistakes"] is not None and found != c["mistakes"]:
                problems.append(f"findings {found}, expected {c['mistakes']}")
            if c["mistakes"] is None and "body_line_endings" not in found:
                problems.append(f"findings {found}, expected body_line_endings among them")
            for p, out in zip(programs, outputs):
                compared += 1
                if out != first:
                    problems.append(
                        f"{shlex.join(p)} printed (rc {out[0]}):\n{out[1].decode()}"
                        f"the {'CLI' if reference else 'first program'} (rc {first[0]}):"
                        f"\n{first[1].decode()}"
                    )
            if problems:
                failures += 1
                print(f"FAIL {c['name']}: " + "\n  ".join(problems))
            else:
                print(f"ok   {c['name']}: {code} {found}")
    print(
        f"{len(CASES) - failures}/{len(CASES)} diagnose cases agree ({compared} comparisons "
        f"with {len(programs)} program(s){'' if failures else ''})"
    )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
