"""Instructions per verification (valgrind's cachegrind), the pure-Python fallback against the
hand-written standard-library code: exact and repeatable where timings on a shared machine are
not. Each figure is (instructions of a run with N verifications - those of a run with none) / N,
hash seed fixed.

Usage: instructions.py [OUT.json]  (from bindings-python/bench, with valgrind on PATH; a few
minutes). Writes OUT.json (default: the repository's target/bench/python-instructions.json, the
benchmarks' common JSON) and prints its table (benches/render.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(ROOT, "benches"))
import collect  # noqa: E402
import render  # noqa: E402

IMPLS = ["fallback (pure Python)", "(a) hmac.new+hexdigest", "(b) hmac.digest"]
RUNS = {256: 500, 1024: 500, 16 * 1024: 100, 1024 * 1024: 5}

ONE_RUN = r"""
import sys
import impls, test_bench
from qonto_webhooks import _pure
impl, size, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
body = test_bench.make_body(size)
header = _pure.sign(test_bench.SECRET, body)
verify = impls.IMPLEMENTATIONS[impl](test_bench.SECRET)
verify(body, header)
for _ in range(n):
    verify(body, header)
"""


def instructions(impl: str, size: int, n: int) -> int:
    env = dict(os.environ, PYTHONHASHSEED="0")
    out = subprocess.run(
        [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            sys.executable,
            "-c",
            ONE_RUN,
            impl,
            str(size),
            str(n),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", out.stderr)
    assert found, out.stderr[-2000:]
    return int(found.group(1).replace(",", ""))


def main(out: str) -> int:
    rows = []
    for size, n in RUNS.items():
        for impl in IMPLS:
            per = (instructions(impl, size, n) - instructions(impl, size, 0)) / n
            rows.append(
                {
                    "case": collect.size_label(size),
                    "size": size,
                    "contender": impl,
                    "value": per,
                    "unit": "instructions",
                }
            )
    doc = collect.document(
        "python-instructions",
        rows,
        {"method": "cachegrind: (run of N - run of none) / N"},
        runtime=f"Python {sys.version.split()[0]}",
    )
    collect.write(out, doc)
    print(render.render(doc), end="")
    return 0


if __name__ == "__main__":
    default = os.path.join(ROOT, "target", "bench", "python-instructions.json")
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else default))
