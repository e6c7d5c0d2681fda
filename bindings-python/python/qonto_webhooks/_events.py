"""Typed Qonto events: the business envelope and the onboarding event, parsed from a verified
body. Unknown topics and fields are kept, never rejected: Qonto adds them over time."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Dict, Mapping, Optional, Union

# The documented topics and onboarding event types, generated from the core (contract.json).
from ._contract import ONBOARDING_EVENT_TYPES, TOPICS
from ._select import impl as _impl
from .exceptions import InvalidPayloadError
from .payloads import Payload, parse_payload

Verified = _impl.Verified

__all__ = ["Event", "OnboardingEvent", "TOPICS", "ONBOARDING_EVENT_TYPES"]

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})",
    re.ASCII,
)


def _parse_datetime(text: str) -> datetime:
    """An RFC 3339 date-time (with or without a fraction, ``Z`` or an offset, ``T`` or a space),
    timezone-aware: what ``created_time()`` and, as ``qonto_webhooks.parse_timestamp``, the
    typed payloads' timestamps (kept as the text sent) use. Written out because
    ``datetime.fromisoformat`` only accepts ``Z`` from Python 3.11 on.

    Raises:
        ValueError: the text is not such a date-time, or names an impossible one
            (``2022-11-31``, ``25:00``, an offset of 24 hours or more).
    """
    if not isinstance(text, str):
        raise ValueError(f"not an RFC 3339 date-time: {text!r} is not a string")
    m = _RFC3339.fullmatch(text)
    if m is None:
        raise ValueError(
            f"not an RFC 3339 date-time: {text!r} "
            "(expected YYYY-MM-DDTHH:MM:SS[.fraction] then Z or an offset such as +01:00)"
        )
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    fraction, offset = m.group(7), m.group(8)
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        if offset in ("Z", "z"):
            tz = timezone.utc
        else:
            sign = -1 if offset[0] == "-" else 1
            delta = timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
            tz = timezone(sign * delta)
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
    except ValueError as e:
        raise ValueError(f"not an RFC 3339 date-time: {text!r} ({e})") from None


class _Body(Dict[str, Any]):
    """A parsed body that keeps its text, so that ``Event.payload()`` can read its decimal
    numbers again from their digits (``json.loads`` made them ``float``)."""

    __slots__ = ("source",)

    def __init__(self, value: Dict[str, Any], source: Union[bytes, str]) -> None:
        super().__init__(value)
        self.source = source


def _load_object(body: Union[bytes, bytearray, memoryview, str]) -> Dict[str, Any]:
    if isinstance(body, (memoryview, bytearray)):
        body = bytes(body)
    try:
        value = json.loads(body)
    except ValueError as e:  # JSONDecodeError and UnicodeDecodeError
        raise InvalidPayloadError(f"the webhook verified but its body is not JSON: {e}") from e
    if not isinstance(value, dict):
        raise InvalidPayloadError(
            f"the webhook verified but its body is a JSON {type(value).__name__}, not an object"
        )
    return _Body(value, body)


def _take_str(obj: Dict[str, Any], key: str, what: str) -> str:
    value = obj.pop(key, None)
    if not isinstance(value, str):
        problem = "has no" if value is None else "has a non-string"
        raise InvalidPayloadError(f"the webhook verified but the {what} {problem} {key!r} field")
    return value


@dataclass(frozen=True)
class Event:
    """A business API event (the body of an ``X-Qonto-Signature`` webhook).

    Example::

        event = verifier.construct_event(request.get_data(), request.headers["X-Qonto-Signature"])
        if event.type == "v1/transactions" and event.action == "created":
            handle_transaction(event.data["id"])

    Attributes:
        id: the event's id (a UUID). Qonto retries: deduplicate on it.
        type: the topic, e.g. ``"v1/transactions"`` (see ``TOPICS``; unknown topics are kept).
        event: ``data["event"]`` as sent (``"created"`` or ``"transactions.created"``), or
            ``None`` for topics without one (consent revocations, client invoices).
        created_at: when the event happened, exactly as sent (RFC 3339 text, e.g.
            ``"2025-01-24T10:55:07.000Z"``): never rejected for its format, like the other
            languages. ``created_time()`` parses it.
        subscription_id: the webhook subscription that delivered it.
        organization_id: the organization it concerns.
        membership_id: the membership (user) the subscription belongs to.
        data: the event's payload, as parsed (``event`` included).
        extra: envelope fields this version does not know, kept as sent.
        verified: the verification's result (which secret matched, the header's timestamp).

    ``payload()`` gives ``data`` typed by topic (``qonto_webhooks.payloads``).
    """

    id: str
    type: str
    event: Optional[str]
    created_at: str
    subscription_id: str
    organization_id: str
    membership_id: str
    data: Dict[str, Any]
    extra: Dict[str, Any] = field(default_factory=dict)
    verified: Optional[Verified] = None

    def payload(self) -> Payload:
        """``data`` typed by the event's topic: ``TransactionData`` for ``v1/transactions``...
        (``qonto_webhooks.payloads``), or ``UnknownData`` for a topic this version does not model
        or data that does not fit its topic's model. Never raises.

        Decimal numbers (amounts, rates) are ``decimal.Decimal`` with the digits sent: when the
        event was parsed from a body (``construct_event`` and the framework integrations), the
        body's ``data`` is read again with ``parse_float=Decimal`` (on each call), never through
        ``float``. An event built with ``from_dict`` from data already holding floats reads them
        from their shortest text (``repr``).

        Example::

            >>> from qonto_webhooks import Verifier, sign
            >>> from qonto_webhooks.payloads import TransactionData
            >>> body = (b'{"id":"e1","subscription_id":"s1","organization_id":"o1",'
            ...         b'"membership_id":"m1","type":"v1/transactions",'
            ...         b'"created_at":"2025-01-24T10:55:00Z","data":{"event":"created",'
            ...         b'"id":"t1","amount":50.01,"currency":"EUR","side":"debit"}}')
            >>> header = sign("s3cret", body, timestamp=1737716100)
            >>> event = Verifier("s3cret").construct_event(body, header, now=1737716100)
            >>> tx = event.payload()
            >>> isinstance(tx, TransactionData), tx.action, tx.amount, tx.currency
            (True, 'created', Decimal('50.01'), 'EUR')
        """
        data: Any = self.data
        # The body's text, when from_dict read a parsed body (not a field: neither compared,
        # shown nor copied by dataclasses.replace, whose new data it would not match).
        source = self.__dict__.get("_source")
        if source is not None:
            body = json.loads(source, parse_float=Decimal)
            if isinstance(body, dict) and isinstance(body.get("data"), dict):
                data = body["data"]
        return parse_payload(self.type, data)

    def created_time(self) -> datetime:
        """``created_at`` as a timezone-aware ``datetime`` (RFC 3339: with or without a
        fraction, ``Z`` or an offset, ``T`` or a space; a fraction beyond microseconds is
        truncated).

        Raises:
            ValueError: ``created_at`` is not such a date-time (``"2025-03-02T09:00:00"``
                without an offset), or names an impossible one (``"2022-11-31T10:55:00Z"``).
        """
        return _parse_datetime(self.created_at)

    @property
    def topic(self) -> str:
        """The topic: the same as ``type``."""
        return self.type

    @property
    def action(self) -> Optional[str]:
        """The event name without a topic prefix: ``"created"`` for both ``"created"`` and
        ``"transactions.created"`` (Qonto's lists and samples disagree on the prefix)."""
        if self.event is None:
            return None
        return self.event.rpartition(".")[2]

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any], verified: Optional[Verified] = None) -> Event:
        """Builds an event from an already parsed (and verified!) envelope.

        Raises:
            InvalidPayloadError: a required field is missing or of the wrong type.
        """
        rest = dict(obj)
        what = "event"
        id_ = _take_str(rest, "id", what)
        type_ = _take_str(rest, "type", what)
        created_at = _take_str(rest, "created_at", what)
        subscription_id = _take_str(rest, "subscription_id", what)
        organization_id = _take_str(rest, "organization_id", what)
        membership_id = _take_str(rest, "membership_id", what)
        source = obj.source if isinstance(obj, _Body) else None
        data = rest.pop("data", None)
        if not isinstance(data, dict):
            raise InvalidPayloadError(
                "the webhook verified but the event's 'data' field is missing or not an object"
            )
        name = data.get("event")
        if name is not None and not isinstance(name, str):
            raise InvalidPayloadError("the webhook verified but 'data.event' is not a string")
        event = cls(
            id=id_,
            type=type_,
            event=name,
            created_at=created_at,
            subscription_id=subscription_id,
            organization_id=organization_id,
            membership_id=membership_id,
            data=data,
            extra=rest,
            verified=verified,
        )
        if source is not None:
            object.__setattr__(event, "_source", source)
        return event


