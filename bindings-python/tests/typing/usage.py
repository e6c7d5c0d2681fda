"""A typed usage of the package: `mypy --strict` must accept this file (see test_typing.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Literal, Optional, Union

import qonto_webhooks
from qonto_webhooks import (
    Claim,
    ClaimState,
    Event,
    IdempotencyGuard,
    IdempotencyStoreError,
    Incremental,
    MemoryStore,
    RedisStore,
    RunResult,
    Store,
    WebhookResponse,
    idempotency_key,
    OnboardingEvent,
    Verified,
    Verifier,
    WebhookVerificationError,
    sign,
    sign_onboarding,
)


def handle(verifier: Verifier, body: bytes, headers: Dict[str, str]) -> Optional[str]:
    try:
        event: Event = verifier.construct_event(body, headers.get("X-Qonto-Signature"))
    except qonto_webhooks.TimestampTooOldError as e:
        return e.code
    except WebhookVerificationError as e:
        code: str = e.code
        return code
    raw: str = event.created_at
    try:
        created: datetime = event.created_time()
    except ValueError:
        return f"{event.id} created_at {raw!r} is not a date-time"
    action: Optional[str] = event.action
    return f"{event.id} {event.type} {action} {created.isoformat()} {event.data.get('id')}"


def from_request(verifier: Verifier, headers: Dict[str, str], body: bytes) -> str:
    event = verifier.construct_event_from_request(headers, body, now=None)
    if isinstance(event, OnboardingEvent):
        kind: str = event.event_type
        return kind
    topic: str = event.type
    return topic


def integrations(verifier: Verifier, guard: IdempotencyGuard) -> None:
    """The framework integrations keep the views' types."""
    from qonto_webhooks.aiohttp import qonto_webhook as aiohttp_webhook
    from qonto_webhooks.fastapi import QontoWebhook, exception_handlers
    from qonto_webhooks.flask import qonto_webhook as flask_webhook
    from qonto_webhooks.starlette import qonto_webhook as starlette_webhook

    @flask_webhook(verifier, guard=guard, max_body_size=None)
    def flask_view(event: Union[Event, OnboardingEvent]) -> str:
        return event.id

    @starlette_webhook(verifier)
    async def starlette_view(request: Any, event: Union[Event, OnboardingEvent]) -> Any:
        return event.id

    @aiohttp_webhook(verifier, guard=guard)
    async def aiohttp_view(request: Any, event: Union[Event, OnboardingEvent]) -> Any:
        return event.id

    dependency = QontoWebhook(verifier, guard=guard, max_body_size=65536)
    text: str = flask_view(Event.from_dict({}))
    print(text, starlette_view, aiohttp_view, dependency.max_body_size, len(exception_handlers))


def main() -> None:
    verifier = Verifier(["new-secret", b"old-secret"], tolerance="disabled", schemes="both")
    strict = Verifier("secret", tolerance=300)
    body = b'{"test":"data"}'
    header: str = sign("secret", body, timestamp=1704110400)
    verified: Verified = strict.verify(body, header, now=1704110400)
    index: int = verified.secret_index
    timestamp: Optional[int] = verified.timestamp
    verifier.verify(bytearray(body), header.encode())
    verifier.verify(memoryview(body), None)
    verifier.verify(body.decode(), header)
    verifier.verify_onboarding(body, sign_onboarding("secret", body))
    state: Incremental = verifier.start(header, now=1704110400)
    state.update(body)
    state.finish()
    verifier.verify_request({"X-Qonto-Signature": header}, body)
    verifier.verify_request([(b"x-qonto-signature", header.encode())], body, now=None)
    onboarding: OnboardingEvent = verifier.construct_onboarding_event(body, "00" * 32)
    onboarding_raw: str = onboarding.created_at
    onboarding_time: datetime = onboarding.created_time()
    print(onboarding_raw, onboarding_time.isoformat())
    codes: List[str] = list(qonto_webhooks.ERROR_CODES)
    cls = qonto_webhooks.ERRORS["signature_mismatch"]
    tolerance: Union[int, Literal["disabled"]] = verifier.tolerance
    schemes: Literal["business", "onboarding", "both"] = verifier.schemes
    Verifier("secret", tolerance=None, schemes="onboarding")
    request_state: Incremental = verifier.start_request({"X-Qonto-Signature": header}, now=None)
    request_state.update(body)
    print(schemes, request_state.finish().scheme)
    print(
        index,
        timestamp,
        onboarding.event_type,
        codes,
        cls.code,
        tolerance,
        handle(strict, body, {}),
    )


class ListStore:
    """A user's own store: the Store protocol is structural."""

    def claim(self, key: str, lease: float) -> Claim:
        return Claim("claimed", key, "token")

    def complete(self, key: str, token: str, ttl: float) -> None:
        pass

    def release(self, key: str, token: str) -> None:
        pass


def guarded(verifier: Verifier, headers: Dict[str, str], body: bytes) -> WebhookResponse:
    store: Store = MemoryStore(max_entries=10, clock=lambda: 0.0)
    guard = IdempotencyGuard(store, lease=30, ttl=3600.5)
    IdempotencyGuard(ListStore())
    verified = verifier.verify_request(headers, body)
    key: str = idempotency_key(verified, body)
    idempotency_key("onboarding", {"id": "e1"})
    claim: Claim = guard.claim(key)
    state: ClaimState = claim.state
    if claim.claimed:
        guard.complete(claim)
    result: RunResult[int] = guard.run(key, lambda: 42)
    value: Optional[int] = result.value
    print(state, value, result.duplicate, guard.duplicate_response(claim))

    def handler(verified: Verified, event: Dict[str, Any]) -> None:
        print(verified.scheme, event["id"])

    try:
        response = guard.handle_request(verifier, headers, body, handler, now=None)
    except IdempotencyStoreError as e:
        return WebhookResponse(503, {"error": e.code})
    status: int = response.status
    print(status, dict(response.headers))
    return response


async def guarded_async(verifier: Verifier, headers: Dict[str, str], body: bytes) -> int:
    async def handler(verified: Verified, event: Dict[str, Any]) -> None:
        print(event["id"])

    response = await IdempotencyGuard().handle_request_async(verifier, headers, body, handler)
    return response.status


def redis_store(client: Any) -> RedisStore:
    return RedisStore(client, prefix="app:")


if __name__ == "__main__":
    main()
