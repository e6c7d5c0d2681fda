#!/usr/bin/env python3
"""The C runner's driver: builds c_runner.c against target/release/libqonto_webhooks.a (once, when
it is older than its inputs), turns the cases file into one line per case and prints the C
program's verdicts.

    python3 conformance/runners/c_runner.py CASES.json
"""

import base64
import json
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
LIB = ROOT / "target/release/libqonto_webhooks.a"
EXE = ROOT / "target/conformance/c_runner"


def build():
    sources = [HERE / "c_runner.c", LIB, ROOT / "include/qonto_webhooks.h"]
    if EXE.exists() and all(EXE.stat().st_mtime >= s.stat().st_mtime for s in sources):
        return
    EXE.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "cc",
            "-O2",
            "-Wall",
            "-Werror",
            f"-I{ROOT / 'include'}",
            str(HERE / "c_runner.c"),
            str(LIB),
            "-lpthread",
            "-ldl",
            "-lm",
            "-o",
            str(EXE),
        ],
        check=True,
    )


def field(data: bytes) -> str:
    return base64.b64encode(data).decode() if data else "-"


def main():
    build()
    cases = json.loads(pathlib.Path(sys.argv[1]).read_text(encoding="utf-8"))
    lines = []
    for c in cases:
        tolerance = "-" if c["tolerance"] is None else str(c["tolerance"])
        secrets = [field(s.encode()) for s in c["secrets"]]
        lines.append(
            " ".join(
                [
                    "o" if c["scheme"] == "onboarding" else "b",
                    str(c["now"]),
                    tolerance,
                    field(c["header"].encode()),
                    field(base64.b64decode(c["body_b64"])),
                    *secrets,
                ]
            )
        )
    out = subprocess.run(
        [str(EXE)], input="\n".join(lines) + "\n", capture_output=True, text=True, check=True
    )
    sys.stdout.write(out.stdout)


if __name__ == "__main__":
    main()
