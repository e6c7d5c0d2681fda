"""construct_event / construct_onboarding_event: verify, then parse into typed events."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Optional

import pytest

import qonto_webhooks as qw
from conftest import (
    ONBOARDING_BODY,
    ONBOARDING_HEADER_VALUE,
    ONBOARDING_SECRET,
    business_event,
)

NOW = 1740906000
SECRET = "whsec_public_example_secret_0123456789abcdef"
V = qw.Verifier(SECRET)


def signed(body: bytes) -> str:
    return qw.sign(SECRET, body, timestamp=NOW)


def test_business_event() -> None:
    body = business_event()
    event = V.construct_event(body, signed(body), now=NOW)
    assert isinstance(event, qw.Event)
    assert event.id == "0195a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b"
    assert event.type == event.topic == "v1/transactions"
    assert event.event == "transactions.created"
    assert event.action == "created"
    assert event.created_at == "2025-03-02T09:00:00.123Z"
    assert event.created_time() == datetime(2025, 3, 2, 9, 0, 0, 123000, tzinfo=timezone.utc)
    assert event.subscription_id == "9d1c3e0a-2b4f-4c6d-8e0f-1a2b3c4d5e6f"
    assert event.organization_id == "4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d"
    assert event.membership_id == "7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b"
    assert event.data == {"event": "transactions.created", "id": "tx-1", "amount": 12.5}
    assert event.extra == {}
    assert event.verified == qw.Verified(0, NOW, "business")
    # Every body type gives the same event.
    for variant in (bytearray(body), memoryview(body), body.decode()):
        assert V.construct_event(variant, signed(body), now=NOW) == event


def test_unknown_topics_and_fields_are_kept() -> None:
    body = business_event(
        type="v1/products", new_field={"x": [1, 2]}, data={"event": "created", "sku": "A1"}
    )
    event = V.construct_event(body, signed(body), now=NOW)
    assert event.type == "v1/products" and event.type not in qw.TOPICS
    assert event.extra == {"new_field": {"x": [1, 2]}}
    assert event.action == "created" and event.data["sku"] == "A1"


def test_topic_without_event_name() -> None:
    body = business_event(
        type="v1/consent-revocations",
        data={"client_id": "c1", "revoked_at": "2025-03-02T09:00:00Z"},
    )
    event = V.construct_event(body, signed(body), now=NOW)
    assert event.event is None and event.action is None
    assert event.data["client_id"] == "c1"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2025-03-02T09:00:00Z", datetime(2025, 3, 2, 9, tzinfo=timezone.utc)),
        ("2025-03-02T09:00:00.5Z", datetime(2025, 3, 2, 9, 0, 0, 500000, tzinfo=timezone.utc)),
        (
            "2025-03-02T09:00:00.123456789z",
            datetime(2025, 3, 2, 9, 0, 0, 123456, tzinfo=timezone.utc),
        ),
        (
            "2025-03-02T10:30:00+01:30",
            datetime(2025, 3, 2, 10, 30, tzinfo=timezone(timedelta(hours=1, minutes=30))),
        ),
        ("2025-03-02t09:00:00-00:00", datetime(2025, 3, 2, 9, tzinfo=timezone.utc)),
        ("2025-03-02 09:00:00.000Z", datetime(2025, 3, 2, 9, tzinfo=timezone.utc)),
        (
            "2025-03-02T09:00:00-05:00",
            datetime(2025, 3, 2, 9, tzinfo=timezone(timedelta(hours=-5))),
        ),
    ],
)
def test_created_time_forms(text: str, expected: datetime) -> None:
    body = business_event(created_at=text)
    event = V.construct_event(body, signed(body), now=NOW)
    assert event.created_at == text
    created = event.created_time()
    assert created == expected and created.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    "text, reason",
    [
        ("yesterday", "expected YYYY-MM-DD"),
        ("", "expected YYYY-MM-DD"),
        ("2025-03-02T09:00:00", "expected YYYY-MM-DD"),  # no offset, as some docs show it
        ("2025-03-02", "expected YYYY-MM-DD"),
        ("2025-03-02T09:00:00Z ", "expected YYYY-MM-DD"),
        ("２０２５-03-02T09:00:00Z", "expected YYYY-MM-DD"),  # fullwidth digits
        # Impossible date-times: the reason is datetime's own (its wording varies by version).
        ("2022-11-31T10:55:00Z", None),
        ("2025-13-02T09:00:00Z", None),
        ("2025-03-02T24:00:00Z", None),
        ("2025-03-02T09:00:60Z", None),
        ("2025-03-02T09:00:00+24:00", None),
    ],
)
def test_created_at_is_never_rejected_for_its_format(text: str, reason: Optional[str]) -> None:
    """Like the other languages, the event is accepted and created_at kept as sent; only
    created_time() refuses it, with a ValueError naming the text."""
    body = business_event(created_at=text)
    event = V.construct_event(body, signed(body), now=NOW)
    assert event.created_at == text
    with pytest.raises(ValueError, match="not an RFC 3339 date-time") as info:
        event.created_time()
    message = str(info.value)
    assert repr(text) in message
    if reason is None:  # well-formed but impossible: datetime's reason, in parentheses
        assert "expected" not in message and message.endswith(")")
    else:
        assert reason in message
    assert not isinstance(info.value, qw.WebhookVerificationError)
    onboarding = json.loads(ONBOARDING_BODY)
    onboarding["created_at"] = text
    raw = json.dumps(onboarding).encode()
    v = qw.Verifier("k")
    o = v.construct_onboarding_event(raw, qw.sign_onboarding("k", raw))
    assert o.created_at == text
    with pytest.raises(ValueError, match="not an RFC 3339 date-time"):
        o.created_time()


def test_created_time_of_a_hand_built_event() -> None:
    """Event and OnboardingEvent are plain dataclasses: created_time() reads whatever they hold."""
    event = qw.Event(
        id="e",
        type="v1/transactions",
        event=None,
        created_at="2025-03-02T09:00:00Z",
        subscription_id="s",
        organization_id="o",
        membership_id="m",
        data={},
    )
    assert event.created_time() == datetime(2025, 3, 2, 9, tzinfo=timezone.utc)
    onboarding = qw.OnboardingEvent(
        id="e", event_type="t", resource_type="r", resource_id="i", created_at="nope"
    )
    with pytest.raises(ValueError, match="'nope'"):
        onboarding.created_time()


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe",
        b"[1, 2]",
        b'"just a string"',
        business_event(id=None),
        business_event(id=12),
        business_event(type=None),
        # created_at is required and a string (as in the core), whatever its format.
        business_event(created_at=None),
        business_event(created_at=1740906000),
        business_event(created_at={"seconds": 1740906000}),
        json.dumps(
            {k: v for k, v in json.loads(business_event()).items() if k != "created_at"}
        ).encode(),
        business_event(data=[1]),
        business_event(data={"event": 5}),
        json.dumps({"id": "x"}).encode(),
    ],
)
def test_invalid_payload_after_a_valid_signature(body: bytes) -> None:
    with pytest.raises(qw.InvalidPayloadError) as info:
        V.construct_event(body, signed(body), now=NOW)
    assert info.value.code == "invalid_payload"
    assert isinstance(info.value, qw.WebhookVerificationError)
    assert "verified" in str(info.value)


def test_verification_comes_before_parsing() -> None:
    body = b"not json"
    with pytest.raises(qw.SignatureMismatchError):
        V.construct_event(body, signed(b"other"), now=NOW)
    with pytest.raises(qw.TimestampTooOldError):
        V.construct_event(body, signed(body), now=NOW + 301)
    with pytest.raises(qw.MissingHeaderError):
        V.construct_event(body, None, now=NOW)


def test_onboarding_event_official_vector() -> None:
    event = qw.Verifier(ONBOARDING_SECRET).construct_onboarding_event(
        ONBOARDING_BODY, ONBOARDING_HEADER_VALUE
    )
    assert isinstance(event, qw.OnboardingEvent)
    assert event.id == "75341dcb-0376-474d-97d7-d2c03ff3973c"
    assert event.event_type == "registrations.pending" and event.event_type in (
        qw.ONBOARDING_EVENT_TYPES
    )
    assert event.resource_type == "registration"
    assert event.resource_id == "525817f7-93e8-4f31-a83d-20319778b4b0"
    assert event.created_at == "2022-08-29T13:17:32Z"
    assert event.created_time() == datetime(2022, 8, 29, 13, 17, 32, tzinfo=timezone.utc)
    assert event.extra == {}
    assert event.verified == qw.Verified(0, None, "onboarding")


def test_onboarding_event_unknown_fields_and_errors() -> None:
    body = json.dumps(
        {
            "id": "e",
            "event_type": "registrations.something_new",
            "resource_type": "registration",
            "resource_id": "r",
            "created_at": "2026-01-01T00:00:00Z",
            "hint": 1,
        }
    ).encode()
    v = qw.Verifier("k")
    event = v.construct_onboarding_event(body, qw.sign_onboarding("k", body))
    assert event.event_type == "registrations.something_new" and event.extra == {"hint": 1}
    with pytest.raises(qw.SignatureMismatchError):
        v.construct_onboarding_event(body, qw.sign_onboarding("other", body))
    bad = b'{"id":"e"}'
    with pytest.raises(qw.InvalidPayloadError, match="event_type"):
        v.construct_onboarding_event(bad, qw.sign_onboarding("k", bad))
    for created_at in (None, 1, ["2026-01-01T00:00:00Z"]):
        fields = {**json.loads(body), "created_at": created_at}
        bad = json.dumps(fields).encode()
        with pytest.raises(qw.InvalidPayloadError, match="'created_at'") as info:
            v.construct_onboarding_event(bad, qw.sign_onboarding("k", bad))
        assert info.value.code == "invalid_payload"
    missing = json.dumps({k: x for k, x in json.loads(body).items() if k != "created_at"})
    with pytest.raises(qw.InvalidPayloadError, match="has no 'created_at'"):
        v.construct_onboarding_event(missing.encode(), qw.sign_onboarding("k", missing.encode()))


def test_events_are_frozen() -> None:
    body = business_event()
    event = V.construct_event(body, signed(body), now=NOW)
    with pytest.raises(AttributeError):
        event.id = "other"  # type: ignore[misc]
    assert qw.Event.from_dict(json.loads(body)) == qw.Event.from_dict(json.loads(body))
