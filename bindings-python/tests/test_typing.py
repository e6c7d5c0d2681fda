"""The type stubs: `mypy --strict` over a usage file, wrong uses refused, stubs match the module."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import qonto_webhooks
from conftest import native_only

HERE = Path(__file__).resolve().parent

#: The installed package (the one the tests import).
PACKAGE = Path(qonto_webhooks.__file__).resolve().parent


def mypy(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, MYPY_FORCE_COLOR="0")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--no-incremental",
            "--cache-dir=/dev/null",
            "--strict",
            *args,
        ],
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


@native_only
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


def test_the_pure_module_matches_the_native_stubs(tmp_path: Path) -> None:
    """The pure-Python implementation has exactly the native module's interface: stubtest checks
    `qonto_webhooks._pure` against the `_native.pyi` stubs (the same names, signatures and
    defaults). Only `@disjoint_base` is dropped: the pure `Verifier` is one by its `__slots__`."""
    stubs = tmp_path / "qonto_webhooks"
    stubs.mkdir()
    (stubs / "__init__.pyi").write_text("")
    native = (PACKAGE / "_native.pyi").read_text()
    assert "@disjoint_base\nclass Verifier:" in native
    (stubs / "_pure.pyi").write_text(
        native.replace("@disjoint_base\nclass Verifier:", "class Verifier:")
    )
    env = dict(
        os.environ,
        MYPYPATH=str(tmp_path),
        PYTHONPATH=str(PACKAGE.parent),
        QONTO_WEBHOOKS_IMPLEMENTATION="python",
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "qonto_webhooks._pure"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_pure_module_passes_mypy_strict(tmp_path: Path) -> None:
    """`mypy --strict` over every Python file of the package (the pure implementation, the module
    that selects it, the events, the idempotency guard), copied out of site-packages, where mypy
    would not check them."""
    package = tmp_path / "qonto_webhooks"
    package.mkdir()
    names = [p.name for p in PACKAGE.iterdir() if p.suffix in (".py", ".pyi", ".typed")]
    assert {"_pure.py", "_select.py", "idempotency.py", "_native.pyi"} <= set(names), names
    for name in names:
        shutil.copy(PACKAGE / name, package / name)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--no-incremental",
            "--cache-dir=/dev/null",
            "--strict",
            "-p",
            "qonto_webhooks",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=dict(os.environ, MYPY_FORCE_COLOR="0"),
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout
