"""A Qonto webhook endpoint with FastAPI: business webhooks at /webhooks, onboarding webhooks at
/webhooks/onboarding, each with its own secret and a verifier that accepts its scheme only, and
each event processed once (Qonto retries: the idempotency guard answers the duplicates).

    QONTO_WEBHOOK_SECRET=whsec_... QONTO_ONBOARDING_SECRET=... \
        python examples/python/fastapi_receiver.py 8080
    qonto-webhooks send --url http://127.0.0.1:8080/webhooks --check

With REDIS_URL=redis://... the processed ids are kept in Redis (shared by every worker process,
kept across restarts); without it, in this process's memory.
"""

import collections
import os
import sys

from fastapi import Depends, FastAPI

from qonto_webhooks import IdempotencyGuard, RedisStore, Verifier
from qonto_webhooks.fastapi import QontoWebhook, WebhookRejected, webhook_rejected_handler

app = FastAPI()
# Answers a refused request with JSON {"error": <code>, "message": ...} and its status.
app.add_exception_handler(WebhookRejected, webhook_rejected_handler)
queue: "collections.deque[object]" = collections.deque(maxlen=10_000)  # your job queue


def make_guard():
    url = os.environ.get("REDIS_URL")
    if not url:
        return IdempotencyGuard()  # a MemoryStore: one process
    import redis

    return IdempotencyGuard(RedisStore(redis.Redis.from_url(url)))


guard = make_guard()
# Built once, at start-up. Business only is the default; onboarding is said explicitly. Each
# dependency reads the raw body from the request's stream (never await request.json()), verifies
# it (400 {"error": <code>, "message": ...} when it does not verify, 413 body_too_large over
# 1 MiB) and hands the endpoint the typed event once per event id: a processed event is answered
# 200 {"duplicate": true}, one being processed 409 duplicate_in_progress with Retry-After, a
# store failure 503.
business_event = QontoWebhook(Verifier(os.environ["QONTO_WEBHOOK_SECRET"]), guard=guard)
onboarding_event = QontoWebhook(
    Verifier(os.environ["QONTO_ONBOARDING_SECRET"], schemes="onboarding"), guard=guard
)


async def process(event):
    # Queue the event here (await your queue's client) and answer within Qonto's 1 s. Raising
    # releases the event: Qonto's retry is processed.
    queue.append((event.verified.scheme, event))
    return {"received": True, "id": event.id}


@app.post("/webhooks")
async def business_webhook(event=Depends(business_event)):  # event: a qonto_webhooks.Event
    return await process(event)


@app.post("/webhooks/onboarding")
async def onboarding_webhook(event=Depends(onboarding_event)):  # a qonto_webhooks.OnboardingEvent
    return await process(event)


if __name__ == "__main__":
    import uvicorn

    port = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("PORT", "8080"))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
