"""The exceptions raised by :mod:`qonto_webhooks`.

Every rejection raises a subclass of :class:`WebhookVerificationError` (itself a ``ValueError``)
whose ``code`` is the stable string shared by every binding of the library (Rust, Node, C)::

    try:
        verifier.verify(body, header)
    except TimestampTooOldError:
        ...  # a replay, or this server's clock is off
    except WebhookVerificationError as e:
        log.warning("rejected webhook: %s (%s)", e.code, e)

The message says what was wrong and what to do; it never contains the secret or the expected
signature. Wrong argument types raise ``TypeError`` instead.
"""

from __future__ import annotations

from typing import Dict, Optional, Tuple, Type

__all__ = [
    "WebhookVerificationError",
    "InvalidSecretError",
    "HeaderError",
    "MissingHeaderError",
    "MalformedHeaderError",
    "MissingTimestampError",
    "MissingSignatureError",
    "TimestampError",
    "TimestampTooOldError",
    "TimestampInFutureError",
    "SignatureMismatchError",
    "InvalidPayloadError",
    "ERRORS",
    "IdempotencyError",
    "IdempotencyStoreError",
]


class WebhookVerificationError(ValueError):
    """A webhook (or a secret) was rejected; ``code`` says why.

    Attributes:
        code: the stable code, e.g. ``"signature_mismatch"``.
        message: the human-readable message (also ``str(error)``).
        scheme: ``"business"`` or ``"onboarding"``: the scheme being verified, when known.
    """

    code: str = "webhook_verification_error"

    def __init__(
        self, message: str, scheme: Optional[str] = None, code: Optional[str] = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.scheme = scheme
        if code is not None:
            self.code = code

    def __reduce__(self) -> Tuple[object, ...]:
        return (type(self), (self.message, self.scheme, self.code))


class InvalidSecretError(WebhookVerificationError):
    """The secret is empty, or there are no secrets or more than eight. Raised by ``Verifier()``
    and ``sign()``, before any webhook is seen: a configuration error."""

    code = "invalid_secret"


class HeaderError(WebhookVerificationError):
    """The signature header is absent or not of the documented form (the four header codes)."""


class MissingHeaderError(HeaderError):
    """The signature header is absent or empty."""

    code = "missing_header"


class MalformedHeaderError(HeaderError):
    """The header is present but not of the documented form, or longer than 4096 bytes."""

    code = "malformed_header"


class MissingTimestampError(HeaderError):
    """The ``X-Qonto-Signature`` header has no ``t`` item."""

    code = "missing_timestamp"


class MissingSignatureError(HeaderError):
    """The ``X-Qonto-Signature`` header has no ``v1`` item."""

    code = "missing_signature"


class TimestampError(WebhookVerificationError):
    """The header's timestamp is outside the tolerance (either way)."""


class TimestampTooOldError(TimestampError):
    """The timestamp is older than the tolerance allows: a replay, or a slow clock here."""

    code = "timestamp_too_old"


class TimestampInFutureError(TimestampError):
    """The timestamp is further in the future than the tolerance allows: check the clock."""

    code = "timestamp_in_future"


class SignatureMismatchError(WebhookVerificationError):
    """The header is well-formed and in the window, but no secret produces its signature.

    Most often the body was parsed and serialised again before verification: pass the raw
    request body, byte for byte."""

    code = "signature_mismatch"


class InvalidPayloadError(WebhookVerificationError):
    """``construct_event`` only: the signature is valid, but the body is not an event of the
    expected shape (not JSON, or a required field is missing or of the wrong type)."""

    code = "invalid_payload"


class IdempotencyError(Exception):
    """A failure of the idempotency guard (:mod:`qonto_webhooks.idempotency`), not of the
    webhook: the webhook may be genuine. ``code`` and ``message`` as on
    :class:`WebhookVerificationError`."""

    code: str = "idempotency_error"

    def __init__(self, message: str, code: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __reduce__(self) -> Tuple[object, ...]:
        return (type(self), (self.message, self.code))


class IdempotencyStoreError(IdempotencyError):
    """The idempotency store failed (Redis down, a timeout, a custom store raised). The guard
    fails closed: the handler is not run, and the HTTP helper answers 503, so Qonto retries."""

    code = "idempotency_store_unavailable"


#: Every error class by its code (the webhook's rejections; the guard's errors are apart).
ERRORS: Dict[str, Type[WebhookVerificationError]] = {
    cls.code: cls
    for cls in (
        InvalidSecretError,
        MissingHeaderError,
        MalformedHeaderError,
        MissingTimestampError,
        MissingSignatureError,
        TimestampTooOldError,
        TimestampInFutureError,
        SignatureMismatchError,
        InvalidPayloadError,
    )
}
