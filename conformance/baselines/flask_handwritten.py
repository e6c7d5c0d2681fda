"""A BASELINE for the load comparison, not an example to copy: a Flask endpoint that verifies
Qonto webhooks by hand, the way most guides show (split the header, hmac.new(...).hexdigest(),
hmac.compare_digest, a 300 s window), with the same deduplication (the library's idempotency
guard, used by hand: claim, process, complete) and answers as flask_receiver.py. It misses what the library checks: malformed items, several v1 signatures,
a repeated t, secret rotation, the header length limit, and the stable error codes.

    QONTO_WEBHOOK_SECRET=whsec_... python conformance/baselines/flask_handwritten.py 8080
"""

import hashlib
import hmac
import json
import os
import sys
import time

from flask import Flask, request

from qonto_webhooks import IdempotencyGuard, IdempotencyStoreError

app = Flask(__name__)
SECRET = os.environ["QONTO_WEBHOOK_SECRET"].encode()
guard = IdempotencyGuard()


def verify_business(header, body):
    parts = dict(item.strip().split("=", 1) for item in header.split(",") if "=" in item)
    if "t" not in parts or "v1" not in parts:
        return "malformed_header"
    if not parts["t"].isdigit() or abs(time.time() - int(parts["t"])) > 300:
        return "timestamp_outside_window"
    expected = hmac.new(SECRET, parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, parts["v1"]):
        return "signature_mismatch"
    return None


@app.post("/webhooks")
def qonto_webhook():
    body = request.get_data()
    # Business webhooks only: letting the request's headers pick the scheme would accept a
    # business webhook resent as an onboarding one (same MAC over the body "<t>.<body>").
    if "X-Qonto-Signature" in request.headers:
        error = verify_business(request.headers["X-Qonto-Signature"], body)
    else:
        error = "missing_header"
    if error:
        return {"error": error}, 400
    event = json.loads(body)
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not event["id"]:
        return {"error": "invalid_payload"}, 400
    try:
        claim = guard.claim(f"business:{event['id']}")
    except IdempotencyStoreError as e:
        return {"error": e.code}, 503
    duplicate = guard.duplicate_response(claim)
    if duplicate is not None:
        return duplicate.body, duplicate.status, dict(duplicate.headers)
    guard.complete(claim)  # processing it would go here (release the claim if it fails)
    return {"received": True, "id": event["id"]}


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]) if len(sys.argv) > 1 else 8080)
