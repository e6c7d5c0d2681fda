"""diagnose(): each known mistake, committed on purpose, is named; a wrong secret is not a known
mistake; the secret never appears in what it returns."""

import base64
import json

import pytest

from qonto_webhooks import Diagnosis, diagnose, sign, sign_onboarding

SECRET = "whsec_VuvcYxzMbryt1UBytq58jtGBxCgbQdzX/c0vj5ZLjUA="
NOW = 1735689600
BODY = '{"id":"e1","type":"v1/clients","data":{"event":"created","name":"Société ☕"}}'.encode()


def mistakes(d: Diagnosis) -> list:
    return [f.mistake for f in d.findings]


def assert_clean(d: Diagnosis) -> None:
    for f in d.findings:
        assert SECRET not in f.message


def test_a_good_webhook_has_no_findings():
    d = diagnose(SECRET, BODY, sign(SECRET, BODY, timestamp=NOW), now=NOW)
    assert d.ok and d.secret_index == 0 and d.code is None and d.findings == ()


def test_body_reserialised_by_json_dumps():
    header = sign(SECRET, BODY, timestamp=NOW)
    d = diagnose(SECRET, json.dumps(json.loads(BODY)), header, now=NOW)
    assert not d.ok and d.code == "signature_mismatch"
    assert mistakes(d) == ["body_reserialized"]
    assert "raw request body" in d.findings[0].message
    assert d.explained
    assert_clean(d)


def test_secret_base64_decoded():
    header = sign(SECRET, BODY, timestamp=NOW)
    d = diagnose(base64.b64decode(SECRET[len("whsec_") :]), BODY, header, now=NOW)
    assert mistakes(d) == ["secret_base64"]
    assert_clean(d)


def test_secret_with_a_trailing_newline_from_a_file():
    header = sign(SECRET, BODY, timestamp=NOW)
    d = diagnose(SECRET + "\n", BODY, header, now=NOW)
    assert mistakes(d) == ["secret_whitespace"]


def test_the_other_schemes_header():
    d = diagnose(SECRET, BODY, sign_onboarding(SECRET, BODY), now=NOW)
    assert d.code == "malformed_header"
    assert mistakes(d) == ["wrong_scheme"]
    d = diagnose(SECRET, BODY, sign(SECRET, BODY, timestamp=NOW), scheme="onboarding")
    assert mistakes(d) == ["wrong_scheme"]


def test_milliseconds_and_clock_skew():
    d = diagnose(SECRET, BODY, sign(SECRET, BODY, timestamp=NOW * 1000), now=NOW)
    assert mistakes(d) == ["timestamp_milliseconds"]
    d = diagnose(SECRET, BODY, sign(SECRET, BODY, timestamp=NOW - 900), now=NOW)
    assert mistakes(d) == ["clock_skew"] and "900 s behind" in d.findings[0].message


def test_a_wrong_secret_is_no_known_mistake():
    header = sign("whsec_another_subscription_000000000000", BODY, timestamp=NOW)
    d = diagnose([SECRET, "whsec_old"], BODY, header, now=NOW)
    assert mistakes(d) == ["wrong_secret"] and not d.explained
    assert_clean(d)


def test_wrong_arguments():
    with pytest.raises(TypeError):
        diagnose(SECRET, {"parsed": True}, "x")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        diagnose(SECRET, BODY, 42)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        diagnose(SECRET, BODY, "x", scheme="v2")
