"""The packaging metadata: the native package's pyproject.toml and the pure wheel's
(pure/pyproject.toml) describe the same package; licence, classifiers and URLs as a registry and
a user expect; the pure wheel ships every file of the package."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict

import pytest

HERE = Path(__file__).resolve().parent
CRATE = HERE.parent
REPO = CRATE.parent

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the suite runs on 3.11 here
    tomllib = pytest.importorskip("tomli")

NATIVE_ONLY_CLASSIFIERS = {
    "Programming Language :: Rust",
    "Programming Language :: Python :: Implementation :: CPython",
}


def project(path: Path) -> Dict[str, Any]:
    table: Dict[str, Any] = tomllib.loads(path.read_text())["project"]
    return table


NATIVE = project(CRATE / "pyproject.toml")
PURE = project(CRATE / "pure" / "pyproject.toml")


def workspace_version() -> str:
    found = re.search(r'(?m)^version = "([^"]+)"', (REPO / "Cargo.toml").read_text())
    assert found
    return found.group(1)


def test_the_two_packages_agree() -> None:
    assert NATIVE["dynamic"] == ["version"] and "version" not in NATIVE
    assert PURE["version"] == workspace_version()
    assert "dynamic" not in PURE
    for key in set(NATIVE) | set(PURE):
        if key in ("version", "dynamic", "classifiers"):
            continue
        assert NATIVE.get(key) == PURE.get(key), key
    assert set(PURE["classifiers"]) == set(NATIVE["classifiers"]) - NATIVE_ONLY_CLASSIFIERS


def test_licence_is_spdx_and_not_a_classifier() -> None:
    """PEP 639: the SPDX expression replaces the licence classifiers, which flit-core (the pure
    wheel's backend) refuses next to it."""
    for meta in (NATIVE, PURE):
        assert meta["license"] == "MIT OR Apache-2.0"
        assert not [c for c in meta["classifiers"] if c.startswith("License ::")]
    assert (REPO / "LICENSE-MIT").is_file() and (REPO / "LICENSE-APACHE").is_file()


def test_classifiers_say_what_a_user_needs() -> None:
    classifiers = set(NATIVE["classifiers"])
    assert any(c.startswith("Development Status :: ") for c in classifiers)
    assert "Operating System :: OS Independent" in classifiers  # the pure wheel installs anywhere
    floor = re.fullmatch(r">=3\.(\d+)", NATIVE["requires-python"])
    assert floor
    versions = sorted(
        int(c.rsplit(".", 1)[1])
        for c in classifiers
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    )
    assert versions and versions[0] == int(floor.group(1))
    assert versions == list(range(versions[0], versions[-1] + 1))
    assert "Typing :: Typed" in classifiers


def test_urls() -> None:
    urls = NATIVE["urls"]
    assert {"Homepage", "Repository", "Changelog", "Issues"} <= set(urls)
    assert urls["Changelog"].endswith("/CHANGELOG.md") and (REPO / "CHANGELOG.md").is_file()
    assert urls["Issues"].endswith("/issues")


def test_the_pure_wheel_ships_every_file_of_the_package() -> None:
    """dist.sh copies the package's tracked sources (`git ls-files`: no compiled module or stray
    build gets in) and check_dist.py checks the wheel against the same list: every source file of
    the package must be tracked, or the wheel would lack it."""
    package = CRATE / "python" / "qonto_webhooks"
    sources = {
        p.name for p in package.iterdir() if p.suffix in (".py", ".pyi") or p.name == "py.typed"
    }
    tracked = {
        Path(f).name
        for f in subprocess.run(
            ["git", "ls-files", "python/qonto_webhooks"],
            cwd=CRATE,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        if f.endswith((".py", ".pyi", "py.typed"))
    }
    assert tracked == sources, (
        f"untracked: {sorted(sources - tracked)}, missing: {sorted(tracked - sources)}"
    )
    # The framework integrations and the modules they share are in the list.
    assert {
        "django.py",
        "flask.py",
        "starlette.py",
        "fastapi.py",
        "aiohttp.py",
        "_frameworks.py",
    } <= tracked
    assert "git ls-files" in (CRATE / "dist.sh").read_text()
    assert '"git", "ls-files", "python/qonto_webhooks"' in (CRATE / "check_dist.py").read_text()


def test_the_readme_says_how_to_check_the_implementation() -> None:
    readme = (CRATE / "README.md").read_text()
    assert 'python -c "import qonto_webhooks; print(qonto_webhooks.IMPLEMENTATION)"' in readme
    assert "py3-none-any" in readme and "manylinux2014" in readme
