#!/usr/bin/env python3
"""The HTTP layer's one vocabulary: send the same requests to every example receiver (the ones the
receivers tour starts: Rust axum, the CLI's `listen`, Flask, FastAPI, Django, Starlette, aiohttp,
Express 5 and 4, Fastify, Koa, NestJS, Hono, the Next.js route handlers (served by
examples/node/nextjs/serve.mjs, a stand-in for `next start`), Go net/http) and check that each
answers the same status, a JSON `Content-Type` and the same JSON body for the same failure.

    python3 conformance/http_vocabulary.py [--only NAME ...]

(`make tour` builds what the receivers need and puts the pinned Go on PATH; run this after it, with
the same PATH.)

The expected statuses come from contract.json (`http.verification_status` for a request that does
not verify, `http.codes[].status` for the HTTP layer's own codes), never from literals here. A
refusal must be `{"error": <code>, "message": <non-empty string>}` (further keys are allowed: the
CLI's `listen`, a debugging tool, adds `verified`, the scheme and secret that verified a body it
then refused as `invalid_payload`); the genuine delivery a 2xx; its redelivery 200 with
`"duplicate": true`; a genuine event of exactly 1 MiB (the middlewares' default limit) a 2xx, and
one byte more 413 `body_too_large`. Prints a table receiver x case and exits 1 on any
disagreement, listing each one with what was expected and what came back.
"""

import argparse
import contextlib
import hashlib
import hmac
import json
import pathlib
import socket
import sys
import threading
import time
import uuid

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))

import tour  # noqa: E402  (the receivers, their secrets and the launcher)

CONTRACT = json.loads((ROOT / "contract.json").read_text())
HEADERS = CONTRACT["headers"]
VERIFICATION_STATUS = CONTRACT["http"]["verification_status"]
HTTP_STATUS = {c["code"]: c["status"] for c in CONTRACT["http"]["codes"]}
VERIFICATION_CODES = {e["code"] for e in CONTRACT["errors"]}
MAX_BODY = 1024 * 1024  # the middlewares' default limit: 1 MiB
STALE = CONTRACT["tolerance"]["default_secs"] + 600  # seconds in the past, well outside the window

CASES = [
    "valid",
    "duplicate",
    "missing_header",
    "malformed_header",
    "stale",
    "wrong_signature",
    "not_json",
    "no_string_id",
    "at_limit",
    "too_large",
]
# The cases that do not apply to onboarding webhooks (no timestamp).
BUSINESS_ONLY = {"stale"}


def expected_code(case):
    """The code a refusal must carry, or None for the cases answered 2xx."""
    return {
        "missing_header": "missing_header",
        "malformed_header": "malformed_header",
        "stale": "timestamp_too_old",
        "wrong_signature": "signature_mismatch",
        "not_json": "invalid_payload",
        "no_string_id": "invalid_payload",
        "too_large": "body_too_large",
    }.get(case)


def status_of(code):
    if code in VERIFICATION_CODES:
        return VERIFICATION_STATUS
    return HTTP_STATUS[code]


def event(scheme, event_id):
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    if scheme == "business":
        return {
            "id": event_id,
            "subscription_id": "7f3c2a10-5b8e-4d2f-9a61-0c4e8b2d6f13",
            "organization_id": "c1a2b3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
            "membership_id": "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a",
            "type": "v1/transactions",
            "created_at": now,
            "data": {"event": "transactions.created", "id": str(uuid.uuid4())},
        }
    return {
        "id": event_id,
        "event_type": "registrations.pending",
        "resource_type": "registration",
        "resource_id": str(uuid.uuid4()),
        "created_at": now,
    }


def sized_event(scheme, size):
    """A genuine event of exactly `size` bytes of JSON (a `padding` field fills it)."""
    doc = event(scheme, str(uuid.uuid4()))
    doc["padding"] = ""
    doc["padding"] = "x" * (size - len(json.dumps(doc).encode()))
    body = json.dumps(doc).encode()
    assert len(body) == size
    return body


