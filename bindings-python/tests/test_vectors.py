"""Every entry of the shared vector file, through each entry point of the package."""

from __future__ import annotations

from typing import Any, Dict

import pytest

import qonto_webhooks as qw
from conftest import VECTORS, tolerance_arg


def make_verifier(v: Dict[str, Any]) -> qw.Verifier:
    return qw.Verifier(v["secrets"], tolerance=tolerance_arg(v["tolerance"]))


def check(v: Dict[str, Any], call: Any) -> None:
    """Runs `call` and compares with the vector's expectation."""
    if v["expect"] == "ok":
        verified = call()
        assert isinstance(verified, qw.Verified)
        assert verified.secret_index == v["secret_index"]
        if v["scheme"] == "business":
            assert verified.timestamp is not None and verified.scheme == "business"
        else:
            assert verified.timestamp is None and verified.scheme == "onboarding"
    else:
        with pytest.raises(qw.WebhookVerificationError) as info:
            call()
        assert info.value.code == v["expect"], str(info.value)
        assert type(info.value) is qw.ERRORS[v["expect"]]
        # The core's exact words, pinned in the vectors: the implementations cannot drift.
        assert str(info.value) == v["message"]


def verify(v: Dict[str, Any], body: Any, header: Any) -> qw.Verified:
    verifier = make_verifier(v)
    if v["scheme"] == "business":
        return verifier.verify(body, header, now=v["now"])
    return verifier.verify_onboarding(body, header)


def test_vector_file_covers_every_code() -> None:
    expected = {v["expect"] for v in VECTORS}
    assert set(qw.ERROR_CODES) <= expected, set(qw.ERROR_CODES) - expected
    assert "ok" in expected


def test_verify(vector: Dict[str, Any]) -> None:
    check(vector, lambda: verify(vector, vector["body"], vector["header"]))


def test_verify_bytes_header_and_other_body_types(vector: Dict[str, Any]) -> None:
    header = vector["header"].encode()
    check(vector, lambda: verify(vector, bytearray(vector["body"]), header))
    check(vector, lambda: verify(vector, memoryview(vector["body"]), header))
    try:
        text = vector["body"].decode("utf-8")
    except UnicodeDecodeError:
        return
    check(vector, lambda: verify(vector, text, vector["header"]))


def test_incremental(vector: Dict[str, Any]) -> None:
    def run() -> qw.Verified:
        verifier = make_verifier(vector)
        if vector["scheme"] == "business":
            state = verifier.start(vector["header"], now=vector["now"])
        else:
            state = verifier.start_onboarding(vector["header"])
        body = vector["body"]
        for i in range(0, len(body), 7):
            state.update(body[i : i + 7])
        return state.finish()

    check(vector, run)


def test_verify_request(vector: Dict[str, Any]) -> None:
    """verify_request, on an endpoint configured for the vector's scheme."""
    name = qw.BUSINESS_HEADER if vector["scheme"] == "business" else qw.ONBOARDING_HEADER

    def verifier() -> qw.Verifier:
        return qw.Verifier(
            vector["secrets"],
            tolerance=tolerance_arg(vector["tolerance"]),
            schemes=vector["scheme"],
        )

    for spelled in (name, name.lower(), name.upper()):
        headers = {"Content-Type": "application/json", spelled: vector["header"]}
        check(vector, lambda: verifier().verify_request(headers, vector["body"], now=vector["now"]))


OK_VECTORS = [v for v in VECTORS if v["expect"] == "ok"]


@pytest.mark.parametrize("vector", OK_VECTORS, ids=[v["name"] for v in OK_VECTORS])
def test_sign_reproduces_ok_vectors(vector: Dict[str, Any]) -> None:
    """For every valid vector, `sign` produces the signature that matched."""
    secret = vector["secrets"][vector["secret_index"]]
    if vector["scheme"] == "onboarding":
        assert qw.sign_onboarding(secret, vector["body"]) == vector["header"].strip(" \t").lower()
        return
    items = dict(
        item.strip(" \t").split("=", 1) for item in vector["header"].split(",") if "=" in item
    )
    header = qw.sign(secret, vector["body"], timestamp=int(items["t"]))
    # A t with leading zeros is signed as sent, so sign() (canonical digits) differs there.
    if items["t"] == str(int(items["t"])):
        assert header.split(",v1=")[1] in vector["header"].lower()
    qw.Verifier(secret, tolerance="disabled").verify(vector["body"], header)


def test_construct_event(vector: Dict[str, Any]) -> None:
    """construct_* verifies first: a failing vector raises its code; a valid one gives an event,
    or InvalidPayloadError when its body is not an event (the vectors' bodies are not all)."""

    def construct() -> object:
        verifier = make_verifier(vector)
        if vector["scheme"] == "business":
            return verifier.construct_event(vector["body"], vector["header"], now=vector["now"])
        return verifier.construct_onboarding_event(vector["body"], vector["header"])

    if vector["expect"] != "ok":
        with pytest.raises(qw.ERRORS[vector["expect"]]):
            construct()
        return
    try:
        event = construct()
    except qw.InvalidPayloadError:
        return
    assert isinstance(event, (qw.Event, qw.OnboardingEvent))
    assert event.verified is not None
    assert event.verified.secret_index == vector["secret_index"]
