"""The cost of one call into the native module at 256 B, against the core alone and the ring
floor (the benches' `instructions` example: HMAC-SHA256 with `ring` and a constant-time
comparison, nothing else): `Verifier.verify(body, header)` (the clock read inside),
`verify(body, header, now=t)` and `verify_onboarding(body, header)`.

Instructions (valgrind's cachegrind, exact where timings on a shared machine are not): (run of N
calls - run of none) / N, hash seed fixed. Python's figures include the interpreter's loop and
the method lookup, as a caller pays them. With --time, also wall-clock: the best of ROUNDS
interleaved runs of N calls (a `for` loop over local names, no benchmark harness in between),
and the floor's binary timed the same way ((run of N - run of 1) / (N - 1)); the load average is
printed with them, since other load on the machine moves these.

Usage: calls.py [--time] FLOOR_BIN [OUT.md]  (from bindings-python/bench, with valgrind on PATH
and the package importable; FLOOR_BIN is built by `cargo build --release -p
qonto-webhooks-benches --example instructions`). Prints a markdown table (and writes it to
OUT.md)."""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
import time
from typing import Callable, Dict, List, Optional

SIZE = 256
N = 20000

SETUP = (
    r"""
import test_bench
import qonto_webhooks as qw

body = test_bench.make_body(%d)
v = qw.Verifier(test_bench.SECRET)
header = qw.sign(test_bench.SECRET, body)
onboarding = qw.sign_onboarding(test_bench.SECRET, body)
t = int(header[2 : header.index(",")])
STMTS = {
    "verify": "v.verify(body, header)",
    "verify now=": "v.verify(body, header, now=t)",
    "verify_onboarding": "v.verify_onboarding(body, onboarding)",
}


def loop(case, n):
    # Local names, as a request handler has them: no global lookups inside the loop.
    src = "def run(v, body, header, onboarding, t, n):\n"
    src += "    for _ in range(n):\n        " + STMTS[case] + "\n"
    scope = {}
    exec(src, scope)
    run = scope["run"]
    return lambda n: run(v, body, header, onboarding, t, n)
"""
    % SIZE
)

ONE_RUN = (
    SETUP
    + r"""
import sys
run = loop(sys.argv[1], 0)
run(1)
run(int(sys.argv[2]))
"""
)

CASES = ["verify", "verify now=", "verify_onboarding"]
RUST = [
    ("floor business", "a-ring-floor", "business"),
    ("floor onboarding", "a-ring-floor", "onboarding"),
    ("core business", "qonto-webhooks", "business"),
    ("core onboarding", "qonto-webhooks", "onboarding"),
]


def count(argv: List[str]) -> int:
    env = dict(os.environ, PYTHONHASHSEED="0")
    out = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
        + argv,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", out.stderr)
    assert found, out.stderr[-2000:]
    return int(found.group(1).replace(",", ""))


def python_instructions(case: str) -> float:
    run = [sys.executable, "-c", ONE_RUN, case]
    return (count(run + [str(N)]) - count(run + ["0"])) / N


def rust_instructions(binary: str, impl: str, scheme: str) -> float:
    run = [binary, impl, scheme, str(SIZE)]
    return (count(run + [str(N + 1)]) - count(run + ["1"])) / N


def rust_seconds(binary: str, impl: str, scheme: str, n: int) -> float:
    def once(k: int) -> float:
        start = time.perf_counter()
        subprocess.run([binary, impl, scheme, str(SIZE), str(k)], check=True)
        return time.perf_counter() - start

    return (once(n) - once(1)) / (n - 1)


def timings(binary: str, rounds: int, n: int) -> Dict[str, float]:
    scope: Dict[str, object] = {}
    exec(SETUP, scope)
    loop: Callable[[str, int], Callable[[int], None]] = scope["loop"]  # type: ignore[assignment]
    runs = {case: loop(case, n) for case in CASES}
    best: Dict[str, float] = {}
    for _ in range(rounds):  # interleaved, so that a burst of load hits every row alike
        for case, run in runs.items():
            start = time.perf_counter()
            run(n)
            per = (time.perf_counter() - start) / n
            best[case] = min(best.get(case, per), per)
        for key, impl, scheme in RUST:
            per = rust_seconds(binary, impl, scheme, n)
            best[key] = min(best.get(key, per), per)
    return best


def main(argv: List[str]) -> int:
    timed = "--time" in argv
    args = [a for a in argv if a != "--time"]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    binary = args[0]
    out = args[1] if len(args) > 1 else None
    ins = {key: rust_instructions(binary, impl, scheme) for key, impl, scheme in RUST}
    for case in CASES:
        ins[case] = python_instructions(case)
    secs: Optional[Dict[str, float]] = None
    load = ""
    if timed:
        before = os.getloadavg()
        secs = timings(binary, rounds=7, n=200_000)
        after = os.getloadavg()
        load = f"load average {before[0]:.2f} before, {after[0]:.2f} after"

    def floor_of(case: str) -> str:
        return "floor onboarding" if "onboarding" in case else "floor business"

    rows = [
        ("ring floor (Rust), business", "floor business"),
        ("core (Rust) `Verifier::verify`, now fixed", "core business"),
        ("Python `v.verify(body, header)`", "verify"),
        ("Python `v.verify(body, header, now=t)`", "verify now="),
        ("ring floor (Rust), onboarding", "floor onboarding"),
        ("core (Rust) `verify_onboarding`", "core onboarding"),
        ("Python `v.verify_onboarding(body, header)`", "verify_onboarding"),
    ]
    lines = [
        f"### Python calls against the ring floor, {SIZE} B (`bindings-python/bench/calls.py`)",
        "",
        f"Measured {datetime.date.today().isoformat()}, Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs" + (f", {load}" if load else "") + ".",
        "",
    ]
    header = "| call | instructions | × floor |"
    rule = "|---|---|---|"
    if secs is not None:
        header += " best time | × floor (time) |"
        rule += "---|---|"
    lines += [header, rule]
    for label, key in rows:
        ref = floor_of(key) if key in CASES else ("floor " + key.split()[-1])
        line = f"| {label} | {ins[key]:,.0f} | {ins[key] / ins[ref]:.2f}× |"
        if secs is not None:
            line += f" {secs[key] * 1e9:.0f} ns | {secs[key] / secs[ref]:.2f}× |"
        lines.append(line)
    if secs is not None:
        gap = (secs["verify now="] - secs["verify"]) * 1e9
        lines += ["", f"`now=t` against the plain call: {gap:+.0f} ns."]
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if out:
        with open(out, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
