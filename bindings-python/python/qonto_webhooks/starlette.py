"""Starlette and FastAPI: an endpoint decorator and a FastAPI dependency that verify Qonto
webhooks.

Starlette (the endpoint gets the request and the verified event)::

    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route
    from qonto_webhooks import Verifier
    from qonto_webhooks.starlette import qonto_webhook

    verifier = Verifier(os.environ["QONTO_WEBHOOK_SECRET"])

    @qonto_webhook(verifier)
    async def webhooks(request, event):
        enqueue(event)  # a verified Event (OnboardingEvent for an onboarding verifier)
        return Response(status_code=204)

    app = Starlette(routes=[Route("/webhooks", webhooks, methods=["POST"])])

FastAPI (a dependency; register ``exception_handlers`` so that refusals answer the JSON below)::

    from fastapi import Depends, FastAPI, Response
    from qonto_webhooks.starlette import QontoWebhook, exception_handlers

    app = FastAPI(exception_handlers=exception_handlers)
    verified_event = QontoWebhook(Verifier(os.environ["QONTO_WEBHOOK_SECRET"]))

    @app.post("/webhooks", status_code=204)
    async def webhooks(event=Depends(verified_event)):
        enqueue(event)

Both read the raw body (the request's stream, never ``await request.json()``; ``await
request.body()`` still works afterwards), verify it under the verifier's ``schemes`` and hand
over the typed event; otherwise the endpoint is not called and the answer is JSON
``{"error": <code>, "message": ...}``: 400 with the verification's code, 413 ``body_too_large``
over ``max_body_size``. With ``guard=`` (an ``IdempotencyGuard``) each event reaches the endpoint
once: a processed one gets 200 ``{"duplicate": true, "id": ...}``, one being processed 409
``duplicate_in_progress``, a store failure 503. The decorator releases the event (so that Qonto's
retry is processed) when the endpoint raises or answers outside 2xx; the dependency releases it
when the endpoint raises (``raise HTTPException(503)`` to refuse an event), and marks it done
otherwise.
"""

# No `from __future__ import annotations` here: FastAPI reads the annotation of
# QontoWebhook.__call__'s `request` at run time to inject the Request.
import functools
import inspect
import logging
from typing import (
    Any,
    AsyncIterator,
    Awaitable,
    Callable,
    Dict,
    Literal,
    Optional,
    TypeVar,
    Union,
    cast,
)

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import Verifier
from ._frameworks import (
    DEFAULT_MAX_BODY_SIZE,
    AnyEvent,
    check_max_body_size,
    construct,
    declared_over,
    error,
    guarded_async,
    rejected,
    too_large,
)
from ._events import OnboardingEvent
from .exceptions import IdempotencyStoreError, WebhookVerificationError
from .idempotency import IdempotencyGuard, WebhookResponse, idempotency_key

__all__ = [
    "qonto_webhook",
    "QontoWebhook",
    "WebhookRejected",
    "webhook_rejected_handler",
    "exception_handlers",
    "DEFAULT_MAX_BODY_SIZE",
]

_log = logging.getLogger("qonto_webhooks.idempotency")
_Endpoint = TypeVar("_Endpoint", bound=Callable[..., Any])


def _json(r: WebhookResponse) -> JSONResponse:
    return JSONResponse(r.body, status_code=r.status, headers=dict(r.headers))


async def _read(request: Request, limit: Optional[int]) -> Union[bytes, WebhookResponse]:
    """The raw body, read from the stream up to ``limit`` bytes, or the 413 answer. The body is
    kept on the request, so that ``await request.body()`` still gives it."""
    if declared_over(request.headers.get("content-length"), limit):
        assert limit is not None
        return too_large(limit)
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if limit is not None and size > limit:
            return too_large(limit)  # the rest is never read
        chunks.append(chunk)
    body = b"".join(chunks)
    request._body = body  # what request.body() caches: the stream is consumed now
    return body


def _status(response: Response) -> int:
    return response.status_code


