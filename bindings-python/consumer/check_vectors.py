"""Run by consumer-test.sh inside a fresh install (no access to the repository): every shared
vector and request-level case through the installed package, and the implementation it reports.

    python check_vectors.py VECTORS.json REQUESTS.json EXPECTED_IMPLEMENTATION
"""

import base64
import json
import sys

import qonto_webhooks as qw


def outcome(call):
    try:
        verified = call()
    except qw.WebhookVerificationError as e:
        if type(e) is not qw.ERRORS[e.code]:
            return f"{e.code} raised as {type(e).__name__}", str(e)
        return e.code, str(e)
    return f"ok {verified.secret_index} {verified.scheme}", ""


def main():
    vectors_path, requests_path, expected = sys.argv[1:4]
    if qw.IMPLEMENTATION != expected:
        raise SystemExit(f"check_vectors: IMPLEMENTATION is {qw.IMPLEMENTATION}, not {expected}")
    if not qw.__file__.startswith(sys.prefix):
        raise SystemExit(f"check_vectors: qonto_webhooks imported from {qw.__file__}")
    with open(vectors_path, encoding="utf-8") as f:
        vectors = json.load(f)
    with open(requests_path, encoding="utf-8") as f:
        requests = json.load(f)
    passed, failed = 0, []
    for v in vectors:
        body = base64.b64decode(v["body_b64"])
        tolerance = "disabled" if v["tolerance"] is None else v["tolerance"]

        def run_vector(v=v, body=body, tolerance=tolerance):
            verifier = qw.Verifier(v["secrets"], tolerance=tolerance)
            if v["scheme"] == "onboarding":
                return verifier.verify_onboarding(body, v["header"])
            return verifier.verify(body, v["header"], now=v["now"])

        got, _ = outcome(run_vector)
        want = f"ok {v['secret_index']} {v['scheme']}" if v["expect"] == "ok" else v["expect"]
        if got == want:
            passed += 1
        else:
            failed.append(f"vector {v['name']!r}: {got}, expected {want}")
    for c in requests:
        body = base64.b64decode(c["body_b64"])
        headers = {}
        if c["business"] is not None:
            headers["x-qonto-signature"] = c["business"]
        if c["onboarding"] is not None:
            headers["Qonto-SHA256-Signature"] = c["onboarding"]
        tolerance = "disabled" if c["tolerance"] is None else c["tolerance"]

        def run(c=c, body=body, headers=headers, tolerance=tolerance):
            verifier = qw.Verifier(c["secrets"], tolerance=tolerance, schemes=c["schemes"])
            return verifier.verify_request(headers, body, now=c["now"])

        got, message = outcome(run)
        want = f"ok {c['secret_index']} {c['scheme']}" if c["expect"] == "ok" else c["expect"]
        if got == want and c.get("message_contains", "") in message:
            passed += 1
        else:
            failed.append(f"request case {c['name']!r}: {got} ({message}), expected {want}")
    for line in failed:
        print(line, file=sys.stderr)
    print(f"vectors and request cases ({qw.IMPLEMENTATION}): {passed} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
