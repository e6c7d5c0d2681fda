"""The exception classes: one per stable code, ValueError subclasses, helpful messages."""

from __future__ import annotations

import pickle
from typing import Callable, Dict, Type

import pytest

import qonto_webhooks as qw
from conftest import OFFICIAL_BODY, OFFICIAL_HEADER, OFFICIAL_NOW, OFFICIAL_SECRET

SIG = OFFICIAL_HEADER.split(",")[1]  # "v1=<hex>"
V = qw.Verifier(OFFICIAL_SECRET)

# For each code, one call that fails with it, and words its message must contain.
CASES: Dict[str, "tuple[Callable[[], object], Type[qw.WebhookVerificationError], str]"] = {
    "invalid_secret": (lambda: qw.Verifier(""), qw.InvalidSecretError, "secret is empty"),
    "missing_header": (
        lambda: V.verify(OFFICIAL_BODY, None, now=OFFICIAL_NOW),
        qw.MissingHeaderError,
        "X-Qonto-Signature",
    ),
    "malformed_header": (
        lambda: V.verify(OFFICIAL_BODY, "t=12a," + SIG, now=OFFICIAL_NOW),
        qw.MalformedHeaderError,
        "digits",
    ),
    "missing_timestamp": (
        lambda: V.verify(OFFICIAL_BODY, SIG, now=OFFICIAL_NOW),
        qw.MissingTimestampError,
        "no t item",
    ),
    "missing_signature": (
        lambda: V.verify(OFFICIAL_BODY, "t=1704110400", now=OFFICIAL_NOW),
        qw.MissingSignatureError,
        "no v1 item",
    ),
    "timestamp_too_old": (
        lambda: V.verify(OFFICIAL_BODY, OFFICIAL_HEADER, now=OFFICIAL_NOW + 301),
        qw.TimestampTooOldError,
        "301 s old",
    ),
    "timestamp_in_future": (
        lambda: V.verify(OFFICIAL_BODY, OFFICIAL_HEADER, now=OFFICIAL_NOW - 301),
        qw.TimestampInFutureError,
        "301 s in the future",
    ),
    "signature_mismatch": (
        lambda: V.verify(b'{"test": "data"}', OFFICIAL_HEADER, now=OFFICIAL_NOW),
        qw.SignatureMismatchError,
        "raw request body",
    ),
}


def test_every_code_has_a_case_and_a_class() -> None:
    assert set(CASES) == set(qw.ERROR_CODES)
    assert len(qw.ERROR_CODES) == 8
    assert set(qw.ERRORS) == set(qw.ERROR_CODES) | {"invalid_payload"}


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_code_raises_its_class(code: str) -> None:
    call, cls, words = CASES[code]
    with pytest.raises(cls) as info:
        call()
    err = info.value
    assert type(err) is cls is qw.ERRORS[code]
    assert err.code == code == cls.code
    assert isinstance(err, qw.WebhookVerificationError)
    assert isinstance(err, ValueError)
    assert words in str(err)
    assert err.message == str(err)
    # Messages never leak the secret or the expected signature.
    assert OFFICIAL_SECRET not in str(err)
    assert SIG[3:] not in str(err)
    expected_scheme = None if code == "invalid_secret" else "business"
    assert err.scheme == expected_scheme


def test_families() -> None:
    for cls in (
        qw.MissingHeaderError,
        qw.MalformedHeaderError,
        qw.MissingTimestampError,
        qw.MissingSignatureError,
    ):
        assert issubclass(cls, qw.HeaderError)
    for cls in (qw.TimestampTooOldError, qw.TimestampInFutureError):
        assert issubclass(cls, qw.TimestampError)
    assert not issubclass(qw.SignatureMismatchError, (qw.HeaderError, qw.TimestampError))


def test_onboarding_errors_say_their_scheme_and_header() -> None:
    with pytest.raises(qw.MalformedHeaderError) as info:
        V.verify_onboarding(OFFICIAL_BODY, "sha256=" + "0" * 64)
    assert info.value.scheme == "onboarding"
    assert "Qonto-SHA256-Signature" in str(info.value)
    assert "sha256=" in str(info.value)


@pytest.mark.parametrize("code", sorted(CASES))
def test_pickle_round_trip(code: str) -> None:
    call, cls, _ = CASES[code]
    with pytest.raises(cls) as info:
        call()
    copy = pickle.loads(pickle.dumps(info.value))
    assert type(copy) is cls
    assert (copy.code, copy.message, copy.scheme) == (
        info.value.code,
        info.value.message,
        info.value.scheme,
    )


def test_base_class_with_an_explicit_code() -> None:
    err = qw.WebhookVerificationError("something new", "business", "some_new_code")
    assert err.code == "some_new_code" and str(err) == "something new"
