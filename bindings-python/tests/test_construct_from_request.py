"""`Verifier.construct_event_from_request` (as Node's `constructEventFromRequest`): every
request-level case of `testkit/vectors/requests.json` gives the verdict `verify_request` gives,
and, when it verifies, the typed event of the scheme that verified."""

import json
from typing import Any, Dict, Tuple, Union

import pytest

import qonto_webhooks as qw
from conftest import ONBOARDING_BODY, REQUESTS, business_event, tolerance_arg
from qonto_webhooks import Event, OnboardingEvent

SECRET = "whsec_construct_from_request"


def outcome(call: Any) -> Tuple[Any, Any]:
    try:
        return call(), None
    except qw.WebhookVerificationError as e:
        return None, e


@pytest.mark.parametrize("case", REQUESTS, ids=[c["name"] for c in REQUESTS])
def test_every_request_case(case: Dict[str, Any]) -> None:
    verifier = qw.Verifier(
        case["secrets"], tolerance=tolerance_arg(case["tolerance"]), schemes=case["schemes"]
    )
    headers = {}
    if case["business"] is not None:
        headers[qw.BUSINESS_HEADER] = case["business"]
    if case["onboarding"] is not None:
        headers[qw.ONBOARDING_HEADER] = case["onboarding"]
    verified, verify_error = outcome(
        lambda: verifier.verify_request(headers, case["body"], now=case["now"])
    )
    event, error = outcome(
        lambda: verifier.construct_event_from_request(headers, case["body"], now=case["now"])
    )
    if case["expect"] != "ok":
        assert event is None
        assert (type(error), error.code, str(error), error.scheme) == (
            type(verify_error),
            case["expect"],
            str(verify_error),
            verify_error.scheme,
        )
        return
    # Verified: the body is parsed as the event of the scheme that verified (some cases' business
    # bodies are not complete events: then invalid_payload, as construct_event says).
    expected_type = OnboardingEvent if case["scheme"] == "onboarding" else Event
    try:
        expected: Any = expected_type.from_dict(json.loads(case["body"]), verified)
    except qw.InvalidPayloadError as e:
        expected = e
    if isinstance(expected, qw.InvalidPayloadError):
        assert isinstance(error, qw.InvalidPayloadError), repr(event)
        assert (str(error), error.scheme) == (str(expected), case["scheme"])
        return
    assert error is None, repr(error)
    assert type(event) is expected_type
    assert event == expected
    assert (event.verified.scheme, event.verified.secret_index) == (
        case["scheme"],
        case["secret_index"],
    )


def test_the_request_cases_include_typed_events() -> None:
    """The case file exercises the parsing too: its onboarding bodies are complete events (its
    business ones are not: test_the_scheme_picks_the_event_type parses a business event)."""
    parsed = set()
    for c in REQUESTS:
        if c["expect"] == "ok":
            kind = OnboardingEvent if c["scheme"] == "onboarding" else Event
            try:
                kind.from_dict(json.loads(c["body"]))
                parsed.add(c["scheme"])
            except qw.InvalidPayloadError:
                pass
    assert "onboarding" in parsed, parsed


def test_the_scheme_picks_the_event_type() -> None:
    both = qw.Verifier([SECRET], schemes="both")
    body = business_event(id="evt-9")
    event: Union[Event, OnboardingEvent] = both.construct_event_from_request(
        [("x-qonto-signature", qw.sign(SECRET, body))], body
    )
    assert (
        isinstance(event, Event) and event.id == "evt-9" and event.event == "transactions.created"
    )
    event = both.construct_event_from_request(
        {"qonto-sha256-signature": qw.sign_onboarding(SECRET, ONBOARDING_BODY)}, ONBOARDING_BODY
    )
    assert isinstance(event, OnboardingEvent) and event.event_type == "registrations.pending"
    assert event.verified == qw.Verified(0, None, "onboarding")


def test_now_is_the_windows_clock() -> None:
    verifier = qw.Verifier(SECRET)
    body = business_event()
    headers = {"X-Qonto-Signature": qw.sign(SECRET, body, timestamp=1_700_000_000)}
    assert (
        verifier.construct_event_from_request(headers, body, now=1_700_000_100).verified.timestamp
        == 1_700_000_000
    )
    with pytest.raises(qw.TimestampTooOldError):
        verifier.construct_event_from_request(headers, body, now=1_700_000_301)
    with pytest.raises(qw.TimestampTooOldError):
        verifier.construct_event_from_request(headers, body)  # the clock: long after


def test_the_body_types_of_verify_request() -> None:
    verifier = qw.Verifier(SECRET)
    body = business_event()
    headers = {"X-Qonto-Signature": qw.sign(SECRET, body)}
    for given in (body, bytearray(body), memoryview(body), body.decode()):
        assert (
            verifier.construct_event_from_request(headers, given).id
            == "0195a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b"
        )


@pytest.mark.parametrize(
    "body, scheme",
    [
        (b'{"id":"e1"}', "business"),
        (b"[]", "business"),
        (b"not json", "business"),
        (b'{"id":"e1"}', "onboarding"),
    ],
)
def test_a_verified_body_that_is_not_an_event(body: bytes, scheme: str) -> None:
    verifier = qw.Verifier(SECRET, schemes=scheme)
    if scheme == "business":
        headers = {"X-Qonto-Signature": qw.sign(SECRET, body)}
    else:
        headers = {"Qonto-SHA256-Signature": qw.sign_onboarding(SECRET, body)}
    with pytest.raises(qw.InvalidPayloadError) as caught:
        verifier.construct_event_from_request(headers, body)
    assert caught.value.code == "invalid_payload"
    assert caught.value.scheme == scheme


def test_a_forged_body_is_never_parsed() -> None:
    verifier = qw.Verifier(SECRET)
    with pytest.raises(qw.SignatureMismatchError):
        verifier.construct_event_from_request(
            {"X-Qonto-Signature": qw.sign(SECRET, b"{}")}, b"not json"
        )
