#!/usr/bin/env python3
"""One version everywhere: the Cargo workspace, every crate, the npm packages (and the versions
they pin each other at), the Python packages, the C library's qw_version() and the Go module.

    python3 .ci/check_versions.py [VERSION]    # VERSION: also require this one (a release tag)
"""

import json
import pathlib
import re
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent


def cargo_versions():
    workspace = tomllib.loads((ROOT / "Cargo.toml").read_text())
    version = workspace["workspace"]["package"]["version"]
    yield "Cargo.toml [workspace.package]", version
    for member in workspace["workspace"]["members"]:
        package = tomllib.loads((ROOT / member / "Cargo.toml").read_text())["package"]
        v = package.get("version")
        yield f"{member}/Cargo.toml", version if v == {"workspace": True} else v
    core_dep = workspace["workspace"]["dependencies"]["qonto-webhooks"]["version"]
    yield "Cargo.toml [workspace.dependencies] qonto-webhooks", core_dep


def npm_versions():
    for path in sorted(ROOT.glob("bindings-node/**/package.json")):
        if "node_modules" in path.parts:
            continue
        package = json.loads(path.read_text())
        if not package.get("name", "").startswith("qonto-webhooks"):
            continue
        rel = path.relative_to(ROOT)
        yield f"{rel} version", package["version"]
        for name, pinned in package.get("optionalDependencies", {}).items():
            if name.startswith("qonto-webhooks"):
                yield f"{rel} optionalDependencies {name}", pinned


def python_versions():
    for path in sorted(ROOT.glob("bindings-python/**/pyproject.toml")):
        project = tomllib.loads(path.read_text()).get("project", {})
        if "version" in project:  # the native package takes Cargo's version (dynamic)
            yield str(path.relative_to(ROOT)), project["version"]
    init = (ROOT / "bindings-python/python/qonto_webhooks").glob("*.py")
    for path in init:
        for m in re.finditer(r'^__version__\s*=\s*"([^"]+)"', path.read_text(), re.M):
            yield f"{path.relative_to(ROOT)} __version__", m.group(1)


def go_versions():
    for path in sorted((ROOT / "bindings-go").glob("*.go")):
        # The pure-Go build's version (the native one reports qw_version()).
        pattern = r'^\s*(?:const\s+)?(\w*[vV]ersion)\s*=\s*"([^"]+)"'
        for m in re.finditer(pattern, path.read_text(), re.M):
            yield f"{path.relative_to(ROOT)} {m.group(1)}", m.group(2)


def main():
    found = [*cargo_versions(), *npm_versions(), *python_versions(), *go_versions()]
    expected = sys.argv[1] if len(sys.argv) > 1 else found[0][1]
    wrong = [(where, v) for where, v in found if v != expected]
    for where, v in found:
        print(f"{'ok ' if v == expected else 'BAD'} {v:<10} {where}")
    # qw_version() is CARGO_PKG_VERSION of the C ABI crate (a test in bindings-c asserts it).
    if wrong:
        print(f"versions: {len(wrong)} differ from {expected}", file=sys.stderr)
        return 1
    print(f"versions: {len(found)} places, all {expected}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
