"""Argument types: what is accepted, and TypeError/ValueError for the rest."""

from __future__ import annotations

import sys
from typing import Any

import pytest

import qonto_webhooks as qw
from conftest import (
    IMPL_MODULE,
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
@pytest.mark.parametrize(
    "header", [OFFICIAL_HEADER, OFFICIAL_HEADER.encode()], ids=["str", "bytes"]
)
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
    assert qw.Verifier("k", tolerance="disabled").verify(body, header).secret_index == 0
    with pytest.raises(qw.SignatureMismatchError):
        qw.Verifier("k", tolerance="disabled").verify(body.encode("latin-1", "replace"), header)


def test_memoryview_slice_and_non_byte_format() -> None:
    big = b"xx" + OFFICIAL_BODY + b"yy"
    assert V.verify(memoryview(big)[2:-2], OFFICIAL_HEADER, now=OFFICIAL_NOW).secret_index == 0
    import array

    arr = array.array("I", [1, 2, 3])
    header = qw.sign("k", arr.tobytes(), timestamp=1)
    assert qw.Verifier("k", tolerance="disabled").verify(memoryview(arr), header).secret_index == 0


def test_lone_surrogate_str_body_is_a_unicode_error_not_a_crash() -> None:
    with pytest.raises(UnicodeEncodeError):
        V.verify("\ud800", OFFICIAL_HEADER, now=OFFICIAL_NOW)


BOTH = qw.Verifier([OFFICIAL_SECRET, ONBOARDING_SECRET], schemes="both")

# Every API that takes a header, called with `header`.
HEADER_CALLS = {
    "verify": lambda h: BOTH.verify(OFFICIAL_BODY, h, now=OFFICIAL_NOW),
    "verify_onboarding": lambda h: BOTH.verify_onboarding(ONBOARDING_BODY, h),
    "start": lambda h: BOTH.start(h, now=OFFICIAL_NOW),
    "start_onboarding": lambda h: BOTH.start_onboarding(h),
    "construct_event": lambda h: BOTH.construct_event(OFFICIAL_BODY, h, now=OFFICIAL_NOW),
    "construct_onboarding_event": lambda h: BOTH.construct_onboarding_event(ONBOARDING_BODY, h),
    "verify_request business": lambda h: BOTH.verify_request(
        {"X-Qonto-Signature": h}, OFFICIAL_BODY, now=OFFICIAL_NOW
    ),
    "verify_request onboarding": lambda h: BOTH.verify_request(
        {"Qonto-SHA256-Signature": h}, ONBOARDING_BODY
    ),
    "start_request": lambda h: BOTH.start_request([("x-qonto-signature", h)], now=OFFICIAL_NOW),
    "diagnose": lambda h: qw.diagnose(OFFICIAL_SECRET, OFFICIAL_BODY, h, now=OFFICIAL_NOW),
}


@pytest.mark.parametrize("api", sorted(HEADER_CALLS))
@pytest.mark.parametrize(
    "header",
    ["t=1,v1=\ud800", "\ud800", "t=1704110400,v1=\udc80" + "0" * 63, "t=\udfff,v1=" + "0" * 64],
)
def test_lone_surrogate_in_a_header_is_malformed_header(api: str, header: str) -> None:
    """A `str` header with a lone surrogate (which no HTTP server produces) is read as Node reads
    it, each lone surrogate as U+FFFD: `malformed_header` where it matters, never a
    UnicodeEncodeError (which escapes an `except WebhookVerificationError`)."""
    call = HEADER_CALLS[api]
    if api == "diagnose":
        assert call(header).code == "malformed_header"
        return
    with pytest.raises(qw.MalformedHeaderError) as info:
        call(header)
    assert info.value.code == "malformed_header"


def test_lone_surrogate_reads_as_the_replacement_character() -> None:
    """As in Node (V8 writes a lone surrogate as U+FFFD): an ignored item may hold one."""
    header = OFFICIAL_HEADER + ",v0=\ud800"
    assert V.verify(OFFICIAL_BODY, header, now=OFFICIAL_NOW).secret_index == 0
    # Counted as 3 bytes each (U+FFFD's UTF-8 length) against the 4096-byte limit.
    prefix = OFFICIAL_HEADER + ",v0="
    surrogates, filler = divmod(4096 - len(prefix), 3)
    padded = prefix + "a" * filler + "\udbff" * surrogates
    assert len(padded.encode("utf-8", "surrogatepass")) == 4096
    assert V.verify(OFFICIAL_BODY, padded, now=OFFICIAL_NOW).secret_index == 0
    with pytest.raises(qw.MalformedHeaderError, match="4096"):
        V.verify(OFFICIAL_BODY, padded + "\udbff", now=OFFICIAL_NOW)


SECRET_CALLS = {
    "Verifier": lambda s: qw.Verifier(s),
    "Verifier list": lambda s: qw.Verifier(["other", s]),
    "sign": lambda s: qw.sign(s, b"{}"),
    "sign_onboarding": lambda s: qw.sign_onboarding(s, b"{}"),
    "diagnose": lambda s: qw.diagnose(s, OFFICIAL_BODY, OFFICIAL_HEADER),
}


@pytest.mark.parametrize("api", sorted(SECRET_CALLS))
@pytest.mark.parametrize("secret", ["\ud800", "whsec_\udc80abc"])
def test_lone_surrogate_in_a_secret_is_invalid_secret(api: str, secret: str) -> None:
    """A `str` secret with a lone surrogate has no UTF-8 form (os.environ holds such a string
    when the variable's bytes are not UTF-8): `invalid_secret`, at construction, with a way out."""
    with pytest.raises(qw.InvalidSecretError, match="lone surrogate.*bytes") as info:
        SECRET_CALLS[api](secret)
    assert info.value.code == "invalid_secret"
    assert secret not in str(info.value)


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
    assert qw.Verifier("k", tolerance="disabled").tolerance == "disabled"
    assert qw.Verifier("k", tolerance=0).tolerance == 0
    v = qw.Verifier(OFFICIAL_SECRET, tolerance=10)
    v.verify(OFFICIAL_BODY, OFFICIAL_HEADER, now=OFFICIAL_NOW + 10)
    with pytest.raises(qw.TimestampTooOldError, match="10 s tolerance"):
        v.verify(OFFICIAL_BODY, OFFICIAL_HEADER, now=OFFICIAL_NOW + 11)
    disabled = qw.Verifier(OFFICIAL_SECRET, tolerance="disabled")
    assert disabled.verify(OFFICIAL_BODY, OFFICIAL_HEADER, now=2**64 - 1).timestamp == OFFICIAL_NOW
    assert disabled.verify(OFFICIAL_BODY, OFFICIAL_HEADER).timestamp == OFFICIAL_NOW
    assert disabled.verify(OFFICIAL_BODY, OFFICIAL_HEADER, now=0).timestamp == OFFICIAL_NOW
    assert repr(disabled) == "<Verifier secrets=1 tolerance=disabled schemes=business>"
    # The getter gives back what the constructor takes.
    assert qw.Verifier("k", tolerance=disabled.tolerance).tolerance == "disabled"


def test_tolerance_none_is_the_default_window_not_off() -> None:
    """`tolerance=settings.get("X")` with the setting absent keeps the 300 s window: only the
    spelled-out "disabled" switches it off."""
    v = qw.Verifier(OFFICIAL_SECRET, tolerance=None)
    assert v.tolerance == qw.DEFAULT_TOLERANCE
    with pytest.raises(qw.TimestampTooOldError):
        v.verify(OFFICIAL_BODY, OFFICIAL_HEADER, now=OFFICIAL_NOW + 301)
    d = qw.diagnose(
        OFFICIAL_SECRET, OFFICIAL_BODY, OFFICIAL_HEADER, now=OFFICIAL_NOW + 301, tolerance=None
    )
    assert d.code == "timestamp_too_old"
    d = qw.diagnose(
        OFFICIAL_SECRET,
        OFFICIAL_BODY,
        OFFICIAL_HEADER,
        now=OFFICIAL_NOW + 301,
        tolerance="disabled",
    )
    assert d.ok


@pytest.mark.parametrize("tolerance", [1.5, [300], b"1", b"disabled"])
def test_tolerance_wrong_types(tolerance: Any) -> None:
    with pytest.raises(TypeError, match="tolerance"):
        qw.Verifier("k", tolerance=tolerance)


@pytest.mark.parametrize("tolerance", ["300", "Disabled", "off", "none", "", "disabled "])
def test_tolerance_other_strings(tolerance: str) -> None:
    with pytest.raises(ValueError, match='"disabled"'):
        qw.Verifier("k", tolerance=tolerance)


@pytest.mark.parametrize("tolerance", [-1, 2**64, -(2**70)])
def test_tolerance_out_of_range(tolerance: int) -> None:
    with pytest.raises(ValueError, match="tolerance"):
        qw.Verifier("k", tolerance=tolerance)


def test_negative_tolerance_says_how_to_switch_off() -> None:
    with pytest.raises(
        ValueError, match='a negative tolerance does not switch the window off.*"disabled"'
    ):
        qw.Verifier("k", tolerance=-1)
    with pytest.raises(ValueError, match="tolerance"):
        qw.diagnose("k", b"{}", OFFICIAL_HEADER, tolerance=-1)


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
    assert repr(v) == "<Verifier secrets=2 tolerance=60 schemes=business>"
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
    assert sys.modules[IMPL_MODULE].Verifier in qw.Verifier.__mro__
    assert qw.Verifier.verify.__doc__ and "raw request body" in qw.Verifier.verify.__doc__