def qonto_webhook(
    verifier: Verifier,
    *,
    guard: Optional[IdempotencyGuard] = None,
    max_body_size: Optional[int] = DEFAULT_MAX_BODY_SIZE,
) -> Callable[[_Endpoint], _Endpoint]:
    """Decorates a Starlette endpoint ``endpoint(request, event)`` (``async def``, or plain: run
    in the thread pool) that returns a ``Response``: see the module's docs.

    Args:
        verifier: its ``schemes`` choose the header (one endpoint, one scheme).
        guard: an ``IdempotencyGuard``: each event reaches the endpoint once.
        max_body_size: the largest body read, in bytes (1 MiB); ``None``: no limit.
    """
    if not isinstance(verifier, Verifier):
        raise TypeError(
            f"qonto_webhook takes a qonto_webhooks.Verifier, not {type(verifier).__qualname__}"
        )
    limit = check_max_body_size(max_body_size)

    def decorate(endpoint: _Endpoint) -> _Endpoint:
        is_async = inspect.iscoroutinefunction(endpoint)

        @functools.wraps(endpoint)
        async def wrapper(request: Request) -> Response:
            body = await _read(request, limit)
            if isinstance(body, WebhookResponse):
                return _json(body)

            async def call(event: AnyEvent) -> Response:
                if is_async:
                    response: Response = await endpoint(request, event)
                else:
                    response = await run_in_threadpool(endpoint, request, event)
                return response

            if guard is None:
                event = construct(verifier, request.headers, body, None)
                if isinstance(event, WebhookResponse):
                    return _json(event)
                return await call(event)
            r = await guarded_async(guard, verifier, request.headers, body, call, _status, None)
            return _json(r) if isinstance(r, WebhookResponse) else r

        return cast(_Endpoint, wrapper)

    return decorate


class WebhookRejected(HTTPException):
    """What :class:`QontoWebhook` raises when the endpoint must not run: ``response`` is the
    answer (a ``WebhookResponse``: 400, 413, 409, 503, or 200 for a duplicate). Register
    :data:`exception_handlers` (or :func:`webhook_rejected_handler`) to answer it as is; without
    it, FastAPI answers ``{"detail": <that body>}`` with the same status."""

    def __init__(self, response: WebhookResponse) -> None:
        detail: Any = response.body  # FastAPI's own handler serialises any JSON value
        super().__init__(response.status, detail=detail, headers=dict(response.headers) or None)
        self.response = response


async def webhook_rejected_handler(request: Request, exc: Exception) -> Response:
    """Answers a :class:`WebhookRejected` with its JSON body, status and headers."""
    if not isinstance(exc, WebhookRejected):  # pragma: no cover - registered for it only
        raise exc
    return _json(exc.response)


#: ``FastAPI(exception_handlers=exception_handlers)`` / ``Starlette(exception_handlers=...)``,
#: or ``app.add_exception_handler(WebhookRejected, webhook_rejected_handler)``.
exception_handlers: Dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
    WebhookRejected: webhook_rejected_handler
}


class QontoWebhook:
    """A FastAPI dependency: ``event = Depends(QontoWebhook(verifier, guard=None))`` is the
    verified, typed event; see the module's docs.

    Args:
        verifier: its ``schemes`` choose the header (one endpoint, one scheme).
        guard: an ``IdempotencyGuard``: each event reaches the endpoint once (claimed before,
            done after the endpoint returns, released when it raises).
        max_body_size: the largest body read, in bytes (1 MiB); ``None``: no limit.

    Raises (to FastAPI): :class:`WebhookRejected` when the endpoint must not run.
    """

    def __init__(
        self,
        verifier: Verifier,
        *,
        guard: Optional[IdempotencyGuard] = None,
        max_body_size: Optional[int] = DEFAULT_MAX_BODY_SIZE,
    ) -> None:
        if not isinstance(verifier, Verifier):
            raise TypeError(
                f"QontoWebhook takes a qonto_webhooks.Verifier, not {type(verifier).__qualname__}"
            )
        self.verifier = verifier
        self.guard = guard
        self.max_body_size = check_max_body_size(max_body_size)

    async def __call__(self, request: Request) -> AsyncIterator[AnyEvent]:
        body = await _read(request, self.max_body_size)
        if isinstance(body, WebhookResponse):
            raise WebhookRejected(body)
        event = construct(self.verifier, request.headers, body, None)
        if isinstance(event, WebhookResponse):
            raise WebhookRejected(event)
        guard = self.guard
        if guard is None:
            yield event
            return
        try:
            # As handle_request keys it: an empty id is invalid_payload, not a key.
            claim = guard.claim(idempotency_key(_scheme(event), {"id": event.id}))
        except WebhookVerificationError as e:  # no non-empty id: invalid_payload
            raise WebhookRejected(rejected(e)) from None
        except IdempotencyStoreError as e:
            raise WebhookRejected(error(503, e.code, str(e))) from None
        duplicate = guard.duplicate_response(claim)
        if duplicate is not None:
            raise WebhookRejected(duplicate)
        try:
            yield event
        except BaseException:
            _settle(guard.release, claim.key, claim)
            raise
        _settle(guard.complete, claim.key, claim)


def _scheme(event: AnyEvent) -> Literal["business", "onboarding"]:
    return "onboarding" if isinstance(event, OnboardingEvent) else "business"


def _settle(step: Callable[[Any], None], key: str, claim: Any) -> None:
    """complete or release after the endpoint; a store failure then is logged, not raised."""
    try:
        step(claim)
    except IdempotencyStoreError as e:
        _log.warning("%s (key %s)", e, key)
