"""What the framework integrations share (``qonto_webhooks.django``, ``.flask``,
``.starlette`` / ``.fastapi`` and ``.aiohttp``): the body limit, the JSON answers and the
idempotency guard around a view. Framework-free; each integration only adapts its request and
response types."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Awaitable, Callable, List, Optional, TypeVar, Union

from ._events import Event, OnboardingEvent
from .exceptions import InvalidPayloadError, WebhookVerificationError
from .idempotency import IdempotencyGuard, WebhookResponse

if TYPE_CHECKING:
    from . import Verifier
    from ._native import Verified

#: The largest body the integrations read by default (bytes): 1 MiB, as the Node and Go
#: middlewares. Qonto's events are a few KiB.
DEFAULT_MAX_BODY_SIZE = 1024 * 1024

AnyEvent = Union[Event, OnboardingEvent]
_R = TypeVar("_R")


def check_max_body_size(value: Optional[int]) -> Optional[int]:
    """``max_body_size``: a positive ``int`` of bytes, or ``None`` (no limit of ours)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            f"max_body_size must be an int of bytes or None, not {type(value).__qualname__}"
        )
    if value <= 0:
        raise ValueError(f"max_body_size must be positive, not {value}")
    return value


def error(status: int, code: str, message: str) -> WebhookResponse:
    """The JSON answer of every integration (and of the Node and Go middlewares):
    ``{"error": <code>, "message": <what was wrong>}``."""
    return WebhookResponse(status, {"error": code, "message": message})


def rejected(e: WebhookVerificationError) -> WebhookResponse:
    """400 with the verification's code: Qonto retries a non-2xx delivery."""
    return error(400, e.code, str(e))


def too_large(limit: int, setting: str = "max_body_size") -> WebhookResponse:
    return error(
        413,
        "body_too_large",
        f"the request body is over the {limit}-byte limit (Qonto's events are a few KiB; "
        f"{setting} raises it)",
    )


def declared_over(content_length: Any, limit: Optional[int]) -> bool:
    """Whether a ``Content-Length`` (a header value or an ``int``; absent or unreadable: no)
    announces more than ``limit`` bytes, so that the body need not be read at all."""
    if limit is None or content_length is None:
        return False
    try:
        return int(content_length) > limit
    except (TypeError, ValueError):
        return False


def typed_event(verified: Verified, obj: Any) -> AnyEvent:
    """The event of the scheme that verified, from the parsed body."""
    try:
        if verified.scheme == "onboarding":
            return OnboardingEvent.from_dict(obj, verified)
        return Event.from_dict(obj, verified)
    except InvalidPayloadError as e:
        e.scheme = verified.scheme
        raise


def construct(
    verifier: Verifier, headers: Any, body: bytes, now: Optional[int]
) -> Union[WebhookResponse, AnyEvent]:
    """The verified event, or the 400 answer when the request does not verify."""
    try:
        return verifier.construct_event_from_request(headers, body, now=now)
    except WebhookVerificationError as e:
        return rejected(e)


def guarded(
    guard: IdempotencyGuard,
    verifier: Verifier,
    headers: Any,
    body: bytes,
    view: Callable[[AnyEvent], _R],
    status_of: Callable[[_R], int],
    now: Optional[int],
) -> Union[WebhookResponse, _R]:
    """``guard.handle_request`` around a view that takes the typed event and returns the
    framework's response: that response when the view ran (a 2xx marks the event done, another
    status or an exception releases it, so Qonto's retry is processed), else the guard's answer
    (400, 200 duplicate, 409 in progress, 503 store unavailable)."""
    answered: List[_R] = []

    def handler(verified: Verified, obj: Any) -> WebhookResponse:
        try:
            event = typed_event(verified, obj)
        except InvalidPayloadError as e:
            return rejected(e)  # not a 2xx: the claim is released
        response = view(event)
        answered.append(response)
        return WebhookResponse(status_of(response), None)

    r = guard.handle_request(verifier, headers, body, handler, now=now)
    return answered[0] if answered else r


async def guarded_async(
    guard: IdempotencyGuard,
    verifier: Verifier,
    headers: Any,
    body: bytes,
    view: Callable[[AnyEvent], Awaitable[_R]],
    status_of: Callable[[_R], int],
    now: Optional[int],
) -> Union[WebhookResponse, _R]:
    """:func:`guarded` with ``guard.handle_request_async``, for an ``async`` view."""
    answered: List[_R] = []

    async def handler(verified: Verified, obj: Any) -> WebhookResponse:
        try:
            event = typed_event(verified, obj)
        except InvalidPayloadError as e:
            return rejected(e)
        response = await view(event)
        answered.append(response)
        return WebhookResponse(status_of(response), None)

    r = await guard.handle_request_async(verifier, headers, body, handler, now=now)
    return answered[0] if answered else r
