"""A Qonto webhook endpoint with Flask.

    QONTO_WEBHOOK_SECRET=whsec_... python examples/python/flask_receiver.py 8080
    qonto-webhooks send --url http://127.0.0.1:8080/webhooks --check
"""

import json
import os
import sys

from flask import Flask, request

from qonto_webhooks import Verifier, WebhookVerificationError

app = Flask(__name__)
verifier = Verifier(os.environ["QONTO_WEBHOOK_SECRET"])  # once, at start-up
seen = set()  # event ids already processed: keep them in your database


@app.post("/webhooks")
def qonto_webhook():
    body = request.get_data()  # the raw bytes, before any JSON parsing
    try:
        # Finds X-Qonto-Signature or Qonto-SHA256-Signature and checks the right scheme.
        verifier.verify_request(request.headers, body)
    except WebhookVerificationError as e:
        return {"error": e.code}, 400
    event = json.loads(body)
    if event["id"] in seen:
        return {"error": "duplicate_event"}, 409
    seen.add(event["id"])
    # Queue the event here and answer within Qonto's 1 s.
    return {"received": True}


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]) if len(sys.argv) > 1 else 8080)
