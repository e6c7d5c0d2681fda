"""verify_request: any headers object, case-insensitive names, the configured schemes."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.datastructures import Headers as StarletteHeaders
from werkzeug.datastructures import EnvironHeaders, Headers as WerkzeugHeaders

import qonto_webhooks as qw
from conftest import (
    OFFICIAL_BODY,
    OFFICIAL_HEADER,
    OFFICIAL_NOW,
    ONBOARDING_BODY,
    ONBOARDING_HEADER_VALUE,
)

# One verifier that knows both official secrets and accepts both schemes, so either verifies.
V = qw.Verifier(["test-secret", "secret_key"], schemes="both")


def business(headers: Any) -> qw.Verified:
    return V.verify_request(headers, OFFICIAL_BODY, now=OFFICIAL_NOW)


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Qonto-Signature": OFFICIAL_HEADER},
        {"x-qonto-signature": OFFICIAL_HEADER},
        {"X-QONTO-SIGNATURE": OFFICIAL_HEADER.encode()},
        [("content-type", "application/json"), ("x-qonto-signature", OFFICIAL_HEADER)],
        [(b"x-qonto-signature", OFFICIAL_HEADER.encode())],
        WerkzeugHeaders([("x-Qonto-signature", OFFICIAL_HEADER)]),
        EnvironHeaders({"HTTP_X_QONTO_SIGNATURE": OFFICIAL_HEADER}),
        StarletteHeaders(raw=[(b"x-qonto-signature", OFFICIAL_HEADER.encode())]),
    ],
    ids=[
        "dict",
        "dict-lower",
        "dict-upper-bytes",
        "pairs",
        "asgi-raw",
        "werkzeug",
        "environ",
        "starlette",
    ],
)
def test_business_header_found(headers: Any) -> None:
    assert business(headers) == qw.Verified(0, OFFICIAL_NOW, "business")


def test_django_headers() -> None:
    from django.conf import settings

    if not settings.configured:
        settings.configure()
    from django.http.request import HttpHeaders

    headers = HttpHeaders({"HTTP_X_QONTO_SIGNATURE": OFFICIAL_HEADER})
    assert business(headers).secret_index == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"Qonto-SHA256-Signature": ONBOARDING_HEADER_VALUE},
        {"qonto-sha256-signature": ONBOARDING_HEADER_VALUE},
        WerkzeugHeaders([("QONTO-SHA256-SIGNATURE", ONBOARDING_HEADER_VALUE)]),
        [(b"qonto-sha256-signature", ONBOARDING_HEADER_VALUE.encode())],
    ],
)
def test_onboarding_header_found(headers: Any) -> None:
    assert V.verify_request(headers, ONBOARDING_BODY) == qw.Verified(1, None, "onboarding")


def test_onboarding_header_not_read_by_default() -> None:
    default = qw.Verifier(["test-secret", "secret_key"])
    with pytest.raises(qw.MissingHeaderError, match="carries Qonto-SHA256-Signature"):
        default.verify_request({"Qonto-SHA256-Signature": ONBOARDING_HEADER_VALUE}, ONBOARDING_BODY)


def test_case_sensitive_mapping_with_one_name_in_another_case() -> None:
    """A plain dict holding one header under its canonical name and the other in lower case:
    both are found."""
    onboarding_only = qw.Verifier("secret_key", schemes="onboarding")
    headers = {
        "X-Qonto-Signature": OFFICIAL_HEADER,
        "qonto-sha256-signature": ONBOARDING_HEADER_VALUE,
    }
    assert onboarding_only.verify_request(headers, ONBOARDING_BODY).scheme == "onboarding"


def test_business_wins_when_both_are_present() -> None:
    both = {"qonto-sha256-signature": ONBOARDING_HEADER_VALUE, "x-qonto-signature": OFFICIAL_HEADER}
    assert business(both).scheme == "business"
    # With the onboarding body, the business scheme runs and fails: it won.
    with pytest.raises(qw.SignatureMismatchError) as info:
        V.verify_request(both, ONBOARDING_BODY, now=OFFICIAL_NOW)
    assert info.value.scheme == "business"


@pytest.mark.parametrize(
    "headers", [{}, {"Content-Type": "application/json"}, [], WerkzeugHeaders(), {"X-Qonto": "x"}]
)
def test_neither_header(headers: Any) -> None:
    with pytest.raises(qw.MissingHeaderError, match="X-Qonto-Signature"):
        business(headers)


def test_present_but_empty_is_missing_header() -> None:
    with pytest.raises(qw.MissingHeaderError):
        business({"X-Qonto-Signature": ""})
    with pytest.raises(qw.MissingHeaderError):
        V.verify_request({"Qonto-SHA256-Signature": " "}, ONBOARDING_BODY)


def test_errors_of_the_chosen_scheme() -> None:
    with pytest.raises(qw.TimestampTooOldError):
        V.verify_request(
            {"X-Qonto-Signature": OFFICIAL_HEADER}, OFFICIAL_BODY, now=OFFICIAL_NOW + 999
        )
    with pytest.raises(qw.SignatureMismatchError):
        V.verify_request({"X-Qonto-Signature": OFFICIAL_HEADER}, b"{}", now=OFFICIAL_NOW)


@pytest.mark.parametrize("headers", [None, 42, "X-Qonto-Signature", [1, 2], [("a", "b", "c")]])
def test_not_a_headers_object(headers: Any) -> None:
    with pytest.raises(TypeError, match="headers must be"):
        business(headers)


def test_wrong_value_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="header must be"):
        business({"X-Qonto-Signature": [OFFICIAL_HEADER]})
