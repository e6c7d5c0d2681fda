"""Verify Qonto webhook signatures: a thin binding of a constant-time Rust core, with a
pure-Python fallback (standard library only) where no compiled module is available;
``IMPLEMENTATION`` says which one runs (``"native"`` or ``"python"``).

Example (Flask)::

    from flask import Flask, request
    from qonto_webhooks import Verifier, WebhookVerificationError

    app = Flask(__name__)
    verifier = Verifier(os.environ["QONTO_WEBHOOK_SECRET"])

    @app.post("/webhooks/qonto")
    def qonto_webhook():
        try:
            event = verifier.construct_event(
                request.get_data(), request.headers.get("X-Qonto-Signature")
            )
        except WebhookVerificationError as e:
            return {"error": e.code}, 400
        ...  # queue the event (IdempotencyGuard: once per event id)
        return "", 204

Always pass the raw request body, byte for byte: parsing the JSON and serialising it again
changes the bytes and breaks the signature.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Literal, Optional, Tuple, Union

from ._select import IMPLEMENTATION as _IMPLEMENTATION
from ._select import impl as _impl
from ._events import ONBOARDING_EVENT_TYPES, TOPICS, Event, OnboardingEvent, _load_object
from ._events import _parse_datetime as parse_timestamp
from .idempotency import (
    Claim,
    ClaimState,
    IdempotencyGuard,
    MemoryStore,
    RedisStore,
    RunResult,
    Store,
    WebhookResponse,
    idempotency_key,
)
from .exceptions import (
    ERRORS,
    HeaderError,
    IdempotencyError,
    IdempotencyStoreError,
    InvalidPayloadError,
    InvalidSecretError,
    MalformedHeaderError,
    MissingHeaderError,
    MissingSignatureError,
    MissingTimestampError,
    SignatureMismatchError,
    TimestampError,
    TimestampInFutureError,
    TimestampTooOldError,
    WebhookVerificationError,
)

#: Which implementation runs: ``"native"`` (the compiled Rust core) or ``"python"`` (the
#: pure-Python fallback, standard library only). ``QONTO_WEBHOOKS_IMPLEMENTATION=python``
#: forces the fallback; ``=native`` makes the import fail when the native module cannot load.
IMPLEMENTATION: str = _IMPLEMENTATION

BUSINESS_HEADER = _impl.BUSINESS_HEADER
DEFAULT_TOLERANCE = _impl.DEFAULT_TOLERANCE
ERROR_CODES = _impl.ERROR_CODES
MAX_HEADER_LEN = _impl.MAX_HEADER_LEN
MAX_SECRETS = _impl.MAX_SECRETS
ONBOARDING_HEADER = _impl.ONBOARDING_HEADER
Incremental = _impl.Incremental
Verified = _impl.Verified
__version__ = _impl.__version__
sign = _impl.sign
sign_onboarding = _impl.sign_onboarding
unix_now = _impl.unix_now

__all__ = [
    "IMPLEMENTATION",
    "Verifier",
    "Verified",
    "Incremental",
    "Event",
    "OnboardingEvent",
    "parse_timestamp",
    "sign",
    "sign_onboarding",
    "unix_now",
    "diagnose",
    "Diagnosis",
    "Finding",
    "BUSINESS_HEADER",
    "ONBOARDING_HEADER",
    "DEFAULT_TOLERANCE",
    "MAX_SECRETS",
    "MAX_HEADER_LEN",
    "ERROR_CODES",
    "TOPICS",
    "ONBOARDING_EVENT_TYPES",
    "ERRORS",
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
    "IdempotencyGuard",
    "MemoryStore",
    "RedisStore",
    "Store",
    "Claim",
    "ClaimState",
    "RunResult",
    "WebhookResponse",
    "idempotency_key",
    "IdempotencyError",
    "IdempotencyStoreError",
    "__version__",
]

Body = Union[bytes, bytearray, memoryview, str]
Header = Union[str, bytes, None]

_BUSINESS_LOWER = BUSINESS_HEADER.lower()
_ONBOARDING_LOWER = ONBOARDING_HEADER.lower()


def _key_lower(key: object) -> Optional[str]:
    if isinstance(key, str):
        return key.lower()
    if isinstance(key, bytes):  # raw ASGI headers
        return key.decode("latin-1").lower()
    return None


def _signature_headers(headers: Any) -> Tuple[Any, Any]:
    """The values of the two signature headers in any headers object, ``(business, onboarding)``,
    ``None`` for an absent one; names compared ignoring case. Which one is verified is not decided
    here: the core picks it by the verifier's ``schemes``, never by what the request carries."""
    business: Any = None
    onboarding: Any = None
    get = getattr(headers, "get", None)
    if callable(get):
        # Werkzeug, Django, Starlette and aiohttp headers ignore case in `get`.
        business = get(BUSINESS_HEADER)
        onboarding = get(ONBOARDING_HEADER)
        if business is not None and onboarding is not None:
            return business, onboarding
    # A plain dict (case-sensitive) or a list of (name, value) pairs: compare lowercased names.
    items: Iterable[Any]
    if callable(getattr(headers, "items", None)):
        items = headers.items()
    else:
        try:
            items = iter(headers)
        except TypeError:
            raise TypeError(
                "headers must be a mapping of header names to values (or a list of pairs), "
                f"not {type(headers).__qualname__}"
            ) from None
    for pair in items:
        try:
            key, value = pair
        except (TypeError, ValueError):
            raise TypeError(
                "headers must be a mapping of header names to values (or a list of pairs)"
            ) from None
        name = _key_lower(key)
        if name == _BUSINESS_LOWER and business is None:
            business = value
        elif name == _ONBOARDING_LOWER and onboarding is None:
            onboarding = value
    return business, onboarding


