"""Typed payloads (``Event.payload()``, ``qonto_webhooks.payloads``): every documented example
payload (core/tests/data/events) parses into its topic's dataclass with every field described,
round-trips to its ``data`` (numbers compared as decimals, decimal strings staying strings),
unknown topics and events are kept, and decimals are exactly the digits sent, never a float."""

from __future__ import annotations

import dataclasses
import doctest
import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, List

import pytest

import qonto_webhooks as qw
from conftest import EVENTS_DIR
from qonto_webhooks import payloads as p

SECRET = "whsec_fixture_secret_0123456789abcdef"
NOW = 1772442000
V = qw.Verifier(SECRET)

MANIFEST: List[Dict[str, Any]] = json.loads((EVENTS_DIR / "manifest.json").read_text("utf-8"))
BUSINESS = [e for e in MANIFEST if e["scheme"] == "business"]
DESCRIPTION = json.loads(
    (Path(__file__).resolve().parents[2] / "core" / "payloads.json").read_text("utf-8")
)
#: topic -> its dataclass, from the one description (core/payloads.json).
MODELS = {t["type"]: getattr(p, t["name"] + "Data") for t in DESCRIPTION["topics"]}


def construct(body: bytes) -> qw.Event:
    return V.construct_event(body, qw.sign(SECRET, body, timestamp=NOW), now=NOW)


def sent_data(body: bytes) -> Dict[str, Any]:
    data: Dict[str, Any] = json.loads(body, parse_float=Decimal)["data"]
    return data


def same(a: Any, b: Any, path: str = "$") -> None:
    """a == b as JSON values: numbers (int or Decimal) compared as decimals, but a number never
    equals a string, nor a boolean a number."""
    number = (int, Decimal)
    if isinstance(a, number) and not isinstance(a, bool):
        assert isinstance(b, number) and not isinstance(b, bool), f"{path}: {a!r} != {b!r}"
        assert Decimal(a) == Decimal(b), f"{path}: {a!r} != {b!r}"
        return
    assert type(a) is type(b), f"{path}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, dict):
        assert a.keys() == b.keys(), f"{path}: keys {sorted(a.keys() ^ b.keys())} differ"
        for k in a:
            same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), f"{path}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{path}[{i}]")
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def test_the_description_and_the_module_agree() -> None:
    assert len(DESCRIPTION["topics"]) == 15
    assert p.PAYLOAD_TOPICS == tuple(MODELS)
    for topic, model in MODELS.items():
        assert model.TOPIC == topic
        described = next(t for t in DESCRIPTION["topics"] if t["type"] == topic)
        assert model.EVENTS == tuple(described["events"])
        names = [f.name for f in dataclasses.fields(model) if not f.name.startswith("_")]
        assert names == ["event"] + [f["name"] for f in described["fields"]] + ["extra"]


@pytest.mark.parametrize("entry", BUSINESS, ids=lambda e: e["file"])
def test_every_fixture_parses_into_its_model_and_round_trips(entry: Dict[str, Any]) -> None:
    body = (EVENTS_DIR / entry["file"]).read_bytes()
    event = construct(body)
    payload = event.payload()
    model = MODELS.get(event.type)
    if model is None:
        assert entry["file"] == "synthetic-unknown-topic.json"
        assert isinstance(payload, p.UnknownData) and payload.topic == event.type
    else:
        assert type(payload) is model, payload
        if not entry["file"].startswith("synthetic-"):
            # Every field of Qonto's example is described (core/payloads.json).
            assert payload.extra == {}, payload.extra
    assert payload.action == entry["action"] == event.action
    assert payload.event == event.event
    same(payload.to_dict(), sent_data(body))
    # The untyped data is unchanged (floats as json.loads gives them).
    assert event.data == json.loads(body)["data"]


