"""FastAPI: the dependency of :mod:`qonto_webhooks.starlette`, under the name FastAPI users look
for::

    from fastapi import Depends, FastAPI
    from qonto_webhooks.fastapi import QontoWebhook, exception_handlers

    app = FastAPI(exception_handlers=exception_handlers)
    verified_event = QontoWebhook(Verifier(os.environ["QONTO_WEBHOOK_SECRET"]))

    @app.post("/webhooks", status_code=204)
    async def webhooks(event=Depends(verified_event)):
        enqueue(event)
"""

from __future__ import annotations

from .starlette import (
    DEFAULT_MAX_BODY_SIZE,
    QontoWebhook,
    WebhookRejected,
    exception_handlers,
    webhook_rejected_handler,
)

__all__ = [
    "QontoWebhook",
    "WebhookRejected",
    "webhook_rejected_handler",
    "exception_handlers",
    "DEFAULT_MAX_BODY_SIZE",
]
