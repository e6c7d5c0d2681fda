"""Django: a view decorator that verifies Qonto webhooks.

::

    from django.http import HttpResponse
    from qonto_webhooks import Verifier
    from qonto_webhooks.django import qonto_webhook

    verifier = Verifier(os.environ["QONTO_WEBHOOK_SECRET"])

    @qonto_webhook(verifier)
    def qonto_webhook_view(request, event):
        enqueue(event)  # a verified Event (OnboardingEvent for an onboarding verifier)
        return HttpResponse(status=204)

The decorator exempts the view from Django's CSRF check (``csrf_exempt``): Qonto sends no CSRF
token, and ``CsrfViewMiddleware`` would answer 403 before the view ran. The signature is what
authenticates the request. It reads the raw ``request.body`` (never ``request.POST``), verifies it
under the verifier's ``schemes``, and calls the view with the typed event; otherwise the view is
not called and the answer is JSON ``{"error": <code>, "message": ...}``: 400 with the
verification's code, 413 ``body_too_large`` over ``max_body_size`` (or over Django's
``DATA_UPLOAD_MAX_MEMORY_SIZE``). With ``guard=`` (an ``IdempotencyGuard``) each event reaches the
view once: a processed one gets 200 ``{"duplicate": true, "id": ...}``, one being processed 409
``duplicate_in_progress``, a store failure 503; a view answering outside 2xx, or raising, releases
the event so that Qonto's retry is processed. Sync and ``async def`` views both work.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Optional, TypeVar, cast

from django.core.exceptions import RequestDataTooBig  # type: ignore[import-untyped]
from django.http import JsonResponse  # type: ignore[import-untyped]
from django.views.decorators.csrf import csrf_exempt  # type: ignore[import-untyped]

from . import Verifier
from ._frameworks import (
    DEFAULT_MAX_BODY_SIZE,
    AnyEvent,
    check_max_body_size,
    construct,
    declared_over,
    guarded,
    guarded_async,
    too_large,
)
from .idempotency import IdempotencyGuard, WebhookResponse

__all__ = ["qonto_webhook", "DEFAULT_MAX_BODY_SIZE"]

_View = TypeVar("_View", bound=Callable[..., Any])


def _json(r: WebhookResponse) -> Any:
    return JsonResponse(r.body, status=r.status, headers=dict(r.headers), safe=False)


def _read(request: Any, limit: Optional[int]) -> Any:
    """The raw body, or the 413 answer."""
    if declared_over(request.META.get("CONTENT_LENGTH"), limit):
        assert limit is not None
        return _json(too_large(limit))
    try:
        body: bytes = request.body
    except RequestDataTooBig:
        from django.conf import settings  # type: ignore[import-untyped]

        return _json(too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE, "DATA_UPLOAD_MAX_MEMORY_SIZE"))
    if limit is not None and len(body) > limit:
        return _json(too_large(limit))
    return body


def _status(response: Any) -> int:
    status: int = response.status_code
    return status


def qonto_webhook(
    verifier: Verifier,
    *,
    guard: Optional[IdempotencyGuard] = None,
    max_body_size: Optional[int] = DEFAULT_MAX_BODY_SIZE,
) -> Callable[[_View], _View]:
    """Decorates a view ``view(request, event, *args, **kwargs)``: see the module's docs.

    Args:
        verifier: its ``schemes`` choose the header (one endpoint, one scheme).
        guard: an ``IdempotencyGuard``: each event reaches the view once.
        max_body_size: the largest body read, in bytes (1 MiB); ``None``: Django's limit only.
    """
    if not isinstance(verifier, Verifier):
        raise TypeError(
            f"qonto_webhook takes a qonto_webhooks.Verifier, not {type(verifier).__qualname__}"
        )
    limit = check_max_body_size(max_body_size)

    def decorate(view: _View) -> _View:
        if inspect.iscoroutinefunction(view):

            @functools.wraps(view)
            async def async_wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
                body = _read(request, limit)
                if not isinstance(body, bytes):
                    return body

                async def call(event: AnyEvent) -> Any:
                    return await view(request, event, *args, **kwargs)

                if guard is None:
                    event = construct(verifier, request.headers, body, None)
                    if isinstance(event, WebhookResponse):
                        return _json(event)
                    return await call(event)
                r = await guarded_async(guard, verifier, request.headers, body, call, _status, None)
                return _json(r) if isinstance(r, WebhookResponse) else r

            return cast(_View, csrf_exempt(async_wrapper))

        @functools.wraps(view)
        def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
            body = _read(request, limit)
            if not isinstance(body, bytes):
                return body

            def call(event: AnyEvent) -> Any:
                return view(request, event, *args, **kwargs)

            if guard is None:
                event = construct(verifier, request.headers, body, None)
                if isinstance(event, WebhookResponse):
                    return _json(event)
                return call(event)
            r = guarded(guard, verifier, request.headers, body, call, _status, None)
            return _json(r) if isinstance(r, WebhookResponse) else r

        return cast(_View, csrf_exempt(wrapper))

    return decorate
