"""Argument types: what is accepted, and TypeError/ValueError for the rest."""

from __future__ import annotations

import sys
from typing import Any

import pytest

import qonto_webhooks as qw
from conftest import (
    OFFICIAL_BODY,
    OFFICIAL_HEADER,
    OFFICIAL_NOW,
    OFFICIAL_SECRET,
    ONBOARDING_BODY,
    ONBOARDING_HEADER_VALUE,
    ONBOARDING_SECRET,
)

V = qw.Verifier(OFFICIAL_SECRET)


@pytest.mark.parametrize(
    "body",
    [OFFICIAL_BODY, bytearray(OFFICIAL_BODY), memoryview(OFFICIAL_BODY), OFFICIAL_BODY.decode()],
    ids=["bytes", "bytearray", "memoryview", "str"],
)
@pytest.mark.parametrize("header", [OFFICIAL_HEADER, OFFICIAL_HEADER.encode()], ids=["str", "bytes"])
def test_body_and_header_types(body: Any, header: Any) -> None:
    assert V.verify(body, header, now=OFFICIAL_NOW) == qw.Verified(0, OFFICIAL_NOW, "business")


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 4097, 65536, 1 << 20])
@pytest.mark.parametrize("kind", ["bytes", "bytearray", "memoryview", "str"])
def test_every_type_on_both_sides_of_the_gil_threshold(size: int, kind: str) -> None:
    raw = (b"0123456789abcdef" * (size // 16 + 1))[:size]
    body: Any = {
        "bytes": raw,
        "bytearray": bytearray(raw),
        "memoryview": memoryview(raw),
        "str": raw.decode(),
    }[kind]
    header = qw.sign("k", raw, timestamp=OFFICIAL_NOW)
    verifier = qw.Verifier("k")
    assert verifier.verify(body, header, now=OFFICIAL_NOW).secret_index == 0
    tampered = raw[:-1] + b"X" if size else b"X"
    with pytest.raises(qw.SignatureMismatchError):
        verifier.verify(tampered, header, now=OFFICIAL_NOW)
    assert verifier.verify_onboarding(body, qw.sign_onboarding("k", raw)).timestamp is None


def test_non_ascii_str_body_is_utf8() -> None:
    body = '{"name":"Café Ünïcode 🔑"}'
    header = qw.sign("k", body.encode("utf-8"), timestamp=1)
    assert qw.Verifier("k", tolerance=None).verify(body, header).secret_index == 0
    with pytest.raises(qw.SignatureMismatchError):
        qw.Verifier("k", tolerance=None).verify(body.encode("latin-1", "replace"), header)


def test_memoryview_slice_and_non_byte_format() -> None:
    big = b"xx" + OFFICIAL_BODY + b"yy"
    assert V.verify(memoryview(big)[2:-2], OFFICIAL_HEADER, now=OFFICIAL_NOW).secret_index == 0
    import array

    arr = array.array("I", [1, 2, 3])
    header = qw.sign("k", arr.tobytes(), timestamp=1)
    assert qw.Verifier("k", tolerance=None).verify(memoryview(arr), header).secret_index == 0


def test_lone_surrogate_str_is_a_unicode_error_not_a_crash() -> None:
    with pytest.raises(UnicodeEncodeError):
        V.verify("\ud800", OFFICIAL_HEADER, now=OFFICIAL_NOW)


@pytest.mark.parametrize("secret", ["test-secret", b"test-secret", bytearray(b"test-secret")])
def test_secret_types(secret: Any) -> None:
    assert qw.Verifier(secret).verify(OFFICIAL_BODY, OFFICIAL_HEADER, now=OFFICIAL_NOW)


@pytest.mark.parametrize(
    "secrets",
    [
        ["other", "test-secret"],
        ("other", b"test-secret"),
        iter(["other", "test-secret"]),
        (s for s in ["other", "test-secret"]),
    ],
    ids=["list", "tuple", "iterator", "generator"],
)
def test_secret_sequences(secrets: Any) -> None:
    verifier = qw.Verifier(secrets)
    assert verifier.secret_count == 2
    assert verifier.verify(OFFICIAL_BODY, OFFICIAL_HEADER, now=OFFICIAL_NOW).secret_index == 1


def test_secret_counts() -> None:
    assert qw.Verifier([f"s{i}" for i in range(8)]).secret_count == 8
    for bad in ([], [f"s{i}" for i in range(9)], ["a", ""], "", b""):
        with pytest.raises(qw.InvalidSecretError):
            qw.Verifier(bad)
    # A huge iterable is not read to its end.
    with pytest.raises(qw.InvalidSecretError):
        qw.Verifier(f"s{i}" for i in range(10**12))


@pytest.mark.parametrize(
    "secret", [None, 42, 1.5, object(), [1, 2], ["ok", None], {"a": 1}, {"a"}, frozenset("a")]
)
def test_secret_wrong_types(secret: Any) -> None:
    with pytest.raises(TypeError, match="secret"):
        qw.Verifier(secret)


def test_tolerance() -> None:
    assert qw.Verifier("k").tolerance == qw.DEFAULT_TOLERANCE == 300
    assert qw.Verifier("k", tolerance=None).tolerance is None
    assert qw.Verifier("k", tolerance=0).tolerance == 0
    v = qw.Verifier(OFFICIAL_SECRET, tolerance=10)
    v.verify(OFFICIAL_BODY, OFFICIAL_HEADER, now=OFFICIAL_NOW + 10)
    with pytest.raises(qw.TimestampTooOldError, match="10 s tolerance"):
        v.verify(OFFICIAL_BODY, OFFICIAL_HEADER, now=OFFICIAL_NOW + 11)
    disabled = qw.Verifier(OFFICIAL_SECRET, tolerance=None)
    assert disabled.verify(OFFICIAL_BODY, OFFICIAL_HEADER, now=2**64 - 1).timestamp == OFFICIAL_NOW
    assert disabled.verify(OFFICIAL_BODY, OFFICIAL_HEADER).timestamp == OFFICIAL_NOW
    assert disabled.verify(OFFICIAL_BODY, OFFICIAL_HEADER, now=0).timestamp == OFFICIAL_NOW


@pytest.mark.parametrize("tolerance", [1.5, "300", [300], b"1"])
def test_tolerance_wrong_types(tolerance: Any) -> None:
    with pytest.raises(TypeError, match="tolerance"):
        qw.Verifier("k", tolerance=tolerance)


@pytest.mark.parametrize("tolerance", [-1, 2**64, -(2**70)])
def test_tolerance_out_of_range(tolerance: int) -> None:
    with pytest.raises(ValueError, match="tolerance"):
        qw.Verifier("k", tolerance=tolerance)


def test_default_now_is_the_clock() -> None:
    header = qw.sign("k", b"{}")  # timestamp = now
    assert abs(int(header[2:].split(",")[0]) - qw.unix_now()) <= 2
    assert qw.Verifier("k").verify(b"{}", header).secret_index == 0
    assert qw.Verifier("k").verify(b"{}", header, now=None).secret_index == 0
    with pytest.raises(qw.TimestampTooOldError):
        qw.Verifier("k").verify(b"{}", qw.sign("k", b"{}", timestamp=qw.unix_now() - 1000))


@pytest.mark.parametrize("body", [None, 42, 1.5, ["a"], {"a": 1}, object(), [123, 34]])
def test_body_wrong_types(body: Any) -> None:
    with pytest.raises(TypeError, match="body must be"):
        V.verify(body, OFFICIAL_HEADER, now=OFFICIAL_NOW)
    with pytest.raises(TypeError, match="body must be"):
        V.verify_onboarding(body, ONBOARDING_HEADER_VALUE)
    with pytest.raises(TypeError, match="body must be"):
        qw.sign("k", body)


@pytest.mark.parametrize("header", [42, 1.5, ["t=1"], bytearray(b"t=1"), object()])
def test_header_wrong_types(header: Any) -> None:
    with pytest.raises(TypeError, match="header must be"):
        V.verify(OFFICIAL_BODY, header, now=OFFICIAL_NOW)
    with pytest.raises(TypeError, match="header must be"):
        V.verify_onboarding(OFFICIAL_BODY, header)


def test_none_header_is_missing_header() -> None:
    with pytest.raises(qw.MissingHeaderError):
        V.verify(OFFICIAL_BODY, None, now=OFFICIAL_NOW)
    with pytest.raises(qw.MissingHeaderError):
        V.verify_onboarding(OFFICIAL_BODY, None)


@pytest.mark.parametrize("now", [1.5, "1704110400", b"1", [1]])
def test_now_wrong_types(now: Any) -> None:
    with pytest.raises(TypeError, match="now must be an int"):
        V.verify(OFFICIAL_BODY, OFFICIAL_HEADER, now=now)


@pytest.mark.parametrize("now", [-1, 2**64, 2**100])
def test_now_out_of_range(now: int) -> None:
    with pytest.raises(ValueError, match="now must be between"):
        V.verify(OFFICIAL_BODY, OFFICIAL_HEADER, now=now)


def test_positional_and_keyword_rules() -> None:
    with pytest.raises(TypeError):
        V.verify(OFFICIAL_BODY, OFFICIAL_HEADER, OFFICIAL_NOW)  # type: ignore[misc]
    with pytest.raises(TypeError):
        qw.Verifier("k", 300)  # type: ignore[misc]
    with pytest.raises(TypeError):
        V.verify(OFFICIAL_BODY)  # type: ignore[call-arg]
    assert V.verify(body=OFFICIAL_BODY, header=OFFICIAL_HEADER, now=OFFICIAL_NOW)


def test_sign() -> None:
    assert qw.sign(OFFICIAL_SECRET, OFFICIAL_BODY, timestamp=OFFICIAL_NOW) == OFFICIAL_HEADER
    assert qw.sign(OFFICIAL_SECRET.encode(), bytearray(OFFICIAL_BODY), timestamp=OFFICIAL_NOW) == (
        OFFICIAL_HEADER
    )
    assert qw.sign_onboarding(ONBOARDING_SECRET, ONBOARDING_BODY) == ONBOARDING_HEADER_VALUE
    assert qw.sign("k", b"", timestamp=0).startswith("t=0,v1=")
    assert qw.sign("k", b"", timestamp=2**64 - 1).startswith(f"t={2**64 - 1},v1=")
    with pytest.raises(qw.InvalidSecretError):
        qw.sign("", b"{}")
    with pytest.raises(qw.InvalidSecretError):
        qw.sign_onboarding(b"", b"{}")
    with pytest.raises(TypeError, match="secret must be str or bytes"):
        qw.sign(["a"], b"{}")
    with pytest.raises(ValueError, match="timestamp"):
        qw.sign("k", b"{}", timestamp=-5)
    with pytest.raises(TypeError, match="timestamp"):
        qw.sign("k", b"{}", timestamp=1.0)


def test_incremental_misuse() -> None:
    state = V.start(OFFICIAL_HEADER, now=OFFICIAL_NOW)
    state.update(OFFICIAL_BODY)
    assert state.finish().secret_index == 0
    with pytest.raises(ValueError, match="already finished"):
        state.finish()
    with pytest.raises(ValueError, match="already finished"):
        state.update(b"x")
    # Header and window errors come at start, before the body is read.
    with pytest.raises(qw.TimestampTooOldError):
        V.start(OFFICIAL_HEADER, now=OFFICIAL_NOW + 1000)
    with pytest.raises(qw.MalformedHeaderError):
        V.start_onboarding("nope")
    state = V.start(OFFICIAL_HEADER, now=OFFICIAL_NOW)
    with pytest.raises(TypeError, match="body must be"):
        state.update(42)
    state.update(OFFICIAL_BODY + b" ")
    with pytest.raises(qw.SignatureMismatchError):
        state.finish()


def test_verified_object() -> None:
    a = V.verify(OFFICIAL_BODY, OFFICIAL_HEADER, now=OFFICIAL_NOW)
    assert a == qw.Verified(0, OFFICIAL_NOW, "business")
    assert a != qw.Verified(1, OFFICIAL_NOW, "business")
    assert hash(a) == hash(qw.Verified(0, OFFICIAL_NOW, "business"))
    assert repr(a) == "Verified(secret_index=0, timestamp=1704110400, scheme='business')"
    with pytest.raises(AttributeError):
        a.secret_index = 3  # type: ignore[misc]
    with pytest.raises(ValueError):
        qw.Verified(0, None, "other")


def test_verifier_repr_never_shows_the_secret() -> None:
    v = qw.Verifier(["super-secret-1", "super-secret-2"], tolerance=60)
    assert repr(v) == "<Verifier secrets=2 tolerance=60>"
    assert "super" not in repr(v) + str(v)
    with pytest.raises((TypeError, AttributeError)):
        import pickle

        pickle.dumps(v)


def test_verifier_is_immutable() -> None:
    v = qw.Verifier("k")
    with pytest.raises(AttributeError):
        v.tolerance = 5  # type: ignore[misc]
    with pytest.raises(AttributeError):
        v.anything = 1  # type: ignore[attr-defined]


def test_header_too_long_is_malformed() -> None:
    header = OFFICIAL_HEADER + "," + "v0=" + "a" * 5000
    with pytest.raises(qw.MalformedHeaderError, match="4096"):
        V.verify(OFFICIAL_BODY, header, now=OFFICIAL_NOW)
    assert qw.MAX_HEADER_LEN == 4096 and qw.MAX_SECRETS == 8


def test_metadata() -> None:
    assert qw.BUSINESS_HEADER == "X-Qonto-Signature"
    assert qw.ONBOARDING_HEADER == "Qonto-SHA256-Signature"
    assert qw.__version__.count(".") == 2
    assert sys.modules["qonto_webhooks._native"].Verifier in qw.Verifier.__mro__
    assert qw.Verifier.verify.__doc__ and "raw request body" in qw.Verifier.verify.__doc__
