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

from flask import Flask, request

from qonto_webhooks import IdempotencyGuard, RedisStore, Verifier

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


def process(verified, event):
    # Queue the event here and answer within Qonto's 1 s. Raising releases the event: Qonto's
    # retry is processed.
    queue.append((verified.scheme, event))


def receive(verifier):
    # Verifies the raw body (400 with the error code when it does not verify), then runs
    # `process` once per event id: a processed event is answered 200 {"duplicate": true}, one
    # being processed 409 duplicate_in_progress with Retry-After, a store failure 503.
    r = guard.handle_request(verifier, request.headers, request.get_data(), process)
    return r.body, r.status, dict(r.headers)


@app.post("/webhooks")
def business_webhook():
    return receive(business)


@app.post("/webhooks/onboarding")
def onboarding_webhook():
    return receive(onboarding)


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("PORT", "8080"))
    app.run(host="127.0.0.1", port=port)
