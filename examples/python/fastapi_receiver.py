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

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from qonto_webhooks import IdempotencyGuard, RedisStore, Verifier

app = FastAPI()
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


async def process(verified, event):
    # Queue the event here (await your queue's client) and answer within Qonto's 1 s. Raising
    # releases the event: Qonto's retry is processed.
    queue.append((verified.scheme, event))


async def receive(verifier: Verifier, request: Request):
    body = await request.body()  # the raw bytes, not await request.json()
    # Verifies (400 with the error code when it does not verify), then awaits `process` once per
    # event id: a processed event is answered 200 {"duplicate": true}, one being processed 409
    # duplicate_in_progress with Retry-After, a store failure 503. The store's own calls are
    # short and synchronous (a dict, or one Redis round trip).
    r = await guard.handle_request_async(verifier, request.headers, body, process)
    return JSONResponse(r.body, status_code=r.status, headers=dict(r.headers))


@app.post("/webhooks")
async def business_webhook(request: Request):
    return await receive(business, request)


@app.post("/webhooks/onboarding")
async def onboarding_webhook(request: Request):
    return await receive(onboarding, request)


if __name__ == "__main__":
    import uvicorn

    port = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("PORT", "8080"))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
