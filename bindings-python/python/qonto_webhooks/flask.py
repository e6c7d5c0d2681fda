"""Flask: a view decorator that verifies Qonto webhooks.

::

    from flask import Flask
    from qonto_webhooks import Verifier
    from qonto_webhooks.flask import qonto_webhook

    app = Flask(__name__)
    verifier = Verifier(os.environ["QONTO_WEBHOOK_SECRET"])

    @app.post("/webhooks")
    @qonto_webhook(verifier)
    def webhooks(event):
        enqueue(event)  # a verified Event (OnboardingEvent for an onboarding verifier)
        return "", 204

It reads the raw body (``request.get_data()``, never ``request.json``), verifies it under the
verifier's ``schemes`` and calls the view with the typed event (and the route's arguments);
otherwise the view is not called and the answer is JSON ``{"error": <code>, "message": ...}``: 400
with the verification's code, 413 ``body_too_large`` over ``max_body_size``. With ``guard=`` (an
``IdempotencyGuard``) each event reaches the view once: a processed one gets 200
``{"duplicate": true, "id": ...}``, one being processed 409 ``duplicate_in_progress``, a store
failure 503; a view answering outside 2xx, or raising, releases the event so that Qonto's retry
is processed. Put it under ``@app.post``, as here. ``async def`` views work as Flask runs them
(``flask[async]``).
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Optional, TypeVar, cast

from flask import Response, current_app, jsonify, make_response, request
from werkzeug.exceptions import RequestEntityTooLarge

from . import Verifier
from ._frameworks import (
    DEFAULT_MAX_BODY_SIZE,
    AnyEvent,
    check_max_body_size,
    construct,
    declared_over,
    guarded,
    too_large,
)
from .idempotency import IdempotencyGuard, WebhookResponse

__all__ = ["qonto_webhook", "DEFAULT_MAX_BODY_SIZE"]

_View = TypeVar("_View", bound=Callable[..., Any])


def _json(r: WebhookResponse) -> Response:
    response = jsonify(r.body)
    response.status_code = r.status
    response.headers.update(dict(r.headers))
    return response


def _read(limit: Optional[int]) -> Any:
    """The raw body, or the 413 answer. ``max_body_size`` becomes this request's
    ``max_content_length``, so that a chunked body is not read past the limit either."""
    if declared_over(request.content_length, limit):
        assert limit is not None
        return _json(too_large(limit))
    configured = request.max_content_length
    if limit is not None and (configured is None or configured > limit):
        # One byte more than the limit: Werkzeug cuts a streamed body at its maximum without
        # saying so, so a body that reaches limit + 1 bytes is known to be over it.
        try:
            request.max_content_length = limit + 1
        except AttributeError:  # Flask before 3.1: read whole, then measured below
            pass
    try:
        body = request.get_data(cache=True)
    except RequestEntityTooLarge:
        if limit is not None and (configured is None or configured > limit):
            return _json(too_large(limit))
        return _json(too_large(configured or 0, "MAX_CONTENT_LENGTH"))
    if limit is not None and len(body) > limit:
        return _json(too_large(limit))
    return body


def qonto_webhook(
    verifier: Verifier,
    *,
    guard: Optional[IdempotencyGuard] = None,
    max_body_size: Optional[int] = DEFAULT_MAX_BODY_SIZE,
) -> Callable[[_View], _View]:
    """Decorates a view ``view(event, **route_args)``: see the module's docs.

    Args:
        verifier: its ``schemes`` choose the header (one endpoint, one scheme).
        guard: an ``IdempotencyGuard``: each event reaches the view once.
        max_body_size: the largest body read, in bytes (1 MiB); ``None``: Flask's
            ``MAX_CONTENT_LENGTH`` only.
    """
    if not isinstance(verifier, Verifier):
        raise TypeError(
            f"qonto_webhook takes a qonto_webhooks.Verifier, not {type(verifier).__qualname__}"
        )
    limit = check_max_body_size(max_body_size)

    def decorate(view: _View) -> _View:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            body = _read(limit)
            if not isinstance(body, bytes):
                return body
            if guard is None:
                event = construct(verifier, request.headers, body, None)
                if isinstance(event, WebhookResponse):
                    return _json(event)
                return current_app.ensure_sync(view)(event, *args, **kwargs)

            def call(event: AnyEvent) -> Response:
                # The view's return value (a tuple, a str, a dict...) as a Response: its status
                # decides whether the event is done or released.
                return make_response(current_app.ensure_sync(view)(event, *args, **kwargs))

            r = guarded(
                guard, verifier, request.headers, body, call, lambda resp: resp.status_code, None
            )
            return _json(r) if isinstance(r, WebhookResponse) else r

        return cast(_View, wrapper)

    return decorate
