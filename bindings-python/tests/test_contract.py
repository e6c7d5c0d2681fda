"""The package's contract constants come from the core: the generated _contract.py (from
contract.json) and, when the native module is loaded, the native module's own constants agree."""

import importlib

import pytest

import qonto_webhooks as qw
from qonto_webhooks import _contract, _events

NAMES = [
    "BUSINESS_HEADER",
    "ONBOARDING_HEADER",
    "DEFAULT_TOLERANCE",
    "MAX_SECRETS",
    "MAX_HEADER_LEN",
    "ERROR_CODES",
]


@pytest.mark.parametrize("name", NAMES)
def test_the_public_constants_are_the_contract(name: str) -> None:
    assert getattr(qw, name) == getattr(_contract, name)


@pytest.mark.parametrize("name", NAMES)
def test_the_native_module_agrees_with_the_contract(name: str) -> None:
    if qw.IMPLEMENTATION != "native":
        pytest.skip("the native module is not the one loaded")
    native = importlib.import_module("qonto_webhooks._native")
    value = getattr(native, name)
    if name == "ERROR_CODES":
        value = tuple(value)
    assert value == getattr(_contract, name)


def test_every_code_has_an_exception_class() -> None:
    # The verification codes, and the HTTP layer's invalid_payload (a body that is no event).
    assert set(qw.ERRORS) == set(_contract.ERROR_CODES) | {"invalid_payload"}
    assert "invalid_payload" in _contract.HTTP_STATUS
    assert list(_contract.ERROR_DESCRIPTIONS) == list(_contract.ERROR_CODES)


def test_the_topics_are_the_contract() -> None:
    assert _events.TOPICS == _contract.TOPICS and len(_contract.TOPICS) == 12
    assert _events.ONBOARDING_EVENT_TYPES == _contract.ONBOARDING_EVENT_TYPES
