"""The documentation's example payloads (core/tests/data/events): each one, signed, constructs an
event through the public API, reads as sent, and keeps every field of ``data`` and the envelope
(compared as JSON values: numbers stay numbers, decimal strings stay strings)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Dict, List

import pytest

import qonto_webhooks as qw
from conftest import EVENTS_DIR

EVENTS = EVENTS_DIR
SECRET = "whsec_fixture_secret_0123456789abcdef"
NOW = 1772442000
V = qw.Verifier(SECRET)

MANIFEST: List[Dict[str, Any]] = json.loads((EVENTS / "manifest.json").read_text(encoding="utf-8"))
BUSINESS = [e for e in MANIFEST if e["scheme"] == "business"]
ONBOARDING = [e for e in MANIFEST if e["scheme"] == "onboarding"]
#: The envelope fields Event has attributes for; the others go to Event.extra.
ENVELOPE = {
    "id",
    "subscription_id",
    "organization_id",
    "membership_id",
    "type",
    "created_at",
    "data",
}


def read(name: str) -> bytes:
    return (EVENTS / name).read_bytes()


def same_json(a: Any, b: Any, path: str = "$") -> None:
    """a == b as JSON values, types included (Python's 1 == 1.0 == True would hide a change)."""
    assert type(a) is type(b), f"{path}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, dict):
        assert a.keys() == b.keys(), f"{path}: keys {sorted(a.keys() ^ b.keys())} differ"
        for k in a:
            same_json(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), f"{path}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b)):
            same_json(x, y, f"{path}[{i}]")
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def instant(text: str) -> datetime:
    """An independent RFC 3339 reading (fromisoformat takes 'Z' only from Python 3.11 on, and
    up to 3.10 only 3 or 6 fraction digits, which every fixture has)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_manifest_lists_every_fixture() -> None:
    on_disk = {p.name for p in EVENTS.glob("*.json")} - {"manifest.json"}
    assert on_disk == {e["file"] for e in MANIFEST}
    assert len(BUSINESS) == 22 and len(ONBOARDING) == 1
    for e in MANIFEST:
        assert (e["scheme"] == "onboarding") == e["file"].startswith("onboarding-")


def test_same_json_sees_a_change() -> None:
    with pytest.raises(AssertionError):
        same_json({"amount": 50}, {"amount": 50.0})
    with pytest.raises(AssertionError):
        same_json({"amount": "50.00"}, {"amount": 50.0})
    with pytest.raises(AssertionError):
        same_json({"a": [1]}, {"a": [1], "b": None})


@pytest.mark.parametrize("entry", BUSINESS, ids=[e["file"] for e in BUSINESS])
def test_business_fixture(entry: Dict[str, Any]) -> None:
    body = read(entry["file"])
    original = json.loads(body)
    event = V.construct_event(body, qw.sign(SECRET, body, timestamp=NOW), now=NOW)

    assert event.id == original["id"]
    assert event.type == event.topic == original["type"]
    assert (event.type in qw.TOPICS) is entry["documented_topic"]
    assert event.subscription_id == original["subscription_id"]
    assert event.organization_id == original["organization_id"]
    assert event.membership_id == original["membership_id"]
    assert event.event == original["data"].get("event")
    assert event.action == entry["action"]
    # created_at is the text as sent; created_time() the instant and offset it names.
    assert type(event.created_at) is str and event.created_at == original["created_at"]
    assert event.created_time() == instant(original["created_at"])
    assert event.created_time().utcoffset() == instant(original["created_at"]).utcoffset()
    assert event.verified == qw.Verified(0, NOW, "business")

    # data (event included) and the unknown envelope fields are kept, as JSON values.
    same_json(event.data, original["data"])
    envelope = {k: v for k, v in original.items() if k not in ENVELOPE}
    same_json(event.extra, envelope)
    # Serialised back, the event is the original, every field exactly (created_at included).
    back = json.loads(
        json.dumps(
            {
                **event.extra,
                "id": event.id,
                "subscription_id": event.subscription_id,
                "organization_id": event.organization_id,
                "membership_id": event.membership_id,
                "type": event.type,
                "created_at": event.created_at,
                "data": event.data,
            }
        )
    )
    same_json(back, original)


@pytest.mark.parametrize("entry", ONBOARDING, ids=[e["file"] for e in ONBOARDING])
def test_onboarding_fixture(entry: Dict[str, Any]) -> None:
    body = read(entry["file"])
    original = json.loads(body)
    event = V.construct_onboarding_event(body, qw.sign_onboarding(SECRET, body))
    assert event.id == original["id"]
    assert event.event_type == original["event_type"]
    assert event.resource_type == original["resource_type"]
    assert event.resource_id == original["resource_id"]
    assert type(event.created_at) is str and event.created_at == original["created_at"]
    assert event.created_time() == instant(original["created_at"])
    assert event.extra == {}
    assert event.verified == qw.Verified(0, None, "onboarding")
    back = {
        **event.extra,
        "id": event.id,
        "event_type": event.event_type,
        "resource_type": event.resource_type,
        "resource_id": event.resource_id,
        "created_at": event.created_at,
    }
    same_json(json.loads(json.dumps(back)), original)


def construct(name: str) -> qw.Event:
    body = read(name)
    return V.construct_event(body, qw.sign(SECRET, body, timestamp=NOW), now=NOW)


def test_amounts_keep_their_json_type() -> None:
    numbers = construct("transactions-created.json").data
    assert type(numbers["amount"]) is float and json.dumps(numbers["amount"]) == "50.01"
    strings = construct("transactions-created-string-amounts.json").data
    assert strings["amount"] == "50.00" and strings["settled_balance"] == "100.00"
    integers = construct("transactions-updated-card.json").data
    assert type(integers["amount"]) is int and json.dumps(integers["amount"]) == "50"
    assert type(construct("organizations-suspended.json").data["legal_share_capital"]) is int


def test_inconsistencies_are_kept_as_sent() -> None:
    cards = construct("cards-created.json").data
    assert cards["discarded_at"] == "2022-11-31" and cards["nickname"] == "💳 for 🍗"
    terminal = construct("terminal-payments-authorized.json").data
    assert terminal["metadata"] == '{"order_id": "zelty-order-456"}'
    clients = construct("clients-created.json")
    assert clients.type == "v1/clients" and clients.data["type"] == "company"
    invoices = construct("client-invoices-created.json")
    assert invoices.event is None and invoices.action is None
    assert invoices.data["created_at"] == "2022-03-04T17:58:30+02:00"
    unknown = construct("synthetic-unknown-topic.json")
    assert unknown.type == "v2/unknown-future-topic" and unknown.type not in qw.TOPICS
    assert unknown.extra == {"delivery_attempt": 3}
    assert unknown.created_at == json.loads(read("synthetic-unknown-topic.json"))["created_at"]
    assert unknown.created_time().utcoffset() is not None
    assert unknown.created_time().microsecond == 123456
