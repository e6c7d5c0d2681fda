"""A Qonto webhook endpoint with Flask: business webhooks at /webhooks, onboarding webhooks at
/webhooks/onboarding, each with its own secret and a verifier that accepts its scheme only, and
each event processed once (Qonto retries: the idempotency guard answers the duplicates).

    QONTO_WEBHOOK_SECRET=whsec_... QONTO_ONBOARDING_SECRET=... \
        python examples/python/flask_receiver.py 8080
    qonto-webhooks send --url http://127.0.0.1:8080/webhooks --check

With REDIS_URL=redis://... the processed ids are kept in Redis (shared by every worker process,
kept across restarts); without it, in this process's memory.
"""

import collections
import os
import sys

from flask import Flask

from qonto_webhooks import IdempotencyGuard, RedisStore, Verifier
from qonto_webhooks.flask import qonto_webhook

app = Flask(__name__)
# Built once, at start-up. Business only is the default; onboarding is said explicitly.
business = Verifier(os.environ["QONTO_WEBHOOK_SECRET"])
onboarding = Verifier(os.environ["QONTO_ONBOARDING_SECRET"], schemes="onboarding")
queue: "collections.deque[object]" = collections.deque(maxlen=10_000)  # your job queue


def make_guard():
    url = os.environ.get("REDIS_URL")
    if not url:
        return IdempotencyGuard()  # a MemoryStore: one process
    import redis

    return IdempotencyGuard(RedisStore(redis.Redis.from_url(url)))


guard = make_guard()


def process(event):
    # Queue the event here and answer within Qonto's 1 s. Raising, or answering outside 2xx,
    # releases the event: Qonto's retry is processed.
    queue.append((event.verified.scheme, event))
    return {"received": True, "id": event.id}


# The decorator reads the raw body (never request.json), verifies it (400 {"error": <code>,
# "message": ...} when it does not verify, 413 body_too_large over 1 MiB) and calls the view once
# per event id with the typed event: a processed event is answered 200 {"duplicate": true}, one
# being processed 409 duplicate_in_progress with Retry-After, a store failure 503.
@app.post("/webhooks")
@qonto_webhook(business, guard=guard)
def business_webhook(event):  # event: a qonto_webhooks.Event
    return process(event)


@app.post("/webhooks/onboarding")
@qonto_webhook(onboarding, guard=guard)
def onboarding_webhook(event):  # event: a qonto_webhooks.OnboardingEvent
    return process(event)


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("PORT", "8080"))
    app.run(host="127.0.0.1", port=port)