def sign(scheme, secret, body, t=None):
    """The signature header's value for `body`."""
    if scheme == "onboarding":
        return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    t = str(int(time.time()) if t is None else t)
    mac = hmac.new(secret.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def requests_for(scheme):
    """case -> (headers, body): the same requests for every receiver (fresh event ids per run)."""
    secret = tour.SECRET if scheme == "business" else tour.ONBOARDING_SECRET
    header = HEADERS[scheme]
    genuine = json.dumps(event(scheme, str(uuid.uuid4()))).encode()
    not_json = b"this is not JSON {"
    no_id = json.dumps({**event(scheme, "x"), "id": 42}).encode()
    # Genuine, signed events of exactly the limit (accepted) and one byte over it (refused, where a
    # receiver without a limit would accept it).
    at_limit = sized_event(scheme, MAX_BODY)
    large = sized_event(scheme, MAX_BODY + 1)
    wrong = sign(scheme, "not-the-secret", genuine)
    malformed = "t=now,v1=zz" if scheme == "business" else "sha256=" + "z" * 10
    reqs = {
        "valid": ({header: sign(scheme, secret, genuine)}, genuine),
        "duplicate": ({header: sign(scheme, secret, genuine)}, genuine),
        "missing_header": ({}, genuine),
        "malformed_header": ({header: malformed}, genuine),
        "wrong_signature": ({header: wrong}, genuine),
        "not_json": ({header: sign(scheme, secret, not_json)}, not_json),
        "no_string_id": ({header: sign(scheme, secret, no_id)}, no_id),
        "at_limit": ({header: sign(scheme, secret, at_limit)}, at_limit),
        "too_large": ({header: sign(scheme, secret, large)}, large),
    }
    if scheme == "business":
        reqs["stale"] = ({header: sign(scheme, secret, genuine, int(time.time()) - STALE)}, genuine)
    return reqs


def post(port, path, headers, body, timeout=30.0):
    """POSTs over a raw socket and returns (status, headers with lowercase names, body bytes), or
    raises OSError. The body is sent from a thread while the answer is read: a server may answer
    before it has read a large body, stop reading it, or keep the connection open after its
    answer, so the answer ends at its Content-Length (or last chunk), not at the connection's
    close."""
    head = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:

        def send():
            try:
                s.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)
            except OSError:
                pass  # answered and closed (or stopped reading) early: the answer is what counts

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        data = b""
        try:
            while not complete(data):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except ConnectionResetError:
            if not complete(data):
                raise
        answer = parse_response(data)
        with contextlib.suppress(OSError):
            s.shutdown(socket.SHUT_RDWR)  # unblocks the sender if the server stopped reading
        sender.join(timeout)
    return answer


def complete(data):
    """Whether `data` holds a whole answer (its headers, then Content-Length bytes or the last
    chunk)."""
    head, sep, rest = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    lowered = head.lower()
    for line in lowered.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip() == b"content-length":
            return len(rest) >= int(value.strip())
    if b"transfer-encoding: chunked" in lowered:
        return rest.endswith(b"0\r\n\r\n")
    return False  # no length: the answer ends with the connection


def parse_response(data):
    if not data:
        raise OSError("no answer")
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body, rest = b"", rest
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                break
            body, rest = body + rest[:size], rest[size + 2 :]
        return status, headers, body
    if "content-length" in headers:
        rest = rest[: int(headers["content-length"])]
    return status, headers, rest