def test_fixtures_read_into_typed_fields() -> None:
    def load(name: str) -> p.Payload:
        return construct((EVENTS_DIR / name).read_bytes()).payload()

    tx = load("transactions-updated-card.json")
    assert isinstance(tx, p.TransactionData)
    assert tx.amount == Decimal(50) and tx.settled_balance == Decimal(100)
    assert tx.bank_account is not None and tx.bank_account.iban == "FR7616798000010000005663951"
    assert tx.card_last_digits == "7662" and tx.attachment_ids == []

    tx = load("transactions-created.json")
    assert isinstance(tx, p.TransactionData) and tx.transfer is not None
    assert tx.transfer.counterparty_bank_identifier_format == "bic"
    assert str(tx.amount) == "50.01" and str(tx.settled_balance) == "100.02"

    account = load("accounts-created.json")
    assert isinstance(account, p.AccountData) and account.authorized_balance is not None
    assert str(account.authorized_balance.amount) == "1000.00"

    org = load("organizations-suspended.json")
    assert isinstance(org, p.OrganizationData) and org.legal_share_capital == Decimal(100000)

    card = load("cards-created.json")
    assert isinstance(card, p.CardData)
    assert card.discarded_at == "2022-11-31" and card.active_days == [1, 3, 5]
    assert card.exp_month == "3" and card.nfc_option is True
    assert str(card.payment_lifespan_limit) == "42.00"

    link = load("payment-links-created.json")
    assert isinstance(link, p.PaymentLinkData) and link.amount is not None
    assert str(link.amount.value) == "77052.50"
    assert link.resource_metadata == {"invoice_number": "H2025-343"}

    invoice = load("client-invoices-created.json")
    assert isinstance(invoice, p.ClientInvoiceData) and invoice.items is not None
    assert invoice.event is None and invoice.action is None
    item = invoice.items[0]
    assert str(item.quantity) == "1.5" and item.unit_price is not None
    assert str(item.unit_price.value) == "10.0"
    assert item.discount is not None and item.discount.type == "percentage"
    assert invoice.created_at == "2022-03-04T17:58:30+02:00"

    payment = load("terminal-payments-authorized.json")
    assert isinstance(payment, p.TerminalPaymentData)
    assert payment.metadata == '{"order_id": "zelty-order-456"}'  # a JSON string, kept as sent
    assert payment.tip_amount is not None and str(payment.tip_amount.value) == "1.00"

    client = load("clients-created.json")
    assert isinstance(client, p.ClientData) and client.type == "company"
    assert client.phone is not None and client.phone.country_code == "+33"
    assert client.billing_address is not None and client.billing_address.city == "Paris"

    product = load("products-created.json")
    assert isinstance(product, p.ProductData)
    assert product.vat_exemption_code == "" and str(product.vat_rate) == "0.20"
    assert product.links is not None and product.links[0].title == "Product page"

    collection = load("sepa-direct-debit-collections-failed.json")
    assert isinstance(collection, p.SepaDirectDebitCollectionData)
    assert collection.status_reason == "insufficient_funds"

    revocation = load("consent-revocations.json")
    assert isinstance(revocation, p.ConsentRevocationData) and revocation.event is None
    assert revocation.revoked_at == "2025-01-01T10:00:00Z"


def test_an_unknown_topic_keeps_its_data_whole() -> None:
    body = (EVENTS_DIR / "synthetic-unknown-topic.json").read_bytes()
    payload = construct(body).payload()
    assert isinstance(payload, p.UnknownData)
    assert payload.topic == "v2/unknown-future-topic"
    assert payload.event == "unknown_future_topic.created" and payload.action == "created"
    same(payload.data, sent_data(body))
    assert payload.data["ratio"] == Decimal("0.1") and payload.data["amount"] == Decimal("1e2")


def test_an_unknown_event_and_a_prefixed_one_are_kept() -> None:
    card = construct((EVENTS_DIR / "synthetic-unknown-event.json").read_bytes()).payload()
    assert isinstance(card, p.CardData)
    assert card.event == card.action == "frozen_for_review"
    assert "frozen_for_review" not in p.CardData.EVENTS
    assert card.status == "frozen"
    link = construct((EVENTS_DIR / "synthetic-prefixed-event.json").read_bytes()).payload()
    assert isinstance(link, p.PaymentLinkData)
    assert (link.event, link.action) == ("payment_links.updated", "updated")


def transaction(data: str) -> bytes:
    return (
        '{"id":"e1","subscription_id":"s1","organization_id":"o1","membership_id":"m1",'
        '"type":"v1/transactions","created_at":"2025-01-24T10:55:00Z","data":' + data + "}"
    ).encode()


@pytest.mark.parametrize(
    "sent",
    [
        "50.01",
        '"50.00"',
        "0.1",
        "77052.50",
        "12345678901234.56",
        "12345678901234567.891",
        '"12345678901234567890.123456789"',
        "-0.5",
        "50",
    ],
)
def test_decimals_are_exactly_the_digits_sent(sent: str) -> None:
    payload = construct(transaction('{"amount":' + sent + "}")).payload()
    assert isinstance(payload, p.TransactionData)
    assert isinstance(payload.amount, Decimal)
    digits = sent.strip('"')
    assert payload.amount == Decimal(digits) and str(payload.amount) == digits
    written = payload.to_dict()["amount"]
    if sent.startswith('"'):
        assert written == digits  # a string stays a string
    else:
        assert isinstance(written, Decimal) and str(written) == digits


def test_data_that_does_not_fit_stays_whole() -> None:
    for data in ['{"amount":"12,50"}', '{"amount":true}', '{"id":5}', '{"bank_account":[1]}']:
        payload = construct(transaction(data)).payload()
        assert isinstance(payload, p.UnknownData), data
        assert payload.topic == "v1/transactions"
        same(payload.data, json.loads(data, parse_float=Decimal))
        with pytest.raises(ValueError):
            p.TransactionData.from_dict(json.loads(data, parse_float=Decimal))


def test_nulls_and_undescribed_fields_are_kept() -> None:
    data = '{"event":"updated","reference":null,"amount":null,"bank_account":{"iban":null,"x":1},"new":[1,"a"]}'
    tx = construct(transaction(data)).payload()
    assert isinstance(tx, p.TransactionData)
    assert tx.reference is None and tx.amount is None
    assert tx.extra == {"reference": None, "amount": None, "new": [1, "a"]}
    assert tx.bank_account is not None and tx.bank_account.extra == {"iban": None, "x": 1}
    same(tx.to_dict(), json.loads(data))
    tx.reference = "INV-1"  # set after a null: written once, with its value
    assert tx.to_dict()["reference"] == "INV-1"


