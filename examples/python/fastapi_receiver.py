"""A Qonto webhook endpoint with FastAPI: business webhooks at /webhooks, onboarding webhooks at
/webhooks/onboarding, each with its own secret and a verifier that accepts its scheme only.

    QONTO_WEBHOOK_SECRET=whsec_... QONTO_ONBOARDING_SECRET=... \
        python examples/python/fastapi_receiver.py 8080
    qonto-webhooks send --url http://127.0.0.1:8080/webhooks --check
"""

import json
import os
import sys

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from qonto_webhooks import Verifier, WebhookVerificationError

app = FastAPI()
# Built once, at start-up. Business only is the default; onboarding is said explicitly.
business = Verifier(os.environ["QONTO_WEBHOOK_SECRET"])
onboarding = Verifier(os.environ["QONTO_ONBOARDING_SECRET"], schemes="onboarding")
seen = set()  # event ids already processed: keep them in your database


async def receive(verifier: Verifier, request: Request):
    body = await request.body()  # the raw bytes, not await request.json()
    try:
        verifier.verify_request(request.headers, body)
    except WebhookVerificationError as e:
        return JSONResponse({"error": e.code}, status_code=400)
    event = json.loads(body)
    if event["id"] in seen:
        return JSONResponse({"error": "duplicate_event"}, status_code=409)
    seen.add(event["id"])
    return {"received": True}


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
