"""Instructions per verification (valgrind's cachegrind), the pure-Python fallback against the
hand-written standard-library code: exact and repeatable where timings on a shared machine are
not. Each figure is (instructions of a run with N verifications - those of a run with none) / N,
hash seed fixed.

Usage: instructions.py  (from bindings-python/bench, with valgrind on PATH; a few minutes)"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import Dict

from render import size_name

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
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, "-c", ONE_RUN, impl, str(size), str(n)],
        capture_output=True, text=True, env=env, check=True,
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", out.stderr)
    assert found, out.stderr[-2000:]
    return int(found.group(1).replace(",", ""))


def main() -> int:
    print("Instructions per business verification (cachegrind); ratio = theirs / fallback.\n")
    print("| body | " + " | ".join(IMPLS) + " | vs (a) | vs (b) |")
    print("|---|" + "---|" * (len(IMPLS) + 2))
    for size, n in RUNS.items():
        per: Dict[str, float] = {}
        for impl in IMPLS:
            per[impl] = (instructions(impl, size, n) - instructions(impl, size, 0)) / n
        mine = per[IMPLS[0]]
        cells = [f"{per[i]:,.0f}" for i in IMPLS]
        cells += [f"{per[i] / mine:.2f}×" for i in IMPLS[1:]]
        print(f"| {size_name(size)} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
