"""Two threads against one on 1 MiB bodies. The machine may be shared, so one-thread and
two-thread runs alternate, and the speed-up is the median of the ratios of neighbouring runs.
hmac.digest (which releases the GIL too) is the control: what the machine allows at the time.

Usage: threads.py OUT.json ABI_LABEL"""

from __future__ import annotations

import json
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Dict, List

import qonto_webhooks as qw
from impls import IMPLEMENTATIONS
from test_bench import SECRET, make_body

TOTAL = 16  # verifications per run
PAIRS = 25


def timed(
    pool: ThreadPoolExecutor, verify: Callable[[bytes, str], object], body: bytes, header: str
) -> float:
    start = time.perf_counter()
    list(pool.map(lambda _: verify(body, header), range(TOTAL)))
    return time.perf_counter() - start


def main(out: str, abi: str) -> None:
    body = make_body(1024 * 1024)
    header = qw.sign(SECRET, body)
    results: Dict[str, Dict[str, float]] = {}
    for impl in ("qonto_webhooks", "(b) hmac.digest"):
        verify = IMPLEMENTATIONS[impl](SECRET)
        one: List[float] = []
        two: List[float] = []
        with ThreadPoolExecutor(1) as pool1, ThreadPoolExecutor(2) as pool2:
            timed(pool1, verify, body, header), timed(pool2, verify, body, header)  # warm up
            for i in range(PAIRS):
                if i % 2:
                    one.append(timed(pool1, verify, body, header))
                    two.append(timed(pool2, verify, body, header))
                else:
                    two.append(timed(pool2, verify, body, header))
                    one.append(timed(pool1, verify, body, header))
        results[impl] = {
            "one": statistics.median(one),
            "two": statistics.median(two),
            "speedup": statistics.median(a / b for a, b in zip(one, two)),
            "total": TOTAL,
            "pairs": PAIRS,
        }
    with open(out, "w") as f:
        json.dump({"abi": abi, "results": results}, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