def check(case, answer):
    """The disagreements of one answer with the contract (an empty list when it agrees)."""
    status, headers, body = answer
    problems = []
    ctype = headers.get("content-type", "")
    if ctype.split(";")[0].strip().lower() != "application/json":
        problems.append(f"Content-Type {ctype or '(none)'!r}, expected application/json")
    try:
        doc = json.loads(body)
    except ValueError:
        doc = None
        problems.append(f"body is not JSON: {body[:120]!r}")
    code = expected_code(case)
    if code is None:
        if case in ("valid", "at_limit") and not 200 <= status < 300:
            problems.append(f"status {status}, expected 2xx")
        if case == "duplicate":
            if status != 200:
                problems.append(f"status {status}, expected 200")
            if doc is not None and (not isinstance(doc, dict) or doc.get("duplicate") is not True):
                problems.append(f'body {doc!r} does not say "duplicate": true')
        return problems
    if status != status_of(code):
        problems.append(f"status {status}, expected {status_of(code)}")
    if doc is not None:
        if not isinstance(doc, dict) or doc.get("error") != code:
            got = doc.get("error") if isinstance(doc, dict) else doc
            problems.append(f"error {got!r}, expected {code!r}")
        if isinstance(doc, dict):
            message = doc.get("message")
            if not isinstance(message, str) or not message:
                problems.append(f"message {message!r}, expected a non-empty string")
    return problems


def cell(case, answer, problems):
    if answer is None:
        return "no answer (!)"
    status, _, body = answer
    label = str(status)
    try:
        doc = json.loads(body)
    except ValueError:
        doc = None
    if isinstance(doc, dict) and isinstance(doc.get("error"), str):
        label += " " + doc["error"]
    elif isinstance(doc, dict) and doc.get("duplicate") is True:
        label += " dup"
    elif doc is None:
        label += " not-json"
    return label + (" (!)" if problems else "")


def run(port, scheme):
    """case -> (cell, problems) for one receiver and scheme."""
    path = "/webhooks" if scheme == "business" else "/webhooks/onboarding"
    results = {}
    for case, (headers, body) in requests_for(scheme).items():
        try:
            answer = post(port, path, headers, body)
        except (OSError, ValueError, IndexError) as e:
            results[case] = ("no answer (!)", [f"no answer: {e}"])
            continue
        problems = check(case, answer)
        results[case] = (cell(case, answer, problems), problems)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", help="receivers to run (default: all)")
    args = parser.parse_args()
    tour.prepare()
    chosen = {k: v for k, v in tour.receivers().items() if not args.only or k in args.only}
    rows, failures = [], []
    for name, (cmd, cwd) in chosen.items():
        with tour.receiver(cmd, cwd) as (port, why):
            if why:
                failures.append(f"{name}: {why}")
                rows.append((name, "-", ["did not start"] * len(CASES)))
                continue
            for scheme in ("business", "onboarding"):
                results = run(port, scheme)
                cells = []
                for case in CASES:
                    if case not in results:
                        cells.append("n/a")
                        continue
                    text, problems = results[case]
                    cells.append(text)
                    failures += [f"{name} ({scheme}) {case}: {p}" for p in problems]
                rows.append((name, scheme, cells))

    width = max([len(r[0]) for r in rows] + [8])
    widths = [max(len(case), *(len(r[2][i]) for r in rows)) for i, case in enumerate(CASES)]
    print(
        f"{'receiver':<{width}}  {'scheme':<10}  "
        + "  ".join(f"{case:>{w}}" for case, w in zip(CASES, widths))
    )
    for name, scheme, cells in rows:
        print(
            f"{name:<{width}}  {scheme:<10}  "
            + "  ".join(f"{c:>{w}}" for c, w in zip(cells, widths))
        )
    print(
        '\nEach cell: the status and the body\'s error code (dup: a 200 saying "duplicate": '
        "true); (!) marks an answer that disagrees with contract.json (status, JSON Content-Type, "
        'the body {"error", "message"} and its code).'
    )
    for f in failures:
        print("FAILED " + f, file=sys.stderr)
    passed = sum(1 for r in rows if all("(!)" not in c and c != "did not start" for c in r[2]))
    print(f"\nhttp vocabulary: {passed} passed, {len(rows) - passed} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
