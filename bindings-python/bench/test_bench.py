"""Benchmarks (pytest-benchmark): one business webhook verified by qonto_webhooks and by the
usual Python alternatives, at several body sizes. Run by bench.sh, which prints the table
(benches/render.py); threads.py measures two threads against one."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

import qonto_webhooks as qw
from impls import IMPLEMENTATIONS

SECRET = "whsec_VuvcYxzMbryt1UBytq58jtGBxCgbQdzX/c0vj5ZLjUA="
SIZES = [256, 1024, 16 * 1024, 1024 * 1024]


def make_body(size: int) -> bytes:
    """A Qonto-like event padded to exactly `size` bytes."""
    event = {
        "id": "0195a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b",
        "organization_id": "4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d",
        "type": "v1/transactions",
        "created_at": "2025-03-02T09:00:00.123Z",
        "data": {"event": "created", "note": ""},
    }
    body = json.dumps(event, separators=(",", ":")).encode()
    pad = size - len(body)
    assert pad >= 0
    return body.replace(b'"note":""', b'"note":"' + b"x" * pad + b'"', 1)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("impl", list(IMPLEMENTATIONS))
def test_verify(benchmark: Any, impl: str, size: int) -> None:
    body = make_body(size)
    assert len(body) == size
    header = qw.sign(SECRET, body)  # now: inside every implementation's window
    verify = IMPLEMENTATIONS[impl](SECRET)
    verify(body, header)  # accepts a good webhook...
    with pytest.raises(Exception):
        verify(body + b" ", header)  # ...and refuses a tampered one
    benchmark.group = f"verify {size} B"
    benchmark.extra_info.update(kind="verify", impl=impl, size=size, abi=qw_abi())
    benchmark(verify, body, header)


def qw_abi() -> str:
    """Which build of the native module runs (bench.sh says, as it installs each wheel)."""
    return os.environ.get("QW_BENCH_ABI", "unknown")