@dataclass(frozen=True)
class OnboardingEvent:
    """An onboarding API event (the body of a ``Qonto-SHA256-Signature`` webhook). It names the
    resource: fetch the registration itself from the API.

    This scheme has no timestamp, hence no replay window: deduplicate on ``id``.

    Attributes:
        id: the event's id.
        event_type: e.g. ``"registrations.pending"`` (see ``ONBOARDING_EVENT_TYPES``).
        resource_type: e.g. ``"registration"``.
        resource_id: the resource's id.
        created_at: when the event happened, exactly as sent (RFC 3339 text): never rejected
            for its format. ``created_time()`` parses it.
        extra: fields this version does not know, kept as sent.
        verified: the verification's result (which secret matched).
    """

    id: str
    event_type: str
    resource_type: str
    resource_id: str
    created_at: str
    extra: Dict[str, Any] = field(default_factory=dict)
    verified: Optional[Verified] = None

    def created_time(self) -> datetime:
        """``created_at`` as a timezone-aware ``datetime`` (RFC 3339: with or without a
        fraction, ``Z`` or an offset, ``T`` or a space; a fraction beyond microseconds is
        truncated).

        Raises:
            ValueError: ``created_at`` is not such a date-time (``"2025-03-02T09:00:00"``
                without an offset), or names an impossible one (``"2022-11-31T10:55:00Z"``).
        """
        return _parse_datetime(self.created_at)

    @classmethod
    def from_dict(
        cls, obj: Mapping[str, Any], verified: Optional[Verified] = None
    ) -> OnboardingEvent:
        """Builds an onboarding event from an already parsed (and verified!) body.

        Raises:
            InvalidPayloadError: a required field is missing or of the wrong type.
        """
        rest = dict(obj)
        what = "onboarding event"
        return cls(
            id=_take_str(rest, "id", what),
            event_type=_take_str(rest, "event_type", what),
            resource_type=_take_str(rest, "resource_type", what),
            resource_id=_take_str(rest, "resource_id", what),
            created_at=_take_str(rest, "created_at", what),
            extra=rest,
            verified=verified,
        )