class Verifier(_impl.Verifier):
    """Verifies Qonto webhook signatures with one or more secrets.

    ``Verifier(secret, *, tolerance=300, schemes="business")``

    Args:
        secret: the subscription's webhook secret, ``str`` (used as UTF-8) or ``bytes``, exactly
            as Qonto gave it (a ``whsec_`` prefix included, nothing decoded). A sequence of up to
            eight secrets verifies during a rotation; ``Verified.secret_index`` says which one
            matched.
        tolerance: the replay window in seconds for business webhooks (Qonto: 5 minutes).
            ``None`` means the default, 300. Only ``"disabled"``, spelled out, switches the
            window off, for re-verifying archived events.
        schemes: the webhooks :meth:`verify_request` accepts: ``"business"`` (the default),
            ``"onboarding"`` or ``"both"``. Onboarding webhooks are a separate registration at
            Qonto with their own secret: give them their own verifier (and endpoint).

    Raises:
        InvalidSecretError: a secret is empty, there are none or more than eight, or a ``str``
            secret holds a lone surrogate (no UTF-8 form: pass ``bytes``).
        TypeError: ``secret``, ``tolerance`` or ``schemes`` is of the wrong type.
        ValueError: ``tolerance`` is negative, or a ``str`` other than ``"disabled"``;
            ``schemes`` is another ``str``.

    A verifier is immutable and thread-safe: build it once at start-up and share it. With the
    native implementation, bodies above 4 KiB are hashed with the GIL released.

    Example::

        >>> from qonto_webhooks import Verifier
        >>> verifier = Verifier("test-secret")
        >>> header = "t=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805"
        >>> verifier.verify(b'{"test":"data"}', header, now=1704110400)
        Verified(secret_index=0, timestamp=1704110400, scheme='business')
    """

    __slots__ = ()

    def construct_event(self, body: Body, header: Header, *, now: Optional[int] = None) -> Event:
        """Verifies a business webhook, then parses its body into an :class:`Event`.

        Raises:
            WebhookVerificationError: as :meth:`verify` (nothing is parsed then).
            InvalidPayloadError: the signature is valid but the body is not a Qonto event.
        """
        verified = self.verify(body, header, now=now)
        return Event.from_dict(_load_object(body), verified)

    def construct_onboarding_event(self, body: Body, header: Header) -> OnboardingEvent:
        """Verifies an onboarding webhook, then parses its body into an
        :class:`OnboardingEvent`.

        Raises:
            WebhookVerificationError: as :meth:`verify_onboarding`.
            InvalidPayloadError: the signature is valid but the body is not an onboarding event.
        """
        verified = self.verify_onboarding(body, header)
        return OnboardingEvent.from_dict(_load_object(body), verified)

    def verify_request(self, headers: Any, body: Body, *, now: Optional[int] = None) -> Verified:
        """Verifies a request from its headers, under the schemes this verifier accepts
        (``schemes``, business only by default): the endpoint's configuration chooses the
        scheme, never the request. With ``"both"``, ``X-Qonto-Signature`` is verified when
        present, else ``Qonto-SHA256-Signature``. Names are matched ignoring case.

        Args:
            headers: any mapping of names to values (``request.headers`` of Flask/Werkzeug,
                Django, Starlette/FastAPI, aiohttp, or a plain ``dict``), or a list of
                ``(name, value)`` pairs (``str`` or ``bytes``, as in an ASGI scope).
            body: the raw request body.
            now: unix seconds for the business window; the system clock by default.

        Raises:
            MissingHeaderError: no header of an accepted scheme (the message says when the
                request carries the other scheme's header instead).
            WebhookVerificationError: as :meth:`verify` / :meth:`verify_onboarding`.
        """
        business, onboarding = _signature_headers(headers)
        return self._verify_request(business, onboarding, body, now=now)

    def construct_event_from_request(
        self, headers: Any, body: Body, *, now: Optional[int] = None
    ) -> Union[Event, OnboardingEvent]:
        """Verifies a request as :meth:`verify_request` does (the verifier's ``schemes`` choose
        the header, never the request), then parses its body into the event of the scheme that
        verified: an :class:`Event` (business) or an :class:`OnboardingEvent` (onboarding), whose
        ``verified`` is the verification's result.

        Raises:
            WebhookVerificationError: as :meth:`verify_request` (nothing is parsed then).
            InvalidPayloadError: the signature is valid but the body is not an event of that
                scheme.

        Example::

            >>> from qonto_webhooks import Verifier, sign_onboarding
            >>> onboarding = Verifier("secret", schemes="onboarding")
            >>> body = (b'{"id":"e1","event_type":"registrations.pending",'
            ...         b'"resource_type":"registration","resource_id":"r1",'
            ...         b'"created_at":"2022-08-29T13:17:32Z"}')
            >>> headers = {"Qonto-SHA256-Signature": sign_onboarding("secret", body)}
            >>> event = onboarding.construct_event_from_request(headers, body)
            >>> type(event).__name__, event.event_type, event.verified.scheme
            ('OnboardingEvent', 'registrations.pending', 'onboarding')
        """
        verified = self.verify_request(headers, body, now=now)
        try:
            obj = _load_object(body)
            if verified.scheme == "onboarding":
                return OnboardingEvent.from_dict(obj, verified)
            return Event.from_dict(obj, verified)
        except InvalidPayloadError as e:
            e.scheme = verified.scheme  # the scheme whose signature verified
            raise

    def start_request(self, headers: Any, *, now: Optional[int] = None) -> Incremental:
        """Starts verifying a request whose body arrives in chunks (e.g. an ASGI stream),
        choosing the header as :meth:`verify_request` does. Feed the body with
        ``update(chunk)``, then call ``finish()``.

        Raises:
            MissingHeaderError: no header of an accepted scheme.
            WebhookVerificationError: the header and window errors of :meth:`start` /
                :meth:`start_onboarding`.
        """
        business, onboarding = _signature_headers(headers)
        return self._start_request(business, onboarding, now=now)


