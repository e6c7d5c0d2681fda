#!/usr/bin/env python3
"""Checks the Python artifacts dist.sh wrote: exactly the native manylinux wheel, the sdist and
the pure-Python wheel, all `qonto_webhooks` at the workspace's version, each with both licence
files and the README; the pure wheel without any compiled file, the native one with both
implementations.

    python3 bindings-python/check_dist.py DISTDIR
"""

from __future__ import annotations

import re
import os
import sys
import subprocess
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path
from typing import List

ROOT = Path(__file__).resolve().parent.parent
LICENSES = ("LICENSE-MIT", "LICENSE-APACHE")
README_TITLE = "# qonto-webhooks for Python"
# The package's tracked sources: every module, the native module's stub and the typing marker.
PACKAGE_FILES = {
    Path(f).name
    for f in subprocess.run(
        ["git", "ls-files", "python/qonto_webhooks"],
        cwd=ROOT / "bindings-python",
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    if f.endswith((".py", ".pyi", "py.typed"))
}


def workspace_version() -> str:
    found = re.search(r'(?m)^version = "([^"]+)"', (ROOT / "Cargo.toml").read_text())
    assert found, "no version in Cargo.toml"
    return found.group(1)


def check_metadata(text: str, version: str, where: str, problems: List[str]) -> None:
    meta = Parser().parsestr(text)
    if meta["Name"] != "qonto-webhooks" or meta["Version"] != version:
        problems.append(f"{where}: Name/Version {meta['Name']} {meta['Version']}")
    if meta["License-Expression"] != "MIT OR Apache-2.0":
        problems.append(f"{where}: License-Expression {meta['License-Expression']!r}")
    if sorted(meta.get_all("License-File") or []) != sorted(LICENSES):
        problems.append(f"{where}: License-File {meta.get_all('License-File')}")
    if README_TITLE not in (meta.get_payload() or ""):
        problems.append(f"{where}: the README is not the long description")
    urls = " ".join(meta.get_all("Project-URL") or [])
    for label in ("Changelog", "Issues"):
        if label not in urls:
            problems.append(f"{where}: no {label} URL")


def check_wheel(path: Path, version: str, pure: bool, problems: List[str]) -> None:
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        info = f"qonto_webhooks-{version}.dist-info"
        for lic in LICENSES:
            if f"{info}/licenses/{lic}" not in names:
                problems.append(f"{path.name}: no {lic}")
        check_metadata(z.read(f"{info}/METADATA").decode(), version, path.name, problems)
        package = {n.split("/", 1)[1] for n in names if n.startswith("qonto_webhooks/")}
        compiled = {n for n in package if n.endswith((".so", ".pyd", ".dylib"))}
        if pure:
            if compiled or package != PACKAGE_FILES:
                problems.append(f"{path.name}: package files {sorted(package)}")
            if "Root-Is-Purelib: true" not in z.read(f"{info}/WHEEL").decode():
                problems.append(f"{path.name}: not a purelib wheel")
        elif (
            compiled not in ({"_native.abi3.so"}, {"_native.pyd"})
            or package - compiled != PACKAGE_FILES
        ):
            problems.append(f"{path.name}: package files {sorted(package)}")


def check_sdist(path: Path, version: str, problems: List[str]) -> None:
    top = f"qonto_webhooks-{version}"
    with tarfile.open(path) as t:
        names = set(t.getnames())
        for lic in LICENSES:
            if f"{top}/{lic}" not in names:
                problems.append(f"{path.name}: no {lic}")
        for needed in (
            "pyproject.toml",
            "Cargo.lock",
            "bindings-python/src/lib.rs",
            "core/src/lib.rs",
            "python/qonto_webhooks/_pure.py",
        ):
            if f"{top}/{needed}" not in names:
                problems.append(f"{path.name}: no {needed}")
        member = t.extractfile(f"{top}/PKG-INFO")
        assert member is not None
        check_metadata(member.read().decode(), version, path.name, problems)


def main(dist: Path) -> int:
    version = workspace_version()
    # The native wheel's platform tag: QW_WHEEL_GLOB from .ci/platforms.py (this machine's by default).
    glob = os.environ.get("QW_WHEEL_GLOB", "*manylinux_2_17_x86_64.whl")
    # Two native wheels: the stable ABI of 3.11+ (what pip picks on 3.11 and later) and of 3.9+.
    natives = []
    for abi in ("cp311", "cp39"):
        found_abi = sorted(p.name for p in dist.glob(f"qonto_webhooks-{version}-{abi}-abi3-{glob}"))
        natives.append(
            found_abi[0] if len(found_abi) == 1 else f"qonto_webhooks-{version}-{abi}-abi3-{glob}"
        )
    pure = f"qonto_webhooks-{version}-py3-none-any.whl"
    sdist = f"qonto_webhooks-{version}.tar.gz"
    found = sorted(p.name for p in dist.iterdir() if p.name.startswith("qonto_webhooks"))
    problems: List[str] = []
    expected = sorted([*natives, pure, sdist])
    if found != expected:
        problems.append(f"expected {', '.join(expected)} in {dist}, found {found}")
    else:
        for native in natives:
            check_wheel(dist / native, version, pure=False, problems=problems)
        check_wheel(dist / pure, version, pure=True, problems=problems)
        check_sdist(dist / sdist, version, problems)
    for p in problems:
        print(f"check_dist: {p}", file=sys.stderr)
    if problems:
        return 1
    print(f"check_dist: {', '.join(expected)}: ok", file=sys.stderr)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: check_dist.py DISTDIR")
    sys.exit(main(Path(sys.argv[1])))
