"""A Qonto webhook endpoint with Flask: business webhooks at /webhooks, onboarding webhooks at
/webhooks/onboarding, each with its own secret and a verifier that accepts its scheme only.

    QONTO_WEBHOOK_SECRET=whsec_... QONTO_ONBOARDING_SECRET=... \
        python examples/python/flask_receiver.py 8080
    qonto-webhooks send --url http://127.0.0.1:8080/webhooks --check
"""

import json
import os
import sys

from flask import Flask, request

from qonto_webhooks import Verifier, WebhookVerificationError

app = Flask(__name__)
# Built once, at start-up. Business only is the default; onboarding is said explicitly.
business = Verifier(os.environ["QONTO_WEBHOOK_SECRET"])
onboarding = Verifier(os.environ["QONTO_ONBOARDING_SECRET"], schemes="onboarding")
seen = set()  # event ids already processed: keep them in your database


def receive(verifier):
    body = request.get_data()  # the raw bytes, before any JSON parsing
    try:
        verifier.verify_request(request.headers, body)
    except WebhookVerificationError as e:
        return {"error": e.code}, 400
    event = json.loads(body)
    if event["id"] in seen:
        return {"error": "duplicate_event"}, 409
    seen.add(event["id"])
    # Queue the event here and answer within Qonto's 1 s.
    return {"received": True}


@app.post("/webhooks")
def business_webhook():
    return receive(business)


@app.post("/webhooks/onboarding")
def onboarding_webhook():
    return receive(onboarding)


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("PORT", "8080"))
    app.run(host="127.0.0.1", port=port)
