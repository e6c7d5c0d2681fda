"""The type stubs: `mypy --strict` over a usage file, wrong uses refused, stubs match the module."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def mypy(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, MYPY_FORCE_COLOR="0")
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--cache-dir=/dev/null", "--strict", *args],
        capture_output=True,
        text=True,
        cwd=HERE,
        env=env,
        timeout=300,
    )


def test_mypy_strict_accepts_the_usage_file() -> None:
    result = mypy("typing/usage.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout


def test_mypy_strict_refuses_each_misuse() -> None:
    source = (HERE / "typing" / "misuse.py").read_text()
    expected = {i for i, line in enumerate(source.splitlines(), 1) if line.endswith("# E")}
    result = mypy("typing/misuse.py")
    flagged = {int(m) for m in re.findall(r"misuse\.py:(\d+): error", result.stdout)}
    assert flagged == expected, result.stdout


def test_stubtest() -> None:
    """The `_native.pyi` stubs describe the compiled module exactly (names, signatures)."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "qonto_webhooks._native"],
        capture_output=True,
        text=True,
        cwd=HERE,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
