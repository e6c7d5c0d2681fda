"""aiohttp: a handler decorator that verifies Qonto webhooks.

::

    from aiohttp import web
    from qonto_webhooks import Verifier
    from qonto_webhooks.aiohttp import qonto_webhook

    verifier = Verifier(os.environ["QONTO_WEBHOOK_SECRET"])

    @qonto_webhook(verifier)
    async def webhooks(request, event):
        enqueue(event)  # a verified Event (OnboardingEvent for an onboarding verifier)
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/webhooks", webhooks)

It reads the raw body (``await request.read()``, never ``await request.json()``), verifies it
under the verifier's ``schemes`` and calls the handler with the request and the typed event;
otherwise the handler is not called and the answer is JSON ``{"error": <code>, "message": ...}``:
400 with the verification's code, 413 ``body_too_large`` over ``max_body_size`` (or over the
application's ``client_max_size``, 1 MiB by default). With ``guard=`` (an ``IdempotencyGuard``)
each event reaches the handler once: a processed one gets 200 ``{"duplicate": true, "id": ...}``,
one being processed 409 ``duplicate_in_progress``, a store failure 503; a handler answering
outside 2xx, or raising (an ``HTTPException`` included), releases the event so that Qonto's retry
is processed.
"""

from __future__ import annotations

import functools
from typing import Awaitable, Callable, Optional, TypeVar, Union, cast

from aiohttp import web

from . import Verifier
from ._frameworks import (
    DEFAULT_MAX_BODY_SIZE,
    AnyEvent,
    check_max_body_size,
    construct,
    declared_over,
    guarded_async,
    too_large,
)
from .idempotency import IdempotencyGuard, WebhookResponse

__all__ = ["qonto_webhook", "DEFAULT_MAX_BODY_SIZE"]

_Handler = TypeVar("_Handler", bound=Callable[..., Awaitable[web.StreamResponse]])


def _json(r: WebhookResponse) -> web.Response:
    return web.json_response(r.body, status=r.status, headers=dict(r.headers))


async def _read(request: web.Request, limit: Optional[int]) -> Union[bytes, WebhookResponse]:
    """The raw body, or the 413 answer."""
    if declared_over(request.content_length, limit):
        assert limit is not None
        return too_large(limit)
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return too_large(request.client_max_size, "the application's client_max_size")
    if limit is not None and len(body) > limit:
        return too_large(limit)
    return body


def _status(response: web.StreamResponse) -> int:
    return response.status


def qonto_webhook(
    verifier: Verifier,
    *,
    guard: Optional[IdempotencyGuard] = None,
    max_body_size: Optional[int] = DEFAULT_MAX_BODY_SIZE,
) -> Callable[[_Handler], _Handler]:
    """Decorates a handler ``async def handler(request, event)`` that returns a response: see
    the module's docs.

    Args:
        verifier: its ``schemes`` choose the header (one endpoint, one scheme).
        guard: an ``IdempotencyGuard``: each event reaches the handler once.
        max_body_size: the largest body read, in bytes (1 MiB); ``None``: the application's
            ``client_max_size`` only.
    """
    if not isinstance(verifier, Verifier):
        raise TypeError(
            f"qonto_webhook takes a qonto_webhooks.Verifier, not {type(verifier).__qualname__}"
        )
    limit = check_max_body_size(max_body_size)

    def decorate(handler: _Handler) -> _Handler:
        @functools.wraps(handler)
        async def wrapper(request: web.Request) -> web.StreamResponse:
            body = await _read(request, limit)
            if isinstance(body, WebhookResponse):
                return _json(body)

            async def call(event: AnyEvent) -> web.StreamResponse:
                return await handler(request, event)

            if guard is None:
                event = construct(verifier, request.headers, body, None)
                if isinstance(event, WebhookResponse):
                    return _json(event)
                return await call(event)
            r = await guarded_async(guard, verifier, request.headers, body, call, _status, None)
            return _json(r) if isinstance(r, WebhookResponse) else r

        return cast(_Handler, wrapper)

    return decorate
