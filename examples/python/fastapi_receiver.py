"""A Qonto webhook endpoint with FastAPI.

    QONTO_WEBHOOK_SECRET=whsec_... python examples/python/fastapi_receiver.py 8080
    qonto-webhooks send --url http://127.0.0.1:8080/webhooks --check
"""

import json
import os
import sys

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from qonto_webhooks import Verifier, WebhookVerificationError

app = FastAPI()
verifier = Verifier(os.environ["QONTO_WEBHOOK_SECRET"])  # once, at start-up
seen = set()  # event ids already processed: keep them in your database


@app.post("/webhooks")
async def qonto_webhook(request: Request):
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


if __name__ == "__main__":
    import uvicorn

    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