@dataclass(frozen=True)
class Finding:
    """A known mistake that explains a failed verification."""

    #: Its stable code: ``secret_base64``, ``secret_prefix``, ``secret_whitespace``,
    #: ``body_reserialized``, ``body_trailing_newline``, ``body_line_endings``,
    #: ``body_signed_without_timestamp``, ``wrong_scheme``, ``timestamp_milliseconds``,
    #: ``clock_skew`` or ``wrong_secret``.
    mistake: str
    #: What was found and how to fix it (never the secret or the expected signature).
    message: str


@dataclass(frozen=True)
class Diagnosis:
    """What :func:`diagnose` found."""

    #: Whether the webhook verifies as given.
    ok: bool
    #: The matching secret's index, when it verifies.
    secret_index: Optional[int]
    #: The verification's error code, when it does not.
    code: Optional[str]
    #: The verification's error message, when it does not.
    message: Optional[str]
    #: Whether a known mistake (other than a wrong secret) explains the failure.
    explained: bool
    #: The explanations, most specific first; empty when the webhook verifies.
    findings: Tuple[Finding, ...]


def diagnose(
    secret: Union[str, bytes, bytearray, Iterable[Union[str, bytes, bytearray]]],
    body: Body,
    header: Header,
    *,
    scheme: str = "business",
    now: Optional[int] = None,
    tolerance: Union[int, Literal["disabled"], None] = DEFAULT_TOLERANCE,
) -> Diagnosis:
    """When a webhook does not verify, says which known mistake explains it.

    Tries the mistakes seen in the wild: a secret base64-decoded or stripped of ``whsec_``, a body
    re-serialised (pretty or compact JSON, key order, ``\\u`` escapes), a trailing newline or
    CRLF, the other scheme's header, a timestamp in milliseconds, clock skew, a wrong secret. For
    debugging, not for handling requests (it tries many variants). Never reveals the secret or the
    expected signature. ``tolerance`` is taken as by :class:`Verifier` (``None``: 300 s;
    ``"disabled"`` switches the window off).

    >>> import json
    >>> signed = b'{"id":"e1","amount":"12.50"}'
    >>> header = sign("whsec_abc", signed, timestamp=1700000000)
    >>> received = json.dumps(json.loads(signed))  # what a framework hands back after parsing
    >>> d = diagnose("whsec_abc", received, header, now=1700000000)
    >>> d.code, d.findings[0].mistake
    ('signature_mismatch', 'body_reserialized')
    """
    if scheme not in ("business", "onboarding"):
        raise ValueError(f"scheme must be 'business' or 'onboarding', not {scheme!r}")
    ok, index, code, message, explained, findings = _impl.diagnose(
        secret, body, header, onboarding=scheme == "onboarding", now=now, tolerance=tolerance
    )
    return Diagnosis(ok, index, code, message, explained, tuple(Finding(m, t) for m, t in findings))
