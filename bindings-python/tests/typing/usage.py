"""A typed usage of the package: `mypy --strict` must accept this file (see test_typing.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Dict, List, Literal, Optional, Union

import qonto_webhooks
from qonto_webhooks import (
    Event,
    Incremental,
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
    created: datetime = event.created_at
    action: Optional[str] = event.action
    return f"{event.id} {event.type} {action} {created.isoformat()} {event.data.get('id')}"


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
    codes: List[str] = list(qonto_webhooks.ERROR_CODES)
    cls = qonto_webhooks.ERRORS["signature_mismatch"]
    tolerance: Union[int, Literal["disabled"]] = verifier.tolerance
    schemes: Literal["business", "onboarding", "both"] = verifier.schemes
    Verifier("secret", tolerance=None, schemes="onboarding")
    request_state: Incremental = verifier.start_request({"X-Qonto-Signature": header}, now=None)
    request_state.update(body)
    print(schemes, request_state.finish().scheme)
    print(index, timestamp, onboarding.event_type, codes, cls.code, tolerance, handle(strict, body, {}))


if __name__ == "__main__":
    main()
