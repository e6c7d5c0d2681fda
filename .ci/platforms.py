#!/usr/bin/env python3
"""The platforms the release builds native artifacts for, in one table.

Every packaging script asks this file what a Rust target is called elsewhere (the npm platform
package, the Python wheel's platform tag, the C library's file names, the Go GOOS_GOARCH) instead
of writing those names itself:

    eval "$(python3 .ci/platforms.py env [TARGET])"   # QW_* shell variables; TARGET: the host's
                                                     # (QW_PY_ABI: for the Python running this)
    python3 .ci/platforms.py targets                  # the release targets, one per line
    python3 .ci/platforms.py check                    # the table agrees with the release workflow,
                                                     # package.json's napi targets and the Go build tags

TARGET defaults to $TARGET, then to the host (rustc -vV). Only the host's artifacts can be built
on a given machine: the release workflow runs each target on a runner of that platform.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# npm: the napi-rs platform package suffix (os-cpu[-abi]) and its os/cpu/libc fields.
# wheel: a glob for the native wheel's platform tag; maturin: its build flags; auditwheel: the
# policy the Linux wheel must meet (None: auditwheel does not apply).
# go: the GOOS_GOARCH directory of the Go module's prebuilt library (None: pure Go there).
# static/shared: the C library's file names; c_sdk: whether `make dist` packs the C/C++ SDK there
# (not on musl, where Rust builds no cdylib while linking the C runtime statically).
PLATFORMS: dict[str, dict[str, object]] = {
    "x86_64-unknown-linux-gnu": {
        "npm": "linux-x64-gnu",
        "wheel": "*manylinux_2_17_x86_64.whl",
        "maturin": ["--zig", "--compatibility", "manylinux2014"],
        "auditwheel": "manylinux_2_17_x86_64",
        "pip_platform": "manylinux2014_x86_64",
        "go": "linux_amd64",
        "os": "linux",
        "arch": "x86_64",
        "static": "libqonto_webhooks.a",
        "shared": "libqonto_webhooks.so",
        "c_sdk": True,
    },
    "aarch64-unknown-linux-gnu": {
        "npm": "linux-arm64-gnu",
        "wheel": "*manylinux_2_17_aarch64.whl",
        "maturin": ["--zig", "--compatibility", "manylinux2014"],
        "auditwheel": "manylinux_2_17_aarch64",
        "pip_platform": "manylinux2014_aarch64",
        "go": None,
        "os": "linux",
        "arch": "aarch64",
        "static": "libqonto_webhooks.a",
        "shared": "libqonto_webhooks.so",
        "c_sdk": True,
    },
    "x86_64-unknown-linux-musl": {
        "npm": "linux-x64-musl",
        "wheel": "*musllinux_1_2_x86_64.whl",
        "maturin": ["--zig", "--compatibility", "musllinux_1_2"],
        "auditwheel": "musllinux_1_2_x86_64",
        "pip_platform": "musllinux_1_2_x86_64",
        "go": None,
        "os": "linux-musl",
        "arch": "x86_64",
        "static": "libqonto_webhooks.a",
        "shared": "libqonto_webhooks.so",
        "c_sdk": False,
    },
    "aarch64-apple-darwin": {
        "npm": "darwin-arm64",
        "wheel": "*macosx_*_arm64.whl",
        "maturin": [],
        "auditwheel": None,
        "pip_platform": "macosx_11_0_arm64",
        "go": None,
        "os": "macos",
        "arch": "arm64",
        "static": "libqonto_webhooks.a",
        "shared": "libqonto_webhooks.dylib",
        "c_sdk": True,
    },
    "x86_64-apple-darwin": {
        "npm": "darwin-x64",
        "wheel": "*macosx_*_x86_64.whl",
        "maturin": [],
        "auditwheel": None,
        "pip_platform": "macosx_10_12_x86_64",
        "go": None,
        "os": "macos",
        "arch": "x86_64",
        "static": "libqonto_webhooks.a",
        "shared": "libqonto_webhooks.dylib",
        "c_sdk": True,
    },
    "x86_64-pc-windows-msvc": {
        "npm": "win32-x64-msvc",
        "wheel": "*win_amd64.whl",
        "maturin": [],
        "auditwheel": None,
        "pip_platform": "win_amd64",
        "go": None,
        "os": "windows",
        "arch": "x86_64",
        "static": "qonto_webhooks.lib",
        "shared": "qonto_webhooks.dll",
        "c_sdk": True,
    },
}

# Platforms pip must resolve to the pure-Python wheel: those without a native wheel of ours.
PURE_PIP_PLATFORMS = ["musllinux_1_2_aarch64", "win_arm64", "macosx_11_0_arm64", "win_amd64"]


# The stable-ABI native wheels shipped for every platform, newest first, with the oldest Python
# each runs on: pip installs the first one the running Python meets (cp311-abi3 on 3.11+).
PYTHON_ABIS = {"py311": (3, 11), "py39": (3, 9)}


def python_abi() -> str:
    """The wheel pip picks for the Python running this script (the Makefile's, the tests')."""
    return next(abi for abi, least in PYTHON_ABIS.items() if sys.version_info >= least)


def host() -> str:
    out = subprocess.run(["rustc", "-vV"], check=True, capture_output=True, text=True).stdout
    return next(line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("host: "))


def resolve(target: str | None) -> str:
    target = target or os.environ.get("TARGET") or host()
    if target not in PLATFORMS:
        known = ", ".join(PLATFORMS)
        sys.exit(f"platforms.py: no release platform {target!r} (known: {known})")
    return target


def env(target: str) -> str:
    p = PLATFORMS[target]
    native = target == host()
    foreign = [q for q in PURE_PIP_PLATFORMS if q != p["pip_platform"]]
    values = {
        "QW_TARGET": target,
        "QW_HOST_BUILD": "1" if native else "0",
        "QW_NPM_PLATFORM": p["npm"],
        "QW_WHEEL_GLOB": p["wheel"],
        "QW_MATURIN_FLAGS": " ".join(p["maturin"]),  # type: ignore[arg-type]
        "QW_AUDITWHEEL": p["auditwheel"] or "",
        "QW_PURE_PIP_PLATFORMS": " ".join(foreign),
        "QW_GO_LIBDIR": p["go"] or "",
        "QW_C_NAME": f"{p['os']}-{p['arch']}",
        "QW_C_STATIC": p["static"],
        "QW_C_SHARED": p["shared"],
        "QW_C_SDK": "1" if p["c_sdk"] else "0",
        "QW_PY_ABIS": " ".join(PYTHON_ABIS),
        "QW_PY_ABI": python_abi(),
    }
    return "".join(f"{k}={shlex.quote(str(v))}\n" for k, v in values.items())


def check() -> list[str]:
    """What disagrees between this table and the files that name the same platforms."""
    problems = []
    workflow = (ROOT / ".github/workflows/release.yml").read_text()
    in_workflow = set(re.findall(r"target:\s*([a-z0-9_]+-[a-z0-9_-]+)\s*}", workflow))
    if in_workflow != set(PLATFORMS):
        problems.append(
            f"release.yml builds {sorted(in_workflow)}, the table has {sorted(PLATFORMS)}"
        )
    napi = json.loads((ROOT / "bindings-node/package.json").read_text())["napi"]["targets"]
    if set(napi) != set(PLATFORMS):
        problems.append(
            f"package.json napi.targets is {sorted(napi)}, the table has {sorted(PLATFORMS)}"
        )
    native_go = (ROOT / "bindings-go/native.go").read_text()
    for target, p in PLATFORMS.items():
        if p["go"]:
            goos, goarch = str(p["go"]).split("_")
            line = f"#cgo {goos},{goarch} LDFLAGS: ${{SRCDIR}}/lib/{p['go']}/libqonto_webhooks.a"
            if line not in native_go:
                problems.append(f"bindings-go/native.go has no `{line}` for {target}")
    return problems


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else ""
    if command == "env" and len(argv) <= 3:
        sys.stdout.write(env(resolve(argv[2] if len(argv) == 3 else None)))
    elif command == "targets" and len(argv) == 2:
        print("\n".join(PLATFORMS))
    elif command == "check" and len(argv) == 2:
        problems = check()
        for p in problems:
            print(f"platforms.py check: {p}", file=sys.stderr)
        if problems:
            return 1
        print(f"platforms.py check: {len(PLATFORMS)} release targets agree")
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