def test_from_dict_and_parse_payload_without_a_body() -> None:
    # Data already parsed with floats (no body to read again): the float's shortest text.
    event = qw.Event.from_dict(json.loads(transaction('{"amount":50.01,"local_amount":"45.10"}')))
    tx = event.payload()
    assert isinstance(tx, p.TransactionData)
    assert tx.amount == Decimal("50.01") and tx.local_amount == Decimal("45.10")
    assert tx.to_dict() == {"amount": Decimal("50.01"), "local_amount": "45.10"}
    assert p.parse_payload("v1/beneficiaries", {"id": "b1", "trusted": True}) == p.BeneficiaryData(
        id="b1", trusted=True
    )
    unknown = p.parse_payload("v9/other", {"a": 1})
    assert unknown == p.UnknownData("v9/other", {"a": 1}) and unknown.to_dict() == {"a": 1}
    money = p.Money(value=Decimal("1.50"), currency="EUR")
    assert money.to_dict() == {"value": Decimal("1.50"), "currency": "EUR"}


def test_the_payload_docstring_example_runs() -> None:
    finder = doctest.DocTestFinder(recurse=False)
    tests = finder.find(qw.Event.payload, name="Event.payload", globs=vars(qw).copy())
    assert sum(len(t.examples) for t in tests) > 0
    runner = doctest.DocTestRunner()
    for test in tests:
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_the_readme_example() -> None:
    # snippet:start typed-payloads
    from decimal import Decimal

    from qonto_webhooks import Verifier, sign
    from qonto_webhooks.payloads import CardData, Payload, TransactionData

    def describe(payload: Payload) -> str:
        if isinstance(payload, TransactionData):  # narrows the type (mypy --strict)
            account = payload.bank_account.iban if payload.bank_account else None
            return f"{payload.action}: {payload.amount} {payload.currency} to {account}"
        if isinstance(payload, CardData):
            return f"card {payload.id} {payload.action}"
        return f"{payload.action} (not handled here)"  # other topics, UnknownData

    tx_body = (
        b'{"id":"e1","subscription_id":"s1","organization_id":"o1","membership_id":"m1",'
        b'"type":"v1/transactions","created_at":"2025-01-24T10:55:00Z","data":{'
        b'"event":"transactions.created","id":"t1","amount":50.01,"currency":"EUR",'
        b'"bank_account":{"iban":"FR7616798000010000005663951"},"new_field":1}}'
    )
    tx_event = Verifier("whsec_example").construct_event(tx_body, sign("whsec_example", tx_body))
    tx = tx_event.payload()
    assert describe(tx) == "created: 50.01 EUR to FR7616798000010000005663951"
    assert isinstance(tx, TransactionData) and tx.amount == Decimal("50.01")  # never a float
    assert tx.extra == {"new_field": 1}  # fields not described are kept, and written back:
    assert tx.to_dict()["new_field"] == 1 and tx.to_dict()["amount"] == Decimal("50.01")
    # snippet:end typed-payloads


def test_every_timestamp_of_the_fixtures_parses() -> None:
    count = 0
    for entry in BUSINESS:
        sent = json.loads((EVENTS_DIR / entry["file"]).read_bytes())
        topic = next((t for t in DESCRIPTION["topics"] if t["type"] == sent["type"]), None)
        for f in topic["fields"] if topic else []:
            if f["type"] == "timestamp" and f["name"] in sent["data"]:
                assert qw.parse_timestamp(sent["data"][f["name"]]).tzinfo is not None
                count += 1
    assert count >= 30
    assert qw.parse_timestamp("2022-03-04T17:58:30+02:00").timestamp() == 1646409510
    with pytest.raises(ValueError):
        qw.parse_timestamp("2022-11-31T10:55:00Z")


def test_the_body_kept_for_decimals_is_not_a_field() -> None:
    body = transaction('{"amount":12345678901234567.891}')
    event = construct(body)
    assert "_source" not in {f.name for f in dataclasses.fields(event)}
    assert event == qw.Event.from_dict(json.loads(body), event.verified)
    assert "12345678901234567.891" not in repr(event)
    tx = event.payload()
    assert isinstance(tx, p.TransactionData) and str(tx.amount) == "12345678901234567.891"
    # New data (dataclasses.replace) is read as given, not from the old body.
    other = dataclasses.replace(event, data={"amount": "1.50"}).payload()
    assert isinstance(other, p.TransactionData) and other.amount == Decimal("1.50")


def test_the_onboarding_event_has_the_described_fields() -> None:
    described = [f["name"] for f in DESCRIPTION["onboarding"]["fields"]]
    names = [f.name for f in dataclasses.fields(qw.OnboardingEvent)]
    assert names == described + ["extra", "verified"]
