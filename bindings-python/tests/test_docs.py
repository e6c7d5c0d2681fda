"""The examples in the docstrings run and give what they show."""

from __future__ import annotations

import doctest
from typing import Any

import pytest

import qonto_webhooks as qw

OBJECTS = [
    qw.Verifier,
    qw.Verifier.verify,
    qw.Verifier.verify_onboarding,
    qw.Verifier.start,
    qw.Verifier.construct_event_from_request,
    qw.sign,
    qw.idempotency_key,
]


@pytest.mark.parametrize("obj", OBJECTS, ids=lambda o: getattr(o, "__qualname__", str(o)))
def test_docstring_examples(obj: Any) -> None:
    assert obj.__doc__, f"{obj} has no docstring"
    finder = doctest.DocTestFinder(recurse=False)
    tests = finder.find(obj, name=getattr(obj, "__qualname__", "obj"), globs=vars(qw).copy())
    examples = sum(len(t.examples) for t in tests)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0
    if obj is not qw.Verifier.verify_onboarding:
        assert examples > 0, f"{obj} shows no example"
